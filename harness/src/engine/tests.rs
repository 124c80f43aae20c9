//! The fuzzer protocol fed by hand, without sockets: autobahn 0.10.9's reactions to what a
//! server sends, with `failByDrop = False`.

use std::time::Duration;

use serde_json::json;

use super::protocol::{DropMode, Fuzzer, Observed, Role, Timeouts, WsState};
use crate::case::Case;
use crate::wire::{encode_frame, DecodedFrame, FrameCollector, FrameSpec};

fn case(steps: &str, extra: &str) -> Case {
    let json = format!(
        r#"{{"id": "1.1.1", "description": "d", "expectation": "e", "steps": {steps},
            "expected": {{"OK": [{{"message": {{"text": "Hello"}}}}]}},
            "expected_close": {{"closed_by_me": true, "close_code": [1000], "require_clean": true}}
            {extra}}}"#
    );
    Case::parse(&json, "t.json").expect("valid case")
}

fn open(c: &Case) -> Fuzzer<'_> {
    let mut fz = Fuzzer::new(c, Role::Client, Timeouts::default());
    fz.on_open();
    fz
}

fn server(opcode: u8, fin: bool, rsv: u8, payload: &[u8]) -> Vec<u8> {
    encode_frame(&FrameSpec {
        opcode,
        fin,
        rsv,
        mask: None,
        payload,
        length_field: None,
    })
}

/// Frames the fuzzer wrote since the last call (unmasked).
fn written(fz: &mut Fuzzer<'_>) -> Vec<DecodedFrame> {
    let mut c = FrameCollector::new(1 << 20);
    fz.take_writes()
        .iter()
        .flat_map(|w| c.push(&w.data))
        .collect()
}

fn close_of(f: &DecodedFrame) -> (u16, String) {
    assert_eq!(f.head.opcode, 8);
    let code = u16::from_be_bytes([f.payload[0], f.payload[1]]);
    (code, String::from_utf8_lossy(&f.payload[2..]).into_owned())
}

#[test]
fn plays_steps_and_closes_when_done() {
    let c = case(
        r#"[{"frame": {"opcode": 1, "payload": {"text": "Hello"}}}]"#,
        "",
    );
    let mut fz = open(&c);
    let out = written(&mut fz);
    assert_eq!(out.len(), 1);
    assert!(out[0].head.masked, "a client masks");
    assert_eq!(out[0].payload, b"Hello");
    fz.on_data(&server(1, true, 0, b"Hello"));
    assert_eq!(
        fz.received,
        [Observed::Message {
            data: b"Hello".to_vec(),
            binary: false
        }]
    );
    // finishWhenDone: close with close_code[0].
    let out = written(&mut fz);
    assert_eq!(close_of(&out[0]).0, 1000);
    assert!(fz.flags.closed_by_me && fz.state == WsState::Closing);
    // The reply completes the handshake; the server must now drop TCP within 1 s.
    fz.on_data(&server(8, true, 0, &1000u16.to_be_bytes()));
    assert!(fz.flags.was_clean);
    fz.now += Duration::from_millis(1500);
    fz.fire_due_timers();
    assert!(fz.flags.was_server_connection_drop_timeout && fz.flags.dropped_by_me);
    assert!(!fz.flags.was_clean);
    assert_eq!(fz.drop_mode, Some(DropMode::Abort));
}

