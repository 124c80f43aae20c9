//! The seed's API driven in memory: a [`Client`] and a [`Server`] wired back to back, no
//! sockets, so every listener and callback can be checked step by step.

use std::sync::{Arc, Mutex};

use crate::handshake::{parse_request, HandshakeError, Request};

use super::*;

/// A shared log the listeners write to.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Sets all four listeners of `ws` to write to `log` with a prefix.
fn record<S: Side>(ws: &mut WebSocket<S>, log: &Log, who: &'static str) {
    let l = log.clone();
    ws.on_open(move |_| l.push(format!("{who} open")));
    let l = log.clone();
    ws.on_message(move |_, m| l.push(format!("{who} message {m:?}")));
    let l = log.clone();
    ws.on_error(move |_, e| l.push(format!("{who} error {e}")));
    let l = log.clone();
    ws.on_close(move |_, code, reason| l.push(format!("{who} close {code} {reason}")));
}

/// A started client and the request it sends.
fn client(options: Options) -> (Client, Request) {
    let mut client = make_client("ws://example.com/chat", options).unwrap();
    assert_eq!(client.ready_state(), ReadyState::Connecting);
    assert!(
        client.pending_transmit().is_empty(),
        "nothing before start_connection"
    );
    assert!(client.start_connection());
    assert!(!client.start_connection(), "the handshake is sent once");
    let (request, len) = parse_request(client.pending_transmit()).unwrap().unwrap();
    assert_eq!(len, client.pending_transmit().len());
    // The request is the transport's to read: the server is made from it.
    client.consume_transmit(len);
    (client, request)
}

/// Moves every pending byte both ways until both sides are quiet.
fn pump(server: &mut Server, client: &mut Client) {
    for _ in 0..100 {
        let to_server = client.pending_transmit().to_vec();
        client.consume_transmit(to_server.len());
        server.parse(&to_server);
        let to_client = server.pending_transmit().to_vec();
        server.consume_transmit(to_client.len());
        client.parse(&to_client);
        if client.pending_transmit().is_empty() && server.pending_transmit().is_empty() {
            return;
        }
    }
    panic!("the two sides never went quiet");
}

/// An open pair whose listeners write to `log`; the server echoes.
fn open_pair(log: &Log, server_options: Options, client_options: Options) -> (Server, Client) {
    let (mut client, request) = client(client_options);
    record(&mut client, log, "client");
    let mut server = make_server(&request, server_options).unwrap();
    record(&mut server, log, "server");
    let l = log.clone();
    server.on_message(move |ws, m| {
        l.push(format!("server message {m:?}"));
        ws.send(m);
    });
    assert!(server.start_connection());
    assert!(!server.start_connection());
    pump(&mut server, &mut client);
    assert_eq!(log.take(), ["server open", "client open"]);
    (server, client)
}

#[test]
fn echo_both_message_types() {
    let log = Log::default();
    let (mut server, mut client) = open_pair(&log, Options::default(), Options::default());
    assert_eq!(
        (server.ready_state(), client.ready_state()),
        (ReadyState::Open, ReadyState::Open)
    );
    assert_eq!(client.version(), "hybi-13");
    assert!(client.send("héllo"));
    assert!(client.send(vec![0u8, 255]));
    assert!(client.send(""));
    pump(&mut server, &mut client);
    assert_eq!(
        log.take(),
        [
            r#"server message Text("héllo")"#,
            "server message Binary([0, 255])",
            r#"server message Text("")"#,
            r#"client message Text("héllo")"#,
            "client message Binary([0, 255])",
            r#"client message Text("")"#,
        ]
    );
}

#[test]
fn subprotocol_is_the_first_offered_that_the_server_accepts() {
    let log = Log::default();
    let (server, client) = open_pair(
        &log,
        Options::new().accept_protocols(["b", "c"]),
        Options::new().protocols(["a", "c", "b"]),
    );
    assert_eq!(server.protocol(), Some("c"));
    assert_eq!(client.protocol(), Some("c"));

    let (server, client) = open_pair(
        &log,
        Options::new().accept_protocols(["x"]),
        Options::new().protocols(["a"]),
    );
    assert_eq!((server.protocol(), client.protocol()), (None, None));
}

#[test]
fn additional_headers_reach_the_other_side() {
    let (client, request) = client(
        Options::new()
            .additional_header("X-Client", "1")
            .protocols(["p"]),
    );
    drop(client);
    assert_eq!(request.header("x-client"), Some("1"));
    let mut server =
        make_server(&request, Options::new().additional_header("X-Server", "2")).unwrap();
    server.start_connection();
    let head = String::from_utf8(server.pending_transmit().to_vec()).unwrap();
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(head.contains("X-Server: 2\r\n"), "{head}");
}

