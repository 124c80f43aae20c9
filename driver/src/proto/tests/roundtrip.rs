//! Our client talking to our server through a pipe, and arbitrary bytes never panicking.

use super::*;
use crate::proto::{Message, ReadyState};

/// Moves everything `from` has to write into `to`.
fn pipe(from: &mut Connection, to: &mut Connection) {
    let bytes = from.pending_transmit().to_vec();
    from.consume_transmit(bytes.len());
    to.handle_bytes(&bytes);
}

#[test]
fn client_and_server_exchange_messages_and_close_cleanly() {
    let mut client = Connection::with_seed(Role::Client, Config::default(), 9);
    let mut server = server();
    let big: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
    client.send_text("h\u{e9}llo").expect("open");
    client
        .send_frame(OpCode::Binary, &big[..10], false)
        .expect("open");
    client.send_ping(b"are you there").expect("open");
    client
        .send_frame(OpCode::Continuation, &big[10..], true)
        .expect("open");
    pipe(&mut client, &mut server);
    assert_eq!(
        events(&mut server),
        [
            Event::Message(Message::Text("h\u{e9}llo".into())),
            Event::Ping(b"are you there".to_vec()),
            Event::Message(Message::Binary(big.clone())),
        ]
    );
    server.send_binary(&big).expect("open");
    pipe(&mut server, &mut client);
    assert_eq!(
        events(&mut client),
        [
            Event::Pong(b"are you there".to_vec()),
            Event::Message(Message::Binary(big))
        ]
    );

    client.close(Some(1000), "bye").expect("open");
    pipe(&mut client, &mut server);
    assert_eq!(
        events(&mut server),
        [Event::Close {
            code: 1000,
            reason: "bye".into()
        }]
    );
    pipe(&mut server, &mut client);
    assert!(server.should_close_tcp());
    assert_eq!(
        events(&mut client),
        [Event::Close {
            code: 1000,
            reason: String::new()
        }]
    );
    assert!(
        !client.should_close_tcp(),
        "the client waits for the server's FIN"
    );
    client.handle_eof();
    assert!(client.should_close_tcp());
    assert_eq!(
        (client.ready_state(), server.ready_state()),
        (ReadyState::Closed, ReadyState::Closed)
    );
    assert_eq!(events(&mut client), []);
}

/// A small deterministic generator (xorshift), enough to make varied garbage without a dependency.
struct Garbage(u64);

impl Garbage {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn arbitrary_bytes_never_panic_and_close_at_most_once() {
    let mut rng = Garbage(0x9e37_79b9_7f4a_7c15);
    for round in 0..2000 {
        let role = if round % 2 == 0 {
            Role::Server
        } else {
            Role::Client
        };
        let len = (rng.next() % 300) as usize;
        // Bias the first bytes towards plausible headers so that the payload paths are reached too.
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if let [b0, b1, ..] = bytes.as_mut_slice() {
            *b0 &= 0x8f;
            *b1 = (*b1 & 0x7f) | if role.is_server() { 0x80 } else { 0 };
        }
        let config = Config {
            max_length: 64,
            ..Config::default()
        };
        let mut conn = Connection::with_seed(role, config, round);
        let chunk = 1 + (rng.next() % 17) as usize;
        for piece in bytes.chunks(chunk) {
            conn.handle_bytes(piece);
        }
        conn.handle_eof();
        let closes = events(&mut conn)
            .iter()
            .filter(|e| matches!(e, Event::Close { .. }))
            .count();
        assert_eq!(closes, 1, "round {round}");
        assert!(conn.should_close_tcp());
        assert!(conn.message.is_none() && conn.frame.is_none());
    }
}
