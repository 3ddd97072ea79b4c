//! The deterministic `wasi_snapshot_preview1` subset a guest may import (guest-abi.md §4).
//!
//! Everything a guest can observe through these functions is a function of the module, the request and the
//! configuration: the clock is virtual, the random generator is reseeded for every request, stdin is empty, and
//! there are no files, directories or sockets. Output to stdout and stderr is captured, bounded, so the server
//! can log it with the request (a Go panic message arrives this way).

use std::sync::Arc;
use wasmi::{Caller, Error, Extern, FuncType, Linker, Memory, ResourceLimiter, Val, ValType};
use wasmi_core::LimiterError;

/// The import module name of WASI preview 1.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// Bytes of guest stdout plus stderr kept per request; the rest is counted and dropped.
pub const OUTPUT_CAPTURE_BYTES: usize = 16 * 1024;

/// The virtual clock's reading when a request starts: 2024-01-01T00:00:00Z, in nanoseconds.
const CLOCK_START_NS: u64 = 1_704_067_200_000_000_000;
/// How far the virtual clock advances on each read, so that time is monotonic and deterministic.
const CLOCK_TICK_NS: u64 = 1_000;
/// The seed of the random generator at the start of every request.
const RANDOM_SEED: u64 = 0x5eed_0fa1_15ee_d5ee;

const ESUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const EINVAL: i32 = 28;
const ENOSYS: i32 = 52;
const ESPIPE: i32 = 70;

/// Per-instance host state: the parts of the WASI world and the memory limiter.
pub struct HostState {
    /// Enforces the memory page cap and remembers refusals, to tell "out of memory" apart from other traps.
    pub limiter: MemoryLimiter,
    /// What the guest wrote to stdout and stderr during the current call.
    pub output: CapturedOutput,
    clock_ns: u64,
    random: u64,
    environment: Arc<[String]>,
}

impl HostState {
    /// Creates the state for one instance; `environment` holds the allow-listed `KEY=VALUE` pairs.
    pub fn new(max_memory_bytes: usize, environment: Arc<[String]>) -> Self {
        Self {
            limiter: MemoryLimiter { max_bytes: max_memory_bytes, refused: false },
            output: CapturedOutput::default(),
            clock_ns: CLOCK_START_NS,
            random: RANDOM_SEED,
            environment,
        }
    }

    /// Puts the host side back to the state every request starts from.
    pub fn reset(&mut self) {
        self.limiter.refused = false;
        self.output = CapturedOutput::default();
        self.clock_ns = CLOCK_START_NS;
        self.random = RANDOM_SEED;
    }

    fn tick(&mut self) -> u64 {
        self.clock_ns += CLOCK_TICK_NS;
        self.clock_ns
    }

    /// splitmix64: small, fast, and the same sequence on every platform.
    fn next_random(&mut self) -> u64 {
        self.random = self.random.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.random;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The memory page cap, as a wasmi resource limiter.
pub struct MemoryLimiter {
    max_bytes: usize,
    /// Set when a `memory.grow` was refused during the current call.
    pub refused: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> Result<bool, LimiterError> {
        let allowed = desired <= self.max_bytes;
        self.refused |= !allowed;
        Ok(allowed)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> Result<bool, LimiterError> {
        Ok(desired <= 100_000)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        100
    }

    fn memories(&self) -> usize {
        1
    }
}

/// Guest stdout and stderr of one call, bounded by [`OUTPUT_CAPTURE_BYTES`].
#[derive(Default)]
pub struct CapturedOutput {
    /// The captured bytes, both streams interleaved in the order written.
    pub bytes: Vec<u8>,
    /// Bytes written beyond the capture limit and dropped.
    pub dropped: usize,
}

impl CapturedOutput {
    fn push(&mut self, data: &[u8]) {
        let room = OUTPUT_CAPTURE_BYTES.saturating_sub(self.bytes.len());
        let kept = room.min(data.len());
        self.bytes.extend_from_slice(&data[..kept]);
        self.dropped += data.len() - kept;
    }

    /// The output as text for the log: lossy UTF-8, trimmed, with a note of what was dropped.
    pub fn to_log_text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.bytes).trim_end().to_string();
        if self.dropped > 0 {
            text.push_str(&format!(" [... {} more bytes dropped]", self.dropped));
        }
        text
    }
}

/// Names of every `wasi_snapshot_preview1` function the host provides.
pub fn provided_functions() -> impl Iterator<Item = &'static str> {
    IMPLEMENTED.iter().copied().chain(STUBS.iter().map(|stub| stub.0))
}

