/**
 * Fractional index keys, a port of rocicorp's `fractional-indexing` (CC0) with base-62 digits.
 * A key is an integer part (a head letter giving its length, then digits) and a fraction with no
 * trailing zero. Keys compare as plain strings.
 */

export const BASE_62_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ZERO = '0';
const SMALLEST_INTEGER = 'A' + ZERO.repeat(26);

function digitAt(s: string, i: number): string {
  const c = s[i];
  if (c === undefined) throw new Error(`index ${i} out of range in ${JSON.stringify(s)}`);
  return c;
}

function midpoint(a: string, b: string | null, digits: string): string {
  const zero = digitAt(digits, 0);
  if (b !== null && a >= b) throw new Error(`${a} >= ${b}`);
  if (a.slice(-1) === zero || (b !== null && b.slice(-1) === zero)) throw new Error('trailing zero');
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? zero) === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n), digits);
  }
  const digitA = a ? digits.indexOf(digitAt(a, 0)) : 0;
  const digitB = b !== null ? digits.indexOf(digitAt(b, 0)) : digits.length;
  if (digitB - digitA > 1) {
    return digitAt(digits, Math.round(0.5 * (digitA + digitB)));
  }
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return digitAt(digits, digitA) + midpoint(a.slice(1), null, digits);
}

function integerLength(head: string): number {
  if (head >= 'a' && head <= 'z') return head.charCodeAt(0) - 'a'.charCodeAt(0) + 2;
  if (head >= 'A' && head <= 'Z') return 'Z'.charCodeAt(0) - head.charCodeAt(0) + 2;
  throw new Error(`invalid order key head: ${head}`);
}

function validateInteger(int: string): void {
  if (int.length !== integerLength(digitAt(int, 0))) throw new Error(`invalid integer part: ${int}`);
}

function integerPart(key: string): string {
  const len = integerLength(digitAt(key, 0));
  if (len > key.length) throw new Error(`invalid order key: ${key}`);
  return key.slice(0, len);
}

/** Throws unless `key` is a well-formed order key. */
export function validateOrderKey(key: string): void {
  if (key === SMALLEST_INTEGER) throw new Error(`invalid order key: ${key}`);
  const i = integerPart(key);
  const f = key.slice(i.length);
  if (f.slice(-1) === ZERO) throw new Error(`invalid order key: ${key}`);
}

export function isValidOrderKey(key: string): boolean {
  try {
    validateOrderKey(key);
    return true;
  } catch {
    return false;
  }
}

function incrementInteger(x: string, digits: string): string | null {
  validateInteger(x);
  const head = digitAt(x, 0);
  const digs = x.slice(1).split('');
  let carry = true;
  for (let i = digs.length - 1; carry && i >= 0; i--) {
    const d = digits.indexOf(digitAt(x, i + 1)) + 1;
    if (d === digits.length) {
      digs[i] = ZERO;
    } else {
      digs[i] = digitAt(digits, d);
      carry = false;
    }
  }
  if (carry) {
    if (head === 'Z') return 'a' + ZERO;
    if (head === 'z') return null;
    const h = String.fromCharCode(head.charCodeAt(0) + 1);
    if (h > 'a') digs.push(ZERO);
    else digs.pop();
    return h + digs.join('');
  }
  return head + digs.join('');
}

function decrementInteger(x: string, digits: string): string | null {
  validateInteger(x);
  const head = digitAt(x, 0);
  const digs = x.slice(1).split('');
  const last = digits.slice(-1);
  let borrow = true;
  for (let i = digs.length - 1; borrow && i >= 0; i--) {
    const d = digits.indexOf(digitAt(x, i + 1)) - 1;
    if (d === -1) {
      digs[i] = last;
    } else {
      digs[i] = digitAt(digits, d);
      borrow = false;
    }
  }
  if (borrow) {
    if (head === 'a') return 'Z' + last;
    if (head === 'A') return null;
    const h = String.fromCharCode(head.charCodeAt(0) - 1);
    if (h < 'Z') digs.push(last);
    else digs.pop();
    return h + digs.join('');
  }
  return head + digs.join('');
}

/** A key strictly between `a` and `b`; `null` stands for the start / end of the list. */
export function keyBetween(a: string | null, b: string | null, digits: string = BASE_62_DIGITS): string {
  if (a !== null) validateOrderKey(a);
  if (b !== null) validateOrderKey(b);
  if (a !== null && b !== null && a >= b) throw new Error(`${a} >= ${b}`);
  if (a === null) {
    if (b === null) return 'a' + ZERO;
    const ib = integerPart(b);
    const fb = b.slice(ib.length);
    if (ib === SMALLEST_INTEGER) return ib + midpoint('', fb, digits);
    if (ib < b) return ib;
    const res = decrementInteger(ib, digits);
    if (res === null) throw new Error('cannot decrement any more');
    return res;
  }
  if (b === null) {
    const ia = integerPart(a);
    const fa = a.slice(ia.length);
    const i = incrementInteger(ia, digits);
    return i === null ? ia + midpoint(fa, null, digits) : i;
  }
  const ia = integerPart(a);
  const fa = a.slice(ia.length);
  const ib = integerPart(b);
  const fb = b.slice(ib.length);
  if (ia === ib) return ia + midpoint(fa, fb, digits);
  const i = incrementInteger(ia, digits);
  if (i === null) throw new Error('cannot increment any more');
  if (i < b) return i;
  return ia + midpoint(fa, null, digits);
}

/** `n` ascending keys strictly between `a` and `b`. */
export function nKeysBetween(a: string | null, b: string | null, n: number, digits: string = BASE_62_DIGITS): string[] {
  if (n <= 0) return [];
  if (n === 1) return [keyBetween(a, b, digits)];
  if (b === null) {
    let c = keyBetween(a, b, digits);
    const out = [c];
    for (let i = 0; i < n - 1; i++) {
      c = keyBetween(c, b, digits);
      out.push(c);
    }
    return out;
  }
  if (a === null) {
    let c = keyBetween(a, b, digits);
    const out = [c];
    for (let i = 0; i < n - 1; i++) {
      c = keyBetween(a, c, digits);
      out.push(c);
    }
    return out.reverse();
  }
  const mid = Math.floor(n / 2);
  const c = keyBetween(a, b, digits);
  return [...nKeysBetween(a, c, mid, digits), c, ...nKeysBetween(c, b, n - mid - 1, digits)];
}
