//! [`Value`] to compact JSON text, numbers spelled the way Python's `json.dumps` spells them.

use alloc::string::String;

use crate::bytes::{is_plain, plain_end};
use crate::num::shortest;
use crate::{Map, Value};

impl Value {
    /// Compact JSON text. Integers have no decimal point; floats use Python's `repr` (`0.1`, `1.0`,
    /// `1e-05`, `1e+16`); non-finite floats, which JSON cannot carry, are written as `null`.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self);
        out
    }
}

/// Appends `value` as compact JSON.
pub(crate) fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => push_int(out, *i),
        Value::BigInt(text) => out.push_str(text),
        Value::Float(f) => write_float(out, *f),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => write_array(out, items),
        Value::Object(map) => write_object(out, map),
    }
}

#[inline(never)]
fn write_array(out: &mut String, items: &[Value]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_value(out, item);
    }
    out.push(']');
}

#[inline(never)]
fn write_object(out: &mut String, map: &Map) {
    out.push('{');
    for (i, (key, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        write_value(out, item);
    }
    out.push('}');
}

/// Appends `s` as a JSON string literal: quotes, backslashes and control characters escaped.
#[inline(never)]
pub(crate) fn write_string(out: &mut String, s: &str) {
    if !is_plain(s.as_bytes()) {
        return write_escaped(out, s);
    }
    out.reserve(s.len() + 2);
    out.push('"');
    out.push_str(s);
    out.push('"');
}

/// [`write_string`] for a string with bytes to escape.
#[cold]
#[inline(never)]
fn write_escaped(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.push('"');
    let mut from = 0;
    while from < bytes.len() {
        // Plain bytes up to the next one that needs escaping. Both ends are next to ASCII bytes.
        let plain = plain_end(bytes, from);
        out.push_str(&s[from..plain]);
        let Some(&byte) = bytes.get(plain) else { break };
        let short = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => "",
        };
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        } else {
            out.push_str(short);
        }
        from = plain + 1;
    }
    out.push('"');
}

/// Appends a float as Python's `repr` spells it: the shortest digits that read back to the same double,
/// positional when the decimal exponent is in [-4, 16) (with `.0` if there is no fraction), else
/// `d[.ddd]e±XX`.
#[inline(never)]
fn write_float(out: &mut String, f: f64) {
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    if f.is_sign_negative() {
        out.push('-');
    }
    if f == 0.0 {
        out.push_str("0.0");
        return;
    }
    let (digits, count, point) = shortest(f.abs());
    // The value is 0.DIGITS * 10^point.
    let digits = core::str::from_utf8(&digits[..count]).unwrap_or_default();
    let count = count as i32;
    if !(-4 < point && point <= 16) {
        out.push_str(&digits[..1]);
        if count > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let exponent = point - 1;
        out.push_str(if exponent < 0 { "e-" } else { "e+" });
        if exponent.abs() < 10 {
            out.push('0');
        }
        push_int(out, exponent.abs().into());
    } else if point <= 0 {
        out.push_str("0.");
        push_zeros(out, -point);
        out.push_str(digits);
    } else if point >= count {
        out.push_str(digits);
        push_zeros(out, point - count);
        out.push_str(".0");
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
}

/// Appends an integer in decimal.
#[inline(never)]
pub(crate) fn push_int(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut rest = value.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        out.push(digit as char);
    }
}

fn push_zeros(out: &mut String, count: i32) {
    for _ in 0..count {
        out.push('0');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn float(f: f64) -> String {
        Value::Float(f).to_json()
    }

    #[test]
    fn floats_are_spelled_like_python_repr() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000123, "0.000123"),
            (0.0000123, "1.23e-05"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1234567890123456.7, "1234567890123456.8"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (4.440892098500626e-16, "4.440892098500626e-16"),
            (2.220446049250313e-16, "2.220446049250313e-16"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (1e100, "1e+100"),
            (0.1 + 0.2, "0.30000000000000004"),
            (100.0, "100.0"),
            (0.0009765625, "0.0009765625"),
            (5.960464477539063e-08, "5.960464477539063e-08"),
            (2.0f64.powi(-25), "2.9802322387695312e-08"),
            (-1e-100, "-1e-100"),
        ];
        for (value, text) in cases {
            assert_eq!(float(*value), *text, "{value:e}");
        }
    }

    #[test]
    fn shortest_float_text_reads_back_exactly() {
        // A deterministic walk over bit patterns, all exponents included.
        let mut bits: u64 = 0x0123_4567_89ab_cdef;
        for _ in 0..20_000 {
            bits = bits.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let f = f64::from_bits(bits);
            if f.is_finite() {
                let text = float(f);
                assert_eq!(text.parse::<f64>().map(f64::to_bits), Ok(bits), "{text}");
                assert!(text.contains('.') || text.contains('e'), "{text}");
            }
        }
    }

    #[test]
    fn non_finite_floats_become_null() {
        assert_eq!(float(f64::INFINITY), "null");
        assert_eq!(float(f64::NEG_INFINITY), "null");
        assert_eq!(float(f64::NAN), "null");
    }

    #[test]
    fn integers_have_no_decimal_point() {
        assert_eq!(Value::Int(0).to_json(), "0");
        assert_eq!(Value::Int(i64::MIN).to_json(), "-9223372036854775808");
        assert_eq!(Value::BigInt("123456789012345678901234567890".into()).to_json(), "123456789012345678901234567890");
    }

    #[test]
    fn strings_are_fully_escaped() {
        let text = "q\"b\\s/n\nr\rt\tb\u{8}f\u{c}z\u{0}u\u{1f}d\u{7f}é😀";
        let json = Value::from(text).to_json();
        assert_eq!(json, r#""q\"b\\s/n\nr\rt\tb\bf\fz\u0000u\u001fd"#.to_owned() + "\u{7f}é😀\"");
        assert_eq!(Value::from_json(&json).unwrap(), Value::from(text));
    }

    #[test]
    fn containers_are_compact_and_keep_key_order() {
        let map: Map =
            [("z", Value::Int(1)), ("a", Value::Array(vec![Value::Null, Value::Bool(true)]))].into_iter().collect();
        let value = Value::Array(vec![Value::Object(map), Value::Array(vec![]), Value::Object(Map::new())]);
        assert_eq!(value.to_json(), r#"[{"z":1,"a":[null,true]},[],{}]"#);
    }

    #[test]
    fn round_trip_preserves_values_and_kinds() {
        let text =
            r#"{"i":-7,"f":2.0,"big":-123456789012345678901,"e":1e-07,"s":"\u0001x","l":[[],{}],"n":null,"b":false}"#;
        let value = Value::from_json(text).unwrap();
        assert_eq!(
            value.to_json(),
            r#"{"i":-7,"f":2.0,"big":-123456789012345678901,"e":1e-07,"s":"\u0001x","l":[[],{}],"n":null,"b":false}"#
        );
        assert_eq!(Value::from_json(&value.to_json()).unwrap(), value);
    }
}
