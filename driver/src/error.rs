//! Errors: [`ProtocolError`] for what the peer got wrong (RFC 6455 sections 5, 7 and 8), and
//! [`Error`] for what the caller asked that cannot be done.

use std::fmt;

use crate::frame::CloseCode;

/// A rule of RFC 6455 that the peer broke. Each one fails the connection (section 7.1.7) with the
/// close code [`ProtocolError::close_code`] gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// Section 5.2: "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values."
    ReservedBitsSet,
    /// Section 5.2: opcodes `%x3-7` and `%xB-F` are reserved; carries the opcode received.
    ReservedOpcode(u8),
    /// Section 5.1: "The server MUST close the connection upon receiving a frame that is not masked."
    UnmaskedFrameFromClient,
    /// Section 5.1: "A client MUST close a connection if it detects a masked frame."
    MaskedFrameFromServer,
    /// Section 5.4: "Control frames themselves MUST NOT be fragmented."
    FragmentedControlFrame,
    /// Section 5.5: "All control frames MUST have a payload length of 125 bytes or less."
    ControlFrameTooLong,
    /// Section 5.4: a continuation frame arrived with no fragmented message to continue.
    UnexpectedContinuation,
    /// Section 5.4: a text or binary frame arrived while a fragmented message was still open.
    DataFrameInsideFragmentedMessage,
    /// Section 5.2: a 64-bit payload length "the most significant bit MUST be 0".
    PayloadLengthMsbSet,
    /// Section 8.1: a text message is not valid UTF-8.
    InvalidUtf8,
    /// Section 5.5.1: a close payload of one byte (a code takes two).
    CloseFrameTooShort,
    /// Section 7.4: a close code that may not appear on the wire; carries the code received.
    InvalidCloseCode(u16),
    /// Section 5.5.1: the reason in a close frame is not valid UTF-8.
    InvalidUtf8InCloseReason,
    /// Section 10.4: a message is longer than the configured `max_length` (for a compressed
    /// message, once inflated).
    MessageTooLong,
    /// RFC 7692 section 6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control
    /// frames and non-first fragments of a data message."
    CompressedControlOrContinuation,
    /// RFC 7692 section 7.2.2: the payload of a compressed message is not valid DEFLATE data.
    InvalidCompressedData,
}

impl ProtocolError {
    /// The status code to close with: 1007 for invalid UTF-8 or DEFLATE data, 1009 for a message
    /// over the limit, 1002 for everything else.
    pub fn close_code(&self) -> CloseCode {
        match self {
            Self::InvalidUtf8 | Self::InvalidUtf8InCloseReason | Self::InvalidCompressedData => {
                CloseCode::INVALID_PAYLOAD
            }
            Self::MessageTooLong => CloseCode::MESSAGE_TOO_BIG,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReservedBitsSet => {
                f.write_str("reserved bits set without a negotiated extension")
            }
            Self::ReservedOpcode(op) => write!(f, "reserved opcode {op:#x}"),
            Self::UnmaskedFrameFromClient => f.write_str("unmasked frame from client"),
            Self::MaskedFrameFromServer => f.write_str("masked frame from server"),
            Self::FragmentedControlFrame => f.write_str("fragmented control frame"),
            Self::ControlFrameTooLong => f.write_str("control frame payload longer than 125 bytes"),
            Self::UnexpectedContinuation => {
                f.write_str("continuation frame with no message to continue")
            }
            Self::DataFrameInsideFragmentedMessage => {
                f.write_str("data frame inside a fragmented message")
            }
            Self::PayloadLengthMsbSet => {
                f.write_str("64-bit payload length with the most significant bit set")
            }
            Self::InvalidUtf8 => f.write_str("invalid utf-8 in text message"),
            Self::CloseFrameTooShort => f.write_str("close frame payload of one byte"),
            Self::InvalidCloseCode(code) => write!(f, "invalid close code {code}"),
            Self::InvalidUtf8InCloseReason => f.write_str("invalid utf-8 in close reason"),
            Self::MessageTooLong => f.write_str("message longer than max_length"),
            Self::CompressedControlOrContinuation => {
                f.write_str("rsv1 set on a control or continuation frame")
            }
            Self::InvalidCompressedData => f.write_str("invalid deflate data in a message"),
        }
    }
}