#[test]
fn send_callback_fires_once_the_whole_frame_is_consumed() {
    let log = Log::default();
    let (mut server, _client) = open_pair(&log, Options::default(), Options::default());
    let l = log.clone();
    assert!(server.send_with(
        "abc",
        SendOptions::new().callback(move || l.push("sent abc"))
    ));
    let l = log.clone();
    assert!(server.send_binary_with(
        &[1, 2],
        SendOptions::new().callback(move || l.push("sent 12"))
    ));
    // Unmasked server frames: 2 + 3 bytes, then 2 + 2 bytes.
    assert_eq!(server.pending_transmit().len(), 9);
    server.consume_transmit(4);
    assert!(
        log.take().is_empty(),
        "one byte of the first frame is still pending"
    );
    server.consume_transmit(1);
    assert_eq!(log.take(), ["sent abc"]);
    server.consume_transmit(4);
    assert_eq!(log.take(), ["sent 12"]);
    server.consume_transmit(0);
    assert!(log.take().is_empty(), "callbacks fire once");
}

#[test]
fn ping_callback_fires_on_the_matching_pong() {
    let log = Log::default();
    let (mut server, mut client) = open_pair(&log, Options::default(), Options::default());
    let l = log.clone();
    assert!(client.send_ping_with(b"one", move || l.push("pong one")));
    let l = log.clone();
    assert!(client.send_ping_with(b"two", move || l.push("pong two")));
    assert!(log.take().is_empty());
    pump(&mut server, &mut client);
    assert_eq!(log.take(), ["pong one", "pong two"]);
    assert!(client.send_ping(b""));
    assert!(
        !client.send_ping(&[0; 126]),
        "control payloads are at most 125 bytes"
    );
    pump(&mut server, &mut client);
    assert!(log.take().is_empty());
}

#[test]
fn ranges_types_and_their_errors() {
    let log = Log::default();
    let (mut server, mut client) = open_pair(&log, Options::default(), Options::default());
    assert!(client.send_text_with("hello", SendOptions::new().range(1, 3)));
    assert!(client.send_with(
        &b"hello"[..],
        SendOptions::new().range(3, 5).kind(SendType::Text)
    ));
    assert!(client.send_with("bin", SendOptions::new().kind(SendType::Binary)));
    assert!(
        !client.send_with("héllo", SendOptions::new().range(0, 2)),
        "splits é"
    );
    assert!(
        !client.send_with("abc", SendOptions::new().range(2, 1)),
        "reversed"
    );
    assert!(
        !client.send_with("abc", SendOptions::new().range(0, 4)),
        "past the end"
    );
    assert!(
        !client.send_with(&[0xffu8][..], SendOptions::new().kind(SendType::Text)),
        "not utf-8"
    );
    assert!(client.send_with(&b"pong"[..], SendOptions::new().kind(SendType::Pong)));
    pump(&mut server, &mut client);
    assert_eq!(
        log.take(),
        [
            r#"server message Text("el")"#,
            r#"server message Text("lo")"#,
            r#"server message Binary([98, 105, 110])"#,
            r#"client message Text("el")"#,
            r#"client message Text("lo")"#,
            r#"client message Binary([98, 105, 110])"#,
        ]
    );
}

#[test]
fn send_type_close_carries_code_and_reason() {
    let log = Log::default();
    let (mut server, mut client) = open_pair(&log, Options::default(), Options::default());
    assert!(client.send_with("bye", SendOptions::new().kind(SendType::Close).code(4000)));
    assert_eq!(client.ready_state(), ReadyState::Closing);
    pump(&mut server, &mut client);
    assert_eq!(
        // The server echoes the code (RFC 6455 section 5.5.1), not the reason.
        log.take(),
        ["server close 4000 bye", "client close 4000 "]
    );
    assert_eq!(server.ready_state(), ReadyState::Closed);
    assert!(server.should_close_tcp(), "the server closes TCP first");
}

#[test]
fn close_connection_closes_both_sides_once() {
    let log = Log::default();
    let (mut server, mut client) = open_pair(&log, Options::default(), Options::default());
    assert!(server.close_connection());
    assert!(!server.close_connection(), "already closing");
    pump(&mut server, &mut client);
    assert_eq!(log.take(), ["client close 1000 ", "server close 1000 "]);
    assert!(!server.send("late"), "no sends once closed");
    assert!(!client.send("late"));
    client.handle_eof();
    server.handle_eof();
    assert!(log.take().is_empty(), "close fires exactly once");
    assert_eq!(client.ready_state(), ReadyState::Closed);
}

#[test]
fn transport_loss_is_1006() {
    let log = Log::default();
    let (mut server, _client) = open_pair(&log, Options::default(), Options::default());
    server.handle_eof();
    assert_eq!(log.take(), ["server close 1006 "]);
    assert_eq!(server.ready_state(), ReadyState::Closed);
}

