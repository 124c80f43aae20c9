//! permessage-deflate in the fuzzer, fed by hand: the echo loop of sections 12 and 13 with a
//! compressing peer, UNIMPLEMENTED when the peer declines, and what a hostile peer can do.

use super::deflate::DeflateCodec;
use super::protocol::{Fuzzer, Role, Timeouts, WsState};
use crate::case::Case;
use crate::handshake::DeflateParams;
use crate::report::Verdict;
use crate::wire::{encode_frame, DecodedFrame, FrameCollector, FrameSpec};

const PARAMS: DeflateParams = DeflateParams {
    server_no_context_takeover: false,
    client_no_context_takeover: true,
    server_max_window_bits: 15,
    client_max_window_bits: 9,
};

fn case(binary: bool) -> Case {
    let json = format!(
        r#"{{"id": "12.1.1", "description": "d", "expectation": "e", "steps": [], "expected": {{}},
            "expected_close": {{"closed_by_me": true, "close_code": [1000], "require_clean": true}},
            "echo_check": {{"send": {{"message": {{"binary": {binary}, "fragment_size": 16}}}}, "count": 3,
                            "binary": {binary}, "length": 300, "timeout": 60,
                            "dataset": {{"kind": "json", "size": 700, "seed": 1}}}},
            "report_time": true, "wirelog": false, "deflate": {{"offers": [{{}}], "accept": [{{}}]}}}}"#
    );
    Case::parse(&json, "t.json").expect("valid case")
}

fn frame(opcode: u8, fin: bool, rsv: u8, payload: &[u8]) -> Vec<u8> {
    encode_frame(&FrameSpec {
        opcode,
        fin,
        rsv,
        mask: None,
        payload,
        length_field: None,
    })
}

fn written(fz: &mut Fuzzer<'_>) -> Vec<DecodedFrame> {
    let mut c = FrameCollector::new(1 << 20);
    fz.take_writes()
        .iter()
        .flat_map(|w| c.push(&w.data))
        .collect()
}

/// The peer's side: inflates what the harness sent, as the server would.
fn inflate_message(peer: &mut DeflateCodec, frames: &[DecodedFrame]) -> Vec<u8> {
    peer.start_inflate();
    let mut out = Vec::new();
    for f in frames {
        peer.inflate(&f.payload, &mut out, 1 << 20)
            .expect("inflates");
    }
    peer.end_inflate(&mut out, 1 << 20).expect("inflates");
    out
}

fn opened(c: &Case) -> Fuzzer<'_> {
    let mut fz = Fuzzer::new(c, Role::Client, Timeouts::default());
    fz.enable_deflate(PARAMS);
    fz.on_open();
    fz
}

#[test]
fn echo_loop_compresses_fragments_and_reports_traffic() {
    let c = case(false);
    let mut fz = opened(&c);
    let mut peer = DeflateCodec::new(PARAMS, true);
    let set = super::datasets::generate(&crate::case::Dataset {
        kind: crate::case::DatasetKind::Json,
        size: 700,
        seed: 1,
    });
    let mut sent = Vec::new();
    for round in 0..3 {
        let frames = written(&mut fz);
        assert!(frames.len() > 1, "fragmented to 16 octets");
        assert_eq!((frames[0].head.opcode, frames[0].head.rsv), (1, 4));
        assert!(frames[1..]
            .iter()
            .all(|f| f.head.opcode == 0 && f.head.rsv == 0));
        assert!(frames.iter().all(|f| f.payload.len() <= 16));
        let msg = inflate_message(&mut peer, &frames);
        // Round 3 wraps around the 700-octet data set: 600..700 then 0..200.
        let want: Vec<u8> = set
            .iter()
            .cycle()
            .skip(round * 300)
            .take(300)
            .copied()
            .collect();
        assert_eq!(msg, want, "round {round}");
        sent.push(frames);
        let echo = peer.compress(&msg);
        fz.on_data(&frame(1, true, 4, &echo));
    }
    let close = written(&mut fz);
    assert_eq!(close[0].head.opcode, 8);
    assert_eq!(fz.echo_verdict.as_ref().map(|(v, _)| *v), Some(Verdict::Ok));
    let t = fz
        .traffic_report
        .expect("traffic stats kept when the case passed");
    assert_eq!(t.outgoing_octets_app_level, 900);
    assert_eq!(t.incoming_octets_app_level, 900);
    assert_eq!(
        (t.outgoing_websocket_messages, t.incoming_websocket_messages),
        (3, 3)
    );
    let frames: u64 = sent.iter().map(|f| f.len() as u64).sum();
    assert_eq!(t.outgoing_websocket_frames, frames);
    let ws: u64 = sent.iter().flatten().map(|f| f.payload.len() as u64).sum();
    assert_eq!(t.outgoing_octets_websocket_level, ws);
    assert!(t.outgoing_octets_websocket_level < 900 && t.incoming_octets_websocket_level < 900);
    let j = t.to_json();
    assert!(j["outgoingCompressionRatio"]
        .as_f64()
        .is_some_and(|r| r < 1.0));
}

