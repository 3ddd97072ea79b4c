//! (a) Raw bytes into the HTTP layer: the real server stack (patched may_minihttp, `wasmshim::http`, the protocol
//! layer and a pool running tests/fixtures/hostile.wat) listening on 127.0.0.1 inside this process. Each input is
//! written to a new connection, the write side is closed, and everything the server sends back is read until it
//! closes. A panic anywhere (any thread) aborts the process, which libFuzzer reports as a crash.
//!
//! Checked: the server closes the connection within 10 s (no hang), and what it sends is a sequence of well-formed
//! HTTP/1.1 replies whose statuses are ones the contract allows.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;
use wasmshim_fuzz::{check_http_replies, start_server};

fuzz_target!(|data: &[u8]| {
    let port = start_server();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the in-process server");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // The server may close before reading everything (431, 413, 411, a parse error): not an error here.
    let _ = stream.write_all(data);
    let _ = stream.shutdown(Shutdown::Write);
    let mut out = Vec::new();
    match stream.read_to_end(&mut out) {
        Ok(_) => {}
        Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {}
        Err(e) => {
            panic!("the server neither answered nor closed within 10 s: {e}; input {:?}", String::from_utf8_lossy(data))
        }
    }
    check_http_replies(&out, data);
});
