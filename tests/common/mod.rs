//! Shared by the black-box tests: start the real `wasmshim` binary on a free loopback port and talk raw
//! HTTP/1.1 to it.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    /// Starts `wasmshim serve` with the given environment and waits until `/health` answers.
    pub fn start(env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("wasmshim-test-{port}.log"));
        let log_file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_wasmshim"));
        command
            .arg("serve")
            .env_clear()
            .env("HTTP_HOST", "127.0.0.1")
            .env("HTTP_PORT", port.to_string())
            .env("LOG_LEVEL", "info")
            .stdout(Stdio::null())
            .stderr(log_file);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start wasmshim");
        let mut server = Server { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(reply) = server.try_request("GET /health HTTP/1.1\r\nHost: t\r\n\r\n") {
                if reply.status == 200 {
                    return server;
                }
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("wasmshim exited with {status} before serving:\n{}", server.log_text());
            }
            assert!(Instant::now() < deadline, "wasmshim did not answer /health:\n{}", server.log_text());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A new connection to the server.
    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        stream
    }

    fn try_request(&self, raw: &str) -> std::io::Result<Reply> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(raw.as_bytes())?;
        read_reply(&mut stream).ok_or_else(|| std::io::Error::other("no reply"))
    }

    /// Sends raw bytes on a new connection and reads one reply.
    pub fn raw(&self, raw: &[u8]) -> Option<Reply> {
        let mut stream = self.connect();
        stream.write_all(raw).ok()?;
        read_reply(&mut stream)
    }

    /// `POST path` with headers and a body, on a new connection.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut stream = self.connect();
        stream.write_all(&request("POST", path, headers, body)).unwrap();
        read_reply(&mut stream).expect("a reply")
    }

    /// `GET path`, on a new connection.
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut stream = self.connect();
        stream.write_all(&request("GET", path, headers, b"")).unwrap();
        read_reply(&mut stream).expect("a reply")
    }

    /// True while the process is still running (no crash, no restart).
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// One parsed HTTP reply.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Encodes a request with a Content-Length.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one reply (Content-Length framed); `None` if the connection closed first.
pub fn read_reply(stream: &mut TcpStream) -> Option<Reply> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':').map(|(n, v)| (n.trim().to_string(), v.trim().to_string())))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(Reply { status, headers, body })
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Compiles a WAT fixture from tests/fixtures into a .wasm file in the temp dir and returns its path.
pub fn fixture_module(name: &str) -> String {
    let source = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = wat::parse_file(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let path = std::env::temp_dir().join(format!("wasmshim-{}-{name}.wasm", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// A module built by scripts/build-guests.sh (target/examples or target/fixtures).
pub fn built_module(relative: &str) -> String {
    let path = format!("{}/target/{relative}", env!("CARGO_MANIFEST_DIR"));
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} is missing: run scripts/build-guests.sh (the test command does)"
    );
    path
}
