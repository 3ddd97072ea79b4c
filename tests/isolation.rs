//! Isolation between students (issue 6, part 2). The guest tests/fixtures/secrets.wat hides each request's secret
//! in a static, in non-exported mutable globals, on its heap (two allocators) and in grown memory, and first
//! reports everything it finds in those places from before. Thousands of requests from different "students" run
//! interleaved on every instance of the pool at once, with traps, timeouts, proc_exit, bad replies and memory
//! growth (each replaces or restores an instance) in the mix. No reply may ever contain anything left by an earlier
//! request: `found` is always empty, and `feedback` is always the request's own secret.
//!
//! The 10,000 pairs run against the sandbox API (fast enough for the default test run); a smaller run goes through
//! the real server over HTTP; and a run with the reset switched off proves the probe sees a leak when there is one.

mod common;

use common::{fixture_module, read_reply, request, Server};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmshim::sandbox::{EvalError, Evaluator, Failure, Settings, SnapshotStrategy};

/// The pool size of every run: the client threads are one more, so instances are always contended.
const POOL: usize = 3;
/// The wall-clock deadline: the endless loop ends here (its fuel would last far longer).
const DEADLINE: Duration = Duration::from_millis(5);

fn secrets_module() -> Vec<u8> {
    let path = format!("{}/tests/fixtures/secrets.wat", env!("CARGO_MANIFEST_DIR"));
    wat::parse_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn settings(snapshot: SnapshotStrategy) -> Settings {
    Settings {
        fuel: 1_000_000_000,
        init_fuel: 1_000_000,
        deadline: DEADLINE,
        pool_size: POOL,
        queue_timeout: Duration::from_secs(30),
        snapshot,
        ..Settings::default()
    }
}

/// A small deterministic generator (xorshift64*), so a failing run can be repeated exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What a request asks the guest to do after hiding its secret.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Normal,
    Trap,
    Loop,
    Exit,
    BadReply,
    Grow,
}

impl Mode {
    /// Mostly normal requests, with every kind of failure and memory growth mixed in.
    fn pick(rng: &mut Rng) -> Mode {
        match rng.below(100) {
            0..=3 => Mode::Trap,
            4..=5 => Mode::Loop,
            6..=8 => Mode::Exit,
            9..=11 => Mode::BadReply,
            12..=15 => Mode::Grow,
            _ => Mode::Normal,
        }
    }

    fn marker(self) -> &'static str {
        match self {
            Mode::Normal => "-",
            Mode::Trap => "#t",
            Mode::Loop => "#l",
            Mode::Exit => "#x",
            Mode::BadReply => "#b",
            Mode::Grow => "#g",
        }
    }
}

/// Every secret ever handed out is unique: a global counter, scrambled so neighbours do not look alike.
static NEXT_SECRET: AtomicU64 = AtomicU64::new(1);

