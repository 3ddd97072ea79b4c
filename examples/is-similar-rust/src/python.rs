//! The Python (and numpy 1.x) semantics of `atol + rtol * abs(answer) + spacing(answer)` and
//! `abs(response - answer) <= allowed` for any JSON values, with Python's exception texts.

use alloc::format;
use alloc::string::String;
use core::cmp::Ordering;

use wasmshim_guest::Value;

use crate::bigint::BigInt;

/// A Python exception: its `str()`.
pub type Exception = String;

/// What Python's `json` makes of a JSON value, as far as these expressions care. Sequences only remember
/// whether they are empty: the results of adding or repeating them never reach the reply.
#[derive(Clone, Debug, PartialEq)]
pub enum Py {
    /// `bool` (JSON `true`/`false`), a subclass of `int`.
    Bool(bool),
    /// `int`.
    Int(BigInt),
    /// `float`.
    Float(f64),
    /// `str`.
    Str { empty: bool },
    /// `list`.
    List { empty: bool },
    /// `None` (JSON `null`).
    None,
    /// `dict`.
    Dict,
}

impl Py {
    /// What `json.loads` makes of `value`.
    pub fn from_value(value: &Value) -> Self {
        match value {
            Value::Null => Py::None,
            Value::Bool(b) => Py::Bool(*b),
            Value::Int(_) | Value::BigInt(_) => Py::Int(BigInt::from_value(value).expect("an integer")),
            Value::Float(f) => Py::Float(*f),
            Value::String(s) => Py::Str { empty: s.is_empty() },
            Value::Array(items) => Py::List { empty: items.is_empty() },
            Value::Object(_) => Py::Dict,
        }
    }

    /// Python's `type(x).__name__`.
    fn type_name(&self) -> &'static str {
        match self {
            Py::Bool(_) => "bool",
            Py::Int(_) => "int",
            Py::Float(_) => "float",
            Py::Str { .. } => "str",
            Py::List { .. } => "list",
            Py::None => "NoneType",
            Py::Dict => "dict",
        }
    }

    /// `int` and `bool` (a subclass of `int`) as an integer.
    fn as_int(&self) -> Option<BigInt> {
        match self {
            Py::Bool(b) => Some(BigInt::from(*b)),
            Py::Int(i) => Some(i.clone()),
            _ => None,
        }
    }

    /// `int`, `bool` or `float` as a double (Python's `float(x)`, which can overflow); `None` for others.
    fn as_float(&self) -> Option<Result<f64, Exception>> {
        match self {
            Py::Float(f) => Some(Ok(*f)),
            _ => self.as_int().map(|i| int_to_float(&i)),
        }
    }

    /// Whether `isinstance(x, (int, float))`.
    pub fn is_number(&self) -> bool {
        matches!(self, Py::Bool(_) | Py::Int(_) | Py::Float(_))
    }

    /// `abs(x)` of a number (`abs(True)` is the int 1).
    pub fn abs(&self) -> Py {
        match self {
            Py::Float(f) => Py::Float(f.abs()),
            _ => Py::Int(self.as_int().expect("a number").abs()),
        }
    }

    /// `self * number`, where `number` is an `int` or a `float`.
    pub fn mul(&self, number: &Py) -> Result<Py, Exception> {
        let unsupported =
            || format!("unsupported operand type(s) for *: '{}' and '{}'", self.type_name(), number.type_name());
        match (self, number) {
            (Py::Str { empty } | Py::List { empty }, Py::Int(count)) => {
                if !count.fits_index() {
                    return Err("cannot fit 'int' into an index-sized integer".into());
                }
                let empty = *empty || count.is_zero();
                Ok(if matches!(self, Py::Str { .. }) { Py::Str { empty } } else { Py::List { empty } })
            }
            (Py::Str { .. } | Py::List { .. }, _) => Err("can't multiply sequence by non-int of type 'float'".into()),
            (Py::None | Py::Dict, _) => Err(unsupported()),
            _ => numeric(self, number, BigInt::mul, |a, b| a * b).ok_or_else(unsupported)?,
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Py) -> Result<Py, Exception> {
        match (self, other) {
            (Py::Str { empty: a }, Py::Str { empty: b }) => Ok(Py::Str { empty: *a && *b }),
            (Py::List { empty: a }, Py::List { empty: b }) => Ok(Py::List { empty: *a && *b }),
            (Py::Str { .. }, _) => Err(format!("can only concatenate str (not \"{}\") to str", other.type_name())),
            (Py::List { .. }, _) => Err(format!("can only concatenate list (not \"{}\") to list", other.type_name())),
            _ => numeric(self, other, BigInt::add, |a, b| a + b).unwrap_or_else(|| {
                Err(format!("unsupported operand type(s) for +: '{}' and '{}'", self.type_name(), other.type_name()))
            }),
        }
    }

    /// `abs(self - other)` of two numbers.
    pub fn abs_diff(&self, other: &Py) -> Result<Py, Exception> {
        Ok(numeric(self, other, BigInt::sub, |a, b| a - b).expect("numbers")?.abs())
    }
}

