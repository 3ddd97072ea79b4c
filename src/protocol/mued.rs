//! The µEd API, schema version 0.1.0 (http-api.md §4): `POST …/evaluate` and
//! `GET …/evaluate/health`, mapped onto the legacy pipeline.

use serde_json::{json, Map, Value};

use super::pipeline;
use super::validate::{self, invalid_type};
use super::{Command, Evaluate, Reply, Request};

/// The one schema version this server speaks.
const VERSION: &str = "0.1.0";
/// The header line that goes on every µEd JSON reply.
const VERSION_HEADER: &str = "X-Api-Version: 0.1.0";

/// `POST …/evaluate`: a preview or an evaluation, answered as a µEd feedback array.
pub fn evaluate(request: &Request, evaluate: &mut Evaluate<'_>) -> Reply {
    if let Err(reply) = check_version_and_method(request, "POST") {
        return reply;
    }
    let (command, body) = match decode(request.body) {
        Ok(decoded) => decoded,
        Err(message) => return error(400, "Bad request", &message, "VALIDATION_ERROR"),
    };
    // Cannot fail: a `Map` of `Value`s has string keys and finite numbers only.
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let outcome = if command == Command::Preview {
        pipeline::run(command, &body, &bytes, evaluate)
    } else {
        pipeline::eval(&body, &bytes, evaluate)
    };
    let mut reply = match outcome {
        Ok(result) if command == Command::Preview => json_reply(200, &json!([{ "preSubmissionFeedback": result }])),
        Ok(result) => json_reply(200, &json!([feedback(result)])),
        Err(rejection) => {
            let mut reply = rejection.into_reply();
            reply.extra_headers.push(VERSION_HEADER);
            reply
        }
    };
    reply.command = Some(command);
    reply
}

/// `GET …/evaluate/health`: the evaluator's healthcheck, with the server's capabilities.
pub fn health(request: &Request, evaluate: &mut Evaluate<'_>) -> Reply {
    if let Err(reply) = check_version_and_method(request, "GET") {
        return reply;
    }
    let mut reply = match pipeline::healthcheck(b"{}", evaluate) {
        Err(failure) => {
            log::warn!("µEd health check failed: {}", failure.message);
            error(500, "Internal server error", "health check failed", "INTERNAL_ERROR")
        }
        Ok(result) => {
            let status = if result.get("tests_passed") == Some(&Value::Bool(true)) { "OK" } else { "DEGRADED" };
            json_reply(
                200,
                &json!({
                    "status": status,
                    "capabilities": {
                        "supportedAPIVersions": [VERSION],
                        "supportsDataPolicy": "NOT_SUPPORTED",
                        "supportsEvaluate": true,
                        "supportsFormativeFeedback": true,
                        "supportsPreSubmissionFeedback": true,
                        "supportsSummativeFeedback": false,
                    },
                }),
            )
        }
    };
    reply.command = Some(Command::Healthcheck);
    reply
}

/// After auth, both routes check the requested version (406), then the method (405).
fn check_version_and_method(request: &Request, method: &str) -> Result<(), Reply> {
    match request.header("X-Api-Version") {
        None | Some(b"") => {}
        Some(version) if version == VERSION.as_bytes() => {}
        Some(version) => {
            let version = String::from_utf8_lossy(version);
            return Err(json_reply(
                406,
                &json!({
                    "title": "API version not supported",
                    "message": format!(
                        "The requested API version '{version}' is not supported. \
                         Supported versions are: [{VERSION}]."
                    ),
                    "code": "VERSION_NOT_SUPPORTED",
                    "details": {"requestedVersion": version, "supportedVersions": [VERSION]},
                }),
            ));
        }
    }
    if request.method != method {
        return Err(Reply::text(405, "method not allowed"));
    }
    Ok(())
}

