//! Clients that break HTTP on purpose, against the real binary: the sharp edges of may_minihttp (issue 3) and
//! http-api.md §5. Each case pins the exact answer (or a close), then checks that the NEXT connection is served
//! normally by the same process. Plus time slicing: long evaluations do not stall `/health` or short requests.

mod common;

use common::{fixture_module, read_reply, request, Reply, Server};
use serde_json::{json, Value};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

fn compare_server(env: &[(&str, &str)]) -> Server {
    let mut all = vec![("FUNCTION_MAX_PROCS", "2")];
    all.extend_from_slice(env);
    Server::start(&all)
}

#[track_caller]
fn assert_json(reply: &Reply, status: u16, body: Value) {
    assert_eq!(reply.status, status, "body: {}", reply.text());
    assert_eq!(reply.header("Content-Type"), Some("application/json"), "{reply:?}");
    assert_eq!(reply.json(), body);
}

fn error_body(message: &str) -> Value {
    json!({"error": {"message": message}})
}

fn correct() -> Value {
    json!({"command": "eval", "result": {"is_correct": true, "feedback": "Correct!"}})
}

/// The same process still serves new connections: `/health` and a correct eval of the compare evaluator.
#[track_caller]
fn assert_still_serving(server: &mut Server) {
    let health = server.get("/health", &[]);
    assert_eq!(health.status, 200);
    assert_eq!(health.body, b"{\"status\":\"ok\"}\n");
    let reply = server.post("/", &[], br#"{"response":1,"answer":1.0}"#);
    assert_json(&reply, 200, correct());
    assert!(server.alive(), "the server process died:\n{}", server.log_text());
    let log = server.log_text();
    assert!(!log.contains("panicked") && !log.contains("overflowed"), "{log}");
}

/// SIGTERM: the server exits 0 at once, which also proves no request was left counted as in flight (a leaked one
/// would hold the exit for HTTP_SHUTDOWN_TIMEOUT, 10 s by default).
#[track_caller]
fn assert_stops_cleanly(mut server: Server) {
    let pid = libc::pid_t::try_from(server.child.id()).expect("a pid");
    // SAFETY: kill(2) with a pid we spawned and still own (not yet waited for).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(3);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 3 s after SIGTERM:\n{}", server.log_text());
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "exit status {status} after SIGTERM:\n{}", server.log_text());
}

/// Waits for the server to close the connection: the read returns 0 (or a reset) within `within`; any byte
/// read instead is a reply the server should not have sent.
#[track_caller]
fn assert_closed(stream: &mut TcpStream, within: Duration) {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {}
        Ok(n) => panic!("expected a close, got more bytes: {:?}", String::from_utf8_lossy(&buf[..n])),
        Err(e) => panic!("expected a close within {within:?}, got {e}"),
    }
}

/// Writes raw bytes (ignoring a failed write: the server may close before reading everything), then reads one
/// reply if one comes, and returns it with the stream.
fn exchange(server: &Server, bytes: &[u8]) -> (Option<Reply>, TcpStream) {
    let mut stream = server.connect();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = stream.write_all(bytes);
    let reply = read_reply(&mut stream);
    (reply, stream)
}

/// A JSON body padded with trailing spaces (still valid JSON) to exactly `len` bytes.
fn padded(body: Value, len: usize) -> String {
    let text = body.to_string();
    assert!(text.len() <= len);
    format!("{text}{}", " ".repeat(len - text.len()))
}

