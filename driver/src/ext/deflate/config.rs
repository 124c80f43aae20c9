//! What the application asks for ([`DeflateConfig`]), the four parameters of RFC 7692 section 7.1
//! ([`DeflateParams`]), and what the handshake agreed ([`Negotiated`]).

use super::{MAX_WINDOW_BITS, MIN_WINDOW_BITS};
use crate::proto::Role;

/// The parameters of RFC 7692 section 7.1. Their meaning depends on where they are used:
///
/// - in a client's offer, `*_no_context_takeover` and `server_max_window_bits` are requests, and
///   `client_max_window_bits` is sent as given (`None`: the bare parameter, "any value you like");
/// - as a server's policy, the booleans force the parameter into every response, and the window
///   bits cap the value agreed (`None`: no cap of our own);
/// - in [`Negotiated`], they are what the response said (`None`: 15).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeflateParams {
    /// The server resets its compression context after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compression context after each message.
    pub client_no_context_takeover: bool,
    /// The server's LZ77 window is at most 2^bits bytes, 8 to 15.
    pub server_max_window_bits: Option<u8>,
    /// The client's LZ77 window is at most 2^bits bytes, 8 to 15.
    pub client_max_window_bits: Option<u8>,
}

impl DeflateParams {
    /// All parameters absent: full windows, context kept.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `server_no_context_takeover`.
    #[must_use]
    pub fn server_no_context_takeover(mut self, on: bool) -> Self {
        self.server_no_context_takeover = on;
        self
    }

    /// Sets `client_no_context_takeover`.
    #[must_use]
    pub fn client_no_context_takeover(mut self, on: bool) -> Self {
        self.client_no_context_takeover = on;
        self
    }

    /// Sets `server_max_window_bits`, clamped to 8..=15.
    #[must_use]
    pub fn server_max_window_bits(mut self, bits: u8) -> Self {
        self.server_max_window_bits = Some(bits.clamp(MIN_WINDOW_BITS, MAX_WINDOW_BITS));
        self
    }

    /// Sets `client_max_window_bits`, clamped to 8..=15.
    #[must_use]
    pub fn client_max_window_bits(mut self, bits: u8) -> Self {
        self.client_max_window_bits = Some(bits.clamp(MIN_WINDOW_BITS, MAX_WINDOW_BITS));
        self
    }
}

/// How an endpoint uses permessage-deflate: set it in [`Options`](crate::ws::Options) to offer
/// (client) or accept (server) the extension.
///
/// ```
/// use websocket_driver::ext::deflate::{DeflateConfig, DeflateParams};
/// // A client that asks for a small server window, and falls back to the defaults.
/// let config = DeflateConfig::new()
///     .params(DeflateParams::new().server_max_window_bits(10))
///     .fallback(DeflateParams::new())
///     .threshold(128);
/// assert_eq!(config.fallbacks.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Client: the first offer. Server: the policy applied to the client's offers (see
    /// [`DeflateParams`]).
    pub params: DeflateParams,
    /// Client: further offers, sent after the first in this order; the server accepts one of them
    /// at most. Server: unused.
    pub fallbacks: Vec<DeflateParams>,
    /// Messages shorter than this many bytes are sent uncompressed (RSV1 clear), since deflate
    /// cannot shrink them much. Default 64.
    pub threshold: usize,
    /// The zlib compression level, 0 (store) to 9 (best); default 6, zlib's own default.
    pub level: u32,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        Self {
            params: DeflateParams::default(),
            fallbacks: Vec::new(),
            threshold: 64,
            level: 6,
        }
    }
}

impl DeflateConfig {
    /// The defaults: no parameters, no fallbacks, threshold 64, level 6.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the first offer (client) or the policy (server).
    #[must_use]
    pub fn params(mut self, params: DeflateParams) -> Self {
        self.params = params;
        self
    }

    /// Adds an offer after the others (client).
    #[must_use]
    pub fn fallback(mut self, params: DeflateParams) -> Self {
        self.fallbacks.push(params);
        self
    }

    /// Sets the size below which messages are sent uncompressed.
    #[must_use]
    pub fn threshold(mut self, bytes: usize) -> Self {
        self.threshold = bytes;
        self
    }

    /// Sets the compression level, clamped to 0..=9.
    #[must_use]
    pub fn level(mut self, level: u32) -> Self {
        self.level = level.min(9);
        self
    }

    /// The offers a client sends, in order.
    pub fn offers(&self) -> impl Iterator<Item = &DeflateParams> {
        std::iter::once(&self.params).chain(&self.fallbacks)
    }
}

/// What the opening handshake agreed, with our own sending settings: what a
/// [`Connection`](crate::Connection) needs to run the extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// The agreed parameters (window bits `None` mean 15).
    pub params: DeflateParams,
    /// Messages shorter than this are sent uncompressed.
    pub threshold: usize,
    /// Our compression level.
    pub level: u32,
}

impl Negotiated {
    /// The window `role` may use to compress, 8 to 15.
    pub fn window_bits(&self, role: Role) -> u8 {
        let bits = match role {
            Role::Server => self.params.server_max_window_bits,
            Role::Client => self.params.client_max_window_bits,
        };
        bits.unwrap_or(MAX_WINDOW_BITS)
    }

    /// Whether `role` resets its compression context after each message.
    pub fn no_context_takeover(&self, role: Role) -> bool {
        match role {
            Role::Server => self.params.server_no_context_takeover,
            Role::Client => self.params.client_no_context_takeover,
        }
    }
}
