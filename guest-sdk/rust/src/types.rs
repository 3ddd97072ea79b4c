//! What an author's functions return: [`EvalResult`], [`Error`], and the [`SelfTest`] cases.

use alloc::string::String;

use crate::{Map, Value};

/// The result of an evaluation: `{"is_correct": <bool>, ...}` plus the fields the author adds, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalResult(Map);

impl EvalResult {
    /// `{"is_correct": is_correct}`.
    pub fn new(is_correct: bool) -> Self {
        EvalResult(Map::first("is_correct", Value::Bool(is_correct)))
    }

    /// Adds (or replaces) a field, e.g. `response_latex` or `tags`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key, value);
        self
    }

    /// Adds (or replaces) the `feedback` text.
    pub fn feedback(self, text: impl Into<String>) -> Self {
        self.with("feedback", text.into())
    }

    /// Whether the response was judged correct.
    pub fn is_correct(&self) -> bool {
        self.0.get("is_correct") == Some(&Value::Bool(true))
    }
}

impl From<EvalResult> for Value {
    fn from(result: EvalResult) -> Self {
        Value::Object(result.0)
    }
}

/// An error reply, `{"error": {"message": ..., <extra fields>}}`; the host answers it with HTTP 500.
#[derive(Clone, Debug, PartialEq)]
pub struct Error(Map);

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Error(Map::first("message", Value::String(message.into())))
    }

    /// Adds (or replaces) a field next to `message`, e.g. `detail`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key, value);
        self
    }

    /// The message.
    pub fn message(&self) -> &str {
        self.0.get("message").and_then(Value::as_str).unwrap_or_default()
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::new(message)
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::new(message)
    }
}

impl From<Error> for Value {
    fn from(error: Error) -> Self {
        Value::Object(error.0)
    }
}

/// A self-test run by the `healthcheck` command. The inputs are JSON text; `params` must be an object.
#[derive(Clone, Copy, Debug)]
pub struct SelfTest {
    /// Shown in the healthcheck result.
    pub name: &'static str,
    /// The student's response, as JSON.
    pub response: &'static str,
    /// The expected answer, as JSON.
    pub answer: &'static str,
    /// The params object, as JSON.
    pub params: &'static str,
    /// The `is_correct` the evaluation must give.
    pub expected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_result_fields_keep_order_and_is_correct_comes_first() {
        let result = EvalResult::new(false).with("real_diff", Value::Null).feedback("x").with("real_diff", 1i64);
        assert!(!result.is_correct());
        assert_eq!(Value::from(result).to_json(), r#"{"is_correct":false,"real_diff":1,"feedback":"x"}"#);
        assert!(EvalResult::new(true).is_correct());
    }

    #[test]
    fn is_correct_must_stay_a_true_boolean() {
        assert!(!EvalResult::new(true).with("is_correct", 1i64).is_correct());
    }

    #[test]
    fn errors_carry_a_message_and_extra_fields() {
        let error = Error::from("boom").with("detail", "why");
        assert_eq!(error.message(), "boom");
        assert_eq!(Value::from(error).to_json(), r#"{"message":"boom","detail":"why"}"#);
        assert_eq!(Error::from(String::from("x")), Error::new("x"));
        assert_eq!(Error::new("a").with("message", 3i64).message(), "");
    }
}