/// A request with exactly `count` header lines (Host and Content-Length included).
fn request_with_headers(count: usize) -> Vec<u8> {
    let body = br#"{"response":1,"answer":1}"#;
    let mut out = format!("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n", body.len());
    for i in 0..count - 2 {
        out.push_str(&format!("X-Pad-{i}: value {i}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

// ---------------------------------------------------------------------------------------------------------------
// Header count (may_minihttp used to close without a reply above 16)

#[test]
fn twenty_sixty_and_sixty_four_request_headers_are_served() {
    let mut server = compare_server(&[]);
    for count in [17, 20, 60, 64] {
        let (reply, _) = exchange(&server, &request_with_headers(count));
        let reply = reply.unwrap_or_else(|| panic!("{count} headers: no reply"));
        assert_json(&reply, 200, correct());
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_hundred_request_headers_get_431_or_a_close() {
    let mut server = compare_server(&[]);
    for count in [65, 100, 1000] {
        let (reply, mut stream) = exchange(&server, &request_with_headers(count));
        if let Some(reply) = reply {
            assert_eq!(reply.status, 431, "{count} headers");
            assert_eq!(reply.header("Connection"), Some("close"));
            assert!(reply.body.is_empty());
        }
        assert_closed(&mut stream, Duration::from_secs(3));
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Body framing: chunked and malformed Content-Length

const CHUNKED_HEAD: &[u8] = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
const LENGTH_REQUIRED: &str = "chunked request bodies are not supported: send the body with a Content-Length header";

#[test]
fn chunked_body_is_411_and_a_close_and_the_chunks_are_not_read_as_a_request() {
    let mut server = compare_server(&[]);
    // A well-formed chunked body, and a "body" that is itself a complete request (the smuggling case).
    let body = br#"{"response":1,"answer":1}"#;
    let chunked = [format!("{:x}\r\n", body.len()).as_bytes(), body, b"\r\n0\r\n\r\n"].concat();
    let smuggled = b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n".to_vec();
    for tail in [chunked, smuggled] {
        let (reply, mut stream) = exchange(&server, &[CHUNKED_HEAD, &tail].concat());
        let reply = reply.expect("a 411 reply");
        assert_json(&reply, 411, error_body(LENGTH_REQUIRED));
        assert_eq!(reply.header("Connection"), Some("close"));
        assert_closed(&mut stream, Duration::from_secs(3));
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn chunked_with_a_content_length_too_is_411_and_a_close() {
    let mut server = compare_server(&[]);
    let bytes = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 34\r\nTransfer-Encoding: chunked\r\n\r\n\
                  0\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n";
    let (reply, mut stream) = exchange(&server, bytes);
    let reply = reply.expect("a 411 reply");
    assert_json(&reply, 411, error_body(LENGTH_REQUIRED));
    assert_closed(&mut stream, Duration::from_secs(3));
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn chunked_head_sent_alone_gets_411_without_waiting_for_the_chunks() {
    let mut server = compare_server(&[]);
    let (reply, mut stream) = exchange(&server, CHUNKED_HEAD);
    assert_json(&reply.expect("a 411 reply"), 411, error_body(LENGTH_REQUIRED));
    assert_closed(&mut stream, Duration::from_secs(3));
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn malformed_content_length_is_400_and_a_close_without_reading_the_body() {
    let mut server = compare_server(&[]);
    let body = b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n";
    for (lines, message) in [
        ("Content-Length: abc\r\n", "invalid Content-Length header"),
        ("Content-Length: -1\r\n", "invalid Content-Length header"),
        ("Content-Length: +5\r\n", "invalid Content-Length header"),
        ("Content-Length: 1 2\r\n", "invalid Content-Length header"),
        ("Content-Length: 99999999999999999999999\r\n", "invalid Content-Length header"),
        ("Content-Length: 3\r\nContent-Length: 4\r\n", "conflicting Content-Length headers"),
        ("Content-Length: 3\r\ncontent-length: abc\r\n", "invalid Content-Length header"),
    ] {
        let bytes = [format!("POST / HTTP/1.1\r\nHost: t\r\n{lines}\r\n").as_bytes(), body].concat();
        let (reply, mut stream) = exchange(&server, &bytes);
        let reply = reply.unwrap_or_else(|| panic!("{lines:?}: no reply"));
        assert_json(&reply, 400, error_body(message));
        assert_eq!(reply.header("Connection"), Some("close"), "{lines:?}");
        assert_closed(&mut stream, Duration::from_secs(3));
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn two_equal_content_lengths_are_accepted() {
    let mut server = compare_server(&[]);
    let body = br#"{"response":1,"answer":1}"#;
    let head = format!("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: {0}\r\nContent-Length: {0}\r\n\r\n", body.len());
    let (reply, _) = exchange(&server, &[head.as_bytes(), body].concat());
    assert_json(&reply.expect("a reply"), 200, correct());
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Connection: close

#[test]
fn connection_close_gets_the_reply_then_a_close_and_nothing_pipelined_behind_it() {
    let mut server = compare_server(&[]);
    let mut bytes = request("POST", "/", &[("Connection", "close")], br#"{"response":1,"answer":1}"#);
    bytes.extend(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
    let (reply, mut stream) = exchange(&server, &bytes);
    let reply = reply.expect("a reply");
    assert_json(&reply, 200, correct());
    assert_eq!(reply.header("Connection"), Some("close"));
    assert_closed(&mut stream, Duration::from_secs(3));
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn connection_close_in_any_case_and_http_1_0_close_the_connection() {
    let mut server = compare_server(&[]);
    for head in ["GET /health HTTP/1.1\r\nHost: t\r\nconnection: CLOSE\r\n\r\n", "GET /health HTTP/1.0\r\n\r\n"] {
        let (reply, mut stream) = exchange(&server, head.as_bytes());
        let reply = reply.expect("a reply");
        assert_eq!(reply.status, 200, "{head:?}");
        assert_eq!(reply.header("Connection"), Some("close"), "{head:?}");
        assert_closed(&mut stream, Duration::from_secs(3));
    }
    // HTTP/1.0 with keep-alive stays open.
    let mut stream = server.connect();
    for _ in 0..2 {
        stream.write_all(b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
        assert_eq!(read_reply(&mut stream).expect("kept alive").status, 200);
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn head_gets_headers_without_a_body_and_the_next_reply_is_intact() {
    let mut server = compare_server(&[]);
    let mut stream = server.connect();
    stream.write_all(b"HEAD /health HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    // A HEAD reply ends at its blank line whatever its Content-Length; the next bytes must be the next reply.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "closed mid-head");
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&head));
    let mut start = [0u8; 12];
    stream.read_exact(&mut start).unwrap();
    assert_eq!(String::from_utf8_lossy(&start), "HTTP/1.1 200", "the GET reply must follow the HEAD head directly");
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Oversized head and body

/// Sends a request head with one header value of `size` bytes; it must get a bodyless 431, or a close.
#[track_caller]
fn assert_head_refused(server: &Server, size: usize) {
    let head = format!("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n", "a".repeat(size));
    let (reply, mut stream) = exchange(server, head.as_bytes());
    if let Some(reply) = reply {
        assert_eq!(reply.status, 431, "head of {} bytes", head.len());
        assert!(reply.body.is_empty());
    }
    assert_closed(&mut stream, Duration::from_secs(3));
}

#[test]
fn a_request_head_of_1_mib_gets_431_or_a_close() {
    let mut server = compare_server(&[]);
    assert_head_refused(&server, 1024 * 1024);
    // Many headers that together exceed the cap.
    let mut head = String::from("GET /health HTTP/1.1\r\nHost: t\r\n");
    while head.len() < 1024 * 1024 {
        head.push_str(&format!("X-H{}: {}\r\n", head.len(), "b".repeat(2000)));
    }
    let (reply, mut stream) = exchange(&server, head.as_bytes());
    if let Some(reply) = reply {
        assert_eq!(reply.status, 431);
    }
    assert_closed(&mut stream, Duration::from_secs(3));
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_request_head_just_above_64_kib_gets_431_or_a_close() {
    let mut server = compare_server(&[]);
    for size in [65 * 1024, 80 * 1024, 100 * 1024] {
        assert_head_refused(&server, size);
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_request_head_just_under_64_kib_is_served() {
    let mut server = compare_server(&[]);
    let head = format!("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n", "a".repeat(60 * 1024));
    let (reply, _) = exchange(&server, head.as_bytes());
    assert_eq!(reply.expect("a reply").status, 200);
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_body_over_the_limit_is_413_and_one_at_the_limit_is_served() {
    let mut server = compare_server(&[("FUNCTION_MAX_BODY_BYTES", "1000")]);
    let over = padded(json!({"response": "x".repeat(900), "answer": 1}), 1001);
    let (reply, mut stream) = exchange(&server, &request("POST", "/", &[], over.as_bytes()));
    let reply = reply.expect("a 413 reply");
    assert_json(&reply, 413, error_body("request body too large: 1001 bytes, the limit is 1000"));
    assert_eq!(reply.header("Connection"), Some("close"));
    assert_closed(&mut stream, Duration::from_secs(3));
    // The limit is checked from the header, before any body byte is read.
    let (reply, mut stream) =
        exchange(&server, b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000000\r\n\r\n{\"resp");
    assert_json(
        &reply.expect("a 413 reply"),
        413,
        error_body("request body too large: 5000000000 bytes, the limit is 1000"),
    );
    assert_closed(&mut stream, Duration::from_secs(3));
    // µEd gets the same refusal.
    let (reply, _) = exchange(&server, &request("POST", "/fn/evaluate", &[], over.as_bytes()));
    assert_json(&reply.expect("a 413 reply"), 413, error_body("request body too large: 1001 bytes, the limit is 1000"));

    let at_limit = padded(json!({"response": "y".repeat(450), "answer": "y".repeat(450)}), 1000);
    let (reply, _) = exchange(&server, &request("POST", "/", &[], at_limit.as_bytes()));
    assert_json(&reply.expect("a reply"), 200, correct());
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_body_of_5_mb_within_the_limit_is_evaluated() {
    let mut server = compare_server(&[]);
    let text = "z".repeat(2_500_000);
    let body = json!({"response": text, "answer": text}).to_string();
    assert!(body.len() > 5_000_000);
    let started = Instant::now();
    let (reply, _) = exchange(&server, &request("POST", "/", &[], body.as_bytes()));
    assert_json(&reply.expect("a reply"), 200, correct());
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Not HTTP at all

#[test]
fn garbage_instead_of_http_gets_400_or_a_close() {
    let mut server = compare_server(&[]);
    let garbage: [&[u8]; 6] = [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 tls client hello",
        b"\x00\x01\x02\x03\x04\x05\x06\x07\r\n\r\n",
        b"HELLO\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: t\r\nX-Bin: \x01\x02\r\n\r\n",
    ];
    for bytes in garbage {
        let (reply, mut stream) = exchange(&server, bytes);
        if let Some(reply) = reply {
            assert_eq!(reply.status, 400, "{:?}", String::from_utf8_lossy(bytes));
            assert_eq!(reply.header("Connection"), Some("close"));
        }
        assert_closed(&mut stream, Duration::from_secs(3));
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn garbage_after_a_good_request_gets_its_reply_then_400_and_a_close() {
    let mut server = compare_server(&[]);
    let mut bytes = request("POST", "/", &[], br#"{"response":1,"answer":1}"#);
    bytes.extend(b"\x00\xff garbage\r\n\r\n");
    let (reply, mut stream) = exchange(&server, &bytes);
    assert_json(&reply.expect("the good request's reply"), 200, correct());
    if let Some(reply) = read_reply(&mut stream) {
        assert_eq!(reply.status, 400);
    }
    assert_closed(&mut stream, Duration::from_secs(3));
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Idle and slow clients (HTTP_IDLE_TIMEOUT=1s)

const IDLE: (&str, &str) = ("HTTP_IDLE_TIMEOUT", "1s");

/// Asserts the server closes the connection about one idle timeout after `started`.
#[track_caller]
fn assert_closed_after_the_idle_timeout(stream: &mut TcpStream, started: Instant) {
    assert_closed(stream, Duration::from_secs(3));
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(800), "closed after {took:?}, before the idle timeout");
    assert!(took < Duration::from_secs(3), "closed after {took:?}");
}

#[test]
fn a_client_that_sends_nothing_is_closed_after_the_idle_timeout() {
    let mut server = compare_server(&[IDLE]);
    let started = Instant::now();
    let mut stream = server.connect();
    assert_closed_after_the_idle_timeout(&mut stream, started);
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_client_that_stalls_mid_head_is_closed_after_the_idle_timeout() {
    let mut server = compare_server(&[IDLE]);
    let mut stream = server.connect();
    let started = Instant::now();
    stream.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Le").unwrap();
    assert_closed_after_the_idle_timeout(&mut stream, started);
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_client_that_drips_its_head_is_closed_after_the_idle_timeout() {
    let mut server = compare_server(&[IDLE]);
    let mut stream = server.connect();
    let mut writer = stream.try_clone().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let started = Instant::now();
    let drip = std::thread::spawn(move || {
        for byte in b"POST / HTTP/1.1\r\nHost: t\r\nX-Slow: ".iter().chain(std::iter::repeat(&b'a')) {
            if stopped.load(Ordering::Relaxed) || writer.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    assert_closed_after_the_idle_timeout(&mut stream, started);
    stop.store(true, Ordering::Relaxed);
    drip.join().unwrap();
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let mut server = compare_server(&[IDLE]);
    let mut stream = server.connect();
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    assert_eq!(read_reply(&mut stream).expect("a reply").status, 200);
    let started = Instant::now();
    assert_closed_after_the_idle_timeout(&mut stream, started);
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_client_that_does_not_read_its_replies_is_closed_after_the_idle_timeout() {
    let mut server = compare_server(&[IDLE]);
    let before = open_descriptors(&server);
    let stream = server.connect();
    // Pipelined requests whose replies (about 3.5 times their size) fill both sockets' buffers.
    let requests = b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n".repeat(250_000);
    let mut writer = stream.try_clone().unwrap();
    writer.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&requests); // fails once the server gives up on the connection
    });
    let started = Instant::now();
    while open_descriptors(&server) == before {
        assert!(started.elapsed() < Duration::from_secs(2), "the server never accepted the connection");
        std::thread::sleep(Duration::from_millis(5));
    }
    while open_descriptors(&server) > before {
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(4), "still open after {waited:?} with HTTP_IDLE_TIMEOUT=1s");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(started.elapsed() >= Duration::from_millis(800), "closed after {:?}", started.elapsed());
    drop(stream);
    sender.join().unwrap();
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

const HALF_BODY: &[u8] = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"response\":";

#[test]
fn a_client_that_stalls_mid_body_is_closed_and_not_served() {
    let mut server = compare_server(&[IDLE]);
    let mut stream = server.connect();
    let started = Instant::now();
    stream.write_all(HALF_BODY).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    // An error reply is allowed before the close; a success is not (the body never arrived).
    if let Some(reply) = read_reply(&mut stream) {
        assert!(reply.status >= 400, "{reply:?}");
    }
    assert_closed(&mut stream, Duration::from_secs(3));
    assert!(started.elapsed() < Duration::from_secs(3), "closed after {:?}", started.elapsed());
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn a_client_that_stalls_mid_body_gets_408_or_a_silent_close_after_one_idle_timeout() {
    let mut server = compare_server(&[IDLE]);
    let mut stream = server.connect();
    let started = Instant::now();
    stream.write_all(HALF_BODY).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    // The client is at fault: 408 with the JSON error shape, or no reply at all; never a 500.
    if let Some(reply) = read_reply(&mut stream) {
        assert_eq!(reply.status, 408, "{}", reply.text());
        assert_eq!(reply.header("Content-Type"), Some("application/json"));
        assert!(reply.json()["error"]["message"].is_string(), "{}", reply.text());
        assert_eq!(reply.header("Connection"), Some("close"));
    }
    assert_closed(&mut stream, Duration::from_secs(3));
    let took = started.elapsed();
    // may fires I/O timeouts from a coarse timer list (a 1 s read timeout ends after 1 to 2 s); what must not
    // happen is waiting a second full timeout to drain a body that will never come.
    assert!(took < Duration::from_millis(2500), "closed after {took:?} with HTTP_IDLE_TIMEOUT=1s");
    assert!(!server.log_text().contains("ERROR"), "a slow client is not a server error:\n{}", server.log_text());
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Deep JSON

#[test]
fn deep_json_bodies_are_400_and_the_server_survives() {
    let mut server = compare_server(&[]);
    let open = "[".repeat(100_000);
    let balanced = format!("{open}{}", "]".repeat(100_000));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    let inside = format!(r#"{{"response":{balanced},"answer":1}}"#);
    for body in [&open, &balanced, &objects, &inside] {
        for command in ["eval", "preview", "healthcheck"] {
            let (reply, _) = exchange(&server, &request("POST", "/", &[("command", command)], body.as_bytes()));
            let reply = reply.unwrap_or_else(|| panic!("{command}: no reply:\n{}", server.log_text()));
            assert_eq!(reply.status, 400, "{command}: {}", reply.text());
            let message = reply.json()["error"]["message"].as_str().expect("a message").to_owned();
            assert!(message.starts_with("invalid JSON body: recursion limit exceeded"), "{message}");
        }
        let (reply, _) = exchange(&server, &request("POST", "/fn/evaluate", &[], body.as_bytes()));
        let reply = reply.expect("a reply");
        assert_eq!(reply.status, 400, "µEd: {}", reply.text());
        assert_eq!(reply.json()["code"], "VALIDATION_ERROR");
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn json_nested_up_to_the_parser_limit_gets_its_ordinary_reply() {
    let mut server = compare_server(&[]);
    for depth in [64, 72, 73, 100, 108, 109, 127] {
        let objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        let (reply, _) = exchange(&server, &request("POST", "/", &[], objects.as_bytes()));
        let reply = reply.unwrap_or_else(|| panic!("objects {depth} deep: no reply:\n{}", server.log_text()));
        assert_json(
            &reply,
            422,
            json!({"error": {"message": "request validation error", "fields": {"(root)": [
                "response is required", "answer is required", "Additional property a is not allowed"]}}}),
        );
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let (reply, _) = exchange(&server, &request("POST", "/", &[], arrays.as_bytes()));
        let reply = reply.unwrap_or_else(|| panic!("arrays {depth} deep: no reply:\n{}", server.log_text()));
        assert_json(&reply, 400, error_body("invalid JSON body: Invalid type. Expected: object, given: array"));
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

#[test]
fn deep_but_legal_json_reaches_the_guest() {
    let mut server = compare_server(&[]);
    let nested = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    let body = format!(r#"{{"response":{nested},"answer":{nested}}}"#);
    let (reply, _) = exchange(&server, &request("POST", "/", &[], body.as_bytes()));
    assert_json(&reply.expect("a reply"), 200, correct());
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Many connections at once

#[test]
fn many_concurrent_connections_are_all_served() {
    let mut server = compare_server(&[]);
    let port = server.port;
    let clients: Vec<_> = (0..64)
        .map(|i| {
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let body = format!(r#"{{"response":{i},"answer":{i}}}"#);
                stream.write_all(&request("POST", "/", &[], body.as_bytes())).unwrap();
                read_reply(&mut stream).expect("a reply")
            })
        })
        .collect();
    for client in clients {
        assert_json(&client.join().unwrap(), 200, correct());
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Connections reset by the client (RST instead of FIN)

/// Closes the stream with a reset: SO_LINGER with a zero timeout makes close(2) send RST.
fn reset(stream: TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger { l_onoff: 1, l_linger: 0 };
    let size = libc::socklen_t::try_from(std::mem::size_of::<libc::linger>()).unwrap();
    // SAFETY: setsockopt(2) on a socket this function owns, with a pointer to a live linger of the given size.
    let set = unsafe {
        libc::setsockopt(stream.as_raw_fd(), libc::SOL_SOCKET, libc::SO_LINGER, (&raw const linger).cast(), size)
    };
    assert_eq!(set, 0, "setsockopt(SO_LINGER): {}", std::io::Error::last_os_error());
}

/// How many file descriptors the server process has open.
fn open_descriptors(server: &Server) -> usize {
    std::fs::read_dir(format!("/proc/{}/fd", server.child.id())).expect("the server's /proc entry").count()
}

/// A reset must close the server's side at once, in every state a connection can be in. This failed in release
/// builds only (may read errno through an address computed before the coroutine moved to another thread, took
/// ECONNRESET for EAGAIN and waited for the idle timeout), so the test command also runs it on the release build.
#[test]
fn reset_connections_are_closed_at_once_in_every_state() {
    let mut server = compare_server(&[]);
    let before = open_descriptors(&server);
    let eval = request("POST", "/", &[], br#"{"response":1,"answer":1}"#);
    for _ in 0..16 {
        // Idle: connected, nothing sent.
        let idle = server.connect();
        std::thread::sleep(Duration::from_millis(2));
        reset(idle);
        // Kept alive after a reply.
        let mut served = server.connect();
        served.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        served.write_all(&eval).unwrap();
        assert_json(&read_reply(&mut served).expect("a reply"), 200, correct());
        reset(served);
        // A request in flight, and a reply left unread.
        let mut in_flight = server.connect();
        in_flight.write_all(&eval).unwrap();
        reset(in_flight);
        let mut unread = server.connect();
        unread.write_all(&eval).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        reset(unread);
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while open_descriptors(&server) > before {
        assert!(
            Instant::now() < deadline,
            "{} descriptors open 2 s after 64 resets, {before} before (the idle timeout is 60 s)",
            open_descriptors(&server)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_still_serving(&mut server);
    assert_stops_cleanly(server);
}

// ---------------------------------------------------------------------------------------------------------------
// Time slicing (guest-abi.md §6): long evaluations must not stall the server

/// Starts `count` endless loops of the hostile guest, each on its own connection (kept open by the caller).
fn start_loops(server: &Server, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|_| {
            let mut stream = server.connect();
            let body = json!({"response": "#l", "answer": 1}).to_string();
            stream.write_all(&request("POST", "/", &[], body.as_bytes())).unwrap();
            stream
        })
        .collect()
}

fn hostile_slicing_server(procs: &str) -> Server {
    let module = fixture_module("hostile.wat");
    Server::start(&[
        ("FUNCTION_WASM_MODULE", module.as_str()),
        ("FUNCTION_MAX_PROCS", procs),
        ("FUNCTION_WASM_FUEL", "100000000000"),
        ("FUNCTION_WORKER_SEND_TIMEOUT", "5s"),
        ("FUNCTION_QUEUE_TIMEOUT", "100ms"),
    ])
}

/// Eval on the hostile guest until it gets `status` (the loops have taken their instances), within 2 s.
fn wait_for_eval_status(server: &Server, status: u16) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let reply = server.post("/", &[], br#"{"response":1,"answer":1}"#);
        if reply.status == status {
            return;
        }
        assert!(Instant::now() < deadline, "never got {status}, last {reply:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn health_answers_within_100ms_while_every_instance_loops() {
    // FUNCTION_MAX_PROCS=2 and two loops: no instance is free, /health must not care.
    let mut server = hostile_slicing_server("2");
    let _loops = start_loops(&server, 2);
    wait_for_eval_status(&server, 503);
    for _ in 0..10 {
        let started = Instant::now();
        let reply = server.get("/health", &[]);
        let took = started.elapsed();
        assert_eq!(reply.status, 200);
        assert!(took < Duration::from_millis(100), "/health took {took:?} while the instances loop");
    }
    assert!(server.alive());
}

#[test]
fn a_short_eval_on_the_spare_instance_answers_within_100ms_while_two_loop() {
    // FUNCTION_MAX_PROCS=3 and two loops: one instance stays free for short evaluations.
    let mut server = hostile_slicing_server("3");
    let _loops = start_loops(&server, 2);
    // Give the two loop requests time to reach their instances (a millisecond or so is enough; the end of the
    // test proves they hold them).
    std::thread::sleep(Duration::from_millis(100));
    let normal = json!({"command": "eval", "result": {"is_correct": true, "feedback": "ok", "global": 1, "static": 1}});
    for _ in 0..10 {
        let started = Instant::now();
        let health = server.get("/health", &[]);
        let took = started.elapsed();
        assert_eq!(health.status, 200);
        assert!(took < Duration::from_millis(100), "/health took {took:?} while two instances loop");
        let started = Instant::now();
        let reply = server.post("/", &[], br#"{"response":1,"answer":1}"#);
        let took = started.elapsed();
        assert_json(&reply, 200, normal.clone());
        assert!(took < Duration::from_millis(100), "a short eval took {took:?} while two instances loop");
    }
    // Both loops really hold an instance: with the spare one busy too, a fourth request is refused.
    let _third = start_loops(&server, 1);
    wait_for_eval_status(&server, 503);
    assert!(server.alive());
}
