//! Port of Lambda Feedback's IsSimilar (`isSimilar`, ../shared/spec/lf-functions.md §2): the response is
//! correct when `|response - answer| <= atol + rtol * |answer| + spacing(answer)`, with Python's int/float
//! rules, numpy's `spacing` (sign included), and the original's feedback and error texts.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

mod bigint;
mod python;
#[cfg(test)]
mod tests;

use python::{add_spacing, less_equal, spacing, Exception, Py};
use wasmshim_guest::{export, Error, EvalResult, Map, SelfTest, Value};

/// The message of every exception escaping the original, as its platform layer reports it.
const GENERIC_ERROR: &str = "An exception was raised while executing the evaluation function.";

/// `{"is_correct", "real_diff", "allowed_diff", "feedback"}`, or the platform's generic error with the
/// exception text as `detail`.
fn evaluate(response: &Value, answer: &Value, params: &Map) -> Result<EvalResult, Error> {
    is_similar(response, answer, params).map_err(|detail| Error::new(GENERIC_ERROR).with("detail", detail))
}

fn is_similar(response: &Value, answer: &Value, params: &Map) -> Result<EvalResult, Exception> {
    let param = |name| params.get(name).map_or(Py::Int(0i64.into()), Py::from_value);
    let (atol, rtol) = (param("atol"), param("rtol"));
    let answer = Py::from_value(answer);
    if !answer.is_number() {
        return Err("Answer must be a number.".into());
    }
    // atol + rtol * abs(answer) + spacing(answer), evaluated left to right.
    let tolerance = atol.add(&rtol.mul(&answer.abs())?)?;
    let (gap, gap_type) = spacing(&answer)?;
    let (allowed, allowed_is_python_float) = add_spacing(&tolerance, gap, gap_type)?;

    let response = Py::from_value(response);
    if !response.is_number() {
        return Ok(EvalResult::new(false)
            .with("real_diff", Value::Null)
            .with("allowed_diff", allowed)
            .feedback("Please enter a number."));
    }
    let real = response.abs_diff(&answer)?;
    let real_value = match &real {
        Py::Int(i) => i.to_value(),
        Py::Float(f) => Value::Float(*f),
        _ => unreachable!("abs_diff gives a number"),
    };
    Ok(EvalResult::new(less_equal(&real, allowed, allowed_is_python_float))
        .with("real_diff", real_value)
        .with("allowed_diff", allowed)
        .feedback(""))
}

/// The platform's fallback for functions without a preview: `{"preview": <response unchanged>}`.
fn preview(response: &Value, _params: &Map) -> Result<Value, Error> {
    Ok(response.clone())
}

const TESTS: &[SelfTest] = &[
    SelfTest {
        name: "absolute tolerance",
        response: "1.46",
        answer: "1.48",
        params: r#"{"atol": 0.04}"#,
        expected: true,
    },
    SelfTest {
        name: "relative tolerance",
        response: "13.7",
        answer: "11.4",
        params: r#"{"rtol": 0.2}"#,
        expected: false,
    },
    SelfTest {
        name: "negative answers shrink the band",
        response: "-15.7",
        answer: "-15.8",
        params: r#"{"atol": 0.1}"#,
        expected: false,
    },
    SelfTest { name: "not a number", response: r#""two""#, answer: "2", params: "{}", expected: false },
];

export!(evaluate, preview = preview, tests = TESTS);
wasmshim_guest::panic_handler!();