fn new_secret() -> String {
    let n = NEXT_SECRET.fetch_add(1, Ordering::Relaxed);
    format!("SECRET-{:016x}", n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// One student's request: the secret both first (as the response) and last (after padding of random length,
/// so that an earlier, longer envelope's tail would lie just past a later, shorter one).
fn body(secret: &str, mode: Mode, rng: &mut Rng) -> String {
    let pad = "p".repeat(rng.below(400) as usize);
    json!({"response": secret, "answer": mode.marker(), "params": {"pad": pad, "again": secret}}).to_string()
}

/// Checks one reply: its own secret in `feedback`, nothing found from before.
#[track_caller]
fn check_reply(result: &Map<String, Value>, secret: &str, what: &str) {
    let result = result["result"].as_object().unwrap_or_else(|| panic!("{what}: no result in {result:?}"));
    assert_eq!(result["feedback"], secret, "{what}: the reply is not this request's");
    let found = result["found"].as_str().unwrap();
    assert!(found.is_empty(), "{what}: the guest found state from an earlier request: {found:?}");
}

/// Checks the outcome of one evaluation through the sandbox API against its mode.
#[track_caller]
fn check_evaluation(reply: &Result<Map<String, Value>, EvalError>, secret: &str, mode: Mode, what: &str) {
    match (mode, reply) {
        (Mode::Normal | Mode::Grow, Ok(reply)) => check_reply(reply, secret, what),
        (Mode::Trap, Err(EvalError::Failed(Failure::Trapped(why)))) if why.contains("unreachable") => {}
        (Mode::Loop, Err(EvalError::Failed(Failure::TimedOut(after)))) if *after == DEADLINE => {}
        (Mode::Exit, Err(EvalError::Failed(Failure::Exited(3)))) => {}
        (Mode::BadReply, Err(EvalError::Failed(Failure::BadReply(why)))) if why.contains("outside memory") => {}
        (mode, other) => panic!("{what}: mode {mode:?} gave {other:?}"),
    }
}

#[test]
fn ten_thousand_interleaved_pairs_on_the_sandbox_never_see_each_others_secrets() {
    let (evaluator, _) = Evaluator::start(&secrets_module(), settings(SnapshotStrategy::Full)).expect("loads");
    const THREADS: usize = POOL + 1;
    const PAIRS: usize = 10_000;
    let started = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let evaluator = Arc::clone(&evaluator);
            std::thread::spawn(move || {
                let mut rng = Rng(0x1234_5678 + t as u64);
                let mut modes = [0usize; 6];
                // Each pair: student A, then student B on whatever instance is free, each in a random mode.
                for pair in 0..PAIRS / THREADS {
                    for student in ["A", "B"] {
                        let secret = new_secret();
                        let mode = Mode::pick(&mut rng);
                        modes[mode as usize] += 1;
                        let evaluation = evaluator.evaluate("eval", body(&secret, mode, &mut rng).as_bytes());
                        let what = format!("thread {t}, pair {pair}, student {student}");
                        check_evaluation(&evaluation.reply, &secret, mode, &what);
                    }
                }
                modes
            })
        })
        .collect();
    let mut modes = [0usize; 6];
    for thread in threads {
        for (total, n) in modes.iter_mut().zip(thread.join().expect("no reply leaked a secret")) {
            *total += n;
        }
    }
    assert_eq!(modes.iter().sum::<usize>(), 2 * PAIRS);
    // Every kind of fault really happened, many times, and the pool is whole again.
    assert!(modes.iter().all(|&n| n >= 100), "modes (normal, trap, loop, exit, bad reply, grow): {modes:?}");
    let replaced = (modes[1] + modes[2] + modes[3] + modes[5]) as u64;
    assert_eq!(evaluator.replaced(), replaced, "every trap, timeout, exit and growth replaced its instance");
    assert_eq!(evaluator.idle(), POOL);
    eprintln!("isolation: {} requests {modes:?} in {:?}", 2 * PAIRS, started.elapsed());
}

#[test]
fn the_fresh_strategy_is_isolated_too() {
    let (evaluator, _) = Evaluator::start(&secrets_module(), settings(SnapshotStrategy::Fresh)).expect("loads");
    let mut rng = Rng(99);
    for i in 0..300 {
        let secret = new_secret();
        let mode = Mode::pick(&mut rng);
        let evaluation = evaluator.evaluate("eval", body(&secret, mode, &mut rng).as_bytes());
        check_evaluation(&evaluation.reply, &secret, mode, &format!("request {i}"));
    }
}

/// The control: with the reset switched off the same probe finds the previous request's secret in every place it
/// hides it, so an empty `found` above is a real result, not a blind probe.
#[test]
fn without_the_reset_the_probe_finds_the_previous_secret_in_every_hiding_place() {
    let (evaluator, _) =
        Evaluator::start(&secrets_module(), Settings { pool_size: 1, ..settings(SnapshotStrategy::Off) })
            .expect("loads");
    let mut rng = Rng(7);
    let first = new_secret();
    let reply = evaluator.evaluate("eval", body(&first, Mode::Normal, &mut rng).as_bytes()).reply.unwrap();
    check_reply(&reply, &first, "the first request on a new instance");
    let second = new_secret();
    let reply = evaluator.evaluate("eval", body(&second, Mode::Normal, &mut rng).as_bytes()).reply.unwrap();
    let found = reply["result"]["found"].as_str().unwrap();
    // 23 bytes of secret plus the byte after it (`"`, shown as '.'): the static, the globals, the arena slot.
    let leaked = format!("{first}.");
    assert_eq!(found, leaked.repeat(3), "static, globals and arena each leak the first secret");
}

