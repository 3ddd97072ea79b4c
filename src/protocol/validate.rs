//! The shapes of request bodies (http-api.md §2 steps 4–5) and of evaluator replies (step 7).
//!
//! Reasons use the wording of Shimmy's JSON-schema validator (gojsonschema): problems with the keys
//! of an object are reported on the object (`(root)` for the top level), type problems on the field
//! itself.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Command;

/// Reasons per field (`(root)`, `params`, `result.is_correct`, ...), the `fields` of a validation
/// error.
pub type Fields = BTreeMap<&'static str, Vec<String>>;

/// Parses a body that must be one JSON object (step 4); the error is a short human reason.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(invalid_type("object", &other)),
        Err(error) => Err(error.to_string()),
    }
}

/// gojsonschema's type names: a number without a fractional part is an `integer`.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.as_f64().is_some_and(|n| n.fract() != 0.0) => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `Invalid type. Expected: <expected>, given: <type>`, the reason for a value of the wrong type.
pub fn invalid_type(expected: &str, given: &Value) -> String {
    format!("Invalid type. Expected: {expected}, given: {}", type_name(given))
}

/// Checks an eval or preview body (step 5); healthcheck bodies are never validated.
pub fn check_request(command: Command, body: &Map<String, Value>) -> Result<(), Fields> {
    let (required, allowed): (&[&'static str], &[&str]) = match command {
        Command::Eval => (&["response", "answer"], &["response", "answer", "params"]),
        Command::Preview => (&["response"], &["response", "params"]),
        Command::Healthcheck => return Ok(()),
    };
    let mut fields = Fields::new();
    for &key in required {
        match body.get(key) {
            None => add(&mut fields, "(root)", format!("{key} is required")),
            Some(Value::Null) => add(&mut fields, key, "must not be null".to_owned()),
            Some(_) => {}
        }
    }
    additional_properties(body, allowed, "(root)", &mut fields);
    if let Some(params) = body.get("params").filter(|params| !params.is_object()) {
        add(&mut fields, "params", invalid_type("object", params));
    }
    done(fields)
}

/// What an evaluator reply turned out to be (step 7).
#[derive(Debug, PartialEq)]
pub enum Checked {
    /// `{"command":<the command>,"result":{...}}`: the result object.
    Result(Map<String, Value>),
    /// `{"error":{"message":"...", ...}}`: the guest's error object, passed on as a 500.
    GuestError(Map<String, Value>),
    /// Neither: the reasons, for a 500 `response validation error`.
    Invalid(Fields),
}

/// Classifies and checks an evaluator reply for the command that was sent.
pub fn check_reply(command: Command, mut reply: Map<String, Value>) -> Checked {
    if !reply.contains_key("command") && !reply.contains_key("result") {
        if let Some(error) = reply.remove("error") {
            return check_error(error, &reply);
        }
    }
    let mut fields = Fields::new();
    additional_properties(&reply, &["command", "result"], "(root)", &mut fields);
    match reply.get("command") {
        None => add(&mut fields, "(root)", "command is required".to_owned()),
        Some(Value::String(name)) if name == command.as_str() => {}
        Some(_) => add(&mut fields, "command", format!("command does not match: \"{}\"", command.as_str())),
    }
    match reply.remove("result") {
        None => add(&mut fields, "(root)", "result is required".to_owned()),
        Some(Value::Object(result)) => {
            check_result(command, &result, &mut fields);
            if fields.is_empty() {
                return Checked::Result(result);
            }
        }
        Some(other) => add(&mut fields, "result", invalid_type("object", &other)),
    }
    Checked::Invalid(fields)
}

/// The error form: `error` must be an object with a string `message`, and nothing beside it.
fn check_error(error: Value, rest: &Map<String, Value>) -> Checked {
    let mut fields = Fields::new();
    additional_properties(rest, &[], "(root)", &mut fields);
    let Value::Object(error) = error else {
        add(&mut fields, "error", invalid_type("object", &error));
        return Checked::Invalid(fields);
    };
    match error.get("message") {
        None => add(&mut fields, "error", "message is required".to_owned()),
        Some(Value::String(_)) => {}
        Some(other) => add(&mut fields, "error.message", invalid_type("string", other)),
    }
    if fields.is_empty() {
        Checked::GuestError(error)
    } else {
        Checked::Invalid(fields)
    }
}

/// The per-command shape of `result`.
fn check_result(command: Command, result: &Map<String, Value>, fields: &mut Fields) {
    match command {
        Command::Eval => {
            match result.get("is_correct") {
                None => add(fields, "result", "is_correct is required".to_owned()),
                Some(Value::Bool(_)) => {}
                Some(other) => add(fields, "result.is_correct", invalid_type("boolean", other)),
            }
            match result.get("feedback") {
                None | Some(Value::String(_) | Value::Object(_) | Value::Array(_)) => {}
                Some(other) => add(fields, "result.feedback", invalid_type("string, object or array", other)),
            }
        }
        Command::Preview => match result.get("preview") {
            None => add(fields, "result", "preview is required".to_owned()),
            Some(Value::Null) => add(fields, "result.preview", "must not be null".to_owned()),
            Some(_) => {}
        },
        Command::Healthcheck => {
            let keys: [(&'static str, &'static str, &str); 4] = [
                ("tests_passed", "result.tests_passed", "boolean"),
                ("successes", "result.successes", "array"),
                ("failures", "result.failures", "array"),
                ("errors", "result.errors", "array"),
            ];
            for (key, field, expected) in keys {
                match result.get(key) {
                    None => add(fields, "result", format!("{key} is required")),
                    Some(value) if type_name(value) == expected => {}
                    Some(other) => add(fields, field, invalid_type(expected, other)),
                }
            }
            let allowed = keys.map(|(key, _, _)| key);
            additional_properties(result, &allowed, "result", fields);
        }
    }
}

/// Reports every key of `object` that is not in `allowed`.
fn additional_properties(object: &Map<String, Value>, allowed: &[&str], field: &'static str, fields: &mut Fields) {
    for key in object.keys().filter(|key| !allowed.contains(&key.as_str())) {
        add(fields, field, format!("Additional property {key} is not allowed"));
    }
}

fn add(fields: &mut Fields, field: &'static str, reason: String) {
    fields.entry(field).or_default().push(reason);
}

fn done(fields: Fields) -> Result<(), Fields> {
    if fields.is_empty() {
        Ok(())
    } else {
        Err(fields)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::test_support::object;

    /// The request check, with the fields as JSON for easy comparison.
    fn request(command: Command, body: Value) -> Result<(), Value> {
        check_request(command, &object(body)).map_err(|fields| json!(fields))
    }

    /// The reply check as JSON: `{"result":...}`, `{"error":...}` or `{"invalid":<fields>}`.
    fn reply(command: Command, body: Value) -> Value {
        match check_reply(command, object(body)) {
            Checked::Result(result) => json!({ "result": result }),
            Checked::GuestError(error) => json!({ "error": error }),
            Checked::Invalid(fields) => json!({ "invalid": fields }),
        }
    }

    #[test]
    fn parse_object_accepts_only_objects() {
        assert_eq!(parse_object(b" {\"a\":1} "), Ok(object(json!({"a": 1}))));
        assert_eq!(parse_object(b"[1]"), Err("Invalid type. Expected: object, given: array".to_owned()));
        assert_eq!(parse_object(b""), Err("EOF while parsing a value at line 1 column 0".to_owned()));
        assert_eq!(parse_object(b"nope"), Err("expected ident at line 1 column 2".to_owned()));
        assert_eq!(parse_object(b"{} {}"), Err("trailing characters at line 1 column 4".to_owned()));
    }

    #[test]
    fn parse_object_stops_at_the_recursion_limit() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        let reason = parse_object(deep.as_bytes()).unwrap_err();
        assert!(reason.starts_with("recursion limit exceeded"), "{reason}");
    }

    #[test]
    fn type_names_follow_gojsonschema() {
        let cases = [
            (json!(null), "null"),
            (json!(true), "boolean"),
            (json!(3), "integer"),
            (json!(-3), "integer"),
            (json!(3.0), "integer"),
            (json!(3.5), "number"),
            (json!("s"), "string"),
            (json!([]), "array"),
            (json!({}), "object"),
        ];
        for (value, name) in cases {
            assert_eq!(type_name(&value), name, "{value}");
        }
    }

    #[test]
    fn eval_request_accepts_any_non_null_values() {
        assert_eq!(request(Command::Eval, json!({"response": "x", "answer": 1})), Ok(()));
        assert_eq!(request(Command::Eval, json!({"response": [1], "answer": {}, "params": {"a": 1}})), Ok(()));
        assert_eq!(request(Command::Eval, json!({"response": false, "answer": 0})), Ok(()));
    }

    #[test]
    fn eval_request_needs_answer() {
        assert_eq!(request(Command::Eval, json!({"response": "x"})), Err(json!({"(root)": ["answer is required"]})));
    }

    #[test]
    fn eval_request_lists_every_problem() {
        assert_eq!(
            request(Command::Eval, json!({"extra": 1, "params": "p"})),
            Err(json!({
                "(root)": ["response is required", "answer is required",
                           "Additional property extra is not allowed"],
                "params": ["Invalid type. Expected: object, given: string"],
            }))
        );
    }

    #[test]
    fn eval_request_rejects_nulls() {
        assert_eq!(
            request(Command::Eval, json!({"response": null, "answer": null, "params": null})),
            Err(json!({
                "response": ["must not be null"],
                "answer": ["must not be null"],
                "params": ["Invalid type. Expected: object, given: null"],
            }))
        );
    }

    #[test]
    fn preview_request_rejects_answer() {
        assert_eq!(
            request(Command::Preview, json!({"response": "x", "answer": "y"})),
            Err(json!({"(root)": ["Additional property answer is not allowed"]}))
        );
        assert_eq!(request(Command::Preview, json!({"response": "x", "params": {}})), Ok(()));
        assert_eq!(
            request(Command::Preview, json!({"params": []})),
            Err(json!({
                "(root)": ["response is required"],
                "params": ["Invalid type. Expected: object, given: array"],
            }))
        );
    }

    #[test]
    fn healthcheck_request_is_never_validated() {
        assert_eq!(request(Command::Healthcheck, json!({"anything": null})), Ok(()));
    }

    #[test]
    fn eval_reply_passes_with_extra_result_keys() {
        let result = json!({"is_correct": true, "feedback": ["a"], "tags": ["t"], "matched_case": 0});
        assert_eq!(reply(Command::Eval, json!({"command": "eval", "result": result})), json!({"result": result}));
        for feedback in [json!("f"), json!({"a": 1}), json!([])] {
            let result = json!({"is_correct": false, "feedback": feedback});
            assert_eq!(reply(Command::Eval, json!({"command": "eval", "result": result})), json!({"result": result}));
        }
    }

    #[test]
    fn eval_reply_needs_a_boolean_is_correct() {
        assert_eq!(
            reply(Command::Eval, json!({"command": "eval", "result": {}})),
            json!({"invalid": {"result": ["is_correct is required"]}})
        );
        assert_eq!(
            reply(Command::Eval, json!({"command": "eval", "result": {"is_correct": "yes", "feedback": 1}})),
            json!({"invalid": {
                "result.is_correct": ["Invalid type. Expected: boolean, given: string"],
                "result.feedback": ["Invalid type. Expected: string, object or array, given: integer"],
            }})
        );
    }

    #[test]
    fn reply_needs_the_matching_command_and_nothing_else() {
        assert_eq!(
            reply(Command::Eval, json!({"command": "preview", "result": {"is_correct": true}, "x": 1})),
            json!({"invalid": {
                "(root)": ["Additional property x is not allowed"],
                "command": ["command does not match: \"eval\""],
            }})
        );
        assert_eq!(
            reply(Command::Eval, json!({"result": {"is_correct": true}})),
            json!({"invalid": {"(root)": ["command is required"]}})
        );
        assert_eq!(
            reply(Command::Preview, json!({"command": "preview"})),
            json!({"invalid": {"(root)": ["result is required"]}})
        );
        assert_eq!(
            reply(Command::Preview, json!({"command": "preview", "result": [1]})),
            json!({"invalid": {"result": ["Invalid type. Expected: object, given: array"]}})
        );
        assert_eq!(
            reply(Command::Eval, json!({})),
            json!({"invalid": {"(root)": ["command is required", "result is required"]}})
        );
    }

    #[test]
    fn preview_reply_needs_a_preview() {
        let result = json!({"preview": {"latex": "x"}, "other": 1});
        assert_eq!(reply(Command::Preview, json!({"command": "preview", "result": result})), json!({"result": result}));
        assert_eq!(
            reply(Command::Preview, json!({"command": "preview", "result": {}})),
            json!({"invalid": {"result": ["preview is required"]}})
        );
        assert_eq!(
            reply(Command::Preview, json!({"command": "preview", "result": {"preview": null}})),
            json!({"invalid": {"result.preview": ["must not be null"]}})
        );
    }

    #[test]
    fn healthcheck_reply_is_exact() {
        let result = json!({"tests_passed": false, "successes": [], "failures": [{"a": 1}], "errors": []});
        assert_eq!(
            reply(Command::Healthcheck, json!({"command": "healthcheck", "result": result})),
            json!({"result": result})
        );
        assert_eq!(
            reply(
                Command::Healthcheck,
                json!({"command": "healthcheck",
                       "result": {"tests_passed": 1, "successes": {}, "failures": [], "more": 1}})
            ),
            json!({"invalid": {
                "result": ["errors is required", "Additional property more is not allowed"],
                "result.tests_passed": ["Invalid type. Expected: boolean, given: integer"],
                "result.successes": ["Invalid type. Expected: array, given: object"],
            }})
        );
    }

    #[test]
    fn error_reply_is_passed_on_whole() {
        let error = json!({"message": "unsupported method", "error_thrown": "x", "detail": 1});
        assert_eq!(reply(Command::Eval, json!({ "error": error })), json!({"error": error}));
    }

    #[test]
    fn error_reply_needs_a_string_message_and_nothing_else() {
        assert_eq!(
            reply(Command::Eval, json!({"error": {"detail": 1}})),
            json!({"invalid": {"error": ["message is required"]}})
        );
        assert_eq!(
            reply(Command::Eval, json!({"error": {"message": 1}, "x": 2})),
            json!({"invalid": {
                "(root)": ["Additional property x is not allowed"],
                "error.message": ["Invalid type. Expected: string, given: integer"],
            }})
        );
        assert_eq!(
            reply(Command::Eval, json!({"error": "boom"})),
            json!({"invalid": {"error": ["Invalid type. Expected: object, given: string"]}})
        );
        assert_eq!(
            reply(Command::Eval, json!({"error": {"message": "m"}, "command": "eval", "result": {"is_correct": true}})),
            json!({"invalid": {"(root)": ["Additional property error is not allowed"]}})
        );
    }
}
