//! The legacy error replies (http-api.md §2): `{"error":{"message":...}}` in its variants, and 401.

use serde_json::{json, Map, Value};

use super::validate::Fields;
use super::{EvalFailure, FailureKind, Reply};

/// `{"error":{"message":message}}` with the given status: the one error shape of the legacy API,
/// also used by the http layer for 413, 411/501, 400 and the like.
pub fn error_reply(status: u16, message: &str) -> Reply {
    Reply::json(status, &json!({ "error": { "message": message } }))
}

/// 401 `text/plain` `unauthorized`, the answer to a missing or wrong `api-key` on every route.
pub fn unauthorized() -> Reply {
    Reply::text(401, "unauthorized")
}

/// `{"error":{"message":message,"fields":{...}}}`: a request (422) or reply (500) that broke its
/// schema.
pub fn validation_error(status: u16, message: &str, fields: &Fields) -> Reply {
    Reply::json(status, &json!({ "error": { "message": message, "fields": fields } }))
}

/// 500 with the guest's own error object kept whole, so fields like `error_thrown` reach the
/// client.
pub fn guest_error(error: Map<String, Value>) -> Reply {
    Reply::json(500, &json!({ "error": error }))
}

/// 500 for a failed evaluation, 503 with `Retry-After` when no instance was free in time.
pub fn evaluation_failure(failure: &EvalFailure) -> Reply {
    match failure.kind {
        FailureKind::Failed => error_reply(500, &failure.message),
        FailureKind::Overloaded => {
            let mut reply = error_reply(503, &failure.message);
            reply.extra_headers.push("Retry-After: 1");
            reply
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::test_support::{body_json, object};

    #[test]
    fn error_reply_has_the_legacy_shape() {
        let reply = error_reply(413, "request body too large");
        assert_eq!(reply.status, 413);
        assert_eq!(reply.content_type, "application/json");
        assert!(reply.extra_headers.is_empty());
        assert_eq!(reply.command, None);
        assert_eq!(body_json(&reply), json!({"error": {"message": "request body too large"}}));
    }

    #[test]
    fn unauthorized_is_plain_text() {
        let reply = unauthorized();
        assert_eq!(reply.status, 401);
        assert_eq!(reply.content_type, "text/plain");
        assert_eq!(reply.body, b"unauthorized");
    }

    #[test]
    fn validation_error_lists_fields() {
        let mut fields = Fields::new();
        fields.insert("(root)", vec!["answer is required".to_owned()]);
        let reply = validation_error(422, "request validation error", &fields);
        assert_eq!(reply.status, 422);
        assert_eq!(
            body_json(&reply),
            json!({"error": {"message": "request validation error",
                             "fields": {"(root)": ["answer is required"]}}})
        );
    }

    #[test]
    fn guest_error_keeps_every_field() {
        let error = json!({"message": "boom", "error_thrown": {"type": "ValueError"}, "detail": 3});
        let reply = guest_error(object(error.clone()));
        assert_eq!(reply.status, 500);
        assert_eq!(body_json(&reply), json!({ "error": error }));
    }

    #[test]
    fn failures_map_to_500_and_overload_to_503() {
        let failed = EvalFailure { kind: FailureKind::Failed, message: "evaluation timed out".to_owned() };
        let reply = evaluation_failure(&failed);
        assert_eq!(reply.status, 500);
        assert!(reply.extra_headers.is_empty());
        assert_eq!(body_json(&reply), json!({"error": {"message": "evaluation timed out"}}));

        let overloaded = EvalFailure { kind: FailureKind::Overloaded, message: "server busy".to_owned() };
        let reply = evaluation_failure(&overloaded);
        assert_eq!(reply.status, 503);
        assert_eq!(reply.extra_headers, vec!["Retry-After: 1"]);
        assert_eq!(body_json(&reply), json!({"error": {"message": "server busy"}}));
    }
}
