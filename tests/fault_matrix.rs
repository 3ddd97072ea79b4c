//! The fault matrix (issue 6, part 1): ONE real server with the hostile guest (tests/fixtures/hostile.wat), a pool
//! of three, a small fuel budget and short timeouts, takes every hostile guest mode and every hostile client input
//! in turn, while other connections keep sending normal requests from their own threads. For each fault:
//!
//! * the faulty request gets exactly its expected status and message (or the connection is closed, where that
//!   is the contract);
//! * afterwards the next normal request succeeds from a clean instance (both counters of the guest are 1);
//! * the pool is back to full: as many concurrent requests as there are instances, each holding its instance
//!   far longer than the queue timeout, all get an instance (no 503), and so does a burst of normal requests;
//! * the process is the same one (alive, same PID) and its log shows no panic.
//!
//! The background requests check every reply they get (200, counters 1) and count them; none may fail.

mod common;

use common::{fixture_module, read_reply, request, Reply, Server};
use serde_json::{json, Value};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Instances in the pool.
const PROCS: usize = 3;
/// Fuel per request: an endless loop spends it in about 30 ms on an idle machine (debug or release binary alike:
/// wasmi is built optimised in both), longer on a busy one, so a loop always holds its instance for longer than the
/// queue timeout. No false 503 is possible: there are never more requests needing an instance than instances.
const FUEL: u64 = 4_000_000;
/// How long a request waits for an instance before it is refused with 503.
const QUEUE_TIMEOUT_MS: u64 = 10;
/// Largest request body accepted.
const MAX_BODY: usize = 4096;
/// Background threads sending normal requests throughout.
const BACKGROUND: usize = 2;

fn normal_reply() -> Value {
    json!({"command": "eval", "result": {"is_correct": true, "feedback": "ok", "global": 1, "static": 1}})
}

fn error_body(message: &str) -> Value {
    json!({"error": {"message": message}})
}

#[track_caller]
fn assert_json(reply: &Reply, status: u16, body: &Value, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text());
    assert_eq!(reply.header("Content-Type"), Some("application/json"), "{what}: {reply:?}");
    assert_eq!(&reply.json(), body, "{what}");
}

/// The envelope the guest receives for an eval body (guest-abi.md §2).
fn envelope(body: &[u8]) -> Vec<u8> {
    [&b"{\"method\":\"eval\",\"params\":"[..], body, b"}"].concat()
}

/// Waits for the server to close the connection (a read of 0, or a reset) within `within`.
#[track_caller]
fn assert_closed(stream: &mut TcpStream, within: Duration, what: &str) {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {}
        Ok(n) => panic!("{what}: expected a close, got more bytes: {:?}", String::from_utf8_lossy(&buf[..n])),
        Err(e) => panic!("{what}: expected a close within {within:?}, got {e}"),
    }
}

/// Writes raw bytes on a new connection (a failed write is ignored: the server may close before reading it all)
/// and reads one reply, if one comes.
fn exchange(server: &Server, bytes: &[u8]) -> (Option<Reply>, TcpStream) {
    let mut stream = server.connect();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = stream.write_all(bytes);
    let reply = read_reply(&mut stream);
    (reply, stream)
}

/// The shared server, the background traffic and the gate that pauses it while the recovery checks run.
struct Matrix {
    server: Server,
    pid: u32,
    gate: Arc<RwLock<()>>,
    stop: Arc<AtomicBool>,
    served: Arc<AtomicUsize>,
    background: Vec<std::thread::JoinHandle<()>>,
    faults: usize,
}

