//! Helpers for the unit tests: building requests, reading replies, recording evaluator calls.

use serde_json::{Map, Value};

use super::{handle, Command, EvalFailure, Evaluate, Reply, Request, Settings};

/// A fake evaluator as a plain function.
pub type Fake = fn(Command, &[u8]) -> Result<Map<String, Value>, EvalFailure>;

/// The object inside a `json!` value.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The reply body parsed as JSON.
pub fn body_json(reply: &Reply) -> Value {
    serde_json::from_slice(&reply.body)
        .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", String::from_utf8_lossy(&reply.body)))
}

/// Runs one request through [`handle`].
pub fn send(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    settings: &Settings,
    evaluate: &mut Evaluate<'_>,
) -> Reply {
    let headers: Vec<(&str, &[u8])> = headers.iter().map(|(name, value)| (*name, value.as_bytes())).collect();
    let request = Request { method, path, headers: &headers, body: body.as_bytes() };
    handle(&request, settings, evaluate)
}

/// Runs one request without auth and returns the status and the JSON body.
pub fn call(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    evaluate: &mut Evaluate<'_>,
) -> (u16, Value) {
    let reply = send(method, path, headers, body, &Settings::default(), evaluate);
    assert_eq!(reply.content_type, "application/json");
    (reply.status, body_json(&reply))
}

/// An evaluator that must not be called.
pub fn unreachable_evaluator(command: Command, body: &[u8]) -> Result<Map<String, Value>, EvalFailure> {
    panic!("the evaluator was called: {} {}", command.as_str(), String::from_utf8_lossy(body))
}

/// Records every call to a fake evaluator.
pub struct Calls {
    fake: Fake,
    seen: Vec<(Command, String)>,
}

impl Calls {
    pub fn new(fake: Fake) -> Calls {
        Calls { fake, seen: Vec::new() }
    }

    /// The evaluator closure to hand to [`handle`].
    pub fn evaluator(&mut self) -> impl FnMut(Command, &[u8]) -> Result<Map<String, Value>, EvalFailure> + '_ {
        |command, body| {
            self.seen.push((command, String::from_utf8_lossy(body).into_owned()));
            (self.fake)(command, body)
        }
    }

    pub fn count(&self) -> usize {
        self.seen.len()
    }

    pub fn commands(&self) -> Vec<Command> {
        self.seen.iter().map(|(command, _)| *command).collect()
    }

    pub fn bodies(&self) -> Vec<String> {
        self.seen.iter().map(|(_, body)| body.clone()).collect()
    }
}
