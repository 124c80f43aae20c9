//! permessage-deflate (RFC 7692): whole messages compressed by one end come out of the other
//! exactly, both ways, whatever the agreed parameters (context takeover, window bits), the
//! threshold and the compression level, split across reads at random.

use proptest::prelude::*;
use websocket_driver::ext::deflate::{DeflateParams, Negotiated};
use websocket_driver::frame::FrameHeader;
use websocket_driver::{Config, Connection, Event, Message, Role};

use crate::support::{connection, events, piece_sizes, split, take_transmit};

/// Window bits as agreed: absent (15), or 8 to 15 (8 means we cannot compress and send plain).
fn window_bits() -> impl Strategy<Value = Option<u8>> {
    prop::option::of(8u8..=15)
}

fn negotiated() -> impl Strategy<Value = Negotiated> {
    (
        any::<bool>(),
        any::<bool>(),
        window_bits(),
        window_bits(),
        0usize..64,
        0u32..=9,
    )
        .prop_map(
            |(server_nct, client_nct, server_bits, client_bits, threshold, level)| {
                let mut params = DeflateParams::new()
                    .server_no_context_takeover(server_nct)
                    .client_no_context_takeover(client_nct);
                params.server_max_window_bits = server_bits;
                params.client_max_window_bits = client_bits;
                Negotiated {
                    params,
                    threshold,
                    level,
                }
            },
        )
}

/// Messages that compress well (repeats) and ones that do not (random bytes).
fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        (".{0,40}", 1usize..50).prop_map(|(s, n)| Message::Text(s.repeat(n))),
        ".{0,100}".prop_map(Message::Text),
        prop::collection::vec(any::<u8>(), 0..2000).prop_map(Message::Binary),
        (prop::collection::vec(any::<u8>(), 1..8), 1usize..2000)
            .prop_map(|(b, n)| Message::Binary(b.repeat(n))),
    ]
}

/// Sends each message whole, checks the RSV1 bit ("Per-Message Compressed") of its frame, and
/// delivers the bytes to `to` in pieces; returns the events `to` must see.
fn send_all(
    from: &mut Connection,
    to: &mut Connection,
    negotiated: &Negotiated,
    messages: &[Message],
    sizes: &[usize],
) -> Result<Vec<Event>, TestCaseError> {
    let role = from.role();
    for message in messages {
        let len = match message {
            Message::Text(text) => {
                from.send_text(text).expect("open");
                text.len()
            }
            Message::Binary(data) => {
                from.send_binary(data).expect("open");
                data.len()
            }
        };
        let wire = take_transmit(from);
        let (header, _) = FrameHeader::parse(&wire).expect("valid").expect("complete");
        let compresses = negotiated.window_bits(role) > 8 && len >= negotiated.threshold;
        prop_assert_eq!(
            header.rsv == 0b100,
            compresses,
            "{:?} sent {} bytes with RSV bits {:#b} (threshold {}, window {})",
            role,
            len,
            header.rsv,
            negotiated.threshold,
            negotiated.window_bits(role)
        );
        for piece in split(&wire, sizes) {
            to.handle_bytes(piece);
        }
    }
    Ok(messages.iter().cloned().map(Event::Message).collect())
}

proptest! {
    #![proptest_config(crate::support::config("proptest-regressions/deflate.txt"))]

    #[test]
    fn compressed_messages_pass_both_ways(
        negotiated in negotiated(),
        to_client in prop::collection::vec(message(), 0..6),
        to_server in prop::collection::vec(message(), 0..6),
        sizes in piece_sizes(),
    ) {
        let config = Config { max_length: 1 << 20, ..Config::default() };
        let mut server = connection(Role::Server, config.clone());
        let mut client = connection(Role::Client, config);
        server.enable_deflate(&negotiated);
        client.enable_deflate(&negotiated);

        let expected = send_all(&mut server, &mut client, &negotiated, &to_client, &sizes)?;
        prop_assert_eq!(events(&mut client), expected, "the client received");
        let expected = send_all(&mut client, &mut server, &negotiated, &to_server, &sizes)?;
        prop_assert_eq!(events(&mut server), expected, "the server received");
    }
}
