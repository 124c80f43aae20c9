//! Message assembly (section 5.4), text validation as it arrives (section 8.1), and max_length.

use super::*;
use crate::error::ProtocolError;
use crate::proto::Message;

#[test]
fn fragments_with_control_frames_interleaved() {
    let mut conn = server();
    let mut bytes = frame_to(Role::Server, false, OpCode::Text, "fragm".as_bytes());
    bytes.extend(frame_to(Role::Server, true, OpCode::Ping, b"1"));
    bytes.extend(frame_to(
        Role::Server,
        false,
        OpCode::Continuation,
        "ent\u{e9}".as_bytes(),
    ));
    bytes.extend(frame_to(Role::Server, true, OpCode::Pong, b"2"));
    bytes.extend(frame_to(Role::Server, false, OpCode::Continuation, b""));
    bytes.extend(frame_to(Role::Server, true, OpCode::Continuation, b"d"));
    conn.handle_bytes(&bytes);
    assert_eq!(
        events(&mut conn),
        [
            Event::Ping(b"1".to_vec()),
            Event::Pong(b"2".to_vec()),
            Event::Message(Message::Text("fragment\u{e9}d".into())),
        ]
    );
    let out = written(&mut conn);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].opcode, out[0].payload.as_slice()),
        (OpCode::Pong, &b"1"[..])
    );
}

#[test]
fn empty_messages() {
    let mut conn = server();
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Text, b""));
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Binary, b""));
    conn.handle_bytes(&frame_to(Role::Server, false, OpCode::Binary, b""));
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Continuation, b""));
    assert_eq!(
        events(&mut conn),
        [
            Event::Message(Message::Text(String::new())),
            Event::Message(Message::Binary(Vec::new())),
            Event::Message(Message::Binary(Vec::new())),
        ]
    );
}

#[test]
fn character_split_across_fragments_is_fine() {
    let mut conn = server();
    let euro = "\u{20ac}".as_bytes();
    conn.handle_bytes(&frame_to(Role::Server, false, OpCode::Text, &euro[..1]));
    conn.handle_bytes(&frame_to(
        Role::Server,
        false,
        OpCode::Continuation,
        &euro[1..2],
    ));
    conn.handle_bytes(&frame_to(
        Role::Server,
        true,
        OpCode::Continuation,
        &euro[2..],
    ));
    assert_eq!(
        events(&mut conn),
        [Event::Message(Message::Text("\u{20ac}".into()))]
    );
}

/// The error must come as soon as the first bad byte arrives, with the rest of the frame unread.
#[test]
fn invalid_utf8_fails_fast_mid_frame() {
    let mut conn = server();
    let frame = frame_to(
        Role::Server,
        true,
        OpCode::Text,
        b"ab\xf4\x90\x80\x80cdefgh",
    );
    let header = 6;
    conn.handle_bytes(&frame[..header + 3]);
    assert_eq!(events(&mut conn), [], "F4 alone may still be valid");
    conn.handle_bytes(&frame[header + 3..header + 4]);
    assert_eq!(
        events(&mut conn).first(),
        Some(&Event::Error(ProtocolError::InvalidUtf8))
    );
}

#[test]
fn invalid_utf8_fails_fast_mid_fragment() {
    let mut conn = server();
    conn.handle_bytes(&frame_to(Role::Server, false, OpCode::Text, b"ok\xed"));
    assert_eq!(events(&mut conn), []);
    // A non-final fragment whose first byte makes a surrogate: fails before its end.
    let next = frame_to(
        Role::Server,
        false,
        OpCode::Continuation,
        b"\xa0\x80 and more",
    );
    conn.handle_bytes(&next[..7]);
    assert_eq!(
        events(&mut conn).first(),
        Some(&Event::Error(ProtocolError::InvalidUtf8))
    );
}

#[test]
fn incomplete_character_at_the_end_of_a_message_fails() {
    let mut conn = server();
    conn.handle_bytes(&frame_to(Role::Server, false, OpCode::Text, b"ok\xf0\x9f"));
    assert_eq!(events(&mut conn), [], "fine until the message ends");
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Continuation, b"\x98"));
    assert_eq!(
        events(&mut conn).first(),
        Some(&Event::Error(ProtocolError::InvalidUtf8))
    );
}

#[test]
fn binary_is_not_validated() {
    let mut conn = server();
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Binary, b"\xff\xfe"));
    assert_eq!(
        events(&mut conn),
        [Event::Message(Message::Binary(vec![0xff, 0xfe]))]
    );
}

fn limited(max_length: usize) -> Connection {
    Connection::new(
        Role::Server,
        Config {
            max_length,
            ..Config::default()
        },
    )
}

#[test]
fn max_length_is_inclusive() {
    let mut conn = limited(5);
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Binary, b"12345"));
    conn.handle_bytes(&frame_to(Role::Server, false, OpCode::Text, b"12"));
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Continuation, b"345"));
    assert_eq!(
        events(&mut conn),
        [
            Event::Message(Message::Binary(b"12345".to_vec())),
            Event::Message(Message::Text("12345".into()))
        ]
    );
}

/// Decided from the header alone: the payload is never read or buffered.
#[test]
fn max_length_exceeded_by_one_frame_fails_at_its_header() {
    let mut conn = limited(1000);
    let header = FrameHeader::new(true, OpCode::Binary, Some(KEY), 1 << 40);
    let mut bytes = Vec::new();
    header.encode(&mut bytes);
    conn.handle_bytes(&bytes);
    assert_eq!(
        events(&mut conn)[0],
        Event::Error(ProtocolError::MessageTooLong)
    );
    assert!(conn.message.is_none(), "nothing buffered");
    assert_eq!(close_code_of(&written(&mut conn)[0]).0, 1009);
}

#[test]
fn max_length_exceeded_by_fragments_fails_at_the_fragment_header() {
    let mut conn = limited(10);
    conn.handle_bytes(&frame_to(Role::Server, false, OpCode::Binary, b"123456"));
    let mut header = Vec::new();
    FrameHeader::new(true, OpCode::Continuation, Some(KEY), 5).encode(&mut header);
    conn.handle_bytes(&header);
    assert_eq!(
        events(&mut conn)[0],
        Event::Error(ProtocolError::MessageTooLong)
    );
    assert_eq!(close_code_of(&written(&mut conn)[0]).0, 1009);
}

#[test]
fn idle_connection_holds_no_receive_or_transmit_memory() {
    let mut conn = server();
    let big = vec![7u8; 100_000];
    let frame = frame_to(Role::Server, true, OpCode::Binary, &big);
    conn.handle_bytes(&frame[..5]);
    conn.handle_bytes(&frame[5..]);
    conn.send_binary(&big).expect("open");
    let pending = conn.pending_transmit().len();
    conn.consume_transmit(pending);
    assert_eq!(events(&mut conn), [Event::Message(Message::Binary(big))]);
    assert!(conn.message.is_none() && conn.frame.is_none() && conn.header_len == 0);
    assert_eq!(conn.tx.capacity(), 0);
}
