//! The legacy command API (http-api.md §2), after auth: method, command, body, then the pipeline.

use super::pipeline::{self, Rejection};
use super::{error, validate, Command, Evaluate, Reply, Request};

/// Steps 2–9 for one request on a legacy path.
pub(super) fn handle(request: &Request, evaluate: &mut Evaluate<'_>) -> Reply {
    if request.method != "POST" {
        return error::error_reply(405, "invalid method");
    }
    let Some(command) = Command::from_header(request.header("command")) else {
        return error::error_reply(400, "invalid command");
    };
    let bytes = match request.body {
        body if command == Command::Healthcheck && body.trim_ascii().is_empty() => b"{}",
        body => body,
    };
    let mut reply = match validate::parse_object(bytes) {
        Err(reason) => error::error_reply(400, &format!("invalid JSON body: {reason}")),
        Ok(body) => {
            let outcome = match command {
                Command::Eval => pipeline::eval(&body, bytes, evaluate),
                Command::Preview => pipeline::run(command, &body, bytes, evaluate),
                Command::Healthcheck => pipeline::healthcheck(bytes, evaluate).map_err(Rejection::Evaluator),
            };
            match outcome {
                Ok(result) => pipeline::success(command, result),
                Err(rejection) => rejection.into_reply(),
            }
        }
    };
    reply.command = Some(command);
    reply
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use crate::protocol::test_support::{body_json, call, object, send, unreachable_evaluator, Calls};
    use crate::protocol::{Command, EvalFailure, FailureKind, Settings};

    /// The evaluator behind http-api.md §6.
    fn example_evaluator(command: Command, body: &[u8]) -> Result<Map<String, Value>, EvalFailure> {
        let body: Value = serde_json::from_slice(body).expect("the body is JSON");
        Ok(object(match command {
            Command::Eval => json!({"command": "eval", "result": {
                "is_correct": body["params"]["strict"] == true, "feedback": "Correct!"}}),
            Command::Preview => {
                json!({"command": "preview", "result": {"preview": {"latex": "x^{2}"}}})
            }
            Command::Healthcheck => json!({"command": "healthcheck", "result": {
                "tests_passed": true, "successes": [], "failures": [], "errors": []}}),
        }))
    }

    fn failing(kind: FailureKind) -> Result<Map<String, Value>, EvalFailure> {
        Err(EvalFailure { kind, message: "evaluation exceeded its CPU budget".to_owned() })
    }

    const DEFAULT_HEALTH: &str =
        r#"{"command":"healthcheck","result":{"tests_passed":true,"successes":[],"failures":[],"errors":[]}}"#;

    fn default_health() -> Value {
        serde_json::from_str(DEFAULT_HEALTH).expect("JSON")
    }

    #[test]
    fn example_eval() {
        let (status, body) = call(
            "POST",
            "/",
            &[("command", "eval")],
            r#"{"response":"2x","answer":"2*x","params":{"strict":true}}"#,
            &mut example_evaluator,
        );
        assert_eq!(status, 200);
        assert_eq!(body, json!({"command": "eval", "result": {"is_correct": true, "feedback": "Correct!"}}));
    }

    #[test]
    fn example_preview() {
        let (status, body) =
            call("POST", "/", &[("command", "preview")], r#"{"response":"x^2"}"#, &mut example_evaluator);
        assert_eq!(status, 200);
        assert_eq!(body, json!({"command": "preview", "result": {"preview": {"latex": "x^{2}"}}}));
    }

    #[test]
    fn example_healthcheck() {
        let (status, body) = call("POST", "/", &[("command", "healthcheck")], "{}", &mut example_evaluator);
        assert_eq!(status, 200);
        assert_eq!(body, default_health());
    }

    #[test]
    fn example_get_is_an_invalid_method() {
        for method in ["GET", "PUT", "DELETE", "post"] {
            let (status, body) = call(method, "/", &[], "", &mut unreachable_evaluator);
            assert_eq!(status, 405);
            assert_eq!(body, json!({"error": {"message": "invalid method"}}));
        }
    }

    #[test]
    fn example_missing_answer() {
        let (status, body) = call("POST", "/", &[], r#"{"response":"x"}"#, &mut unreachable_evaluator);
        assert_eq!(status, 422);
        assert_eq!(
            body,
            json!({"error": {"message": "request validation error",
                             "fields": {"(root)": ["answer is required"]}}})
        );
    }

    #[test]
    fn the_reply_records_the_command() {
        let reply = send(
            "POST",
            "/",
            &[("Command", "PREVIEW")],
            r#"{"response":"x^2"}"#,
            &Settings::default(),
            &mut example_evaluator,
        );
        assert_eq!(reply.status, 200);
        assert_eq!(reply.content_type, "application/json");
        assert!(reply.extra_headers.is_empty());
        assert_eq!(reply.command, Some(Command::Preview));

        let reply = send("GET", "/", &[], "", &Settings::default(), &mut unreachable_evaluator);
        assert_eq!(reply.command, None);
    }

    #[test]
    fn the_command_header_decides_and_the_path_is_ignored() {
        let cases = [
            ("/", vec![], Command::Eval),
            ("/preview", vec![("command", "")], Command::Eval),
            ("/a/b", vec![("Command", "Preview")], Command::Preview),
            ("/eval", vec![("COMMAND", "HEALTHCHECK")], Command::Healthcheck),
        ];
        for (path, headers, expected) in cases {
            let mut calls = Calls::new(example_evaluator);
            let body =
                if expected == Command::Preview { r#"{"response":"x"}"# } else { r#"{"response":"x","answer":"y"}"# };
            let (status, _) = call("POST", path, &headers, body, &mut calls.evaluator());
            assert_eq!(status, 200, "{path}");
            assert_eq!(calls.commands(), vec![expected], "{path}");
        }
    }

    #[test]
    fn an_unknown_command_is_rejected_before_the_body() {
        let (status, body) = call("POST", "/", &[("command", "grade")], "not json", &mut unreachable_evaluator);
        assert_eq!(status, 400);
        assert_eq!(body, json!({"error": {"message": "invalid command"}}));
    }

    #[test]
    fn the_body_must_be_a_json_object() {
        let cases = [
            ("", "EOF while parsing a value at line 1 column 0"),
            ("nope", "expected ident at line 1 column 2"),
            ("[1]", "Invalid type. Expected: object, given: array"),
            ("\"s\"", "Invalid type. Expected: object, given: string"),
            ("{\"response\":1", "EOF while parsing an object at line 1 column 13"),
        ];
        for command in ["eval", "preview", "healthcheck"] {
            for (body, reason) in cases {
                if command == "healthcheck" && body.is_empty() {
                    continue;
                }
                let (status, reply) = call("POST", "/", &[("command", command)], body, &mut unreachable_evaluator);
                assert_eq!(status, 400, "{command} {body}");
                assert_eq!(reply, json!({"error": {"message": format!("invalid JSON body: {reason}")}}));
            }
        }
    }

    #[test]
    fn the_body_is_sent_verbatim() {
        let body = "{ \"answer\" : 1.50, \"response\":\"\\u00e9\" }\n";
        let mut calls = Calls::new(|_, _| Ok(object(json!({"command": "eval", "result": {"is_correct": true}}))));
        let (status, _) = call("POST", "/", &[], body, &mut calls.evaluator());
        assert_eq!(status, 200);
        assert_eq!(calls.bodies(), vec![body.to_owned()]);
    }

    #[test]
    fn preview_rejects_an_answer() {
        let (status, body) = call(
            "POST",
            "/",
            &[("command", "preview")],
            r#"{"response":"x","answer":"y"}"#,
            &mut unreachable_evaluator,
        );
        assert_eq!(status, 422);
        assert_eq!(
            body,
            json!({"error": {"message": "request validation error",
                             "fields": {"(root)": ["Additional property answer is not allowed"]}}})
        );
    }

    #[test]
    fn eval_validation_reports_all_fields() {
        let (status, body) =
            call("POST", "/", &[], r#"{"response":null,"answer":"a","params":"p","x":1}"#, &mut unreachable_evaluator);
        assert_eq!(status, 422);
        assert_eq!(
            body,
            json!({"error": {"message": "request validation error", "fields": {
                "(root)": ["Additional property x is not allowed"],
                "response": ["must not be null"],
                "params": ["Invalid type. Expected: object, given: string"],
            }}})
        );
    }

    #[test]
    fn evaluator_failures_are_500_and_overload_is_503() {
        let reply = send("POST", "/", &[], r#"{"response":1,"answer":1}"#, &Settings::default(), &mut |_, _| {
            failing(FailureKind::Failed)
        });
        assert_eq!(reply.status, 500);
        assert!(reply.extra_headers.is_empty());
        assert_eq!(body_json(&reply), json!({"error": {"message": "evaluation exceeded its CPU budget"}}));
        assert_eq!(reply.command, Some(Command::Eval));

        let reply =
            send("POST", "/", &[("command", "preview")], r#"{"response":1}"#, &Settings::default(), &mut |_, _| {
                failing(FailureKind::Overloaded)
            });
        assert_eq!(reply.status, 503);
        assert_eq!(reply.extra_headers, vec!["Retry-After: 1"]);
        assert_eq!(body_json(&reply), json!({"error": {"message": "evaluation exceeded its CPU budget"}}));
    }

    #[test]
    fn a_guest_error_is_500_with_its_fields() {
        let error = json!({"message": "An exception was raised while executing the evaluation function.",
                           "detail": "Answer must be a number.", "error_thrown": {"type": "X"}});
        let reply = json!({ "error": error });
        let requests =
            [("eval", r#"{"response":1,"answer":2,"params":{}}"#), ("preview", r#"{"response":1,"params":{}}"#)];
        for (command, request) in requests {
            let mut evaluate = |_: Command, _: &[u8]| Ok(object(reply.clone()));
            let (status, body) = call("POST", "/", &[("command", command)], request, &mut evaluate);
            assert_eq!(status, 500, "{command}");
            assert_eq!(body, reply, "{command}");
        }
    }

    #[test]
    fn an_invalid_reply_is_a_response_validation_error() {
        let cases = [
            (json!({"command": "eval"}), json!({"(root)": ["result is required"]})),
            (
                json!({"command": "preview", "result": {"is_correct": true}}),
                json!({"command": ["command does not match: \"eval\""]}),
            ),
            (
                json!({"command": "eval", "result": {"is_correct": 1}}),
                json!({"result.is_correct": ["Invalid type. Expected: boolean, given: integer"]}),
            ),
            (json!({"error": {"msg": "x"}}), json!({"error": ["message is required"]})),
        ];
        for (reply, fields) in cases {
            let mut evaluate = |_: Command, _: &[u8]| Ok(object(reply.clone()));
            let (status, body) = call("POST", "/", &[], r#"{"response":1,"answer":2}"#, &mut evaluate);
            assert_eq!(status, 500, "{reply}");
            assert_eq!(body, json!({"error": {"message": "response validation error", "fields": fields}}));
        }
    }

    #[test]
    fn an_invalid_preview_reply_is_a_response_validation_error() {
        let mut evaluate = |_: Command, _: &[u8]| Ok(object(json!({"command": "preview", "result": {}})));
        let (status, body) = call("POST", "/", &[("command", "preview")], r#"{"response":1}"#, &mut evaluate);
        assert_eq!(status, 500);
        assert_eq!(
            body,
            json!({"error": {"message": "response validation error",
                             "fields": {"result": ["preview is required"]}}})
        );
    }

    #[test]
    fn healthcheck_treats_an_empty_body_as_an_empty_object() {
        for body in ["", "  \r\n"] {
            let mut calls = Calls::new(example_evaluator);
            let (status, reply) = call("POST", "/", &[("command", "healthcheck")], body, &mut calls.evaluator());
            assert_eq!(status, 200);
            assert_eq!(reply, default_health());
            assert_eq!(calls.bodies(), vec!["{}".to_owned()]);
        }
    }

    #[test]
    fn healthcheck_bodies_are_not_validated() {
        let mut calls = Calls::new(example_evaluator);
        let body = r#"{"anything":[null]}"#;
        let (status, _) = call("POST", "/", &[("command", "healthcheck")], body, &mut calls.evaluator());
        assert_eq!(status, 200);
        assert_eq!(calls.bodies(), vec![body.to_owned()]);
    }

    #[test]
    fn healthcheck_returns_the_guest_result_when_valid() {
        let reply = json!({"command": "healthcheck", "result": {
            "tests_passed": false, "successes": [], "failures": [{"name": "t1"}], "errors": ["e"]}});
        let mut evaluate = |_: Command, _: &[u8]| Ok(object(reply.clone()));
        let (status, body) = call("POST", "/", &[("command", "healthcheck")], "{}", &mut evaluate);
        assert_eq!(status, 200);
        assert_eq!(body, reply);
    }

    #[test]
    fn healthcheck_without_self_tests_passes() {
        let replies = [
            json!({"command": "eval", "result": {"is_correct": true}}),
            json!({"error": {"message": "unsupported method"}}),
            json!({"error": {"message": "preview not supported"}}),
            json!({"command": "healthcheck", "result": {"tests_passed": true}}),
            json!({"something": "else"}),
        ];
        for reply in replies {
            let mut evaluate = |_: Command, _: &[u8]| Ok(object(reply.clone()));
            let (status, body) = call("POST", "/", &[("command", "healthcheck")], "{}", &mut evaluate);
            assert_eq!(status, 200, "{reply}");
            assert_eq!(body, default_health(), "{reply}");
        }
    }

    #[test]
    fn healthcheck_fails_when_the_evaluator_fails() {
        let (status, body) =
            call("POST", "/", &[("command", "healthcheck")], "", &mut |_, _| failing(FailureKind::Failed));
        assert_eq!(status, 500);
        assert_eq!(body, json!({"error": {"message": "evaluation exceeded its CPU budget"}}));

        let reply = send("POST", "/", &[("command", "healthcheck")], "", &Settings::default(), &mut |_, _| {
            failing(FailureKind::Overloaded)
        });
        assert_eq!(reply.status, 503);
        assert_eq!(reply.extra_headers, vec!["Retry-After: 1"]);
        assert_eq!(reply.command, Some(Command::Healthcheck));
    }
}