impl std::error::Error for ProtocolError {}

/// A request the connection cannot carry out: API misuse, a failed handshake, or I/O.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The connection is closing or closed: no more messages can be sent.
    Closed,
    /// The connection is not open yet: the opening handshake has not completed.
    NotOpen,
    /// A control frame payload over 125 bytes (section 5.5); carries the length asked for.
    ControlPayloadTooLong(usize),
    /// A control frame with FIN clear (section 5.5: control frames are never fragmented).
    FragmentedControlFrame,
    /// A reserved opcode asked to be sent; carries the opcode.
    ReservedOpcode(u8),
    /// Close frames go through `close`, which also drives the closing handshake.
    CloseViaSendFrame,
    /// A close code that may not be sent (section 7.4); carries the code.
    InvalidCloseCode(u16),
    /// A close reason over 123 bytes, which with the code would not fit a control frame.
    CloseReasonTooLong(usize),
    /// The opening handshake failed; the text says why.
    Handshake(String),
    /// The transport failed.
    Io(std::io::Error),
    /// The TLS handshake failed (feature `tls`); carries rustls' reason, e.g. an alert from the
    /// peer or no protocol version in common. A certificate we reject is [`Error::Certificate`].
    #[cfg(feature = "tls")]
    Tls(tokio_rustls::rustls::Error),
    /// The peer's certificate was rejected (feature `tls`): an untrusted root, a name that
    /// does not match the URL's host, an expired certificate; carries rustls' reason.
    #[cfg(feature = "tls")]
    Certificate(tokio_rustls::rustls::CertificateError),
    /// The HTTP proxy answered `CONNECT` with a status other than 2xx: the status code and
    /// reason phrase, e.g. `407 Proxy Authentication Required`.
    ProxyRefused(u16, String),
    /// The proxy URL is unusable or the proxy's answer is not valid HTTP; the text says why.
    Proxy(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("connection is closing or closed"),
            Self::NotOpen => f.write_str("connection is not open yet"),
            Self::ControlPayloadTooLong(len) => {
                write!(f, "control frame payload of {len} bytes exceeds 125")
            }
            Self::FragmentedControlFrame => f.write_str("control frames cannot be fragmented"),
            Self::ReservedOpcode(op) => write!(f, "cannot send reserved opcode {op:#x}"),
            Self::CloseViaSendFrame => f.write_str("close frames are sent with close()"),
            Self::InvalidCloseCode(code) => write!(f, "close code {code} may not be sent"),
            Self::CloseReasonTooLong(len) => write!(f, "close reason of {len} bytes exceeds 123"),
            Self::Handshake(why) => write!(f, "handshake failed: {why}"),
            Self::Io(err) => write!(f, "i/o error: {err}"),
            #[cfg(feature = "tls")]
            Self::Tls(err) => write!(f, "tls handshake failed: {err}"),
            #[cfg(feature = "tls")]
            Self::Certificate(err) => write!(f, "bad certificate: {err}"),
            Self::ProxyRefused(status, reason) => {
                write!(f, "proxy refused the tunnel: {status} {reason}")
            }
            Self::Proxy(why) => write!(f, "proxy failed: {why}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(err) => Some(err),
            #[cfg(feature = "tls")]
            Self::Tls(err) => Some(err),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Self::Io(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes() {
        assert_eq!(
            ProtocolError::InvalidUtf8.close_code(),
            CloseCode::INVALID_PAYLOAD
        );
        assert_eq!(
            ProtocolError::InvalidUtf8InCloseReason.close_code(),
            CloseCode(1007)
        );
        assert_eq!(ProtocolError::MessageTooLong.close_code(), CloseCode(1009));
        assert_eq!(
            ProtocolError::InvalidCompressedData.close_code(),
            CloseCode(1007)
        );
        for e in [
            ProtocolError::ReservedBitsSet,
            ProtocolError::ReservedOpcode(3),
            ProtocolError::UnmaskedFrameFromClient,
            ProtocolError::MaskedFrameFromServer,
            ProtocolError::FragmentedControlFrame,
            ProtocolError::ControlFrameTooLong,
            ProtocolError::UnexpectedContinuation,
            ProtocolError::DataFrameInsideFragmentedMessage,
            ProtocolError::PayloadLengthMsbSet,
            ProtocolError::CloseFrameTooShort,
            ProtocolError::InvalidCloseCode(999),
            ProtocolError::CompressedControlOrContinuation,
        ] {
            assert_eq!(e.close_code(), CloseCode::PROTOCOL_ERROR, "{e}");
        }
    }

    /// Every message, exactly: they are part of the interface (close reasons on the wire).
    #[test]
    fn every_message() {
        let protocol = [
            (
                ProtocolError::ReservedBitsSet,
                "reserved bits set without a negotiated extension",
            ),
            (ProtocolError::ReservedOpcode(0xb), "reserved opcode 0xb"),
            (
                ProtocolError::UnmaskedFrameFromClient,
                "unmasked frame from client",
            ),
            (
                ProtocolError::MaskedFrameFromServer,
                "masked frame from server",
            ),
            (
                ProtocolError::FragmentedControlFrame,
                "fragmented control frame",
            ),
            (
                ProtocolError::ControlFrameTooLong,
                "control frame payload longer than 125 bytes",
            ),
            (
                ProtocolError::UnexpectedContinuation,
                "continuation frame with no message to continue",
            ),
            (
                ProtocolError::DataFrameInsideFragmentedMessage,
                "data frame inside a fragmented message",
            ),
            (
                ProtocolError::PayloadLengthMsbSet,
                "64-bit payload length with the most significant bit set",
            ),
            (ProtocolError::InvalidUtf8, "invalid utf-8 in text message"),
            (
                ProtocolError::CloseFrameTooShort,
                "close frame payload of one byte",
            ),
            (
                ProtocolError::InvalidCloseCode(1005),
                "invalid close code 1005",
            ),
            (
                ProtocolError::InvalidUtf8InCloseReason,
                "invalid utf-8 in close reason",
            ),
            (
                ProtocolError::MessageTooLong,
                "message longer than max_length",
            ),
            (
                ProtocolError::CompressedControlOrContinuation,
                "rsv1 set on a control or continuation frame",
            ),
            (
                ProtocolError::InvalidCompressedData,
                "invalid deflate data in a message",
            ),
        ];
        for (error, message) in protocol {
            assert_eq!(error.to_string(), message);
            // Sent as the close reason, which must fit a control frame next to the code.
            assert!(message.len() <= crate::close::MAX_REASON_LEN);
        }
        let api = [
            (Error::Closed, "connection is closing or closed"),
            (Error::NotOpen, "connection is not open yet"),
            (
                Error::ControlPayloadTooLong(126),
                "control frame payload of 126 bytes exceeds 125",
            ),
            (
                Error::FragmentedControlFrame,
                "control frames cannot be fragmented",
            ),
            (Error::ReservedOpcode(3), "cannot send reserved opcode 0x3"),
            (
                Error::CloseViaSendFrame,
                "close frames are sent with close()",
            ),
            (
                Error::InvalidCloseCode(1006),
                "close code 1006 may not be sent",
            ),
            (
                Error::CloseReasonTooLong(124),
                "close reason of 124 bytes exceeds 123",
            ),
            (
                Error::Handshake("no upgrade header".into()),
                "handshake failed: no upgrade header",
            ),
            (
                Error::Io(std::io::Error::other("reset")),
                "i/o error: reset",
            ),
            (
                Error::ProxyRefused(407, "Proxy Authentication Required".into()),
                "proxy refused the tunnel: 407 Proxy Authentication Required",
            ),
            (
                Error::Proxy("no host in the proxy url".into()),
                "proxy failed: no host in the proxy url",
            ),
        ];
        for (error, message) in api {
            assert_eq!(error.to_string(), message);
        }
    }
}
