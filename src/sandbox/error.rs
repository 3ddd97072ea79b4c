//! Why an evaluation produced no usable reply. Each variant's message is written for the client (short, no
//! internals); [`Failure::hint`] adds what the operator can do about it, for the log.

use std::fmt;
use std::time::Duration;
use wasmi::{Error, TrapCode};

/// A failed call into the guest, or a failed check of what it returned.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The call used its whole fuel budget (the budget is carried for the log).
    OutOfFuel(u64),
    /// The wall-clock deadline passed while the guest was running.
    TimedOut(Duration),
    /// The guest trapped after the memory page cap refused to grow its memory.
    OutOfMemory(u32),
    /// The guest trapped; the text says which trap.
    Trapped(String),
    /// The guest called `proc_exit` during a call where that is not a normal end.
    Exited(i32),
    /// `alloc` returned 0 for a request of this many bytes.
    AllocFailed(usize),
    /// `alloc` returned a range that does not fit in memory.
    AllocOutOfBounds { ptr: u32, len: usize, memory: usize },
    /// The reply failed a check; the text says which.
    BadReply(String),
    /// The reply's length field is above the reply size limit.
    ReplyTooLarge { len: u64, limit: usize },
    /// The envelope does not fit the 32-bit guest ABI.
    RequestTooLarge(usize),
    /// The host itself failed to drive the instance (should not happen; logged in full).
    Host(String),
}

impl Failure {
    /// Classifies a wasmi error raised while running guest code.
    pub fn from_error(error: &Error, during_call: bool) -> Self {
        if let Some(code) = error.i32_exit_status() {
            return Failure::Exited(code);
        }
        match error.as_trap_code() {
            Some(TrapCode::StackOverflow) => {
                Failure::Trapped("call stack exhausted (recursion deeper than the call-depth limit)".into())
            }
            Some(TrapCode::UnreachableCodeReached) => {
                Failure::Trapped("unreachable instruction executed (a panic or abort in the evaluator)".into())
            }
            Some(code) => Failure::Trapped(code.trap_message().to_string()),
            None if during_call => Failure::Trapped(error.to_string()),
            None => Failure::Host(error.to_string()),
        }
    }

    /// True when the instance's state is undefined afterwards, so it must be replaced rather than restored.
    pub fn leaves_instance_broken(&self) -> bool {
        !matches!(
            self,
            Failure::AllocFailed(_)
                | Failure::AllocOutOfBounds { .. }
                | Failure::BadReply(_)
                | Failure::ReplyTooLarge { .. }
                | Failure::RequestTooLarge(_)
        )
    }

    /// What the operator can do, for the log line.
    pub fn hint(&self) -> String {
        match self {
            Failure::OutOfFuel(budget) => {
                format!("the budget is {budget} fuel; raise FUNCTION_WASM_FUEL if such requests are legitimate")
            }
            Failure::TimedOut(after) => {
                format!("the deadline is {after:?}; raise FUNCTION_WORKER_SEND_TIMEOUT if such requests are legitimate")
            }
            Failure::OutOfMemory(pages) => format!(
                "the cap is {pages} pages ({} MiB); raise FUNCTION_WASM_MAX_MEMORY_PAGES if the evaluator needs more",
                u64::from(*pages) * 64 / 1024
            ),
            Failure::ReplyTooLarge { limit, .. } => {
                format!(
                    "the limit is {limit} bytes; raise FUNCTION_WASM_MAX_REPLY_BYTES if such replies are legitimate"
                )
            }
            Failure::Host(_) => "this is a bug in wasmshim; please report it with this log line".into(),
            _ => "the evaluator module misbehaved; check it with `wasmshim run`".into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::OutOfFuel(_) => write!(f, "evaluation exceeded its CPU budget"),
            Failure::TimedOut(after) => write!(f, "evaluation timed out after {after:?}"),
            Failure::OutOfMemory(_) => write!(f, "evaluation ran out of memory"),
            Failure::Trapped(what) => write!(f, "evaluation trapped: {what}"),
            Failure::Exited(code) => write!(f, "evaluator exited with code {code}"),
            Failure::AllocFailed(len) => write!(f, "alloc failed: the evaluator returned 0 when asked for {len} bytes"),
            Failure::AllocOutOfBounds { ptr, len, memory } => write!(
                f,
                "alloc failed: the evaluator returned {ptr:#x} for {len} bytes, which runs past the end of memory ({memory} bytes)"
            ),
            Failure::BadReply(why) => write!(f, "evaluator returned a bad reply: {why}"),
            Failure::ReplyTooLarge { len, limit } => {
                write!(f, "evaluator returned a bad reply: reply too large ({len} bytes, the limit is {limit})")
            }
            Failure::RequestTooLarge(len) => write!(f, "request too large for the evaluator ({len} bytes)"),
            Failure::Host(what) => write!(f, "internal error while running the evaluator: {what}"),
        }
    }
}
