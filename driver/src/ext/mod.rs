//! WebSocket extensions, RFC 6455 section 9: the syntax of `Sec-WebSocket-Extensions`
//! ([`params`]) and permessage-deflate, RFC 7692 ([`deflate`], behind the `deflate` feature).
//!
//! > Extensions provide a mechanism for implementations to opt-in to additional protocol
//! > features. [...] The |Sec-WebSocket-Extensions| header field in the client's handshake
//! > lists the extensions the client would like to use, and the server's response lists those
//! > it agreed to (RFC 6455 section 9.1).

#[cfg(feature = "deflate")]
pub mod deflate;
pub mod params;

pub use params::{parse_extension, Extension, ExtensionSyntaxError};
