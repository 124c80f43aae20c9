//! Messages (RFC 6455 sections 5.4 and 5.5): random message sequences, fragmented at random with
//! pings between fragments, pass through a server and a client connection exactly, both ways at
//! once; pongs come back; the closing handshake then completes on both ends.

use proptest::prelude::*;
use websocket_driver::frame::OpCode;
use websocket_driver::{Config, Connection, Event, Message, ReadyState, Role};

use crate::support::{connection, events, piece_sizes, split, take_transmit};

/// A message to send, its fragment sizes, and pings to slip in after some fragments.
#[derive(Clone, Debug)]
struct Outgoing {
    message: Message,
    fragments: Vec<usize>,
    pings: Vec<Option<Vec<u8>>>,
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        ".{0,200}".prop_map(Message::Text),
        prop::collection::vec(any::<u8>(), 0..3000).prop_map(Message::Binary),
    ]
}

fn outgoing() -> impl Strategy<Value = Outgoing> {
    (
        message(),
        prop::collection::vec(0usize..400, 0..6),
        prop::collection::vec(
            prop::option::weighted(0.3, prop::collection::vec(any::<u8>(), 0..=125)),
            0..6,
        ),
    )
        .prop_map(|(message, fragments, pings)| Outgoing {
            message,
            fragments,
            pings,
        })
}

fn outgoing_list() -> impl Strategy<Value = Vec<Outgoing>> {
    prop::collection::vec(outgoing(), 0..8)
}

/// Sends `out` as fragments (a text message may be cut inside a character: validation spans the
/// fragments), and returns the events the peer must see, in order.
fn send(conn: &mut Connection, list: &[Outgoing]) -> Vec<Event> {
    let mut expected = Vec::new();
    for out in list {
        let (opcode, bytes) = match &out.message {
            Message::Text(text) => (OpCode::Text, text.as_bytes()),
            Message::Binary(data) => (OpCode::Binary, &data[..]),
        };
        let mut rest = bytes;
        let mut first = true;
        let mut fragment = 0;
        loop {
            let size = out
                .fragments
                .get(fragment)
                .copied()
                .unwrap_or(rest.len())
                .min(rest.len());
            let (part, tail) = rest.split_at(size);
            let fin = tail.is_empty() && fragment >= out.fragments.len().saturating_sub(1);
            let op = if first { opcode } else { OpCode::Continuation };
            conn.send_frame(op, part, fin).expect("open");
            if let Some(Some(ping)) = out.pings.get(fragment) {
                if !fin {
                    conn.send_ping(ping).expect("open, short ping");
                    expected.push(Event::Ping(ping.clone()));
                }
            }
            first = false;
            fragment += 1;
            rest = tail;
            if fin {
                break;
            }
        }
        expected.push(Event::Message(out.message.clone()));
    }
    expected
}

/// The pongs a sender gets back for the pings in `expected`.
fn pongs(expected: &[Event]) -> Vec<Event> {
    expected
        .iter()
        .filter_map(|e| match e {
            Event::Ping(payload) => Some(Event::Pong(payload.clone())),
            _ => None,
        })
        .collect()
}

/// Moves what `from` wrote to `to`, in pieces.
fn deliver(from: &mut Connection, to: &mut Connection, sizes: &[usize]) {
    let bytes = take_transmit(from);
    for piece in split(&bytes, sizes) {
        to.handle_bytes(piece);
    }
}

proptest! {
    #![proptest_config(crate::support::config("proptest-regressions/messages.txt"))]

    #[test]
    fn messages_pass_both_ways_exactly(
        to_client in outgoing_list(),
        to_server in outgoing_list(),
        sizes in piece_sizes(),
    ) {
        let config = Config { max_length: 10_000, ..Config::default() };
        let mut server = connection(Role::Server, config.clone());
        let mut client = connection(Role::Client, config);

        let client_expects = send(&mut server, &to_client);
        let server_expects = send(&mut client, &to_server);
        deliver(&mut server, &mut client, &sizes);
        prop_assert_eq!(events(&mut client), client_expects.clone(), "the client received");
        // The client's pongs were queued after its own messages, so they follow them.
        deliver(&mut client, &mut server, &sizes);
        let mut then_pongs = server_expects.clone();
        then_pongs.extend(pongs(&client_expects));
        prop_assert_eq!(events(&mut server), then_pongs, "the server received");
        deliver(&mut server, &mut client, &sizes);
        prop_assert_eq!(events(&mut client), pongs(&server_expects), "the client's pongs");

        // The closing handshake, started by the client (section 7.1.2), completes on both ends.
        client.close(Some(1000), "bye").expect("open");
        deliver(&mut client, &mut server, &sizes);
        let closed = Event::Close { code: 1000, reason: "bye".to_owned() };
        prop_assert_eq!(events(&mut server), vec![closed], "the server saw the close");
        deliver(&mut server, &mut client, &sizes);
        let echoed = Event::Close { code: 1000, reason: String::new() };
        prop_assert_eq!(events(&mut client), vec![echoed], "the client saw the echo");
        prop_assert_eq!(server.ready_state(), ReadyState::Closed, "server state");
        prop_assert_eq!(client.ready_state(), ReadyState::Closed, "client state");
        prop_assert!(server.should_close_tcp(), "the server closes TCP first");
        prop_assert!(!client.should_close_tcp(), "the client waits for the server to close TCP");
    }
}
