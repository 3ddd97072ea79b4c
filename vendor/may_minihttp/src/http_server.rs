//! http server implementation on top of `MAY`
//!
//! wasmshim patch: the connection loop is rewritten to close idle and slow connections, cap the size of a
//! request head, answer unparseable requests with 400/431 before closing, honour `Connection: close` and
//! HTTP/1.0, and let the service close the connection. The windows loop and the service-factory entry point
//! are removed (wasmshim uses neither). Timeouts come from the sweeper in `idle.rs`, not from may.

use std::io;
use std::mem::MaybeUninit;
use std::net::ToSocketAddrs;
use std::time::{Duration, Instant};

use crate::idle::{Connection, Sweeper};
use crate::request;
use crate::response::{self, Response};

use bytes::{Buf, BufMut, BytesMut};
use may::net::TcpListener;
use may::{coroutine, go};

/// the http service trait
/// user code should supply a type that impl the `call` method for the http server
///
pub trait HttpService {
    fn call(&mut self, req: request::Request, rsp: &mut Response) -> io::Result<()>;
}

/// wasmshim patch: per-connection limits.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Close a connection that sends nothing for this long, takes this long to send a request head, or stalls
    /// this long in a body or in reading a reply.
    pub idle_timeout: Duration,
    /// Largest request head (request line and headers) accepted; larger gets 431 and a close.
    pub max_head_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { idle_timeout: Duration::from_secs(60), max_head_bytes: 64 * 1024 }
    }
}

/// wasmshim patch: 4 KiB instead of 32 KiB. Each connection starts with two such buffers; at 32 KiB the churn
/// of connections fragmented the workers' malloc arenas (+1.5 MB over a million requests in the soak test), at
/// 4 KiB the resident size stays flat. Larger requests and replies grow the buffers as before.
const BUF_LEN: usize = 4096;
#[inline]
pub(crate) fn reserve_buf(buf: &mut BytesMut) {
    let rem = buf.capacity() - buf.len();
    if rem < 1024 {
        buf.reserve(BUF_LEN - rem);
    }
}

/// this is the generic type http server
/// with a type parameter that impl `HttpService` trait
///
pub struct HttpServer<T>(pub T);

fn each_connection_loop<T: HttpService>(
    conn: &mut Connection,
    mut service: T,
    limits: ConnectionLimits,
) -> io::Result<()> {
    let mut req_buf = BytesMut::with_capacity(BUF_LEN);
    let mut rsp_buf = BytesMut::with_capacity(BUF_LEN);
    let mut body_buf = BytesMut::with_capacity(4096);
    // When the first byte of a still incomplete request head arrived.
    let mut head_started: Option<Instant> = None;

    loop {
        // Serve every complete request already buffered (pipelining), then write all the replies at once.
        let mut close = false;
        loop {
            let mut headers = [MaybeUninit::uninit(); request::MAX_HEADERS];
            let req = match request::decode(&mut headers, &mut req_buf, conn, limits.max_head_bytes) {
                Ok(Some(req)) => req,
                Ok(None) => break,
                Err(request::BadRequest(status)) => {
                    response::encode_bad_request(status, &mut rsp_buf);
                    close = true;
                    break;
                }
            };
            let client_closes = req.wants_close();
            let head_only = req.method() == "HEAD";
            let mut req = req;
            if req.expects_continue() {
                req.send_continue(&mut rsp_buf)?;
            }
            reserve_buf(&mut rsp_buf);
            let mut rsp = Response::new(&mut body_buf);
            if client_closes {
                rsp.close_connection();
            }
            match service.call(req, &mut rsp) {
                Ok(()) => {
                    close = rsp.closes();
                    response::encode(rsp, &mut rsp_buf, head_only);
                }
                Err(e) => {
                    // The service fails only when the connection does (a body that stalls or stops short):
                    // nobody is left to read a reply.
                    debug!("closing the connection: {e}");
                    close = true;
                }
            }
            if close {
                break;
            }
        }
        if !rsp_buf.is_empty() {
            conn.write_all(rsp_buf.chunk())?;
            rsp_buf.clear();
        }
        if close {
            conn.shutdown();
            return Ok(());
        }

        // What is left is the start of the next request head: bound its size and the time it may take.
        let deadline = if req_buf.is_empty() {
            head_started = None;
            Instant::now() + limits.idle_timeout
        } else {
            if req_buf.len() > limits.max_head_bytes {
                response::encode_bad_request("431 Request Header Fields Too Large", &mut rsp_buf);
                conn.write_all(rsp_buf.chunk()).ok();
                conn.shutdown();
                return Ok(());
            }
            let deadline = *head_started.get_or_insert_with(Instant::now) + limits.idle_timeout;
            if deadline <= Instant::now() {
                return Ok(());
            }
            deadline
        };
        reserve_buf(&mut req_buf);
        let read_buf: &mut [u8] = unsafe { std::mem::transmute(req_buf.chunk_mut()) };
        match conn.read_until(read_buf, deadline) {
            Ok(0) => return Ok(()),
            Ok(n) => unsafe { req_buf.advance_mut(n) },
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

impl<T: HttpService + Clone + Send + Sync + 'static> HttpServer<T> {
    /// Spawns the server on a new coroutine
    pub fn start<L: ToSocketAddrs>(self, addr: L) -> io::Result<coroutine::JoinHandle<()>> {
        self.start_on(TcpListener::bind(addr)?, ConnectionLimits::default())
    }

    /// wasmshim patch: serves on an already bound listener with explicit per-connection limits. The accept
    /// loop ends when the listening socket is shut down (how wasmshim stops accepting at SIGTERM).
    pub fn start_on(self, listener: TcpListener, limits: ConnectionLimits) -> io::Result<coroutine::JoinHandle<()>> {
        let service = self.0;
        let sweeper = Sweeper::start(limits.idle_timeout)?;
        go!(
            coroutine::Builder::new().name("TcpServer".to_owned()),
            move || {
                for stream in listener.incoming() {
                    let stream = match stream {
                        Ok(stream) => stream,
                        Err(e) if e.kind() == io::ErrorKind::InvalidInput => break,
                        Err(e) => {
                            error!("accept failed: {e}");
                            continue;
                        }
                    };
                    let service = service.clone();
                    let mut conn = sweeper.connection(stream);
                    go!(move || if let Err(e) = each_connection_loop(&mut conn, service, limits) {
                        debug!("connection closed: {e}");
                        conn.shutdown();
                    });
                }
            }
        )
    }
}
