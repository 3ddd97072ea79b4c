//! The HTTP layer: a may_minihttp service that guards what may_minihttp does not (body framing, body size),
//! hands each request to the protocol layer with an evaluator closure, writes the reply and logs one line.
//! It knows nothing of cases or schemas.

use crate::protocol::{self, EvalFailure, FailureKind, Reply};
use crate::sandbox::{EvalError, Evaluator};
use may_minihttp::{HttpService, Request, Response};
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What every connection's service shares.
pub struct Shared {
    /// The evaluator module and its pool.
    pub evaluator: Arc<Evaluator>,
    /// What the protocol layer needs (the auth key).
    pub protocol: protocol::Settings,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Requests being handled right now; shutdown waits for this to reach zero.
    pub in_flight: AtomicUsize,
    /// Set at shutdown: every reply from then on closes its connection, so kept-alive clients move on
    /// instead of feeding the draining server new requests.
    pub draining: AtomicBool,
    next_id: AtomicU64,
}

impl Shared {
    /// Bundles what the service needs.
    pub fn new(evaluator: Arc<Evaluator>, protocol: protocol::Settings, max_body_bytes: usize) -> Arc<Self> {
        Arc::new(Self {
            evaluator,
            protocol,
            max_body_bytes,
            in_flight: AtomicUsize::new(0),
            draining: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
        })
    }
}

/// The may_minihttp service: one clone per connection.
#[derive(Clone)]
pub struct Service(pub Arc<Shared>);

/// What the log line says about the evaluator calls a request made.
#[derive(Default)]
struct Usage {
    fuel: u64,
    replaced: bool,
    output: String,
}

/// Counts a request as in flight for as long as it lives.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HttpService for Service {
    fn call(&mut self, req: Request, rsp: &mut Response) -> io::Result<()> {
        let shared = &*self.0;
        shared.in_flight.fetch_add(1, Ordering::SeqCst);
        let _in_flight = InFlight(&shared.in_flight);
        let started = Instant::now();
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let method = req.method().to_string();
        let path = req.path().split('?').next().unwrap_or("").to_string();
        let headers: Vec<(String, Vec<u8>)> =
            req.headers().iter().map(|h| (h.name.to_string(), h.value.to_vec())).collect();
        let mut usage = Usage::default();
        let reply = match body_framing(&headers, shared.max_body_bytes) {
            Err(refusal) => {
                rsp.close_connection();
                refusal
            }
            Ok(length) => {
                let mut body = Vec::with_capacity(length);
                req.body().read_to_end(&mut body)?;
                if body.len() < length {
                    // The client closed mid-body; there is nobody to answer.
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "request body cut short"));
                }
                let header_refs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
                let request = protocol::Request { method: &method, path: &path, headers: &header_refs, body: &body };
                let mut evaluate = |command: protocol::Command, body: &[u8]| {
                    let evaluation = shared.evaluator.evaluate(command.as_str(), body);
                    usage.fuel += evaluation.fuel_used;
                    usage.replaced |= evaluation.replaced;
                    if !evaluation.output.is_empty() {
                        usage.output.push_str(&evaluation.output);
                    }
                    evaluation.reply.map_err(|error| {
                        log::warn!("req={id} {method} {path}: {error}{}", hint(&error));
                        failure(error)
                    })
                };
                protocol::handle(&request, &shared.protocol, &mut evaluate)
            }
        };
        if shared.draining.load(Ordering::Relaxed) {
            rsp.close_connection();
        }
        write_reply(rsp, &reply);
        log_request(id, &method, &path, &reply, started, &usage);
        Ok(())
    }
}

/// Checks how the body is framed before anything reads it: chunked bodies are refused (411), and
/// `Content-Length` must be one valid number (400) no larger than the limit (413). Returns the body length.
fn body_framing(headers: &[(String, Vec<u8>)], max_body_bytes: usize) -> Result<usize, Reply> {
    if headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("transfer-encoding")) {
        return Err(protocol::error_reply(
            411,
            "chunked request bodies are not supported: send the body with a Content-Length header",
        ));
    }
    let mut length = None;
    for (_, value) in headers.iter().filter(|(name, _)| name.eq_ignore_ascii_case("content-length")) {
        let parsed = std::str::from_utf8(value)
            .ok()
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u64>().ok());
        match (parsed, length) {
            (None, _) => return Err(protocol::error_reply(400, "invalid Content-Length header")),
            (Some(a), Some(b)) if a != b => {
                return Err(protocol::error_reply(400, "conflicting Content-Length headers"));
            }
            (Some(a), _) => length = Some(a),
        }
    }
    let length = length.unwrap_or(0);
    if length > max_body_bytes as u64 {
        return Err(protocol::error_reply(
            413,
            &format!("request body too large: {length} bytes, the limit is {max_body_bytes}"),
        ));
    }
    Ok(length as usize)
}

fn failure(error: EvalError) -> EvalFailure {
    let kind = match error {
        EvalError::Overloaded(_) => FailureKind::Overloaded,
        EvalError::Failed(_) => FailureKind::Failed,
    };
    EvalFailure { kind, message: error.to_string() }
}

fn hint(error: &EvalError) -> String {
    match error {
        EvalError::Failed(failure) => format!(" ({})", failure.hint()),
        EvalError::Overloaded(_) => {
            " (every instance stayed busy; raise FUNCTION_MAX_PROCS or FUNCTION_QUEUE_TIMEOUT, or add servers)".into()
        }
    }
}

fn write_reply(rsp: &mut Response, reply: &Reply) {
    rsp.status_code(usize::from(reply.status), reason(reply.status));
    rsp.header(if reply.content_type == "text/plain" {
        "Content-Type: text/plain; charset=utf-8"
    } else {
        "Content-Type: application/json"
    });
    for header in &reply.extra_headers {
        rsp.header(header);
    }
    rsp.body_vec(reply.body.clone());
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

fn log_request(id: u64, method: &str, path: &str, reply: &Reply, started: Instant, usage: &Usage) {
    let command = reply.command.map_or("-", |c| c.as_str());
    let micros = started.elapsed().as_micros();
    let output = if usage.output.is_empty() { String::new() } else { format!(" guest_output={:?}", usage.output) };
    log::info!(
        "req={id} method={method} path={path} command={command} status={} duration_us={micros} fuel={} replaced={}{output}",
        reply.status,
        usage.fuel,
        usage.replaced
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect()
    }

    #[test]
    fn body_framing_refuses_what_may_minihttp_would_misread() {
        assert_eq!(body_framing(&headers(&[("Content-Length", "12")]), 100).unwrap(), 12);
        assert_eq!(body_framing(&headers(&[]), 100).unwrap(), 0);
        assert_eq!(body_framing(&headers(&[("Transfer-Encoding", "chunked")]), 100).unwrap_err().status, 411);
        for bad in ["", "abc", "-1", "1 2", "+5", "99999999999999999999999"] {
            assert_eq!(body_framing(&headers(&[("content-length", bad)]), 100).unwrap_err().status, 400, "{bad:?}");
        }
        let twice = headers(&[("Content-Length", "3"), ("content-length", "4")]);
        assert_eq!(body_framing(&twice, 100).unwrap_err().status, 400);
        assert_eq!(body_framing(&headers(&[("Content-Length", "101")]), 100).unwrap_err().status, 413);
    }
}