impl Matrix {
    fn start() -> Matrix {
        let module = fixture_module("hostile.wat");
        let procs = PROCS.to_string();
        let fuel = FUEL.to_string();
        let queue = format!("{QUEUE_TIMEOUT_MS}ms");
        let max_body = MAX_BODY.to_string();
        let server = Server::start(&[
            ("FUNCTION_WASM_MODULE", module.as_str()),
            ("FUNCTION_MAX_PROCS", procs.as_str()),
            ("FUNCTION_WASM_FUEL", fuel.as_str()),
            ("FUNCTION_WORKER_SEND_TIMEOUT", "20s"),
            ("FUNCTION_QUEUE_TIMEOUT", queue.as_str()),
            ("FUNCTION_MAX_BODY_BYTES", max_body.as_str()),
            ("HTTP_IDLE_TIMEOUT", "1s"),
        ]);
        let pid = server.child.id();
        let gate = Arc::new(RwLock::new(()));
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let background = (0..BACKGROUND)
            .map(|i| {
                let (gate, stop, served, port) =
                    (Arc::clone(&gate), Arc::clone(&stop), Arc::clone(&served), server.port);
                std::thread::spawn(move || background_traffic(i, port, &gate, &stop, &served))
            })
            .collect();
        Matrix { server, pid, gate, stop, served, background, faults: 0 }
    }

