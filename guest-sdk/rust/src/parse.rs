//! JSON text to [`Value`]: strict RFC 8259, a nesting limit, Python's int/float distinction.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bytes::{eq, plain_end};
use crate::num::parse_decimal;
use crate::value::push;
use crate::write::push_int;
use crate::{Error, Map, Value};

/// The deepest nesting of arrays and objects accepted in a request body (`[]` is one level).
pub const MAX_DEPTH: usize = 128;

impl Value {
    /// Parses one JSON value (surrounding whitespace allowed), nested at most [`MAX_DEPTH`] levels.
    pub fn from_json(text: &str) -> Result<Value, Error> {
        parse(text, MAX_DEPTH)
    }

    /// Parses `text` if it is exactly one JSON number literal
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, no whitespace); `None` otherwise.
    pub fn parse_number(text: &str) -> Option<Value> {
        let mut parser = Parser::new(text, 0);
        let value = parser.number().ok()?;
        (parser.pos == text.len()).then_some(value)
    }
}

/// Parses a whole document whose arrays and objects nest at most `max_depth` levels.
pub(crate) fn parse(text: &str, max_depth: usize) -> Result<Value, Error> {
    let mut parser = Parser::new(text, max_depth);
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.pos < text.len() {
        return Err(parser.error("unexpected characters after the value"));
    }
    Ok(value)
}

/// A parsed request envelope.
pub(crate) enum Envelope<'a> {
    /// The envelope the host sends, `{"method":"<method>","params":<body>}` with a method free of escapes.
    Usual {
        /// The method.
        method: &'a str,
        /// The body.
        body: Value,
    },
    /// Any other JSON value.
    Other(Value),
}

/// Parses a request envelope: what `parse(text, MAX_DEPTH + 1)` gives (the envelope object is one level above
/// the body, which may nest MAX_DEPTH levels), the usual shape without building the envelope object (its keys
/// and the method as strings, and the map).
///
/// The usual shape is recognised by its exact prefix; its body is then parsed from the same position and with
/// the same depth left as inside the envelope object, so any error in it is the one a full parse reports. When
/// something else follows the body, the text is parsed again in full.
pub(crate) fn parse_envelope(text: &str) -> Result<Envelope<'_>, Error> {
    const METHOD: &[u8] = b"{\"method\":\"";
    const PARAMS: &[u8] = b"\",\"params\":";
    let bytes = text.as_bytes();
    if bytes.len() > METHOD.len() && eq(&bytes[..METHOD.len()], METHOD) {
        let method_end = plain_end(bytes, METHOD.len());
        let body_start = method_end + PARAMS.len();
        if bytes.len() > body_start && eq(&bytes[method_end..body_start], PARAMS) {
            let mut parser = Parser::new(text, MAX_DEPTH);
            parser.pos = body_start;
            let body = parser.value()?;
            parser.skip_whitespace();
            if parser.peek() == Some(b'}') {
                parser.pos += 1;
                parser.skip_whitespace();
                if parser.pos == bytes.len() {
                    return Ok(Envelope::Usual { method: parser.slice(METHOD.len(), method_end), body });
                }
            }
        }
    }
    parse(text, MAX_DEPTH + 1).map(Envelope::Other)
}

struct Parser<'a> {
    /// The text being parsed (valid UTF-8).
    bytes: &'a [u8],
    pos: usize,
    depth_left: usize,
}

// The hot paths (plain strings, short integers, containers) are kept small and the rest out of line: wasmi
// charges the fuel of a whole function or loop body when it is entered, whichever branch then runs.
impl<'a> Parser<'a> {
    fn new(text: &'a str, max_depth: usize) -> Self {
        Parser { bytes: text.as_bytes(), pos: 0, depth_left: max_depth }
    }

