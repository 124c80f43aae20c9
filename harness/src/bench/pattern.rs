//! The messages the load generator sends, built once per run so that sending costs no
//! per-message work beyond writing a sequence number.
//!
//! Every message is the same ASCII payload (valid UTF-8, so it serves text messages too)
//! except its first [`SEQ_LEN`] octets, which carry the connection's message number as
//! letters `a`..`p` (one per nibble). The frame is built and masked once; sending message `n`
//! only rewrites those octets, already masked. An echo is checked against the same pattern
//! with the expected number, so a reordered, lost, duplicated or corrupted echo is caught.

use crate::wire::{apply_mask, encode_header};

/// How many payload octets carry the message number (fewer when the payload is shorter).
pub(super) const SEQ_LEN: usize = 8;

/// The masking key of every frame sent. RFC 6455 asks clients for unpredictable keys to
/// protect intermediaries; a load generator on loopback needs none, and one key for the
/// whole run lets every connection share one masked frame.
const KEY: [u8; 4] = [0x5a, 0x3c, 0x96, 0xe1];

/// A payload octet at `i`: printable ASCII that differs between neighbours, so that a shift
/// by a few octets shows.
fn payload_octet(i: usize) -> u8 {
    b' ' + (i % 89) as u8 + 5
}

/// The message number as the payload carries it.
fn seq_octets(seq: u64) -> [u8; SEQ_LEN] {
    let mut out = [0u8; SEQ_LEN];
    for (i, octet) in out.iter_mut().enumerate() {
        *octet = b'a' + ((seq >> (4 * i)) & 0xf) as u8;
    }
    out
}

/// Writes message number `seq` at the start of `payload`, masked or not.
fn write_seq(payload: &mut [u8], seq: u64, masked: bool) {
    let n = SEQ_LEN.min(payload.len());
    let mut octets = seq_octets(seq);
    if masked {
        apply_mask(KEY, 0, &mut octets);
    }
    payload[..n].copy_from_slice(&octets[..n]);
}

/// One run's message: the frame to send and what its echo must look like.
#[derive(Debug)]
pub struct Pattern {
    /// The opcode sent and expected back (1 text, 2 binary).
    pub opcode: u8,
    /// The payload size in octets.
    pub size: usize,
    /// Whether the peer is a raw TCP echo: it returns our masked frames octet for octet,
    /// instead of an unmasked frame with the unmasked payload.
    pub raw: bool,
    /// The whole masked frame as sent, with message number 0.
    frame: Vec<u8>,
    header_len: usize,
    /// The payload the echo must carry (masked for a raw echo), with message number 0.
    expected: Vec<u8>,
}

impl Pattern {
    /// Builds the frame and the expected echo for `size`-octet messages of `opcode`.
    pub fn new(opcode: u8, size: usize, raw: bool) -> Self {
        let plain: Vec<u8> = (0..size).map(payload_octet).collect();
        let header = encode_header(true, 0, opcode, Some(KEY), size as u64);
        let mut frame = Vec::with_capacity(header.len() + size);
        frame.extend_from_slice(&header);
        frame.extend_from_slice(&plain);
        apply_mask(KEY, 0, &mut frame[header.len()..]);
        let expected = if raw {
            frame[header.len()..].to_vec()
        } else {
            plain
        };
        let mut pattern = Self {
            opcode,
            size,
            raw,
            frame,
            header_len: header.len(),
            expected,
        };
        let (frame, expected) = (&mut pattern.frame, &mut pattern.expected);
        let len = pattern.header_len;
        write_seq(&mut frame[len..], 0, true);
        write_seq(expected, 0, raw);
        pattern
    }

    /// The frame of message number 0; [`patch`](Self::patch) turns a copy into another one.
    pub fn frame(&self) -> &[u8] {
        &self.frame
    }

    /// Rewrites the message number in a copy of [`frame`](Self::frame).
    pub fn patch(&self, frame: &mut [u8], seq: u64) {
        write_seq(&mut frame[self.header_len..], seq, true);
    }

    /// The key a raw echo returns in its headers.
    pub fn key(&self) -> [u8; 4] {
        KEY
    }

    /// How many payload octets carry the message number.
    pub fn seq_len(&self) -> usize {
        SEQ_LEN.min(self.size)
    }

    /// The first [`seq_len`](Self::seq_len) octets message `seq`'s echo must carry.
    pub fn expected_seq(&self, seq: u64) -> [u8; SEQ_LEN] {
        let mut out = seq_octets(seq);
        if self.raw {
            apply_mask(KEY, 0, &mut out);
        }
        out
    }

    /// What the echo's payload must hold at `offset..offset + len`, apart from the message
    /// number.
    pub fn expected(&self, offset: usize, len: usize) -> &[u8] {
        &self.expected[offset..offset + len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patched_frame_unmasks_to_the_numbered_payload() {
        let p = Pattern::new(2, 20, false);
        let mut frame = p.frame().to_vec();
        p.patch(&mut frame, 0x1234_5678_9abc);
        assert_eq!(&frame[..2], [0x82, 0x80 | 20]);
        assert_eq!(&frame[2..6], KEY);
        let mut payload = frame[6..].to_vec();
        apply_mask(KEY, 0, &mut payload);
        assert_eq!(&payload[..8], b"mlkjihgf");
        assert_eq!(&payload[8..], p.expected(8, 12));
        assert_eq!(p.expected_seq(0x1234_5678_9abc), *b"mlkjihgf");
        assert!(std::str::from_utf8(&payload).is_ok());
    }

    #[test]
    fn raw_echo_expects_the_masked_octets() {
        let p = Pattern::new(1, 12, true);
        let mut frame = p.frame().to_vec();
        p.patch(&mut frame, 7);
        assert_eq!(&frame[6..14], p.expected_seq(7));
        assert_eq!(&frame[14..], p.expected(8, 4));
    }

    #[test]
    fn short_payloads_carry_part_of_the_number() {
        let p = Pattern::new(2, 3, false);
        let mut frame = p.frame().to_vec();
        p.patch(&mut frame, 0xfff);
        assert_eq!(frame.len(), 2 + 4 + 3);
        assert_eq!(p.seq_len(), 3);
        let mut payload = frame[6..].to_vec();
        apply_mask(KEY, 0, &mut payload);
        assert_eq!(payload, b"ppp");
    }
}