#[test]
fn protocol_error_reports_then_closes_with_its_code() {
    let log = Log::default();
    let (mut server, _client) = open_pair(&log, Options::default(), Options::default());
    // An unmasked text frame from the "client": servers require masking.
    server.parse(&[0x81, 0x02, b'h', b'i']);
    assert_eq!(
        log.take(),
        [
            "server error unmasked frame from client",
            "server close 1002 unmasked frame from client"
        ]
    );
    let close = server.pending_transmit();
    assert_eq!(
        (close[0], &close[2..4]),
        (0x88, &[0x03, 0xea][..]),
        "close 1002 queued"
    );
}

#[test]
fn max_length_closes_with_1009() {
    let log = Log::default();
    let (mut server, mut client) =
        open_pair(&log, Options::new().max_length(4), Options::default());
    assert!(client.send("1234"));
    assert!(client.send("12345"));
    pump(&mut server, &mut client);
    assert_eq!(
        log.take(),
        [
            r#"server message Text("1234")"#,
            "server error message longer than max_length",
            "server close 1009 message longer than max_length",
            r#"client message Text("1234")"#,
            "client close 1009 message longer than max_length",
        ]
    );
}

#[test]
fn calls_made_while_connecting_run_in_order_once_open() {
    let log = Log::default();
    let (mut client, request) = client(Options::default());
    record(&mut client, &log, "client");
    assert!(client.send("first"));
    let l = log.clone();
    assert!(client.send_ping_with(b"p", move || l.push("pong p")));
    assert!(client.send("second"));
    assert!(client.close_connection());
    let mut server = make_server(&request, Options::default()).unwrap();
    record(&mut server, &log, "server");
    server.start_connection();
    pump(&mut server, &mut client);
    assert_eq!(
        log.take(),
        [
            "server open",
            "client open",
            r#"server message Text("first")"#,
            r#"server message Text("second")"#,
            "server close 1000 ",
            "pong p",
            "client close 1000 ",
        ]
    );
}

#[test]
fn frames_right_behind_the_response_are_not_lost() {
    for chunk in [usize::MAX, 1] {
        let log = Log::default();
        let (mut client, request) = client(Options::default());
        record(&mut client, &log, "client");
        let mut server = make_server(&request, Options::default()).unwrap();
        server.on_open(|ws| {
            ws.send("welcome");
        });
        server.start_connection();
        // The 101 and the first frame arrive together, in one read or a byte at a time.
        let mut bytes = Vec::new();
        while !server.pending_transmit().is_empty() {
            bytes.extend_from_slice(server.pending_transmit());
            server.consume_transmit(bytes.len());
        }
        for piece in bytes.chunks(chunk.min(bytes.len())) {
            client.parse(piece);
        }
        assert_eq!(
            log.take(),
            ["client open", r#"client message Text("welcome")"#],
            "chunk {chunk}"
        );
    }
}

#[test]
fn a_failed_client_handshake_closes_with_1002() {
    let log = Log::default();
    let (mut client, _) = client(Options::default());
    record(&mut client, &log, "client");
    client.parse(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        log.take(),
        ["client close 1002 expected status 101, got 404"]
    );
    assert_eq!(
        client.handshake_error(),
        Some(HandshakeError::StatusNot101(404))
    );
    assert_eq!(client.ready_state(), ReadyState::Closed);
    assert!(client.should_close_tcp());
    assert!(!client.send("x"));
    client.handle_eof();
    assert!(log.take().is_empty(), "close fires once");
}

#[test]
fn eof_while_connecting_is_1006() {
    let log = Log::default();
    let (mut client, _) = client(Options::default());
    record(&mut client, &log, "client");
    client.handle_eof();
    assert_eq!(log.take(), ["client close 1006 "]);
}

#[test]
fn a_bad_request_is_refused() {
    let request = Request::from_parts("GET", "/", [("Host", "h"), ("Upgrade", "websocket")]);
    let refusal = make_server(&request, Options::default()).unwrap_err();
    assert_eq!(refusal.status(), 400);
    let request = Request::from_parts(
        "GET",
        "/",
        [
            ("Host", "h"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("Sec-WebSocket-Version", "8"),
        ],
    );
    let refusal = make_server(&request, Options::default()).unwrap_err();
    assert_eq!(refusal.status(), 426);
    assert!(make_client("http://example.com/", Options::default()).is_err());
}

#[test]
fn a_listener_may_replace_itself() {
    let log = Log::default();
    let (mut server, mut client) = open_pair(&log, Options::default(), Options::default());
    let l = log.clone();
    client.on_message(move |ws, _| {
        let l = l.clone();
        l.push("first listener");
        ws.on_message(move |_, _| l.push("second listener"));
    });
    client.send("a");
    client.send("b");
    pump(&mut server, &mut client);
    let entries: Vec<_> = log
        .take()
        .into_iter()
        .filter(|e| e.ends_with("listener"))
        .collect();
    assert_eq!(entries, ["first listener", "second listener"]);
}