/// An `int` or `float` operation on two numbers: exact when both are integers, else in doubles.
/// `None` when either is not a number.
fn numeric(
    a: &Py,
    b: &Py,
    int_op: fn(&BigInt, &BigInt) -> BigInt,
    float_op: fn(f64, f64) -> f64,
) -> Option<Result<Py, Exception>> {
    if let (Some(x), Some(y)) = (a.as_int(), b.as_int()) {
        return Some(Ok(Py::Int(int_op(&x, &y))));
    }
    let (x, y) = (a.as_float()?, b.as_float()?);
    Some(x.and_then(|x| y.map(|y| Py::Float(float_op(x, y)))))
}

fn int_to_float(value: &BigInt) -> Result<f64, Exception> {
    value.to_f64().ok_or_else(|| "int too large to convert to float".into())
}

/// `numpy.spacing(answer)` for a number, with the name of the numpy type it returns.
pub fn spacing(answer: &Py) -> Result<(f64, &'static str), Exception> {
    match answer {
        // numpy's half-precision loop: the gap above 1 and above 0 in float16.
        Py::Bool(true) => Ok((1.0 / 1024.0, "numpy.float16")),
        Py::Bool(false) => Ok((1.0 / 16_777_216.0, "numpy.float16")),
        Py::Int(i) if !i.fits_numpy() => {
            Err("ufunc 'spacing' not supported for the input types, and the inputs could \
             not be safely coerced to any supported types according to the casting rule ''safe''"
                .into())
        }
        _ => {
            let x = answer.as_float().expect("a number")?;
            let gap = x.abs().next_up() - x.abs();
            Ok((if x < 0.0 { -gap } else { gap }, "numpy.float64"))
        }
    }
}

/// `tolerance + spacing`: the allowed difference, and whether it is a plain Python `float` (numpy hands an
/// integer outside int64/uint64 to Python, which then also compares integers with it exactly).
pub fn add_spacing(tolerance: &Py, spacing: f64, spacing_type: &str) -> Result<(f64, bool), Exception> {
    match tolerance {
        Py::Int(i) => Ok((int_to_float(i)? + spacing, !i.fits_numpy())),
        Py::Float(f) => Ok((f + spacing, false)),
        Py::Str { .. } => Err(format!("can only concatenate str (not \"{spacing_type}\") to str")),
        // numpy would broadcast a list into an array (and the reply could not be serialised): not ported.
        _ => Err(format!("unsupported tolerance type: {}", tolerance.type_name())),
    }
}

