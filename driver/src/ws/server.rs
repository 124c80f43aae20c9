//! [`make_server`]: a [`Server`] from an HTTP upgrade request (the seed's `make-server`,
//! whose `env` is the request as a web framework sees it). RFC 6455 section 4.2.

use std::borrow::Cow;

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
///
/// `request` is a [`Request`], or with the `http` feature the `http::Request` that hyper
/// and axum give a handler (see [`Server::http_response`]).
pub fn make_server<R>(request: &R, options: Options) -> Result<Server, Refusal>
where
    R: UpgradeRequest + ?Sized,
{
    let request = request.to_request();
    let request = request.as_ref();
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

/// An upgrade request as some HTTP stack represents it: what [`make_server`] accepts.
pub trait UpgradeRequest {
    /// The request as the handshake reads it: method, target, version and headers.
    fn to_request(&self) -> Cow<'_, Request>;
}

impl UpgradeRequest for Request {
    fn to_request(&self) -> Cow<'_, Request> {
        Cow::Borrowed(self)
    }
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

    /// Opens the connection without queueing the 101 response, running the `open` listener:
    /// for a server embedded in an HTTP server that sent the response itself (see
    /// [`Server::http_response`]). Returns false if the connection was already started.
    pub fn start_upgraded(&mut self) -> bool {
        if !matches!(self.phase, Phase::Idle) {
            return false;
        }
        self.open();
        true
    }
}
