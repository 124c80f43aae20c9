//! The server's opening handshake as an HTTP response (RFC 6455 section 4.2.2, read by the client
//! in section 4.1).
//!
//! > If the status code received from the server is not 101, the client handles the response per
//! > HTTP [RFC2616] procedures.
//!
//! [`Response`] is the parsed head; [`ClientHandshake::parse_response`](super::ClientHandshake::parse_response)
//! is where it is checked against the rules.

use super::limits::{owned_headers, parse_bounded, MAX_HEADERS};
use super::{headers, HandshakeError};

/// An HTTP response head, as received by the client side of the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code, `101` once verified.
    pub status: u16,
    /// The reason phrase, e.g. `Switching Protocols` (informational only).
    pub reason: String,
    /// The HTTP version as `(major, minor)`.
    pub version: (u8, u8),
    /// The header fields in the order received, names as sent.
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// The value of the first header named `name` (ignoring ASCII case), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        headers::header_value(&self.headers, name)
    }

    /// The subprotocol the server chose (`Sec-WebSocket-Protocol`), if any.
    pub fn protocol(&self) -> Option<&str> {
        self.header("Sec-WebSocket-Protocol")
            .filter(|protocol| !protocol.is_empty())
    }

    /// The extensions the server accepted (`Sec-WebSocket-Extensions`), one element each with its
    /// parameters, e.g. `permessage-deflate; server_no_context_takeover`.
    pub fn extensions(&self) -> Vec<&str> {
        headers::list_values(&self.headers, "Sec-WebSocket-Extensions").collect()
    }
}

/// Parses an HTTP/1.x response head; `Ok(None)` while incomplete, else the response and its length.
pub(super) fn parse_response_head(buf: &[u8]) -> Result<Option<(Response, usize)>, HandshakeError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut slots);
    let Some(len) = parse_bounded(buf, |window| parsed.parse(window))? else {
        return Ok(None);
    };
    // A complete parse fills the status line; the let-else only keeps a surprise from panicking.
    let (Some(minor), Some(status)) = (parsed.version, parsed.code) else {
        return Err(HandshakeError::MalformedHttp("incomplete status line"));
    };
    let response = Response {
        status,
        reason: parsed.reason.unwrap_or_default().to_owned(),
        version: (1, minor),
        headers: owned_headers(parsed.headers),
    };
    Ok(Some((response, len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_line_and_headers() {
        let bytes = b"HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Protocol: chat\r\n\
            Sec-WebSocket-Extensions: a; x=1, b\r\n\r\n\x81\x00";
        let (response, len) = parse_response_head(bytes).unwrap().unwrap();
        assert_eq!(response.status, 101);
        assert_eq!(response.reason, "Switching Protocols");
        assert_eq!(response.version, (1, 1));
        assert_eq!(response.protocol(), Some("chat"));
        assert_eq!(response.extensions(), ["a; x=1", "b"]);
        assert_eq!(&bytes[len..], b"\x81\x00");
    }

    #[test]
    fn incomplete_and_malformed() {
        assert_eq!(parse_response_head(b"HTTP/1.1 101 Swi"), Ok(None));
        assert_eq!(
            parse_response_head(b"HTTP/1.1 1x1 OK\r\n\r\n"),
            Err(HandshakeError::MalformedHttp("invalid status code"))
        );
    }
}
