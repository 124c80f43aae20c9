//! [`make_client`]: a [`Client`] for a `ws://` URL (the seed's `make-client`), and the
//! reading of the server's 101 response. RFC 6455 section 4.1.

use crate::handshake::{ClientHandshake, ClientOptions, HandshakeError};

use super::socket::{Handshake, Phase};
use super::{Client, Options, WebSocket};

/// Makes a client connection for `url` (the seed's `make-client`).
///
/// The URL must be `ws://` or `wss://`; the request offers [`Options::protocols`] and
/// carries [`Options::additional_headers`]. Nothing is sent before
/// [`start_connection`](WebSocket::start_connection); the transport connects to
/// [`host`](Client::host) and [`port`](Client::port).
pub fn make_client(url: &str, options: Options) -> Result<Client, HandshakeError> {
    let client_options = ClientOptions {
        protocols: options.protocols.clone(),
        additional_headers: options.additional_headers.clone(),
    };
    #[allow(unused_mut)]
    let mut handshake = ClientHandshake::new(url, &client_options)?;
    #[cfg(feature = "deflate")]
    if let Some(config) = &options.deflate {
        handshake.offer_deflate(config.clone());
    }
    Ok(WebSocket::with_handshake(
        &options,
        Handshake::Client {
            handshake: Box::new(handshake),
            received: Vec::new(),
        },
    ))
}

impl Client {
    /// Queues the upgrade request (the seed's `start-connection`); the connection opens
    /// when the server's 101 arrives through [`parse`](WebSocket::parse). Returns whether
    /// the request was queued: false if it already was.
    pub fn start_connection(&mut self) -> bool {
        if !matches!(self.phase, Phase::Idle) {
            return false;
        }
        if let Handshake::Client { handshake, .. } = &self.handshake {
            self.out = handshake.request_bytes().to_vec();
        }
        self.phase = Phase::AwaitingResponse;
        true
    }

    /// The host to connect to (a domain or an IP address, IPv6 without brackets).
    pub fn host(&self) -> Option<&str> {
        match &self.handshake {
            Handshake::Client { handshake, .. } => Some(handshake.host()),
            _ => None,
        }
    }

    /// The port to connect to (the URL's, else 80 for `ws://`, 443 for `wss://`).
    pub fn port(&self) -> Option<u16> {
        match &self.handshake {
            Handshake::Client { handshake, .. } => Some(handshake.port()),
            _ => None,
        }
    }

    /// Whether the URL is `wss://` (the transport must speak TLS).
    pub fn is_secure(&self) -> bool {
        matches!(&self.handshake, Handshake::Client { handshake, .. } if handshake.is_secure())
    }

    /// Why the opening handshake failed, if it did (the `close` listener then got 1002).
    pub fn handshake_error(&self) -> Option<HandshakeError> {
        self.handshake_error
    }
}
