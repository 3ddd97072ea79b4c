//! The HTTP contract of /work/shared/spec/http-api.md, row by row, against the real binary: the embedded compare
//! evaluator (examples/README.md) wherever a working evaluator is needed, the hostile fixture
//! (tests/fixtures/hostile.wat) wherever the evaluator has to fail. Every reply is checked exactly: status,
//! content type, the headers that matter and the whole body parsed as JSON.

mod common;

use common::{fixture_module, read_reply, request, Reply, Server};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/// The embedded compare evaluator (no FUNCTION_WASM_MODULE).
fn compare_server(env: &[(&str, &str)]) -> Server {
    let mut all = vec![("FUNCTION_MAX_PROCS", "2")];
    all.extend_from_slice(env);
    Server::start(&all)
}

/// The hostile fixture: a guest that misbehaves on demand (`#<letter>` in the request).
fn hostile_server(env: &[(&str, &str)]) -> Server {
    let module = fixture_module("hostile.wat");
    let mut all = vec![("FUNCTION_WASM_MODULE", module.as_str()), ("FUNCTION_MAX_PROCS", "2")];
    all.extend_from_slice(env);
    Server::start(&all)
}

/// `POST /` with an optional `command` header and a JSON body.
fn legacy(server: &Server, command: Option<&str>, body: &Value) -> Reply {
    let headers: Vec<(&str, &str)> = command.map(|c| ("command", c)).into_iter().collect();
    server.post("/", &headers, body.to_string().as_bytes())
}

/// The media type of a reply, without parameters such as `charset`.
fn media_type(reply: &Reply) -> &str {
    reply.header("Content-Type").unwrap_or_default().split(';').next().unwrap_or_default().trim()
}

/// A JSON reply with exactly this status and body.
#[track_caller]
fn assert_json(reply: &Reply, status: u16, body: Value) {
    assert_eq!(reply.status, status, "body: {}", reply.text());
    assert_eq!(reply.header("Content-Type"), Some("application/json"), "{reply:?}");
    assert_eq!(reply.json(), body);
}

/// `assert_json` with a message, for loops.
#[track_caller]
fn assert_json_msg(reply: &Reply, status: u16, body: Value, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text());
    assert_eq!(reply.header("Content-Type"), Some("application/json"), "{what}");
    assert_eq!(reply.json(), body, "{what}");
}

/// A µEd JSON reply: exactly this status and body, and the version header.
#[track_caller]
fn assert_mued_json(reply: &Reply, status: u16, body: Value) {
    assert_json(reply, status, body);
    assert_eq!(reply.header("X-Api-Version"), Some("0.1.0"), "{reply:?}");
}

/// A plain-text reply with exactly this status and body.
#[track_caller]
fn assert_text(reply: &Reply, status: u16, body: &str) {
    assert_eq!(reply.status, status, "body: {}", reply.text());
    assert_eq!(media_type(reply), "text/plain", "{reply:?}");
    assert_eq!(reply.text(), body);
}

fn correct() -> Value {
    json!({"command": "eval", "result": {"is_correct": true, "feedback": "Correct!"}})
}

fn incorrect() -> Value {
    json!({"command": "eval", "result": {"is_correct": false, "feedback": "Incorrect."}})
}

/// The compare evaluator's own healthcheck result: its four self-tests, all passing.
fn compare_healthcheck() -> Value {
    json!({"command": "healthcheck", "result": {
        "tests_passed": true,
        "successes": [{"name": "integer equals float"}, {"name": "tolerance"}, {"name": "case folding"},
                      {"name": "arrays"}],
        "failures": [], "errors": []}})
}

/// What an evaluator without self-tests gets for a healthcheck.
fn default_healthcheck() -> Value {
    json!({"command": "healthcheck", "result": {"tests_passed": true, "successes": [], "failures": [], "errors": []}})
}

fn mued_health_ok() -> Value {
    json!({"status": "OK", "capabilities": {
        "supportedAPIVersions": ["0.1.0"], "supportsDataPolicy": "NOT_SUPPORTED", "supportsEvaluate": true,
        "supportsFormativeFeedback": true, "supportsPreSubmissionFeedback": true, "supportsSummativeFeedback": false}})
}

fn mued_bad_request(message: &str) -> Value {
    json!({"title": "Bad request", "message": message, "code": "VALIDATION_ERROR", "details": null})
}

fn mued_feedback(points: u8, message: &str) -> Value {
    json!([{"awardedPoints": points, "message": message, "responseLatex": null, "responseSimplified": null}])
}

/// A µEd evaluate body: a submission and a reference solution of one type.
fn mued_eval_body(kind: &str, content: Value, reference: Value) -> Value {
    json!({"submission": {"type": kind, "content": content}, "task": {"title": "q", "referenceSolution": reference}})
}

/// The replies of the scripted guest, one per command.
fn scripted_replies() -> [(&'static str, Value); 3] {
    [
        (
            "eval",
            json!({"command": "eval", "result": {"is_correct": true, "feedback": {"rich": [1, 2]},
                   "response_latex": "x^{2}", "response_simplified": "x**2", "tags": ["a", 1, "b", null]}}),
        ),
        ("preview", json!({"error": {"message": "boom", "error_thrown": {"type": "ValueError", "args": ["x"]}}})),
        (
            "healthcheck",
            json!({"command": "healthcheck", "result": {"tests_passed": false, "successes": [{"name": "ok"}],
                   "failures": [{"name": "t", "expected": true, "got": false}], "errors": []}}),
        ),
    ]
}

/// A guest that answers each command with a fixed reply (`scripted_replies`), built here from WAT: what neither
/// the compare evaluator nor the hostile fixture produce (a guest error with extra fields, failing self-tests,
/// `response_latex`/`response_simplified`/`tags`, an object feedback).
fn scripted_server() -> Server {
    let mut data = String::new();
    let mut offsets = Vec::new();
    let mut at = 1024;
    for (_, reply) in scripted_replies() {
        let bytes = reply.to_string().into_bytes();
        let framed: Vec<u8> = (bytes.len() as u32).to_le_bytes().into_iter().chain(bytes).collect();
        let escaped: String = framed.iter().map(|b| format!("\\{b:02x}")).collect();
        data.push_str(&format!("  (data (i32.const {at}) \"{escaped}\")\n"));
        offsets.push(at);
        at += framed.len() + 16;
    }
    // The envelope starts `{"method":"`: byte 11 is the first letter of the command.
    let wat = format!(
        r#"(module
  (memory (export "memory") 2)
  (func (export "alloc") (param i32) (result i32) (i32.const 65536))
  (func (export "evaluate") (param $ptr i32) (param $len i32) (result i32)
    (local $letter i32)
    (local.set $letter (i32.load8_u offset=11 (local.get $ptr)))
    (if (i32.eq (local.get $letter) (i32.const 101)) (then (return (i32.const {}))))
    (if (i32.eq (local.get $letter) (i32.const 112)) (then (return (i32.const {}))))
    (i32.const {}))
{data})"#,
        offsets[0], offsets[1], offsets[2]
    );
    let bytes = wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"));
    // One file per server: tests run in parallel and each removes its own file once loaded.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("wasmshim-{}-scripted-{n}.wasm", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let module = path.display().to_string();
    let server = Server::start(&[("FUNCTION_WASM_MODULE", module.as_str()), ("FUNCTION_MAX_PROCS", "1")]);
    // Loaded at startup: the file is no longer needed.
    let _ = std::fs::remove_file(&path);
    server
}