/// The same over HTTP against the real server: fewer pairs (each costs a connection), the same checks, and the
/// exact status and message for every failure mode.
#[test]
fn interleaved_pairs_over_http_never_see_each_others_secrets() {
    let module = fixture_module("secrets.wat");
    let server = Server::start(&[
        ("FUNCTION_WASM_MODULE", module.as_str()),
        ("FUNCTION_MAX_PROCS", "3"),
        ("FUNCTION_WORKER_SEND_TIMEOUT", "20ms"),
        ("FUNCTION_QUEUE_TIMEOUT", "30s"),
    ]);
    const THREADS: usize = POOL + 1;
    const PAIRS: usize = 600;
    let port = server.port;
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                let mut rng = Rng(0xabcd + t as u64);
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                for pair in 0..PAIRS / THREADS {
                    for student in ["A", "B"] {
                        let secret = new_secret();
                        let mode = Mode::pick(&mut rng);
                        let body = body(&secret, mode, &mut rng);
                        stream.write_all(&request("POST", "/", &[], body.as_bytes())).unwrap();
                        let reply = read_reply(&mut stream).expect("a reply");
                        let what = format!("thread {t}, pair {pair}, student {student}, mode {mode:?}");
                        let error = |message: &str| json!({"error": {"message": message}});
                        match mode {
                            Mode::Normal | Mode::Grow => {
                                assert_eq!(reply.status, 200, "{what}: {}", reply.text());
                                check_reply(reply.json().as_object().unwrap(), &secret, &what);
                            }
                            Mode::Trap => {
                                assert_eq!(reply.status, 500, "{what}");
                                let message =
                                    "evaluation trapped: unreachable instruction executed (a panic or abort in the evaluator)";
                                assert_eq!(reply.json(), error(message), "{what}");
                            }
                            Mode::Loop => {
                                assert_eq!(reply.status, 500, "{what}");
                                assert_eq!(reply.json(), error("evaluation timed out after 20ms"), "{what}");
                            }
                            Mode::Exit => {
                                assert_eq!(reply.status, 500, "{what}");
                                assert_eq!(reply.json(), error("evaluator exited with code 3"), "{what}");
                            }
                            Mode::BadReply => {
                                assert_eq!(reply.status, 500, "{what}");
                                let message = "evaluator returned a bad reply: the reply pointer 0xfffffff0 is \
                                               outside memory (131072 bytes)";
                                assert_eq!(reply.json(), error(message), "{what}");
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no reply leaked a secret");
    }
}

/// A mutable global of reference type (`funcref` here) is state too. Found by fuzzing (fuzz/regressions/wasm_module):
/// the snapshot keeps the first instance's `Func` handle and writing it into another instance's store panics inside
/// wasmi ("new_value does not originate from `ctx`"), at startup for a pool of two, or on the first replacement.
/// The module must either be refused at load with a message, or be served with the global restored on every
/// instance; never a panic.
#[test]
fn a_mutable_funcref_global_is_refused_or_restored_never_a_panic() {
    let wasm = wat::parse_str(
        r#"(module
          (memory (export "memory") 1)
          (global $g (mut funcref) (ref.func $f))
          (func $f)
          (elem declare func $f)
          (func (export "alloc") (param i32) (result i32) (i32.const 1024))
          (func (export "evaluate") (param i32 i32) (result i32)
            (global.set $g (ref.null func))
            unreachable))"#,
    )
    .unwrap();
    for pool_size in [1, 2] {
        // A panic anywhere here fails the test.
        let Ok((evaluator, _)) = Evaluator::start(&wasm, Settings { pool_size, ..settings(SnapshotStrategy::Full) })
        else {
            continue;
        };
        for _ in 0..3 {
            let evaluation = evaluator.evaluate("eval", b"{}");
            assert!(matches!(evaluation.reply, Err(EvalError::Failed(Failure::Trapped(_)))), "{:?}", evaluation.reply);
        }
        assert_eq!(evaluator.idle(), pool_size);
    }
}
