//! [`Guest`]: an author's functions, and the envelope handling around them.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bytes::{eq, is_ascii};
use crate::parse::{parse_envelope, Envelope};
use crate::write::write_value;
use crate::{Error, EvalResult, Map, SelfTest, Value};

/// An evaluation function: `(response, answer, params)`.
pub type EvalFn = fn(&Value, &Value, &Map) -> Result<EvalResult, Error>;

/// A preview function: `(response, params)` to the preview value; the reply's result is `{"preview": <it>}`.
pub type PreviewFn = fn(&Value, &Map) -> Result<Value, Error>;

/// An evaluator: the author's functions. [`export!`](crate::export) builds one and exports it.
#[derive(Clone, Copy, Debug)]
pub struct Guest {
    eval: EvalFn,
    preview: Option<PreviewFn>,
    tests: &'static [SelfTest],
}

impl Guest {
    /// An evaluator with no preview and no self-tests.
    pub const fn new(eval: EvalFn) -> Self {
        Guest { eval, preview: None, tests: &[] }
    }

    /// Adds a preview function.
    pub const fn preview(mut self, preview: PreviewFn) -> Self {
        self.preview = Some(preview);
        self
    }

    /// Adds self-tests, run by the `healthcheck` command.
    pub const fn tests(mut self, tests: &'static [SelfTest]) -> Self {
        self.tests = tests;
        self
    }

    /// Answers one request envelope, `{"method":"eval|preview|healthcheck","params":<body>}`, with the reply
    /// JSON: `{"command":<method>,"result":{...}}` or `{"error":{"message":...}}`. Never panics on bad input.
    /// This is what the exported `evaluate` runs; native tests call it directly.
    pub fn handle(&self, envelope: &[u8]) -> String {
        self.reply(envelope, "")
    }

    /// The reply as the host reads it: a little-endian `u32` length, then the JSON bytes.
    #[cfg(any(target_arch = "wasm32", test))]
    pub(crate) fn frame(&self, envelope: &[u8]) -> Vec<u8> {
        // Four placeholder bytes for the length, so the JSON is written straight after them.
        let mut bytes = self.reply(envelope, "\0\0\0\0").into_bytes();
        let length = (bytes.len() - 4) as u32;
        bytes[..4].copy_from_slice(&length.to_le_bytes());
        bytes
    }

    /// `prefix`, then the reply JSON.
    fn reply(&self, envelope: &[u8], prefix: &str) -> String {
        let reply = self.respond(envelope).map_err(Value::from);
        // Allocated after the reply's values: the arena's latest allocation, which grows in place if it must.
        let mut out = String::with_capacity(REPLY_CAPACITY);
        out.push_str(prefix);
        match &reply {
            Ok((command, result)) => {
                // The command is one of this module's method names, which need no escaping.
                debug_assert!(command.bytes().all(|b| b.is_ascii_lowercase()));
                out.push_str("{\"command\":\"");
                out.push_str(command);
                out.push_str("\",\"result\":");
                write_value(&mut out, result);
            }
            Err(error) => {
                out.push_str("{\"error\":");
                write_value(&mut out, error);
            }
        }
        out.push('}');
        release(reply);
        out
    }

    fn respond(&self, envelope: &[u8]) -> Result<(&'static str, Value), Error> {
        let text = utf8(envelope)?;
        let envelope = parse_envelope(text)?;
        let result = match &envelope {
            Envelope::Usual { method, body } => self.dispatch(method, Some(body)),
            Envelope::Other(envelope) => self.dispatch_other(envelope),
        };
        release(envelope);
        result
    }

    /// [`Guest::dispatch`] for an envelope that is not in the usual shape (or not an object at all).
    #[cold]
    #[inline(never)]
    fn dispatch_other(&self, envelope: &Value) -> Result<(&'static str, Value), Error> {
        let envelope = envelope.as_object().ok_or_else(|| Error::new("request envelope must be an object"))?;
        let method = envelope.get("method").and_then(Value::as_str);
        let method = method.ok_or_else(|| Error::new("request envelope has no method"))?;
        self.dispatch(method, envelope.get("params"))
    }

