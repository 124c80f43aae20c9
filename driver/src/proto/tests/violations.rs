//! Every rule the peer can break: its ProtocolError, the close code on the wire, one close event,
//! and nothing read afterwards.

use super::*;
use crate::error::ProtocolError;
use crate::proto::{Message, ReadyState};

struct Case {
    name: &'static str,
    role: Role,
    config: Config,
    bytes: Vec<u8>,
    error: ProtocolError,
    code: u16,
}

fn case(name: &'static str, role: Role, bytes: Vec<u8>, error: ProtocolError, code: u16) -> Case {
    Case {
        name,
        role,
        config: Config::default(),
        bytes,
        error,
        code,
    }
}

fn cases() -> Vec<Case> {
    use OpCode::*;
    let s = Role::Server;
    let text_to_server = |fin, op, p: &[u8]| frame_to(s, fin, op, p);
    let mut cases = vec![
        case(
            "rsv1",
            s,
            raw_frame(true, 0b100, Text, Some(KEY), b"a"),
            ProtocolError::ReservedBitsSet,
            1002,
        ),
        case(
            "rsv2",
            s,
            raw_frame(true, 0b010, Text, Some(KEY), b"a"),
            ProtocolError::ReservedBitsSet,
            1002,
        ),
        case(
            "rsv3 on ping",
            s,
            raw_frame(true, 0b001, Ping, Some(KEY), b""),
            ProtocolError::ReservedBitsSet,
            1002,
        ),
        case(
            "unmasked at server",
            s,
            raw_frame(true, 0, Text, None, b"a"),
            ProtocolError::UnmaskedFrameFromClient,
            1002,
        ),
        case(
            "masked at client",
            Role::Client,
            raw_frame(true, 0, Text, Some(KEY), b"a"),
            ProtocolError::MaskedFrameFromServer,
            1002,
        ),
        case(
            "fragmented ping",
            s,
            text_to_server(false, Ping, b"p"),
            ProtocolError::FragmentedControlFrame,
            1002,
        ),
        case(
            "fragmented close",
            s,
            text_to_server(false, Close, b""),
            ProtocolError::FragmentedControlFrame,
            1002,
        ),
        case(
            "ping of 126 bytes",
            s,
            text_to_server(true, Ping, &[0; 126]),
            ProtocolError::ControlFrameTooLong,
            1002,
        ),
        case(
            "continuation first",
            s,
            text_to_server(true, Continuation, b"a"),
            ProtocolError::UnexpectedContinuation,
            1002,
        ),
        case(
            "text inside fragmented text",
            s,
            [
                text_to_server(false, Text, b"a"),
                text_to_server(true, Text, b"b"),
            ]
            .concat(),
            ProtocolError::DataFrameInsideFragmentedMessage,
            1002,
        ),
        case(
            "binary inside fragmented text",
            s,
            [
                text_to_server(false, Text, b"a"),
                text_to_server(true, Binary, b"b"),
            ]
            .concat(),
            ProtocolError::DataFrameInsideFragmentedMessage,
            1002,
        ),
        case(
            "64-bit length with msb set",
            s,
            vec![0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4],
            ProtocolError::PayloadLengthMsbSet,
            1002,
        ),
        case(
            "invalid utf-8",
            s,
            text_to_server(true, Text, b"ab\xf4\x90\x80\x80"),
            ProtocolError::InvalidUtf8,
            1007,
        ),
        case(
            "truncated utf-8",
            s,
            text_to_server(true, Text, b"ab\xe2\x82"),
            ProtocolError::InvalidUtf8,
            1007,
        ),
        case(
            "one-byte close",
            s,
            text_to_server(true, Close, b"\x03"),
            ProtocolError::CloseFrameTooShort,
            1002,
        ),
        case(
            "close code 1005",
            s,
            close_to(s, 1005, ""),
            ProtocolError::InvalidCloseCode(1005),
            1002,
        ),
        case(
            "close code 999",
            s,
            close_to(s, 999, ""),
            ProtocolError::InvalidCloseCode(999),
            1002,
        ),
        case(
            "close code 5000",
            s,
            close_to(s, 5000, ""),
            ProtocolError::InvalidCloseCode(5000),
            1002,
        ),
        case(
            "close reason not utf-8",
            s,
            text_to_server(true, Close, b"\x03\xe8\xed\xa0\x80"),
            ProtocolError::InvalidUtf8InCloseReason,
            1007,
        ),
    ];
    for op in (3..=7).chain(11..=15) {
        cases.push(case(
            "reserved opcode",
            s,
            raw_frame(true, 0, Reserved(op), Some(KEY), b""),
            ProtocolError::ReservedOpcode(op),
            1002,
        ));
    }
    let small = Config {
        max_length: 4,
        ..Config::default()
    };
    cases.push(Case {
        config: small.clone(),
        ..case(
            "too long",
            s,
            text_to_server(true, Binary, b"12345"),
            ProtocolError::MessageTooLong,
            1009,
        )
    });
    cases.push(Case {
        config: small,
        ..case(
            "too long by fragments",
            s,
            [
                text_to_server(false, Text, b"12"),
                text_to_server(false, Continuation, b"34"),
                text_to_server(true, Continuation, b"5"),
            ]
            .concat(),
            ProtocolError::MessageTooLong,
            1009,
        )
    });
    cases
}

