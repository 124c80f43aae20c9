//! The framing rules a single frame header can break (RFC 6455 sections 5.1 to 5.5), named and
//! worded as Autobahn's protocol layer names them when it fails a connection.

use std::fmt;

use super::decode::FrameHead;

/// Which endpoint wrote a frame: decides the masking rule (section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// A client wrote it: it must be masked.
    Client,
    /// A server wrote it: it must not be masked.
    Server,
}

/// A rule broken by a frame header, given the fragmentation state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// RSV bits set without a negotiated extension (section 5.2).
    ReservedBitsSet(u8),
    /// A client frame without the MASK bit (section 5.1).
    UnmaskedClientFrame,
    /// A server frame with the MASK bit (section 5.1).
    MaskedServerFrame,
    /// A control frame without FIN (section 5.5).
    FragmentedControlFrame,
    /// A control frame announcing more than 125 payload octets (section 5.5).
    ControlFrameTooLong,
    /// A reserved control opcode, 11 to 15 (section 5.2).
    ReservedControlOpcode(u8),
    /// A close frame with a one-octet payload (section 5.5.1).
    CloseWithOneOctet,
    /// A reserved data opcode, 3 to 7 (section 5.2).
    ReservedDataOpcode(u8),
    /// A continuation frame with no message to continue (section 5.4).
    ContinuationOutsideMessage,
    /// A text or binary frame while a fragmented message is unfinished (section 5.4).
    NewMessageInsideMessage,
    /// An extended length that would have fit in a shorter form (section 5.2).
    NonMinimalLength,
    /// A 64-bit length with the most significant bit set (section 5.2).
    LengthTooLarge,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Autobahn's reason strings: they end up in the close frame the harness sends and in
        // the report's localCloseReason, so they are kept word for word.
        match self {
            Self::ReservedBitsSet(r) => write!(f, "RSV = {r} and no extension negotiated"),
            Self::UnmaskedClientFrame => f.write_str("unmasked client-to-server frame"),
            Self::MaskedServerFrame => f.write_str("masked server-to-client frame"),
            Self::FragmentedControlFrame => f.write_str("fragmented control frame"),
            Self::ControlFrameTooLong => {
                f.write_str("control frame with payload length > 125 octets")
            }
            Self::ReservedControlOpcode(o) => write!(f, "control frame using reserved opcode {o}"),
            Self::CloseWithOneOctet => {
                f.write_str("received close control frame with payload len 1")
            }
            Self::ReservedDataOpcode(o) => write!(f, "data frame using reserved opcode {o}"),
            Self::ContinuationOutsideMessage => {
                f.write_str("received continuation data frame outside fragmented message")
            }
            Self::NewMessageInsideMessage => {
                f.write_str("received non-continuation data frame while inside fragmented message")
            }
            Self::NonMinimalLength => {
                f.write_str("invalid data frame length (not using minimal length encoding)")
            }
            Self::LengthTooLarge => f.write_str("invalid data frame length (>2^63)"),
        }
    }
}

impl FrameHead {
    /// Every rule this header breaks, in the order Autobahn checks them (reserved bits,
    /// masking, control or data rules, then the length encoding). `sender` is the endpoint
    /// that wrote the frame; `inside_message` tells whether a fragmented message is unfinished.
    ///
    /// The order matters: the first violation becomes the reason of the close frame the
    /// harness sends, and a second one makes it drop the TCP connection.
    pub fn violations(&self, sender: Sender, inside_message: bool) -> Vec<Violation> {
        let mut v = Vec::new();
        if self.rsv != 0 {
            v.push(Violation::ReservedBitsSet(self.rsv));
        }
        match sender {
            Sender::Client if !self.masked => v.push(Violation::UnmaskedClientFrame),
            Sender::Server if self.masked => v.push(Violation::MaskedServerFrame),
            _ => {}
        }
        if self.is_control() {
            if !self.fin {
                v.push(Violation::FragmentedControlFrame);
            }
            if self.len_code > 125 {
                v.push(Violation::ControlFrameTooLong);
            }
            if !matches!(self.opcode, 8..=10) {
                v.push(Violation::ReservedControlOpcode(self.opcode));
            }
            if self.opcode == 8 && self.len_code == 1 {
                v.push(Violation::CloseWithOneOctet);
            }
        } else {
            if self.opcode > 2 {
                v.push(Violation::ReservedDataOpcode(self.opcode));
            }
            if !inside_message && self.opcode == 0 {
                v.push(Violation::ContinuationOutsideMessage);
            }
            if inside_message && self.opcode != 0 {
                v.push(Violation::NewMessageInsideMessage);
            }
        }
        match self.len_code {
            126 if self.payload_len < 126 => v.push(Violation::NonMinimalLength),
            127 if self.payload_len > 0x7fff_ffff_ffff_ffff => v.push(Violation::LengthTooLarge),
            127 if self.payload_len < 65536 => v.push(Violation::NonMinimalLength),
            _ => {}
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(b0: u8, b1: u8, ext: &[u8]) -> FrameHead {
        let mut bytes = vec![b0, b1];
        bytes.extend_from_slice(ext);
        FrameHead::parse(&bytes).expect("complete header")
    }

    #[test]
    fn valid_frames_break_nothing() {
        assert!(head(0x81, 0x05, &[])
            .violations(Sender::Server, false)
            .is_empty());
        assert!(head(0x00, 0x80, &[1, 2, 3, 4])
            .violations(Sender::Client, true)
            .is_empty());
        assert!(head(0x89, 0x00, &[])
            .violations(Sender::Server, true)
            .is_empty());
    }

    #[test]
    fn records_each_rule_in_autobahn_order() {
        assert_eq!(
            head(0x71, 0x80, &[0; 4]).violations(Sender::Server, false),
            [Violation::ReservedBitsSet(7), Violation::MaskedServerFrame]
        );
        assert_eq!(
            head(0x0b, 126, &[0, 200]).violations(Sender::Server, false),
            [
                Violation::FragmentedControlFrame,
                Violation::ControlFrameTooLong,
                Violation::ReservedControlOpcode(11),
            ]
        );
        assert_eq!(
            head(0x88, 0x01, &[]).violations(Sender::Server, false),
            [Violation::CloseWithOneOctet]
        );
        assert_eq!(
            head(0x83, 0x00, &[]).violations(Sender::Server, true),
            [
                Violation::ReservedDataOpcode(3),
                Violation::NewMessageInsideMessage
            ]
        );
        assert_eq!(
            head(0x80, 0x00, &[]).violations(Sender::Client, false),
            [
                Violation::UnmaskedClientFrame,
                Violation::ContinuationOutsideMessage
            ]
        );
        assert_eq!(
            head(0x82, 126, &[0, 5]).violations(Sender::Server, false),
            [Violation::NonMinimalLength]
        );
        let mut big = [0u8; 8];
        big[0] = 0x80;
        assert_eq!(
            head(0x82, 127, &big).violations(Sender::Server, false),
            [Violation::LengthTooLarge]
        );
        assert_eq!(
            head(0x82, 127, &[0, 0, 0, 0, 0, 0, 1, 0]).violations(Sender::Server, false),
            [Violation::NonMinimalLength]
        );
    }

    #[test]
    fn reasons_are_autobahns_words() {
        assert_eq!(
            Violation::ReservedBitsSet(1).to_string(),
            "RSV = 1 and no extension negotiated"
        );
        assert_eq!(
            Violation::ReservedControlOpcode(11).to_string(),
            "control frame using reserved opcode 11"
        );
    }
}
