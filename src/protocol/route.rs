//! The entry point: routes (http-api.md §1) and auth, then the legacy or µEd handler.

use super::{auth, error, legacy, mued, Evaluate, Reply, Request, Settings};

/// Handles one request end to end: routing, auth, method, command, body, validation, evaluation,
/// reply validation, cases and the µEd mapping. The http layer only frames bytes around it.
pub fn handle(request: &Request, settings: &Settings, evaluate: &mut Evaluate<'_>) -> Reply {
    if request.path == "/health" {
        return liveness();
    }
    if !auth::authorized(request, settings) {
        return error::unauthorized();
    }
    if request.path.ends_with("/evaluate/health") {
        mued::health(request, evaluate)
    } else if request.path.ends_with("/evaluate") {
        mued::evaluate(request, evaluate)
    } else {
        legacy::handle(request, evaluate)
    }
}

/// `/health`: the process is up. No auth, no evaluator.
fn liveness() -> Reply {
    Reply {
        status: 200,
        content_type: "application/json",
        extra_headers: Vec::new(),
        body: b"{\"status\":\"ok\"}\n".to_vec(),
        command: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use crate::protocol::test_support::{body_json, object, send, unreachable_evaluator, Calls};
    use crate::protocol::{Command, EvalFailure, Settings};

    fn keyed() -> Settings {
        Settings { auth_key: Some("s3cret".to_owned()) }
    }

    fn accept_all(command: Command, _: &[u8]) -> Result<Map<String, Value>, EvalFailure> {
        Ok(object(match command {
            Command::Eval => json!({"command": "eval", "result": {"is_correct": true}}),
            Command::Preview => json!({"command": "preview", "result": {"preview": {}}}),
            Command::Healthcheck => json!({"command": "healthcheck", "result": {
                "tests_passed": true, "successes": [], "failures": [], "errors": []}}),
        }))
    }

    #[test]
    fn health_is_exact_unauthenticated_and_never_evaluates() {
        for method in ["GET", "POST", "HEAD", "DELETE"] {
            let reply = send(method, "/health", &[], "junk", &keyed(), &mut unreachable_evaluator);
            assert_eq!(reply.status, 200);
            assert_eq!(reply.content_type, "application/json");
            assert!(reply.extra_headers.is_empty());
            assert_eq!(reply.body, b"{\"status\":\"ok\"}\n");
            assert_eq!(reply.command, None);
        }
    }

    #[test]
    fn only_the_exact_health_path_is_liveness() {
        for path in ["/health/", "/x/health", "/Health"] {
            let reply = send("GET", path, &[], "", &Settings::default(), &mut unreachable_evaluator);
            assert_eq!(reply.status, 405, "{path}");
        }
    }

    #[test]
    fn every_other_route_needs_the_key() {
        let routes = [
            ("POST", "/"),
            ("GET", "/"),
            ("POST", "/a/b"),
            ("POST", "/evaluate"),
            ("GET", "/evaluate"),
            ("GET", "/fn/evaluate/health"),
            ("POST", "/evaluate/health"),
        ];
        for (method, path) in routes {
            for headers in [vec![], vec![("api-key", "wrong")], vec![("api-key", "s3cret ")]] {
                let reply = send(method, path, &headers, "{}", &keyed(), &mut unreachable_evaluator);
                assert_eq!(reply.status, 401, "{method} {path}");
                assert_eq!(reply.content_type, "text/plain");
                assert_eq!(reply.body, b"unauthorized");
                assert!(reply.extra_headers.is_empty());
            }
        }
    }

    #[test]
    fn auth_comes_before_the_version_check() {
        let reply =
            send("POST", "/evaluate", &[("X-Api-Version", "9.9.9")], "{}", &keyed(), &mut unreachable_evaluator);
        assert_eq!(reply.status, 401);
    }

    #[test]
    fn the_right_key_in_any_header_case_passes() {
        for name in ["api-key", "Api-Key", "API-KEY"] {
            let mut calls = Calls::new(accept_all);
            let reply = send(
                "POST",
                "/",
                &[(name, "s3cret")],
                r#"{"response":1,"answer":1}"#,
                &keyed(),
                &mut calls.evaluator(),
            );
            assert_eq!(reply.status, 200, "{name}");
            assert_eq!(calls.count(), 1);
        }
    }

    #[test]
    fn suffix_routing() {
        let evaluate_body =
            r#"{"submission":{"type":"TEXT","content":{"text":"a"}},"task":{"referenceSolution":{"text":"a"}}}"#;
        let cases = [
            ("POST", "/evaluate", evaluate_body, Command::Eval),
            ("POST", "/compareSets/evaluate", evaluate_body, Command::Eval),
            ("POST", "/a/b/evaluate", evaluate_body, Command::Eval),
            ("GET", "/evaluate/health", "", Command::Healthcheck),
            ("GET", "/compareSets/evaluate/health", "", Command::Healthcheck),
        ];
        for (method, path, body, command) in cases {
            let mut calls = Calls::new(accept_all);
            let reply = send(method, path, &[], body, &Settings::default(), &mut calls.evaluator());
            assert_eq!(reply.status, 200, "{path}");
            assert!(reply.extra_headers.contains(&"X-Api-Version: 0.1.0"), "{path}");
            assert_eq!(calls.commands(), vec![command], "{path}");
        }
    }

    #[test]
    fn other_paths_are_legacy() {
        let paths = ["/", "/eval", "/evaluate/", "/myevaluate", "/evaluate/x", "/evaluate/healthz"];
        for path in paths {
            let mut calls = Calls::new(accept_all);
            let reply =
                send("POST", path, &[], r#"{"response":1,"answer":1}"#, &Settings::default(), &mut calls.evaluator());
            assert_eq!(reply.status, 200, "{path}");
            assert!(reply.extra_headers.is_empty(), "{path}");
            assert_eq!(body_json(&reply), json!({"command": "eval", "result": {"is_correct": true}}));
        }
    }
}
