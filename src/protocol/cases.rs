//! Cases (http-api.md §3): feedback for known wrong answers, found by evaluating the response again
//! against each case's answer.

use serde_json::{json, Map, Value};

use super::pipeline;
use super::{Command, Evaluate};

/// Runs the cases of `body.params.cases` when `result.is_correct` is exactly `false`, and writes
/// the outcome into `result` (`feedback`, `matched_case`, `is_correct`, `warnings`). Never fails:
/// every problem with a case becomes a warning.
pub fn apply(result: &mut Map<String, Value>, body: &Map<String, Value>, evaluate: &mut Evaluate<'_>) {
    if result.get("is_correct") != Some(&Value::Bool(false)) {
        return;
    }
    let Some(params) = body.get("params").and_then(Value::as_object) else {
        return;
    };
    let Some(cases) = params.get("cases").and_then(Value::as_array) else {
        return;
    };
    let mut warnings = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        match try_case(case, body, params, evaluate) {
            Ok(None) => {}
            Ok(Some(matched)) => {
                record_match(result, index, matched);
                break;
            }
            Err(message) => warnings.push(json!({ "case": index, "message": message })),
        }
    }
    if !warnings.is_empty() {
        result.insert("warnings".to_owned(), Value::Array(warnings));
    }
}

/// A case whose evaluation said `is_correct: true`.
struct Match<'c> {
    case: &'c Map<String, Value>,
    feedback: &'c Value,
    /// The result of the case's own evaluation.
    result: Map<String, Value>,
}

/// Evaluates one case: `Ok(Some)` on a match, `Ok(None)` if not, `Err(warning message)` if the case
/// is malformed or its evaluation failed.
fn try_case<'c>(
    case: &'c Value,
    body: &Map<String, Value>,
    params: &Map<String, Value>,
    evaluate: &mut Evaluate<'_>,
) -> Result<Option<Match<'c>>, String> {
    let case = case.as_object().ok_or("Case is not an object")?;
    let answer = case.get("answer").ok_or("Missing answer field")?;
    let feedback = case.get("feedback").ok_or("Missing feedback field")?;
    let mut merged = params.clone();
    match case.get("params") {
        None => {}
        Some(Value::Object(own)) => merged.extend(own.clone()),
        Some(_) => return Err("Invalid params field".to_owned()),
    }
    let mut case_body: Map<String, Value> = body
        .iter()
        .filter(|(key, _)| *key != "answer" && *key != "params")
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    case_body.insert("answer".to_owned(), answer.clone());
    case_body.insert("params".to_owned(), Value::Object(merged));
    // Cannot fail: a `Map` of `Value`s has string keys and finite numbers only.
    let bytes = serde_json::to_vec(&case_body).unwrap_or_default();
    let result = pipeline::run(Command::Eval, &case_body, &bytes, evaluate)
        .map_err(|rejection| rejection.message().to_owned())?;
    Ok((result.get("is_correct") == Some(&Value::Bool(true))).then_some(Match { case, feedback, result }))
}

/// Writes a matched case into the result.
fn record_match(result: &mut Map<String, Value>, index: usize, matched: Match<'_>) {
    let Match { case, feedback, result: mut case_result } = matched;
    let mut feedback = feedback.clone();
    let own_params = case.get("params").and_then(Value::as_object);
    if own_params.and_then(|params| params.get("override_eval_feedback")) == Some(&Value::Bool(true)) {
        let evaluation_feedback = case_result.remove("feedback").unwrap_or_default();
        feedback = Value::String(format!("{}<br />{}", as_text(feedback), as_text(evaluation_feedback)));
    }
    result.insert("feedback".to_owned(), feedback);
    result.insert("matched_case".to_owned(), json!(index));
    if let Some(mark) = case.get("mark").and_then(Value::as_f64) {
        result.insert("is_correct".to_owned(), Value::Bool(mark.trunc() == 1.0));
    }
}

