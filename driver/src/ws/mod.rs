//! The seed's API: a WebSocket [`Server`] made from an upgrade request and a [`Client`]
//! made from a URL, with event listeners, `start_connection`, `send` with callbacks,
//! `close_connection`, `version`, `protocol` and `ready_state`, after the Common Lisp
//! `websocket-driver` (itself a port of faye's `websocket-driver`).
//!
//! | seed (Common Lisp)                         | here                                                   |
//! |--------------------------------------------|--------------------------------------------------------|
//! | `make-server env &key ...`                 | [`make_server`]`(&request, options)`, `request` a [`Request`](crate::handshake::Request) or an `http::Request` |
//! | `make-client url &key ...`                 | [`make_client`]`(url, options)`                        |
//! | `on :open / :message / :error / :close`    | [`on_open`](WebSocket::on_open), [`on_message`](WebSocket::on_message), [`on_error`](WebSocket::on_error), [`on_close`](WebSocket::on_close) |
//! | `start-connection`                         | [`start_connection`](WebSocket::start_connection)      |
//! | `send data &key start end type code callback` | [`send`](WebSocket::send), [`send_with`](WebSocket::send_with) and [`SendOptions`] |
//! | `send-text`, `send-binary`                 | [`send_text`](WebSocket::send_text), [`send_binary`](WebSocket::send_binary) (and `_with`) |
//! | `send-ping &optional message callback`     | [`send_ping`](WebSocket::send_ping), [`send_ping_with`](WebSocket::send_ping_with) |
//! | `close-connection`                         | [`close_connection`](WebSocket::close_connection)      |
//! | `version` / `protocol` / `ready-state`     | [`version`](WebSocket::version) / [`protocol`](WebSocket::protocol) / [`ready_state`](WebSocket::ready_state) |
//! | `:max-length` (default `#x3ffffff`)        | [`Options::max_length`]                                |
//!
//! The socket is sans-IO: it does no I/O itself. Whoever owns the transport (the
//! [`tokio`](crate::tokio) adapter, or your own loop) calls, in this order:
//!
//! 1. [`parse`](WebSocket::parse) with every chunk of bytes read, which runs the
//!    listeners;
//! 2. [`pending_transmit`](WebSocket::pending_transmit), writes those bytes, then
//!    [`consume_transmit`](WebSocket::consume_transmit) with how many were written,
//!    which runs the send callbacks of the frames that left;
//! 3. [`handle_timeout`](WebSocket::handle_timeout) with the current time after each of
//!    these steps (the socket has no clock and arms its closing timer from the latest
//!    time given), and again when [`poll_timeout`](WebSocket::poll_timeout) passes;
//! 4. [`handle_eof`](WebSocket::handle_eof) when the peer closed or the transport failed;
//! 5. [`should_close_tcp`](WebSocket::should_close_tcp): once true, write what is
//!    pending and close the transport.
//!
//! ```
//! use websocket_driver::handshake::Request;
//! use websocket_driver::ws::{make_server, Options};
//!
//! let request = Request::from_parts("GET", "/", [
//!     ("Host", "example.com"),
//!     ("Upgrade", "websocket"),
//!     ("Connection", "Upgrade"),
//!     ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
//!     ("Sec-WebSocket-Version", "13"),
//! ]);
//! let mut ws = make_server(&request, Options::default()).unwrap();
//! ws.on_message(|ws, message| {
//!     ws.send(message);
//! });
//! assert!(ws.start_connection());
//! assert!(ws.pending_transmit().starts_with(b"HTTP/1.1 101"));
//! ```

mod callbacks;
mod client;
#[cfg(feature = "http")]
mod embed;
mod listeners;
mod options;
mod send;
mod server;
mod socket;
#[cfg(test)]
mod tests;

pub use client::make_client;
pub use listeners::{CloseListener, ErrorListener, MessageListener, OpenListener};
pub use options::{Options, DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_LENGTH};
pub use send::{Callback, Data, SendOptions, SendType};
pub use server::{make_server, UpgradeRequest};
pub use socket::WebSocket;

pub use crate::error::ProtocolError;
pub use crate::proto::{Message, ReadyState, Role};

/// Which end of the connection a [`WebSocket`] is; the type parameter of [`Server`]
/// and [`Client`], so that their listeners receive the right type.
pub trait Side: Send + 'static {
    /// The role the frame layer plays (masking rules, who closes TCP).
    const ROLE: Role;
}

/// Marks a [`WebSocket`] made by [`make_server`].
#[derive(Debug, Clone, Copy)]
pub struct ServerSide;

/// Marks a [`WebSocket`] made by [`make_client`].
#[derive(Debug, Clone, Copy)]
pub struct ClientSide;

impl Side for ServerSide {
    const ROLE: Role = Role::Server;
}

impl Side for ClientSide {
    const ROLE: Role = Role::Client;
}

/// The seed's `server` class: a WebSocket (version 13) server connection.
pub type Server = WebSocket<ServerSide>;

/// The seed's `client` class: a WebSocket client connection.
pub type Client = WebSocket<ClientSide>;
