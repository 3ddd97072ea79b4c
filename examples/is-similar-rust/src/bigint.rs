//! Python's arbitrary-precision integers, as far as IsSimilar needs them: JSON integer literals of any size,
//! `+`, `-`, `*`, `abs`, conversion to double, and exact comparison with a double.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

use wasmshim_guest::Value;

/// A signed integer of any size: a sign and little-endian base-2^32 digits without high zero digits
/// (zero is non-negative with no digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BigInt {
    negative: bool,
    digits: Vec<u32>,
}

impl BigInt {
    fn new(negative: bool, mut digits: Vec<u32>) -> Self {
        while digits.last() == Some(&0) {
            digits.pop();
        }
        let negative = negative && !digits.is_empty();
        BigInt { negative, digits }
    }

    /// The integer of a JSON number value: `Int` or `BigInt` (`None` for anything else).
    pub fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(i) => Some(BigInt::from(*i)),
            Value::BigInt(text) => Some(BigInt::parse(text)),
            _ => None,
        }
    }

    /// Parses `-?[0-9]+` (the SDK keeps big JSON integers as such text).
    fn parse(text: &str) -> Self {
        let (negative, digits) = text.strip_prefix('-').map_or((false, text), |rest| (true, rest));
        let mut magnitude = Vec::new();
        for digit in digits.bytes() {
            mul_add_small(&mut magnitude, 10, u32::from(digit - b'0'));
        }
        BigInt::new(negative, magnitude)
    }

    /// As a JSON value: `Int` when it fits in an `i64`, else exact `BigInt` text.
    pub fn to_value(&self) -> Value {
        self.to_i64().map_or_else(|| Value::BigInt(self.to_text()), Value::Int)
    }

    fn to_i64(&self) -> Option<i64> {
        let magnitude = self.magnitude_u64()?;
        if self.negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
    }

    /// The magnitude, if it fits in a `u64`.
    fn magnitude_u64(&self) -> Option<u64> {
        match self.digits[..] {
            [] => Some(0),
            [low] => Some(u64::from(low)),
            [low, high] => Some(u64::from(high) << 32 | u64::from(low)),
            _ => None,
        }
    }

    /// Decimal text, `-` first when negative.
    fn to_text(&self) -> String {
        let mut chunks = Vec::new();
        let mut rest = self.digits.clone();
        while !rest.is_empty() {
            chunks.push(div_small(&mut rest, 1_000_000_000));
        }
        let mut text = String::from(if self.negative { "-" } else { "" });
        match chunks.pop() {
            None => text.push('0'),
            Some(top) => text.push_str(&alloc::format!("{top}")),
        }
        for chunk in chunks.iter().rev() {
            text.push_str(&alloc::format!("{chunk:09}"));
        }
        text
    }

    /// Whether numpy 1.x turns it into an `int64` or `uint64`, i.e. it lies in `[-2^63, 2^64)`.
    pub fn fits_numpy(&self) -> bool {
        match self.magnitude_u64() {
            Some(magnitude) => !self.negative || magnitude <= 1 << 63,
            None => false,
        }
    }

    /// Whether it fits in a Python index (`Py_ssize_t`, an `i64` here).
    pub fn fits_index(&self) -> bool {
        self.to_i64().is_some()
    }

    /// Whether it is 0.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// `abs(self)`.
    pub fn abs(&self) -> Self {
        BigInt { negative: false, digits: self.digits.clone() }
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        if self.negative == other.negative {
            return BigInt::new(self.negative, add_magnitudes(&self.digits, &other.digits));
        }
        match cmp_magnitudes(&self.digits, &other.digits) {
            Ordering::Less => BigInt::new(other.negative, sub_magnitudes(&other.digits, &self.digits)),
            _ => BigInt::new(self.negative, sub_magnitudes(&self.digits, &other.digits)),
        }
    }

    /// `self - other`.
    pub fn sub(&self, other: &Self) -> Self {
        self.add(&BigInt::new(!other.negative, other.digits.clone()))
    }

    /// `self * other`.
    pub fn mul(&self, other: &Self) -> Self {
        let mut product = vec![0u32; self.digits.len() + other.digits.len()];
        for (i, &a) in self.digits.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in other.digits.iter().enumerate() {
                let cell = u64::from(product[i + j]) + u64::from(a) * u64::from(b) + carry;
                product[i + j] = cell as u32;
                carry = cell >> 32;
            }
            product[i + other.digits.len()] = carry as u32;
        }
        BigInt::new(self.negative != other.negative, product)
    }

    /// The nearest double (ties to even), as Python's `float(int)`; `None` where Python raises
    /// `OverflowError` (the value rounds beyond the largest double).
    pub fn to_f64(&self) -> Option<f64> {
        let value = self.to_value().as_f64()?;
        value.is_finite().then_some(value)
    }

    /// Exact comparison with a double, as Python compares `int` with `float` (`None` for NaN).
    pub fn cmp_f64(&self, other: f64) -> Option<Ordering> {
        if other.is_nan() {
            return None;
        }
        if other.is_infinite() {
            return Some(if other > 0.0 { Ordering::Less } else { Ordering::Greater });
        }
        // floor(other): a double of magnitude 2^52 or more is an integer; below, truncation is exact.
        let floor = match other as i64 as f64 {
            _ if other.abs() >= 4503599627370496.0 => other,
            truncated if truncated > other => truncated - 1.0,
            truncated => truncated,
        };
        let ordering = self.cmp_integer(&BigInt::from_integral_f64(floor));
        Some(match ordering {
            // Equal to floor(other): smaller than other unless other is that integer.
            Ordering::Equal if floor < other => Ordering::Less,
            ordering => ordering,
        })
    }

    /// The integer of a finite double with no fractional part.
    fn from_integral_f64(value: f64) -> Self {
        if value.abs() < 9.2e18 {
            return BigInt::from(value as i64);
        }
        // |value| >= 2^63, so it is mantissa * 2^exponent with a positive exponent.
        let bits = value.to_bits();
        let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
        let exponent = ((bits >> 52) & 0x7ff) as usize - 1075;
        let mut digits = vec![0u32; exponent / 32];
        digits.extend([mantissa as u32, (mantissa >> 32) as u32]);
        let shifted = BigInt::new(false, digits).mul(&BigInt::from(1i64 << (exponent % 32)));
        BigInt::new(value < 0.0, shifted.digits)
    }

    fn cmp_integer(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => cmp_magnitudes(&self.digits, &other.digits),
            (true, true) => cmp_magnitudes(&other.digits, &self.digits),
        }
    }
}

