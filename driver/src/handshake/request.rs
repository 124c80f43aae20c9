//! The client's opening handshake as an HTTP request (RFC 6455 section 4.1, read by the server in
//! section 4.2.1).
//!
//! > The handshake MUST be a valid HTTP request as specified by [RFC2616].
//! >
//! > The method of the request MUST be GET, and the HTTP version MUST be at least 1.1.
//!
//! [`Request`] is the seed's `env`: what a web framework knows about the request (method, target,
//! headers). [`parse_request`] reads it from raw bytes; [`Request::from_parts`] builds it from what
//! a framework already parsed.

use super::limits::{owned_headers, parse_bounded, MAX_HEADERS};
use super::write::push_header;
use super::{headers, HandshakeError};

/// An HTTP request head: the input of the server side of the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method, e.g. `GET`, as sent (methods are case-sensitive).
    pub method: String,
    /// The request target: path and query, e.g. `/chat?room=1`.
    pub target: String,
    /// The HTTP version as `(major, minor)`, e.g. `(1, 1)`.
    pub version: (u8, u8),
    /// The header fields in the order received, names as sent.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// Builds a request from the parts a web framework gives, as HTTP/1.1.
    ///
    /// ```
    /// use websocket_driver::handshake::Request;
    /// let request = Request::from_parts("GET", "/chat", [("Host", "example.com")]);
    /// assert_eq!(request.header("host"), Some("example.com"));
    /// ```
    pub fn from_parts<N, V>(
        method: impl Into<String>,
        target: impl Into<String>,
        headers: impl IntoIterator<Item = (N, V)>,
    ) -> Self
    where
        N: Into<String>,
        V: Into<String>,
    {
        Self {
            method: method.into(),
            target: target.into(),
            version: (1, 1),
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        }
    }

    /// The value of the first header named `name` (ignoring ASCII case), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        headers::header_value(&self.headers, name)
    }

    /// Whether the header named `name` lists `token`, ignoring ASCII case.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        headers::has_token(&self.headers, name, token)
    }

    /// Serializes the request head, ending with the empty line.
    ///
    /// The fields are written as they are; [`ClientHandshake`](super::ClientHandshake) checks
    /// them before it builds a request.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.target.as_bytes());
        out.extend_from_slice(
            format!(" HTTP/{}.{}\r\n", self.version.0, self.version.1).as_bytes(),
        );
        for (name, value) in &self.headers {
            push_header(&mut out, name, value);
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// Parses an HTTP/1.x request head from the start of `buf`.
///
/// Returns `Ok(None)` while the head is incomplete (nothing is consumed; call again with more
/// bytes), or the request and the length of its head. Bytes after the head are not part of the
/// handshake: a client may send its first frames right behind it, and they belong to the frame
/// stream. The head is bounded by [`MAX_HEADERS`] and [`MAX_HEAD_BYTES`](super::MAX_HEAD_BYTES).
///
/// This only parses; [`ServerHandshake::accept`](super::ServerHandshake::accept) checks the
/// WebSocket rules.
///
/// ```
/// use websocket_driver::handshake::parse_request;
/// let bytes = b"GET /chat HTTP/1.1\r\nHost: example.com\r\n\r\n\x81";
/// let (request, len) = parse_request(bytes).unwrap().unwrap();
/// assert_eq!((request.target.as_str(), &bytes[len..]), ("/chat", &b"\x81"[..]));
/// assert_eq!(parse_request(&bytes[..10]).unwrap(), None);
/// ```
pub fn parse_request(buf: &[u8]) -> Result<Option<(Request, usize)>, HandshakeError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut slots);
    let Some(len) = parse_bounded(buf, |window| parsed.parse(window))? else {
        return Ok(None);
    };
    // A complete parse fills all three; the let-else only keeps a surprise from panicking.
    let (Some(method), Some(target), Some(minor)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(HandshakeError::MalformedHttp("incomplete request line"));
    };
    let request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        version: (1, minor),
        headers: owned_headers(parsed.headers),
    };
    Ok(Some((request, len)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::MAX_HEAD_BYTES;

    #[test]
    fn parses_method_target_version_and_headers() {
        let bytes = b"GET /a?b=c HTTP/1.0\r\nHost: h\r\nX-Y:  z \r\n\r\nrest";
        let (request, len) = parse_request(bytes).unwrap().unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.target, "/a?b=c");
        assert_eq!(request.version, (1, 0));
        assert_eq!(request.header("x-y"), Some("z"));
        assert_eq!(&bytes[len..], b"rest");
    }

    #[test]
    fn non_utf8_header_values_are_kept_lossily() {
        let bytes = b"GET / HTTP/1.1\r\nCookie: a=\xe9\r\n\r\n";
        let (request, _) = parse_request(bytes).unwrap().unwrap();
        assert_eq!(request.header("cookie"), Some("a=\u{fffd}"));
    }

    #[test]
    fn malformed_request_line_is_an_error() {
        let error = parse_request(b"GET / HTTP/9.9\r\n\r\n").unwrap_err();
        assert_eq!(error, HandshakeError::MalformedHttp("invalid http version"));
        let error = parse_request(b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n").unwrap_err();
        assert_eq!(error, HandshakeError::MalformedHttp("invalid header name"));
    }

    #[test]
    fn header_count_is_bounded() {
        let mut head = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..MAX_HEADERS {
            head.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        let mut ok = head.clone();
        ok.extend_from_slice(b"\r\n");
        assert!(
            parse_request(&ok).unwrap().is_some(),
            "exactly the bound is fine"
        );
        head.extend_from_slice(b"X-last: v\r\n\r\n");
        assert_eq!(parse_request(&head), Err(HandshakeError::TooManyHeaders));
    }

    #[test]
    fn head_size_is_bounded_complete_or_not() {
        let mut head = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        head.resize(MAX_HEAD_BYTES - 4, b'a');
        head.extend_from_slice(b"\r\n\r\n");
        assert_eq!(head.len(), MAX_HEAD_BYTES);
        assert!(
            parse_request(&head).unwrap().is_some(),
            "exactly the bound is fine"
        );

        let mut big = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        big.resize(MAX_HEAD_BYTES, b'a');
        assert_eq!(parse_request(&big), Err(HandshakeError::HeadTooLarge));
        big.extend_from_slice(b"\r\n\r\n");
        assert_eq!(parse_request(&big), Err(HandshakeError::HeadTooLarge));
        // One byte less than the bound, still incomplete: wait for more.
        assert_eq!(parse_request(&big[..MAX_HEAD_BYTES - 1]), Ok(None));
    }

    #[test]
    fn to_bytes_round_trips() {
        let request = Request::from_parts("GET", "/x?y", [("Host", "h"), ("A", "b c")]);
        let bytes = request.to_bytes();
        assert_eq!(bytes, b"GET /x?y HTTP/1.1\r\nHost: h\r\nA: b c\r\n\r\n");
        let (parsed, len) = parse_request(&bytes).unwrap().unwrap();
        assert_eq!((parsed, len), (request, bytes.len()));
    }
}
