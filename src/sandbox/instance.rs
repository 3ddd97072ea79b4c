//! One live instance of an evaluator module, and one request through the guest ABI (guest-abi.md §2):
//! `alloc`, write the envelope, `evaluate`, read and check the reply. Guest code always runs in fuel slices:
//! between slices the coroutine yields (so a long evaluation does not hold a server thread) and the wall-clock
//! deadline is checked.

use super::{error::Failure, module::LoadedModule, snapshot::Snapshot, wasi::HostState, Settings};
use may::sync::{mpmc, mpsc};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmi::{Func, Global, Memory, ResumableCall, Store, TrapCode, Val};

/// Fuel per slice: small enough that other coroutines on the same thread get a turn within about a millisecond.
const SLICE_FUEL: u64 = 500_000;

/// A WebAssembly page, in bytes.
pub const PAGE_BYTES: u64 = 65536;

/// A live instance with handles to the exports the host uses.
pub struct Instance {
    pub(super) store: Store<HostState>,
    pub(super) memory: Memory,
    pub(super) globals: Vec<Global>,
    alloc: Func,
    evaluate: Func,
    initializer: Option<Func>,
}

/// The outcome of one call into the guest.
pub struct CallOutcome {
    /// The guest's reply object, or why there is none.
    pub reply: Result<serde_json::Map<String, serde_json::Value>, Failure>,
    /// Fuel the call used (alloc and evaluate together).
    pub fuel_used: u64,
    /// True when the instance can no longer be restored and must be replaced.
    pub dirty: bool,
}

impl Instance {
    /// Instantiates the module (running its start section, if any) without running its initialiser.
    pub fn instantiate(module: &LoadedModule, settings: &Settings) -> Result<Self, Failure> {
        let max_bytes = (u64::from(settings.max_memory_pages) * PAGE_BYTES) as usize;
        let mut store = Store::new(&module.engine, HostState::new(max_bytes, Arc::clone(&settings.environment)));
        store.limiter(|state| &mut state.limiter);
        store.set_fuel(settings.init_fuel).map_err(|e| Failure::Host(e.to_string()))?;
        let instance = module
            .linker
            .instantiate_and_start(&mut store, &module.module)
            .map_err(|e| Failure::from_error(&e, false))?;
        let func = |name: &str| {
            instance.get_func(&store, name).ok_or_else(|| Failure::Host(format!("export `{name}` vanished")))
        };
        let (alloc, evaluate) = (func("alloc")?, func("evaluate")?);
        let memory =
            instance.get_memory(&store, "memory").ok_or_else(|| Failure::Host("export `memory` vanished".into()))?;
        let globals = module
            .global_exports
            .iter()
            .map(|name| {
                instance.get_global(&store, name).ok_or_else(|| Failure::Host(format!("global `{name}` vanished")))
            })
            .collect::<Result<_, _>>()?;
        let initializer = match module.initializer {
            Some(name) => Some(func(name)?),
            None => None,
        };
        Ok(Self { store, memory, globals, alloc, evaluate, initializer })
    }

    /// Runs `_initialize` or `_start` with the initialisation fuel budget. `proc_exit(0)` counts as success.
    /// Returns the fuel used.
    pub fn initialize(self, settings: &Settings) -> (Self, Result<u64, Failure>) {
        let Some(init) = self.initializer else { return (self, Ok(0)) };
        let (instance, budget, result) = self.run(init, &[], Budget::new(settings.init_fuel, settings.deadline), None);
        match result {
            Ok(_) | Err(Failure::Exited(0)) => (instance, Ok(budget.used)),
            Err(failure) => (instance, Err(failure)),
        }
    }

    /// Sends one envelope through `alloc` and `evaluate` and reads the reply. Takes the instance by value
    /// because a long call may continue on an evaluation thread (see [`Offload`]) and come back.
    pub fn call(self, envelope: &[u8], settings: &Settings, offload: &Offload) -> (Self, CallOutcome) {
        let start_pages = self.memory.size(&self.store);
        let budget = Budget::new(settings.fuel, settings.deadline);
        let (instance, budget, reply) = self.call_inner(envelope, settings, budget, offload);
        let grew = instance.memory.size(&instance.store) != start_pages;
        let reply = reply.map_err(|failure| match failure {
            Failure::Trapped(_) if instance.store.data().limiter.refused => {
                Failure::OutOfMemory(settings.max_memory_pages)
            }
            Failure::OutOfFuel(_) => Failure::OutOfFuel(settings.fuel),
            other => other,
        });
        let dirty = grew || reply.as_ref().is_err_and(Failure::leaves_instance_broken);
        (instance, CallOutcome { reply, fuel_used: budget.used, dirty })
    }

