//! (c) Arbitrary JSON bodies, cases and evaluator replies into the protocol layer (`wasmshim::protocol::handle`):
//! structured inputs (legacy bodies with `params.cases`, µEd bodies, any JSON value, raw bytes) on every route,
//! with arbitrary headers, and a fake evaluator that answers from a script (valid results, arbitrary JSON, guest
//! errors, failures, overload) and then compares response with answer.
//!
//! Checked: the status is one the contract allows; a JSON reply body is JSON; a 503 carries Retry-After; a legacy
//! 200 eval has a boolean `is_correct` and a `matched_case` inside the case list; the evaluator is called at most
//! once plus once per case.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use wasmshim::protocol::{handle, Command, EvalFailure, FailureKind, Request, Settings};

/// Any JSON value, with numbers of every spelling.
#[derive(Arbitrary, Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Big(u64, u64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn value(&self) -> Value {
        match self {
            J::Null => Value::Null,
            J::Bool(b) => json!(b),
            J::Int(n) => json!(n),
            J::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            J::Big(a, b) => serde_json::from_str(&format!("{}{b:020}", a.max(&1))).expect("digits are a JSON number"),
            J::Str(s) => json!(s),
            J::Arr(items) => Value::Array(items.iter().map(J::value).collect()),
            J::Obj(pairs) => Value::Object(pairs.iter().map(|(k, v)| (k.clone(), v.value())).collect()),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Case {
    answer: Option<J>,
    feedback: Option<J>,
    params: Option<J>,
    mark: Option<J>,
    /// Replaces the whole case with a non-object.
    instead: Option<J>,
}

#[derive(Arbitrary, Debug)]
struct Legacy {
    response: Option<J>,
    answer: Option<J>,
    params: Option<J>,
    cases: Option<Vec<Case>>,
    override_eval_feedback: Option<J>,
    extra: Option<(String, J)>,
}

#[derive(Arbitrary, Debug)]
struct Mued {
    kind: u8,
    kind_other: String,
    content: J,
    reference: Option<J>,
    params: Option<J>,
    pre_submission: Option<J>,
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(Vec<u8>),
    Any(J),
    Legacy(Legacy),
    Mued(Mued),
}

#[derive(Arbitrary, Debug)]
enum FakeReply {
    /// A valid result for the command: correct iff response == answer in the body.
    Compare,
    /// `{"command":..., "result":{"is_correct":<J>, "feedback":<J>, ...}}`
    Result {
        is_correct: J,
        feedback: Option<J>,
        extra: Option<(String, J)>,
        wrong_command: bool,
    },
    Error(J),
    Any(J),
    Fail(String),
    Overloaded,
}

#[derive(Arbitrary, Debug)]
struct Input {
    method: u8,
    path: u8,
    path_other: String,
    command: Option<String>,
    api_version: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    body: Body,
    script: Vec<FakeReply>,
}

const METHODS: &[&str] = &["POST", "GET", "HEAD", "PUT", "DELETE", "post"];
const PATHS: &[&str] =
    &["/", "/evaluate", "/fn/evaluate", "/evaluate/health", "/fn/evaluate/health", "/health", "/a/b"];
const KINDS: &[&str] = &["MATH", "TEXT", "CODE", "MODEL", "OTHER"];

fn body_bytes(body: &Body) -> (Vec<u8>, usize) {
    match body {
        Body::Raw(bytes) => (bytes.clone(), 0),
        Body::Any(j) => (j.value().to_string().into_bytes(), 0),
        Body::Legacy(legacy) => {
            let mut object = Map::new();
            if let Some(r) = &legacy.response {
                object.insert("response".into(), r.value());
            }
            if let Some(a) = &legacy.answer {
                object.insert("answer".into(), a.value());
            }
            let mut cases_len = 0;
            let mut params = match legacy.params.as_ref().map(J::value) {
                Some(Value::Object(map)) => Some(map),
                Some(other) => {
                    object.insert("params".into(), other);
                    None
                }
                None => Some(Map::new()),
            };
            if let Some(params) = params.as_mut() {
                if let Some(cases) = &legacy.cases {
                    cases_len = cases.len();
                    let cases: Vec<Value> = cases
                        .iter()
                        .map(|case| {
                            if let Some(instead) = &case.instead {
                                return instead.value();
                            }
                            let mut c = Map::new();
                            for (key, value) in [
                                ("answer", &case.answer),
                                ("feedback", &case.feedback),
                                ("params", &case.params),
                                ("mark", &case.mark),
                            ] {
                                if let Some(value) = value {
                                    c.insert(key.into(), value.value());
                                }
                            }
                            Value::Object(c)
                        })
                        .collect();
                    params.insert("cases".into(), Value::Array(cases));
                }
                if let Some(o) = &legacy.override_eval_feedback {
                    params.insert("override_eval_feedback".into(), o.value());
                }
            }
            if let Some(params) = params {
                object.insert("params".into(), Value::Object(params));
            }
            if let Some((key, value)) = &legacy.extra {
                object.insert(key.clone(), value.value());
            }
            (Value::Object(object).to_string().into_bytes(), cases_len)
        }
        Body::Mued(mued) => {
            let kind = KINDS.get(mued.kind as usize).copied().unwrap_or(&mued.kind_other);
            let mut body = json!({"submission": {"type": kind, "content": mued.content.value()}, "task": {}});
            if let Some(reference) = &mued.reference {
                body["task"]["referenceSolution"] = reference.value();
            }
            if let Some(params) = &mued.params {
                body["configuration"] = json!({"params": params.value()});
            }
            if let Some(pre) = &mued.pre_submission {
                body["preSubmissionFeedback"] = json!({"enabled": pre.value()});
            }
            (body.to_string().into_bytes(), 0)
        }
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("not_an_object".into(), other);
            map
        }
    }
}

