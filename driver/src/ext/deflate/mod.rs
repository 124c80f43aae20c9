//! permessage-deflate, RFC 7692: negotiation ([`negotiate`]), and the compressor and decompressor
//! of a connection ([`Compressor`], [`Decompressor`]) on flate2 with the zlib-rs backend.
//!
//! > The "permessage-deflate" extension [...] compresses the payload of a message using the
//! > DEFLATE algorithm \[RFC1951\] and uses the byte boundary alignment method introduced in
//! > \[RFC1979\] (section 7).
//!
//! A sender deflates each message with a sync flush and removes the `00 00 ff ff` that ends it,
//! and sets RSV1 on the message's first frame (section 7.2.1); a receiver appends those four
//! bytes again and inflates (section 7.2.2). Each side keeps its LZ77 window from one message to
//! the next ("context takeover") unless the `*_no_context_takeover` parameter was agreed.
//!
//! # Window bits 8
//!
//! zlib cannot deflate raw data with a 256-byte window, and flate2 asserts 9..=15. Before 1.2.9
//! zlib quietly used 9 instead (the usual "use 9 when 8 is agreed" trick); madler/zlib#171 showed
//! that such a stream can refer back 512 bytes, which an inflater that honours the agreed 8 rejects,
//! and zlib 1.2.9 refuses raw 8 since. What the peers do: Python `websockets` inflates with exactly
//! the agreed window and refuses to agree to 8 for its own compression ("use 9"); Autobahn 0.10.9
//! passes the agreed bits to zlib both ways and its cases only ask for 9 and 15. We agree to 8 when
//! asked, and then send that direction's messages uncompressed (RSV1 clear), which RFC 7692 allows
//! for any message: we never exceed a window the peer asked for, at the cost of compression in that
//! one direction. For receiving, we always inflate with a 32 KiB window (15 bits): an inflater with a
//! larger window reads every stream a smaller one does, so the agreed value only limits the peer.

mod codec;
mod config;
pub mod negotiate;

pub use codec::{CompressError, Compressor, Decompressor, InflateError, TAIL};
pub use config::{DeflateConfig, DeflateParams, Negotiated};
pub use negotiate::{accept_offers, offer_header, verify_response, DeflateResponseError};

/// The extension token.
pub const NAME: &str = "permessage-deflate";

/// The smallest window the parameters may name (2^8 = 256 bytes).
pub const MIN_WINDOW_BITS: u8 = 8;

/// The largest window, and the one used when no parameter limits it (2^15 = 32 KiB).
pub const MAX_WINDOW_BITS: u8 = 15;

#[cfg(test)]
mod tests;
