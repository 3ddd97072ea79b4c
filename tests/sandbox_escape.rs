//! The sandbox (issue 6, part 3): a guest that tries every way out that wasi_snapshot_preview1 offers
//! (tests/fixtures/escape.wat), against the real server. Every attempt must get its exact WASI error number and
//! have no effect on the host: the file the host made stays unread and unchanged, no file or directory appears,
//! only the allow-listed environment variable is visible, the clock is virtual and the random bytes are the same
//! on every request and in every process.

mod common;

use common::{fixture_module, Server};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// The WASI preview 1 error numbers, written out here rather than taken from src/sandbox/wasi.rs: a test that
// borrowed the implementation's constants would pass however wrong they were.
const ESUCCESS: u64 = 0;
const EBADF: u64 = 8;
const EFAULT: u64 = 21;
const EINVAL: u64 = 28;
const ENOSYS: u64 = 52;
const ESPIPE: u64 = 70;

/// The content of the host file the guest tries to read.
const HOST_SECRET: &str = "TOP-SECRET-HOST-FILE-CONTENT";
/// What the guest tries to create relative to the server's working directory.
const RELATIVE_PROBE: &str = "escape-probe-created";

/// Every call escape.wat makes, in its order, with the error number it must get.
fn expected_errnos() -> Vec<(String, u64)> {
    let mut expected = Vec::new();
    let mut push = |what: String, errno: u64| expected.push((what, errno));
    for fd in 0..=10 {
        push(format!("path_open(fd {fd}, the host's file)"), EBADF);
    }
    for fd in 0..=10 {
        push(format!("path_open(fd {fd}, a new file, O_CREAT|O_EXCL)"), EBADF);
    }
    push(format!("path_open(fd 3, {RELATIVE_PROBE}, O_CREAT)"), EBADF);
    for fd in 0..=10 {
        push(format!("fd_readdir(fd {fd})"), EBADF);
    }
    for fd in 0..=10 {
        push(format!("fd_prestat_get(fd {fd}): no preopened directory"), EBADF);
    }
    push("fd_prestat_dir_name(fd 3)".into(), EBADF);
    for fd in 0..=10 {
        push(format!("sock_accept(fd {fd})"), EBADF);
        push(format!("sock_recv(fd {fd})"), EBADF);
        push(format!("sock_send(fd {fd})"), EBADF);
    }
    push("sock_shutdown(fd 3)".into(), EBADF);
    push("fd_write(fd 0)".into(), EBADF);
    for fd in 3..=10 {
        push(format!("fd_write(fd {fd})"), EBADF);
    }
    for fd in 3..=10 {
        push(format!("fd_read(fd {fd})"), EBADF);
        push(format!("fd_pread(fd {fd})"), EBADF);
    }
    for call in [
        "path_filestat_get",
        "path_create_directory",
        "path_unlink_file",
        "path_remove_directory",
        "path_rename",
        "path_symlink",
        "path_link",
        "path_readlink",
    ] {
        push(format!("{call}(fd 3)"), EBADF);
    }
    for call in [
        "fd_close",
        "fd_seek",
        "fd_fdstat_get",
        "fd_filestat_get",
        "fd_fdstat_set_flags",
        "fd_pwrite",
        "fd_tell",
        "fd_sync",
        "fd_datasync",
        "fd_allocate",
        "fd_advise",
        "fd_filestat_set_size",
        "fd_filestat_set_times",
        "fd_fdstat_set_rights",
    ] {
        push(format!("{call}(fd 3)"), EBADF);
    }
    push("fd_renumber(1 -> 3)".into(), EBADF);
    push("fd_renumber(3 -> 1)".into(), EBADF);
    push("fd_write(fd 3) after the renumbering attempts".into(), EBADF);
    push("proc_raise(SIGKILL)".into(), ENOSYS);
    push("clock_time_get(clock 4)".into(), EINVAL);
    push("clock_res_get(clock 7)".into(), EINVAL);
    push("clock_time_get(out of memory)".into(), EFAULT);
    push("random_get(past the end of memory)".into(), EFAULT);
    push("fd_write(fd 1, an iovec past the end of memory)".into(), EFAULT);
    push("fd_seek(fd 1)".into(), ESPIPE);
    push("fd_fdstat_get(fd 1)".into(), ESUCCESS);
    push("fd_write(fd 1)".into(), ESUCCESS);
    push("random_get".into(), ESUCCESS);
    push("environ_sizes_get".into(), ESUCCESS);
    push("environ_get".into(), ESUCCESS);
    push("args_sizes_get".into(), ESUCCESS);
    expected
}

/// A fresh directory holding one file with [`HOST_SECRET`] in it.
struct HostFiles {
    dir: PathBuf,
    secret: PathBuf,
    forbidden: PathBuf,
}