/// `real <= allowed`, where numpy compares an integer below 2^64 as a double and Python compares exactly.
pub fn less_equal(real: &Py, allowed: f64, allowed_is_python_float: bool) -> bool {
    match real {
        Py::Int(i) if allowed_is_python_float || !i.fits_numpy() => {
            matches!(i.cmp_f64(allowed), Some(Ordering::Less | Ordering::Equal))
        }
        _ => real.as_float().expect("a number").is_ok_and(|real| real <= allowed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Py {
        Py::Int(BigInt::from(i))
    }

    #[test]
    fn booleans_act_as_integers() {
        assert_eq!(Py::Bool(true).add(&Py::Bool(true)), Ok(int(2)));
        assert_eq!(Py::Bool(true).mul(&int(5)), Ok(int(5)));
        assert_eq!(Py::Bool(true).abs(), int(1));
    }

    #[test]
    fn mixing_in_a_float_gives_a_float() {
        assert_eq!(int(2).mul(&Py::Float(0.5)), Ok(Py::Float(1.0)));
        assert_eq!(Py::Float(0.5).add(&int(2)), Ok(Py::Float(2.5)));
        assert_eq!(int(2).abs_diff(&Py::Float(2.5)), Ok(Py::Float(0.5)));
        assert_eq!(int(2).abs_diff(&int(5)), Ok(int(3)));
    }

    #[test]
    fn sequences_repeat_and_concatenate() {
        assert_eq!(Py::Str { empty: false }.mul(&int(0)), Ok(Py::Str { empty: true }));
        assert_eq!(Py::List { empty: false }.mul(&int(2)), Ok(Py::List { empty: false }));
        assert_eq!(Py::Str { empty: true }.add(&Py::Str { empty: false }), Ok(Py::Str { empty: false }));
        assert_eq!(Py::List { empty: true }.add(&Py::List { empty: true }), Ok(Py::List { empty: true }));
    }

    #[test]
    fn type_errors_use_python_texts() {
        assert_eq!(Py::None.mul(&int(1)).unwrap_err(), "unsupported operand type(s) for *: 'NoneType' and 'int'");
        assert_eq!(Py::Dict.mul(&Py::Float(1.0)).unwrap_err(), "unsupported operand type(s) for *: 'dict' and 'float'");
        assert_eq!(
            Py::Str { empty: false }.mul(&Py::Float(1.0)).unwrap_err(),
            "can't multiply sequence by non-int of type 'float'"
        );
        assert_eq!(int(0).add(&Py::None).unwrap_err(), "unsupported operand type(s) for +: 'int' and 'NoneType'");
        assert_eq!(
            Py::Float(0.0).add(&Py::List { empty: true }).unwrap_err(),
            "unsupported operand type(s) for +: 'float' and 'list'"
        );
        assert_eq!(
            Py::Str { empty: true }.add(&Py::Float(0.0)).unwrap_err(),
            "can only concatenate str (not \"float\") to str"
        );
        assert_eq!(
            Py::List { empty: true }.add(&Py::Str { empty: true }).unwrap_err(),
            "can only concatenate list (not \"str\") to list"
        );
        assert_eq!(
            add_spacing(&Py::List { empty: true }, 1.0, "numpy.float64").unwrap_err(),
            "unsupported tolerance type: list"
        );
    }

    #[test]
    fn spacing_has_the_sign_of_its_argument() {
        assert_eq!(spacing(&Py::Float(1.0)), Ok((f64::EPSILON, "numpy.float64")));
        assert_eq!(spacing(&Py::Float(-1.0)), Ok((-f64::EPSILON, "numpy.float64")));
        assert_eq!(spacing(&Py::Float(-0.0)), Ok((5e-324, "numpy.float64")));
        assert_eq!(spacing(&Py::Float(f64::MAX)).map(|s| s.0), Ok(f64::INFINITY));
        assert!(spacing(&Py::Float(f64::INFINITY)).unwrap().0.is_nan());
        assert_eq!(spacing(&int(2)), Ok((2.0 * f64::EPSILON, "numpy.float64")));
        assert_eq!(spacing(&Py::Bool(true)), Ok((0.0009765625, "numpy.float16")));
    }

    #[test]
    fn nan_is_never_within_tolerance() {
        assert!(!less_equal(&Py::Float(f64::NAN), 1.0, false));
        assert!(!less_equal(&int(1), f64::NAN, true));
        assert!(less_equal(&int(1), f64::INFINITY, true));
    }
}