/// Turns a µEd evaluate body into the legacy command and body; the error is the message of a 400.
fn decode(body: &[u8]) -> Result<(Command, Map<String, Value>), String> {
    let mut root = validate::parse_object(body).map_err(|reason| format!("invalid JSON body: {reason}"))?;
    let mut submission = take_object(&mut root, "submission", "submission")?.unwrap_or_default();
    let kind = match take(&mut submission, "type", "submission.type", "string")? {
        Some(Value::String(kind)) => kind,
        _ => String::new(),
    };
    let content = take_object(&mut submission, "content", "submission.content")?.unwrap_or_default();
    let mut task = take_object(&mut root, "task", "task")?.unwrap_or_default();
    let reference = take_object(&mut task, "referenceSolution", "task.referenceSolution")?;
    let mut configuration = take_object(&mut root, "configuration", "configuration")?.unwrap_or_default();
    let params = take_object(&mut configuration, "params", "configuration.params")?.unwrap_or_default();
    let mut pre_submission =
        take_object(&mut root, "preSubmissionFeedback", "preSubmissionFeedback")?.unwrap_or_default();
    let preview =
        take(&mut pre_submission, "enabled", "preSubmissionFeedback.enabled", "boolean")? == Some(Value::Bool(true));

    let response = extract(content, &kind)
        .ok_or_else(|| format!("submission: could not extract content for submission type {kind}"))?;
    let mut legacy = Map::new();
    legacy.insert("response".to_owned(), response);
    let command = if preview {
        Command::Preview
    } else {
        let reference = reference.ok_or("task.referenceSolution is required for evaluation")?;
        let answer = extract(reference, &kind)
            .ok_or_else(|| format!("referenceSolution: could not extract content for submission type {kind}"))?;
        legacy.insert("answer".to_owned(), answer);
        Command::Eval
    };
    legacy.insert("params".to_owned(), Value::Object(params));
    Ok((command, legacy))
}

/// Removes a field that must be of the `expected` JSON type; absent and `null` both mean "not
/// given".
fn take(map: &mut Map<String, Value>, key: &str, path: &str, expected: &str) -> Result<Option<Value>, String> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) if validate::type_name(&value) == expected => Ok(Some(value)),
        Some(value) => Err(format!("{path}: {}", invalid_type(expected, &value))),
    }
}

/// [`take`] for an object.
fn take_object(map: &mut Map<String, Value>, key: &str, path: &str) -> Result<Option<Map<String, Value>>, String> {
    Ok(match take(map, key, path, "object")? {
        Some(Value::Object(object)) => Some(object),
        _ => None,
    })
}

/// The content value for a submission type: its own key, then `value` (except for `OTHER`, whose
/// key is `value` already, as for any unknown type).
fn extract(mut content: Map<String, Value>, kind: &str) -> Option<Value> {
    let key = match kind {
        "MATH" => "expression",
        "TEXT" => "text",
        "CODE" => "code",
        "MODEL" => "model",
        _ => "value",
    };
    content.remove(key).or_else(|| content.remove("value"))
}

/// The µEd feedback object for a legacy eval result.
fn feedback(mut result: Map<String, Value>) -> Value {
    let mut feedback = Map::new();
    for (from, to) in [("response_latex", "responseLatex"), ("response_simplified", "responseSimplified")] {
        let text = result.remove(from).filter(Value::is_string).unwrap_or_default();
        feedback.insert(to.to_owned(), text);
    }
    if let Some(Value::Bool(correct)) = result.get("is_correct") {
        feedback.insert("awardedPoints".to_owned(), json!(u8::from(*correct)));
    }
    if let Some(message) = result.remove("feedback").filter(Value::is_string) {
        feedback.insert("message".to_owned(), message);
    }
    if let Some(matched) = result.remove("matched_case") {
        feedback.insert("matchedCase".to_owned(), matched);
    }
    if let Some(Value::Array(tags)) = result.remove("tags") {
        let tags = tags.into_iter().filter(Value::is_string).collect();
        feedback.insert("tags".to_owned(), Value::Array(tags));
    }
    Value::Object(feedback)
}

/// A µEd error: `{"title","message","code","details":null}`.
fn error(status: u16, title: &str, message: &str, code: &str) -> Reply {
    json_reply(status, &json!({"title": title, "message": message, "code": code, "details": null}))
}

