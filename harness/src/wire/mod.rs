//! The harness's own RFC 6455 frame codec (section 5.2 "Base Framing Protocol").
//!
//! It is deliberately not a validating parser. [`encode_frame`] writes any frame, valid or not: any
//! opcode, FIN, RSV bits, mask or no mask, and a length field that may lie about the payload.
//! [`Decoder`] accepts whatever the peer sends and yields every frame header with all its
//! fields, then the unmasked payload in the chunks in which it arrived, so the engine can apply
//! Autobahn's checks in Autobahn's order (and fail fast on UTF-8 inside a frame).
//! [`Violation`] names the rules a header breaks, with Autobahn's wording.
//!
//! The harness does not depend on the driver crate: a conformance tool must not share its
//! parser with the implementation it is used to test.

mod decode;
mod encode;
mod violation;

pub use decode::{DecodedFrame, Decoder, FrameCollector, FrameHead, Item};
pub use encode::{apply_mask, chop, encode_frame, encode_header, FrameSpec};
pub use violation::{Sender, Violation};

/// The opcode of a continuation frame.
pub const OP_CONTINUATION: u8 = 0;
/// The opcode of a text frame.
pub const OP_TEXT: u8 = 1;
/// The opcode of a binary frame.
pub const OP_BINARY: u8 = 2;
/// The opcode of a close frame.
pub const OP_CLOSE: u8 = 8;
/// The opcode of a ping frame.
pub const OP_PING: u8 = 9;
/// The opcode of a pong frame.
pub const OP_PONG: u8 = 10;