    fn call_inner(
        self,
        envelope: &[u8],
        settings: &Settings,
        budget: Budget,
        offload: &Offload,
    ) -> (Self, Budget, Result<serde_json::Map<String, serde_json::Value>, Failure>) {
        let Ok(len) = i32::try_from(envelope.len()) else {
            return (self, budget, Err(Failure::RequestTooLarge(envelope.len())));
        };
        let alloc = self.alloc;
        let (mut instance, budget, ptr) = self.run(alloc, &[Val::I32(len)], budget, Some(offload));
        let ptr = match ptr {
            Ok(0) => return (instance, budget, Err(Failure::AllocFailed(envelope.len()))),
            Ok(ptr) => ptr,
            Err(failure) => return (instance, budget, Err(failure)),
        };
        let memory = instance.memory.data_mut(&mut instance.store);
        let memory_len = memory.len();
        match (ptr as u32 as usize).checked_add(envelope.len()).and_then(|end| memory.get_mut(ptr as u32 as usize..end))
        {
            Some(target) => target.copy_from_slice(envelope),
            None => {
                let failure = Failure::AllocOutOfBounds { ptr: ptr as u32, len: envelope.len(), memory: memory_len };
                return (instance, budget, Err(failure));
            }
        }
        let evaluate = instance.evaluate;
        let (instance, budget, out) = instance.run(evaluate, &[Val::I32(ptr), Val::I32(len)], budget, Some(offload));
        let reply =
            out.and_then(|out| read_reply(instance.memory.data(&instance.store), out as u32, settings.max_reply_bytes));
        (instance, budget, reply)
    }

    /// Calls `func` in fuel slices within `budget`. Returns its single i32 result (0 for functions without one).
    fn run(
        mut self,
        func: Func,
        params: &[Val],
        mut budget: Budget,
        offload: Option<&Offload>,
    ) -> (Self, Budget, Result<i32, Failure>) {
        let mut results = [Val::I32(0)];
        let results_len = func.ty(&self.store).results().len().min(1);
        let slice = budget.remaining.min(SLICE_FUEL);
        if let Err(e) = self.store.set_fuel(slice) {
            return (self, budget, Err(Failure::Host(e.to_string())));
        }
        let step = func.call_resumable(&mut self.store, params, &mut results[..results_len]);
        budget.charge(slice - self.store.get_fuel().unwrap_or(0));
        self.drive(step, results, results_len, budget, offload)
    }

    /// Drives a call to its end: resumes it slice after slice, checking the budget and the deadline between
    /// slices. Inside a coroutine, a call that outlives its first slice moves to an evaluation thread so that
    /// it does not hold the server thread.
    fn drive(
        mut self,
        mut step: Result<ResumableCall, wasmi::Error>,
        mut results: [Val; 1],
        results_len: usize,
        mut budget: Budget,
        offload: Option<&Offload>,
    ) -> (Self, Budget, Result<i32, Failure>) {
        loop {
            let paused = match step {
                Ok(ResumableCall::Finished) => {
                    let value = if let Val::I32(value) = results[0] { value } else { 0 };
                    return (self, budget, Ok(value));
                }
                Ok(ResumableCall::OutOfFuel(paused)) => paused,
                Ok(ResumableCall::HostTrap(trap)) => {
                    let failure = Failure::from_error(trap.host_error(), true);
                    return (self, budget, Err(failure));
                }
                Err(error) if error.as_trap_code() == Some(TrapCode::OutOfFuel) => {
                    return (self, budget, Err(Failure::OutOfFuel(budget.total)));
                }
                Err(error) => return (self, budget, Err(Failure::from_error(&error, true))),
            };
            if budget.remaining < paused.required_fuel() {
                return (self, budget, Err(Failure::OutOfFuel(budget.total)));
            }
            if Instant::now() >= budget.deadline {
                return (self, budget, Err(Failure::TimedOut(budget.timeout)));
            }
            if let Some(offload) = offload.filter(|_| may::coroutine::is_coroutine()) {
                let step = Ok(ResumableCall::OutOfFuel(paused));
                return offload.run(move || self.drive(step, results, results_len, budget, None));
            }
            let slice = budget.remaining.min(SLICE_FUEL.max(paused.required_fuel()));
            if let Err(e) = self.store.set_fuel(slice) {
                return (self, budget, Err(Failure::Host(e.to_string())));
            }
            step = paused.resume(&mut self.store, &mut results[..results_len]);
            budget.charge(slice - self.store.get_fuel().unwrap_or(0));
        }
    }

    /// Writes the snapshot into this instance: memory bytes and every mutable global. The caller has checked
    /// that the memory has the snapshot's size.
    pub fn write_snapshot(&mut self, snapshot: &Snapshot) -> Result<(), Failure> {
        let pages = self.memory.size(&self.store);
        if pages < snapshot.pages {
            self.memory
                .grow(&mut self.store, snapshot.pages - pages)
                .map_err(|e| Failure::Host(format!("could not grow memory to the snapshot's size: {e}")))?;
        }
        self.memory.data_mut(&mut self.store).copy_from_slice(&snapshot.memory);
        for (global, value) in self.globals.iter().zip(&snapshot.globals) {
            global
                .set(&mut self.store, value.clone())
                .map_err(|e| Failure::Host(format!("could not restore a global: {e}")))?;
        }
        self.store.data_mut().reset();
        Ok(())
    }

    /// Guest stdout and stderr of the last call, for the log.
    pub fn take_output(&mut self) -> String {
        let text = self.store.data().output.to_log_text();
        self.store.data_mut().output = Default::default();
        text
    }
}

