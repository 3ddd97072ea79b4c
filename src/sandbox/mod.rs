//! The sandbox layer: runs an evaluator module under wasmi with the guest ABI, the WASI subset, fuel, deadlines,
//! memory caps, snapshot restore and a pool of warm instances. It knows nothing of HTTP or of Shimmy's protocol:
//! it takes a method name and the request body bytes and returns the guest's reply object.

mod error;
mod instance;
mod module;
mod pool;
mod reach;
mod snapshot;
mod wasi;

pub use error::Failure;
pub use module::Report;
pub use pool::{EvalError, Evaluation, Evaluator, Startup};

use std::sync::Arc;
use std::time::Duration;

/// How an instance is reset between requests (`FUNCTION_WASM_SNAPSHOT_STRATEGY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotStrategy {
    /// Copy the snapshot back after every request (the default).
    Full,
    /// A new instance for every request: for comparison in benchmarks.
    Fresh,
    /// No reset at all: state leaks between requests. For measurements only.
    Off,
}

/// Everything the sandbox needs to know, resolved from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Fuel per request (alloc and evaluate together).
    pub fuel: u64,
    /// Fuel for `_initialize` / `_start`.
    pub init_fuel: u64,
    /// Wall-clock limit per call into the guest.
    pub deadline: Duration,
    /// Memory cap in 64 KiB pages.
    pub max_memory_pages: u32,
    /// Largest reply the host accepts, in bytes.
    pub max_reply_bytes: usize,
    /// Deepest wasm call stack before the guest traps.
    pub max_call_depth: usize,
    /// Instances kept warm.
    pub pool_size: usize,
    /// How long a request waits for a free instance before it is refused as overload.
    pub queue_timeout: Duration,
    /// How instances are reset between requests.
    pub snapshot: SnapshotStrategy,
    /// The environment the guest sees, as `KEY=VALUE` strings.
    pub environment: Arc<[String]>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            fuel: 1_000_000_000,
            init_fuel: 1_000_000_000,
            deadline: Duration::from_secs(30),
            max_memory_pages: 256,
            max_reply_bytes: 8 * 1024 * 1024,
            max_call_depth: 4096,
            pool_size: 2,
            queue_timeout: Duration::from_secs(10),
            snapshot: SnapshotStrategy::Full,
            environment: Arc::from(Vec::new()),
        }
    }
}