#[test]
fn a_wrong_echo_fails_with_autobahns_words() {
    let c = case(true);
    let mut fz = opened(&c);
    let _ = written(&mut fz);
    let mut peer = DeflateCodec::new(PARAMS, true);
    fz.on_data(&frame(2, true, 4, &peer.compress(&[b'x'; 300])));
    let (v, why) = fz.echo_verdict.clone().expect("decided");
    assert_eq!(v, Verdict::Failed);
    assert!(
        why.starts_with("Echo'ed message contents differs from what I sent (got SHA1 "),
        "{why}"
    );
    assert!(fz.traffic_report.is_none());
    let c = case(true);
    let mut fz = opened(&c);
    fz.on_data(&frame(1, true, 0, b"text"));
    let (_, why) = fz.echo_verdict.clone().expect("decided");
    assert_eq!(
        why,
        "Echo'ed message type differs from what I sent (got binary False, expected binary True)."
    );
}

#[test]
fn a_peer_that_declines_gets_unimplemented_and_a_close() {
    let c = case(false);
    let mut fz = Fuzzer::new(&c, Role::Client, Timeouts::default());
    fz.on_open();
    let out = written(&mut fz);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].head.opcode, 8);
    assert_eq!(out[0].payload, 1000u16.to_be_bytes());
    assert_eq!(
        fz.echo_verdict.as_ref().map(|(v, _)| *v),
        Some(Verdict::Unimplemented)
    );
    assert!(fz.flags.closed_by_me);
}

#[test]
fn rsv1_is_only_allowed_on_the_first_data_frame() {
    for (frames, needle) in [
        (
            [frame(1, false, 4, &[]), frame(0, true, 4, &[])].concat(),
            "continuation data frame with compress bit set",
        ),
        (frame(9, true, 4, b""), "compressed control frame"),
    ] {
        let c = case(false);
        let mut fz = opened(&c);
        let _ = written(&mut fz);
        fz.on_data(&frames);
        let out = written(&mut fz);
        let close = out.last().expect("a close");
        assert_eq!(close.head.opcode, 8);
        assert_eq!(close.payload[..2], 1002u16.to_be_bytes());
        assert!(String::from_utf8_lossy(&close.payload).contains(needle));
    }
    // Without deflate, RSV1 stays a violation.
    let c = case(false);
    let mut fz = Fuzzer::new(&c, Role::Client, Timeouts::default());
    fz.on_data(&frame(1, true, 4, b"x"));
    let out = written(&mut fz);
    assert!(String::from_utf8_lossy(&out[0].payload).contains("RSV = 4"));
}

#[test]
fn a_bomb_closes_with_1009_and_corrupt_data_drops() {
    let c = case(false);
    let mut fz = opened(&c);
    let _ = written(&mut fz);
    // One message of 71 MiB of zeros in a few KiB: with context takeover, each further MiB of
    // zeros compresses to the same octets, joined by the empty stored blocks of sync flushes.
    let mut peer = DeflateCodec::new(PARAMS, true);
    let zeros = vec![0u8; 1 << 20];
    let mut bomb = peer.compress(&zeros);
    let more = peer.compress(&zeros);
    for _ in 0..70 {
        bomb.extend_from_slice(&[0, 0, 0xff, 0xff]);
        bomb.extend_from_slice(&more);
    }
    assert!(bomb.len() < 256 << 10, "{}", bomb.len());
    let pieces: Vec<&[u8]> = bomb.chunks(8192).collect();
    for (i, piece) in pieces.iter().enumerate() {
        let (op, rsv) = if i == 0 { (1, 4) } else { (0, 0) };
        fz.on_data(&frame(op, i + 1 == pieces.len(), rsv, piece));
    }
    let out = written(&mut fz);
    let close = out.last().expect("a close");
    assert_eq!(close.payload[..2], 1009u16.to_be_bytes());
    assert!(fz.rx.message.len() <= 64 << 20);

    let c = case(false);
    let mut fz = opened(&c);
    fz.on_data(&frame(1, true, 4, &[0xff; 8]));
    assert_eq!(fz.state, WsState::Closed);
    assert!(!fz.flags.dropped_by_me);
}
