//! The runtime core against hostile guests (WAT fixtures in tests/fixtures): every failure has its exact
//! outcome, and the pool serves a normal request correctly afterwards, from a clean instance.

use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmshim::sandbox::{EvalError, Evaluation, Evaluator, Failure, Settings, SnapshotStrategy};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    wat::parse_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn settings() -> Settings {
    Settings {
        fuel: 20_000_000,
        init_fuel: 20_000_000,
        deadline: Duration::from_secs(10),
        pool_size: 2,
        queue_timeout: Duration::from_secs(5),
        ..Settings::default()
    }
}

fn start(name: &str, settings: Settings) -> Arc<Evaluator> {
    match Evaluator::start(&fixture(name), settings) {
        Ok((evaluator, _)) => evaluator,
        Err(report) => panic!("{name} refused:\n{report}"),
    }
}

fn eval(evaluator: &Arc<Evaluator>, response: &str) -> Evaluation {
    let body = serde_json::json!({ "response": response, "answer": 1 }).to_string();
    evaluator.evaluate("eval", body.as_bytes())
}

fn failure(evaluation: Evaluation) -> Failure {
    match evaluation.reply {
        Err(EvalError::Failed(failure)) => failure,
        Ok(reply) => panic!("expected a failure, got {reply:?}"),
        Err(other) => panic!("expected a guest failure, got {other}"),
    }
}

/// A normal request: succeeds, and both counters say 1, so it ran on a clean instance.
fn assert_clean_reply(evaluator: &Arc<Evaluator>) {
    for _ in 0..evaluator.settings().pool_size + 1 {
        let reply = eval(evaluator, "fine").reply.expect("a normal request succeeds");
        assert_eq!(reply["result"]["global"], 1, "non-exported global leaked: {reply:?}");
        assert_eq!(reply["result"]["static"], 1, "static memory leaked: {reply:?}");
    }
    assert_eq!(evaluator.idle(), evaluator.settings().pool_size, "the pool is back to full");
}

#[test]
fn normal_requests_restore_non_exported_globals_and_static_memory() {
    let evaluator = start("hostile.wat", settings());
    for _ in 0..50 {
        let evaluation = eval(&evaluator, "fine");
        assert!(!evaluation.replaced);
        let reply = evaluation.reply.unwrap();
        assert_eq!(reply["result"]["global"], 1);
        assert_eq!(reply["result"]["static"], 1);
    }
    assert_eq!(evaluator.replaced(), 0);
}

#[test]
fn without_restore_state_leaks_which_proves_the_test_can_fail() {
    let evaluator = start("hostile.wat", Settings { snapshot: SnapshotStrategy::Off, pool_size: 1, ..settings() });
    eval(&evaluator, "fine").reply.unwrap();
    let reply = eval(&evaluator, "fine").reply.unwrap();
    assert_eq!(reply["result"]["global"], 2);
    assert_eq!(reply["result"]["static"], 2);
}

#[test]
fn fresh_strategy_replaces_every_instance_and_stays_clean() {
    let evaluator = start("hostile.wat", Settings { snapshot: SnapshotStrategy::Fresh, ..settings() });
    let evaluation = eval(&evaluator, "fine");
    assert!(evaluation.replaced);
    assert_clean_reply(&evaluator);
}

#[test]
fn unreachable_trap() {
    let evaluator = start("hostile.wat", settings());
    let evaluation = eval(&evaluator, "#t");
    assert!(evaluation.replaced);
    let failure = failure(evaluation);
    assert!(matches!(&failure, Failure::Trapped(what) if what.contains("unreachable")), "{failure:?}");
    assert!(failure.to_string().starts_with("evaluation trapped: unreachable"));
    assert_clean_reply(&evaluator);
}

