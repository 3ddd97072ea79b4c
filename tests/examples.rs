//! Every example evaluator, built from source by scripts/build-guests.sh, served by the real server, against
//! its case table (format in examples/README.md). The three compare examples share one table and must agree
//! on every case. Also: the embedded demo evaluator is exactly the compare-rust example rebuilt from source,
//! and the stateful example shows the reset.

mod common;

use common::{built_module, Server};
use serde_json::Value;

fn cases(relative: &str) -> Vec<Value> {
    let path = format!("{}/examples/{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let table: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases = table["cases"].as_array().unwrap_or_else(|| panic!("{path}: no \"cases\" array")).clone();
    assert!(!cases.is_empty(), "{path} has no cases");
    cases
}

/// Runs every case through one server; returns the failures, each described in full.
fn run_table(module: &str, table: &str) -> Vec<String> {
    let server = Server::start(&[("FUNCTION_WASM_MODULE", module), ("FUNCTION_MAX_PROCS", "2")]);
    let mut failures = Vec::new();
    for case in cases(table) {
        let name = case["name"].as_str().unwrap_or("(unnamed)");
        let command = case["command"].as_str().unwrap_or("eval");
        let body = match (&case["raw_request"], &case["request"]) {
            (Value::String(raw), _) => raw.clone().into_bytes(),
            (_, request) => serde_json::to_vec(request).unwrap(),
        };
        let reply = server.post("/", &[("command", command)], &body);
        let status = case["status"].as_u64().unwrap_or(200);
        let got: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::String(reply.text()));
        if u64::from(reply.status) != status || got != case["reply"] {
            failures.push(format!(
                "{table} / {name}: expected {status} {}\n      got {} {}",
                case["reply"], reply.status, got
            ));
        }
    }
    failures
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
