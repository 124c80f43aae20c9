//! Garbage (RFC 6455 section 7.1.7, and section 10.4 on limits): random bytes, alone or after
//! valid frames, never panic and never grow memory past what the limits allow, and end either in
//! a close (1002, 1007 or 1009 after a protocol error, or the peer's own close) or in a wait for
//! more bytes with the connection still open.

use proptest::prelude::*;
use websocket_driver::fuzzing;
use websocket_driver::{Config, Event, ReadyState, Role};

use crate::alloc::peak_growth;
use crate::chunking::peer_stream;
use crate::support::{connection, events, piece_sizes, role, split, take_transmit};

/// The message limit here: small, so that garbage announcing long frames meets it.
const MAX_LENGTH: usize = 1024;

/// Bytes that are random, or random after some valid frames, or random frame headers.
fn garbage(role: Role) -> impl Strategy<Value = Vec<u8>> {
    let random = prop::collection::vec(any::<u8>(), 0..2048);
    prop_oneof![
        random.clone(),
        (peer_stream(role), random).prop_map(|(mut valid, tail)| {
            valid.extend(tail);
            valid
        }),
        // Headers announcing anything, each followed by a little payload.
        prop::collection::vec(
            (
                any::<u8>(),
                any::<u8>(),
                prop::collection::vec(any::<u8>(), 0..20)
            ),
            1..20
        )
        .prop_map(|frames| frames
            .into_iter()
            .flat_map(|(b0, b1, rest)| {
                let mut f = vec![b0, b1];
                f.extend(rest);
                f
            })
            .collect()),
    ]
}

/// How much the heap may grow while `piece` is handled: a message buffer within twice the limit
/// (vector doubling), plus bookkeeping proportional to the piece (events, pongs, copies).
fn allowed_growth(piece: usize) -> usize {
    2 * MAX_LENGTH + 64 * piece + 16 * 1024
}

proptest! {
    #![proptest_config(crate::support::config("proptest-regressions/garbage.txt"))]

    #[test]
    fn garbage_ends_in_a_close_or_a_wait_within_the_limits(
        (role, bytes) in role().prop_flat_map(|r| (Just(r), garbage(r))),
        sizes in piece_sizes(),
    ) {
        let config = Config { max_length: MAX_LENGTH, ..Config::default() };
        let mut conn = connection(role, config.clone());
        let mut all = Vec::new();
        for piece in split(&bytes, &sizes) {
            let ((), grown) = peak_growth(|| conn.handle_bytes(piece));
            prop_assert!(
                grown <= allowed_growth(piece.len()),
                "{:?}: the heap grew {} bytes on a piece of {}", role, grown, piece.len()
            );
            all.extend(events(&mut conn));
            take_transmit(&mut conn);
        }
        fuzzing::check_events(&all, &config);
        match all.iter().rev().take(2).collect::<Vec<_>>()[..] {
            [Event::Close { code, .. }, Event::Error(error)] => prop_assert!(
                matches!(code, 1002 | 1007 | 1009) && *code == error.close_code().0,
                "{:?}: error {} closed with {}", role, error, code
            ),
            [Event::Close { code, .. }, ..] => prop_assert!(
                websocket_driver::CloseCode(*code).is_allowed_on_wire(),
                "{:?}: a peer close with code {}", role, code
            ),
            _ => prop_assert_eq!(conn.ready_state(), ReadyState::Open, "no close event, so waiting for bytes"),
        }
        if conn.ready_state() == ReadyState::Closed {
            let before = all.len();
            conn.handle_bytes(&bytes);
            prop_assert_eq!(events(&mut conn).len(), 0, "events after the close ({} before)", before);
            prop_assert!(take_transmit(&mut conn).is_empty(), "wrote after the close");
        }
    }

    #[test]
    fn the_fuzzing_entry_points_hold_on_garbage(seed in any::<u8>(), bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut input = vec![seed];
        input.extend(&bytes);
        fuzzing::parse_frames(Role::Server, &input);
        fuzzing::parse_frames(Role::Client, &input);
        fuzzing::utf8(&input);
        fuzzing::handshake_request(&bytes);
        fuzzing::handshake_response(&bytes);
    }
}

/// With permessage-deflate on: compressed payloads that are garbage, or that inflate far past
/// the limit (bombs), fail the connection with 1007 or 1009 without the heap growing past what
/// the limit allows (plus zlib's own state, allocated once).
#[cfg(feature = "deflate")]
mod compressed {
    use proptest::prelude::*;
    use websocket_driver::ext::deflate::{Compressor, DeflateParams, Negotiated};
    use websocket_driver::frame::OpCode;
    use websocket_driver::{Config, Event, ReadyState};

    use super::{allowed_growth, MAX_LENGTH};
    use crate::alloc::peak_growth;
    use crate::support::{connection, events, piece_sizes, raw_frame, role, split, take_transmit};

    /// zlib's inflate state and window, and the decompressor's output chunk.
    const ZLIB_STATE: usize = 128 * 1024;

    /// A compressed payload: deflated zeros or repeats (a bomb when long), or random bytes.
    fn payload() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (1usize..400_000, any::<u8>()).prop_map(|(n, byte)| deflate(&vec![byte; n])),
            prop::collection::vec(any::<u8>(), 0..600).prop_map(|data| deflate(&data)),
            prop::collection::vec(any::<u8>(), 0..600),
        ]
    }

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut compressor = Compressor::new(6, 15, false).expect("15-bit window");
        let mut out = Vec::new();
        compressor.compress(data, &mut out).expect("compresses");
        out
    }

    proptest! {
        #![proptest_config(crate::support::config("proptest-regressions/garbage.txt"))]

        #[test]
        fn compressed_garbage_and_bombs_stay_within_the_limits(
            role in role(),
            text in any::<bool>(),
            payloads in prop::collection::vec(payload(), 1..4),
            sizes in piece_sizes(),
        ) {
            let config = Config { max_length: MAX_LENGTH, ..Config::default() };
            let mut conn = connection(role, config);
            conn.enable_deflate(&Negotiated { params: DeflateParams::new(), threshold: 0, level: 6 });
            let mask = role.is_server().then_some([1, 2, 3, 4]);
            let opcode = if text { OpCode::Text } else { OpCode::Binary };
            let wire: Vec<u8> = payloads
                .iter()
                .flat_map(|p| raw_frame(true, 0b100, opcode, mask, p))
                .collect();
            let mut all = Vec::new();
            for piece in split(&wire, &sizes) {
                let ((), grown) = peak_growth(|| conn.handle_bytes(piece));
                prop_assert!(
                    grown <= allowed_growth(piece.len()) + ZLIB_STATE,
                    "{:?}: the heap grew {} bytes on a piece of {}", role, grown, piece.len()
                );
                all.extend(events(&mut conn));
                take_transmit(&mut conn);
            }
            websocket_driver::fuzzing::check_events(&all, &Config { max_length: MAX_LENGTH, ..Config::default() });
            match all.last() {
                Some(Event::Close { code, .. }) => prop_assert!(
                    matches!(code, 1007 | 1009),
                    "{:?}: compressed garbage closed with {}", role, code
                ),
                _ => prop_assert_eq!(conn.ready_state(), ReadyState::Open, "no close, so all delivered"),
            }
        }
    }
}
