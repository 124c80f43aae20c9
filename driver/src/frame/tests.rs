//! RFC 6455 section 5.7 example frames, and header edge cases.

use super::*;
use crate::error::ProtocolError;

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// Parses `wire` as one frame and checks that encoding the header again gives the same bytes.
fn parse_exact(wire: &[u8]) -> (FrameHeader, Vec<u8>) {
    let (header, len) = FrameHeader::parse(wire).expect("valid").expect("complete");
    assert_eq!(header.encoded_len(), len);
    let mut encoded = Vec::new();
    header.encode(&mut encoded);
    assert_eq!(encoded, wire[..len], "re-encoded header");
    // Every shorter prefix of the header needs more bytes and consumes nothing.
    for cut in 0..len {
        assert_eq!(FrameHeader::parse(&wire[..cut]), Ok(None), "prefix {cut}");
    }
    let mut payload = wire[len..].to_vec();
    if let Some(key) = header.mask {
        apply_mask(&mut payload, key, 0);
    }
    (header, payload)
}

#[test]
fn single_frame_unmasked_text() {
    let wire = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    let (header, payload) = parse_exact(&wire);
    assert_eq!(header, FrameHeader::new(true, OpCode::Text, None, 5));
    assert_eq!(payload, b"Hello");
}

#[test]
fn single_frame_masked_text() {
    let wire = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    let (header, payload) = parse_exact(&wire);
    assert_eq!(header, FrameHeader::new(true, OpCode::Text, Some(KEY), 5));
    assert_eq!(payload, b"Hello");
}

#[test]
fn fragmented_unmasked_text() {
    let first = [0x01, 0x03, 0x48, 0x65, 0x6c];
    let second = [0x80, 0x02, 0x6c, 0x6f];
    let (h1, p1) = parse_exact(&first);
    let (h2, p2) = parse_exact(&second);
    assert_eq!(h1, FrameHeader::new(false, OpCode::Text, None, 3));
    assert_eq!(h2, FrameHeader::new(true, OpCode::Continuation, None, 2));
    assert_eq!([p1, p2].concat(), b"Hello");
}

#[test]
fn unmasked_ping_and_masked_pong() {
    let ping = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    let pong = [
        0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    let (h, p) = parse_exact(&ping);
    assert_eq!(
        (h.opcode, h.mask, p.as_slice()),
        (OpCode::Ping, None, &b"Hello"[..])
    );
    let (h, p) = parse_exact(&pong);
    assert_eq!(
        (h.opcode, h.mask, p.as_slice()),
        (OpCode::Pong, Some(KEY), &b"Hello"[..])
    );
}

#[test]
fn binary_256_bytes_uses_16_bit_length() {
    let header = FrameHeader::new(true, OpCode::Binary, None, 256);
    let mut wire = Vec::new();
    header.encode(&mut wire);
    assert_eq!(wire, [0x82, 0x7e, 0x01, 0x00]);
    assert_eq!(FrameHeader::parse(&wire), Ok(Some((header, 4))));
}

#[test]
fn binary_64_kib_uses_64_bit_length() {
    let header = FrameHeader::new(true, OpCode::Binary, None, 65536);
    let mut wire = Vec::new();
    header.encode(&mut wire);
    assert_eq!(
        wire,
        [0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]
    );
    assert_eq!(FrameHeader::parse(&wire), Ok(Some((header, 10))));
}

#[test]
fn length_boundaries_round_trip() {
    for len in [0, 1, 125, 126, 127, 0xffff, 0x1_0000, u64::MAX >> 1] {
        for mask in [None, Some(KEY)] {
            let header = FrameHeader::new(false, OpCode::Continuation, mask, len);
            let mut wire = Vec::new();
            header.encode(&mut wire);
            assert_eq!(wire.len(), header.encoded_len());
            assert_eq!(
                FrameHeader::parse(&wire),
                Ok(Some((header, wire.len()))),
                "len {len}"
            );
        }
    }
}

#[test]
fn non_minimal_lengths_are_accepted() {
    let wire = [0x82, 0x7e, 0x00, 0x05];
    let (header, len) = FrameHeader::parse(&wire).expect("valid").expect("complete");
    assert_eq!((header.payload_len, len), (5, 4));
}

#[test]
fn rsv_bits_and_reserved_opcodes_are_parsed_not_judged() {
    let (header, _) = FrameHeader::parse(&[0xf3, 0x00])
        .expect("valid")
        .expect("complete");
    assert_eq!(
        (header.fin, header.rsv, header.opcode),
        (true, 0b111, OpCode::Reserved(3))
    );
}

#[test]
fn sixty_four_bit_length_with_msb_set_is_an_error() {
    let wire = [0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        FrameHeader::parse(&wire),
        Err(ProtocolError::PayloadLengthMsbSet)
    );
}

/// decode(encode(h)) == h for many headers, and every proper prefix asks for more bytes.
#[test]
fn random_headers_round_trip() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..5000 {
        let r = next();
        let payload_len = match r % 4 {
            0 => r >> 57,
            1 => (r >> 48) & 0xffff,
            2 => r >> 33,
            _ => r >> 1,
        };
        let header = FrameHeader {
            fin: r & 1 != 0,
            rsv: ((r >> 1) & 7) as u8,
            opcode: OpCode::from_bits((r >> 4) as u8),
            mask: (r & 0x100 != 0).then(|| (next() as u32).to_ne_bytes()),
            payload_len,
        };
        let mut wire = Vec::new();
        header.encode(&mut wire);
        assert_eq!(
            FrameHeader::parse(&wire),
            Ok(Some((header, wire.len()))),
            "{header:?}"
        );
        for cut in 0..wire.len() {
            assert_eq!(FrameHeader::parse(&wire[..cut]), Ok(None));
        }
    }
}
