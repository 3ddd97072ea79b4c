//! The listening socket: bound exclusively, and stoppable at shutdown.
//!
//! may's own `TcpListener::bind` sets `SO_REUSEPORT`, so a second server on a busy port would start and the
//! kernel would split connections between the two. Binding with std (no `SO_REUSEPORT`) makes a busy port an
//! error at startup, as an operator expects.

use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};

/// Binds `address` without `SO_REUSEPORT` and hands the socket to may.
pub fn bind_exclusive(address: &str) -> std::io::Result<may::net::TcpListener> {
    let listener = std::net::TcpListener::bind(address)?;
    // SAFETY: `into_raw_fd` gives up ownership of a valid listening socket, and may takes it over.
    Ok(unsafe { may::net::TcpListener::from_raw_fd(listener.into_raw_fd()) })
}

/// A handle to stop a listening socket accepting connections.
pub struct Listener {
    fd: RawFd,
}

impl Listener {
    /// Remembers the listening socket of `listener`, which must outlive the server.
    pub fn of(listener: &may::net::TcpListener) -> Self {
        Self { fd: listener.as_raw_fd() }
    }

    /// Shuts the listening socket down: the accept loop ends and new connections are refused.
    pub fn stop(&self) {
        // SAFETY: shutdown(2) on a descriptor number has no memory effects; at worst it fails with EBADF.
        unsafe {
            libc::shutdown(self.fd, libc::SHUT_RDWR);
        }
    }
}
