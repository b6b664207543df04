//! Fractional index keys for z-order.
//!
//! Each element carries a key; elements draw in ascending key order (ties broken by element id).
//! Moving an element between two others writes one new key between theirs, so concurrent
//! reorders by different users touch different elements and merge without conflict.
//!
//! The key format is the one of rocicorp's `fractional-indexing`, which Excalidraw also uses for
//! its elements' `index` field: an integer part whose first character encodes its length
//! (`a`..`z` for 2..27 characters, `A`..`Z` for the negatives), then an optional fraction that
//! never ends in `0`. Digits are base 62 in ASCII order, so keys compare as plain strings, and
//! appending n elements one after another yields keys of O(log n) length.

const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// The longest key accepted from anyone.
pub const MAX_KEY_LEN: usize = 128;
const SMALLEST_INTEGER: &str = "A00000000000000000000000000";

fn digit(b: u8) -> Option<usize> {
    DIGITS.iter().position(|&d| d == b)
}

fn integer_len(head: u8) -> Option<usize> {
    match head {
        b'a'..=b'z' => Some((head - b'a') as usize + 2),
        b'A'..=b'Z' => Some((b'Z' - head) as usize + 2),
        _ => None,
    }
}

/// Checks that `key` is empty (unset) or a well-formed key.
pub fn validate_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Ok(());
    }
    if key.len() > MAX_KEY_LEN {
        return Err(format!("z key longer than {MAX_KEY_LEN} bytes"));
    }
    if let Some(b) = key.bytes().find(|&b| digit(b).is_none()) {
        return Err(format!(
            "z key has a character outside base 62: {:?}",
            b as char
        ));
    }
    let n = integer_len(key.as_bytes()[0]).ok_or("z key must start with a letter")?;
    if key.len() < n {
        return Err(format!("z key {key:?} is shorter than its integer part"));
    }
    if &key[..n] == SMALLEST_INTEGER {
        return Err("z key is the smallest integer, which leaves no room before it".into());
    }
    if key.len() > n && key.ends_with('0') {
        return Err("z key fraction must not end in '0'".into());
    }
    Ok(())
}

fn integer_part(key: &str) -> &str {
    let n = integer_len(key.as_bytes()[0]).expect("validated key");
    &key[..n]
}

/// A fraction strictly between fractions `a` and `b` (`None`: no upper bound).
fn midpoint(a: &str, b: Option<&str>) -> String {
    if let Some(b) = b {
        // Strip the common prefix, padding `a` with zeros.
        let (ab, bb) = (a.as_bytes(), b.as_bytes());
        let mut n = 0;
        while n < bb.len() && ab.get(n).copied().unwrap_or(b'0') == bb[n] {
            n += 1;
        }
        if n > 0 {
            let a_rest = if n < a.len() { &a[n..] } else { "" };
            return format!("{}{}", &b[..n], midpoint(a_rest, Some(&b[n..])));
        }
    }
    let da = a.bytes().next().map(|c| digit(c).unwrap_or(0)).unwrap_or(0);
    let db = match b {
        Some(b) => b
            .bytes()
            .next()
            .map(|c| digit(c).unwrap_or(0))
            .unwrap_or(DIGITS.len()),
        None => DIGITS.len(),
    };
    if db - da > 1 {
        let mid = (da + db).div_ceil(2);
        return (DIGITS[mid] as char).to_string();
    }
    match b {
        Some(b) if b.len() > 1 => b[..1].to_string(),
        _ => {
            let rest = if a.len() > 1 { &a[1..] } else { "" };
            format!("{}{}", DIGITS[da] as char, midpoint(rest, None))
        }
    }
}

fn increment_integer(x: &str) -> Option<String> {
    let bytes = x.as_bytes();
    let head = bytes[0];
    let mut digs: Vec<u8> = bytes[1..].to_vec();
    let mut carry = true;
    for d in digs.iter_mut().rev() {
        if !carry {
            break;
        }
        let v = digit(*d).unwrap_or(0) + 1;
        if v == DIGITS.len() {
            *d = DIGITS[0];
        } else {
            *d = DIGITS[v];
            carry = false;
        }
    }
    if carry {
        if head == b'Z' {
            return Some("a0".into());
        }
        if head == b'z' {
            return None;
        }
        let h = head + 1;
        if h > b'a' {
            digs.push(DIGITS[0]);
        } else {
            digs.pop();
        }
        let mut out = vec![h];
        out.extend(digs);
        return Some(String::from_utf8(out).expect("ascii"));
    }
    let mut out = vec![head];
    out.extend(digs);
    Some(String::from_utf8(out).expect("ascii"))
}

