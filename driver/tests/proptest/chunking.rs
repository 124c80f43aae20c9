//! Chunking invariance (RFC 6455 section 5: a frame may arrive in any number of TCP reads):
//! splitting the byte stream into pieces of any sizes gives the same events and the same output.

use proptest::prelude::*;
use websocket_driver::frame::OpCode;
use websocket_driver::{Config, Event, Role};

use crate::support::{connection, events, piece_sizes, raw_frame, role, split, take_transmit};

/// One frame a peer may send, including some that break a rule.
#[derive(Clone, Debug)]
pub(crate) struct PeerFrame {
    pub(crate) fin: bool,
    pub(crate) rsv: u8,
    pub(crate) opcode: OpCode,
    /// Masked as the rules want (else the other way, a violation).
    pub(crate) right_masking: bool,
    pub(crate) key: [u8; 4],
    pub(crate) payload: Vec<u8>,
}

impl PeerFrame {
    pub(crate) fn encode(&self, role: Role) -> Vec<u8> {
        let masked = role.is_server() == self.right_masking;
        raw_frame(
            self.fin,
            self.rsv,
            self.opcode,
            masked.then_some(self.key),
            &self.payload,
        )
    }
}

fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        12 => ".{0,20}".prop_map(String::into_bytes),
        6 => prop::collection::vec(any::<u8>(), 0..300),
        // Past 65535 bytes: the 64-bit length. Rare, as it costs most of the suite's time.
        1 => prop::collection::vec(any::<u8>(), 65_530..66_000),
    ]
}

/// Mostly well-formed frames (fragments in any order, control frames, close frames), with a few
/// rule breakers: RSV bits, reserved opcodes, wrong masking.
pub(crate) fn peer_frame() -> impl Strategy<Value = PeerFrame> {
    let opcode = prop_oneof![
        6 => prop::sample::select(vec![OpCode::Text, OpCode::Binary, OpCode::Continuation]),
        3 => prop::sample::select(vec![OpCode::Ping, OpCode::Pong]),
        1 => Just(OpCode::Close),
        1 => (3u8..16).prop_map(OpCode::from_bits),
    ];
    (
        any::<bool>(),
        prop_oneof![20 => Just(0u8), 1 => 1u8..8],
        opcode,
        prop::bool::weighted(0.97),
        any::<[u8; 4]>(),
        payload(),
    )
        .prop_map(|(fin, rsv, opcode, right_masking, key, mut payload)| {
            if opcode.is_control() {
                payload.truncate(125);
            }
            PeerFrame {
                fin: fin || opcode.is_control(),
                rsv,
                opcode,
                right_masking,
                key,
                payload,
            }
        })
}

/// The stream of a few frames.
pub(crate) fn peer_stream(role: Role) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(peer_frame(), 0..12)
        .prop_map(move |frames| frames.iter().flat_map(|f| f.encode(role)).collect())
}

fn run(role: Role, pieces: &[&[u8]]) -> (Vec<Event>, Vec<u8>) {
    let mut conn = connection(
        role,
        Config {
            max_length: 100_000,
            ..Config::default()
        },
    );
    for piece in pieces {
        conn.handle_bytes(piece);
    }
    (events(&mut conn), take_transmit(&mut conn))
}

proptest! {
    #![proptest_config(crate::support::config("proptest-regressions/chunking.txt"))]

    #[test]
    fn any_split_gives_the_same_events_and_output(
        (role, bytes) in role().prop_flat_map(|r| (Just(r), peer_stream(r))),
        sizes in piece_sizes(),
    ) {
        let whole = run(role, &[&bytes]);
        let pieces = split(&bytes, &sizes);
        let split = run(role, &pieces);
        prop_assert_eq!(&split, &whole, "{:?}: {} pieces gave other events or output", role, pieces.len());
        // Byte by byte too, where it stays cheap (a 70 kB frame takes 70 000 calls in debug).
        if bytes.len() <= 4096 {
            let one_by_one = run(role, &bytes.chunks(1).collect::<Vec<_>>());
            prop_assert_eq!(&one_by_one, &whole, "{:?}: byte by byte gave other events or output", role);
        }
    }
}