#[test]
fn endless_loop_runs_out_of_fuel() {
    let evaluator = start("hostile.wat", settings());
    let evaluation = eval(&evaluator, "#l");
    assert!(evaluation.replaced);
    // The budget is spent up to the last block that no longer fits in what is left.
    assert!((19_999_000..=20_000_000).contains(&evaluation.fuel_used), "used {}", evaluation.fuel_used);
    assert_eq!(failure(evaluation), Failure::OutOfFuel(20_000_000));
    assert_clean_reply(&evaluator);
}

#[test]
fn endless_loop_hits_the_deadline_when_fuel_is_plenty() {
    let evaluator =
        start("hostile.wat", Settings { fuel: u64::MAX / 2, deadline: Duration::from_millis(200), ..settings() });
    let started = Instant::now();
    let failure = failure(eval(&evaluator, "#l"));
    assert_eq!(failure, Failure::TimedOut(Duration::from_millis(200)));
    assert_eq!(failure.to_string(), "evaluation timed out after 200ms");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_clean_reply(&evaluator);
}

#[test]
fn deep_recursion_traps_without_touching_the_host_stack() {
    let evaluator = start("hostile.wat", settings());
    let failure = failure(eval(&evaluator, "#r"));
    assert!(failure.to_string().contains("call stack exhausted"), "{failure}");
    assert_clean_reply(&evaluator);
}

#[test]
fn memory_grow_far_past_the_cap_is_out_of_memory() {
    let evaluator = start("hostile.wat", settings());
    let failure = failure(eval(&evaluator, "#G"));
    assert_eq!(failure, Failure::OutOfMemory(256));
    assert_eq!(failure.to_string(), "evaluation ran out of memory");
    assert_clean_reply(&evaluator);
}

#[test]
fn a_little_memory_growth_keeps_the_reply_and_replaces_the_instance() {
    let evaluator = start("hostile.wat", settings());
    let evaluation = eval(&evaluator, "#g");
    assert!(evaluation.replaced);
    let reply = evaluation.reply.unwrap();
    assert_eq!(reply["result"]["is_correct"], true);
    assert_clean_reply(&evaluator);
}

#[test]
fn proc_exit_during_evaluate() {
    let evaluator = start("hostile.wat", settings());
    let evaluation = eval(&evaluator, "#x");
    assert!(evaluation.replaced);
    let failure = failure(evaluation);
    assert_eq!(failure, Failure::Exited(3));
    assert_eq!(failure.to_string(), "evaluator exited with code 3");
    assert_clean_reply(&evaluator);
}

#[test]
fn bad_replies_name_the_check_they_failed() {
    let evaluator = start("hostile.wat", Settings { max_reply_bytes: usize::MAX, ..settings() });
    for (mode, expected) in [
        ("#p", "the reply pointer 0xfffffff0 is outside memory"),
        ("#L", "the reply length 1000000"),
        ("#o", "the reply length 4294967295"),
        ("#u", "the reply is not UTF-8"),
        ("#j", "the reply is not JSON"),
        ("#a", "the reply is JSON but not an object"),
    ] {
        let evaluation = eval(&evaluator, mode);
        assert!(!evaluation.replaced, "{mode}: a bad reply leaves a restorable instance");
        let message = failure(evaluation).to_string();
        assert!(message.starts_with("evaluator returned a bad reply: "), "{mode}: {message}");
        assert!(message.contains(expected), "{mode}: {message}");
        assert_clean_reply(&evaluator);
    }
}

#[test]
fn the_reply_size_limit_applies() {
    let evaluator = start("hostile.wat", Settings { max_reply_bytes: 50, ..settings() });
    let failure = failure(eval(&evaluator, "fine"));
    assert_eq!(failure, Failure::ReplyTooLarge { len: 85, limit: 50 });
    assert!(failure.to_string().contains("reply too large"));
}

