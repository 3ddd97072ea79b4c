//! The command line as a user meets it: `--help`, the README's configuration table, exit codes of `check`,
//! `run`, `health` and bad configuration, and the log formats.

mod common;

use common::{fixture_module, Server};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use wasmshim::config::OPTIONS;

fn wasmshim(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmshim"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A usage error exits before reading its input: a broken pipe here is the child's answer, not a failure.
    match child.stdin.take().unwrap().write_all(stdin) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing the input: {error}"),
        _ => {}
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The README row for one option, as `readme_config_table_matches_the_code` expects it.
fn readme_row(opt: &wasmshim::config::Opt) -> String {
    let default = if opt.default.is_empty() { "(none)".to_string() } else { format!("`{}`", opt.default) };
    let shimmy = if opt.shimmy { "yes" } else { "" };
    format!("| `{}` | `--{}` | {default} | {shimmy} | {} |", opt.env, opt.flag, opt.help)
}

#[test]
fn readme_config_table_matches_the_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let missing: Vec<String> = OPTIONS.iter().map(readme_row).filter(|row| !readme.contains(row.as_str())).collect();
    let table: Vec<String> = OPTIONS.iter().map(readme_row).collect();
    assert!(
        missing.is_empty(),
        "README.md's configuration table is out of date; it should read:\n{}",
        table.join("\n")
    );
}

#[test]
fn help_lists_every_variable_flag_and_default() {
    let output = wasmshim(&["--help"], &[], b"");
    assert!(output.status.success());
    let help = text(&output.stdout);
    for opt in OPTIONS {
        assert!(help.contains(opt.env) && help.contains(&format!("--{}", opt.flag)), "--help lacks {}", opt.env);
        if !opt.default.is_empty() {
            assert!(
                help.contains(&format!("{} [default: {}]", opt.env, opt.default)),
                "--help lacks {}'s default",
                opt.env
            );
        }
    }
}

#[test]
fn every_variable_the_code_reads_is_an_option() {
    // The only environment reads are OPTIONS (config.rs) and the guest's allow-list; a new std::env::var
    // elsewhere would be a setting nobody documented.
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("config.rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            assert!(!source.contains("env::var"), "{} reads the environment outside config.rs", path.display());
        }
    }
}

#[test]
fn check_exit_codes() {
    let ok = wasmshim(&["check", &fixture_module("hostile.wat")], &[], b"");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let report = text(&ok.stdout);
    for line in [
        "exports:",
        "alloc: func (i32) -> (i32)",
        "imports:",
        "wasi_snapshot_preview1.fd_write",
        "memory: 2 pages",
        "initialiser: none",
        "verdict: servable",
        "pages after initialisation",
    ] {
        assert!(report.contains(line), "missing {line:?} in:\n{report}");
    }
    let refused = wasmshim(&["check", &fixture_module("imports-env.wat")], &[], b"");
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stdout).contains("imports `env.anything`, which is not provided"));
    assert!(text(&refused.stdout).contains("verdict: refused"));
    assert_eq!(wasmshim(&["check"], &[], b"").status.code(), Some(2), "no module is a usage error");
    assert_eq!(wasmshim(&["check", "a", "b"], &[], b"").status.code(), Some(2));
    assert_eq!(wasmshim(&["check", "--no-such-flag", "x", "m.wasm"], &[], b"").status.code(), Some(2));
}

