//! One evaluation through http-api.md §2 steps 5–9, shared by the legacy API, cases and µEd.

use serde_json::{json, Map, Value};

use super::validate::{self, Checked, Fields};
use super::{cases, error, Command, EvalFailure, Evaluate, Reply};

/// Why an evaluation produced no result: each variant is one failing step.
#[derive(Debug)]
pub(super) enum Rejection {
    /// Step 5: the body broke the command's schema (422).
    InvalidRequest(Fields),
    /// Step 6: the evaluator failed or was overloaded (500/503).
    Evaluator(EvalFailure),
    /// Steps 6–7: the guest answered `{"error":{...}}` (500, its object kept).
    GuestError(Map<String, Value>),
    /// Step 7: the guest's reply broke the reply schema (500).
    InvalidReply(Fields),
}

impl Rejection {
    /// The error message alone, which is what a case warning shows.
    pub(super) fn message(&self) -> &str {
        match self {
            Rejection::InvalidRequest(_) => "request validation error",
            Rejection::Evaluator(failure) => &failure.message,
            Rejection::GuestError(error) => error.get("message").and_then(Value::as_str).unwrap_or_default(),
            Rejection::InvalidReply(_) => "response validation error",
        }
    }

    /// The legacy error reply for this rejection.
    pub(super) fn into_reply(self) -> Reply {
        match self {
            Rejection::InvalidRequest(fields) => error::validation_error(422, "request validation error", &fields),
            Rejection::Evaluator(failure) => error::evaluation_failure(&failure),
            Rejection::GuestError(error) => error::guest_error(error),
            Rejection::InvalidReply(fields) => error::validation_error(500, "response validation error", &fields),
        }
    }
}

/// Steps 5–7 for eval or preview: validate `body`, send `bytes` (its exact encoding) to the
/// evaluator, validate the reply. Returns the `result` object.
pub(super) fn run(
    command: Command,
    body: &Map<String, Value>,
    bytes: &[u8],
    evaluate: &mut Evaluate<'_>,
) -> Result<Map<String, Value>, Rejection> {
    validate::check_request(command, body).map_err(Rejection::InvalidRequest)?;
    let reply = evaluate(command, bytes).map_err(Rejection::Evaluator)?;
    match validate::check_reply(command, reply) {
        Checked::Result(result) => Ok(result),
        Checked::GuestError(error) => Err(Rejection::GuestError(error)),
        Checked::Invalid(fields) => Err(Rejection::InvalidReply(fields)),
    }
}

/// Steps 5–8 for eval: [`run`], then the cases.
pub(super) fn eval(
    body: &Map<String, Value>,
    bytes: &[u8],
    evaluate: &mut Evaluate<'_>,
) -> Result<Map<String, Value>, Rejection> {
    let mut result = run(Command::Eval, body, bytes, evaluate)?;
    cases::apply(&mut result, body, evaluate);
    Ok(result)
}

/// The healthcheck: the guest's own result if it is a valid healthcheck result, otherwise (an
/// evaluator without self-tests answers eval-shaped or with an error) a passing result with no
/// tests. Only an evaluator failure is an error.
pub(super) fn healthcheck(bytes: &[u8], evaluate: &mut Evaluate<'_>) -> Result<Map<String, Value>, EvalFailure> {
    let reply = evaluate(Command::Healthcheck, bytes)?;
    Ok(match validate::check_reply(Command::Healthcheck, reply) {
        Checked::Result(result) => result,
        Checked::GuestError(_) | Checked::Invalid(_) => {
            let mut result = Map::new();
            result.insert("tests_passed".to_owned(), Value::Bool(true));
            for key in ["successes", "failures", "errors"] {
                result.insert(key.to_owned(), Value::Array(Vec::new()));
            }
            result
        }
    })
}

/// Step 9: `200 {"command":<cmd>,"result":{...}}`.
pub(super) fn success(command: Command, result: Map<String, Value>) -> Reply {
    let mut reply = Reply::json(200, &json!({ "command": command.as_str(), "result": result }));
    reply.command = Some(command);
    reply
}