#[test]
fn alloc_returning_zero() {
    let (evaluator, _) = Evaluator::start(&fixture("alloc-zero.wat"), settings()).unwrap();
    let failure = failure(evaluator.evaluate("eval", b"{}"));
    assert_eq!(failure, Failure::AllocFailed(b"{\"method\":\"eval\",\"params\":{}}".len()));
    assert!(failure.to_string().starts_with("alloc failed"));
    assert_eq!(evaluator.idle(), 2);
}

#[test]
fn alloc_returning_a_pointer_near_the_end_of_memory() {
    let (evaluator, _) = Evaluator::start(&fixture("alloc-at-end.wat"), settings()).unwrap();
    let failure = failure(evaluator.evaluate("eval", b"{\"response\":1,\"answer\":1}"));
    assert!(matches!(failure, Failure::AllocOutOfBounds { ptr: 65528, .. }), "{failure:?}");
    assert!(failure.to_string().contains("runs past the end of memory"));
    assert_eq!(evaluator.idle(), 2);
}

#[test]
fn trapping_with_a_lowered_stack_pointer_500_times_then_answering() {
    let evaluator = start("hostile.wat", settings());
    for _ in 0..500 {
        assert!(matches!(failure(eval(&evaluator, "#s")), Failure::Trapped(_)));
    }
    assert_eq!(evaluator.replaced(), 500);
    assert_clean_reply(&evaluator);
}

#[test]
fn the_request_body_reaches_the_guest_byte_for_byte() {
    let evaluator = start("hostile.wat", settings());
    // Every JSON escape, non-ASCII text, odd spacing and number spellings: none may be re-encoded.
    let body = "{ \"response\" : \"#e \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 é 😀 ünï\",\n\"answer\":1.50e+2 ,\"params\":{}}";
    let reply = evaluator.evaluate("eval", body.as_bytes()).reply.unwrap();
    let hex = reply["result"]["feedback"].as_str().unwrap();
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    let expected = format!("{{\"method\":\"eval\",\"params\":{body}}}");
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
}

#[test]
fn the_same_request_gives_the_same_reply_and_the_same_fuel() {
    let evaluator = start("hostile.wat", settings());
    let first = eval(&evaluator, "#e same");
    let second = eval(&evaluator, "#e same");
    assert_eq!(first.fuel_used, second.fuel_used);
    assert!(first.fuel_used > 0);
    assert_eq!(first.reply.unwrap(), second.reply.unwrap());
    let again = start("hostile.wat", settings());
    assert_eq!(eval(&again, "#e same").fuel_used, first.fuel_used, "a second evaluator agrees");
}

#[test]
fn guest_output_is_captured_with_the_request() {
    let evaluator = start("hostile.wat", settings());
    let evaluation = eval(&evaluator, "#w");
    assert_eq!(evaluation.output, "hello from the guest");
    assert!(evaluation.reply.is_ok());
    assert_eq!(eval(&evaluator, "fine").output, "", "output does not carry over");
}

#[test]
fn start_with_proc_exit_zero_initialises() {
    let evaluator = start("start-exits.wat", settings());
    let reply = evaluator.evaluate("eval", b"{}").reply.unwrap();
    assert_eq!(reply["result"]["feedback"], "started 1");
}

#[test]
fn modules_that_change_tables_get_a_fresh_instance_every_request() {
    let (evaluator, startup) = Evaluator::start(&fixture("table-mutator.wat"), settings()).unwrap();
    assert!(startup.report.notes.iter().any(|note| note.contains("table.set")), "{}", startup.report);
    for _ in 0..5 {
        let evaluation = evaluator.evaluate("eval", b"{}");
        assert!(evaluation.replaced);
        assert_eq!(evaluation.reply.unwrap()["result"]["feedback"], "a");
    }
}

