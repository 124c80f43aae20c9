//! Which end of the connection we are, and the limits we apply.

use std::time::Duration;

/// Which end of the connection this is (RFC 6455 section 5.1: clients mask, servers do not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// We accepted the connection: frames from the peer must be masked, ours are not.
    Server,
    /// We opened the connection: our frames are masked with a fresh random key, the peer's must not be.
    Client,
}

impl Role {
    /// Whether this is the server end.
    pub fn is_server(self) -> bool {
        self == Self::Server
    }
}

/// Limits and timers of a [`Connection`](super::Connection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The longest message accepted, in bytes, counted over all its fragments; a longer one fails
    /// the connection with 1009. Defaults to `0x3ffffff` (64 MiB - 1), as in the seed.
    pub max_length: usize,
    /// How long to wait for the peer during the closing handshake (its close frame, or a server
    /// closing TCP) before giving up and closing TCP ourselves. Defaults to 5 seconds.
    pub close_timeout: Duration,
}

impl Config {
    /// The seed's default `max-length`.
    pub const DEFAULT_MAX_LENGTH: usize = 0x3ff_ffff;
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_length: Self::DEFAULT_MAX_LENGTH,
            close_timeout: Duration::from_secs(5),
        }
    }
}