    /// Runs `method` on the envelope's `params` (`None` when it has none).
    fn dispatch(&self, method: &str, body: Option<&Value>) -> Result<(&'static str, Value), Error> {
        if !eq(method.as_bytes(), b"eval") {
            return self.dispatch_rare(method, body);
        }
        let body = body_object(body)?;
        let (response, answer) = (field(body, "response")?, field(body, "answer")?);
        let result = (self.eval)(response, answer, params(body)?)?;
        Ok(("eval", result.into()))
    }

    /// [`Guest::dispatch`] for the methods other than `eval`.
    #[inline(never)]
    fn dispatch_rare(&self, method: &str, body: Option<&Value>) -> Result<(&'static str, Value), Error> {
        match method {
            "preview" => {
                let preview = self.preview.ok_or_else(|| Error::new("preview not supported"))?;
                let body = body_object(body)?;
                let mut result = Map::new();
                result.insert("preview", preview(field(body, "response")?, params(body)?)?);
                Ok(("preview", result.into()))
            }
            "healthcheck" => Ok(("healthcheck", self.healthcheck())),
            other => Err(Error::new(["unsupported method: ", other].concat())),
        }
    }

    /// Runs the self-tests: `{"tests_passed", "successes", "failures", "errors"}`.
    fn healthcheck(&self) -> Value {
        let (mut successes, mut failures, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        for test in self.tests {
            let mut entry = Map::new();
            entry.insert("name", test.name);
            match self.run(test) {
                Ok(got) if got == test.expected => successes.push(entry.into()),
                Ok(got) => {
                    entry.insert("expected", test.expected);
                    entry.insert("got", got);
                    failures.push(entry.into());
                }
                Err(error) => {
                    entry.insert("error", error.message());
                    errors.push(entry.into());
                }
            }
        }
        let mut result = Map::new();
        result.insert("tests_passed", failures.is_empty() && errors.is_empty());
        result.insert("successes", successes);
        result.insert("failures", failures);
        result.insert("errors", errors);
        result.into()
    }

    /// The `is_correct` of one self-test.
    fn run(&self, test: &SelfTest) -> Result<bool, Error> {
        let input = |name: &str, text: &str| {
            Value::from_json(text).map_err(|e| Error::new(["self-test ", name, ": ", e.message()].concat()))
        };
        let (response, answer) = (input("response", test.response)?, input("answer", test.answer)?);
        let params = input("params", test.params)?;
        let params = params.as_object().ok_or_else(|| Error::new("self-test params must be an object"))?;
        Ok((self.eval)(&response, &answer, params)?.is_correct())
    }
}

/// Room for the usual reply, so that writing it does not reallocate.
const REPLY_CAPACITY: usize = 256;

/// The request as text, checked a word at a time when it is ASCII (as it usually is).
fn utf8(bytes: &[u8]) -> Result<&str, Error> {
    if is_ascii(bytes) {
        // SAFETY: ASCII text is valid UTF-8.
        return Ok(unsafe { core::str::from_utf8_unchecked(bytes) });
    }
    core::str::from_utf8(bytes).map_err(|_| Error::new("request is not valid UTF-8"))
}

/// Drops a request's values. In WebAssembly it forgets them instead: the host restores memory after every
/// request (guest-abi.md §3), which frees them all at once, and the bump arena would reclaim none of them
/// (only the latest allocation is reclaimed, and the reply comes later), so walking them would only cost fuel.
fn release<T>(values: T) {
    if cfg!(target_arch = "wasm32") {
        core::mem::forget(values);
    } else {
        drop(values);
    }
}

/// The request body: the envelope's `params`, which must be an object.
fn body_object(body: Option<&Value>) -> Result<&Map, Error> {
    match body {
        Some(Value::Object(body)) => Ok(body),
        _ => Err(error("request body must be an object")),
    }
}

/// A required member of the body.
fn field<'a>(body: &'a Map, name: &str) -> Result<&'a Value, Error> {
    match body.get(name) {
        Some(value) => Ok(value),
        None => Err(error(&["request body has no ", name].concat())),
    }
}

