//! HTTP/1.1 as SBI uses it: custom methods, one request per connection, the server closes.
//! Both ends read with a byte limit and an overall deadline, so a peer that drips, never stops
//! or sends a gigabyte costs the kit at most the call's time and the call's memory.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The most header bytes either side reads.
pub const MAX_HEAD: usize = 16 << 10;

/// Why an exchange failed (the caller adds the port and the call's name).
#[derive(Debug, PartialEq, Eq)]
pub enum HttpError {
    /// Connecting or writing failed.
    Connect(String),
    /// The deadline passed.
    Timeout,
    /// Not HTTP, or a bad status line or header.
    Malformed(String),
    /// More bytes than allowed.
    TooLarge,
}

/// An answer: status code and body.
#[derive(Debug)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// A request as the server reads it.
#[derive(Debug)]
pub struct Request {
    /// The method (the SBI verb).
    pub method: String,
    /// The path.
    pub path: String,
    /// The body.
    pub body: Vec<u8>,
}

struct Head {
    first_line: String,
    content_length: Option<usize>,
    rest: Vec<u8>,
}

fn read_until(stream: &mut TcpStream, buf: &mut Vec<u8>, deadline: Instant) -> Result<usize, HttpError> {
    let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()).ok_or(HttpError::Timeout)?;
    stream.set_read_timeout(Some(left)).map_err(|e| HttpError::Connect(e.to_string()))?;
    let mut chunk = [0u8; 16 << 10];
    match stream.read(&mut chunk) {
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(n)
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => Err(HttpError::Timeout),
        Err(e) if e.kind() == ErrorKind::Interrupted => Ok(1),
        Err(e) => Err(HttpError::Connect(e.to_string())),
    }
}

fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Head, HttpError> {
    let mut buf = Vec::new();
    let end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buf.len() > MAX_HEAD {
            return Err(HttpError::Malformed("headers longer than 16 KB".into()));
        }
        if read_until(stream, &mut buf, deadline)? == 0 {
            return Err(HttpError::Malformed("the connection closed before the headers ended".into()));
        }
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| HttpError::Malformed("headers are not text".into()))?;
    let mut lines = head.split("\r\n");
    let first_line = lines.next().unwrap_or_default().to_string();
    let mut content_length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let n =
                value.trim().parse().map_err(|_| HttpError::Malformed(format!("Content-Length {:?}", value.trim())))?;
            content_length = Some(n);
        }
    }
    Ok(Head { first_line, content_length, rest: buf[end + 4..].to_vec() })
}

fn read_body(stream: &mut TcpStream, head: Head, limit: usize, deadline: Instant) -> Result<Vec<u8>, HttpError> {
    let mut body = head.rest;
    match head.content_length {
        Some(n) if n > limit => Err(HttpError::TooLarge),
        Some(n) => {
            while body.len() < n {
                if read_until(stream, &mut body, deadline)? == 0 {
                    return Err(HttpError::Malformed(format!("the body ended after {} of {n} bytes", body.len())));
                }
            }
            body.truncate(n);
            Ok(body)
        }
        // No length: the body runs to the close (one request a connection).
        None => loop {
            if body.len() > limit {
                return Err(HttpError::TooLarge);
            }
            if read_until(stream, &mut body, deadline)? == 0 {
                return Ok(body);
            }
        },
    }
}

/// Sends one request to `addr` and reads the answer, all within `timeout`.
pub fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &[u8],
    timeout: Duration,
    limit: usize,
) -> Result<Response, HttpError> {
    let deadline = Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| match e.kind() {
        ErrorKind::TimedOut => HttpError::Timeout,
        _ => HttpError::Connect(e.to_string()),
    })?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| HttpError::Connect(e.to_string()))?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nEXT: enroll-kit\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| HttpError::Connect(e.to_string()))?;
    let head = read_head(&mut stream, deadline)?;
    let mut parts = head.first_line.split_whitespace();
    let (version, status) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Malformed(format!(
            "not an HTTP answer: {:?}",
            head.first_line.chars().take(40).collect::<String>()
        )));
    }
    let status = status.parse().map_err(|_| HttpError::Malformed(format!("status {status:?}")))?;
    let body = read_body(&mut stream, head, limit, deadline)?;
    Ok(Response { status, body })
}

/// Reads one request (the simulator's side), within `timeout` and `limit` body bytes.
pub fn read_request(stream: &mut TcpStream, timeout: Duration, limit: usize) -> Result<Request, HttpError> {
    let deadline = Instant::now() + timeout;
    let mut head = read_head(stream, deadline)?;
    let mut parts = head.first_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or("/").to_string();
    if head.content_length.is_none() {
        head.content_length = Some(0); // a client that sends no length sends no body
    }
    let body = read_body(stream, head, limit, deadline)?;
    Ok(Request { method, path, body })
}

/// Writes an answer as SBI services do, then the connection closes.
pub fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nCACHE-CONTROL:no-cache\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Error" },
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}
