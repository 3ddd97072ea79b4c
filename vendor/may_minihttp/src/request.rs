use std::fmt;
use std::io::{self, BufRead, Read};
use std::mem::MaybeUninit;

// wasmshim patch: 16 headers is fewer than real clients and proxies send; more now get a 431 reply.
pub(crate) const MAX_HEADERS: usize = 64;

use bytes::{Buf, BufMut, BytesMut};

use crate::idle::Connection;


pub struct BodyReader<'buf, 'stream> {
    // remaining bytes for body
    req_buf: &'buf mut BytesMut,
    // the max body length limit
    body_limit: usize,
    // total read count
    total_read: usize,
    // used to read extra body bytes
    conn: &'stream mut Connection,
    // wasmshim patch: set when reading from the stream failed (e.g. timed out); the connection is closing, so
    // dropping the reader must not wait for the rest of the body again.
    failed: bool,
}

impl<'buf, 'stream> BodyReader<'buf, 'stream> {
    fn read_more_data(&mut self) -> io::Result<usize> {
        crate::http_server::reserve_buf(self.req_buf);
        let read_buf: &mut [u8] = unsafe { std::mem::transmute(self.req_buf.chunk_mut()) };
        let n = self.conn.read(read_buf).inspect_err(|_| self.failed = true)?;
        self.failed |= n == 0;
        unsafe { self.req_buf.advance_mut(n) };
        Ok(n)
    }
}

impl<'buf, 'stream> Read for BodyReader<'buf, 'stream> {
    // the user should control the body reading, don't exceeds the body!
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.total_read >= self.body_limit {
            return Ok(0);
        }

        loop {
            if !self.req_buf.is_empty() {
                let min_len = buf.len().min(self.body_limit - self.total_read);
                let n = self.req_buf.reader().read(&mut buf[..min_len])?;
                self.total_read += n;
                return Ok(n);
            }

            if self.read_more_data()? == 0 {
                return Ok(0);
            }
        }
    }
}

impl<'buf, 'stream> BufRead for BodyReader<'buf, 'stream> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let remain = self.body_limit - self.total_read;
        if remain == 0 {
            return Ok(&[]);
        }
        if self.req_buf.is_empty() {
            self.read_more_data()?;
        }
        let n = self.req_buf.len().min(remain);
        Ok(&self.req_buf.chunk()[0..n])
    }

    fn consume(&mut self, amt: usize) {
        assert!(amt <= self.body_limit - self.total_read);
        assert!(amt <= self.req_buf.len());
        self.total_read += amt;
        self.req_buf.advance(amt)
    }
}

impl<'buf, 'stream> Drop for BodyReader<'buf, 'stream> {
    fn drop(&mut self) {
        // consume all the remaining bytes
        while let Ok(n) = self.fill_buf().map(|b| b.len()) {
            if n == 0 || self.failed {
                break;
            }
            // println!("drop: {:?}", n);
            self.consume(n);
        }
    }
}

// we should hold the mut ref of req_buf
// before into body, this req_buf is only for holding headers
// after into body, this req_buf is mutable to read extra body bytes
// and the headers buf can be reused
pub struct Request<'buf, 'header, 'stream> {
    req: httparse::Request<'header, 'buf>,
    req_buf: &'buf mut BytesMut,
    conn: &'stream mut Connection,
}

impl<'buf, 'header, 'stream> Request<'buf, 'header, 'stream> {
    pub fn method(&self) -> &str {
        self.req.method.unwrap()
    }

    pub fn path(&self) -> &str {
        self.req.path.unwrap()
    }

    pub fn version(&self) -> u8 {
        self.req.version.unwrap()
    }

    pub fn headers(&self) -> &[httparse::Header<'_>] {
        self.req.headers
    }

    pub fn body(self) -> BodyReader<'buf, 'stream> {
        BodyReader {
            body_limit: self.content_length(),
            total_read: 0,
            failed: false,
            conn: self.conn,
            req_buf: self.req_buf,
        }
    }

    // wasmshim patch: a malformed Content-Length no longer panics (the service refuses it before reading).
    fn content_length(&self) -> usize {
        let mut len = 0;
        for header in self.req.headers.iter() {
            if header.name.eq_ignore_ascii_case("content-length") {
                len = std::str::from_utf8(header.value).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(0);
                break;
            }
        }
        len
    }

    /// wasmshim patch: true when the client waits for `100 Continue` before sending the body (curl does
    /// for bodies above 1 MiB, and waits a second when no interim reply comes).
    pub fn expects_continue(&self) -> bool {
        self.req.headers.iter().any(|h| h.name.eq_ignore_ascii_case("expect") && h.value.eq_ignore_ascii_case(b"100-continue"))
    }

    /// wasmshim patch: writes the replies already queued for earlier pipelined requests, then `100 Continue`.
    pub fn send_continue(&mut self, pending: &mut BytesMut) -> io::Result<()> {
        pending.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        self.conn.write_all(pending.chunk())?;
        pending.clear();
        Ok(())
    }

    /// wasmshim patch: true when the client asked to close the connection after this request
    /// (`Connection: close`, or HTTP/1.0 without `Connection: keep-alive`).
    pub fn wants_close(&self) -> bool {
        let connection = self.req.headers.iter().find(|h| h.name.eq_ignore_ascii_case("connection"));
        match connection.map(|h| h.value) {
            Some(v) if v.eq_ignore_ascii_case(b"close") => true,
            Some(v) if v.eq_ignore_ascii_case(b"keep-alive") => false,
            _ => self.version() == 0,
        }
    }
}

impl<'buf, 'header, 'stream> fmt::Debug for Request<'buf, 'header, 'stream> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "<HTTP Request {} {}>", self.method(), self.path())
    }
}

/// wasmshim patch: why a request could not be parsed, as the status line to answer before closing.
#[derive(Debug, Clone, Copy)]
pub struct BadRequest(pub &'static str);

pub fn decode<'header, 'buf, 'stream>(
    headers: &'header mut [MaybeUninit<httparse::Header<'buf>>; MAX_HEADERS],
    req_buf: &'buf mut BytesMut,
    conn: &'stream mut Connection,
    max_head_bytes: usize,
) -> Result<Option<Request<'buf, 'header, 'stream>>, BadRequest> {
    let mut req = httparse::Request::new(&mut []);
    // safety: don't hold the reference of req_buf
    // so we can transfer the mutable reference to Request
    let buf: &[u8] = unsafe { std::mem::transmute(req_buf.chunk()) };
    let status = match req.parse_with_uninit_headers(buf, headers) {
        Ok(s) => s,
        Err(httparse::Error::TooManyHeaders) => return Err(BadRequest("431 Request Header Fields Too Large")),
        Err(_) => return Err(BadRequest("400 Bad Request")),
    };

    let len = match status {
        // wasmshim patch: the head cap applies however the bytes arrived.
        httparse::Status::Complete(amt) if amt > max_head_bytes => {
            return Err(BadRequest("431 Request Header Fields Too Large"))
        }
        httparse::Status::Complete(amt) => amt,
        httparse::Status::Partial => return Ok(None),
    };
    req_buf.advance(len);

    // println!("req: {:?}", std::str::from_utf8(req_buf).unwrap());
    Ok(Some(Request {
        req,
        req_buf,
        conn,
    }))
}