    /// The text from `start` to `end`, two positions next to ASCII bytes (or at an end of the text).
    fn slice(&self, start: usize, end: usize) -> &'a str {
        let bytes = &self.bytes[start..end];
        debug_assert!(core::str::from_utf8(bytes).is_ok());
        // SAFETY: the text is valid UTF-8 and both ends are char boundaries, next to ASCII bytes or at an end.
        unsafe { core::str::from_utf8_unchecked(bytes) }
    }

    #[cold]
    #[inline(never)]
    fn error(&self, what: &str) -> Error {
        let mut message = String::from("invalid JSON at byte ");
        push_int(&mut message, self.pos as i64);
        message.push_str(": ");
        message.push_str(what);
        Error::new(message)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `byte` (after whitespace) or fails with `what`.
    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Error> {
        self.skip_whitespace();
        if self.peek() != Some(byte) {
            return Err(self.error(what));
        }
        self.pos += 1;
        Ok(())
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.skip_whitespace();
        // Each arm is one call that returns the value (nothing to convert or move).
        match self.peek() {
            Some(b'"') => self.string_value(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(_) => self.literal(),
            None => Err(self.error("unexpected end of input")),
        }
    }

    /// `true`, `false` or `null` (or an error), at its first byte.
    #[inline(never)]
    fn literal(&mut self) -> Result<Value, Error> {
        let (word, value): (&[u8], _) = match self.peek() {
            Some(b't') => (b"true", Value::Bool(true)),
            Some(b'f') => (b"false", Value::Bool(false)),
            Some(b'n') => (b"null", Value::Null),
            _ => return Err(self.error("expected a value")),
        };
        if !self.bytes[self.pos..].starts_with(word) {
            return Err(self.error("expected a value"));
        }
        self.pos += word.len();
        Ok(value)
    }

    /// Steps into an array or object (at its opening bracket).
    #[inline(always)]
    fn enter(&mut self) -> Result<(), Error> {
        if self.depth_left == 0 {
            return Err(too_deep());
        }
        self.depth_left -= 1;
        self.pos += 1;
        self.skip_whitespace();
        Ok(())
    }

    #[inline(never)]
    fn array(&mut self) -> Result<Value, Error> {
        self.enter()?;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                push(&mut items, self.value()?);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected ',' or ']'")),
                }
            }
        }
        self.depth_left += 1;
        Ok(Value::Array(items))
    }

    #[inline(never)]
    fn object(&mut self) -> Result<Value, Error> {
        self.enter()?;
        let mut map = Map::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_whitespace();
                if self.peek() != Some(b'"') {
                    return Err(self.error("expected a string key"));
                }
                let key = self.string()?;
                self.expect(b':', "expected ':'")?;
                let value = self.value()?;
                map.set(key, value);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected ',' or '}'")),
                }
            }
        }
        self.depth_left += 1;
        Ok(Value::Object(map))
    }

    /// A string literal as a value, at its opening quote.
    #[inline(never)]
    fn string_value(&mut self) -> Result<Value, Error> {
        self.string().map(Value::String)
    }

    /// A string literal, at its opening quote.
    #[inline(never)]
    fn string(&mut self) -> Result<String, Error> {
        let start = self.pos + 1;
        let end = plain_end(self.bytes, start);
        if self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return Ok(String::from(self.slice(start, end)));
        }
        self.pos = end;
        self.string_rest(String::from(self.slice(start, end)))
    }

    /// The rest of a string literal that is not a plain run up to its closing quote: `out` holds what came
    /// before `pos`, which sits at a backslash, a control character or the end of the text.
    #[cold]
    #[inline(never)]
    fn string_rest(&mut self, mut out: String) -> Result<String, Error> {
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
            let start = self.pos;
            self.pos = plain_end(self.bytes, start);
            out.push_str(self.slice(start, self.pos));
        }
    }

    /// The character of an escape sequence, just after its backslash.
    fn escape(&mut self) -> Result<char, Error> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                return self.unicode_escape();
            }
            _ => return Err(self.error("invalid escape")),
        };
        self.pos += 1;
        Ok(c)
    }

    /// `XXXX` after `\u`, with a following `\uXXXX` low surrogate when the first is a high surrogate.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(self.error("lone surrogate in \\u escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone surrogate in \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone surrogate in \\u escape")),
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| (b as char).to_digit(16));
            code = code * 16 + digit.ok_or_else(|| self.error("invalid \\u escape"))?;
            self.pos += 1;
        }
        Ok(code)
    }

    /// Consumes `[0-9]*`; returns the number of digits and their value (wrapped modulo 2^64).
    #[inline(always)]
    fn digits(&mut self) -> (usize, u64) {
        let start = self.pos;
        let mut pos = start;
        let mut value = 0u64;
        while let Some(&digit @ b'0'..=b'9') = self.bytes.get(pos) {
            value = value.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'));
            pos += 1;
        }
        self.pos = pos;
        (pos - start, value)
    }

    #[inline(never)]
    fn number(&mut self) -> Result<Value, Error> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let (count, magnitude) = match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                (1, 0)
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        };
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return self.float(start);
        }
        // Up to 18 digits always fit in an i64; longer literals may not.
        if count > 18 {
            return Ok(long_integer(self.slice(start, self.pos)));
        }
        let magnitude = magnitude as i64;
        Ok(Value::Int(if negative { -magnitude } else { magnitude }))
    }

    /// The rest of a number literal from `start` that has a fraction or an exponent (`pos` is at its `.`,
    /// `e` or `E`).
    #[inline(never)]
    fn float(&mut self, start: usize) -> Result<Value, Error> {
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits().0 == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits().0 == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Value::Float(parse_decimal(self.slice(start, self.pos))))
    }
}