/// Fuel and time left for one call.
#[derive(Clone, Copy)]
struct Budget {
    total: u64,
    remaining: u64,
    used: u64,
    deadline: Instant,
    timeout: Duration,
}

impl Budget {
    fn new(fuel: u64, timeout: Duration) -> Self {
        Self { total: fuel, remaining: fuel, used: 0, deadline: Instant::now() + timeout, timeout }
    }

    fn charge(&mut self, fuel: u64) {
        self.used += fuel;
        self.remaining -= fuel;
    }
}

/// Evaluation threads for calls that outlive their first fuel slice. may cannot preempt a coroutine and a
/// yielding coroutine is rescheduled before the thread polls for I/O, so a long call must leave the server
/// thread: its coroutine parks on a channel while an evaluation thread runs the remaining slices. Short calls
/// (nearly all) finish in their first slice and never pay for the hand-over.
pub struct Offload {
    jobs: mpmc::Sender<Box<dyn FnOnce() + Send>>,
}

impl Offload {
    /// Starts `threads` evaluation threads; they end when the `Offload` is dropped.
    pub fn start(threads: usize) -> Self {
        let (jobs, waiting) = mpmc::channel::<Box<dyn FnOnce() + Send>>();
        for i in 0..threads.max(1) {
            let waiting = waiting.clone();
            let spawned = std::thread::Builder::new().name(format!("wasmshim-eval-{i}")).spawn(move || {
                while let Ok(job) = waiting.recv() {
                    job();
                }
            });
            if let Err(error) = spawned {
                log::warn!("could not start evaluation thread {i}: {error}; long evaluations will share fewer threads");
            }
        }
        Self { jobs }
    }

    /// Runs `job` on an evaluation thread and parks the calling coroutine until it is done.
    fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> T {
        // Boxed, because may's channel queues allocate blocks of slots on the stack first: a slot the size of
        // an instance overflows a coroutine stack.
        let (done, result) = mpsc::channel::<Box<T>>();
        let job = Box::new(move || {
            let _ = done.send(Box::new(job()));
        });
        if let Err(unsent) = self.jobs.send(job) {
            // No evaluation thread is alive: run the job here rather than fail the request.
            (unsent.0)();
        }
        *result.recv().expect("every job sends its result before it ends")
    }
}

/// Reads `[u32 LE length][bytes]` at `out` and parses the bytes as one JSON object, checking every step.
pub fn read_reply(
    memory: &[u8],
    out: u32,
    max_reply_bytes: usize,
) -> Result<serde_json::Map<String, serde_json::Value>, Failure> {
    let size = memory.len() as u64;
    let out = u64::from(out);
    if out + 4 > size {
        return Err(Failure::BadReply(format!("the reply pointer {out:#x} is outside memory ({size} bytes)")));
    }
    let at = out as usize;
    let len = u64::from(u32::from_le_bytes([memory[at], memory[at + 1], memory[at + 2], memory[at + 3]]));
    if len > max_reply_bytes as u64 {
        return Err(Failure::ReplyTooLarge { len, limit: max_reply_bytes });
    }
    if out + 4 + len > size {
        return Err(Failure::BadReply(format!(
            "the reply length {len} at {out:#x} runs past the end of memory ({size} bytes)"
        )));
    }
    let bytes = &memory[at + 4..at + 4 + len as usize];
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Failure::BadReply(format!("the reply is not UTF-8 (invalid byte at offset {})", e.valid_up_to()))
    })?;
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::BadReply("the reply is JSON but not an object".into())),
        Err(e) => Err(Failure::BadReply(format!("the reply is not JSON: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &[u8]) -> Vec<u8> {
        let mut memory = vec![0u8; 16];
        memory.extend_from_slice(&(body.len() as u32).to_le_bytes());
        memory.extend_from_slice(body);
        memory
    }

    #[test]
    fn a_framed_object_is_read() {
        let reply = read_reply(&framed(br#"{"a":1}"#), 16, 100).unwrap();
        assert_eq!(reply["a"], 1);
    }

    #[test]
    fn every_reply_check_names_its_reason() {
        let memory = framed(b"{}");
        let message = |r: Result<_, Failure>| r.unwrap_err().to_string();
        assert!(message(read_reply(&memory, u32::MAX, 100)).contains("outside memory"));
        assert!(message(read_reply(&memory, memory.len() as u32 - 3, 100)).contains("outside memory"));
        let mut long = memory.clone();
        long[16..20].copy_from_slice(&50u32.to_le_bytes());
        assert!(message(read_reply(&long, 16, 100)).contains("runs past the end of memory"));
        long[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(message(read_reply(&long, 16, usize::MAX)).contains("runs past the end of memory"));
        assert!(message(read_reply(&framed(b"{\"a\":1}"), 16, 3)).contains("reply too large"));
        assert!(message(read_reply(&framed(b"\xff\xfe"), 16, 100)).contains("not UTF-8"));
        assert!(message(read_reply(&framed(b"{nope"), 16, 100)).contains("not JSON"));
        assert!(message(read_reply(&framed(b"[1]"), 16, 100)).contains("not an object"));
    }
}
