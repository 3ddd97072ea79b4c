//! The evaluator: a loaded module, its snapshot, and a pool of warm instances shared by every server thread.
//!
//! Free instances wait in a `may` channel, so a request that finds none free parks its coroutine (or thread)
//! until one comes back or the queue timeout passes. After each request the instance is restored from the
//! snapshot, or replaced when it cannot be (it trapped, ran out of fuel or time, exited, or grew its memory).
//! A dirty instance is never put back.

use super::instance::{CallOutcome, Instance, Offload};
use super::module::{self, LoadedModule, Report};
use super::snapshot::Snapshot;
use super::{Failure, Settings, SnapshotStrategy};
use may::sync::mpmc;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A loaded, initialised evaluator module with its pool of instances.
pub struct Evaluator {
    module: LoadedModule,
    snapshot: Snapshot,
    settings: Settings,
    // Boxed: may's queues build blocks of slots on the stack, and a slot the size of an instance is large.
    free: mpmc::Sender<Box<Instance>>,
    waiting: mpmc::Receiver<Box<Instance>>,
    idle: AtomicUsize,
    replaced: AtomicU64,
    offload: Offload,
}

/// What startup learned about the module, for `wasmshim check` and the startup log.
pub struct Startup {
    /// The static checks.
    pub report: Report,
    /// Fuel the initialiser used.
    pub init_fuel_used: u64,
    /// Memory pages right after initialisation (the snapshot's size).
    pub pages_after_init: u64,
}

/// Why a request got no reply from the guest.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// No instance became free within the queue timeout.
    Overloaded(Duration),
    /// The guest failed; see [`Failure`].
    Failed(Failure),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Overloaded(waited) => {
                write!(f, "server overloaded: no evaluator instance became free within {waited:?}; retry later")
            }
            EvalError::Failed(failure) => failure.fmt(f),
        }
    }
}

/// The result of one request, with what the log line reports about it.
pub struct Evaluation {
    /// The guest's reply object, or why there is none.
    pub reply: Result<serde_json::Map<String, serde_json::Value>, EvalError>,
    /// Fuel the guest used.
    pub fuel_used: u64,
    /// True when the instance was replaced instead of restored.
    pub replaced: bool,
    /// What the guest wrote to stdout and stderr (bounded).
    pub output: String,
}

impl Evaluator {
    /// Loads, checks and initialises the module, takes the snapshot and fills the pool.
    /// On refusal, the report lists every problem (initialisation failures included).
    #[allow(clippy::result_large_err)] // runs once at startup; the report is the answer, not an exceptional path
    pub fn start(bytes: &[u8], settings: Settings) -> Result<(Arc<Self>, Startup), Report> {
        let (module, mut report) = module::load(bytes, &settings)?;
        let first = match Instance::instantiate(&module, &settings) {
            Ok(instance) => instance,
            Err(failure) => {
                report.problems.push(format!("instantiation failed: {failure}"));
                return Err(report);
            }
        };
        let (mut first, initialized) = first.initialize(&settings);
        let init_fuel_used = match initialized {
            Ok(fuel) => fuel,
            Err(Failure::OutOfFuel(budget)) => {
                report
                    .problems
                    .push(format!("initialisation exceeded its fuel budget of {budget} (FUNCTION_WASM_INIT_FUEL)"));
                return Err(report);
            }
            Err(failure) => {
                report.problems.push(format!("initialisation failed: {failure}"));
                return Err(report);
            }
        };
        let snapshot = Snapshot::take(&first);
        let pages_after_init = snapshot.pages;
        let _ = first.take_output();
        let (free, waiting) = mpmc::channel();
        let pool_size = settings.pool_size.max(1);
        let evaluator = Arc::new(Self {
            module,
            snapshot,
            settings,
            free,
            waiting,
            idle: AtomicUsize::new(0),
            replaced: AtomicU64::new(0),
            offload: Offload::start(pool_size),
        });
        evaluator.put_back(Box::new(first));
        for _ in 1..pool_size {
            match evaluator.new_instance() {
                Ok(instance) => evaluator.put_back(instance),
                Err(failure) => {
                    report.problems.push(format!("creating a pool instance failed: {failure}"));
                    return Err(report);
                }
            }
        }
        Ok((Arc::clone(&evaluator), Startup { report, init_fuel_used, pages_after_init }))
    }

