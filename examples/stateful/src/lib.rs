//! A counter in a static, bumped by every evaluation and reported. The host restores memory after each
//! request, so on wasmshim every reply says 1: no state survives from one request to the next.

use std::sync::atomic::{AtomicU32, Ordering};

use wasmshim_guest::{export, Error, EvalResult, Map, Value};

static REQUESTS: AtomicU32 = AtomicU32::new(0);

/// Always correct; `feedback` and `count` tell how many evaluations this instance has seen.
fn evaluate(_response: &Value, _answer: &Value, _params: &Map) -> Result<EvalResult, Error> {
    let count = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
    Ok(EvalResult::new(true).feedback(format!("request number {count}")).with("count", i64::from(count)))
}

export!(evaluate);

#[cfg(test)]
mod tests {
    #[test]
    fn without_a_host_reset_the_count_goes_up() {
        let request = br#"{"method":"eval","params":{"response":1,"answer":1}}"#;
        assert_eq!(
            super::guest().handle(request),
            r#"{"command":"eval","result":{"is_correct":true,"feedback":"request number 1","count":1}}"#
        );
        assert_eq!(
            super::guest().handle(request),
            r#"{"command":"eval","result":{"is_correct":true,"feedback":"request number 2","count":2}}"#
        );
    }
}