impl From<i64> for BigInt {
    fn from(value: i64) -> Self {
        let magnitude = value.unsigned_abs();
        BigInt::new(value < 0, vec![magnitude as u32, (magnitude >> 32) as u32])
    }
}

impl From<bool> for BigInt {
    fn from(value: bool) -> Self {
        BigInt::from(i64::from(value))
    }
}

/// `digits = digits * factor + addend`.
fn mul_add_small(digits: &mut Vec<u32>, factor: u32, addend: u32) {
    let mut carry = u64::from(addend);
    for digit in digits.iter_mut() {
        let cell = u64::from(*digit) * u64::from(factor) + carry;
        *digit = cell as u32;
        carry = cell >> 32;
    }
    if carry > 0 {
        digits.push(carry as u32);
    }
}

/// `digits /= divisor`, returning the remainder; high zero digits are dropped.
fn div_small(digits: &mut Vec<u32>, divisor: u32) -> u32 {
    let mut remainder = 0u64;
    for digit in digits.iter_mut().rev() {
        let cell = remainder << 32 | u64::from(*digit);
        *digit = (cell / u64::from(divisor)) as u32;
        remainder = cell % u64::from(divisor);
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    remainder as u32
}

fn cmp_magnitudes(a: &[u32], b: &[u32]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn add_magnitudes(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let mut sum = Vec::with_capacity(long.len() + 1);
    let mut carry = 0u64;
    for (i, &digit) in long.iter().enumerate() {
        let cell = u64::from(digit) + u64::from(short.get(i).copied().unwrap_or(0)) + carry;
        sum.push(cell as u32);
        carry = cell >> 32;
    }
    sum.push(carry as u32);
    sum
}

/// `a - b` for magnitudes with `a >= b`.
fn sub_magnitudes(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut difference = Vec::with_capacity(a.len());
    let mut borrow = 0i64;
    for (i, &digit) in a.iter().enumerate() {
        let mut cell = i64::from(digit) - i64::from(b.get(i).copied().unwrap_or(0)) - borrow;
        borrow = i64::from(cell < 0);
        cell += borrow << 32;
        difference.push(cell as u32);
    }
    difference
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(text: &str) -> BigInt {
        BigInt::parse(text)
    }

    #[test]
    fn text_round_trips() {
        for text in [
            "0",
            "1",
            "-1",
            "4294967296",
            "-9223372036854775808",
            "18446744073709551616",
            "1000000000",
            "123456789012345678901234567890",
        ] {
            assert_eq!(big(text).to_text(), text);
        }
        assert_eq!(big("-0").to_text(), "0");
        assert_eq!(big("00042").to_text(), "42");
    }

    #[test]
    fn values_use_int_when_it_fits() {
        assert_eq!(big("-9223372036854775808").to_value(), Value::Int(i64::MIN));
        assert_eq!(big("9223372036854775808").to_value(), Value::BigInt("9223372036854775808".into()));
        assert_eq!(BigInt::from_value(&Value::Int(-5)), Some(big("-5")));
        assert_eq!(BigInt::from_value(&Value::Float(1.0)), None);
    }

    #[test]
    fn arithmetic_matches_python() {
        let a = big("123456789012345678901234567890");
        let b = big("-987654321098765432109876543210");
        assert_eq!(a.add(&b).to_text(), "-864197532086419753208641975320");
        assert_eq!(a.sub(&b).to_text(), "1111111110111111111011111111100");
        assert_eq!(b.sub(&b).to_text(), "0");
        assert_eq!(a.mul(&b).to_text(), "-121932631137021795226185032733622923332237463801111263526900");
        assert_eq!(b.abs().to_text(), "987654321098765432109876543210");
        assert_eq!(big("18446744073709551615").add(&big("1")).to_text(), "18446744073709551616");
        assert_eq!(big("18446744073709551616").sub(&big("1")).to_text(), "18446744073709551615");
        assert!(big("5").sub(&big("5")).is_zero());
    }

    #[test]
    fn numpy_and_index_ranges() {
        assert!(big("-9223372036854775808").fits_numpy());
        assert!(!big("-9223372036854775809").fits_numpy());
        assert!(big("18446744073709551615").fits_numpy());
        assert!(!big("18446744073709551616").fits_numpy());
        assert!(big("9223372036854775807").fits_index());
        assert!(!big("9223372036854775808").fits_index());
    }

    #[test]
    fn conversion_to_double_rounds_to_nearest_even() {
        assert_eq!(big("9007199254740993").to_f64(), Some(9007199254740992.0));
        assert_eq!(big("9007199254740995").to_f64(), Some(9007199254740996.0));
        assert_eq!(big("-18446744073709551615").to_f64(), Some(-18446744073709551616.0));
        assert_eq!(big(&("1".to_string() + &"0".repeat(308))).to_f64(), Some(1e308));
        assert_eq!(big(&("1".to_string() + &"0".repeat(309))).to_f64(), None);
    }

    #[test]
    fn exact_comparison_with_doubles() {
        let two_64 = 18446744073709551616.0;
        assert_eq!(big("18446744073709551617").cmp_f64(two_64), Some(Ordering::Greater));
        assert_eq!(big("18446744073709551616").cmp_f64(two_64), Some(Ordering::Equal));
        assert_eq!(big("18446744073709551615").cmp_f64(two_64), Some(Ordering::Less));
        assert_eq!(big("-18446744073709551617").cmp_f64(-two_64), Some(Ordering::Less));
        assert_eq!(big("2").cmp_f64(2.5), Some(Ordering::Less));
        assert_eq!(big("-3").cmp_f64(-2.5), Some(Ordering::Less));
        assert_eq!(big("-2").cmp_f64(-2.5), Some(Ordering::Greater));
        assert_eq!(big("-2").cmp_f64(-2.0), Some(Ordering::Equal));
        assert_eq!(big("4503599627370497").cmp_f64(4503599627370496.0), Some(Ordering::Greater));
        assert_eq!(big("3").cmp_f64(2.5), Some(Ordering::Greater));
        assert_eq!(big("-3").cmp_f64(-2.5), Some(Ordering::Less));
        assert_eq!(big("0").cmp_f64(-0.0), Some(Ordering::Equal));
        assert_eq!(big("1").cmp_f64(f64::NAN), None);
        assert_eq!(big("1").cmp_f64(f64::INFINITY), Some(Ordering::Less));
        assert_eq!(big("1").cmp_f64(f64::NEG_INFINITY), Some(Ordering::Greater));
        assert_eq!(big(&("1".to_string() + &"0".repeat(400))).cmp_f64(f64::MAX), Some(Ordering::Greater));
        let max = BigInt::from_integral_f64(f64::MAX);
        assert_eq!(max.cmp_f64(f64::MAX), Some(Ordering::Equal));
        assert_eq!(max.to_f64(), Some(f64::MAX));
    }
}
