//! The base framing header, RFC 6455 section 5.2.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               |Masking-key, if MASK set to 1  |
//! +-------------------------------+-------------------------------+
//! ```
//!
//! > If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most significant
//! > bit MUST be 0) are the payload length.
//!
//! Parsing is syntactic: RSV bits, reserved opcodes and mask direction are judged by the connection,
//! which knows its role and extensions. Non-minimal length encodings are accepted, as receivers do.

use super::OpCode;
use crate::error::ProtocolError;

/// The longest header: 2 bytes, an 8-byte length and a 4-byte masking key.
pub const MAX_HEADER_LEN: usize = 14;

/// A parsed frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// FIN: this is the final fragment of a message.
    pub fin: bool,
    /// RSV1, RSV2, RSV3 as the low three bits (RSV1 = `0b100`).
    pub rsv: u8,
    /// The opcode.
    pub opcode: OpCode,
    /// The masking key, present when the MASK bit is set.
    pub mask: Option<[u8; 4]>,
    /// The payload length in bytes.
    pub payload_len: u64,
}

impl FrameHeader {
    /// A header with no RSV bits, for frames we send.
    pub fn new(fin: bool, opcode: OpCode, mask: Option<[u8; 4]>, payload_len: u64) -> Self {
        Self {
            fin,
            rsv: 0,
            opcode,
            mask,
            payload_len,
        }
    }

    /// Parses a header from the start of `buf`.
    ///
    /// Returns `Ok(None)` when `buf` holds only part of a header (nothing is consumed), and
    /// `Ok(Some((header, n)))` with the header length `n` otherwise.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::PayloadLengthMsbSet`] for a 64-bit length with its most significant bit set.
    pub fn parse(buf: &[u8]) -> Result<Option<(Self, usize)>, ProtocolError> {
        let [b0, b1, rest @ ..] = buf else {
            return Ok(None);
        };
        let (payload_len, len_bytes) = match b1 & 0x7f {
            126 => match rest {
                [a, b, ..] => (u64::from(u16::from_be_bytes([*a, *b])), 2),
                _ => return Ok(None),
            },
            127 => match rest {
                [a, b, c, d, e, f, g, h, ..] => {
                    let len = u64::from_be_bytes([*a, *b, *c, *d, *e, *f, *g, *h]);
                    if len >> 63 != 0 {
                        return Err(ProtocolError::PayloadLengthMsbSet);
                    }
                    (len, 8)
                }
                _ => return Ok(None),
            },
            short => (u64::from(short), 0),
        };
        let rest = &rest[len_bytes..];
        let mask = if b1 & 0x80 != 0 {
            match rest {
                [a, b, c, d, ..] => Some([*a, *b, *c, *d]),
                _ => return Ok(None),
            }
        } else {
            None
        };
        let header = Self {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 0x07,
            opcode: OpCode::from_bits(*b0),
            mask,
            payload_len,
        };
        Ok(Some((
            header,
            2 + len_bytes + if mask.is_some() { 4 } else { 0 },
        )))
    }

    /// The encoded length of this header: 2 to 14 bytes.
    pub fn encoded_len(&self) -> usize {
        let len_bytes = match self.payload_len {
            0..=125 => 0,
            126..=0xffff => 2,
            _ => 8,
        };
        2 + len_bytes + if self.mask.is_some() { 4 } else { 0 }
    }

    /// Appends the header to `out`, with the shortest length encoding (section 5.2 "minimal number of bytes").
    pub fn encode(&self, out: &mut Vec<u8>) {
        let b0 = (u8::from(self.fin) << 7) | ((self.rsv & 0x07) << 4) | self.opcode.bits();
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        match self.payload_len {
            // The match arms bound the value, so the narrowing casts are exact.
            len @ 0..=125 => out.extend_from_slice(&[b0, mask_bit | len as u8]),
            len @ 126..=0xffff => {
                out.extend_from_slice(&[b0, mask_bit | 126]);
                out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            len => {
                out.extend_from_slice(&[b0, mask_bit | 127]);
                out.extend_from_slice(&len.to_be_bytes());
            }
        }
        if let Some(key) = self.mask {
            out.extend_from_slice(&key);
        }
    }
}
