//! Running a case table natively (the `cases.json` format of examples/README.md).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::{Guest, Map, Value};

impl Guest {
    /// Runs a case table, `{"cases":[{"name", "command"?, "request", "status", "reply"}, ...]}`, without a host:
    /// each request goes through [`Guest::handle`] and its reply must equal `reply` as a JSON value (key order
    /// ignored, `1` and `1.0` distinct); status 500 must come with an error reply, 200 without. Cases that need
    /// the host (`raw_request`, or `params.cases`) are skipped. Returns how many cases ran, or one line per
    /// mismatch.
    pub fn run_case_table(&self, table: &str) -> Result<usize, String> {
        let table = Value::from_json(table).map_err(|e| format!("case table: {}", e.message()))?;
        let cases = table.as_object().and_then(|t| t.get("cases")).and_then(Value::as_array);
        let cases = cases.ok_or("case table: no cases array")?;
        let mut ran = 0;
        let mut mismatches = Vec::new();
        for (index, case) in cases.iter().enumerate() {
            let case = case.as_object().ok_or_else(|| format!("case {index}: not an object"))?;
            let name = case.get("name").and_then(Value::as_str).unwrap_or("");
            let Some(request) = case.get("request") else { continue };
            let body_params = request.as_object().and_then(|r| r.get("params")).and_then(Value::as_object);
            if body_params.is_some_and(|p| p.get("cases").is_some()) {
                continue;
            }
            let command = case.get("command").cloned().unwrap_or_else(|| Value::from("eval"));
            let envelope: Map = [("method", command), ("params", request.clone())].into_iter().collect();
            let reply = self.handle(Value::from(envelope).to_json().as_bytes());
            let reply = Value::from_json(&reply).map_err(|e| format!("{name}: reply is not JSON: {}", e.message()))?;
            let is_error = reply.as_object().is_some_and(|r| r.get("error").is_some());
            let status = Value::Int(if is_error { 500 } else { 200 });
            let expected = case.get("reply").unwrap_or(&Value::Null);
            if case.get("status") != Some(&status) || expected != &reply {
                let expected_status = case.get("status").map_or_else(|| "none".into(), Value::to_json);
                mismatches.push(format!(
                    "{name}: expected {expected_status} {}, got {} {}",
                    expected.to_json(),
                    status.to_json(),
                    reply.to_json()
                ));
            }
            ran += 1;
        }
        if mismatches.is_empty() {
            Ok(ran)
        } else {
            Err(mismatches.join("\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, EvalResult, Guest, Map, Value};

    fn same(response: &Value, answer: &Value, _: &Map) -> Result<EvalResult, Error> {
        match response {
            Value::Null => Err(Error::new("null")),
            _ => Ok(EvalResult::new(response == answer)),
        }
    }

    const GUEST: Guest = Guest::new(same);

    #[test]
    fn matching_cases_pass_and_host_cases_are_skipped() {
        let table = r#"{"cases": [
            {"name": "a", "request": {"response": 1, "answer": 1}, "status": 200,
             "reply": {"command": "eval", "result": {"is_correct": true}}},
            {"name": "b", "request": {"response": null, "answer": 1}, "status": 500, "reply": {"error": {"message": "null"}}},
            {"name": "c", "command": "healthcheck", "request": {}, "status": 200,
             "reply": {"command": "healthcheck", "result": {"tests_passed": true, "successes": [], "failures": [], "errors": []}}},
            {"name": "host", "request": {"response": 1, "answer": 2, "params": {"cases": []}}, "status": 200, "reply": {}},
            {"name": "raw", "raw_request": "{", "status": 400, "reply": {}}
        ]}"#;
        assert_eq!(GUEST.run_case_table(table), Ok(3));
    }

    #[test]
    fn mismatches_are_listed() {
        let table = r#"{"cases": [
            {"name": "kind", "request": {"response": 1, "answer": 1.0}, "status": 200,
             "reply": {"command": "eval", "result": {"is_correct": true}}},
            {"name": "status", "request": {"response": null, "answer": 1}, "status": 200, "reply": {"error": {"message": "null"}}}
        ]}"#;
        let expected = "kind: expected 200 {\"command\":\"eval\",\"result\":{\"is_correct\":true}}, got 200 {\"command\":\"eval\",\"result\":{\"is_correct\":false}}\n\
                        status: expected 200 {\"error\":{\"message\":\"null\"}}, got 500 {\"error\":{\"message\":\"null\"}}";
        assert_eq!(GUEST.run_case_table(table), Err(expected.into()));
    }

    #[test]
    fn malformed_tables_are_errors() {
        assert!(GUEST.run_case_table("{").unwrap_err().starts_with("case table: invalid JSON"));
        assert_eq!(GUEST.run_case_table("{}"), Err("case table: no cases array".into()));
        assert_eq!(GUEST.run_case_table(r#"{"cases": [1]}"#), Err("case 0: not an object".into()));
    }
}