fn post_json(server: &Server, path: &str, body: &Value) -> Reply {
    server.post(path, &[], body.to_string().as_bytes())
}

/// A normal hostile request succeeds from a clean instance (both counters 1).
#[track_caller]
fn assert_hostile_clean(server: &Server) {
    let reply = legacy(server, None, &json!({"response": 1, "answer": 1}));
    assert_json(
        &reply,
        200,
        json!({"command": "eval", "result": {"is_correct": true, "feedback": "ok", "global": 1, "static": 1}}),
    );
}

/// Sends the hostile endless loop on a new connection without reading the reply; the caller keeps the stream.
fn start_loop(server: &Server) -> std::net::TcpStream {
    let mut stream = server.connect();
    let body = json!({"response": "#l", "answer": 1}).to_string();
    stream.write_all(&request("POST", "/", &[], body.as_bytes())).unwrap();
    stream
}

// ---------------------------------------------------------------------------------------------------------------
// §1 /health

#[test]
fn health_is_200_json_ok_newline_for_any_method_without_auth() {
    let server = compare_server(&[("AUTH_KEY", "s3cret")]);
    for method in ["GET", "POST", "PUT", "DELETE"] {
        let mut stream = server.connect();
        stream.write_all(&request(method, "/health", &[], b"junk")).unwrap();
        let reply = read_reply(&mut stream).expect("a reply");
        assert_eq!(reply.status, 200, "{method}");
        assert_eq!(reply.header("Content-Type"), Some("application/json"));
        assert_eq!(reply.body, b"{\"status\":\"ok\"}\n", "{method}");
    }
    // Only the exact path is liveness: anything else is the legacy API (and needs the key).
    assert_text(&server.get("/health/", &[]), 401, "unauthorized");
    assert_text(&server.get("/x/health", &[]), 401, "unauthorized");
}

#[test]
fn health_ignores_the_query_string() {
    let server = compare_server(&[]);
    let reply = server.get("/health?probe=1", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"{\"status\":\"ok\"}\n");
}

#[test]
fn health_never_touches_the_guest_even_when_every_instance_loops() {
    let server = hostile_server(&[
        ("FUNCTION_MAX_PROCS", "1"),
        ("FUNCTION_WASM_FUEL", "100000000000"),
        ("FUNCTION_WORKER_SEND_TIMEOUT", "5s"),
        ("FUNCTION_QUEUE_TIMEOUT", "100ms"),
    ]);
    let _looping = start_loop(&server);
    // Wait until the loop holds the only instance: an eval then gets 503.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let reply = legacy(&server, None, &json!({"response": 1, "answer": 1}));
        if reply.status == 503 {
            break;
        }
        assert!(Instant::now() < deadline, "the loop never occupied the instance: {reply:?}");
    }
    for _ in 0..5 {
        let started = Instant::now();
        let reply = server.get("/health", &[]);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, b"{\"status\":\"ok\"}\n");
        assert!(started.elapsed() < Duration::from_millis(100), "/health took {:?}", started.elapsed());
    }
}

// ---------------------------------------------------------------------------------------------------------------
// §2 step 1: auth

#[test]
fn auth_on_a_missing_or_wrong_key_is_401_text_plain_unauthorized_on_every_route() {
    let server = compare_server(&[("AUTH_KEY", "s3cret")]);
    let routes =
        [("POST", "/"), ("GET", "/"), ("POST", "/a/b"), ("POST", "/fn/evaluate"), ("GET", "/fn/evaluate/health")];
    for (method, path) in routes {
        for headers in [vec![], vec![("api-key", "wrong")], vec![("api-key", "S3CRET")], vec![("apikey", "s3cret")]] {
            let mut stream = server.connect();
            stream.write_all(&request(method, path, &headers, b"{}")).unwrap();
            let reply = read_reply(&mut stream).expect("a reply");
            assert_text(&reply, 401, "unauthorized");
        }
    }
    // Auth comes before the µEd version check.
    assert_text(&server.post("/evaluate", &[("X-Api-Version", "9.9.9")], b"{}"), 401, "unauthorized");
}

#[test]
fn auth_on_the_right_key_passes_whatever_the_header_name_case() {
    let server = compare_server(&[("AUTH_KEY", "s3cret")]);
    let body = json!({"response": 1, "answer": 1}).to_string();
    for name in ["api-key", "Api-Key", "API-KEY"] {
        assert_json(&server.post("/", &[(name, "s3cret")], body.as_bytes()), 200, correct());
    }
    let mued = mued_eval_body("TEXT", json!({"text": "a"}), json!({"text": "a"}));
    let reply = server.post("/fn/evaluate", &[("api-key", "s3cret")], mued.to_string().as_bytes());
    assert_mued_json(&reply, 200, mued_feedback(1, "Correct!"));
    assert_mued_json(&server.get("/fn/evaluate/health", &[("API-Key", "s3cret")]), 200, mued_health_ok());
}