#[test]
fn each_violation_fails_the_connection_with_its_code() {
    for case in cases() {
        let name = case.name;
        let mut conn = Connection::with_seed(case.role, case.config, 1);
        // A valid message first, so we see that reading worked until the violation.
        conn.handle_bytes(&frame_to(case.role, true, OpCode::Binary, b"ok"));
        conn.handle_bytes(&case.bytes);
        let reason = case.error.to_string();
        assert_eq!(
            events(&mut conn),
            [
                Event::Message(Message::Binary(b"ok".to_vec())),
                Event::Error(case.error),
                Event::Close {
                    code: case.code,
                    reason: reason.clone()
                },
            ],
            "{name}"
        );
        assert_eq!(u16::from(case.error.close_code()), case.code, "{name}");
        assert_eq!(conn.ready_state(), ReadyState::Closed, "{name}");
        let out = written(&mut conn);
        assert_eq!(out.len(), 1, "{name}: one close frame");
        assert_eq!(out[0].masked, case.role == Role::Client, "{name}");
        assert_eq!(close_code_of(&out[0]), (case.code, reason), "{name}");
        assert!(
            conn.should_close_tcp(),
            "{name}: TCP closes once the close frame is written"
        );

        // Nothing more is read, and the close event does not fire again.
        conn.handle_bytes(&frame_to(case.role, true, OpCode::Ping, b"late"));
        conn.handle_bytes(&close_to(case.role, 1000, ""));
        conn.handle_eof();
        assert_eq!(events(&mut conn), [], "{name}");
        assert!(written(&mut conn).is_empty(), "{name}");
        assert!(conn.send_text("x").is_err(), "{name}");
    }
}

#[test]
fn tcp_closes_only_after_the_close_frame_is_written() {
    let mut conn = server();
    conn.handle_bytes(&raw_frame(true, 0, OpCode::Text, None, b"a"));
    assert!(
        conn.pending_transmit().is_empty(),
        "the close frame waits for the close event"
    );
    assert!(!conn.should_close_tcp());
    assert_eq!(events(&mut conn).len(), 2);
    assert!(!conn.should_close_tcp(), "close frame still pending");
    let pending = conn.pending_transmit().len();
    conn.consume_transmit(pending - 1);
    assert!(!conn.should_close_tcp());
    conn.consume_transmit(1);
    assert!(conn.should_close_tcp());
}

#[test]
fn violation_after_our_close_sends_no_second_close() {
    let mut conn = server();
    conn.close(Some(1000), "").expect("open");
    assert_eq!(written(&mut conn).len(), 1);
    conn.handle_bytes(&raw_frame(true, 0b100, OpCode::Text, Some(KEY), b"a"));
    assert_eq!(
        events(&mut conn),
        [
            Event::Error(ProtocolError::ReservedBitsSet),
            Event::Close {
                code: 1002,
                reason: ProtocolError::ReservedBitsSet.to_string()
            },
        ]
    );
    assert!(written(&mut conn).is_empty());
    assert!(conn.should_close_tcp());
}

/// Autobahn 4.1.3: a message, a reserved opcode and a ping arrive together. The message can still
/// be echoed, before the close frame; the ping gets no pong.
#[test]
fn messages_before_a_violation_can_still_be_answered() {
    let mut conn = server();
    let mut bytes = frame_to(Role::Server, true, OpCode::Text, b"Hello, world!");
    bytes.extend(raw_frame(true, 0, OpCode::Reserved(5), Some(KEY), b""));
    bytes.extend(frame_to(Role::Server, true, OpCode::Ping, b""));
    conn.handle_bytes(&bytes);
    assert_eq!(
        conn.ready_state(),
        ReadyState::Open,
        "until the close event is polled"
    );
    let Some(Event::Message(Message::Text(text))) = conn.poll_event() else {
        panic!("message first")
    };
    conn.send_text(&text).expect("echo before the close event");
    assert_eq!(
        conn.poll_event(),
        Some(Event::Error(ProtocolError::ReservedOpcode(5)))
    );
    conn.send_text("still before the close")
        .expect("not closed yet");
    assert!(matches!(
        conn.poll_event(),
        Some(Event::Close { code: 1002, .. })
    ));
    assert!(conn.send_text("after").is_err());
    let out = written(&mut conn);
    let kinds: Vec<_> = out.iter().map(|f| f.opcode).collect();
    assert_eq!(kinds, [OpCode::Text, OpCode::Text, OpCode::Close]);
    assert_eq!(out[0].payload, b"Hello, world!");
    assert_eq!(close_code_of(&out[2]).0, 1002);
}

/// An application that never polls its events still gets its close frame out, at the timeout.
#[test]
fn owed_close_frame_goes_out_at_the_timeout() {
    let t0 = start();
    let mut conn = server();
    conn.handle_timeout(t0);
    conn.handle_bytes(&raw_frame(true, 0b010, OpCode::Text, Some(KEY), b""));
    assert_eq!(conn.poll_timeout(), Some(t0 + secs(5)));
    conn.handle_timeout(t0 + secs(5));
    assert!(conn.should_close_tcp());
    assert_eq!(close_code_of(&written(&mut conn)[0]).0, 1002);
    assert_eq!(events(&mut conn).len(), 2, "error and close, once");
}