    /// After a fault: pause the background traffic, then prove the pool is full and clean and the process is the
    /// same. `settle` allows the pool a few seconds to get an instance back that a request abandoned by its
    /// client is still using (it ends by itself when its fuel runs out).
    #[track_caller]
    fn assert_recovered(&mut self, fault: &str, settle: bool) {
        self.faults += 1;
        let _paused = self.gate.write().unwrap();
        let deadline = Instant::now() + Duration::from_secs(if settle { 10 } else { 0 });
        loop {
            let statuses = burst(&self.server, "#l");
            if statuses.iter().all(|&(status, _)| status == 500) {
                for (_, body) in &statuses {
                    assert_eq!(body, &error_body("evaluation exceeded its CPU budget"), "{fault}: burst of loops");
                }
                break;
            }
            assert!(
                settle && Instant::now() < deadline,
                "{fault}: the pool is not full again: a burst of {PROCS} loops got {statuses:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let reply = self.server.post("/", &[], br#"{"response":"fine","answer":1}"#);
        assert_json(&reply, 200, &normal_reply(), fault);
        for (status, body) in burst(&self.server, "fine") {
            assert_eq!((status, body), (200, normal_reply()), "{fault}: burst of normal requests");
        }
        assert!(self.server.alive(), "{fault}: the server died:\n{}", self.server.log_text());
        assert_eq!(self.server.child.id(), self.pid, "{fault}: not the same process");
        let log = self.server.log_text();
        assert!(!log.contains("panicked") && !log.contains("overflow"), "{fault}:\n{log}");
    }

    /// Stops the background traffic and returns how many normal requests it had served (all checked).
    fn finish(mut self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        for handle in self.background.drain(..) {
            handle.join().expect("a background request failed (see its panic message above)");
        }
        self.served.load(Ordering::SeqCst)
    }
}

/// `PROCS` requests with the given response, sent at the same time on their own connections: (status, body).
fn burst(server: &Server, response: &str) -> Vec<(u16, Value)> {
    let body = json!({"response": response, "answer": 1}).to_string();
    let port = server.port;
    let threads: Vec<_> = (0..PROCS)
        .map(|_| {
            let body = body.clone();
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                stream.write_all(&request("POST", "/", &[], body.as_bytes())).unwrap();
                let reply = read_reply(&mut stream).expect("a reply");
                (reply.status, reply.json())
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// One background client: batches of ten normal requests on one kept-alive connection, each checked exactly,
/// until told to stop. Holds the gate's read side for one batch at a time.
fn background_traffic(i: usize, port: u16, gate: &RwLock<()>, stop: &AtomicBool, served: &AtomicUsize) {
    let expected = normal_reply();
    let mut n = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let _open = gate.read().unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        for _ in 0..10 {
            n += 1;
            let body = format!(r#"{{"response":"background {i} {n}","answer":{n}}}"#);
            stream.write_all(&request("POST", "/", &[], body.as_bytes())).unwrap();
            let reply = read_reply(&mut stream).unwrap_or_else(|| panic!("background {i}: request {n} got no reply"));
            assert_eq!(reply.status, 200, "background {i}, request {n}: {}", reply.text());
            assert_eq!(reply.json(), expected, "background {i}, request {n}");
            served.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// A legacy eval whose response carries a hostile mode, on a new connection.
fn hostile(server: &Server, mode: &str) -> Reply {
    server.post("/", &[], json!({"response": mode, "answer": 1}).to_string().as_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const CHUNKED_REFUSAL: &str = "chunked request bodies are not supported: send the body with a Content-Length header";

#[test]
fn every_fault_in_turn_against_one_server_under_background_traffic() {
    let mut matrix = Matrix::start();
    let started = Instant::now();

    // ---- Hostile guest modes: (mode, expected status, expected body). ----------------------------------------
    let trap = "evaluation trapped: unreachable instruction executed (a panic or abort in the evaluator)";
    let bad = |why: &str| format!("evaluator returned a bad reply: {why}");
    let long_reply_body = json!({"response": "#L", "answer": 1}).to_string();
    // The reply of #L is allocated right after the envelope, which the guest's bump allocator puts at 4096.
    let long_reply_at = 4096 + envelope(long_reply_body.as_bytes()).len();
    let echo_body = json!({"response": "#e", "answer": 1}).to_string();
    let echo =
        json!({"command": "eval", "result": {"is_correct": true, "feedback": hex(&envelope(echo_body.as_bytes()))}});
    let guest_faults: Vec<(&str, u16, Value)> = vec![
        ("#t", 500, error_body(trap)),
        ("#l", 500, error_body("evaluation exceeded its CPU budget")),
        (
            "#r",
            500,
            error_body("evaluation trapped: call stack exhausted (recursion deeper than the call-depth limit)"),
        ),
        ("#G", 500, error_body("evaluation ran out of memory")),
        ("#g", 200, normal_reply()),
        ("#x", 500, error_body("evaluator exited with code 3")),
        ("#p", 500, error_body(&bad("the reply pointer 0xfffffff0 is outside memory (131072 bytes)"))),
        (
            "#L",
            500,
            error_body(&bad(&format!(
                "the reply length 1000000 at {long_reply_at:#x} runs past the end of memory (131072 bytes)"
            ))),
        ),
        ("#o", 500, error_body(&bad("reply too large (4294967295 bytes, the limit is 8388608)"))),
        ("#u", 500, error_body(&bad("the reply is not UTF-8 (invalid byte at offset 0)"))),
        ("#j", 500, error_body(&bad("the reply is not JSON: key must be a string at line 1 column 2"))),
        ("#a", 500, error_body(&bad("the reply is JSON but not an object"))),
        ("#s", 500, error_body(trap)),
        ("#w", 200, normal_reply()),
        ("#e", 200, echo),
    ];
    for (mode, status, body) in &guest_faults {
        let reply = hostile(&matrix.server, mode);
        assert_json(&reply, *status, body, mode);
        matrix.assert_recovered(mode, false);
    }
    assert!(matrix.server.log_text().contains("guest_output=\"hello from the guest\""), "#w output is logged");

    // The same faults through the other routes: µEd passes the legacy error through, healthcheck surfaces a trap.
    let mued =
        json!({"submission": {"type": "TEXT", "content": {"text": "#t"}}, "task": {"referenceSolution": {"text": 1}}});
    let reply = matrix.server.post("/fn/evaluate", &[], mued.to_string().as_bytes());
    assert_json(&reply, 500, &error_body(trap), "µEd #t");
    assert_eq!(reply.header("X-Api-Version"), Some("0.1.0"));
    matrix.assert_recovered("µEd #t", false);
    let reply = matrix.server.post("/", &[("command", "healthcheck")], br##"{"probe":"#x"}"##);
    assert_json(&reply, 500, &error_body("evaluator exited with code 3"), "healthcheck #x");
    matrix.assert_recovered("healthcheck #x", false);

    // ---- Hostile clients ---------------------------------------------------------------------------------------
    let server = &matrix.server;
    let normal = br#"{"response":"fine","answer":1}"#;

    // Chunked body: 411, close, and the chunk bytes (here a complete request) are never read as a request.
    let smuggled =
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n";
    let (reply, mut stream) = exchange(server, smuggled);
    let reply = reply.expect("chunked: a reply");
    assert_json(&reply, 411, &error_body(CHUNKED_REFUSAL), "chunked");
    assert_eq!(reply.header("Connection"), Some("close"));
    assert_closed(&mut stream, Duration::from_secs(3), "chunked");
    matrix.assert_recovered("chunked body", false);

    // Bad Content-Length values, and two that disagree: 400 and a close before the body is read.
    for (lines, message) in [
        ("Content-Length: abc\r\n", "invalid Content-Length header"),
        ("Content-Length: -5\r\n", "invalid Content-Length header"),
        ("Content-Length: 3\r\nContent-Length: 30\r\n", "conflicting Content-Length headers"),
    ] {
        let bytes = [format!("POST / HTTP/1.1\r\nHost: t\r\n{lines}\r\n").as_bytes(), normal].concat();
        let (reply, mut stream) = exchange(&matrix.server, &bytes);
        let reply = reply.unwrap_or_else(|| panic!("{lines:?}: no reply"));
        assert_json(&reply, 400, &error_body(message), lines);
        assert_eq!(reply.header("Connection"), Some("close"));
        assert_closed(&mut stream, Duration::from_secs(3), lines);
        matrix.assert_recovered(lines, false);
    }

    // More than 64 headers, and a head above 64 KiB: a bodyless 431 and a close.
    let mut many = String::from("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n");
    for i in 0..100 {
        many.push_str(&format!("X-Pad-{i}: {i}\r\n"));
    }
    many.push_str("\r\n{}");
    let huge = format!("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n", "a".repeat(100 * 1024));
    for (what, bytes) in [("102 headers", many.as_bytes()), ("a 100 KiB head", huge.as_bytes())] {
        let (reply, mut stream) = exchange(&matrix.server, bytes);
        let reply = reply.unwrap_or_else(|| panic!("{what}: no reply"));
        assert_eq!(reply.status, 431, "{what}");
        assert_eq!(reply.header("Connection"), Some("close"), "{what}");
        assert!(reply.body.is_empty(), "{what}");
        assert_closed(&mut stream, Duration::from_secs(3), what);
        matrix.assert_recovered(what, false);
    }

    // Garbage instead of HTTP (a TLS hello, binary noise), and garbage pipelined behind a good request.
    for garbage in [&b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 tls hello\r\n\r\n"[..], b"\x00\x01\x02\xff\r\n\r\n"]
    {
        let (reply, mut stream) = exchange(&matrix.server, garbage);
        let reply = reply.expect("garbage: a 400 reply");
        assert_eq!(reply.status, 400);
        assert_eq!(reply.header("Connection"), Some("close"));
        assert_closed(&mut stream, Duration::from_secs(3), "garbage");
        matrix.assert_recovered("garbage", false);
    }
    let pipelined = [request("POST", "/", &[], normal), b"\x00\xff garbage\r\n\r\n".to_vec()].concat();
    let (reply, mut stream) = exchange(&matrix.server, &pipelined);
    assert_json(&reply.expect("the good request's reply"), 200, &normal_reply(), "pipelined good request");
    assert_eq!(read_reply(&mut stream).expect("a 400 for the garbage").status, 400);
    assert_closed(&mut stream, Duration::from_secs(3), "garbage after a good request");
    matrix.assert_recovered("garbage after a good request", false);

    // Not JSON, and JSON that fails validation: the client's mistake, the guest never runs.
    let reply = matrix.server.post("/", &[], b"{\"response\":#t");
    assert_json(&reply, 400, &error_body("invalid JSON body: expected value at line 1 column 13"), "bad JSON");
    matrix.assert_recovered("bad JSON", false);
    let reply = matrix.server.post("/", &[], br##"{"response":"#t"}"##);
    let invalid =
        json!({"error": {"message": "request validation error", "fields": {"(root)": ["answer is required"]}}});
    assert_json(&reply, 422, &invalid, "validation");
    matrix.assert_recovered("validation error", false);

    // A body over the limit: 413 from the header alone, and a close.
    let over = format!(r#"{{"response":"{}","answer":1}}"#, "x".repeat(MAX_BODY));
    let (reply, mut stream) = exchange(&matrix.server, &request("POST", "/", &[], over.as_bytes()));
    let limit = format!("request body too large: {} bytes, the limit is {MAX_BODY}", over.len());
    assert_json(&reply.expect("a 413"), 413, &error_body(&limit), "oversize body");
    assert_closed(&mut stream, Duration::from_secs(3), "oversize body");
    matrix.assert_recovered("oversize body", false);

    // Idle: nothing sent, a head that stops halfway, a body that stops halfway. Each is closed after about one
    // idle timeout (1 s; may's timers are coarse, so up to 3 s), without a success reply.
    for (what, bytes) in [
        ("idle connection", &b""[..]),
        ("stalled head", b"POST / HTTP/1.1\r\nHost: t\r\nContent-Le"),
        ("stalled body", b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"response\":"),
    ] {
        let mut stream = matrix.server.connect();
        let opened = Instant::now();
        stream.write_all(bytes).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(4))).unwrap();
        if let Some(reply) = read_reply(&mut stream) {
            assert_eq!(reply.status, 408, "{what}: {}", reply.text());
        }
        assert_closed(&mut stream, Duration::from_secs(4), what);
        let took = opened.elapsed();
        assert!(took >= Duration::from_millis(800) && took < Duration::from_secs(3), "{what}: closed after {took:?}");
        matrix.assert_recovered(what, false);
    }

    // A client that sends an endless loop and hangs up at once: the evaluation still ends (out of fuel), its
    // instance is replaced, and nothing is written to the closed socket in a way that hurts the server.
    for how in [Shutdown::Both, Shutdown::Write] {
        let mut stream = matrix.server.connect();
        stream.write_all(&request("POST", "/", &[], br##"{"response":"#l","answer":1}"##)).unwrap();
        stream.shutdown(how).unwrap();
        drop(stream);
        matrix.assert_recovered("a client that hangs up during an endless loop", true);
    }

    // Every instance looping at once while the background is paused, then one more request: exactly 503 with
    // Retry-After (the pool is bounded), and everything recovers.
    {
        let _paused = matrix.gate.write().unwrap();
        let loops: Vec<TcpStream> = (0..PROCS)
            .map(|_| {
                let mut stream = matrix.server.connect();
                stream.write_all(&request("POST", "/", &[], br##"{"response":"#l","answer":1}"##)).unwrap();
                stream
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(5);
        let reply = loop {
            let reply = matrix.server.post("/", &[], normal);
            if reply.status == 503 || Instant::now() > deadline {
                break reply;
            }
        };
        let overloaded =
            format!("server overloaded: no evaluator instance became free within {QUEUE_TIMEOUT_MS}ms; retry later");
        assert_json(&reply, 503, &error_body(&overloaded), "overload");
        assert_eq!(reply.header("Retry-After"), Some("1"));
        for mut stream in loops {
            let reply = read_reply(&mut stream).expect("each loop gets its reply");
            assert_json(&reply, 500, &error_body("evaluation exceeded its CPU budget"), "a loop of the overload");
        }
    }
    matrix.assert_recovered("overload", false);

    let faults = matrix.faults;
    let took = started.elapsed();
    let served = matrix.finish();
    assert!(served >= 100, "only {served} background requests were served in {took:?}");
    eprintln!("fault matrix: {faults} faults, {served} background requests, {took:?}");
}
