//! Frame opcodes, RFC 6455 section 5.2 and section 11.8.
//!
//! > %x0 denotes a continuation frame, %x1 denotes a text frame, %x2 denotes a binary frame,
//! > %x3-7 are reserved for further non-control frames, %x8 denotes a connection close,
//! > %x9 denotes a ping, %xA denotes a pong, %xB-F are reserved for further control frames.

use std::fmt;

/// The 4-bit opcode of a frame. Reserved values are kept, so a received frame can be reported exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpCode {
    /// `%x0`: continues a fragmented data message.
    Continuation,
    /// `%x1`: the first frame of a text message.
    Text,
    /// `%x2`: the first frame of a binary message.
    Binary,
    /// `%x8`: starts or answers the closing handshake (section 5.5.1).
    Close,
    /// `%x9`: a ping (section 5.5.2).
    Ping,
    /// `%xA`: a pong (section 5.5.3).
    Pong,
    /// `%x3-7` and `%xB-F`: reserved; receiving one fails the connection with 1002.
    Reserved(u8),
}

impl OpCode {
    /// Decodes the low four bits of `bits`.
    pub fn from_bits(bits: u8) -> Self {
        match bits & 0x0f {
            0x0 => Self::Continuation,
            0x1 => Self::Text,
            0x2 => Self::Binary,
            0x8 => Self::Close,
            0x9 => Self::Ping,
            0xa => Self::Pong,
            other => Self::Reserved(other),
        }
    }

    /// The 4-bit wire value.
    pub fn bits(self) -> u8 {
        match self {
            Self::Continuation => 0x0,
            Self::Text => 0x1,
            Self::Binary => 0x2,
            Self::Close => 0x8,
            Self::Ping => 0x9,
            Self::Pong => 0xa,
            Self::Reserved(bits) => bits & 0x0f,
        }
    }

    /// Control frames have the high bit of the opcode set (section 5.5), reserved ones included.
    pub fn is_control(self) -> bool {
        self.bits() & 0x08 != 0
    }

    /// Data frames: continuation, text, binary and the reserved `%x3-7`.
    pub fn is_data(self) -> bool {
        !self.is_control()
    }

    /// Whether the opcode is one of the reserved values no extension defines here.
    pub fn is_reserved(self) -> bool {
        matches!(self, Self::Reserved(_))
    }
}

impl From<u8> for OpCode {
    fn from(bits: u8) -> Self {
        Self::from_bits(bits)
    }
}

impl From<OpCode> for u8 {
    fn from(op: OpCode) -> Self {
        op.bits()
    }
}

impl fmt::Display for OpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Continuation => f.write_str("continuation"),
            Self::Text => f.write_str("text"),
            Self::Binary => f.write_str("binary"),
            Self::Close => f.write_str("close"),
            Self::Ping => f.write_str("ping"),
            Self::Pong => f.write_str("pong"),
            Self::Reserved(bits) => write!(f, "reserved opcode {bits:#x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value() {
        for bits in 0u8..16 {
            let op = OpCode::from_bits(bits);
            assert_eq!(op.bits(), bits);
            assert_eq!(op.is_control(), bits >= 8);
            assert_eq!(op.is_reserved(), matches!(bits, 3..=7 | 11..=15), "{bits}");
        }
    }

    #[test]
    fn displays_lowercase() {
        assert_eq!(OpCode::Text.to_string(), "text");
        assert_eq!(OpCode::Reserved(0xb).to_string(), "reserved opcode 0xb");
    }
}
