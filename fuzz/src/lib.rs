//! Shared by the fuzz targets: the in-process server of `http_raw`, a parser for what it sends back, and the guest
//! used by `guest_reply`.

use std::sync::OnceLock;
use std::time::Duration;
use wasmshim::sandbox::{Evaluator, Settings};
use wasmshim::{http, listener, protocol};

/// Starts (once per process) the real server stack on a free loopback port with the hostile fixture, and returns
/// the port.
pub fn start_server() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        may::config().set_workers(2).set_stack_size(1024 * 1024 / std::mem::size_of::<usize>());
        let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/hostile.wat");
        let wasm = wat::parse_file(source).expect("hostile.wat compiles");
        let settings = Settings {
            fuel: 2_000_000,
            init_fuel: 1_000_000,
            deadline: Duration::from_secs(2),
            pool_size: 2,
            queue_timeout: Duration::from_secs(5),
            ..Settings::default()
        };
        let (evaluator, _) = Evaluator::start(&wasm, settings).unwrap_or_else(|report| panic!("{report}"));
        let socket = listener::bind_exclusive("127.0.0.1:0").expect("bind a loopback port");
        let port = socket.local_addr().expect("a local address").port();
        let shared = http::Shared::new(evaluator, protocol::Settings { auth_key: None }, 64 * 1024);
        let limits = may_minihttp::ConnectionLimits { idle_timeout: Duration::from_secs(2), max_head_bytes: 64 * 1024 };
        let server = may_minihttp::HttpServer(http::Service(shared)).start_on(socket, limits).expect("serve");
        std::mem::forget(server);
        port
    })
}

/// Statuses the server may send: every one the contract names except 503 (the fuzz client is alone, the queue
/// timeout long).
const ALLOWED: &[u16] = &[200, 400, 401, 405, 406, 408, 411, 413, 422, 431, 500];

/// Checks that `out` is a sequence of complete HTTP/1.1 replies with allowed statuses. A reply to HEAD has a
/// Content-Length but no body: when the bytes after a body do not start a reply, the body is taken as absent.
pub fn check_http_replies(out: &[u8], input: &[u8]) {
    let mut at = 0;
    while at < out.len() {
        let rest = &out[at..];
        assert!(
            rest.starts_with(b"HTTP/1.1 "),
            "not the start of a reply at byte {at}: {:?}\nfrom the input {:?}",
            String::from_utf8_lossy(&rest[..rest.len().min(200)]),
            String::from_utf8_lossy(input)
        );
        let head_end = find(rest, b"\r\n\r\n")
            .unwrap_or_else(|| panic!("an incomplete reply head: {:?}", String::from_utf8_lossy(rest)))
            + 4;
        let head = std::str::from_utf8(&rest[..head_end]).expect("a reply head is ASCII");
        let status: u16 = head[9..12].parse().unwrap_or_else(|_| panic!("a bad status line: {head:?}"));
        assert!(
            ALLOWED.contains(&status),
            "status {status}: {head}\nfrom the input {:?}",
            String::from_utf8_lossy(input)
        );
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().expect("a numeric length"))
            })
            .expect("every reply has a Content-Length");
        let with_body = head_end + length;
        at += if with_body <= rest.len() && (with_body == rest.len() || rest[with_body..].starts_with(b"HTTP/1.1 ")) {
            with_body
        } else {
            head_end
        };
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The length of `{"method":"eval","params":`, after which the request body starts in the envelope.
pub const ENVELOPE_PREFIX: usize = 26;
/// Where the reply guest's `alloc` always puts the envelope.
pub const ENVELOPE_AT: usize = 1024;

/// `guest_reply`'s guest: its reply is made of the request body. If the body's first byte is even, the reply
/// starts at the body's second byte (a little-endian u32 length, then the reply bytes); if odd, the second to
/// fifth bytes are the reply pointer itself, wherever it points. One page of memory, nothing else in it.
pub const REPLY_GUEST: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 60000)) (then (return (i32.const 0))))
    (i32.const 1024))
  (func (export "evaluate") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.and (i32.load8_u offset=26 (local.get $ptr)) (i32.const 1))
      (then (return (i32.load offset=27 (local.get $ptr)))))
    (i32.add (local.get $ptr) (i32.const 27))))"#;
