//! The closing handshake (section 7) on every path: the close event fires exactly once.

use super::*;
use crate::error::Error;
use crate::proto::{Message, ReadyState};

fn close_event(code: u16, reason: &str) -> Event {
    Event::Close {
        code,
        reason: reason.into(),
    }
}

#[test]
fn server_echoes_peer_close_and_closes_tcp() {
    let mut conn = server();
    conn.handle_bytes(&close_to(Role::Server, 1001, "bye"));
    assert_eq!(events(&mut conn), [close_event(1001, "bye")]);
    assert_eq!(conn.ready_state(), ReadyState::Closed);
    assert!(!conn.should_close_tcp(), "echo not written yet");
    let out = written(&mut conn);
    assert_eq!(out.len(), 1);
    assert_eq!(close_code_of(&out[0]).0, 1001);
    assert!(!out[0].masked);
    assert!(conn.should_close_tcp());
    conn.handle_eof();
    assert_eq!(events(&mut conn), []);
}

#[test]
fn empty_close_is_answered_with_1000() {
    let mut conn = server();
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Close, b""));
    assert_eq!(events(&mut conn), [close_event(1000, "")]);
    assert_eq!(close_code_of(&written(&mut conn)[0]), (1000, String::new()));
}

#[test]
fn application_close_codes_are_echoed() {
    for code in [1000, 1003, 1007, 1011, 1014, 3000, 4999] {
        let mut conn = server();
        conn.handle_bytes(&close_to(Role::Server, code, ""));
        assert_eq!(events(&mut conn), [close_event(code, "")], "{code}");
        assert_eq!(close_code_of(&written(&mut conn)[0]).0, code);
    }
}

#[test]
fn nothing_is_read_after_the_peer_close() {
    let mut conn = server();
    let mut bytes = close_to(Role::Server, 1000, "");
    bytes.extend(frame_to(Role::Server, true, OpCode::Text, b"after"));
    bytes.extend(frame_to(Role::Server, true, OpCode::Ping, b""));
    conn.handle_bytes(&bytes);
    assert_eq!(events(&mut conn), [close_event(1000, "")]);
    assert_eq!(written(&mut conn).len(), 1, "only the echo, no pong");
}

#[test]
fn client_waits_for_the_server_to_close_tcp() {
    let t0 = start();
    let mut conn = client();
    conn.handle_timeout(t0);
    conn.handle_bytes(&close_to(Role::Client, 1000, ""));
    assert_eq!(events(&mut conn), [close_event(1000, "")]);
    let out = written(&mut conn);
    assert!(out[0].masked);
    assert!(!conn.should_close_tcp());
    assert_eq!(conn.poll_timeout(), Some(t0 + secs(5)));
    conn.handle_eof();
    assert!(conn.should_close_tcp());
    assert_eq!(events(&mut conn), []);
}

#[test]
fn client_closes_tcp_itself_after_the_timeout() {
    let t0 = start();
    let mut conn = client();
    conn.handle_timeout(t0);
    conn.handle_bytes(&close_to(Role::Client, 1000, ""));
    written(&mut conn);
    events(&mut conn);
    conn.handle_timeout(t0 + secs(4));
    assert!(!conn.should_close_tcp());
    conn.handle_timeout(t0 + secs(5));
    assert!(conn.should_close_tcp());
    assert_eq!(events(&mut conn), [], "the close event fired already");
    assert_eq!(conn.poll_timeout(), None);
}

#[test]
fn our_close_then_peer_close() {
    let mut conn = server();
    conn.close(Some(4000), "done").expect("open");
    assert_eq!(conn.ready_state(), ReadyState::Closing);
    let out = written(&mut conn);
    assert_eq!(close_code_of(&out[0]), (4000, "done".into()));
    assert!(matches!(conn.send_text("x"), Err(Error::Closed)));
    assert!(matches!(conn.close(None, ""), Err(Error::Closed)));

    // Data is dropped, pings get no pong, then the peer's close completes the handshake.
    let mut bytes = frame_to(Role::Server, true, OpCode::Text, b"dropped");
    bytes.extend(frame_to(Role::Server, true, OpCode::Ping, b"p"));
    bytes.extend(frame_to(
        Role::Server,
        true,
        OpCode::Continuation,
        b"dropped too",
    ));
    bytes.extend(close_to(Role::Server, 4000, "ok"));
    conn.handle_bytes(&bytes);
    assert_eq!(
        events(&mut conn),
        [Event::Ping(b"p".to_vec()), close_event(4000, "ok")]
    );
    assert!(written(&mut conn).is_empty(), "no pong, no second close");
    assert_eq!(conn.ready_state(), ReadyState::Closed);
    assert!(conn.should_close_tcp());
}