const IMPLEMENTED: &[&str] = &[
    "args_sizes_get",
    "args_get",
    "environ_sizes_get",
    "environ_get",
    "clock_res_get",
    "clock_time_get",
    "random_get",
    "fd_write",
    "fd_read",
    "fd_close",
    "fd_seek",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_filestat_get",
    "poll_oneoff",
    "sched_yield",
    "proc_exit",
];

use ValType::{I32, I64};

/// The rest of preview 1: files, directories and sockets that do not exist here. Each returns an error number
/// so that toolchains which import them (Go's `os` package does) still load, and a guest's attempt to use
/// them has no effect outside the sandbox.
const STUBS: &[(&str, &[ValType], i32)] = &[
    ("fd_advise", &[I32, I64, I64, I32], EBADF),
    ("fd_allocate", &[I32, I64, I64], EBADF),
    ("fd_datasync", &[I32], EBADF),
    ("fd_fdstat_set_rights", &[I32, I64, I64], EBADF),
    ("fd_filestat_set_size", &[I32, I64], EBADF),
    ("fd_filestat_set_times", &[I32, I64, I64, I32], EBADF),
    ("fd_pread", &[I32, I32, I32, I64, I32], EBADF),
    ("fd_pwrite", &[I32, I32, I32, I64, I32], EBADF),
    ("fd_readdir", &[I32, I32, I32, I64, I32], EBADF),
    ("fd_renumber", &[I32, I32], EBADF),
    ("fd_sync", &[I32], EBADF),
    ("fd_tell", &[I32, I32], EBADF),
    ("path_create_directory", &[I32, I32, I32], EBADF),
    ("path_filestat_get", &[I32, I32, I32, I32, I32], EBADF),
    ("path_filestat_set_times", &[I32, I32, I32, I32, I64, I64, I32], EBADF),
    ("path_link", &[I32, I32, I32, I32, I32, I32, I32], EBADF),
    ("path_open", &[I32, I32, I32, I32, I32, I64, I64, I32, I32], EBADF),
    ("path_readlink", &[I32, I32, I32, I32, I32, I32], EBADF),
    ("path_remove_directory", &[I32, I32, I32], EBADF),
    ("path_rename", &[I32, I32, I32, I32, I32, I32], EBADF),
    ("path_symlink", &[I32, I32, I32, I32, I32], EBADF),
    ("path_unlink_file", &[I32, I32, I32], EBADF),
    ("proc_raise", &[I32], ENOSYS),
    ("sock_accept", &[I32, I32, I32], EBADF),
    ("sock_recv", &[I32, I32, I32, I32, I32, I32], EBADF),
    ("sock_send", &[I32, I32, I32, I32, I32], EBADF),
    ("sock_shutdown", &[I32, I32], EBADF),
];

/// A guest memory access outside memory: reported to the guest as `EFAULT`.
struct Fault;

type Result32 = Result<i32, Error>;

fn memory(caller: &Caller<'_, HostState>) -> Option<Memory> {
    caller.get_export("memory").and_then(Extern::into_memory)
}

/// Runs `f` on the guest's memory and host state; a bad pointer becomes `EFAULT`.
fn with_memory(
    caller: &mut Caller<'_, HostState>,
    f: impl FnOnce(&mut [u8], &mut HostState) -> Result<i32, Fault>,
) -> Result32 {
    let Some(memory) = memory(caller) else { return Ok(EFAULT) };
    let (bytes, state) = memory.data_and_store_mut(caller);
    Ok(f(bytes, state).unwrap_or(EFAULT))
}

fn slice(memory: &mut [u8], ptr: i32, len: usize) -> Result<&mut [u8], Fault> {
    let start = ptr as u32 as usize;
    let end = start.checked_add(len).ok_or(Fault)?;
    memory.get_mut(start..end).ok_or(Fault)
}

