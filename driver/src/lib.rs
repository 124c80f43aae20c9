//! websocket-driver: an RFC 6455 WebSocket driver, server and client, after the Common Lisp
//! `websocket-driver`.
//!
//! The core is sans-IO: a [`Connection`] takes the bytes read from a socket and the current time,
//! and gives back [`Event`]s, the bytes to write and when to wake it up. It never touches a socket
//! or a clock, so every behaviour is testable without I/O. The modules follow RFC 6455:
//!
//! - [`frame`]: opcodes, the frame header, masking and close codes (sections 5 and 7.4);
//! - [`utf8`]: incremental UTF-8 validation of text messages (section 8.1);
//! - [`close`]: the close frame's payload (section 5.5.1);
//! - [`proto`]: the [`Connection`] state machine (sections 5, 7 and 8);
//! - [`ext`]: extensions (section 9), and permessage-deflate (RFC 7692) with the `deflate` feature.
//!
//! # Calling order
//!
//! See [`Connection`]: feed [`Connection::handle_bytes`], drain [`Connection::poll_event`], write
//! [`Connection::pending_transmit`] and report it with [`Connection::consume_transmit`], honour
//! [`Connection::poll_timeout`], and shut TCP down once [`Connection::should_close_tcp`] says so.
#![deny(missing_docs)]
// One `unsafe` block, in `utf8::TextBuffer::finish`: a text message is validated as it arrives,
// so building its `String` skips the second validation pass (std validates mixed-script text at
// about 1.4 GB/s, far slower than the rest of the receive path).
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod close;
pub mod error;
pub mod ext;
pub mod frame;
#[doc(hidden)]
pub mod fuzzing;
pub mod handshake;
pub mod proto;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod utf8;
pub mod ws;

pub use error::{Error, ProtocolError};
pub use frame::{CloseCode, OpCode};
pub use proto::{Config, Connection, Event, Message, ReadyState, Role};
