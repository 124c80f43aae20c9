//! Errors of the opening handshake (RFC 6455 section 4), one variant per rule.
//!
//! A server turns a malformed request into a [`Refusal`](super::Refusal) with an HTTP status
//! instead; these errors are what a parser or a client reports. For the client, section 4.1 says
//! what each of them means:
//!
//! > If the server's response does not conform to the requirements for the server's handshake as
//! > defined in this section and in Section 4.2.2, the client MUST _Fail the WebSocket
//! > Connection_.

use std::fmt;

/// Why an opening handshake failed: a head we could not parse, a URL or option we cannot use, or a
/// server response that breaks a rule of RFC 6455 section 4.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The head (request or status line plus headers) exceeds [`MAX_HEAD_BYTES`](super::MAX_HEAD_BYTES).
    HeadTooLarge,
    /// The head has more than [`MAX_HEADERS`](super::MAX_HEADERS) header fields.
    TooManyHeaders,
    /// The head is not valid HTTP/1.x; the text says where httparse stopped.
    MalformedHttp(&'static str),
    /// The URL could not be parsed, or has no host.
    InvalidUrl,
    /// The URL's scheme is neither `ws` nor `wss` (section 3).
    UnsupportedScheme,
    /// The URL has a fragment, which section 3 forbids: "Fragment identifiers are meaningless in
    /// the context of WebSocket URIs and MUST NOT be used on these URIs."
    UrlHasFragment,
    /// An offered subprotocol is empty, not an HTTP token, or offered twice (section 4.1: the
    /// elements "MUST all be unique strings").
    InvalidProtocol,
    /// An additional header has a name that is not an HTTP token or a value with CR, LF or NUL.
    InvalidHeader,
    /// The operating system could not provide random bytes for `Sec-WebSocket-Key`.
    RandomnessUnavailable,
    /// The response status is not `101 Switching Protocols`; the status received is carried.
    StatusNot101(u16),
    /// The response is not HTTP/1.1 or later.
    HttpVersionTooOld,
    /// The response's `Upgrade` header is missing or does not contain `websocket`.
    UpgradeNotWebsocket,
    /// The response's `Connection` header is missing or does not contain `Upgrade`.
    ConnectionNotUpgrade,
    /// The response has no `Sec-WebSocket-Accept` header.
    MissingAccept,
    /// The response's `Sec-WebSocket-Accept` is not the one computed from our key.
    AcceptMismatch,
    /// The response selects a subprotocol that the client did not offer, or several.
    ProtocolNotOffered,
    /// The response selects an extension that the client did not offer.
    ExtensionNotOffered,
    /// The response accepts permessage-deflate in a way RFC 7692 section 7.1 forbids, or that
    /// answers none of our offers; the variant says which rule.
    #[cfg(feature = "deflate")]
    InvalidDeflateResponse(crate::ext::deflate::DeflateResponseError),
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HeadTooLarge => write!(
                f,
                "handshake head is larger than {} bytes",
                super::MAX_HEAD_BYTES
            ),
            Self::TooManyHeaders => write!(
                f,
                "handshake head has more than {} headers",
                super::MAX_HEADERS
            ),
            Self::MalformedHttp(what) => write!(f, "malformed http: {what}"),
            Self::InvalidUrl => f.write_str("invalid url"),
            Self::UnsupportedScheme => f.write_str("url scheme is not ws or wss"),
            Self::UrlHasFragment => f.write_str("url has a fragment"),
            Self::InvalidProtocol => f.write_str("offered subprotocol is not a unique token"),
            Self::InvalidHeader => f.write_str("invalid additional header"),
            Self::RandomnessUnavailable => f.write_str("no randomness for the handshake key"),
            Self::StatusNot101(status) => write!(f, "expected status 101, got {status}"),
            Self::HttpVersionTooOld => f.write_str("response is not http/1.1"),
            Self::UpgradeNotWebsocket => f.write_str("upgrade header does not contain websocket"),
            Self::ConnectionNotUpgrade => f.write_str("connection header does not contain upgrade"),
            Self::MissingAccept => f.write_str("missing sec-websocket-accept"),
            Self::AcceptMismatch => f.write_str("sec-websocket-accept does not match the key"),
            Self::ProtocolNotOffered => {
                f.write_str("server chose a subprotocol that was not offered")
            }
            Self::ExtensionNotOffered => {
                f.write_str("server chose an extension that was not offered")
            }
            #[cfg(feature = "deflate")]
            Self::InvalidDeflateResponse(why) => {
                write!(f, "invalid permessage-deflate response: {why}")
            }
        }
    }
}

impl std::error::Error for HandshakeError {}

#[cfg(test)]
mod tests {
    use super::HandshakeError;

    #[test]
    fn messages_are_lowercase_sentences() {
        let cases = [
            (
                HandshakeError::HeadTooLarge,
                "handshake head is larger than 16384 bytes",
            ),
            (
                HandshakeError::TooManyHeaders,
                "handshake head has more than 64 headers",
            ),
            (
                HandshakeError::MalformedHttp("invalid header name"),
                "malformed http: invalid header name",
            ),
            (HandshakeError::InvalidUrl, "invalid url"),
            (
                HandshakeError::UnsupportedScheme,
                "url scheme is not ws or wss",
            ),
            (HandshakeError::UrlHasFragment, "url has a fragment"),
            (
                HandshakeError::InvalidProtocol,
                "offered subprotocol is not a unique token",
            ),
            (HandshakeError::InvalidHeader, "invalid additional header"),
            (
                HandshakeError::RandomnessUnavailable,
                "no randomness for the handshake key",
            ),
            (
                HandshakeError::StatusNot101(200),
                "expected status 101, got 200",
            ),
            (
                HandshakeError::HttpVersionTooOld,
                "response is not http/1.1",
            ),
            (
                HandshakeError::UpgradeNotWebsocket,
                "upgrade header does not contain websocket",
            ),
            (
                HandshakeError::ConnectionNotUpgrade,
                "connection header does not contain upgrade",
            ),
            (
                HandshakeError::MissingAccept,
                "missing sec-websocket-accept",
            ),
            (
                HandshakeError::AcceptMismatch,
                "sec-websocket-accept does not match the key",
            ),
            (
                HandshakeError::ProtocolNotOffered,
                "server chose a subprotocol that was not offered",
            ),
            (
                HandshakeError::ExtensionNotOffered,
                "server chose an extension that was not offered",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
        #[cfg(feature = "deflate")]
        assert_eq!(
            HandshakeError::InvalidDeflateResponse(
                crate::ext::deflate::DeflateResponseError::DuplicateParameter
            )
            .to_string(),
            "invalid permessage-deflate response: duplicate parameter"
        );
    }
}