#[test]
fn auth_off_accepts_requests_without_a_key() {
    let server = compare_server(&[]);
    assert_json(&legacy(&server, None, &json!({"response": 1, "answer": 1})), 200, correct());
    // A stray key is ignored too.
    let reply = server.post("/", &[("api-key", "anything")], br#"{"response":1,"answer":2}"#);
    assert_json(&reply, 200, incorrect());
}

#[test]
fn auth_with_an_empty_auth_key_is_off() {
    let server = compare_server(&[("AUTH_KEY", "")]);
    assert_json(&legacy(&server, None, &json!({"response": 1, "answer": 1})), 200, correct());
}

// ---------------------------------------------------------------------------------------------------------------
// §2 steps 2–4: method, command, body

#[test]
fn legacy_methods_other_than_post_are_405_invalid_method() {
    let server = compare_server(&[]);
    for (method, path) in [("GET", "/"), ("PUT", "/eval"), ("DELETE", "/a/b"), ("PATCH", "/"), ("OPTIONS", "/")] {
        let mut stream = server.connect();
        stream.write_all(&request(method, path, &[("command", "eval")], b"")).unwrap();
        let reply = read_reply(&mut stream).expect("a reply");
        assert_json(&reply, 405, json!({"error": {"message": "invalid method"}}));
    }
}

#[test]
fn legacy_path_is_ignored() {
    let server = compare_server(&[]);
    for path in ["/", "/eval", "/a/b/c", "/evaluate/", "/evaluatex", "/?x=1"] {
        let reply = server.post(path, &[], br#"{"response":"a","answer":"a"}"#);
        assert_json(&reply, 200, correct());
        assert_eq!(reply.header("X-Api-Version"), None, "{path} is legacy");
    }
}

#[test]
fn command_absent_or_empty_means_eval() {
    let server = compare_server(&[]);
    let body = br#"{"response":2,"answer":2}"#;
    assert_json(&server.post("/", &[], body), 200, correct());
    assert_json(&server.post("/", &[("command", "")], body), 200, correct());
}

#[test]
fn command_header_name_and_value_are_case_insensitive() {
    let server = compare_server(&[]);
    let eval = br#"{"response":2,"answer":3}"#;
    for (name, value) in [("Command", "EVAL"), ("COMMAND", "Eval"), ("command", "eVaL")] {
        assert_json(&server.post("/", &[(name, value)], eval), 200, incorrect());
    }
    let preview = json!({"command": "preview", "result": {"preview": {"type": "number", "response": 2}}});
    assert_json(&server.post("/", &[("CoMmAnD", "PREVIEW")], br#"{"response":2}"#), 200, preview);
    assert_json(&server.post("/", &[("command", "HealthCheck")], b"{}"), 200, compare_healthcheck());
}

#[test]
fn command_unknown_is_400_invalid_command() {
    let server = compare_server(&[]);
    for value in ["evaluate", "health", "eval2", "previews", "x"] {
        let reply = server.post("/", &[("command", value)], br#"{"response":1,"answer":1}"#);
        assert_json_msg(&reply, 400, json!({"error": {"message": "invalid command"}}), value);
    }
}

#[test]
fn body_not_json_is_400_invalid_json_body_with_a_reason() {
    let server = compare_server(&[]);
    for (command, body) in [("eval", &b"nope"[..]), ("eval", b"{\"response\":1,"), ("preview", b""), ("eval", b"")] {
        let reply = server.post("/", &[("command", command)], body);
        assert_eq!(reply.status, 400, "{command} {body:?}");
        assert_eq!(reply.header("Content-Type"), Some("application/json"));
        let json = reply.json();
        let error = json["error"].as_object().expect("an error object");
        assert_eq!(error.len(), 1, "only a message: {json}");
        let message = error["message"].as_str().expect("a string message");
        let reason = message.strip_prefix("invalid JSON body: ").unwrap_or_else(|| panic!("{message}"));
        assert!(!reason.is_empty(), "{message}");
    }
    let exact = server.post("/", &[], b"nope");
    assert_json(&exact, 400, json!({"error": {"message": "invalid JSON body: expected ident at line 1 column 2"}}));
}

#[test]
fn body_json_but_not_an_object_is_400_with_its_type() {
    let server = compare_server(&[]);
    let cases = [
        ("eval", "[1]", "array"),
        ("eval", "\"x\"", "string"),
        ("preview", "null", "null"),
        ("eval", "1.5", "number"),
        ("healthcheck", "[]", "array"),
        ("healthcheck", "7", "integer"),
    ];
    for (command, body, given) in cases {
        let reply = server.post("/", &[("command", command)], body.as_bytes());
        let message = format!("invalid JSON body: Invalid type. Expected: object, given: {given}");
        assert_json_msg(&reply, 400, json!({"error": {"message": message}}), body);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// §2 step 5: request validation (422)

fn request_validation_error(fields: Value) -> Value {
    json!({"error": {"message": "request validation error", "fields": fields}})
}

#[test]
fn eval_missing_answer_is_422_root_answer_is_required() {
    let server = compare_server(&[]);
    let reply = legacy(&server, None, &json!({"response": "x"}));
    assert_json(&reply, 422, request_validation_error(json!({"(root)": ["answer is required"]})));
    let reply = legacy(&server, None, &json!({}));
    assert_json(
        &reply,
        422,
        request_validation_error(json!({"(root)": ["response is required", "answer is required"]})),
    );
}

#[test]
fn eval_null_fields_extra_keys_and_non_object_params_are_422_per_field() {
    let server = compare_server(&[]);
    let reply = legacy(&server, None, &json!({"response": null, "answer": 1, "extra": 1, "params": "strict"}));
    assert_json(
        &reply,
        422,
        request_validation_error(json!({
            "response": ["must not be null"],
            "(root)": ["Additional property extra is not allowed"],
            "params": ["Invalid type. Expected: object, given: string"],
        })),
    );
    let reply = legacy(&server, None, &json!({"response": 1, "answer": null, "params": [1]}));
    assert_json(
        &reply,
        422,
        request_validation_error(json!({
            "answer": ["must not be null"],
            "params": ["Invalid type. Expected: object, given: array"],
        })),
    );
}

#[test]
fn eval_falsy_but_present_values_are_valid() {
    let server = compare_server(&[]);
    assert_json(&legacy(&server, None, &json!({"response": false, "answer": false})), 200, correct());
    assert_json(&legacy(&server, None, &json!({"response": "", "answer": "", "params": {}})), 200, correct());
    assert_json(&legacy(&server, None, &json!({"response": 0, "answer": [0]})), 200, incorrect());
}

#[test]
fn preview_rejects_answer_and_needs_response() {
    let server = compare_server(&[]);
    let reply = legacy(&server, Some("preview"), &json!({"response": "x", "answer": "x"}));
    assert_json(
        &reply,
        422,
        request_validation_error(json!({"(root)": ["Additional property answer is not allowed"]})),
    );
    let reply = legacy(&server, Some("preview"), &json!({"params": {}}));
    assert_json(&reply, 422, request_validation_error(json!({"(root)": ["response is required"]})));
    let reply = legacy(&server, Some("preview"), &json!({"response": null, "params": 3}));
    assert_json(
        &reply,
        422,
        request_validation_error(json!({
            "response": ["must not be null"],
            "params": ["Invalid type. Expected: object, given: integer"],
        })),
    );
}

#[test]
fn healthcheck_body_is_never_validated() {
    let server = compare_server(&[]);
    let reply = legacy(&server, Some("healthcheck"), &json!({"anything": null, "answer": 1, "params": "x"}));
    assert_json(&reply, 200, compare_healthcheck());
}

// ---------------------------------------------------------------------------------------------------------------
// §2 step 6: evaluator failures (500) and overload (503)

#[test]
fn guest_trap_is_500_with_what_happened() {
    let server = hostile_server(&[]);
    let reply = legacy(&server, None, &json!({"response": "#t", "answer": 1}));
    let message = "evaluation trapped: unreachable instruction executed (a panic or abort in the evaluator)";
    assert_json(&reply, 500, json!({"error": {"message": message}}));
    assert_hostile_clean(&server);
}

#[test]
fn guest_out_of_fuel_is_500_cpu_budget() {
    let server = hostile_server(&[("FUNCTION_WASM_FUEL", "1000000")]);
    let reply = legacy(&server, None, &json!({"response": "#l", "answer": 1}));
    assert_json(&reply, 500, json!({"error": {"message": "evaluation exceeded its CPU budget"}}));
    assert_hostile_clean(&server);
}

#[test]
fn guest_past_its_deadline_is_500_timed_out() {
    let server = hostile_server(&[("FUNCTION_WASM_FUEL", "100000000000"), ("FUNCTION_WORKER_SEND_TIMEOUT", "300ms")]);
    let started = Instant::now();
    let reply = legacy(&server, None, &json!({"response": "#l", "answer": 1}));
    assert_json(&reply, 500, json!({"error": {"message": "evaluation timed out after 300ms"}}));
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert_hostile_clean(&server);
}

#[test]
fn guest_bad_reply_bytes_are_500_bad_reply() {
    let server = hostile_server(&[]);
    let cases = [
        ("#j", "evaluator returned a bad reply: the reply is not JSON: key must be a string at line 1 column 2"),
        ("#a", "evaluator returned a bad reply: the reply is JSON but not an object"),
        ("#u", "evaluator returned a bad reply: the reply is not UTF-8 (invalid byte at offset 0)"),
        ("#p", "evaluator returned a bad reply: the reply pointer 0xfffffff0 is outside memory (131072 bytes)"),
    ];
    for (mode, message) in cases {
        let reply = legacy(&server, None, &json!({"response": mode, "answer": 1}));
        assert_json_msg(&reply, 500, json!({"error": {"message": message}}), mode);
    }
    assert_hostile_clean(&server);
}

#[test]
fn guest_reported_error_is_500_with_the_guest_error_object() {
    let server = compare_server(&[]);
    let reply = legacy(&server, None, &json!({"response": 1, "answer": 1, "params": {"atol": "big"}}));
    assert_json(&reply, 500, json!({"error": {"message": "params.atol must be a number"}}));
    let reply = legacy(&server, Some("preview"), &json!({"response": 1, "params": {"trim": 1}}));
    assert_json(&reply, 500, json!({"error": {"message": "params.trim must be a boolean"}}));
}

#[test]
fn guest_reply_of_the_wrong_shape_is_500_response_validation_error() {
    // The hostile guest answers every command with an eval-shaped reply: wrong for a preview.
    let server = hostile_server(&[]);
    let reply = legacy(&server, Some("preview"), &json!({"response": 1}));
    assert_json(
        &reply,
        500,
        json!({"error": {"message": "response validation error", "fields": {
            "command": ["command does not match: \"preview\""],
            "result": ["preview is required"],
        }}}),
    );
}

#[test]
fn pool_exhausted_is_503_with_retry_after_then_the_loop_times_out_and_the_pool_recovers() {
    let server = hostile_server(&[
        ("FUNCTION_MAX_PROCS", "1"),
        ("FUNCTION_QUEUE_TIMEOUT", "100ms"),
        ("FUNCTION_WASM_FUEL", "100000000000"),
        ("FUNCTION_WORKER_SEND_TIMEOUT", "2s"),
    ]);
    let mut looping = start_loop(&server);
    let overloaded = json!({"error": {
        "message": "server overloaded: no evaluator instance became free within 100ms; retry later"}});
    let deadline = Instant::now() + Duration::from_secs(1);
    let reply = loop {
        let reply = legacy(&server, None, &json!({"response": 1, "answer": 1}));
        if reply.status != 200 || Instant::now() > deadline {
            break reply;
        }
    };
    assert_json(&reply, 503, overloaded.clone());
    assert_eq!(reply.header("Retry-After"), Some("1"));
    // Every route that needs the evaluator is overloaded the same way; µEd passes the legacy body through.
    let reply = legacy(&server, Some("healthcheck"), &json!({}));
    assert_json(&reply, 503, overloaded.clone());
    assert_eq!(reply.header("Retry-After"), Some("1"));
    let reply = post_json(&server, "/fn/evaluate", &mued_eval_body("OTHER", json!({"value": 1}), json!({"value": 1})));
    assert_mued_json(&reply, 503, overloaded);
    assert_eq!(reply.header("Retry-After"), Some("1"));
    // µEd health reports an evaluator failure as its own 500.
    let reply = server.get("/fn/evaluate/health", &[]);
    assert_mued_json(
        &reply,
        500,
        json!({"title": "Internal server error", "message": "health check failed", "code": "INTERNAL_ERROR",
               "details": null}),
    );
    // The loop ends at its deadline and the instance is replaced by a clean one.
    let reply = read_reply(&mut looping).expect("the looping request gets a reply");
    assert_json(&reply, 500, json!({"error": {"message": "evaluation timed out after 2s"}}));
    assert_hostile_clean(&server);
}

// ---------------------------------------------------------------------------------------------------------------
// §2 healthcheck

#[test]
fn healthcheck_returns_the_evaluator_self_tests_with_an_empty_or_object_body() {
    let server = compare_server(&[]);
    assert_json(&server.post("/", &[("command", "healthcheck")], b""), 200, compare_healthcheck());
    assert_json(&server.post("/", &[("command", "healthcheck")], b"  \r\n "), 200, compare_healthcheck());
    assert_json(&server.post("/", &[("command", "healthcheck")], b"{}"), 200, compare_healthcheck());
    // No Content-Length at all: an empty body.
    let reply = server
        .raw(b"POST / HTTP/1.1\r\nHost: t\r\ncommand: healthcheck\r\nConnection: close\r\n\r\n")
        .expect("a reply");
    assert_json(&reply, 200, compare_healthcheck());
}

#[test]
fn healthcheck_of_an_evaluator_without_self_tests_passes_with_no_tests() {
    let server = hostile_server(&[]);
    assert_json(&server.post("/", &[("command", "healthcheck")], b""), 200, default_healthcheck());
}

// ---------------------------------------------------------------------------------------------------------------
// §3 cases

fn cases_eval(server: &Server, response: Value, answer: Value, params: Value) -> Reply {
    legacy(server, None, &json!({"response": response, "answer": answer, "params": params}))
}

fn eval_result(result: Value) -> Value {
    json!({"command": "eval", "result": result})
}

#[test]
fn cases_example_1_the_first_matching_case_wins() {
    let server = compare_server(&[]);
    let params = json!({"cases": [
        {"answer": "hello", "feedback": "case 0"},
        {"answer": "yes", "feedback": "case 1"},
        {"answer": "no", "feedback": "case 2"},
        {"answer": "yes", "feedback": "case 3, also a match but later"},
    ]});
    let reply = cases_eval(&server, json!("yes"), json!("world"), params);
    assert_json(&reply, 200, eval_result(json!({"is_correct": false, "feedback": "case 1", "matched_case": 1})));
}

#[test]
fn cases_example_2_mark_1_makes_it_correct() {
    let server = compare_server(&[]);
    let params = json!({"cases": [{"answer": "other", "feedback": "...", "mark": 1}]});
    let reply = cases_eval(&server, json!("other"), json!("hello"), params);
    assert_json(&reply, 200, eval_result(json!({"is_correct": true, "feedback": "...", "matched_case": 0})));
}

#[test]
fn cases_example_3_a_case_without_answer_warns() {
    let server = compare_server(&[]);
    let params = json!({"cases": [{"feedback": "no answer here"}]});
    let reply = cases_eval(&server, json!("yes"), json!("world"), params);
    assert_json(
        &reply,
        200,
        eval_result(json!({"is_correct": false, "feedback": "Incorrect.",
                           "warnings": [{"message": "Missing answer field", "case": 0}]})),
    );
}

#[test]
fn cases_mark_uses_the_integer_part_and_only_numbers_count() {
    let server = compare_server(&[]);
    for (mark, is_correct) in
        [(json!(1), true), (json!(1.7), true), (json!(0), false), (json!(2), false), (json!("1"), false)]
    {
        let params = json!({"cases": [{"answer": 5, "feedback": "f", "mark": mark}]});
        let reply = cases_eval(&server, json!(5), json!(6), params);
        let expected = eval_result(json!({"is_correct": is_correct, "feedback": "f", "matched_case": 0}));
        assert_json_msg(&reply, 200, expected, &format!("mark {mark}"));
    }
}

#[test]
fn cases_override_eval_feedback_appends_the_case_evaluation_feedback() {
    let server = compare_server(&[]);
    // The case's params are merged over the top level ones and reach the case evaluation.
    let params = json!({"correct_response_feedback": "Top level.", "cases": [
        {"answer": "b", "feedback": "Looks like b.", "params": {"override_eval_feedback": true}},
    ]});
    let reply = cases_eval(&server, json!("b"), json!("a"), params);
    assert_json(
        &reply,
        200,
        eval_result(json!({"is_correct": false, "feedback": "Looks like b.<br />Top level.", "matched_case": 0})),
    );
    let params = json!({"cases": [
        {"answer": "b", "feedback": "Looks like b.",
         "params": {"override_eval_feedback": true, "correct_response_feedback": "Case level."}},
    ]});
    let reply = cases_eval(&server, json!("b"), json!("a"), params);
    assert_json(
        &reply,
        200,
        eval_result(json!({"is_correct": false, "feedback": "Looks like b.<br />Case level.", "matched_case": 0})),
    );
}

#[test]
fn cases_params_are_merged_with_the_case_winning() {
    let server = compare_server(&[]);
    // Top level: exact comparison fails; the case loosens the tolerance and matches.
    let params = json!({"atol": 0, "cases": [
        {"answer": 1.0, "feedback": "tight", "params": {"atol": 0.001}},
        {"answer": 1.0, "feedback": "loose", "params": {"atol": 0.5}},
    ]});
    let reply = cases_eval(&server, json!(1.25), json!(2), params);
    assert_json(&reply, 200, eval_result(json!({"is_correct": false, "feedback": "loose", "matched_case": 1})));
}

#[test]
fn cases_missing_fields_and_failures_become_warnings_and_are_skipped() {
    let server = compare_server(&[]);
    let params = json!({"cases": [
        "not an object",
        {"answer": "x"},
        {"feedback": "f"},
        {"answer": "x", "feedback": "f", "params": {"atol": "wide"}},
        {"answer": "x", "feedback": "found"},
    ]});
    let reply = cases_eval(&server, json!("x"), json!("y"), params);
    assert_json(
        &reply,
        200,
        eval_result(json!({"is_correct": false, "feedback": "found", "matched_case": 4, "warnings": [
            {"case": 0, "message": "Case is not an object"},
            {"case": 1, "message": "Missing feedback field"},
            {"case": 2, "message": "Missing answer field"},
            {"case": 3, "message": "params.atol must be a number"},
        ]})),
    );
}

#[test]
fn cases_do_not_run_when_correct_or_without_a_non_empty_array() {
    let server = compare_server(&[]);
    let params = json!({"cases": [{"answer": "x", "feedback": "case", "mark": 0}]});
    assert_json(&cases_eval(&server, json!("x"), json!("x"), params), 200, correct());
    for params in [json!({}), json!({"cases": []}), json!({"cases": {"answer": "x", "feedback": "f"}})] {
        let reply = cases_eval(&server, json!("x"), json!("y"), params.clone());
        assert_json_msg(&reply, 200, incorrect(), &params.to_string());
    }
    // No case matches: the evaluation's own result stands.
    let params = json!({"cases": [{"answer": "z", "feedback": "f"}]});
    assert_json(&cases_eval(&server, json!("x"), json!("y"), params), 200, incorrect());
}

// ---------------------------------------------------------------------------------------------------------------
// §4 µEd

#[test]
fn mued_example_evaluate() {
    let server = compare_server(&[]);
    let body = json!({"submission": {"type": "MATH", "content": {"expression": "x^2"}},
                      "task": {"title": "q1", "referenceSolution": {"expression": "x^2"}}});
    assert_mued_json(&post_json(&server, "/evaluate", &body), 200, mued_feedback(1, "Correct!"));
}

#[test]
fn mued_routes_by_suffix() {
    let server = compare_server(&[]);
    let body = mued_eval_body("TEXT", json!({"text": "a"}), json!({"text": "b"}));
    for path in ["/evaluate", "/fn/evaluate", "/compareSets/evaluate", "/a/b/evaluate"] {
        assert_mued_json(&post_json(&server, path, &body), 200, mued_feedback(0, "Incorrect."));
    }
    for path in ["/evaluate/health", "/fn/evaluate/health", "/a/b/evaluate/health"] {
        assert_mued_json(&server.get(path, &[]), 200, mued_health_ok());
    }
    // A path that does not end in the suffix is legacy: the µEd body fails legacy validation, no version header.
    for path in ["/evaluate/", "/fn/evaluatex", "/evaluate/x"] {
        let reply = post_json(&server, path, &body);
        assert_json_msg(
            &reply,
            422,
            request_validation_error(json!({"(root)": [
                "response is required", "answer is required",
                "Additional property submission is not allowed", "Additional property task is not allowed",
            ]})),
            path,
        );
        assert_eq!(reply.header("X-Api-Version"), None, "{path}");
    }
    assert_json(&server.get("/evaluate/health/", &[]), 405, json!({"error": {"message": "invalid method"}}));
}

#[test]
fn mued_version_header_absent_or_0_1_0_is_served_and_echoed() {
    let server = compare_server(&[]);
    let body = mued_eval_body("TEXT", json!({"text": "a"}), json!({"text": "a"})).to_string();
    for headers in [vec![], vec![("X-Api-Version", "0.1.0")], vec![("x-api-version", "0.1.0")]] {
        assert_mued_json(&server.post("/fn/evaluate", &headers, body.as_bytes()), 200, mued_feedback(1, "Correct!"));
        assert_mued_json(&server.get("/fn/evaluate/health", &headers), 200, mued_health_ok());
    }
}

#[test]
fn mued_unsupported_version_is_406_with_the_exact_body_before_the_method_check() {
    let server = compare_server(&[]);
    let expected = |version: &str| {
        json!({"title": "API version not supported",
               "message": format!("The requested API version '{version}' is not supported. Supported versions are: [0.1.0]."),
               "code": "VERSION_NOT_SUPPORTED",
               "details": {"requestedVersion": version, "supportedVersions": ["0.1.0"]}})
    };
    for version in ["0.2.0", "1", "0.1.0-beta"] {
        let headers = [("X-Api-Version", version)];
        assert_mued_json(&server.post("/fn/evaluate", &headers, b"{}"), 406, expected(version));
        assert_mued_json(&server.get("/fn/evaluate/health", &headers), 406, expected(version));
        // Version before method: the wrong method still gets 406.
        assert_mued_json(&server.get("/evaluate", &headers), 406, expected(version));
        assert_mued_json(&server.post("/evaluate/health", &headers, b""), 406, expected(version));
    }
}

#[test]
fn mued_wrong_method_is_405_text_plain() {
    let server = compare_server(&[]);
    for (method, path) in [("GET", "/fn/evaluate"), ("PUT", "/evaluate"), ("POST", "/fn/evaluate/health")] {
        let mut stream = server.connect();
        stream.write_all(&request(method, path, &[], b"{}")).unwrap();
        let reply = read_reply(&mut stream).expect("a reply");
        assert_text(&reply, 405, "method not allowed");
    }
}

#[test]
fn mued_each_submission_type_reads_its_own_content_key_first() {
    let server = compare_server(&[]);
    // The own key holds the real value, `value` a decoy: only the own key makes it correct.
    for (kind, key) in [("MATH", "expression"), ("TEXT", "text"), ("CODE", "code"), ("MODEL", "model")] {
        let body = mued_eval_body(kind, json!({key: "right", "value": "decoy"}), json!({key: "right"}));
        assert_mued_json(&post_json(&server, "/evaluate", &body), 200, mued_feedback(1, "Correct!"));
        let body = mued_eval_body(kind, json!({key: "right", "value": "decoy"}), json!({"value": "decoy"}));
        assert_mued_json(&post_json(&server, "/evaluate", &body), 200, mued_feedback(0, "Incorrect."));
    }
    // OTHER and unknown types use `value`; the other keys mean nothing to them.
    for kind in ["OTHER", "ESSAY"] {
        let body = mued_eval_body(kind, json!({"text": "decoy", "value": [1, 2]}), json!({"value": [1, 2.0]}));
        assert_mued_json(&post_json(&server, "/evaluate", &body), 200, mued_feedback(1, "Correct!"));
    }
}

#[test]
fn mued_value_is_the_fallback_content_key_for_every_type() {
    let server = compare_server(&[]);
    for kind in ["MATH", "TEXT", "CODE", "MODEL", "OTHER"] {
        let body = mued_eval_body(kind, json!({"value": 3}), json!({"value": 3.0}));
        assert_mued_json(&post_json(&server, "/evaluate", &body), 200, mued_feedback(1, "Correct!"));
    }
}

#[test]
fn mued_missing_content_is_400_could_not_extract() {
    let server = compare_server(&[]);
    for (kind, content) in [("MATH", json!({"text": "x"})), ("TEXT", json!({})), ("OTHER", json!({"text": "x"}))] {
        let body = mued_eval_body(kind, content, json!({"value": "x"}));
        let message = format!("submission: could not extract content for submission type {kind}");
        assert_mued_json(&post_json(&server, "/evaluate", &body), 400, mued_bad_request(&message));
    }
    let body = json!({"task": {"referenceSolution": {"value": 1}}});
    assert_mued_json(
        &post_json(&server, "/evaluate", &body),
        400,
        mued_bad_request("submission: could not extract content for submission type "),
    );
}

#[test]
fn mued_missing_reference_solution_is_400() {
    let server = compare_server(&[]);
    for body in [
        json!({"submission": {"type": "TEXT", "content": {"text": "a"}}}),
        json!({"submission": {"type": "TEXT", "content": {"text": "a"}}, "task": {"title": "q"}}),
        json!({"submission": {"type": "TEXT", "content": {"text": "a"}}, "task": {"referenceSolution": null}}),
        json!({"submission": {"type": "TEXT", "content": {"text": "a"}}, "preSubmissionFeedback": {"enabled": false}}),
    ] {
        assert_mued_json(
            &post_json(&server, "/evaluate", &body),
            400,
            mued_bad_request("task.referenceSolution is required for evaluation"),
        );
    }
    let body = mued_eval_body("TEXT", json!({"text": "a"}), json!({"expression": "a"}));
    assert_mued_json(
        &post_json(&server, "/evaluate", &body),
        400,
        mued_bad_request("referenceSolution: could not extract content for submission type TEXT"),
    );
}

#[test]
fn mued_body_not_json_or_a_field_of_the_wrong_type_is_400_validation_error() {
    let server = compare_server(&[]);
    let reply = server.post("/evaluate", &[], b"nope");
    assert_mued_json(&reply, 400, mued_bad_request("invalid JSON body: expected ident at line 1 column 2"));
    let reply = server.post("/evaluate", &[], b"[]");
    assert_mued_json(&reply, 400, mued_bad_request("invalid JSON body: Invalid type. Expected: object, given: array"));
    let cases = [
        (json!({"submission": "x"}), "submission: Invalid type. Expected: object, given: string"),
        (json!({"submission": {"type": 1}}), "submission.type: Invalid type. Expected: string, given: integer"),
        (
            json!({"submission": {"type": "TEXT", "content": []}}),
            "submission.content: Invalid type. Expected: object, given: array",
        ),
        (
            json!({"submission": {"type": "TEXT", "content": {"text": "a"}}, "task": {"referenceSolution": "a"}}),
            "task.referenceSolution: Invalid type. Expected: object, given: string",
        ),
        (
            json!({"submission": {"type": "TEXT", "content": {"text": "a"}}, "configuration": {"params": 1}}),
            "configuration.params: Invalid type. Expected: object, given: integer",
        ),
        (
            json!({"submission": {"type": "TEXT", "content": {"text": "a"}}, "preSubmissionFeedback": {"enabled": "yes"}}),
            "preSubmissionFeedback.enabled: Invalid type. Expected: boolean, given: string",
        ),
    ];
    for (body, message) in cases {
        assert_mued_json(&post_json(&server, "/evaluate", &body), 400, mued_bad_request(message));
    }
}

#[test]
fn mued_unknown_fields_are_ignored() {
    let server = compare_server(&[]);
    let body = json!({"submission": {"type": "TEXT", "content": {"text": "a"}, "id": 7}, "user": {"id": "u"},
                      "task": {"title": "t", "referenceSolution": {"text": "a"}, "extra": [1]}});
    assert_mued_json(&post_json(&server, "/evaluate", &body), 200, mued_feedback(1, "Correct!"));
}

#[test]
fn mued_pre_submission_feedback_is_a_preview_with_the_configuration_params() {
    let server = compare_server(&[]);
    let body = json!({"submission": {"type": "TEXT", "content": {"text": "  Hello "}},
                      "configuration": {"params": {"trim": true}},
                      "preSubmissionFeedback": {"enabled": true}});
    assert_mued_json(
        &post_json(&server, "/fn/evaluate", &body),
        200,
        json!([{"preSubmissionFeedback": {"preview": {"type": "string", "response": "Hello"}}}]),
    );
    // No params: an empty object; no reference solution needed.
    let body = json!({"submission": {"type": "MATH", "content": {"expression": [1, "a"]}},
                      "preSubmissionFeedback": {"enabled": true}});
    assert_mued_json(
        &post_json(&server, "/fn/evaluate", &body),
        200,
        json!([{"preSubmissionFeedback": {"preview": {"type": "array", "response": [1, "a"]}}}]),
    );
}

#[test]
fn mued_eval_maps_points_message_and_matched_case_and_uses_the_params() {
    let server = compare_server(&[]);
    let mut body = mued_eval_body("OTHER", json!({"value": 1.05}), json!({"value": 1}));
    assert_mued_json(&post_json(&server, "/evaluate", &body), 200, mued_feedback(0, "Incorrect."));
    body["configuration"] = json!({"params": {"atol": 0.1, "correct_response_feedback": "Close enough."}});
    assert_mued_json(&post_json(&server, "/evaluate", &body), 200, mued_feedback(1, "Close enough."));
    body["configuration"] = json!({"params": {"cases": [{"answer": 1.05, "feedback": "Off by 0.05."}]}});
    assert_mued_json(
        &post_json(&server, "/evaluate", &body),
        200,
        json!([{"awardedPoints": 0, "message": "Off by 0.05.", "matchedCase": 0,
                "responseLatex": null, "responseSimplified": null}]),
    );
    body["configuration"] = json!({"params": {"cases": [{"answer": 1.05, "feedback": "Fine.", "mark": 1}]}});
    assert_mued_json(
        &post_json(&server, "/evaluate", &body),
        200,
        json!([{"awardedPoints": 1, "message": "Fine.", "matchedCase": 0,
                "responseLatex": null, "responseSimplified": null}]),
    );
}

#[test]
fn mued_legacy_failures_pass_through_with_their_status_and_legacy_body() {
    let server = compare_server(&[]);
    let mut body = mued_eval_body("OTHER", json!({"value": 1}), json!({"value": 1}));
    body["configuration"] = json!({"params": {"atol": "x"}});
    assert_mued_json(
        &post_json(&server, "/evaluate", &body),
        500,
        json!({"error": {"message": "params.atol must be a number"}}),
    );
}

#[test]
fn mued_guest_failure_passes_through_as_legacy_500() {
    let server = hostile_server(&[]);
    let body = mued_eval_body("TEXT", json!({"text": "#t"}), json!({"text": "x"}));
    let message = "evaluation trapped: unreachable instruction executed (a panic or abort in the evaluator)";
    assert_mued_json(&post_json(&server, "/evaluate", &body), 500, json!({"error": {"message": message}}));
}

#[test]
fn mued_health_is_ok_for_passing_self_tests_and_for_an_evaluator_without_any() {
    let server = compare_server(&[]);
    assert_mued_json(&server.get("/evaluate/health", &[]), 200, mued_health_ok());
    let server = hostile_server(&[]);
    assert_mued_json(&server.get("/evaluate/health", &[]), 200, mued_health_ok());
}

// ---------------------------------------------------------------------------------------------------------------
// Reply shapes only a scripted guest produces

#[test]
fn guest_error_keeps_its_own_fields_like_error_thrown() {
    let server = scripted_server();
    let reply = legacy(&server, Some("preview"), &json!({"response": 1}));
    assert_json(&reply, 500, scripted_replies()[1].1.clone());
    let body =
        json!({"submission": {"type": "TEXT", "content": {"text": "a"}}, "preSubmissionFeedback": {"enabled": true}});
    assert_mued_json(&post_json(&server, "/evaluate", &body), 500, scripted_replies()[1].1.clone());
}

#[test]
fn eval_result_keys_beyond_is_correct_pass_through_and_feedback_may_be_an_object() {
    let server = scripted_server();
    let reply = legacy(&server, None, &json!({"response": 1, "answer": 2}));
    assert_json(&reply, 200, scripted_replies()[0].1.clone());
}

#[test]
fn mued_eval_maps_latex_simplified_and_string_tags_and_drops_a_non_string_feedback() {
    let server = scripted_server();
    let body = mued_eval_body("MATH", json!({"expression": "x^2"}), json!({"expression": "x*x"}));
    assert_mued_json(
        &post_json(&server, "/evaluate", &body),
        200,
        json!([{"awardedPoints": 1, "responseLatex": "x^{2}", "responseSimplified": "x**2", "tags": ["a", "b"]}]),
    );
}

#[test]
fn healthcheck_failing_self_tests_are_returned_and_mued_health_is_degraded() {
    let server = scripted_server();
    assert_json(&legacy(&server, Some("healthcheck"), &json!({})), 200, scripted_replies()[2].1.clone());
    let mut degraded = mued_health_ok();
    degraded["status"] = json!("DEGRADED");
    assert_mued_json(&server.get("/evaluate/health", &[]), 200, degraded);
}

// ---------------------------------------------------------------------------------------------------------------
// §6 examples, against the compare evaluator (numbers and strings, no algebra)

#[test]
fn example_eval() {
    let server = compare_server(&[]);
    let reply =
        server.post("/", &[("command", "eval")], br#"{"response":"2x","answer":"2*x","params":{"strict":true}}"#);
    assert_json(&reply, 200, incorrect());
    let reply =
        server.post("/", &[("command", "eval")], br#"{"response":"2*x","answer":"2*x","params":{"strict":true}}"#);
    assert_json(&reply, 200, correct());
}

#[test]
fn example_preview() {
    let server = compare_server(&[]);
    let reply = server.post("/", &[("command", "preview")], br#"{"response":"x^2"}"#);
    assert_json(
        &reply,
        200,
        json!({"command": "preview", "result": {"preview": {"type": "string", "response": "x^2"}}}),
    );
}

#[test]
fn example_healthcheck() {
    let server = compare_server(&[]);
    assert_json(&server.post("/", &[("command", "healthcheck")], b"{}"), 200, compare_healthcheck());
}

#[test]
fn example_get_is_405() {
    let server = compare_server(&[]);
    assert_json(&server.get("/", &[]), 405, json!({"error": {"message": "invalid method"}}));
}

#[test]
fn example_missing_answer_is_422() {
    let server = compare_server(&[]);
    let reply = server.post("/", &[], br#"{"response":"x"}"#);
    assert_json(&reply, 422, request_validation_error(json!({"(root)": ["answer is required"]})));
}

// ---------------------------------------------------------------------------------------------------------------
// §5 keep-alive and pipelining

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = compare_server(&[]);
    let mut stream = server.connect();
    let mut step = |method: &str, headers: &[(&str, &str)], body: &[u8], status: u16, expected: Value| {
        stream.write_all(&request(method, "/", headers, body)).unwrap();
        let reply = read_reply(&mut stream).expect("the connection stays open");
        assert_json(&reply, status, expected);
        assert_eq!(reply.header("Connection"), None);
    };
    step("POST", &[], br#"{"response":1,"answer":1}"#, 200, correct());
    let preview = json!({"command": "preview", "result": {"preview": {"type": "boolean", "response": true}}});
    step("POST", &[("command", "preview")], br#"{"response":true}"#, 200, preview);
    step("GET", &[], b"", 405, json!({"error": {"message": "invalid method"}}));
    let missing = request_validation_error(json!({"(root)": ["answer is required"]}));
    step("POST", &[], br#"{"response":1}"#, 422, missing);
    step("POST", &[], br#"{"response":"a","answer":"b"}"#, 200, incorrect());
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    assert_eq!(read_reply(&mut stream).expect("still open").body, b"{\"status\":\"ok\"}\n");
}

#[test]
fn pipelined_requests_get_their_replies_in_order() {
    let server = compare_server(&[]);
    let mut stream = server.connect();
    let mut burst = request("POST", "/", &[], br#"{"response":1,"answer":2}"#);
    burst.extend(request("POST", "/", &[], br#"{"response":2,"answer":2}"#));
    burst.extend(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
    burst.extend(request("POST", "/", &[("command", "preview")], br#"{"response":null}"#));
    burst.extend(request(
        "POST",
        "/fn/evaluate",
        &[],
        mued_eval_body("TEXT", json!({"text": "a"}), json!({"text": "a"})).to_string().as_bytes(),
    ));
    stream.write_all(&burst).unwrap();
    assert_json(&read_reply(&mut stream).expect("reply 1"), 200, incorrect());
    assert_json(&read_reply(&mut stream).expect("reply 2"), 200, correct());
    assert_eq!(read_reply(&mut stream).expect("reply 3").body, b"{\"status\":\"ok\"}\n");
    assert_json(
        &read_reply(&mut stream).expect("reply 4"),
        422,
        request_validation_error(json!({"response": ["must not be null"]})),
    );
    assert_mued_json(&read_reply(&mut stream).expect("reply 5"), 200, mued_feedback(1, "Correct!"));
}

#[test]
fn pipelined_requests_split_across_writes_at_odd_places_are_served() {
    let server = compare_server(&[]);
    let mut stream = server.connect();
    stream.set_nodelay(true).unwrap();
    let mut burst = request("POST", "/", &[], br#"{"response":"x","answer":"x"}"#);
    burst.extend(request("POST", "/", &[], br#"{"response":"x","answer":"y"}"#));
    // Cut inside the first body and inside the second head.
    let cuts = [30, 60, burst.len() - 20];
    let mut at = 0;
    for cut in cuts {
        stream.write_all(&burst[at..cut]).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        at = cut;
    }
    stream.write_all(&burst[at..]).unwrap();
    assert_json(&read_reply(&mut stream).expect("reply 1"), 200, correct());
    assert_json(&read_reply(&mut stream).expect("reply 2"), 200, incorrect());
}

// ---------------------------------------------------------------------------------------------------------------
// The listening socket

#[test]
fn a_second_server_on_a_busy_port_refuses_to_start() {
    let server = compare_server(&[]);
    let port = server.port.to_string();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_wasmshim"))
        .arg("serve")
        .env_clear()
        .env("HTTP_HOST", "127.0.0.1")
        .env("HTTP_PORT", &port)
        .env("FUNCTION_MAX_PROCS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|mut child| {
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break Some(status);
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
        .expect("spawn");
    let status = status.expect("the second server must exit: the port is taken, yet it kept running");
    assert!(!status.success(), "the second server must fail to listen, got {status}");
}

#[test]
fn expect_100_continue_gets_the_interim_reply_before_the_body_is_sent() {
    // curl sends `Expect: 100-continue` for bodies above 1 MiB and waits a second for the interim reply.
    let server = Server::start(&[]);
    let mut stream = server.connect();
    let body = br#"{"response": 1, "answer": 1}"#;
    let head = format!("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(body).unwrap();
    let reply = read_reply(&mut stream).expect("the final reply");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["result"]["is_correct"], true);
}
