//! wasmshim patch: closes connections that make no progress (nothing sent between requests, a request head or a
//! body that stalls, a reply the client does not read) from one sweeper thread per server, instead of a may
//! I/O timer per read.
//!
//! Why: may cannot unlink the newest node of a timer list, so almost every read that waited for the client left
//! its timer node allocated for a whole idle timeout. At 20,000 requests/s and a 60 s timeout that is ~4 MB
//! (+50% of the server's resident size) that only levels off after a minute. Here a read or write costs two
//! atomic stores; the sweeper wakes a few times per timeout, and shuts down the socket of a connection whose
//! deadline has passed, which wakes its coroutine with an end of file or an error.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use may::net::TcpStream;

/// A deadline value meaning "not waiting for the client".
const IDLE: u64 = u64::MAX;
/// A deadline value meaning "the sweeper closed this connection".
const FIRED: u64 = u64::MAX - 1;

/// What the sweeper and the connections share.
struct Watched {
    /// Deadlines are milliseconds since this instant.
    clock: Instant,
    /// Every open connection: its socket and its deadline. A connection leaves this map before its socket is
    /// closed, and the sweeper only shuts sockets down while holding the lock, so a descriptor number reused by
    /// a newer connection is never touched.
    connections: Mutex<HashMap<u64, (RawFd, Arc<AtomicU64>)>>,
    next_id: AtomicU64,
}

impl Watched {
    fn millis(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.clock).as_millis()).unwrap_or(FIRED - 1).min(FIRED - 1)
    }

    /// Shuts down every connection whose deadline has passed.
    fn sweep(&self) {
        let now = self.millis(Instant::now());
        let connections = self.connections.lock().unwrap_or_else(PoisonError::into_inner);
        for (fd, deadline) in connections.values() {
            let due = deadline.load(Ordering::Acquire);
            if due > now || due >= FIRED {
                continue;
            }
            if deadline.compare_exchange(due, FIRED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                // SAFETY: shutdown(2) reads no memory; `fd` is still this connection's socket because the
                // connection removes itself from the map, under this lock, before it closes the socket.
                unsafe { libc::shutdown(*fd, libc::SHUT_RDWR) };
            }
        }
    }
}

/// Owned by the accept loop: registers each new connection with the sweeper thread.
pub(crate) struct Sweeper {
    watched: Arc<Watched>,
    idle_timeout: Duration,
}

impl Sweeper {
    /// Starts the sweeper thread. It checks every quarter of the idle timeout (at most every second, at least
    /// every 10 ms), so a connection is closed between one and 1.25 idle timeouts after its deadline was set,
    /// and it ends once the server and all its connections are gone.
    pub(crate) fn start(idle_timeout: Duration) -> io::Result<Sweeper> {
        let watched = Arc::new(Watched {
            clock: Instant::now(),
            connections: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        });
        let tick = (idle_timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
        let weak: Weak<Watched> = Arc::downgrade(&watched);
        std::thread::Builder::new().name("idle-sweeper".to_owned()).spawn(move || loop {
            std::thread::sleep(tick);
            match weak.upgrade() {
                Some(watched) => watched.sweep(),
                None => return,
            }
        })?;
        Ok(Sweeper { watched, idle_timeout })
    }

    /// Wraps a newly accepted socket.
    pub(crate) fn connection(&self, stream: TcpStream) -> Connection {
        let id = self.watched.next_id.fetch_add(1, Ordering::Relaxed);
        let deadline = Arc::new(AtomicU64::new(IDLE));
        let entry = (stream.as_raw_fd(), Arc::clone(&deadline));
        self.watched.connections.lock().unwrap_or_else(PoisonError::into_inner).insert(id, entry);
        let watch = Watch { watched: Arc::clone(&self.watched), id, deadline };
        Connection { watch, stream, idle_timeout: self.idle_timeout }
    }
}

/// One connection's entry in the sweeper's map; removing it on drop is what makes the shutdown safe.
struct Watch {
    watched: Arc<Watched>,
    id: u64,
    deadline: Arc<AtomicU64>,
}

impl Watch {
    /// Runs `io` with `deadline` armed: if the sweeper fires first, the socket is shut down (which ends `io`)
    /// and the result is a `TimedOut` error, whatever `io` returned.
    fn until<T>(&self, deadline: Instant, io: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
        self.deadline.store(self.watched.millis(deadline), Ordering::Release);
        let result = io();
        if self.deadline.swap(IDLE, Ordering::AcqRel) == FIRED {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "no progress within the idle timeout"));
        }
        result
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.watched.connections.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.id);
    }
}

/// A client connection: the socket, and the watch that closes it when it stops making progress.
pub(crate) struct Connection {
    // Declared before `stream`: the watch leaves the sweeper's map before the socket is closed.
    watch: Watch,
    stream: TcpStream,
    idle_timeout: Duration,
}

impl Connection {
    /// Reads what the client has sent, waiting at most one idle timeout.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_until(buf, Instant::now() + self.idle_timeout)
    }

    /// Reads what the client has sent, waiting at most until `deadline`.
    pub(crate) fn read_until(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        let stream = &mut self.stream;
        self.watch.until(deadline, || stream.read(buf))
    }

    /// Writes all of `bytes`, waiting at most one idle timeout for the client to take them.
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stream = &mut self.stream;
        self.watch.until(Instant::now() + self.idle_timeout, || stream.write_all(bytes))
    }

    /// Closes both directions at once (the reply, if any, has been written).
    pub(crate) fn shutdown(&self) {
        self.stream.shutdown(std::net::Shutdown::Both).ok();
    }
}
