//! Negotiation through `make_client` and `make_server`, wired back to back in memory, and the
//! responses a client must refuse.

use std::sync::{Arc, Mutex};

use websocket_driver::ext::deflate::{DeflateConfig, DeflateParams, DeflateResponseError};
use websocket_driver::handshake::{accept_key, parse_request, HandshakeError};
use websocket_driver::ws::{make_client, make_server, Client, Message, Options, Server};

use crate::wire::all_data_compressed;

/// Moves bytes both ways until quiet; returns what the server wrote after its 101.
fn pump(server: &mut Server, client: &mut Client) -> Vec<u8> {
    let mut from_server = Vec::new();
    for _ in 0..100 {
        let to_server = client.pending_transmit().to_vec();
        client.consume_transmit(to_server.len());
        server.parse(&to_server);
        let to_client = server.pending_transmit().to_vec();
        server.consume_transmit(to_client.len());
        from_server.extend_from_slice(&to_client);
        client.parse(&to_client);
        if client.pending_transmit().is_empty() && server.pending_transmit().is_empty() {
            return from_server;
        }
    }
    panic!("never quiet");
}

fn echo_pair(server_options: Options, client_options: Options) -> (Server, Client, String) {
    let mut client = make_client("ws://example.com/", client_options).unwrap();
    client.start_connection();
    let (request, len) = parse_request(client.pending_transmit()).unwrap().unwrap();
    client.consume_transmit(len);
    let mut server = make_server(&request, server_options).unwrap();
    server.on_message(|ws, message| {
        ws.send(message);
    });
    server.start_connection();
    let head = server.pending_transmit().to_vec();
    let response = String::from_utf8_lossy(&head).into_owned();
    server.consume_transmit(head.len());
    client.parse(&head);
    (server, client, response)
}

#[test]
fn both_ends_of_the_api_agree_and_compress() {
    let client_config = DeflateConfig::new()
        .params(
            DeflateParams::new()
                .server_max_window_bits(10)
                .client_no_context_takeover(true),
        )
        .fallback(DeflateParams::new())
        .threshold(0);
    let (mut server, mut client, response) = echo_pair(
        Options::new().deflate(DeflateConfig::new().threshold(0)),
        Options::new().deflate(client_config),
    );
    assert!(
        response.contains(
            "\r\nSec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; \
             server_max_window_bits=10\r\n"
        ),
        "{response}"
    );
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    client.on_message(move |_, message| sink.lock().unwrap().push(message));
    let sent = [
        Message::Text("hello ".repeat(1000)),
        Message::Binary((0..=255).cycle().take(70_000).collect()),
        Message::Text("hello ".repeat(1000)),
    ];
    for message in &sent {
        client.send(message.clone());
    }
    let from_server = pump(&mut server, &mut client);
    assert_eq!(*got.lock().unwrap(), sent);
    assert!(all_data_compressed(&from_server));
}

#[test]
fn a_server_without_deflate_declines_and_messages_flow_plain() {
    let (mut server, mut client, response) =
        echo_pair(Options::new(), Options::new().deflate(DeflateConfig::new()));
    assert!(!response.contains("Extensions"), "{response}");
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    client.on_message(move |_, message| sink.lock().unwrap().push(message));
    client.send("plain ".repeat(100));
    let from_server = pump(&mut server, &mut client);
    assert_eq!(*got.lock().unwrap(), [Message::Text("plain ".repeat(100))]);
    assert!(!all_data_compressed(&from_server));
}

/// The handshake error a client offering `config` gets for a 101 with `extensions`.
fn refused(config: DeflateConfig, extensions: &str) -> Option<HandshakeError> {
    let mut client = make_client("ws://example.com/", Options::new().deflate(config)).unwrap();
    let closed = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&closed);
    client.on_close(move |_, code, reason| *sink.lock().unwrap() = Some((code, reason.to_owned())));
    client.start_connection();
    let (request, _) = parse_request(client.pending_transmit()).unwrap().unwrap();
    let key = request.header("Sec-WebSocket-Key").unwrap().to_owned();
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Extensions: {extensions}\r\n\r\n",
        accept_key(&key)
    );
    client.parse(response.as_bytes());
    let error = client.handshake_error();
    if let Some(error) = error {
        let closed = closed.lock().unwrap().clone();
        assert_eq!(closed, Some((1002, error.to_string())), "{extensions}");
    }
    error
}

#[test]
fn bad_extension_responses_fail_the_handshake() {
    let plain = || DeflateConfig::new().params(DeflateParams::new().client_max_window_bits(10));
    let deflate_error = |e| Some(HandshakeError::InvalidDeflateResponse(e));
    let cases = [
        (
            "x-webkit-deflate-frame",
            Some(HandshakeError::ExtensionNotOffered),
        ),
        (
            "permessage-deflate, x-foo",
            Some(HandshakeError::ExtensionNotOffered),
        ),
        (
            "permessage-deflate; foo",
            deflate_error(DeflateResponseError::UnknownParameter),
        ),
        (
            "permessage-deflate; client_max_window_bits=12",
            deflate_error(DeflateResponseError::NotOffered),
        ),
        (
            "permessage-deflate; server_max_window_bits=16",
            deflate_error(DeflateResponseError::InvalidWindowBits),
        ),
        (
            "permessage-deflate; server_max_window_bits=7",
            deflate_error(DeflateResponseError::InvalidWindowBits),
        ),
        (
            "permessage-deflate; client_max_window_bits=16",
            deflate_error(DeflateResponseError::InvalidWindowBits),
        ),
        (
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            deflate_error(DeflateResponseError::DuplicateParameter),
        ),
        (
            "permessage-deflate; client_max_window_bits=9; client_max_window_bits=9",
            deflate_error(DeflateResponseError::DuplicateParameter),
        ),
        (
            "permessage-deflate, permessage-deflate",
            deflate_error(DeflateResponseError::AcceptedTwice),
        ),
    ];
    for (extensions, expected) in cases {
        assert_eq!(refused(plain(), extensions), expected, "{extensions}");
    }
    // Accepted as offered.
    assert_eq!(
        refused(plain(), "permessage-deflate; client_max_window_bits=9"),
        None
    );
    // A requested server_max_window_bits missing from the response.
    let asked = DeflateConfig::new().params(DeflateParams::new().server_max_window_bits(12));
    assert_eq!(
        refused(asked, "permessage-deflate"),
        deflate_error(DeflateResponseError::NotOffered)
    );
    // An extension when none was offered at all.
    let mut client = make_client("ws://example.com/", Options::new()).unwrap();
    client.start_connection();
    let (request, _) = parse_request(client.pending_transmit()).unwrap().unwrap();
    let key = request.header("Sec-WebSocket-Key").unwrap().to_owned();
    assert!(request.header("Sec-WebSocket-Extensions").is_none());
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        accept_key(&key)
    );
    client.parse(response.as_bytes());
    assert_eq!(
        client.handshake_error(),
        Some(HandshakeError::ExtensionNotOffered)
    );
}
