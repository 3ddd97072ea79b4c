//! Regression: guest work inside a coroutine with the server's 256 KiB stack, including the hand-over of a
//! long call to an evaluation thread, must not overflow the coroutine stack (it once did: may's channel
//! builds its slot blocks on the stack, and a slot holding an instance was too large). Its own test binary,
//! because may's stack size is process-wide.

use std::time::Duration;
use wasmshim::sandbox::{EvalError, Evaluator, Failure, Settings};

#[test]
fn long_calls_and_deep_recursion_fit_the_server_coroutine_stack() {
    may::config().set_workers(1).set_stack_size(256 * 1024 / std::mem::size_of::<usize>());
    let bytes = wat::parse_file(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile.wat")).unwrap();
    let settings = Settings { pool_size: 1, fuel: 5_000_000, deadline: Duration::from_secs(5), ..Settings::default() };
    let (evaluator, _) = Evaluator::start(&bytes, settings).unwrap();
    let outcomes = unsafe {
        may::coroutine::spawn(move || {
            ["#l", "#r", "fine"]
                .map(|response| {
                    let body = format!(r#"{{"response":"{response}","answer":1}}"#);
                    evaluator.evaluate("eval", body.as_bytes()).reply.map(|_| ())
                })
                .to_vec()
        })
    }
    .join()
    .expect("the coroutine finished without overflowing");
    assert_eq!(outcomes[0], Err(EvalError::Failed(Failure::OutOfFuel(5_000_000))));
    assert!(matches!(&outcomes[1], Err(EvalError::Failed(Failure::Trapped(what))) if what.contains("call stack")));
    assert_eq!(outcomes[2], Ok(()));
}
