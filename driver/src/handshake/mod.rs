//! The opening handshake, RFC 6455 section 4.
//!
//! > The opening handshake is intended to be compatible with HTTP-based server-side software and
//! > intermediaries, so that a single port can be used by both HTTP clients talking to that server
//! > and WebSocket clients talking to that server.
//!
//! The client sends an HTTP/1.1 `GET` with `Upgrade: websocket`, `Connection: Upgrade`, a random
//! `Sec-WebSocket-Key` and `Sec-WebSocket-Version: 13` (section 4.1); the server proves that it
//! read the request by answering `101 Switching Protocols` with `Sec-WebSocket-Accept`, the
//! base64 of the SHA-1 of the key and a fixed GUID (section 4.2.2):
//!
//! > For this header field, the server has to take the value (as present in the header field,
//! > e.g., the base64-encoded \[RFC4648\] version minus any leading and trailing whitespace) and
//! > concatenate this with the Globally Unique Identifier (GUID, \[RFC4122\]) "258EAFA5-E914-47DA-
//! > 95CA-C5AB0DC85B11" in string form, which is unlikely to be used by network endpoints that do
//! > not understand the WebSocket Protocol.
//!
//! Like the frame codec, this module is sans-IO: it parses bytes the caller read and produces bytes
//! the caller writes. Parsers return `Ok(None)` while the head is incomplete and report how many
//! bytes they consumed, because whatever follows the head already belongs to the frame stream.
//!
//! - [`server`]: [`parse_request`], then [`ServerHandshake::accept`] gives the `101` response or a
//!   [`Refusal`] (`400`, or `426` for another protocol version).
//! - [`client`]: [`ClientHandshake::new`] builds the request for a `ws://` or `wss://` URL and
//!   [`ClientHandshake::parse_response`] verifies the server's answer.

pub mod client;
mod error;
pub mod headers;
mod limits;
mod refusal;
mod request;
mod response;
pub mod server;
#[cfg(test)]
mod tests;
mod write;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest as _, Sha1};

pub use client::{ClientHandshake, ClientOptions};
pub use error::HandshakeError;
pub use limits::{MAX_HEADERS, MAX_HEAD_BYTES};
pub use refusal::{Refusal, RefusalReason};
pub use request::{parse_request, Request};
pub use response::Response;
pub use server::{Accepted, ServerHandshake, ServerOptions};

/// The GUID that RFC 6455 section 1.3 appends to the client's key before hashing.
///
/// > concatenate this with the Globally Unique Identifier (GUID, \[RFC4122\])
/// > "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The only protocol version this crate speaks, sent and expected in `Sec-WebSocket-Version`.
pub const VERSION: &str = "13";

/// Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 section 4.2.2, step 5.4).
///
/// > A SHA-1 hash (160 bits) \[FIPS.180-3\], base64-encoded (see Section 4 of \[RFC4648\]), of this
/// > concatenation is then returned in the server's handshake.
///
/// The key is used as given, minus leading and trailing whitespace, without decoding it.
///
/// ```
/// use websocket_driver::handshake::accept_key;
/// assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(key: &str) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(key.trim().as_bytes());
    sha1.update(GUID.as_bytes());
    STANDARD.encode(sha1.finalize())
}

/// Whether a `Sec-WebSocket-Key` value is valid: the base64 of exactly 16 bytes (section 4.1).
///
/// > The request MUST include a header field with the name |Sec-WebSocket-Key|. The value of this
/// > header field MUST be a nonce consisting of a randomly selected 16-byte value that has been
/// > base64-encoded
pub fn is_valid_key(key: &str) -> bool {
    // 16 bytes encode to 24 characters; checking the length first bounds the decode work.
    let key = key.trim();
    key.len() == 24 && STANDARD.decode(key).is_ok_and(|bytes| bytes.len() == 16)
}
