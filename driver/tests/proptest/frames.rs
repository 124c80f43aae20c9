//! Round trips (RFC 6455 section 5.2): a header encodes and parses back to itself, and every frame
//! kind a connection writes comes back whole from a connection of the other role.

use proptest::prelude::*;
use websocket_driver::frame::{FrameHeader, OpCode, MAX_HEADER_LEN};
use websocket_driver::{Config, Event, Message, Role};

use crate::support::{connection, events, peer_of, role, take_transmit};

/// Payload lengths around every boundary of the 7-, 16- and 64-bit encodings.
fn payload_len() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..=125,
        126u64..=0xffff,
        0x1_0000u64..=u64::MAX >> 1,
        prop::sample::select(vec![125u64, 126, 127, 0xffff, 0x1_0000, u64::MAX >> 1]),
    ]
}

/// Any header the encoder may write: every opcode, RSV bits and masking.
fn header() -> impl Strategy<Value = FrameHeader> {
    (
        any::<bool>(),
        0u8..8,
        0u8..16,
        any::<Option<[u8; 4]>>(),
        payload_len(),
    )
        .prop_map(|(fin, rsv, opcode, mask, payload_len)| {
            let mut header = FrameHeader::new(fin, OpCode::from_bits(opcode), mask, payload_len);
            header.rsv = rsv;
            header
        })
}

/// A frame the application may send: a data frame, or a control frame of at most 125 bytes.
#[derive(Clone, Debug)]
enum Sendable {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

fn sendable() -> impl Strategy<Value = Sendable> {
    prop_oneof![
        ".{0,300}".prop_map(Sendable::Text),
        prop::collection::vec(any::<u8>(), 0..70_000).prop_map(Sendable::Binary),
        prop::collection::vec(any::<u8>(), 0..=125).prop_map(Sendable::Ping),
        prop::collection::vec(any::<u8>(), 0..=125).prop_map(Sendable::Pong),
    ]
}

proptest! {
    #![proptest_config(crate::support::config("proptest-regressions/frames.txt"))]

    #[test]
    fn header_encodes_and_parses_back(header in header(), trailing in prop::collection::vec(any::<u8>(), 0..4)) {
        let mut bytes = Vec::new();
        header.encode(&mut bytes);
        prop_assert_eq!(bytes.len(), header.encoded_len(), "encoded_len disagrees with encode");
        let encoded = bytes.len();
        bytes.extend_from_slice(&trailing);
        prop_assert_eq!(
            FrameHeader::parse(&bytes),
            Ok(Some((header, encoded))),
            "parse(encode(h)) != h, or it consumed the wrong length"
        );
        for cut in 0..encoded {
            prop_assert_eq!(
                FrameHeader::parse(&bytes[..cut]),
                Ok(None),
                "a header cut at {} of {} must ask for more", cut, encoded
            );
        }
        prop_assert!(encoded <= MAX_HEADER_LEN, "header of {} bytes", encoded);
    }

    #[test]
    fn every_frame_kind_round_trips_between_roles(role in role(), frame in sendable()) {
        let config = Config { max_length: 1 << 20, ..Config::default() };
        let mut sender = connection(role, config.clone());
        let mut receiver = connection(peer_of(role), config);
        let expected = match &frame {
            Sendable::Text(text) => {
                sender.send_text(text).expect("open");
                Event::Message(Message::Text(text.clone()))
            }
            Sendable::Binary(data) => {
                sender.send_binary(data).expect("open");
                Event::Message(Message::Binary(data.clone()))
            }
            Sendable::Ping(payload) => {
                sender.send_ping(payload).expect("open, short");
                Event::Ping(payload.clone())
            }
            Sendable::Pong(payload) => {
                sender.send_pong(payload).expect("open, short");
                Event::Pong(payload.clone())
            }
        };
        let wire = take_transmit(&mut sender);
        let (header, _) = FrameHeader::parse(&wire).expect("valid").expect("complete");
        prop_assert_eq!(header.mask.is_some(), role == Role::Client, "only clients mask");
        prop_assert_eq!(header.encoded_len() as u64 + header.payload_len, wire.len() as u64, "one frame, minimal length");
        receiver.handle_bytes(&wire);
        prop_assert_eq!(events(&mut receiver), vec![expected], "decode(encode(frame))");
    }
}