fn read_u32(memory: &mut [u8], ptr: u32) -> Result<u32, Fault> {
    let bytes = slice(memory, ptr as i32, 4)?;
    Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn write_bytes(memory: &mut [u8], ptr: i32, value: &[u8]) -> Result<(), Fault> {
    slice(memory, ptr, value.len())?.copy_from_slice(value);
    Ok(())
}

fn is_stdio(fd: i32) -> bool {
    (0..=2).contains(&fd)
}

/// Adds the whole `wasi_snapshot_preview1` module to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> Result<(), Error> {
    let m = WASI_MODULE;
    linker.func_wrap(m, "args_sizes_get", |mut c: Caller<'_, HostState>, argc: i32, size: i32| {
        with_memory(&mut c, |mem, _| {
            write_bytes(mem, argc, &0u32.to_le_bytes())?;
            write_bytes(mem, size, &0u32.to_le_bytes())?;
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "args_get", |_: Caller<'_, HostState>, _argv: i32, _buf: i32| -> Result32 { Ok(ESUCCESS) })?;
    linker.func_wrap(m, "environ_sizes_get", |mut c: Caller<'_, HostState>, count: i32, size: i32| {
        with_memory(&mut c, |mem, state| {
            let bytes: usize = state.environment.iter().map(|var| var.len() + 1).sum();
            write_bytes(mem, count, &(state.environment.len() as u32).to_le_bytes())?;
            write_bytes(mem, size, &(bytes as u32).to_le_bytes())?;
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "environ_get", |mut c: Caller<'_, HostState>, pointers: i32, buf: i32| {
        with_memory(&mut c, |mem, state| {
            let mut at = buf as u32;
            for (i, var) in state.environment.iter().enumerate() {
                write_bytes(mem, pointers.wrapping_add(4 * i as i32), &at.to_le_bytes())?;
                write_bytes(mem, at as i32, var.as_bytes())?;
                write_bytes(mem, at.wrapping_add(var.len() as u32) as i32, &[0])?;
                at = at.wrapping_add(var.len() as u32 + 1);
            }
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "clock_res_get", |mut c: Caller<'_, HostState>, id: i32, out: i32| {
        with_memory(&mut c, |mem, _| {
            if !(0..=3).contains(&id) {
                return Ok(EINVAL);
            }
            write_bytes(mem, out, &CLOCK_TICK_NS.to_le_bytes())?;
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "clock_time_get", |mut c: Caller<'_, HostState>, id: i32, _precision: i64, out: i32| {
        with_memory(&mut c, |mem, state| {
            if !(0..=3).contains(&id) {
                return Ok(EINVAL);
            }
            write_bytes(mem, out, &state.tick().to_le_bytes())?;
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "random_get", |mut c: Caller<'_, HostState>, buf: i32, len: i32| {
        with_memory(&mut c, |mem, state| {
            for chunk in slice(mem, buf, len as u32 as usize)?.chunks_mut(8) {
                let random = state.next_random().to_le_bytes();
                chunk.copy_from_slice(&random[..chunk.len()]);
            }
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "fd_write", |mut c: Caller<'_, HostState>, fd: i32, iovs: i32, count: i32, written: i32| {
        with_memory(&mut c, |mem, state| {
            if fd != 1 && fd != 2 {
                return Ok(EBADF);
            }
            let mut total = 0u32;
            for i in 0..count as u32 {
                let entry = (iovs as u32).wrapping_add(8 * i);
                let (ptr, len) = (read_u32(mem, entry)?, read_u32(mem, entry.wrapping_add(4))?);
                state.output.push(slice(mem, ptr as i32, len as usize)?);
                total = total.wrapping_add(len);
            }
            write_bytes(mem, written, &total.to_le_bytes())?;
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "fd_read", |mut c: Caller<'_, HostState>, fd: i32, _iovs: i32, _count: i32, read: i32| {
        with_memory(&mut c, |mem, _| {
            if fd != 0 {
                return Ok(EBADF);
            }
            write_bytes(mem, read, &0u32.to_le_bytes())?;
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "fd_close", |_: Caller<'_, HostState>, fd: i32| -> Result32 {
        Ok(if is_stdio(fd) { ESUCCESS } else { EBADF })
    })?;
    linker.func_wrap(
        m,
        "fd_seek",
        |_: Caller<'_, HostState>, fd: i32, _off: i64, _whence: i32, _out: i32| -> Result32 {
            Ok(if is_stdio(fd) { ESPIPE } else { EBADF })
        },
    )?;
    linker.func_wrap(m, "fd_fdstat_get", |mut c: Caller<'_, HostState>, fd: i32, out: i32| {
        with_memory(&mut c, |mem, _| {
            if !is_stdio(fd) {
                return Ok(EBADF);
            }
            // fdstat: filetype u8 (2 = character device), flags u16 at 2, rights u64 at 8 and 16.
            let mut stat = [0u8; 24];
            stat[0] = 2;
            stat[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
            write_bytes(mem, out, &stat)?;
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(m, "fd_fdstat_set_flags", |_: Caller<'_, HostState>, fd: i32, _flags: i32| -> Result32 {
        Ok(if is_stdio(fd) { ESUCCESS } else { EBADF })
    })?;
    linker.func_wrap(m, "fd_prestat_get", |_: Caller<'_, HostState>, _fd: i32, _out: i32| -> Result32 { Ok(EBADF) })?;
    linker.func_wrap(m, "fd_prestat_dir_name", |_: Caller<'_, HostState>, _fd: i32, _p: i32, _l: i32| -> Result32 {
        Ok(EBADF)
    })?;
    linker.func_wrap(m, "fd_filestat_get", |mut c: Caller<'_, HostState>, fd: i32, out: i32| {
        with_memory(&mut c, |mem, _| {
            if !is_stdio(fd) {
                return Ok(EBADF);
            }
            let mut stat = [0u8; 64];
            stat[16] = 2; // filetype: character device
            write_bytes(mem, out, &stat)?;
            Ok(ESUCCESS)
        })
    })?;
    linker.func_wrap(
        m,
        "poll_oneoff",
        |mut c: Caller<'_, HostState>, subs: i32, events: i32, count: i32, out: i32| {
            with_memory(&mut c, |mem, state| poll_oneoff(mem, state, subs, events, count, out))
        },
    )?;
    linker.func_wrap(m, "sched_yield", |_: Caller<'_, HostState>| -> Result32 { Ok(ESUCCESS) })?;
    linker.func_wrap(m, "proc_exit", |_: Caller<'_, HostState>, code: i32| -> Result<(), Error> {
        Err(Error::i32_exit(code))
    })?;
    for &(name, params, errno) in STUBS {
        let ty = FuncType::new(params.iter().copied(), [I32]);
        linker.func_new(m, name, ty, move |_, _, results| {
            results[0] = Val::I32(errno);
            Ok(())
        })?;
    }
    Ok(())
}

/// Every subscription fires at once. A clock subscription advances the virtual clock to its deadline, so a guest
/// that sleeps sees the time it asked for pass, without the host waiting.
fn poll_oneoff(
    mem: &mut [u8],
    state: &mut HostState,
    subs: i32,
    events: i32,
    count: i32,
    out: i32,
) -> Result<i32, Fault> {
    const SUBSCRIPTION: u32 = 48;
    const EVENT: u32 = 32;
    if count <= 0 {
        return Ok(EINVAL);
    }
    for i in 0..count as u32 {
        let sub = slice(mem, (subs as u32).wrapping_add(i * SUBSCRIPTION) as i32, SUBSCRIPTION as usize)?;
        let userdata: [u8; 8] = sub[0..8].try_into().expect("8 bytes");
        let tag = sub[8];
        if tag == 0 {
            let timeout = u64::from_le_bytes(sub[24..32].try_into().expect("8 bytes"));
            let absolute = u16::from_le_bytes([sub[40], sub[41]]) & 1 == 1;
            let target = if absolute { timeout } else { state.clock_ns.saturating_add(timeout) };
            state.clock_ns = state.clock_ns.max(target);
        }
        let mut event = [0u8; EVENT as usize];
        event[0..8].copy_from_slice(&userdata);
        event[10] = tag;
        write_bytes(mem, (events as u32).wrapping_add(i * EVENT) as i32, &event)?;
    }
    write_bytes(mem, out, &(count as u32).to_le_bytes())?;
    Ok(ESUCCESS)
}