impl HostFiles {
    fn new() -> HostFiles {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("wasmshim-escape-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("secret.txt");
        std::fs::write(&secret, HOST_SECRET).unwrap();
        HostFiles { forbidden: dir.join("created-by-guest"), dir, secret }
    }

    /// The directory holds exactly the one file, unchanged.
    #[track_caller]
    fn assert_untouched(&self) {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["secret.txt"], "the guest changed {}", self.dir.display());
        assert_eq!(std::fs::read_to_string(&self.secret).unwrap(), HOST_SECRET);
        assert!(!self.forbidden.exists());
        let relative = Path::new(env!("CARGO_MANIFEST_DIR")).join(RELATIVE_PROBE);
        assert!(!relative.exists(), "the guest created {}", relative.display());
    }
}

impl Drop for HostFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn escape_server(env: &[(&str, &str)]) -> Server {
    let module = fixture_module("escape.wat");
    let mut all = vec![("FUNCTION_WASM_MODULE", module.as_str()), ("FUNCTION_MAX_PROCS", "2")];
    all.extend_from_slice(env);
    Server::start(&all)
}

/// One probe: the guest's whole report, after checking everything that must hold for every probe.
#[track_caller]
fn probe(server: &Server, files: &HostFiles) -> Value {
    let body = json!({"response": files.secret, "answer": files.forbidden}).to_string();
    let started = Instant::now();
    let reply = server.post("/", &[], body.as_bytes());
    let took = started.elapsed();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(!reply.text().contains(HOST_SECRET), "the guest read the host's file: {}", reply.text());
    let report = reply.json()["result"].clone();
    assert_eq!(report["is_correct"], true);
    assert_eq!(report["feedback"], "probe");

    let errnos: Vec<u64> = report["errno"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    let expected = expected_errnos();
    assert_eq!(errnos.len(), expected.len(), "one result per call: {errnos:?}");
    let wrong: Vec<String> = expected
        .iter()
        .zip(&errnos)
        .filter(|((_, want), got)| want != *got)
        .map(|((what, want), got)| format!("{what}: expected errno {want}, got {got}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");

    // Nothing any read could have put in the buffer: it is all zeros.
    assert_eq!(report["read"], "00".repeat(256));
    assert_eq!(report["args"], json!([0, 0]));
    assert_eq!(report["stdin_bytes"], 0);

    // The virtual clock: four reads of four clocks, strictly increasing, nowhere near the real time.
    let clock: Vec<u64> = report["clock"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    assert_eq!(clock.len(), 8);
    assert!(clock[..4].windows(2).all(|w| w[0] < w[1]), "monotonic: {clock:?}");
    assert!(clock[4..].iter().all(|&res| res == clock[4] && res > 0), "one resolution: {clock:?}");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
    let day = 86_400_000_000_000;
    assert!(now.abs_diff(clock[0]) > day, "clock_time_get(realtime) is the real time: {} vs {now}", clock[0]);
    // A 1 s sleep through poll_oneoff: the virtual clock jumps by a second, the host does not wait.
    let slept = report["slept_until"].as_array().unwrap();
    assert_eq!(slept[0], ESUCCESS, "poll_oneoff");
    assert_eq!(slept[1], 1, "one event");
    assert!(slept[2].as_u64().unwrap() >= clock[3] + 1_000_000_000, "{slept:?} after {clock:?}");
    assert!(took < Duration::from_millis(900), "the probe took {took:?}: a guest sleep must not block the host");

    let random = report["random"].as_str().unwrap();
    assert_eq!(random.len(), 64);
    assert_ne!(random, "0".repeat(64));

    files.assert_untouched();
    report
}

#[test]
fn every_escape_gets_its_wasi_error_and_leaves_no_trace_on_the_host() {
    let env = [
        ("WASMSHIM_PROBE_ALLOWED", "visible value"),
        ("WASMSHIM_PROBE_SECRET", "hidden value"),
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("HOME", "/root"),
        ("FUNCTION_WASM_ALLOWED_ENV", "WASMSHIM_PROBE_ALLOWED, WASMSHIM_PROBE_UNSET"),
    ];
    let mut server = escape_server(&env);
    let files = HostFiles::new();
    let first = probe(&server, &files);
    // Exactly the allow-listed variable that is set; nothing else of the server's environment.
    assert_eq!(first["environ"], json!(["WASMSHIM_PROBE_ALLOWED=visible value"]));
    // The same on every request, on both instances of the pool: clock, random bytes, everything.
    for _ in 0..4 {
        assert_eq!(probe(&server, &files), first);
    }
    // stdout is captured into the log, and nothing else the guest did is.
    let log = server.log_text();
    assert!(log.contains("guest_output=\"hello\""), "{log}");
    assert!(!log.contains(HOST_SECRET) && !log.contains("hidden value"), "{log}");
    assert!(server.alive());

    // Another process without the allow-list: no environment at all, the same clock and the same random bytes.
    let other = escape_server(&[("WASMSHIM_PROBE_ALLOWED", "visible value")]);
    let second = probe(&other, &files);
    assert_eq!(second["environ"], json!([]));
    assert_eq!(second["clock"], first["clock"]);
    assert_eq!(second["slept_until"], first["slept_until"]);
    assert_eq!(second["random"], first["random"]);
    files.assert_untouched();
}
