//! Runs this example's case table (examples/is-similar-rust/cases.json, checked against the Python original
//! with numpy 1.x) natively, plus what a case table cannot show.

use wasmshim_guest::{Map, Value};

fn eval(request: &str) -> String {
    super::guest().handle(format!(r#"{{"method":"eval","params":{request}}}"#).as_bytes())
}

#[test]
fn case_table() {
    let ran = super::guest().run_case_table(include_str!("../cases.json"));
    assert!(ran.as_ref().is_ok_and(|ran| *ran >= 75), "{ran:?}");
}

#[test]
fn keys_come_in_the_original_order() {
    assert_eq!(
        eval(r#"{"response": 1, "answer": 1}"#),
        r#"{"command":"eval","result":{"is_correct":true,"real_diff":0,"allowed_diff":2.220446049250313e-16,"feedback":""}}"#
    );
    assert_eq!(
        eval(r#"{"response": "1", "answer": 1.0}"#),
        r#"{"command":"eval","result":{"is_correct":false,"real_diff":null,"allowed_diff":2.220446049250313e-16,"feedback":"Please enter a number."}}"#
    );
    assert_eq!(
        eval(r#"{"response": 1, "answer": "1"}"#),
        r#"{"error":{"message":"An exception was raised while executing the evaluation function.","detail":"Answer must be a number."}}"#
    );
}

#[test]
fn non_finite_values_from_json_literals() {
    // Standard JSON has no NaN or infinity, but 1e400 reads as infinity, as in Python.
    let reply = eval(r#"{"response": 1e400, "answer": 1e400}"#);
    assert!(reply.contains(r#""is_correct":false,"real_diff":null,"allowed_diff":null"#), "{reply}");
    let reply = eval(r#"{"response": 1, "answer": 1, "params": {"atol": 1e400}}"#);
    assert!(reply.contains(r#""is_correct":true,"real_diff":0,"allowed_diff":null"#), "{reply}");
}

#[test]
fn list_tolerances_are_not_ported() {
    // Python would add numpy's spacing to the list elementwise and fail to serialise the result.
    let reply = eval(r#"{"response": 1, "answer": 1, "params": {"atol": [], "rtol": []}}"#);
    assert_eq!(
        reply,
        r#"{"error":{"message":"An exception was raised while executing the evaluation function.","detail":"unsupported tolerance type: list"}}"#
    );
}

#[test]
fn preview_echoes_the_response() {
    let response = Value::from_json(r#"{"b": [1, 2.0], "a": "x"}"#).unwrap();
    assert_eq!(super::preview(&response, &Map::new()), Ok(response));
}