fn compare(command: Command, body: &[u8]) -> Map<String, Value> {
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    object(match command {
        Command::Eval => {
            let correct = body.get("response") == body.get("answer");
            json!({"command": "eval", "result": {"is_correct": correct, "feedback": if correct { "yes" } else { "no" }}})
        }
        Command::Preview => json!({"command": "preview", "result": {"preview": {"latex": "x"}}}),
        Command::Healthcheck => {
            json!({"command": "healthcheck", "result": {"tests_passed": true, "successes": [], "failures": [], "errors": []}})
        }
    })
}

fuzz_target!(|input: Input| {
    let method = METHODS.get(input.method as usize).copied().unwrap_or("PATCH");
    let path = PATHS.get(input.path as usize).copied().unwrap_or(input.path_other.as_str());
    let (body, _) = body_bytes(&input.body);
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let cases = [&parsed["params"]["cases"], &parsed["configuration"]["params"]["cases"]]
        .iter()
        .filter_map(|cases| cases.as_array().map(Vec::len))
        .max()
        .unwrap_or(0);
    let mut headers: Vec<(&str, &[u8])> = input.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    if let Some(command) = &input.command {
        headers.push(("command", command.as_bytes()));
    }
    if let Some(version) = &input.api_version {
        headers.push(("X-Api-Version", version.as_bytes()));
    }
    let request = Request { method, path, headers: &headers, body: &body };
    let mut calls = 0usize;
    let mut script = input.script.iter();
    let mut evaluate = |command: Command, body: &[u8]| -> Result<Map<String, Value>, EvalFailure> {
        calls += 1;
        match script.next().unwrap_or(&FakeReply::Compare) {
            FakeReply::Compare => Ok(compare(command, body)),
            FakeReply::Result { is_correct, feedback, extra, wrong_command } => {
                let mut result = Map::new();
                result.insert("is_correct".into(), is_correct.value());
                if let Some(feedback) = feedback {
                    result.insert("feedback".into(), feedback.value());
                }
                if let Some((key, value)) = extra {
                    result.insert(key.clone(), value.value());
                }
                let name = if *wrong_command { "other" } else { command.as_str() };
                Ok(object(json!({"command": name, "result": result})))
            }
            FakeReply::Error(j) => Ok(object(json!({"error": j.value()}))),
            FakeReply::Any(j) => Ok(object(j.value())),
            FakeReply::Fail(message) => Err(EvalFailure { kind: FailureKind::Failed, message: message.clone() }),
            FakeReply::Overloaded => Err(EvalFailure { kind: FailureKind::Overloaded, message: "busy".into() }),
        }
    };
    let reply = handle(&request, &Settings { auth_key: None }, &mut evaluate);
    assert!([200, 400, 401, 405, 406, 422, 500, 503].contains(&reply.status), "status {}", reply.status);
    assert!(calls <= 1 + cases, "{calls} evaluator calls for {cases} cases");
    if reply.status == 503 {
        assert!(reply.extra_headers.iter().any(|h| h.starts_with("Retry-After:")), "{:?}", reply.extra_headers);
    }
    if reply.content_type == "application/json" {
        let json: Value = serde_json::from_slice(&reply.body).unwrap_or_else(|e| {
            panic!("a JSON reply that is not JSON ({e}): {:?}", String::from_utf8_lossy(&reply.body))
        });
        let legacy = !path.ends_with("/evaluate") && !path.ends_with("/evaluate/health") && path != "/health";
        if legacy && reply.status == 200 && json["command"] == "eval" {
            let result = &json["result"];
            assert!(result["is_correct"].is_boolean(), "{json}");
            if let Some(matched) = result.get("matched_case") {
                assert!(matched.as_u64().is_some_and(|m| (m as usize) < cases), "matched_case {matched} of {cases}");
            }
        }
    }
});
