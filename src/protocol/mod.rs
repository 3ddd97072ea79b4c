//! Shimmy semantics (http-api.md §1–§4): routing, auth, validation, cases and the µEd mapping.
//!
//! Pure logic over `serde_json`: the http layer hands in a [`Request`], the sandbox is reached only
//! through the [`Evaluate`] closure, and a [`Reply`] comes back. Nothing here knows HTTP parsing or
//! wasmi.

mod auth;
pub mod cases;
pub mod command;
pub mod error;
mod legacy;
pub mod mued;
mod pipeline;
mod route;
#[cfg(test)]
mod test_support;
pub mod validate;

pub use command::Command;
pub use error::error_reply;
pub use route::handle;

use serde_json::{Map, Value};

/// What the evaluator can fail with besides a reply, so the protocol layer can pick the status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalFailure {
    /// Decides the status: 503 for overload, 500 for everything else.
    pub kind: FailureKind,
    /// Shown to the client as the error message: what happened, no internals.
    pub message: String,
}

/// The two ways an evaluation can fail, because clients must retry one and not the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// No instance free within the queue timeout: 503 with `Retry-After`.
    Overloaded,
    /// Trap, out of fuel, deadline, bad reply bytes, ...: 500 `{"error":{"message":message}}`.
    Failed,
}

/// Calls the evaluator with the command and the request body bytes (a JSON object, sent verbatim
/// inside the guest envelope); returns the guest's reply, already parsed as one JSON object, or a
/// failure. A closure keeps this layer ignorant of the sandbox.
pub type Evaluate<'a> = dyn FnMut(Command, &[u8]) -> Result<Map<String, Value>, EvalFailure> + 'a;

/// One HTTP request as the protocol layer sees it: already framed and size-checked by the http
/// layer.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `"GET"`, `"POST"`, ... as sent (HTTP methods are case-sensitive).
    pub method: &'a str,
    /// The path without its query string.
    pub path: &'a str,
    /// Header names as sent; they are compared case-insensitively.
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The whole request body.
    pub body: &'a [u8],
}

impl Request<'_> {
    /// The value of the first header called `name` (any case), because several steps read headers.
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(header, _)| header.eq_ignore_ascii_case(name)).map(|(_, value)| *value)
    }
}

/// The configuration the protocol layer needs, separate from the rest so it stays testable alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// `AUTH_KEY`: when set (and not empty) every request but `/health` must carry it in `api-key`.
    pub auth_key: Option<String>,
}

/// The answer to one request, ready for the http layer to write out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// `"application/json"` or `"text/plain"`.
    pub content_type: &'static str,
    /// Whole header lines beyond the content type, e.g. `"X-Api-Version: 0.1.0"`, `"Retry-After:
    /// 1"`.
    pub extra_headers: Vec<&'static str>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The command the request ran, for the request log line; `None` when none was decided.
    pub command: Option<Command>,
}

impl Reply {
    /// A JSON reply; every JSON body of this layer goes through here.
    fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            extra_headers: Vec::new(),
            // Cannot fail: a `Value` has string keys and finite numbers only.
            body: serde_json::to_vec(body).unwrap_or_default(),
            command: None,
        }
    }

    /// A plain-text reply (401, µEd 405).
    fn text(status: u16, body: &'static str) -> Reply {
        Reply {
            status,
            content_type: "text/plain",
            extra_headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            command: None,
        }
    }
}