#[test]
fn suppress_close_keeps_the_connection_open() {
    let c = case("[]", r#", "suppress_close": true"#);
    let mut fz = open(&c);
    fz.on_data(&server(1, true, 0, b"Hello"));
    assert!(written(&mut fz).is_empty());
    assert_eq!(fz.state, WsState::Open);
}

#[test]
fn a_violation_sends_1002_and_a_second_one_drops() {
    let c = case("[]", "");
    let mut fz = open(&c);
    fz.on_data(&server(1, true, 0, b"Hel"));
    let mut masked = encode_frame(&FrameSpec {
        opcode: 1,
        fin: true,
        rsv: 0,
        mask: Some([1, 2, 3, 4]),
        payload: b"x",
        length_field: None,
    });
    fz.on_data(&masked);
    let out = written(&mut fz);
    assert_eq!(
        close_of(&out[0]),
        (1002, "masked server-to-client frame".into())
    );
    assert!(fz.flags.failed_by_me && fz.flags.closed_by_me && !fz.flags.dropped_by_me);
    // A message completed after failing is not delivered.
    assert_eq!(fz.received.len(), 1);
    // Anything else wrong now drops TCP.
    masked[0] = 0x93;
    fz.on_data(&masked);
    assert!(fz.flags.dropped_by_me);
    assert_eq!(fz.drop_mode, Some(DropMode::Flush));
}

#[test]
fn two_violations_in_one_header_drop_at_once() {
    let c = case("[]", "");
    let mut fz = open(&c);
    // RSV = 1 and reserved opcode 3.
    fz.on_data(&server(3, true, 1, b""));
    let out = written(&mut fz);
    assert_eq!(
        close_of(&out[0]),
        (1002, "RSV = 1 and no extension negotiated".into())
    );
    assert!(fz.flags.dropped_by_me && fz.is_closed());
}

#[test]
fn pongs_are_recorded_even_after_failing_and_pings_only_answered() {
    let c = case("[]", r#", "suppress_close": true"#);
    let mut fz = open(&c);
    fz.on_data(&server(9, true, 0, b"p"));
    let out = written(&mut fz);
    assert_eq!(
        (out[0].head.opcode, out[0].payload.as_slice()),
        (10, &b"p"[..])
    );
    assert!(fz.received.is_empty(), "pings are not recorded");
    fz.on_data(&server(5, true, 0, b""));
    let _ = written(&mut fz);
    fz.on_data(&[server(9, true, 0, b"q"), server(10, true, 0, b"r")].concat());
    assert!(written(&mut fz).is_empty(), "no pong while closing");
    assert_eq!(fz.received, [Observed::Pong(b"r".to_vec())]);
}

#[test]
fn invalid_utf8_fails_fast_then_drops_at_the_end_of_the_frame() {
    let c = case("[]", "");
    let mut fz = open(&c);
    let bad = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited";
    let frame = server(1, true, 0, bad);
    // The header and the first octets arrive: valid so far.
    fz.on_data(&frame[..2 + 11]);
    assert!(written(&mut fz).is_empty());
    fz.on_data(&frame[13..15]);
    let out = written(&mut fz);
    let (code, reason) = close_of(&out[0]);
    assert_eq!(code, 1007);
    assert_eq!(
        reason,
        "encountered invalid UTF-8 while processing text message at payload octet index 12"
    );
    assert!(!fz.is_closed());
    // The rest of the frame: invalid again while closing, so TCP is dropped.
    fz.on_data(&frame[15..]);
    assert!(fz.flags.dropped_by_me);
    assert!(fz.received.is_empty());
}

#[test]
fn peer_close_is_answered_with_1000_and_recorded() {
    let c = case("[]", "");
    let mut fz = open(&c);
    let mut payload = 1001u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"bye");
    fz.on_data(&server(8, true, 0, &payload));
    let out = written(&mut fz);
    assert_eq!(close_of(&out[0]), (1000, String::new()));
    assert!(fz.flags.was_clean && !fz.flags.closed_by_me);
    assert_eq!(fz.flags.remote_close_code, Some(1001));
    assert_eq!(fz.flags.remote_close_reason.as_deref(), Some("bye"));
    // The client waits for the server to drop: no timer of its own.
    assert_eq!(fz.next_deadline(), None);
}

#[test]
fn invalid_close_code_and_reason_from_the_peer() {
    let c = case("[]", "");
    let mut fz = open(&c);
    fz.on_data(&server(8, true, 0, &1005u16.to_be_bytes()));
    let out = written(&mut fz);
    assert_eq!(close_of(&out[0]), (1002, "invalid close code 1005".into()));
    // Autobahn then takes the peer's close as the answer to its own.
    assert!(fz.flags.was_clean && fz.flags.closed_by_me);
    assert_eq!(fz.flags.remote_close_code, Some(1005));

    let mut fz = open(&c);
    let mut payload = 1000u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"\xc0\xaf");
    fz.on_data(&server(8, true, 0, &payload));
    let out = written(&mut fz);
    assert_eq!(close_of(&out[0]).0, 1007);
    // Python 2 cannot decode the reason either: the connection is lost, not dropped by us.
    assert!(fz.is_closed() && !fz.flags.dropped_by_me);
    fz.connection_lost();
    assert!(fz.flags.was_not_clean_reason.is_some());
}