/// An integer literal of 19 digits or more: an `Int` when it fits, else a `BigInt`.
#[cold]
#[inline(never)]
fn long_integer(literal: &str) -> Value {
    literal.parse().map_or_else(|_| Value::BigInt(literal.into()), Value::Int)
}

#[cold]
#[inline(never)]
fn too_deep() -> Error {
    Error::new("JSON nested deeper than 128 levels")
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn parse_ok(text: &str) -> Value {
        Value::from_json(text).unwrap_or_else(|e| panic!("{text:?}: {}", e.message()))
    }

    fn parse_err(text: &str) -> String {
        Value::from_json(text).expect_err(text).message().to_string()
    }

    #[test]
    fn scalars() {
        assert_eq!(parse_ok(" null "), Value::Null);
        assert_eq!(parse_ok("true"), Value::Bool(true));
        assert_eq!(parse_ok("\tfalse\r\n"), Value::Bool(false));
        assert_eq!(parse_ok("\"hi\""), Value::from("hi"));
    }

    #[test]
    fn integer_and_float_literals_keep_their_kind() {
        assert_eq!(parse_ok("1"), Value::Int(1));
        assert_eq!(parse_ok("-0"), Value::Int(0));
        assert_eq!(parse_ok("1.0"), Value::Float(1.0));
        assert_eq!(parse_ok("1e2"), Value::Float(100.0));
        assert_eq!(parse_ok("1E+2"), Value::Float(100.0));
        assert_eq!(parse_ok("-2.5e-3"), Value::Float(-0.0025));
        let negative_zero = parse_ok("-0.0");
        assert!(matches!(negative_zero, Value::Float(f) if f == 0.0 && f.is_sign_negative()));
        assert_eq!(parse_ok("1e400"), Value::Float(f64::INFINITY));
        assert_eq!(parse_ok("4.9e-324"), Value::Float(5e-324));
    }

    #[test]
    fn integers_beyond_i64_stay_exact() {
        assert_eq!(parse_ok("9223372036854775807"), Value::Int(i64::MAX));
        assert_eq!(parse_ok("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(parse_ok("9223372036854775808"), Value::BigInt("9223372036854775808".into()));
        assert_eq!(parse_ok("-100000000000000000000"), Value::BigInt("-100000000000000000000".into()));
    }

    #[test]
    fn invalid_numbers() {
        for text in ["01", "-", "1.", ".5", "1e", "1e+", "+1", "0x1", "1.5.2", "NaN", "Infinity", "-Infinity"] {
            assert!(Value::from_json(text).is_err(), "{text}");
        }
    }

    #[test]
    fn parse_number_takes_exactly_one_literal() {
        assert_eq!(Value::parse_number("12"), Some(Value::Int(12)));
        assert_eq!(Value::parse_number("-1.5e3"), Some(Value::Float(-1500.0)));
        for text in ["", " 1", "1 ", "1x", "01", "1.", "true", "\"1\"", "+1"] {
            assert_eq!(Value::parse_number(text), None, "{text:?}");
        }
    }

    #[test]
    fn containers() {
        let value = parse_ok(r#" { "a" : [1, 2.5, {"b": null}], "c": {} , "d": [ ] } "#);
        let expected: Map = [
            (
                "a",
                Value::Array(vec![
                    Value::Int(1),
                    Value::Float(2.5),
                    Value::Object([("b", Value::Null)].into_iter().collect()),
                ]),
            ),
            ("c", Value::Object(Map::new())),
            ("d", Value::Array(vec![])),
        ]
        .into_iter()
        .collect();
        assert_eq!(value, Value::Object(expected));
    }

    #[test]
    fn repeated_keys_keep_first_position_and_last_value() {
        let value = parse_ok(r#"{"a": 1, "b": 2, "a": 3}"#);
        let members: Vec<(&str, &Value)> = value.as_object().unwrap().iter().collect();
        assert_eq!(members, [("a", &Value::Int(3)), ("b", &Value::Int(2))]);
    }

    #[test]
    fn string_escapes() {
        assert_eq!(parse_ok(r#""\"\\\/\b\f\n\r\t""#), Value::from("\"\\/\u{8}\u{c}\n\r\t"));
        assert_eq!(parse_ok(r#""\u00e9\u20AC""#), Value::from("é€"));
        assert_eq!(parse_ok(r#""\ud83d\ude00""#), Value::from("😀"));
        assert_eq!(parse_ok("\"é😀\""), Value::from("é😀"));
    }

    #[test]
    fn invalid_strings() {
        assert!(parse_err(r#""\ud83d""#).contains("lone surrogate"));
        assert!(parse_err(r#""\ud83d\u0041""#).contains("lone surrogate"));
        assert!(parse_err(r#""\ude00""#).contains("lone surrogate"));
        assert!(parse_err(r#""\u12G4""#).contains("invalid \\u escape"));
        assert!(parse_err(r#""\x""#).contains("invalid escape"));
        assert!(parse_err("\"a\nb\"").contains("control character"));
        assert!(parse_err("\"abc").contains("unterminated"));
    }

    #[test]
    fn syntax_errors_name_the_position() {
        assert_eq!(parse_err(""), "invalid JSON at byte 0: unexpected end of input");
        assert_eq!(parse_err("[1,]"), "invalid JSON at byte 3: expected a value");
        assert_eq!(parse_err("[1 2]"), "invalid JSON at byte 3: expected ',' or ']'");
        assert_eq!(parse_err("{\"a\" 1}"), "invalid JSON at byte 5: expected ':'");
        assert_eq!(parse_err("{1: 2}"), "invalid JSON at byte 1: expected a string key");
        assert_eq!(parse_err("{\"a\": 1,}"), "invalid JSON at byte 8: expected a string key");
        assert_eq!(parse_err("{\"a\": 1"), "invalid JSON at byte 7: expected ',' or '}'");
        assert_eq!(parse_err("1 2"), "invalid JSON at byte 2: unexpected characters after the value");
        assert_eq!(parse_err("tru"), "invalid JSON at byte 0: expected a value");
        assert_eq!(parse_err("@"), "invalid JSON at byte 0: expected a value");
    }

    #[test]
    fn nesting_limit() {
        let nested = |depth: usize| "[".repeat(depth) + &"]".repeat(depth);
        assert!(Value::from_json(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(parse_err(&nested(MAX_DEPTH + 1)), "JSON nested deeper than 128 levels");
        let objects = "{\"a\":".repeat(MAX_DEPTH + 1) + "1" + &"}".repeat(MAX_DEPTH + 1);
        assert_eq!(parse_err(&objects), "JSON nested deeper than 128 levels");
        // Siblings do not add up: depth is released when a container closes.
        let wide = "[".to_string() + &vec![nested(MAX_DEPTH - 1); 3].join(",") + "]";
        assert!(Value::from_json(&wide).is_ok());
        // A huge depth is refused without recursing into it.
        assert!(Value::from_json(&"[".repeat(1_000_000)).is_err());
    }
}
