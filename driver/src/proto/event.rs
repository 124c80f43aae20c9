//! What a [`Connection`](super::Connection) reports to the application.

use crate::error::ProtocolError;

/// A complete data message (RFC 6455 section 5.6), reassembled from its fragments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A text message, validated as UTF-8.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}

/// Something that happened on the connection, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A data message arrived.
    Message(Message),
    /// A ping arrived; the pong with the same payload is already queued (unless we are closing).
    Ping(Vec<u8>),
    /// A pong arrived.
    Pong(Vec<u8>),
    /// The peer broke a rule; the close this causes follows as [`Event::Close`].
    Error(ProtocolError),
    /// The connection closed. Fires exactly once per connection, on every path: the peer's close
    /// (its code, 1000 for an empty close), a protocol error (its code), a timeout or the loss of TCP
    /// without a close frame (1006).
    Close {
        /// The status code.
        code: u16,
        /// The reason, possibly empty.
        reason: String,
    },
}

/// The connection's state as the application sees it (the seed's `ready-state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadyState {
    /// The opening handshake has not completed. A [`Connection`](super::Connection) starts after it,
    /// so only the API layer reports this.
    Connecting,
    /// Messages flow both ways.
    Open,
    /// We sent a close frame and wait for the peer's.
    Closing,
    /// The close event has fired.
    Closed,
}
