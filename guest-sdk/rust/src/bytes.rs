//! Byte scans a word (eight bytes) at a time, for the request's text and the reply's strings.
//!
//! wasmi's fuel counts executed instructions (and charges a function's or loop's whole body on entry), so a
//! byte loop costs about ten fuel per byte; these cost one to three. A slice's last, partial word is read as
//! overlapping loads that stay inside the slice. Every scan is exact.

/// `0x01` in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;
/// A space in every byte.
const SPACES: u64 = ONES * 0x20;
/// `0x80` in every byte.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `at` as a little-endian word (`at + 8 <= bytes.len()`).
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut chunk = [0; 8];
    chunk.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(chunk)
}

/// The four bytes at `at` as a little-endian word (`at + 4 <= bytes.len()`).
#[inline(always)]
fn half_word(bytes: &[u8], at: usize) -> u32 {
    let mut chunk = [0; 4];
    chunk.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(chunk)
}

/// A word holding every byte of a slice shorter than eight bytes, some of them twice, padded with spaces:
/// the first and last four bytes for four to seven bytes, else the first, middle and last byte.
#[inline(always)]
fn short_word(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    if len >= 4 {
        return u64::from(half_word(bytes, 0)) | u64::from(half_word(bytes, len - 4)) << 32;
    }
    match len {
        0 => SPACES,
        _ => {
            let (first, middle, last) = (bytes[0], bytes[len / 2], bytes[len - 1]);
            u64::from(first) | u64::from(middle) << 8 | u64::from(last) << 16 | SPACES << 24
        }
    }
}

/// Whether every byte is ASCII (below 0x80).
pub(crate) fn is_ascii(bytes: &[u8]) -> bool {
    let len = bytes.len();
    if len < 8 {
        return short_word(bytes) & HIGHS == 0;
    }
    let mut high = word(bytes, len - 8);
    let mut at = 0;
    while at + 8 < len {
        high |= word(bytes, at);
        at += 8;
    }
    high & HIGHS == 0
}

/// The bytes of `w` that are `"`, `\` or a control character (below 0x20), bytes a JSON string cannot hold
/// as they are, each marked by its high bit; the lowest mark is exact, marks above it may be spurious
/// (the usual "has a zero byte" test, whose borrows only run towards higher bytes).
#[inline(always)]
fn special_marks(w: u64) -> u64 {
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & HIGHS
}

/// Whether a JSON string carries every byte unchanged (no `"`, `\` or control character).
#[inline(always)]
pub(crate) fn is_plain(bytes: &[u8]) -> bool {
    let len = bytes.len();
    if len < 8 {
        return special_marks(short_word(bytes)) == 0;
    }
    let mut marks = special_marks(word(bytes, len - 8));
    let mut at = 0;
    while at + 8 < len {
        marks |= special_marks(word(bytes, at));
        at += 8;
    }
    marks == 0
}

/// The index of the first byte at or after `from` that is `"`, `\` or a control character, or `bytes.len()`:
/// where a run of bytes that JSON strings carry unchanged ends.
#[inline(always)]
pub(crate) fn plain_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while at + 8 <= bytes.len() {
        let marks = special_marks(word(bytes, at));
        if marks != 0 {
            return at + marks.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    plain_tail_end(bytes, at)
}

/// [`plain_end`] from `at`, fewer than eight bytes before the end.
#[inline(never)]
fn plain_tail_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && special_marks(u64::from(bytes[at]) | SPACES << 8) == 0 {
        at += 1;
    }
    at
}

/// `a == b`, comparing four or eight bytes per step (`memcmp` compares one). Inline for 4 to 16 bytes, the
/// usual keys.
#[inline(always)]
pub(crate) fn eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    let b = &b[..len];
    match len {
        // Two overlapping words, or half words, cover every byte.
        8..=16 => word(a, 0) == word(b, 0) && word(a, len - 8) == word(b, len - 8),
        4..=7 => half_word(a, 0) == half_word(b, 0) && half_word(a, len - 4) == half_word(b, len - 4),
        _ => eq_other(a, b),
    }
}

/// [`eq`] for slices of the same length, below 4 or above 16 bytes.
#[inline(never)]
fn eq_other(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    let b = &b[..len];
    if len < 8 {
        return short_word(a) == short_word(b);
    }
    let mut at = 0;
    while at + 8 < len {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes, overlapping the previous word when the length is not a multiple of eight.
    word(a, len - 8) == word(b, len - 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn is_special(byte: u8) -> bool {
        byte == b'"' || byte == b'\\' || byte < 0x20
    }

    /// Every byte value at every position of strings of length 0 to 20.
    fn each_placement(mut check: impl FnMut(&[u8], usize, u8)) {
        for len in 0..=20 {
            for position in 0..len {
                for byte in 0..=255u8 {
                    let mut bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                    bytes[position] = byte;
                    check(&bytes, position, byte);
                }
            }
        }
    }

    #[test]
    fn ascii_is_detected_anywhere() {
        assert!(is_ascii(b""));
        each_placement(|bytes, _, byte| assert_eq!(is_ascii(bytes), byte < 0x80, "{bytes:?}"));
    }

    #[test]
    fn plain_strings_have_no_special_byte() {
        assert!(is_plain(b""));
        each_placement(|bytes, _, byte| assert_eq!(is_plain(bytes), !is_special(byte), "{bytes:?}"));
    }

    #[test]
    fn plain_runs_end_at_the_first_special_byte() {
        each_placement(|bytes, position, byte| {
            let expected = if is_special(byte) { position } else { bytes.len() };
            assert_eq!(plain_end(bytes, 0), expected, "{bytes:?}");
            for from in 0..=bytes.len() {
                let expected = if from <= position && is_special(byte) { position } else { bytes.len() };
                assert_eq!(plain_end(bytes, from), expected, "{bytes:?} from {from}");
            }
        });
        // Several special bytes: the first one counts, whatever follows it in its word.
        assert_eq!(plain_end(b"abc\"\\\x01defghijk", 0), 3);
        assert_eq!(plain_end(b"abcdefgh\x1f\"", 0), 8);
        assert_eq!(plain_end("é\u{7f}😀 ~".as_bytes(), 0), 9);
    }

    #[test]
    fn equality_compares_every_byte() {
        each_placement(|bytes, position, _| {
            let reference: Vec<u8> = (0..bytes.len()).map(|i| b'a' + (i % 26) as u8).collect();
            assert_eq!(eq(bytes, &reference), bytes[position] == reference[position], "{bytes:?}");
            assert!(eq(bytes, bytes));
            assert!(!eq(bytes, &reference[..bytes.len() - 1]));
        });
        assert!(eq(b"", b""));
    }
}
