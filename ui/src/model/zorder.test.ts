import { describe, expect, it } from 'vitest';
import { isValidOrderKey, keyBetween, nKeysBetween } from './zorder';

describe('keyBetween', () => {
  it.each<[string | null, string | null, string]>([
    [null, null, 'a0'],
    [null, 'a0', 'Zz'],
    ['a0', null, 'a1'],
    ['a0', 'a1', 'a0V'],
    ['az', null, 'b00'],
    ['a1', null, 'a2'],
    ['a0', 'a0V', 'a0G'],
    ['Zz', 'a0', 'ZzV'],
    ['Zy', 'a0', 'Zz'],
    [null, 'A' + '0'.repeat(26) + '1', 'A' + '0'.repeat(26) + '0V'],
    ['zzzzzzzzzzzzzzzzzzzzzzzzzzz', null, 'zzzzzzzzzzzzzzzzzzzzzzzzzzzV'],
    ['a0', 'a0V', 'a0G'],
    ['b125', 'b129', 'b127'],
  ])('keyBetween(%s, %s) = %s', (a, b, want) => {
    expect(keyBetween(a, b)).toBe(want);
  });

  it('rejects bad keys and reversed bounds', () => {
    expect(() => keyBetween('a00', null)).toThrow();
    expect(() => keyBetween('a1', 'a0')).toThrow();
    expect(() => keyBetween('a0', 'a0')).toThrow();
    expect(() => keyBetween('', null)).toThrow();
    expect(isValidOrderKey('a0V')).toBe(true);
    expect(isValidOrderKey('a0V0')).toBe(false);
  });

  it('keeps order under repeated insertion at random places', () => {
    let keys: string[] = [];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const at = Math.floor(rand() * (keys.length + 1));
      const k = keyBetween(keys[at - 1] ?? null, keys[at] ?? null);
      keys = [...keys.slice(0, at), k, ...keys.slice(at)];
    }
    const sorted = [...keys].sort();
    expect(keys).toEqual(sorted);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('nKeysBetween gives n sorted keys inside the bounds', () => {
    const ks = nKeysBetween('a0', 'a1', 10);
    expect(ks).toHaveLength(10);
    expect([...ks].sort()).toEqual(ks);
    expect(ks[0]! > 'a0' && ks[9]! < 'a1').toBe(true);
    expect(nKeysBetween(null, null, 3)).toEqual(['a0', 'a1', 'a2']);
  });
});
