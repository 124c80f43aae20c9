//! Refusing an opening handshake (RFC 6455 section 4.2.1 and 4.4).
//!
//! > If the server, while reading the handshake, finds that the client did not send a handshake
//! > that matches the description below [...], the server MUST stop processing the client's
//! > handshake and return an HTTP response with an appropriate error code (such as 400 Bad
//! > Request).
//!
//! and, for the version (section 4.4):
//!
//! > If this version does not match a version understood by the server, the server MUST abort the
//! > WebSocket handshake described in this section and instead send an appropriate HTTP error code
//! > (such as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the
//! > version(s) the server is capable of understanding.

use std::fmt;

use super::write::push_header;
use super::VERSION;

/// The rule of section 4.2.1 that an upgrade request breaks, one variant per rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// "The method of the request MUST be GET".
    MethodNotGet,
    /// "the HTTP version MUST be at least 1.1".
    HttpVersionTooOld,
    /// "The request MUST contain a |Host| header field".
    MissingHost,
    /// "The request MUST contain an |Upgrade| header field whose value MUST include the
    /// "websocket" keyword."
    UpgradeNotWebsocket,
    /// "The request MUST contain a |Connection| header field whose value MUST include the
    /// "Upgrade" token."
    ConnectionNotUpgrade,
    /// "The request MUST include a header field with the name |Sec-WebSocket-Key|."
    MissingKey,
    /// The key is not the base64 of 16 bytes, or is sent more than once.
    InvalidKey,
    /// "The request MUST include a header field with the name |Sec-WebSocket-Version|."
    MissingVersion,
    /// "The value of this header field MUST be 13."
    UnsupportedVersion,
}

impl RefusalReason {
    /// The HTTP status to answer with: `426 Upgrade Required` when the protocol version is
    /// missing or not 13 (so the client learns which one we speak), else `400 Bad Request`.
    pub fn status(self) -> u16 {
        match self {
            Self::MissingVersion | Self::UnsupportedVersion => 426,
            _ => 400,
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MethodNotGet => "method is not get",
            Self::HttpVersionTooOld => "http version is older than 1.1",
            Self::MissingHost => "missing host header",
            Self::UpgradeNotWebsocket => "upgrade header does not contain websocket",
            Self::ConnectionNotUpgrade => "connection header does not contain upgrade",
            Self::MissingKey => "missing sec-websocket-key",
            Self::InvalidKey => "sec-websocket-key is not 16 bytes in base64",
            Self::MissingVersion => "missing sec-websocket-version",
            Self::UnsupportedVersion => "sec-websocket-version is not 13",
        })
    }
}

/// A refused handshake: the reason and the complete HTTP response to write before closing the
/// connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    reason: RefusalReason,
    response: Vec<u8>,
}

impl Refusal {
    /// Builds the refusal for `reason`: a `text/plain` body with the reason, `Connection: close`,
    /// and for `426` the `Sec-WebSocket-Version: 13` header.
    pub fn new(reason: RefusalReason) -> Self {
        let status = reason.status();
        let body = format!("{reason}\n");
        let phrase = if status == 426 {
            "Upgrade Required"
        } else {
            "Bad Request"
        };
        let mut response = format!("HTTP/1.1 {status} {phrase}\r\n").into_bytes();
        if status == 426 {
            push_header(&mut response, "Sec-WebSocket-Version", VERSION);
        }
        push_header(&mut response, "Content-Type", "text/plain; charset=utf-8");
        push_header(&mut response, "Content-Length", &body.len().to_string());
        push_header(&mut response, "Connection", "close");
        response.extend_from_slice(b"\r\n");
        response.extend_from_slice(body.as_bytes());
        Self { reason, response }
    }

    /// The rule the request broke.
    pub fn reason(&self) -> RefusalReason {
        self.reason
    }

    /// The HTTP status of the response, `400` or `426`.
    pub fn status(&self) -> u16 {
        self.reason.status()
    }

    /// The complete response, head and body, to write to the client.
    pub fn response_bytes(&self) -> &[u8] {
        &self.response
    }

    /// Takes the response bytes.
    pub fn into_response_bytes(self) -> Vec<u8> {
        self.response
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "handshake refused ({}): {}", self.status(), self.reason)
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_sentences() {
        let cases = [
            (RefusalReason::MethodNotGet, "method is not get"),
            (
                RefusalReason::HttpVersionTooOld,
                "http version is older than 1.1",
            ),
            (RefusalReason::MissingHost, "missing host header"),
            (
                RefusalReason::UpgradeNotWebsocket,
                "upgrade header does not contain websocket",
            ),
            (
                RefusalReason::ConnectionNotUpgrade,
                "connection header does not contain upgrade",
            ),
            (RefusalReason::MissingKey, "missing sec-websocket-key"),
            (
                RefusalReason::InvalidKey,
                "sec-websocket-key is not 16 bytes in base64",
            ),
            (
                RefusalReason::MissingVersion,
                "missing sec-websocket-version",
            ),
            (
                RefusalReason::UnsupportedVersion,
                "sec-websocket-version is not 13",
            ),
        ];
        for (reason, message) in cases {
            assert_eq!(reason.to_string(), message);
        }
        assert_eq!(
            Refusal::new(RefusalReason::InvalidKey).to_string(),
            "handshake refused (400): sec-websocket-key is not 16 bytes in base64"
        );
    }

    #[test]
    fn bad_request_carries_the_reason_in_its_body() {
        let refusal = Refusal::new(RefusalReason::MethodNotGet);
        assert_eq!(refusal.status(), 400);
        assert_eq!(
            refusal.response_bytes(),
            b"HTTP/1.1 400 Bad Request\r\n\
              Content-Type: text/plain; charset=utf-8\r\n\
              Content-Length: 18\r\n\
              Connection: close\r\n\
              \r\n\
              method is not get\n"
        );
    }

    #[test]
    fn upgrade_required_names_version_13() {
        let refusal = Refusal::new(RefusalReason::UnsupportedVersion);
        assert_eq!(refusal.status(), 426);
        let text = String::from_utf8(refusal.into_response_bytes()).unwrap();
        assert!(text.starts_with("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"));
        assert!(text.ends_with("\r\n\r\nsec-websocket-version is not 13\n"));
    }
}
