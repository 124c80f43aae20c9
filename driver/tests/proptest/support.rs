//! Shared strategies and helpers: frames as a peer sends them, splitting byte streams, and
//! connections fed and drained.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use websocket_driver::frame::{apply_mask_scalar, FrameHeader, OpCode};
use websocket_driver::{Config, Connection, Event, Role};

/// The default configuration (case counts included), with failures kept in
/// `driver/proptest-regressions/<file>` (the tests run from the crate's folder).
pub(crate) fn config(file: &'static str) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}

/// Both roles.
pub(crate) fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Server), Just(Role::Client)]
}

/// The role at the other end.
pub(crate) fn peer_of(role: Role) -> Role {
    match role {
        Role::Server => Role::Client,
        Role::Client => Role::Server,
    }
}

/// Any frame, rules broken or not.
pub(crate) fn raw_frame(
    fin: bool,
    rsv: u8,
    opcode: OpCode,
    mask: Option<[u8; 4]>,
    payload: &[u8],
) -> Vec<u8> {
    let mut header = FrameHeader::new(fin, opcode, mask, payload.len() as u64);
    header.rsv = rsv;
    let mut out = Vec::new();
    header.encode(&mut out);
    let mut body = payload.to_vec();
    if let Some(key) = mask {
        apply_mask_scalar(&mut body, key, 0);
    }
    out.extend_from_slice(&body);
    out
}

/// Sizes of pieces to split a stream into: mostly small, sometimes large.
pub(crate) fn piece_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![4 => 1usize..8, 2 => 8usize..200, 1 => 200usize..5000],
        1..40,
    )
}

/// Splits `bytes` into pieces of the given sizes, cycling through them.
pub(crate) fn split<'a>(bytes: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at(size.clamp(1, rest.len()));
        out.push(piece);
        rest = tail;
    }
    out
}

/// A connection with deterministic masking keys.
pub(crate) fn connection(role: Role, config: Config) -> Connection {
    Connection::with_seed(role, config, 11)
}

/// Drains the events.
pub(crate) fn events(conn: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| conn.poll_event()).collect()
}

/// Takes everything pending for the wire.
pub(crate) fn take_transmit(conn: &mut Connection) -> Vec<u8> {
    let bytes = conn.pending_transmit().to_vec();
    conn.consume_transmit(bytes.len());
    bytes
}