#[test]
fn timers_write_autobahns_rows_and_act() {
    let c = case(
        r#"[{"pause": {"seconds": 1, "record": "A"}}, {"frame": {"opcode": 9}},
            {"close_after": 0.5}, {"kill_after": 2}]"#,
        "",
    );
    let mut fz = open(&c);
    assert_eq!(fz.log.rows.last(), Some(&json!(["CT", 1, "A"])));
    let t0 = fz.now;
    fz.now = t0 + Duration::from_secs(1);
    fz.fire_due_timers();
    assert_eq!(fz.received, [Observed::Timeout("A".into())]);
    let out = written(&mut fz);
    assert_eq!(out[0].head.opcode, 9);
    fz.now = t0 + Duration::from_millis(1600);
    fz.fire_due_timers();
    // close_after sends an empty close (Autobahn's sendClose() without arguments).
    let out = written(&mut fz);
    assert_eq!((out[0].head.opcode, out[0].payload.len()), (8, 0));
    assert_eq!(fz.flags.local_close_code, None);
    // No answer within 1 s: dropped, close handshake timeout.
    fz.now = t0 + Duration::from_millis(2700);
    fz.fire_due_timers();
    assert!(fz.flags.was_close_handshake_timeout && fz.flags.dropped_by_me);
    let tags: Vec<&str> = fz.log.rows.iter().filter_map(|r| r[0].as_str()).collect();
    assert_eq!(
        tags,
        ["CT", "CTE", "TF", "TO", "TI", "KL", "TIE", "TF", "TO"]
    );
}

#[test]
fn kill_after_fails_with_1001_going_away() {
    let c = case(r#"[{"kill_after": 1}]"#, "");
    let mut fz = open(&c);
    fz.now += Duration::from_secs(1);
    fz.fire_due_timers();
    let out = written(&mut fz);
    assert_eq!(close_of(&out[0]), (1001, "Going Away".into()));
    assert!(fz.flags.failed_by_me && fz.flags.closed_by_me);
}

#[test]
fn messages_fragment_like_autobahn() {
    // 4 octets in fragments of 2: 2 + 2 + an empty final frame.
    let c = case(
        r#"[{"message": {"payload": {"text": "abcd"}, "fragment_size": 2}}]"#,
        "",
    );
    let mut fz = open(&c);
    let out = written(&mut fz);
    let shape: Vec<(u8, bool, usize)> = out
        .iter()
        .map(|f| (f.head.opcode, f.head.fin, f.payload.len()))
        .collect();
    assert_eq!(shape, [(1, false, 2), (0, false, 2), (0, true, 0)]);
    assert_eq!(fz.log.tx_frames.get(&0), Some(&2));
}

#[test]
fn huge_announced_lengths_fail_instead_of_allocating() {
    let c = case("[]", "");
    let mut fz = open(&c);
    let mut frame = vec![0x82, 127];
    frame.extend_from_slice(&(1u64 << 40).to_be_bytes());
    frame.extend_from_slice(&[0u8; 1000]);
    fz.on_data(&frame);
    let out = written(&mut fz);
    assert_eq!(close_of(&out[0]).0, 1009);
    assert!(fz.rx.message.is_empty());
}

#[test]
fn wire_log_and_stats() {
    let c = case(
        r#"[{"frame": {"opcode": 2, "payload": {"hex": "ff"}, "payload_len": 100, "chopsize": 40}}]"#,
        "",
    );
    let mut fz = open(&c);
    let writes = fz.take_writes();
    assert_eq!(
        writes.iter().map(|w| w.data.len()).collect::<Vec<_>>(),
        [40, 40, 26]
    );
    assert!(writes.iter().all(|w| w.sync), "chopped writes are synced");
    let tf = &fz.log.rows[0];
    assert_eq!(tf[0], "TF");
    assert_eq!(tf[1], json!([1, "0xff"]));
    assert_eq!(
        (tf[6].clone(), tf[7].clone(), tf[8].clone()),
        (json!(100), json!(40), json!(false))
    );
    assert_eq!(fz.log.rows[1][2], json!(true), "chopped writes are synced");
    assert_eq!(fz.log.tx_octets.get(&40), Some(&2));
    fz.on_data(&server(1, true, 0, b"Hi"));
    assert_eq!(
        fz.log.rows.last(),
        Some(&json!(["RF", [2, "Hi"], 1, true, 0, false, null]))
    );
    assert_eq!(fz.log.rx_frames.get(&1), Some(&1));
}