    /// Runs one request: `method` is `eval`, `preview` or `healthcheck`, `body` the request body (a JSON object),
    /// embedded verbatim in the envelope.
    pub fn evaluate(self: &Arc<Self>, method: &str, body: &[u8]) -> Evaluation {
        let instance = match self.waiting.recv_timeout(self.settings.queue_timeout) {
            Ok(instance) => instance,
            Err(_) => {
                return Evaluation {
                    reply: Err(EvalError::Overloaded(self.settings.queue_timeout)),
                    fuel_used: 0,
                    replaced: false,
                    output: String::new(),
                }
            }
        };
        self.idle.fetch_sub(1, Ordering::Relaxed);
        let envelope = envelope(method, body);
        let (instance, CallOutcome { reply, fuel_used, dirty }) =
            (*instance).call(&envelope, &self.settings, &self.offload);
        let mut instance = Box::new(instance);
        let output = instance.take_output();
        let replace = dirty
            || self.settings.snapshot == SnapshotStrategy::Fresh
            || self.module.mutates_tables_or_segments.is_some();
        let replaced = if replace {
            self.replace(instance);
            true
        } else {
            if self.settings.snapshot == SnapshotStrategy::Full {
                if let Err(failure) = instance.write_snapshot(&self.snapshot) {
                    log::error!("restoring an instance failed ({failure}); replacing it");
                    self.replace(instance);
                    return Evaluation { reply: reply.map_err(EvalError::Failed), fuel_used, replaced: true, output };
                }
            }
            self.put_back(instance);
            false
        };
        Evaluation { reply: reply.map_err(EvalError::Failed), fuel_used, replaced, output }
    }

    /// Restores one idle instance from the snapshot `times` times and returns the total time: the "restore
    /// alone" figure of the benchmarks, measured on the real code path. Waits for a free instance.
    pub fn measure_restore(&self, times: u32) -> Duration {
        let mut instance = self.waiting.recv().expect("the evaluator owns its pool");
        let started = std::time::Instant::now();
        for _ in 0..times {
            instance.write_snapshot(&self.snapshot).expect("restoring a clean instance succeeds");
        }
        let elapsed = started.elapsed();
        let _ = self.free.send(instance);
        elapsed
    }

    /// Instances free right now (for tests and the overload log).
    pub fn idle(&self) -> usize {
        self.idle.load(Ordering::Relaxed)
    }

    /// Instances replaced since startup.
    pub fn replaced(&self) -> u64 {
        self.replaced.load(Ordering::Relaxed)
    }

    /// The settings the evaluator runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn put_back(&self, instance: Box<Instance>) {
        self.idle.fetch_add(1, Ordering::Relaxed);
        // The receiver lives as long as `self`, so sending cannot fail.
        let _ = self.free.send(instance);
    }

    /// A new instance in the snapshot's state. Modules whose code changes tables or segments re-run their
    /// initialiser instead, because the snapshot does not cover that state.
    fn new_instance(&self) -> Result<Box<Instance>, Failure> {
        let mut instance = Instance::instantiate(&self.module, &self.settings)?;
        if self.module.mutates_tables_or_segments.is_some() {
            let (initialized, result) = instance.initialize(&self.settings);
            result?;
            instance = initialized;
        }
        instance.write_snapshot(&self.snapshot)?;
        Ok(Box::new(instance))
    }

    /// Drops a used instance and puts a new one in its place. If building it fails, a background thread keeps
    /// trying (and logging) so that the pool never shrinks for good.
    fn replace(self: &Arc<Self>, used: Box<Instance>) {
        drop(used);
        self.replaced.fetch_add(1, Ordering::Relaxed);
        match self.new_instance() {
            Ok(instance) => self.put_back(instance),
            Err(failure) => {
                log::error!(
                    "replacing an evaluator instance failed ({failure}); retrying every second in the background"
                );
                let evaluator = Arc::clone(self);
                std::thread::spawn(move || evaluator.rebuild_until_done());
            }
        }
    }

    fn rebuild_until_done(&self) {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            match self.new_instance() {
                Ok(instance) => {
                    log::info!("a replacement evaluator instance was built after an earlier failure");
                    return self.put_back(instance);
                }
                Err(failure) => log::error!("replacing an evaluator instance failed again ({failure}); retrying"),
            }
        }
    }
}

/// The bytes the guest receives: `{"method":"<method>","params":<body>}`, the body embedded verbatim.
fn envelope(method: &str, body: &[u8]) -> Vec<u8> {
    let mut envelope = Vec::with_capacity(body.len() + method.len() + 24);
    envelope.extend_from_slice(b"{\"method\":\"");
    envelope.extend_from_slice(method.as_bytes());
    envelope.extend_from_slice(b"\",\"params\":");
    envelope.extend_from_slice(body);
    envelope.push(b'}');
    envelope
}