#[test]
fn run_prints_the_reply_and_exits_by_outcome() {
    let ok = wasmshim(
        &["run"],
        &[],
        br#"{"response": "Hello ", "answer": "hello", "params": {"trim": true, "case_sensitive": false}}"#,
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let reply: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(reply["result"]["is_correct"], true);
    let preview = wasmshim(&["run", "--command", "preview", "-"], &[], br#"{"response": 2}"#);
    assert_eq!(preview.status.code(), Some(0));
    assert!(text(&preview.stdout).contains("\"preview\""));
    let invalid = wasmshim(&["run"], &[], br#"{"response": 1}"#);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(text(&invalid.stdout).contains("answer is required"));
    let trap =
        wasmshim(&["run", "--module", &fixture_module("hostile.wat")], &[], br##"{"response": "#t", "answer": 1}"##);
    assert_eq!(trap.status.code(), Some(1));
    assert!(text(&trap.stdout).contains("evaluation trapped: unreachable"));
    assert_eq!(wasmshim(&["run", "--command", "grade"], &[], b"{}").status.code(), Some(2));
}

#[test]
fn bad_configuration_stops_startup_naming_the_variable() {
    let output = wasmshim(&["serve"], &[("FUNCTION_WORKER_SEND_TIMEOUT", "thirty")], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("FUNCTION_WORKER_SEND_TIMEOUT (--timeout)"), "{}", text(&output.stderr));
    let rpc = wasmshim(&["serve"], &[("FUNCTION_INTERFACE", "rpc")], b"");
    assert_eq!(rpc.status.code(), Some(2));
    assert!(text(&rpc.stderr).contains("WebAssembly evaluators only"));
    let flag_wins = wasmshim(&["serve", "--timeout", "nope"], &[("FUNCTION_WORKER_SEND_TIMEOUT", "30s")], b"");
    assert!(text(&flag_wins.stderr).contains("\"nope\""), "flags win over variables");
    let refused = wasmshim(&["serve", "--module", &fixture_module("no-evaluate.wat")], &[], b"");
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("missing export `evaluate`"));
}

#[test]
fn health_exits_zero_only_when_a_server_answers() {
    let server = Server::start(&[]);
    let url = format!("http://127.0.0.1:{}/health", server.port);
    assert_eq!(wasmshim(&["health", "--url", &url], &[], b"").status.code(), Some(0));
    let port = server.port.to_string();
    assert_eq!(wasmshim(&["health"], &[("HTTP_PORT", &port)], b"").status.code(), Some(0));
    drop(server);
    assert_eq!(wasmshim(&["health", "--url", &url], &[], b"").status.code(), Some(1));
}

#[test]
fn production_logs_are_one_json_object_per_line() {
    let server = Server::start(&[("LOG_FORMAT", "production")]);
    server.post("/", &[], br#"{"response": 1, "answer": 1}"#);
    let log = server.log_text();
    let lines: Vec<serde_json::Value> = log.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let request =
        lines.iter().find(|l| l["message"].as_str().unwrap().contains("command=eval")).expect("a request line");
    assert_eq!(request["level"], "info");
    let message = request["message"].as_str().unwrap();
    for field in ["method=POST", "path=/", "status=200", "duration_us=", "fuel=", "replaced=false"] {
        assert!(message.contains(field), "{message}");
    }
}

#[test]
fn log_level_warn_hides_request_lines() {
    let server = Server::start(&[("LOG_LEVEL", "warn")]);
    server.post("/", &[], br#"{"response": 1, "answer": 1}"#);
    assert!(!server.log_text().contains("command=eval"), "{}", server.log_text());
}

#[test]
fn sigterm_finishes_in_flight_requests_and_exits_zero() {
    let module = fixture_module("hostile.wat");
    let mut server = Server::start(&[
        ("FUNCTION_WASM_MODULE", &module),
        ("FUNCTION_WASM_FUEL", "100000000000"),
        ("FUNCTION_WORKER_SEND_TIMEOUT", "1s"),
    ]);
    let port = server.port;
    let slow = std::thread::spawn(move || {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(&common::request("POST", "/", &[], br##"{"response":"#l","answer":1}"##)).unwrap();
        common::read_reply(&mut stream).map(|reply| reply.status)
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "new connections are refused");
    assert_eq!(slow.join().unwrap(), Some(500), "the in-flight request got its (timed out) reply");
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{}", server.log_text());
    assert!(server.log_text().contains("received SIGTERM"));
}
