//! [`make_server`]: a [`Server`] from an HTTP upgrade request (the seed's `make-server`,
//! whose `env` is the request as a web framework sees it). RFC 6455 section 4.2.

use crate::handshake::{Refusal, Request, ServerHandshake, ServerOptions};

use super::socket::{Handshake, Phase};
use super::{Options, Server, WebSocket};

/// Makes a server connection from the client's upgrade request (the seed's
/// `make-server`).
///
/// The request is checked at once (method, version, `Upgrade`, `Connection`, key,
/// `Sec-WebSocket-Version`); a request that breaks a rule gives the [`Refusal`], whose
/// [`response_bytes`](Refusal::response_bytes) (400, or 426 for another version) should
/// be written before closing. The subprotocol agreed is the first the client offers that
/// is in [`Options::accept_protocols`]. Nothing is sent before
/// [`start_connection`](WebSocket::start_connection).
pub fn make_server(request: &Request, options: Options) -> Result<Server, Refusal> {
    let server_options = ServerOptions {
        accept_protocols: options.accept_protocols.clone(),
        additional_headers: options.additional_headers.clone(),
    };
    #[cfg(feature = "deflate")]
    let accepted =
        ServerHandshake::accept_with_deflate(request, &server_options, options.deflate.as_ref())?;
    #[cfg(not(feature = "deflate"))]
    let accepted = ServerHandshake::accept(request, &server_options)?;
    let mut ws = WebSocket::with_handshake(
        &options,
        Handshake::Server {
            response: accepted.response,
        },
    );
    #[cfg(feature = "deflate")]
    if let Some(negotiated) = &accepted.deflate {
        ws.enable_deflate(negotiated);
    }
    ws.protocol = accepted.protocol;
    Ok(ws)
}

impl Server {
    /// Queues the 101 response and opens the connection, running the `open` listener
    /// (the seed's `start-connection`). Returns whether the handshake was queued: false
    /// if it already was.
    pub fn start_connection(&mut self) -> bool {
        if !matches!(self.phase, Phase::Idle) {
            return false;
        }
        if let Handshake::Server { response } =
            std::mem::replace(&mut self.handshake, Handshake::Done)
        {
            self.out = response;
        }
        self.open();
        true
    }
}
