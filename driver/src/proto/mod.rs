//! The sans-IO protocol core: the [`Connection`] state machine of RFC 6455 sections 5, 7 and 8,
//! after the opening handshake.

mod closing;
mod compression;
mod config;
mod connection;
mod event;
mod recv;
mod send;

#[cfg(test)]
mod tests;

pub use config::{Config, Role};
pub use connection::Connection;
pub use event::{Event, Message, ReadyState};

#[cfg(feature = "deflate")]
pub(crate) use compression::reserve_within;