#[test]
fn load_time_refusals_name_each_problem() {
    for (name, expected) in [
        ("imports-env.wat", "imports `env.anything`, which is not provided"),
        ("no-evaluate.wat", "missing export `evaluate`"),
        ("evaluate-wrong-signature.wat", "export `evaluate` has the wrong signature: found func (i32) -> (i32)"),
        ("memory-not-exported.wat", "memory is not exported"),
        ("memory-too-large.wat", "memory declares 300 pages initially, above the cap of 256 pages"),
        ("init-loops.wat", "initialisation exceeded its fuel budget of 20000000"),
    ] {
        let report = match Evaluator::start(&fixture(name), settings()) {
            Ok(_) => panic!("{name} must be refused"),
            Err(report) => report,
        };
        assert!(report.problems.iter().any(|p| p.contains(expected)), "{name}: {:?}", report.problems);
        assert!(report.to_string().ends_with("verdict: refused"));
    }
    let report = Evaluator::start(b"hello, not wasm", settings()).err().unwrap();
    assert_eq!(report.problems.len(), 1);
    assert!(report.problems[0].starts_with("not a WebAssembly module"), "{:?}", report.problems);
}

#[test]
fn mutable_reference_globals_are_refused_because_a_snapshot_cannot_carry_them() {
    let bytes = wat::parse_str(
        r#"(module (memory (export "memory") 1) (global (mut funcref) (ref.null func))
             (func (export "alloc") (param i32) (result i32) (i32.const 0))
             (func (export "evaluate") (param i32 i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let report = Evaluator::start(&bytes, settings()).err().expect("refused");
    assert!(report.problems[0].starts_with("defines mutable reference-typed globals (indices [0])"), "{report}");
}

#[test]
fn several_problems_are_all_reported() {
    let bytes = wat::parse_str(r#"(module (import "env" "f" (func)) (memory 1))"#).unwrap();
    let report = Evaluator::start(&bytes, settings()).err().unwrap();
    assert_eq!(report.problems.len(), 4, "{:?}", report.problems);
}

#[test]
fn overload_when_no_instance_frees_up_in_time() {
    let evaluator = start(
        "hostile.wat",
        Settings {
            pool_size: 1,
            fuel: u64::MAX / 2,
            deadline: Duration::from_millis(600),
            queue_timeout: Duration::from_millis(100),
            ..settings()
        },
    );
    let busy = Arc::clone(&evaluator);
    let looping = std::thread::spawn(move || eval(&busy, "#l"));
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let evaluation = eval(&evaluator, "fine");
    assert!(matches!(evaluation.reply, Err(EvalError::Overloaded(_))), "{:?}", evaluation.reply.err());
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert!(matches!(looping.join().unwrap().reply, Err(EvalError::Failed(Failure::TimedOut(_)))));
    assert_clean_reply(&evaluator);
}

#[test]
fn a_short_request_is_served_while_every_other_instance_loops_in_coroutines() {
    // Two coroutines on ONE may worker thread run endless loops; a third asks for a normal reply. With fuel
    // slices the loops yield between slices, so the short request finishes long before they time out.
    may::config().set_workers(1).set_stack_size(256 * 1024);
    let evaluator = start(
        "hostile.wat",
        Settings { pool_size: 3, fuel: u64::MAX / 2, deadline: Duration::from_secs(3), ..settings() },
    );
    let loops: Vec<_> = (0..2)
        .map(|_| {
            let evaluator = Arc::clone(&evaluator);
            unsafe { may::coroutine::spawn(move || eval(&evaluator, "#l").reply.is_err()) }
        })
        .collect();
    std::thread::sleep(Duration::from_millis(50));
    let short = Arc::clone(&evaluator);
    let started = Instant::now();
    let handle = unsafe { may::coroutine::spawn(move || (eval(&short, "fine").reply.is_ok(), Instant::now())) };
    let (ok, finished) = handle.join().unwrap();
    assert!(ok);
    let waited = finished - started;
    assert!(waited < Duration::from_millis(200), "the short request waited {waited:?}");
    for handle in loops {
        assert!(handle.join().unwrap(), "the loops end with a timeout");
    }
}
