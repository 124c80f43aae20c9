//! Connection tests: helpers to build frames as a peer would, and to read what we wrote.

mod chunking;
mod closing;
#[cfg(feature = "deflate")]
mod deflate;
mod messages;
mod rfc;
mod roundtrip;
mod violations;

use std::time::{Duration, Instant};

use super::{Config, Connection, Event, Role};
use crate::frame::{apply_mask_scalar, FrameHeader, OpCode};

pub(super) const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// One frame as the peer of `role` sends it: masked with [`KEY`] towards a server.
pub(super) fn frame_to(role: Role, fin: bool, opcode: OpCode, payload: &[u8]) -> Vec<u8> {
    let mask = role.is_server().then_some(KEY);
    raw_frame(fin, 0, opcode, mask, payload)
}

/// Any frame, including ones that break the rules.
pub(super) fn raw_frame(
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

/// A close frame to `role` with `code` and `reason`.
pub(super) fn close_to(role: Role, code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_bytes());
    frame_to(role, true, OpCode::Close, &payload)
}

pub(super) fn server() -> Connection {
    Connection::new(Role::Server, Config::default())
}

pub(super) fn client() -> Connection {
    Connection::with_seed(Role::Client, Config::default(), 7)
}

/// Drains the events.
pub(super) fn events(conn: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| conn.poll_event()).collect()
}

/// A frame we wrote, unmasked.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Written {
    pub(super) fin: bool,
    pub(super) opcode: OpCode,
    pub(super) masked: bool,
    pub(super) payload: Vec<u8>,
}

/// Takes everything pending for the wire and splits it into frames (with an independent reading
/// of the masking rule: the scalar reference).
pub(super) fn written(conn: &mut Connection) -> Vec<Written> {
    let bytes = conn.pending_transmit().to_vec();
    conn.consume_transmit(bytes.len());
    let mut frames = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let (header, len) = FrameHeader::parse(rest)
            .expect("valid")
            .expect("complete frame");
        let end = len + header.payload_len as usize;
        let mut payload = rest[len..end].to_vec();
        if let Some(key) = header.mask {
            apply_mask_scalar(&mut payload, key, 0);
        }
        frames.push(Written {
            fin: header.fin,
            opcode: header.opcode,
            masked: header.mask.is_some(),
            payload,
        });
        rest = &rest[end..];
    }
    frames
}

/// The close code and reason of a close frame we wrote.
pub(super) fn close_code_of(frame: &Written) -> (u16, String) {
    assert_eq!(frame.opcode, OpCode::Close);
    let code = u16::from_be_bytes([frame.payload[0], frame.payload[1]]);
    (
        code,
        String::from_utf8(frame.payload[2..].to_vec()).expect("utf-8 reason"),
    )
}

pub(super) fn start() -> Instant {
    Instant::now()
}

pub(super) fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
