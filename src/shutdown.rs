//! Graceful shutdown: SIGTERM and SIGINT are blocked in every thread and collected by `sigwait` on the main
//! thread, so no code runs inside a signal handler. On a signal the server stops accepting
//! ([`crate::listener::Listener::stop`]) while requests in flight finish.
//!
//! `unsafe` here: the standard library has no signal API, and these are plain POSIX calls on values owned
//! here.

/// SIGTERM and SIGINT, blocked for the whole process until [`Signals::wait`] takes one.
pub struct Signals {
    set: libc::sigset_t,
}

/// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards. Call it first thing
/// in `main`, before any thread exists.
pub fn block_termination_signals() -> Signals {
    // SAFETY: sigemptyset/sigaddset initialise a sigset_t we own; pthread_sigmask only changes this thread's
    // signal mask. None of them can fail with these arguments.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        Signals { set }
    }
}

impl Signals {
    /// Waits until SIGTERM or SIGINT arrives and names it.
    pub fn wait(&self) -> &'static str {
        let mut signal: libc::c_int = 0;
        loop {
            // SAFETY: `set` is initialised and `signal` is a valid out-pointer.
            if unsafe { libc::sigwait(&self.set, &mut signal) } == 0 {
                return if signal == libc::SIGINT { "SIGINT" } else { "SIGTERM" };
            }
        }
    }
}