/// A JSON reply with the version header every µEd JSON reply carries.
fn json_reply(status: u16, body: &Value) -> Reply {
    let mut reply = Reply::json(status, body);
    reply.extra_headers.push(VERSION_HEADER);
    reply
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use crate::protocol::test_support::{body_json, object, send, unreachable_evaluator, Calls};
    use crate::protocol::{Command, EvalFailure, Evaluate, FailureKind, Reply, Settings};

    /// Eval: correct iff response == answer. Preview: echoes the response and params.
    fn compare(command: Command, body: &[u8]) -> Result<Map<String, Value>, EvalFailure> {
        let body: Value = serde_json::from_slice(body).expect("the body is JSON");
        Ok(object(match command {
            Command::Eval => json!({"command": "eval", "result": {
                "is_correct": body["response"] == body["answer"],
                "feedback": if body["response"] == body["answer"] { "Correct!" } else { "Wrong." },
            }}),
            Command::Preview => json!({"command": "preview", "result": {
                "preview": {"latex": body["response"].clone(), "params": body["params"].clone()}}}),
            Command::Healthcheck => json!({"command": "healthcheck", "result": {
                "tests_passed": true, "successes": [], "failures": [], "errors": []}}),
        }))
    }

    fn post(path: &str, headers: &[(&str, &str)], body: &str, evaluate: &mut Evaluate<'_>) -> Reply {
        send("POST", path, headers, body, &Settings::default(), evaluate)
    }

    fn get_health(headers: &[(&str, &str)], evaluate: &mut Evaluate<'_>) -> Reply {
        send("GET", "/evaluate/health", headers, "", &Settings::default(), evaluate)
    }

    fn assert_json(reply: &Reply, status: u16, body: Value) {
        assert_eq!(reply.status, status, "{}", String::from_utf8_lossy(&reply.body));
        assert_eq!(reply.content_type, "application/json");
        assert!(reply.extra_headers.contains(&"X-Api-Version: 0.1.0"), "{:?}", reply.extra_headers);
        assert_eq!(body_json(reply), body);
    }

    fn bad_request(message: &str) -> Value {
        json!({"title": "Bad request", "message": message, "code": "VALIDATION_ERROR", "details": null})
    }

    fn capabilities() -> Value {
        json!({"supportedAPIVersions": ["0.1.0"], "supportsDataPolicy": "NOT_SUPPORTED",
               "supportsEvaluate": true, "supportsFormativeFeedback": true,
               "supportsPreSubmissionFeedback": true, "supportsSummativeFeedback": false})
    }

    #[test]
    fn example_evaluate() {
        let mut evaluate = |command: Command, body: &[u8]| {
            assert_eq!(command, Command::Eval);
            let body: Value = serde_json::from_slice(body).expect("JSON");
            assert_eq!(body, json!({"response": "x^2", "answer": "x^2", "params": {}}));
            Ok(object(json!({"command": "eval", "result": {"is_correct": true, "feedback": "Correct!"}})))
        };
        let reply = post(
            "/evaluate",
            &[],
            r#"{"submission":{"type":"MATH","content":{"expression":"x^2"}},
                "task":{"title":"q1","referenceSolution":{"expression":"x^2"}}}"#,
            &mut evaluate,
        );
        assert_json(
            &reply,
            200,
            json!([{"awardedPoints": 1, "message": "Correct!", "responseLatex": null,
                    "responseSimplified": null}]),
        );
        assert_eq!(reply.extra_headers, vec!["X-Api-Version: 0.1.0"]);
        assert_eq!(reply.command, Some(Command::Eval));
    }

    #[test]
    fn versions_other_than_0_1_0_are_refused() {
        for version in ["0.2.0", "1", "0.1.0 "] {
            let reply = post("/evaluate", &[("X-Api-Version", version)], "not even json", &mut unreachable_evaluator);
            assert_json(
                &reply,
                406,
                json!({
                    "title": "API version not supported",
                    "message": format!("The requested API version '{version}' is not supported. Supported versions are: [0.1.0]."),
                    "code": "VERSION_NOT_SUPPORTED",
                    "details": {"requestedVersion": version, "supportedVersions": ["0.1.0"]},
                }),
            );
            let reply = send(
                "DELETE",
                "/x/evaluate/health",
                &[("x-api-version", version)],
                "",
                &Settings::default(),
                &mut unreachable_evaluator,
            );
            assert_eq!(reply.status, 406);
        }
    }

    #[test]
    fn version_0_1_0_or_none_is_accepted() {
        let body = r#"{"submission":{"type":"TEXT","content":{"text":"a"}},"task":{"referenceSolution":{"text":"a"}}}"#;
        for headers in [vec![], vec![("X-Api-Version", "0.1.0")], vec![("x-api-version", "")]] {
            let reply = post("/evaluate", &headers, body, &mut compare);
            assert_eq!(reply.status, 200);
            let reply = get_health(&headers, &mut compare);
            assert_eq!(reply.status, 200);
        }
    }

    #[test]
    fn the_version_is_checked_before_the_method() {
        let reply =
            send("GET", "/evaluate", &[("X-Api-Version", "2")], "", &Settings::default(), &mut unreachable_evaluator);
        assert_eq!(reply.status, 406);
    }

    #[test]
    fn wrong_methods_are_plain_text_405() {
        for (method, path) in
            [("GET", "/evaluate"), ("PUT", "/f/evaluate"), ("POST", "/evaluate/health"), ("HEAD", "/f/evaluate/health")]
        {
            let reply = send(method, path, &[], "{}", &Settings::default(), &mut unreachable_evaluator);
            assert_eq!(reply.status, 405, "{method} {path}");
            assert_eq!(reply.content_type, "text/plain");
            assert_eq!(reply.body, b"method not allowed");
        }
    }

    #[test]
    fn each_type_reads_its_own_key() {
        for (kind, key) in [
            ("MATH", "expression"),
            ("TEXT", "text"),
            ("CODE", "code"),
            ("MODEL", "model"),
            ("OTHER", "value"),
            ("DIAGRAM", "value"),
        ] {
            // A decoy `value` that must lose against the type's own key.
            let content =
                if key == "value" { json!({"value": "r", "text": "t"}) } else { json!({key: "r", "value": "v"}) };
            let body = json!({"submission": {"type": kind, "content": content},
                              "task": {"referenceSolution": {key: "r"}}});
            let reply = post("/evaluate", &[], &body.to_string(), &mut compare);
            assert_json(
                &reply,
                200,
                json!([{"awardedPoints": 1, "message": "Correct!",
                                               "responseLatex": null, "responseSimplified": null}]),
            );
        }
    }

    #[test]
    fn value_is_the_fallback_except_for_other() {
        for kind in ["MATH", "TEXT", "CODE", "MODEL"] {
            let body = json!({"submission": {"type": kind, "content": {"value": "r"}},
                              "task": {"referenceSolution": {"value": "s"}}});
            let reply = post("/evaluate", &[], &body.to_string(), &mut compare);
            assert_json(
                &reply,
                200,
                json!([{"awardedPoints": 0, "message": "Wrong.",
                                               "responseLatex": null, "responseSimplified": null}]),
            );
        }
        let body = json!({"submission": {"type": "OTHER", "content": {"expression": "r", "text": "r"}},
                          "task": {"referenceSolution": {"value": "s"}}});
        let reply = post("/evaluate", &[], &body.to_string(), &mut unreachable_evaluator);
        assert_json(&reply, 400, bad_request("submission: could not extract content for submission type OTHER"));
    }

    #[test]
    fn missing_content_is_a_bad_request() {
        let cases = [
            (
                json!({"submission": {"type": "MATH", "content": {"text": "x"}}}),
                "submission: could not extract content for submission type MATH",
            ),
            (json!({}), "submission: could not extract content for submission type "),
            (
                json!({"submission": {"type": "TEXT", "content": {"text": "x"}}}),
                "task.referenceSolution is required for evaluation",
            ),
            (
                json!({"submission": {"type": "TEXT", "content": {"text": "x"}}, "task": {"referenceSolution": null}}),
                "task.referenceSolution is required for evaluation",
            ),
            (
                json!({"submission": {"type": "TEXT", "content": {"text": "x"}}, "task": {"referenceSolution": {"code": "y"}}}),
                "referenceSolution: could not extract content for submission type TEXT",
            ),
        ];
        for (body, message) in cases {
            let reply = post("/evaluate", &[], &body.to_string(), &mut unreachable_evaluator);
            assert_json(&reply, 400, bad_request(message));
        }
    }

    #[test]
    fn malformed_bodies_are_bad_requests() {
        let cases = [
            ("", "invalid JSON body: EOF while parsing a value at line 1 column 0"),
            ("[]", "invalid JSON body: Invalid type. Expected: object, given: array"),
            (r#"{"submission":"x"}"#, "submission: Invalid type. Expected: object, given: string"),
            (r#"{"submission":{"type":1}}"#, "submission.type: Invalid type. Expected: string, given: integer"),
            (
                r#"{"submission":{"type":"MATH","content":[]}}"#,
                "submission.content: Invalid type. Expected: object, given: array",
            ),
            (
                r#"{"submission":{"type":"MATH","content":{"value":1}},"task":[]}"#,
                "task: Invalid type. Expected: object, given: array",
            ),
            (
                r#"{"submission":{"type":"MATH","content":{"value":1}},"task":{"referenceSolution":"x"}}"#,
                "task.referenceSolution: Invalid type. Expected: object, given: string",
            ),
            (
                r#"{"submission":{"type":"MATH","content":{"value":1}},"configuration":{"params":[]}}"#,
                "configuration.params: Invalid type. Expected: object, given: array",
            ),
            (
                r#"{"submission":{"type":"MATH","content":{"value":1}},"configuration":1}"#,
                "configuration: Invalid type. Expected: object, given: integer",
            ),
            (
                r#"{"submission":{"type":"MATH","content":{"value":1}},"preSubmissionFeedback":{"enabled":"yes"}}"#,
                "preSubmissionFeedback.enabled: Invalid type. Expected: boolean, given: string",
            ),
        ];
        for (body, message) in cases {
            let reply = post("/evaluate", &[], body, &mut unreachable_evaluator);
            assert_json(&reply, 400, bad_request(message));
        }
    }

    #[test]
    fn unknown_fields_are_ignored_and_params_are_passed_on() {
        let mut calls = Calls::new(compare);
        let body = json!({"submission": {"type": "MATH", "content": {"expression": "a"}, "id": 1},
                          "task": {"referenceSolution": {"expression": "b"}, "title": "t"},
                          "configuration": {"params": {"strict": true}, "other": 1},
                          "preSubmissionFeedback": {"enabled": false},
                          "user": {"id": "u"}});
        let reply = post("/p/evaluate", &[], &body.to_string(), &mut calls.evaluator());
        assert_eq!(reply.status, 200);
        let sent: Value = serde_json::from_str(&calls.bodies()[0]).expect("JSON");
        assert_eq!(sent, json!({"response": "a", "answer": "b", "params": {"strict": true}}));
        assert_eq!(calls.commands(), vec![Command::Eval]);
    }

    #[test]
    fn pre_submission_feedback_runs_a_preview() {
        let mut calls = Calls::new(compare);
        let body = json!({"submission": {"type": "MATH", "content": {"expression": "x^2"}},
                          "configuration": {"params": {"p": 1}},
                          "preSubmissionFeedback": {"enabled": true}});
        let reply = post("/evaluate", &[], &body.to_string(), &mut calls.evaluator());
        assert_json(&reply, 200, json!([{"preSubmissionFeedback": {"preview": {"latex": "x^2", "params": {"p": 1}}}}]));
        assert_eq!(reply.command, Some(Command::Preview));
        assert_eq!(calls.commands(), vec![Command::Preview]);
        let sent: Value = serde_json::from_str(&calls.bodies()[0]).expect("JSON");
        assert_eq!(sent, json!({"response": "x^2", "params": {"p": 1}}));

        let mut calls = Calls::new(compare);
        let body = json!({"submission": {"type": "TEXT", "content": {"text": "t"}},
                          "preSubmissionFeedback": {"enabled": true}});
        let reply = post("/evaluate", &[], &body.to_string(), &mut calls.evaluator());
        assert_json(&reply, 200, json!([{"preSubmissionFeedback": {"preview": {"latex": "t", "params": {}}}}]));
    }

    #[test]
    fn legacy_failures_pass_through_with_their_status() {
        let body = json!({"submission": {"type": "MATH", "content": {"expression": null}},
                          "task": {"referenceSolution": {"expression": "x"}}});
        let reply = post("/evaluate", &[], &body.to_string(), &mut unreachable_evaluator);
        assert_json(
            &reply,
            422,
            json!({"error": {"message": "request validation error",
                                                   "fields": {"response": ["must not be null"]}}}),
        );

        let body = json!({"submission": {"type": "MATH", "content": {"expression": "y"}},
                          "task": {"referenceSolution": {"expression": "x"}}});
        let guest = json!({"error": {"message": "Failed to parse", "detail": "d"}});
        let reply = post("/evaluate", &[], &body.to_string(), &mut |_, _| Ok(object(guest.clone())));
        assert_json(&reply, 500, guest);

        let reply = post("/evaluate", &[], &body.to_string(), &mut |_, _| {
            Err(EvalFailure { kind: FailureKind::Overloaded, message: "busy".to_owned() })
        });
        assert_json(&reply, 503, json!({"error": {"message": "busy"}}));
        assert!(reply.extra_headers.contains(&"Retry-After: 1"));

        let reply = post("/evaluate", &[], &body.to_string(), &mut |_, _| {
            Ok(object(json!({"command": "eval", "result": {"feedback": "no verdict"}})))
        });
        assert_json(
            &reply,
            500,
            json!({"error": {"message": "response validation error",
                                                   "fields": {"result": ["is_correct is required"]}}}),
        );
    }

    #[test]
    fn the_feedback_object_maps_result_keys() {
        let result = json!({"is_correct": false, "feedback": "Not quite.", "matched_case": 2,
                            "response_latex": "x^{2}", "response_simplified": "x**2",
                            "tags": ["a", 1, "b", null], "warnings": []});
        let mut evaluate = |_: Command, _: &[u8]| Ok(object(json!({"command": "eval", "result": result})));
        let body = json!({"submission": {"type": "MATH", "content": {"expression": "y"}},
                          "task": {"referenceSolution": {"expression": "x"}}});
        let reply = post("/evaluate", &[], &body.to_string(), &mut evaluate);
        assert_json(
            &reply,
            200,
            json!([{"awardedPoints": 0, "message": "Not quite.", "matchedCase": 2,
                                          "responseLatex": "x^{2}", "responseSimplified": "x**2",
                                          "tags": ["a", "b"]}]),
        );
    }

    #[test]
    fn non_string_feedback_latex_and_tags_are_left_out() {
        let result = json!({"is_correct": true, "feedback": {"k": 1}, "response_latex": 1,
                            "response_simplified": ["x"], "tags": "a"});
        let mut evaluate = |_: Command, _: &[u8]| Ok(object(json!({"command": "eval", "result": result})));
        let body = json!({"submission": {"type": "MATH", "content": {"expression": "y"}},
                          "task": {"referenceSolution": {"expression": "x"}}});
        let reply = post("/evaluate", &[], &body.to_string(), &mut evaluate);
        assert_json(&reply, 200, json!([{"awardedPoints": 1, "responseLatex": null, "responseSimplified": null}]));
    }

    #[test]
    fn cases_run_for_mued_evaluations() {
        let body = json!({"submission": {"type": "TEXT", "content": {"text": "yes"}},
                          "task": {"referenceSolution": {"text": "world"}},
                          "configuration": {"params": {"cases": [
                              {"answer": "hello", "feedback": "case 0"},
                              {"answer": "yes", "feedback": "case 1", "mark": 1}]}}});
        let reply = post("/evaluate", &[], &body.to_string(), &mut compare);
        assert_json(
            &reply,
            200,
            json!([{"awardedPoints": 1, "message": "case 1", "matchedCase": 1,
                                          "responseLatex": null, "responseSimplified": null}]),
        );
    }

    #[test]
    fn health_reports_ok_with_capabilities() {
        let mut calls = Calls::new(compare);
        let reply = get_health(&[], &mut calls.evaluator());
        assert_json(&reply, 200, json!({"status": "OK", "capabilities": capabilities()}));
        assert_eq!(calls.commands(), vec![Command::Healthcheck]);
        assert_eq!(calls.bodies(), vec!["{}".to_owned()]);
        assert_eq!(reply.command, Some(Command::Healthcheck));
    }

    #[test]
    fn health_reports_degraded_when_tests_fail() {
        let mut evaluate = |_: Command, _: &[u8]| {
            Ok(object(json!({"command": "healthcheck", "result": {
                "tests_passed": false, "successes": [], "failures": ["t"], "errors": []}})))
        };
        let reply = get_health(&[], &mut evaluate);
        assert_json(&reply, 200, json!({"status": "DEGRADED", "capabilities": capabilities()}));
    }

    #[test]
    fn health_without_self_tests_is_ok() {
        for guest in [
            json!({"error": {"message": "unsupported method"}}),
            json!({"command": "eval", "result": {"is_correct": true}}),
        ] {
            let reply = get_health(&[], &mut |_, _| Ok(object(guest.clone())));
            assert_json(&reply, 200, json!({"status": "OK", "capabilities": capabilities()}));
        }
    }

    #[test]
    fn health_fails_when_the_evaluator_fails() {
        for kind in [FailureKind::Failed, FailureKind::Overloaded] {
            let reply = get_health(&[], &mut |_, _| Err(EvalFailure { kind, message: "trap".to_owned() }));
            assert_json(
                &reply,
                500,
                json!({"title": "Internal server error", "message": "health check failed",
                                            "code": "INTERNAL_ERROR", "details": null}),
            );
        }
    }
}
