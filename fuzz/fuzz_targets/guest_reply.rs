//! (b) Arbitrary guest reply bytes into the host's reply parsing (the `[u32 length][bytes]` frame, the bounds
//! checks, UTF-8 and JSON). The parser (`read_reply` in src/sandbox/instance.rs) is private, so the bytes reach it
//! through a tiny guest (`REPLY_GUEST`) that returns a reply made of the request body, or a pointer taken from it.
//!
//! Checked against a model: the host's answer is exactly what the guest ABI (guest-abi.md §2 step 4) says for the
//! memory the guest had: the same object, or the same kind of failure.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use wasmshim::sandbox::{EvalError, Evaluator, Failure, Settings};
use wasmshim_fuzz::{ENVELOPE_AT, ENVELOPE_PREFIX, REPLY_GUEST};

const MAX_REPLY: usize = 1000;
const MEMORY: usize = 65536;

fn evaluator() -> &'static Arc<Evaluator> {
    static EVALUATOR: OnceLock<Arc<Evaluator>> = OnceLock::new();
    EVALUATOR.get_or_init(|| {
        let wasm = wat::parse_str(REPLY_GUEST).expect("the reply guest compiles");
        let settings = Settings {
            fuel: 1_000_000,
            deadline: Duration::from_secs(5),
            pool_size: 1,
            max_reply_bytes: MAX_REPLY,
            ..Settings::default()
        };
        Evaluator::start(&wasm, settings).unwrap_or_else(|report| panic!("{report}")).0
    })
}

/// What the host must answer, computed from the guest's memory as the ABI describes it.
#[derive(Debug, PartialEq)]
enum Expected {
    Object(serde_json::Map<String, serde_json::Value>),
    BadReply,
    TooLarge(u64),
}

fn model(body: &[u8]) -> Option<Expected> {
    let envelope = [&b"{\"method\":\"eval\",\"params\":"[..], body, b"}"].concat();
    assert_eq!(ENVELOPE_PREFIX, envelope.len() - body.len() - 1);
    if envelope.len() > 60000 {
        return None; // alloc refuses it
    }
    let mut memory = vec![0u8; MEMORY];
    memory[ENVELOPE_AT..ENVELOPE_AT + envelope.len()].copy_from_slice(&envelope);
    let word = |at: usize| u32::from_le_bytes(memory[at..at + 4].try_into().unwrap());
    let selector = memory[ENVELOPE_AT + ENVELOPE_PREFIX];
    let out = if selector & 1 == 1 {
        word(ENVELOPE_AT + ENVELOPE_PREFIX + 1) as u64
    } else {
        (ENVELOPE_AT + ENVELOPE_PREFIX + 1) as u64
    };
    if out + 4 > MEMORY as u64 {
        return Some(Expected::BadReply);
    }
    let len = word(out as usize) as u64;
    if len > MAX_REPLY as u64 {
        return Some(Expected::TooLarge(len));
    }
    if out + 4 + len > MEMORY as u64 {
        return Some(Expected::BadReply);
    }
    let bytes = &memory[out as usize + 4..(out + 4 + len) as usize];
    Some(match std::str::from_utf8(bytes).ok().and_then(|text| serde_json::from_str(text).ok()) {
        Some(serde_json::Value::Object(map)) => Expected::Object(map),
        _ => Expected::BadReply,
    })
}

fuzz_target!(|body: &[u8]| {
    let Some(expected) = model(body) else { return };
    let evaluation = evaluator().evaluate("eval", body);
    let got = match evaluation.reply {
        Ok(map) => Expected::Object(map),
        Err(EvalError::Failed(Failure::BadReply(_))) => Expected::BadReply,
        Err(EvalError::Failed(Failure::ReplyTooLarge { len, limit })) => {
            assert_eq!(limit, MAX_REPLY);
            Expected::TooLarge(len)
        }
        Err(other) => panic!("unexpected failure {other:?} for {body:?}"),
    };
    assert_eq!(got, expected, "body {:?}", String::from_utf8_lossy(body));
    assert!(!evaluation.replaced, "a bad reply leaves a restorable instance");
});