/// The body's `params`: an empty object when absent.
fn params(body: &Map) -> Result<&Map, Error> {
    static EMPTY: Map = Map::new();
    match body.get("params") {
        None => Ok(&EMPTY),
        Some(Value::Object(params)) => Ok(params),
        Some(_) => Err(error("params must be an object")),
    }
}

/// An error reply for a request that is not what it should be (kept out of the hot paths).
#[cold]
#[inline(never)]
fn error(message: &str) -> Error {
    Error::new(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MAX_DEPTH;
    use alloc::string::ToString;

    /// Correct when response == answer; echoes the params; fails on `"boom"`.
    fn echo(response: &Value, answer: &Value, params: &Map) -> Result<EvalResult, Error> {
        if response.as_str() == Some("boom") {
            return Err(Error::new("exploded").with("detail", 42i64));
        }
        Ok(EvalResult::new(response == answer).with("params", params.clone()))
    }

    fn upper(response: &Value, _params: &Map) -> Result<Value, Error> {
        response.as_str().map(|s| Value::from(s.to_uppercase())).ok_or_else(|| Error::new("not a string"))
    }

    const TESTS: &[SelfTest] = &[
        SelfTest { name: "same", response: "1", answer: "1", params: "{}", expected: true },
        SelfTest { name: "wrong expectation", response: "1", answer: "2", params: "{}", expected: true },
        SelfTest { name: "raises", response: "\"boom\"", answer: "1", params: "{}", expected: false },
        SelfTest { name: "bad json", response: "[", answer: "1", params: "{}", expected: false },
        SelfTest { name: "bad params", response: "1", answer: "1", params: "[]", expected: true },
    ];

    const GUEST: Guest = Guest::new(echo).preview(upper).tests(TESTS);

    fn reply(guest: &Guest, envelope: &str) -> String {
        guest.handle(envelope.as_bytes())
    }

    #[test]
    fn eval_passes_response_answer_and_params() {
        let out = reply(&GUEST, r#"{"method":"eval","params":{"response":[1],"answer":[1],"params":{"k":1.0}}}"#);
        assert_eq!(out, r#"{"command":"eval","result":{"is_correct":true,"params":{"k":1.0}}}"#);
    }

    #[test]
    fn missing_params_are_an_empty_object() {
        let out = reply(&GUEST, r#"{"params":{"answer":1,"response":2},"method":"eval"}"#);
        assert_eq!(out, r#"{"command":"eval","result":{"is_correct":false,"params":{}}}"#);
    }

    #[test]
    fn evaluation_errors_become_error_replies() {
        let out = reply(&GUEST, r#"{"method":"eval","params":{"response":"boom","answer":1}}"#);
        assert_eq!(out, r#"{"error":{"message":"exploded","detail":42}}"#);
    }

    #[test]
    fn preview_wraps_the_preview_value() {
        let out = reply(&GUEST, r#"{"method":"preview","params":{"response":"ab"}}"#);
        assert_eq!(out, r#"{"command":"preview","result":{"preview":"AB"}}"#);
        let out = reply(&GUEST, r#"{"method":"preview","params":{"response":1}}"#);
        assert_eq!(out, r#"{"error":{"message":"not a string"}}"#);
    }

    #[test]
    fn preview_without_a_preview_function_is_an_error() {
        let out = reply(&Guest::new(echo), r#"{"method":"preview","params":{"response":"ab"}}"#);
        assert_eq!(out, r#"{"error":{"message":"preview not supported"}}"#);
    }

    #[test]
    fn healthcheck_reports_each_self_test() {
        let out = reply(&GUEST, r#"{"method":"healthcheck","params":{}}"#);
        let expected = r#"{"command":"healthcheck","result":{"tests_passed":false,"successes":[{"name":"same"}],"failures":[{"name":"wrong expectation","expected":true,"got":false}],"errors":[{"name":"raises","error":"exploded"},{"name":"bad json","error":"self-test response: invalid JSON at byte 1: unexpected end of input"},{"name":"bad params","error":"self-test params must be an object"}]}}"#;
        assert_eq!(out, expected);
    }

    #[test]
    fn healthcheck_without_self_tests_passes() {
        let out = reply(&Guest::new(echo), r#"{"method":"healthcheck"}"#);
        assert_eq!(
            out,
            r#"{"command":"healthcheck","result":{"tests_passed":true,"successes":[],"failures":[],"errors":[]}}"#
        );
        let passing = Guest::new(echo).tests(&TESTS[..1]);
        let out = reply(&passing, r#"{"method":"healthcheck","params":{}}"#);
        assert_eq!(
            out,
            r#"{"command":"healthcheck","result":{"tests_passed":true,"successes":[{"name":"same"}],"failures":[],"errors":[]}}"#
        );
    }

    #[test]
    fn malformed_requests_get_error_replies() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "invalid JSON at byte 0: unexpected end of input"),
            (b"{\"method\":", "invalid JSON at byte 10: unexpected end of input"),
            (b"[]", "request envelope must be an object"),
            (b"{\"params\":{}}", "request envelope has no method"),
            (b"{\"method\":1}", "request envelope has no method"),
            (b"{\"method\":\"grade\",\"params\":{}}", "unsupported method: grade"),
            (b"{\"method\":\"eval\"}", "request body must be an object"),
            (b"{\"method\":\"eval\",\"params\":[1]}", "request body must be an object"),
            (b"{\"method\":\"eval\",\"params\":{\"answer\":1}}", "request body has no response"),
            (b"{\"method\":\"eval\",\"params\":{\"response\":1}}", "request body has no answer"),
            (b"{\"method\":\"preview\",\"params\":{\"params\":{}}}", "request body has no response"),
            (
                b"{\"method\":\"eval\",\"params\":{\"response\":1,\"answer\":1,\"params\":null}}",
                "params must be an object",
            ),
            (b"{\"method\":\"eval\",\"params\":{\"response\":\"\xff\",\"answer\":1}}", "request is not valid UTF-8"),
            (
                b"{\"method\":\"eval\",\"params\":{\"response\":\"\xed\xa0\x80\",\"answer\":1}}",
                "request is not valid UTF-8",
            ),
        ];
        for (envelope, message) in cases {
            let expected = Value::from(Error::new(*message)).to_json();
            assert_eq!(
                GUEST.handle(envelope),
                "{\"error\":".to_string() + &expected + "}",
                "{:?}",
                String::from_utf8_lossy(envelope)
            );
        }
    }

    #[test]
    fn the_body_may_nest_128_levels_but_not_129() {
        let nested = |depth: usize| "[".repeat(depth) + &"]".repeat(depth);
        let request =
            |depth: usize| format!(r#"{{"method":"eval","params":{{"response":{},"answer":1}}}}"#, nested(depth));
        // The body object is one level; its response adds the rest.
        assert!(reply(&GUEST, &request(MAX_DEPTH - 1)).starts_with(r#"{"command":"eval""#));
        assert_eq!(reply(&GUEST, &request(MAX_DEPTH)), r#"{"error":{"message":"JSON nested deeper than 128 levels"}}"#);
    }

    #[test]
    fn framed_replies_start_with_a_little_endian_length() {
        let framed = Guest::new(echo).frame(br#"{"method":"preview","params":{}}"#);
        let json = r#"{"error":{"message":"preview not supported"}}"#;
        assert_eq!(&framed[..4], &(json.len() as u32).to_le_bytes());
        assert_eq!(&framed[4..], json.as_bytes());
    }

    #[test]
    fn replies_escape_author_strings() {
        let out = reply(&GUEST, r#"{"method":"preview","params":{"response":"a\"\\\n"}}"#);
        assert_eq!(out, r#"{"command":"preview","result":{"preview":"A\"\\\n"}}"#);
    }
}
