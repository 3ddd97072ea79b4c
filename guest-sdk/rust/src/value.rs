//! The JSON value type: what Python's `json` module would give an evaluation function.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bytes::eq;
use crate::num::parse_decimal;

/// A JSON value. Numbers keep the kind of their literal, as Python's `json` does: a literal with `.`, `e`
/// or `E` is a [`Value::Float`], anything else an integer (`-0` is the integer 0).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer literal that fits in an `i64`.
    Int(i64),
    /// An integer literal outside the `i64` range, kept exactly as its decimal text (`-` and digits).
    BigInt(String),
    /// A number literal with a fraction or an exponent (`1.0`, `1e3`); `1e400` is infinity.
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

impl Value {
    /// The number as a double: integers are rounded to the nearest double. `None` for non-numbers
    /// (booleans are not numbers).
    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::BigInt(text) => Some(big_int_to_f64(text)),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Whether this is a number (integer or float; booleans are not numbers).
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::BigInt(_) | Value::Float(_))
    }

    /// The JSON type name: `null`, `boolean`, `number`, `string`, `array` or `object`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::BigInt(_) | Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// The double nearest to an integer literal beyond i64 (infinite beyond the double range).
#[cold]
#[inline(never)]
fn big_int_to_f64(text: &str) -> f64 {
    // An integer literal is also a float literal.
    parse_decimal(text)
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::Array(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::Object(map)
    }
}

/// A JSON object: keys in insertion order, each key once. Equality ignores the order.
///
/// Parsing keeps the first position and the last value of a repeated key, like a Python `dict`.
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl Map {
    /// An empty object.
    pub const fn new() -> Self {
        Map { entries: Vec::new() }
    }

    /// The value of `key`, if present.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| eq(k.as_bytes(), key.as_bytes())).map(|(_, v)| v)
    }

    /// An object of one member, with room for three more.
    pub(crate) fn first(key: &str, value: Value) -> Self {
        let mut entries = Vec::with_capacity(4);
        entries.push((String::from(key), value));
        Map { entries }
    }

    /// Sets `key` to `value`: replaced in place if the key exists, else appended.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        self.set(key.into(), value.into());
    }

    /// [`Map::insert`] without the conversions.
    pub(crate) fn set(&mut self, key: String, value: Value) {
        match self.entries.iter_mut().find(|(k, _)| eq(k.as_bytes(), key.as_bytes())) {
            Some(entry) => replace(entry, value),
            None => push(&mut self.entries, (key, value)),
        }
    }

    /// The members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the object has no members.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `items.push(item)`, with room for four items made at the first one as `push` would, but without its
/// general growth path (which costs more than the rest of parsing a small object).
pub(crate) fn push<T>(items: &mut Vec<T>, item: T) {
    if items.capacity() == 0 {
        // The vector replaced has no allocation: forgetting it skips a call that would free nothing.
        core::mem::forget(core::mem::replace(items, Vec::with_capacity(4)));
    }
    items.push(item);
}

/// Replaces the value of a key that is set again.
#[cold]
#[inline(never)]
fn replace(entry: &mut (String, Value), value: Value) {
    entry.1 = value;
}

impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Map::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn numbers_convert_to_double() {
        assert_eq!(Value::Int(-3).as_f64(), Some(-3.0));
        assert_eq!(Value::Float(0.5).as_f64(), Some(0.5));
        assert_eq!(Value::BigInt("18446744073709551617".into()).as_f64(), Some(18446744073709551616.0));
        assert_eq!(Value::BigInt("1".repeat(400)).as_f64(), Some(f64::INFINITY));
        assert_eq!(Value::Bool(true).as_f64(), None);
        assert!(!Value::Bool(true).is_number());
        assert!(Value::BigInt("-99999999999999999999".into()).is_number());
    }

    #[test]
    fn integers_and_floats_differ() {
        assert_ne!(Value::Int(1), Value::Float(1.0));
    }

    #[test]
    fn accessors_match_only_their_kind() {
        let v = Value::from(vec![Value::from("a")]);
        assert_eq!(v.as_array().map(|a| a.len()), Some(1));
        assert_eq!(v.as_str(), None);
        assert_eq!(v.as_object(), None);
        assert_eq!(v.as_bool(), None);
        assert_eq!(Value::from(true).as_bool(), Some(true));
        assert_eq!(Value::from(String::from("x")).as_str(), Some("x"));
        assert_eq!(Value::from(Map::new()).as_object(), Some(&Map::new()));
    }

    #[test]
    fn type_names() {
        let names: Vec<&str> = [
            Value::Null,
            Value::Bool(false),
            Value::Int(1),
            Value::BigInt("99999999999999999999".into()),
            Value::Float(1.5),
            Value::from("s"),
            Value::Array(vec![]),
            Value::Object(Map::new()),
        ]
        .iter()
        .map(Value::type_name)
        .collect();
        assert_eq!(names, ["null", "boolean", "number", "number", "number", "string", "array", "object"]);
    }

    #[test]
    fn insert_replaces_in_place() {
        let mut map: Map = [("a", 1i64), ("b", 2)].into_iter().collect();
        map.insert("a", 3i64);
        let keys: Vec<&str> = map.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(map.get("a"), Some(&Value::Int(3)));
        assert_eq!(map.get("c"), None);
        assert_eq!(map.len(), 2);
        assert!(!map.is_empty());
    }

    #[test]
    fn map_equality_ignores_order() {
        let ab: Map = [("a", 1i64), ("b", 2)].into_iter().collect();
        let ba: Map = [("b", 2i64), ("a", 1)].into_iter().collect();
        let a: Map = [("a", 1i64)].into_iter().collect();
        assert_eq!(ab, ba);
        assert_ne!(ab, a);
        assert_ne!(a, ab);
    }
}
