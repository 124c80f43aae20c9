//! The harness's own opening handshake (RFC 6455 section 4), in both roles.
//!
//! As a client ([`client_handshake`]) it sends Autobahn's request, reads the response with a
//! size bound and a timeout, and checks it the way Autobahn's client does. As a server
//! ([`server_handshake`]) it reads a client's request and answers 101. Both keep the raw
//! request and response text for the report (`httpRequest`, `httpResponse`), every socket read
//! (the wire log and octet statistics start with the handshake), and the octets read past the
//! end of the HTTP head, which already belong to the WebSocket stream.

mod accept;
mod client;
pub mod deflate;
mod head;
mod server;

pub use accept::{accept_key, new_key};
pub use client::{client_handshake, client_request, ClientHandshake, ClientRequest};
pub use deflate::DeflateParams;
pub use server::{server_handshake, server_handshake_deflate, ServerHandshake};

use std::fmt;

/// The most octets of HTTP head the harness reads before giving up on a peer.
pub const MAX_HEAD: usize = 16 * 1024;

/// A failed opening handshake, with everything seen so far for the report.
#[derive(Debug, Clone, Default)]
pub struct HandshakeFailure {
    /// Why it failed (Autobahn's wording where Autobahn has one).
    pub reason: String,
    /// Whether it failed because the peer did not finish in time.
    pub timed_out: bool,
    /// The request text, when it was sent (client) or read (server).
    pub request: Option<String>,
    /// The response text, when it was read (client) or sent (server).
    pub response: Option<String>,
    /// Every socket read, in order.
    pub reads: Vec<Vec<u8>>,
    /// Every socket write, in order.
    pub writes: Vec<Vec<u8>>,
}

impl fmt::Display for HandshakeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for HandshakeFailure {}
