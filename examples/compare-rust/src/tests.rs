//! Runs the shared case table (examples/cases.json) against the evaluator natively.

use wasmshim_guest::{Map, Value};

#[test]
fn shared_case_table() {
    let ran = super::guest().run_case_table(include_str!("../../cases.json"));
    assert!(ran.as_ref().is_ok_and(|ran| *ran >= 70), "{ran:?}");
}

#[test]
fn strings_that_are_not_json_numbers_never_equal_a_number() {
    let params = Map::new();
    for text in ["", " 1", "1 ", "+1", "1.", ".1", "01", "1e", "0x1", "Infinity", "1_0", "１"] {
        let result = super::evaluate(&Value::from(text), &Value::Int(1), &params).unwrap();
        assert!(!result.is_correct(), "{text:?}");
    }
}

#[test]
fn preview_trims_only_a_top_level_string() {
    let params: Map = [("trim", true)].into_iter().collect();
    let nested = Value::from(vec![Value::from(" a ")]);
    let preview = super::preview(&nested, &params).unwrap();
    assert_eq!(preview.to_json(), r#"{"type":"array","response":[" a "]}"#);
}

#[test]
fn preview_of_null() {
    assert_eq!(super::preview(&Value::Null, &Map::new()).unwrap().to_json(), r#"{"type":"null","response":null}"#);
}