/// Feedback as text for joining: a string as it is, nothing as empty, anything else as its JSON.
fn as_text(feedback: Value) -> String {
    match feedback {
        Value::String(text) => text,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::protocol::test_support::{call, object, Calls};
    use crate::protocol::{EvalFailure, FailureKind};

    /// The evaluator of http-api.md §3: correct iff response == answer; feedback "should be 'yes'."
    /// when correct, "should be 'hello'." otherwise.
    fn spec_evaluator(command: Command, body: &[u8]) -> Result<Map<String, Value>, EvalFailure> {
        assert_eq!(command, Command::Eval);
        let body: Value = serde_json::from_slice(body).expect("the body is JSON");
        let correct = body["response"] == body["answer"];
        let feedback = if correct { "should be 'yes'." } else { "should be 'hello'." };
        Ok(object(json!({"command": "eval", "result": {"is_correct": correct, "feedback": feedback}})))
    }

    /// Runs an eval request through the whole legacy route and returns the `result` object.
    fn eval_result(body: Value, evaluate: &mut Evaluate<'_>) -> Value {
        let (status, reply) = call("POST", "/", &[], &body.to_string(), evaluate);
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["command"], "eval");
        reply["result"].clone()
    }

    #[test]
    fn example_1_first_matching_case_without_mark() {
        let body = json!({"response": "yes", "answer": "world", "params": {"cases": [
            {"answer": "hello", "feedback": "case 0"},
            {"answer": "yes", "feedback": "case 1"},
            {"answer": "no", "feedback": "case 2"},
        ]}});
        let mut calls = Calls::new(spec_evaluator);
        let result = eval_result(body, &mut calls.evaluator());
        assert_eq!(result, json!({"is_correct": false, "feedback": "case 1", "matched_case": 1}));
        // The original evaluation and cases 0 and 1; case 2 is never tried.
        assert_eq!(calls.count(), 3);
    }

    #[test]
    fn example_2_mark_1_makes_it_correct() {
        let body = json!({"response": "other", "answer": "hello", "params": {"cases": [
            {"answer": "other", "feedback": "...", "mark": 1},
        ]}});
        let result = eval_result(body, &mut spec_evaluator);
        assert_eq!(result, json!({"is_correct": true, "feedback": "...", "matched_case": 0}));
    }

    #[test]
    fn example_3_case_without_answer_warns() {
        let body = json!({"response": "yes", "answer": "world", "params": {"cases": [
            {"feedback": "no answer here"},
        ]}});
        let result = eval_result(body, &mut spec_evaluator);
        assert_eq!(
            result,
            json!({"is_correct": false, "feedback": "should be 'hello'.",
                   "warnings": [{"message": "Missing answer field", "case": 0}]})
        );
    }

    #[test]
    fn malformed_cases_warn_and_are_skipped() {
        let body = json!({"response": "yes", "answer": "world", "params": {"cases": [
            "not an object",
            {"answer": "yes"},
            {"answer": "yes", "feedback": "f", "params": "not an object"},
            {"answer": null, "feedback": "f"},
            {"answer": "yes", "feedback": "found", "mark": "1"},
        ]}});
        let result = eval_result(body, &mut spec_evaluator);
        assert_eq!(
            result,
            json!({"is_correct": false, "feedback": "found", "matched_case": 4, "warnings": [
                {"case": 0, "message": "Case is not an object"},
                {"case": 1, "message": "Missing feedback field"},
                {"case": 2, "message": "Invalid params field"},
                {"case": 3, "message": "request validation error"},
            ]})
        );
    }

    #[test]
    fn case_params_are_merged_over_the_top_level_ones() {
        let body = json!({"response": "a", "answer": "b", "params": {
            "keep": 1, "shared": "top",
            "cases": [{"answer": "c", "feedback": "f", "params": {"shared": "case", "own": true}}],
        }});
        let mut calls = Calls::new(|_, _| Ok(object(json!({"command": "eval", "result": {"is_correct": false}}))));
        let result = eval_result(body.clone(), &mut calls.evaluator());
        assert_eq!(result, json!({"is_correct": false}));
        let bodies = calls.bodies();
        assert_eq!(bodies.len(), 2);
        // The first call gets the client's bytes verbatim, the case call a re-encoded body.
        assert_eq!(bodies[0], body.to_string());
        let case_body: Value = serde_json::from_str(&bodies[1]).expect("JSON");
        assert_eq!(
            case_body,
            json!({"response": "a", "answer": "c", "params": {
                "keep": 1, "shared": "case", "own": true,
                "cases": [{"answer": "c", "feedback": "f", "params": {"shared": "case", "own": true}}],
            }})
        );
    }

    #[test]
    fn override_eval_feedback_appends_the_case_evaluation_feedback() {
        let body = json!({"response": "other", "answer": "hello", "params": {"cases": [
            {"answer": "other", "feedback": "case feedback", "params": {"override_eval_feedback": true}},
        ]}});
        let result = eval_result(body, &mut spec_evaluator);
        assert_eq!(
            result,
            json!({"is_correct": false, "feedback": "case feedback<br />should be 'yes'.",
                   "matched_case": 0})
        );
    }

    #[test]
    fn override_eval_feedback_only_counts_when_true() {
        let body = json!({"response": "other", "answer": "hello", "params": {
            "override_eval_feedback": true,
            "cases": [{"answer": "other", "feedback": "case feedback",
                       "params": {"override_eval_feedback": "true"}}],
        }});
        let result = eval_result(body, &mut spec_evaluator);
        assert_eq!(result["feedback"], "case feedback");
    }

    #[test]
    fn override_joins_non_string_feedback_as_json() {
        let mut evaluate = |_: Command, body: &[u8]| {
            let body: Value = serde_json::from_slice(body).expect("JSON");
            let correct = body["answer"] == "c";
            Ok(object(json!({"command": "eval", "result": {"is_correct": correct}})))
        };
        let body = json!({"response": "r", "answer": "a", "params": {"cases": [
            {"answer": "c", "feedback": {"k": 1}, "params": {"override_eval_feedback": true}},
        ]}});
        let result = eval_result(body, &mut evaluate);
        assert_eq!(result["feedback"], "{\"k\":1}<br />");
    }

    #[test]
    fn mark_uses_the_integer_part() {
        for (mark, expected) in [
            (json!(1), true),
            (json!(1.9), true),
            (json!(0), false),
            (json!(0.99), false),
            (json!(2), false),
            (json!(-1), false),
        ] {
            let body = json!({"response": "x", "answer": "y", "params": {"cases": [
                {"answer": "x", "feedback": "f", "mark": mark},
            ]}});
            let result = eval_result(body, &mut spec_evaluator);
            assert_eq!(result["is_correct"], expected, "mark {mark}");
            assert_eq!(result["matched_case"], 0);
        }
    }

    #[test]
    fn evaluation_failures_of_a_case_become_warnings() {
        let mut evaluate = |_: Command, body: &[u8]| {
            let body: Value = serde_json::from_slice(body).expect("JSON");
            match body["answer"].as_str() {
                Some("trap") => Err(EvalFailure {
                    kind: FailureKind::Failed,
                    message: "evaluation exceeded its CPU budget".to_owned(),
                }),
                Some("busy") => {
                    Err(EvalFailure { kind: FailureKind::Overloaded, message: "no evaluator free".to_owned() })
                }
                Some("guest") => Ok(object(json!({"error": {"message": "bad input", "detail": "x"}}))),
                Some("shape") => Ok(object(json!({"command": "eval", "result": {}}))),
                _ => Ok(object(json!({"command": "eval", "result": {"is_correct": false, "feedback": "no"}}))),
            }
        };
        let body = json!({"response": "r", "answer": "a", "params": {"cases": [
            {"answer": "trap", "feedback": "f"},
            {"answer": "busy", "feedback": "f"},
            {"answer": "guest", "feedback": "f"},
            {"answer": "shape", "feedback": "f"},
            {"answer": "other", "feedback": "f"},
        ]}});
        let result = eval_result(body, &mut evaluate);
        assert_eq!(
            result,
            json!({"is_correct": false, "feedback": "no", "warnings": [
                {"case": 0, "message": "evaluation exceeded its CPU budget"},
                {"case": 1, "message": "no evaluator free"},
                {"case": 2, "message": "bad input"},
                {"case": 3, "message": "response validation error"},
            ]})
        );
    }

    #[test]
    fn warnings_are_kept_when_a_later_case_matches_and_other_keys_stay() {
        let mut evaluate = |_: Command, body: &[u8]| {
            let body: Value = serde_json::from_slice(body).expect("JSON");
            let correct = body["response"] == body["answer"];
            Ok(object(json!({"command": "eval", "result": {
                "is_correct": correct, "response_latex": "x", "warnings": ["guest's own"],
            }})))
        };
        let body = json!({"response": "x", "answer": "y", "params": {"cases": [
            {"feedback": "f"},
            {"answer": "x", "feedback": "matched"},
        ]}});
        let result = eval_result(body, &mut evaluate);
        assert_eq!(
            result,
            json!({"is_correct": false, "response_latex": "x", "feedback": "matched",
                   "matched_case": 1,
                   "warnings": [{"case": 0, "message": "Missing answer field"}]})
        );
    }

    #[test]
    fn cases_do_not_run_unless_is_correct_is_false() {
        let cases = json!([{"answer": "x", "feedback": "f", "mark": 0}]);
        let mut calls = Calls::new(spec_evaluator);
        let body = json!({"response": "x", "answer": "x", "params": {"cases": cases}});
        let result = eval_result(body, &mut calls.evaluator());
        assert_eq!(result, json!({"is_correct": true, "feedback": "should be 'yes'."}));
        assert_eq!(calls.count(), 1);
    }

    #[test]
    fn cases_need_a_non_empty_array() {
        for params in
            [json!({}), json!({"cases": []}), json!({"cases": {"answer": "x", "feedback": "f"}}), json!({"cases": "x"})]
        {
            let mut calls = Calls::new(spec_evaluator);
            let body = json!({"response": "x", "answer": "y", "params": params});
            let result = eval_result(body, &mut calls.evaluator());
            assert_eq!(result, json!({"is_correct": false, "feedback": "should be 'hello'."}));
            assert_eq!(calls.count(), 1);
        }
    }

    #[test]
    fn no_match_leaves_the_result_alone() {
        let body = json!({"response": "x", "answer": "y", "params": {"cases": [
            {"answer": "z", "feedback": "f"},
        ]}});
        let result = eval_result(body, &mut spec_evaluator);
        assert_eq!(result, json!({"is_correct": false, "feedback": "should be 'hello'."}));
    }
}
