//! Chunking invariance: the same bytes give the same events and the same output however they are
//! split across `handle_bytes` calls.

use super::*;

/// A stream with a bit of everything, ending in a close.
fn stream(role: Role) -> Vec<u8> {
    let big: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let mut s = Vec::new();
    s.extend(frame_to(
        role,
        true,
        OpCode::Text,
        "Hello, w\u{f6}rld \u{1f600}".as_bytes(),
    ));
    s.extend(frame_to(
        role,
        false,
        OpCode::Text,
        "\u{20ac}\u{20ac}".as_bytes()[..4].as_ref(),
    ));
    s.extend(frame_to(role, true, OpCode::Ping, b"ping"));
    s.extend(frame_to(
        role,
        true,
        OpCode::Continuation,
        "\u{20ac}\u{20ac}".as_bytes()[4..].as_ref(),
    ));
    s.extend(frame_to(role, true, OpCode::Binary, &big[..300]));
    s.extend(frame_to(role, false, OpCode::Binary, &big[..126]));
    s.extend(frame_to(role, true, OpCode::Continuation, &big));
    s.extend(frame_to(role, true, OpCode::Pong, b""));
    s.extend(close_to(role, 1000, "done"));
    s
}

fn run(role: Role, bytes: &[u8], chunk: usize) -> (Vec<Event>, Vec<u8>) {
    let mut conn = Connection::with_seed(role, Config::default(), 3);
    for piece in bytes.chunks(chunk) {
        conn.handle_bytes(piece);
    }
    (events(&mut conn), conn.pending_transmit().to_vec())
}

#[test]
fn any_chunking_gives_the_same_events_and_output() {
    for role in [Role::Server, Role::Client] {
        let bytes = stream(role);
        let whole = run(role, &bytes, bytes.len());
        assert_eq!(whole.0.len(), 7, "{:?}", whole.0);
        assert!(matches!(
            whole.0.last(),
            Some(Event::Close { code: 1000, .. })
        ));
        for chunk in [1, 2, 3, 5, 7, 13, 64, 1000, 4096] {
            assert_eq!(run(role, &bytes, chunk), whole, "{role:?} chunk {chunk}");
        }
    }
}

#[test]
fn invalid_utf8_is_found_at_the_same_place_in_any_chunking() {
    let mut bytes = frame_to(Role::Server, true, OpCode::Text, b"fine");
    bytes.extend(frame_to(
        Role::Server,
        false,
        OpCode::Text,
        "κόσμε".as_bytes(),
    ));
    bytes.extend(frame_to(
        Role::Server,
        true,
        OpCode::Continuation,
        b"\xce\xba\xed\xa0\x80 rest",
    ));
    let whole = run(Role::Server, &bytes, bytes.len());
    for chunk in 1..20 {
        assert_eq!(run(Role::Server, &bytes, chunk), whole, "chunk {chunk}");
    }
}