#[test]
fn our_close_during_a_fragmented_message_drops_it() {
    let mut conn = server();
    let text = frame_to(Role::Server, false, OpCode::Text, b"partial");
    conn.handle_bytes(&text[..text.len() - 3]);
    conn.close(None, "").expect("open");
    conn.handle_bytes(&text[text.len() - 3..]);
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Continuation, b"end"));
    conn.handle_bytes(&close_to(Role::Server, 1000, ""));
    assert_eq!(events(&mut conn), [close_event(1000, "")]);
    assert_eq!(close_code_of(&written(&mut conn)[0]).0, 1000);
}

#[test]
fn our_close_times_out_with_1006() {
    let t0 = start();
    let mut conn = server();
    conn.handle_timeout(t0);
    conn.close(None, "").expect("open");
    written(&mut conn);
    assert_eq!(conn.poll_timeout(), Some(t0 + secs(5)));
    conn.handle_timeout(t0 + secs(5));
    assert_eq!(events(&mut conn), [close_event(1006, "")]);
    assert!(conn.should_close_tcp());
}

#[test]
fn timer_armed_before_any_time_starts_at_the_next_tick() {
    let mut conn = server();
    conn.close(None, "").expect("open");
    assert_eq!(conn.poll_timeout(), None, "no time known yet");
    let t0 = start();
    conn.handle_timeout(t0);
    assert_eq!(conn.poll_timeout(), Some(t0 + secs(5)));
    conn.handle_timeout(t0 + secs(6));
    assert_eq!(events(&mut conn), [close_event(1006, "")]);
}

#[test]
fn eof_while_open_is_1006_once() {
    let mut conn = server();
    conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Text, b"hi"));
    conn.handle_eof();
    conn.handle_eof();
    assert_eq!(
        events(&mut conn),
        [
            Event::Message(Message::Text("hi".into())),
            close_event(1006, "")
        ]
    );
    assert!(conn.should_close_tcp());
    assert!(written(&mut conn).is_empty());
}

#[test]
fn eof_after_our_close_is_1006() {
    let mut conn = client();
    conn.close(Some(1000), "").expect("open");
    conn.handle_eof();
    assert_eq!(events(&mut conn), [close_event(1006, "")]);
}

#[test]
fn close_checks_code_and_reason() {
    let mut conn = server();
    assert!(matches!(
        conn.close(Some(1005), ""),
        Err(Error::InvalidCloseCode(1005))
    ));
    assert!(matches!(
        conn.close(Some(1000), &"x".repeat(124)),
        Err(Error::CloseReasonTooLong(124))
    ));
    assert_eq!(conn.ready_state(), ReadyState::Open);
    assert!(conn.pending_transmit().is_empty());
}

#[test]
fn send_frame_rejects_misuse() {
    let mut conn = server();
    assert!(matches!(
        conn.send_frame(OpCode::Close, b"", true),
        Err(Error::CloseViaSendFrame)
    ));
    assert!(matches!(
        conn.send_frame(OpCode::Reserved(3), b"", true),
        Err(Error::ReservedOpcode(3))
    ));
    assert!(matches!(
        conn.send_frame(OpCode::Ping, b"", false),
        Err(Error::FragmentedControlFrame)
    ));
    assert!(matches!(
        conn.send_ping(&[0; 126]),
        Err(Error::ControlPayloadTooLong(126))
    ));
    assert!(conn.send_ping(&[0; 125]).is_ok());
}

/// Autobahn 7.1.x: a message and the peer's close arrive together; the echo of the message goes
/// out before the echo of the close.
#[test]
fn message_before_the_peer_close_can_still_be_answered() {
    let mut conn = server();
    let mut bytes = frame_to(Role::Server, true, OpCode::Text, b"last");
    bytes.extend(close_to(Role::Server, 1000, ""));
    conn.handle_bytes(&bytes);
    let Some(Event::Message(Message::Text(text))) = conn.poll_event() else {
        panic!("message first")
    };
    conn.send_text(&text).expect("echo before the close event");
    assert_eq!(conn.poll_event(), Some(close_event(1000, "")));
    let out = written(&mut conn);
    assert_eq!(
        out.iter().map(|f| f.opcode).collect::<Vec<_>>(),
        [OpCode::Text, OpCode::Close]
    );
    assert!(conn.should_close_tcp());
}
