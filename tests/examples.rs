//! Every example evaluator, built from source by scripts/build-guests.sh, served by the real server, against
//! its case table (format in examples/README.md). The three compare examples share one table and must agree
//! on every case. Also: the embedded demo evaluator is exactly the compare-rust example rebuilt from source,
//! and the stateful example shows the reset.

mod common;

use common::{built_module, Server};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

#[derive(Deserialize)]
struct Table {
    cases: Vec<Case>,
}

/// One row. The request is kept as raw text: it is sent byte for byte, so numbers a double cannot hold
/// (the ports care about Python's exact integers) reach the guest unchanged.
#[derive(Deserialize)]
struct Case {
    name: String,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    request: Option<Box<RawValue>>,
    #[serde(default)]
    raw_request: Option<String>,
    status: u16,
    reply: Box<RawValue>,
}

fn cases(relative: &str) -> Vec<Case> {
    let path = format!("{}/examples/{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let table: Table = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(!table.cases.is_empty(), "{path} has no cases");
    table.cases
}

/// Runs every case through one server; returns the failures, each described in full.
fn run_table(module: &str, table: &str) -> Vec<String> {
    let server = Server::start(&[("FUNCTION_WASM_MODULE", module), ("FUNCTION_MAX_PROCS", "2")]);
    let mut failures = Vec::new();
    for case in cases(table) {
        let command = case.command.as_deref().unwrap_or("eval");
        let body = match (&case.raw_request, &case.request) {
            (Some(raw), _) => raw.clone().into_bytes(),
            (None, Some(request)) => request.get().as_bytes().to_vec(),
            (None, None) => panic!("{table} / {}: neither request nor raw_request", case.name),
        };
        let reply = server.post("/", &[("command", command)], &body);
        let expected: Value = serde_json::from_str(case.reply.get()).expect("expected replies hold ordinary numbers");
        let got: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::String(reply.text()));
        if reply.status != case.status || !same_json(&got, &expected) {
            failures.push(format!(
                "{table} / {}: expected {} {expected}\n      got {} {got}",
                case.name, case.status, reply.status
            ));
        }
    }
    failures
}

/// JSON equality as the case tables mean it: object key order ignored, integers and floats distinct, floats
/// compared by value (`1e-05` equals `1e-5`), integers compared exactly however large.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let is_float = |n: &serde_json::Number| n.to_string().contains(['.', 'e', 'E']);
            match (is_float(x), is_float(y)) {
                (false, false) => x.to_string() == y.to_string(),
                (true, true) => x.as_f64() == y.as_f64(),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(key, value)| y.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => a == b,
    }
}

fn assert_table(example: &str, table: &str) {
    let module = built_module(&format!("examples/{example}.wasm"));
    let failures = run_table(&module, table);
    assert!(failures.is_empty(), "{} case(s) failed for {example}:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn compare_rust_passes_the_shared_table() {
    assert_table("compare-rust", "cases.json");
}

#[test]
fn compare_cpp_passes_the_shared_table() {
    assert_table("compare-cpp", "cases.json");
}

#[test]
fn compare_go_passes_the_shared_table() {
    assert_table("compare-go", "cases.json");
}

#[test]
fn is_similar_rust_matches_the_original() {
    assert_table("is-similar-rust", "is-similar-rust/cases.json");
}

#[test]
fn array_equal_cpp_matches_the_original() {
    assert_table("array-equal-cpp", "array-equal-cpp/cases.json");
}

#[test]
fn is_exact_equal_go_matches_the_original() {
    assert_table("is-exact-equal-go", "is-exact-equal-go/cases.json");
}

#[test]
fn the_stateful_example_says_one_every_time() {
    let server = Server::start(&[("FUNCTION_WASM_MODULE", &built_module("examples/stateful.wasm"))]);
    for _ in 0..10 {
        let reply = server.post("/", &[], br#"{"response":1,"answer":1}"#);
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["result"]["count"], 1, "{}", reply.text());
    }
}

#[test]
fn the_embedded_evaluator_is_the_compare_rust_example_rebuilt_from_source() {
    let embedded = include_bytes!("../src/embedded/compare-rust.wasm");
    let built = std::fs::read(built_module("examples/compare-rust.wasm")).unwrap();
    assert!(
        embedded[..] == built[..],
        "src/embedded/compare-rust.wasm differs from the module built from examples/compare-rust \
         ({} vs {} bytes): copy target/examples/compare-rust.wasm over it and commit",
        embedded.len(),
        built.len()
    );
}

#[test]
fn a_no_std_guest_with_fixed_buffers_for_the_shimmy_backend_runs_unchanged() {
    let server = Server::start(&[("FUNCTION_WASM_MODULE", &built_module("fixtures/shimmy-rust-nostd.wasm"))]);
    for (body, correct) in
        [(&br#"{"response":"a","answer":"a"}"#[..], true), (br#"{"response":1,"answer":1.0}"#, false)]
    {
        let reply = server.post("/", &[], body);
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["result"], serde_json::json!({"is_correct": correct, "feedback": "nostd"}));
    }
    let health = server.post("/", &[("command", "healthcheck")], b"");
    assert_eq!(health.json()["result"]["tests_passed"], true);
}

#[test]
fn a_go_guest_for_the_shimmy_backend_runs_unchanged_resets_and_logs() {
    let server = Server::start(&[("FUNCTION_WASM_MODULE", &built_module("fixtures/shimmy-go.wasm"))]);
    for _ in 0..5 {
        let reply = server.post("/", &[], br#"{"response":2,"answer":2}"#);
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["result"]["count"], 1, "the package-level counter is reset: {}", reply.text());
        assert_eq!(reply.json()["result"]["is_correct"], true);
    }
    let health = server.post("/", &[("command", "healthcheck")], b"{}");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["result"]["tests_passed"], true);
    assert!(
        server.log_text().contains("guest_output=\"shimmy-go: request 1"),
        "guest stdout reaches the log:\n{}",
        server.log_text()
    );
    let panic = server.post("/", &[], br#"{"response":"panic","answer":1}"#);
    assert_eq!(panic.status, 500);
    assert!(panic.json()["error"]["message"].as_str().unwrap().starts_with("evaluation trapped"), "{}", panic.text());
    let log = server.log_text();
    assert!(
        log.contains("panic: shimmy-go: the student asked for a panic"),
        "the Go panic message reaches the log:\n{log}"
    );
    let after = server.post("/", &[], br#"{"response":2,"answer":2}"#);
    assert_eq!(after.json()["result"]["count"], 1, "served from a clean instance after the panic");
}
