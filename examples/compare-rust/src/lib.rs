//! The compare evaluator (examples/README.md): numbers within `atol`/`rtol`, strings exactly or with
//! `case_sensitive`/`trim`, arrays and objects element by element, custom feedback, a preview and self-tests.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use wasmshim_guest::{export, Error, EvalResult, Map, SelfTest, Value};

#[cfg(test)]
mod tests;

/// The params, each checked in this order.
struct Options<'a> {
    atol: f64,
    rtol: f64,
    case_sensitive: bool,
    trim: bool,
    correct_feedback: &'a str,
    incorrect_feedback: &'a str,
}

impl<'a> Options<'a> {
    /// The options when no params are given.
    const DEFAULT: Options<'static> = Options {
        atol: 0.0,
        rtol: 0.0,
        case_sensitive: true,
        trim: false,
        correct_feedback: "Correct!",
        incorrect_feedback: "Incorrect.",
    };

    fn from_params(params: &'a Map) -> Result<Self, Error> {
        if params.is_empty() {
            return Ok(Options::DEFAULT);
        }
        Options::read(params)
    }

    /// The options of non-empty params. Out of line: wasmi charges a function's whole body when it is called.
    #[inline(never)]
    fn read(params: &'a Map) -> Result<Self, Error> {
        let default = Options::DEFAULT;
        Ok(Options {
            atol: param(params, "atol", "a number", Value::as_f64)?.unwrap_or(default.atol),
            rtol: param(params, "rtol", "a number", Value::as_f64)?.unwrap_or(default.rtol),
            case_sensitive: param(params, "case_sensitive", "a boolean", Value::as_bool)?
                .unwrap_or(default.case_sensitive),
            trim: param(params, "trim", "a boolean", Value::as_bool)?.unwrap_or(default.trim),
            correct_feedback: param(params, "correct_response_feedback", "a string", Value::as_str)?
                .unwrap_or(default.correct_feedback),
            incorrect_feedback: param(params, "incorrect_response_feedback", "a string", Value::as_str)?
                .unwrap_or(default.incorrect_feedback),
        })
    }

    /// `s` without leading/trailing space, tab, newline and carriage return when `trim` is set.
    fn trimmed<'s>(&self, s: &'s str) -> &'s str {
        if self.trim {
            s.trim_matches([' ', '\t', '\n', '\r'])
        } else {
            s
        }
    }

    fn close(&self, response: f64, answer: f64) -> bool {
        (response - answer).abs() <= self.atol + self.rtol * answer.abs()
    }

    fn equal(&self, response: &Value, answer: &Value) -> bool {
        // Numbers first: the usual case.
        if response.is_number() && answer.is_number() {
            return response.as_f64().zip(answer.as_f64()).is_some_and(|(r, a)| self.close(r, a));
        }
        self.equal_other(response, answer)
    }

    /// [`Options::equal`] unless both are numbers.
    #[inline(never)]
    fn equal_other(&self, response: &Value, answer: &Value) -> bool {
        match (response, answer) {
            (Value::String(r), Value::String(a)) => {
                let (r, a) = (self.trimmed(r), self.trimmed(a));
                r == a || (!self.case_sensitive && r.eq_ignore_ascii_case(a))
            }
            (Value::String(r), a) if a.is_number() => Value::parse_number(self.trimmed(r))
                .and_then(|r| Some(self.close(r.as_f64()?, a.as_f64()?)))
                .unwrap_or(false),
            (Value::Bool(r), Value::Bool(a)) => r == a,
            (Value::Null, Value::Null) => true,
            (Value::Array(r), Value::Array(a)) => r.len() == a.len() && r.iter().zip(a).all(|(r, a)| self.equal(r, a)),
            (Value::Object(r), Value::Object(a)) => {
                r.len() == a.len() && r.iter().all(|(key, r)| a.get(key).is_some_and(|a| self.equal(r, a)))
            }
            _ => false,
        }
    }
}

/// The param `name` read with `get`: `None` when absent, an error when present with the wrong type.
fn param<'a, T>(
    params: &'a Map,
    name: &str,
    kind: &str,
    get: impl FnOnce(&'a Value) -> Option<T>,
) -> Result<Option<T>, Error> {
    match params.get(name) {
        None => Ok(None),
        Some(value) => get(value).map(Some).ok_or_else(|| wrong_type(name, kind)),
    }
}

/// The error for a param of the wrong type.
#[cold]
fn wrong_type(name: &str, kind: &str) -> Error {
    Error::new(["params.", name, " must be ", kind].concat())
}

/// `{"is_correct", "feedback"}`.
fn evaluate(response: &Value, answer: &Value, params: &Map) -> Result<EvalResult, Error> {
    let options = Options::from_params(params)?;
    let correct = options.equal(response, answer);
    let feedback = if correct { options.correct_feedback } else { options.incorrect_feedback };
    Ok(EvalResult::new(correct).feedback(feedback))
}

/// `{"type": <JSON type>, "response": <the response, a string trimmed if `trim` is set>}`.
fn preview(response: &Value, params: &Map) -> Result<Value, Error> {
    let options = Options::from_params(params)?;
    let shown = match response {
        Value::String(s) => Value::from(options.trimmed(s)),
        other => other.clone(),
    };
    Ok([("type", Value::from(response.type_name())), ("response", shown)].into_iter().collect::<Map>().into())
}

const TESTS: &[SelfTest] = &[
    SelfTest { name: "integer equals float", response: "1", answer: "1.0", params: "{}", expected: true },
    SelfTest { name: "tolerance", response: "0.1001", answer: "0.1", params: r#"{"atol": 0.001}"#, expected: true },
    SelfTest {
        name: "case folding",
        response: r#""Hello ""#,
        answer: r#""hello""#,
        params: r#"{"case_sensitive": false, "trim": true}"#,
        expected: true,
    },
    SelfTest { name: "arrays", response: r#"[1, "a"]"#, answer: r#"[1, "b"]"#, params: "{}", expected: false },
];

export!(evaluate, preview = preview, tests = TESTS);
wasmshim_guest::panic_handler!();