fn decrement_integer(x: &str) -> Option<String> {
    let bytes = x.as_bytes();
    let head = bytes[0];
    let mut digs: Vec<u8> = bytes[1..].to_vec();
    let mut borrow = true;
    for d in digs.iter_mut().rev() {
        if !borrow {
            break;
        }
        let v = digit(*d).unwrap_or(0);
        if v == 0 {
            *d = DIGITS[DIGITS.len() - 1];
        } else {
            *d = DIGITS[v - 1];
            borrow = false;
        }
    }
    if borrow {
        if head == b'a' {
            return Some(format!("Z{}", DIGITS[DIGITS.len() - 1] as char));
        }
        if head == b'A' {
            return None;
        }
        let h = head - 1;
        if h < b'Z' {
            digs.push(DIGITS[DIGITS.len() - 1]);
        } else {
            digs.pop();
        }
        let mut out = vec![h];
        out.extend(digs);
        return Some(String::from_utf8(out).expect("ascii"));
    }
    let mut out = vec![head];
    out.extend(digs);
    Some(String::from_utf8(out).expect("ascii"))
}

/// A key strictly between `a` and `b` (`None` meaning the start or the end of the order).
///
/// Both bounds must be valid, non-empty keys with `a < b`; a caller holding keys from the
/// document has that by construction (they were validated on the way in and sorted).
pub fn key_between(a: Option<&str>, b: Option<&str>) -> String {
    match (a, b) {
        (None, None) => "a0".into(),
        (None, Some(b)) => {
            let ib = integer_part(b);
            let fb = &b[ib.len()..];
            if ib == SMALLEST_INTEGER {
                return format!("{ib}{}", midpoint("", Some(fb)));
            }
            if ib.len() < b.len() {
                return ib.to_string();
            }
            decrement_integer(ib).expect("key space exhausted below")
        }
        (Some(a), None) => {
            let ia = integer_part(a);
            let fa = &a[ia.len()..];
            match increment_integer(ia) {
                Some(i) => i,
                None => format!("{ia}{}", midpoint(fa, None)),
            }
        }
        (Some(a), Some(b)) => {
            assert!(a < b, "key_between: {a:?} !< {b:?}");
            let ia = integer_part(a);
            let fa = &a[ia.len()..];
            let ib = integer_part(b);
            let fb = &b[ib.len()..];
            if ia == ib {
                return format!("{ia}{}", midpoint(fa, Some(fb)));
            }
            let i = increment_integer(ia).expect("key space exhausted above");
            if i.as_str() < b {
                return i;
            }
            format!("{ia}{}", midpoint(fa, None))
        }
    }
}

/// `n` keys in ascending order after `after` (or from the start), for laying out elements that
/// arrive without keys (an import, say).
pub fn keys_after(after: Option<&str>, n: usize) -> Vec<String> {
    let mut keys = Vec::with_capacity(n);
    let mut prev = after.map(str::to_string);
    for _ in 0..n {
        let k = key_between(prev.as_deref(), None);
        keys.push(k.clone());
        prev = Some(k);
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_between_their_bounds() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut keys = vec![key_between(None, None)];
        for _ in 0..5000 {
            let i = rng.usize(0..=keys.len());
            let a = if i == 0 {
                None
            } else {
                Some(keys[i - 1].as_str())
            };
            let b = keys.get(i).map(|s| s.as_str());
            let k = key_between(a, b);
            validate_key(&k).unwrap_or_else(|e| panic!("{k:?}: {e}"));
            if let Some(a) = a {
                assert!(a < k.as_str(), "{a} < {k}");
            }
            if let Some(b) = b {
                assert!(k.as_str() < b, "{k} < {b}");
            }
            keys.insert(i, k);
        }
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, keys);
    }

    #[test]
    fn appending_and_prepending_stay_short() {
        let keys = keys_after(None, 100_000);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(
            keys.iter().all(|k| k.len() <= 4),
            "{}",
            keys.last().unwrap()
        );
        let mut first = "a0".to_string();
        for _ in 0..10_000 {
            let k = key_between(None, Some(&first));
            assert!(k < first);
            first = k;
        }
        assert!(first.len() <= 4, "{first}");
    }

    #[test]
    fn matches_fractional_indexing_reference_values() {
        // Values from rocicorp/fractional-indexing's own test table.
        assert_eq!(key_between(None, None), "a0");
        assert_eq!(key_between(None, Some("a0")), "Zz");
        assert_eq!(key_between(Some("a0"), None), "a1");
        assert_eq!(key_between(Some("a0"), Some("a1")), "a0V");
        assert_eq!(key_between(Some("az"), None), "b00");
        assert_eq!(key_between(Some("a0V"), Some("a1")), "a0l");
        assert_eq!(key_between(Some("Zz"), Some("a0")), "ZzV");
        assert_eq!(key_between(Some("a1"), Some("a2")), "a1V");
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(validate_key("a0").is_ok());
        assert!(validate_key("").is_ok());
        assert!(validate_key("a1V0").is_err());
        assert!(validate_key("a!").is_err());
        assert!(validate_key("0a").is_err());
        assert!(validate_key("c1").is_err());
        assert!(validate_key(&"z".repeat(200)).is_err());
    }
}
