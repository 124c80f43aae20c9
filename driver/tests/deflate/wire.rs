//! Reading frames off a captured byte stream, to see which carried RSV1.

use websocket_driver::frame::{FrameHeader, OpCode};

/// The opcode and RSV bits of every complete frame in `bytes`.
pub(crate) fn frames(bytes: &[u8]) -> Vec<(OpCode, u8)> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Ok(Some((header, len))) = FrameHeader::parse(rest) {
        let end = len + header.payload_len as usize;
        if end > rest.len() {
            break;
        }
        out.push((header.opcode, header.rsv));
        rest = &rest[end..];
    }
    out
}

/// Whether every data message (its first frame) in `bytes` was compressed.
pub(crate) fn all_data_compressed(bytes: &[u8]) -> bool {
    let data: Vec<u8> = frames(bytes)
        .into_iter()
        .filter(|(op, _)| matches!(op, OpCode::Text | OpCode::Binary))
        .map(|(_, rsv)| rsv)
        .collect();
    !data.is_empty() && data.iter().all(|rsv| *rsv == 0b100)
}
