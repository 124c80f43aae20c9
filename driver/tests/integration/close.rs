//! Every way a connection ends: either side closes, a protocol error (1002, 1007), an
//! oversized message (1009), TCP lost (1006); and the close event fires once each time.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use websocket_driver::handshake::{accept_key, parse_request};
use websocket_driver::ws::Options;

use crate::support::{client, close_code, echo_server, server, within, Events, Raw};

/// No further close event arrives on `events` within a short while.
async fn no_second_close(events: &mut Events) {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let rest = events.drain();
    assert!(
        !rest.iter().any(|e| e.contains(" close ")),
        "a second close: {rest:?}"
    );
}

#[tokio::test]
async fn client_closes() {
    let (addr, mut server_events) = echo_server(Options::default()).await;
    let (handle, mut events) = client(addr, Options::default()).await;
    assert!(handle.close_connection());
    assert_eq!(
        within("closed", handle.closed()).await,
        (1000, String::new())
    );
    assert_eq!(
        server_events.wait_for("server close").await,
        "server close 1000 "
    );
    assert_eq!(events.wait_for("client close").await, "client close 1000 ");
    no_second_close(&mut events).await;
    no_second_close(&mut server_events).await;
    assert!(!handle.send("late"), "the connection's task has ended");
}

#[tokio::test]
async fn server_closes_with_a_code_and_reason() {
    let (mut server_events, reporter) = Events::new();
    let addr = server(Options::default(), move |ws| {
        reporter.attach(ws, "server");
        ws.on_message(|ws, _| {
            ws.close_with(Some(4001), "done");
        });
    })
    .await;
    let (handle, mut events) = client(addr, Options::default()).await;
    handle.send("bye");
    assert_eq!(
        within("closed", handle.closed()).await,
        (4001, "done".into())
    );
    assert_eq!(
        server_events.wait_for("server close").await,
        "server close 4001 "
    );
    assert_eq!(
        events.wait_for("client close").await,
        "client close 4001 done"
    );
    no_second_close(&mut server_events).await;
}

#[tokio::test]
async fn a_protocol_error_closes_with_1002_then_the_server_closes_tcp() {
    let (addr, mut server_events) = echo_server(Options::default()).await;
    let mut raw = Raw::connect(addr).await;
    raw.send(true, 0x1, b"not masked", false).await;
    let (fin, opcode, payload) = raw.frame().await.expect("a close frame");
    assert_eq!((fin, opcode, close_code(&payload)), (true, 0x8, 1002));
    assert!(
        raw.eof().await,
        "the server closes TCP after its close frame"
    );
    assert_eq!(
        server_events.wait_for("server error").await,
        "server error unmasked frame from client"
    );
    assert!(server_events
        .wait_for("server close")
        .await
        .starts_with("server close 1002"));
    no_second_close(&mut server_events).await;
}

#[tokio::test]
async fn reserved_opcode_is_1002_and_invalid_utf8_is_1007() {
    let (addr, _) = echo_server(Options::default()).await;
    let mut raw = Raw::connect(addr).await;
    raw.send(true, 0x3, b"", true).await;
    let (_, opcode, payload) = raw.frame().await.expect("a close frame");
    assert_eq!((opcode, close_code(&payload)), (0x8, 1002));

    let mut raw = Raw::connect(addr).await;
    // The first fragment is already invalid: F4 90 is past U+10FFFF.
    raw.send(false, 0x1, &[b'a', 0xf4, 0x90], true).await;
    let (_, opcode, payload) = raw.frame().await.expect("a close frame");
    assert_eq!((opcode, close_code(&payload)), (0x8, 1007));
    assert!(raw.eof().await);
}

#[tokio::test]
async fn a_peer_close_is_echoed_and_tcp_closed() {
    let (addr, mut server_events) = echo_server(Options::default()).await;
    let mut raw = Raw::connect(addr).await;
    let mut payload = 3000u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"going");
    raw.send(true, 0x8, &payload, true).await;
    let (_, opcode, echoed) = raw.frame().await.expect("the echoed close");
    assert_eq!((opcode, close_code(&echoed)), (0x8, 3000));
    assert!(raw.eof().await);
    assert_eq!(
        server_events.wait_for("server close").await,
        "server close 3000 going"
    );
}

#[tokio::test]
async fn losing_tcp_is_1006_once() {
    let (addr, mut server_events) = echo_server(Options::default()).await;
    let raw = Raw::connect(addr).await;
    server_events.wait_for("server open").await;
    raw.abort();
    assert_eq!(
        server_events.wait_for("server close").await,
        "server close 1006 "
    );
    no_second_close(&mut server_events).await;
}

#[tokio::test]
async fn losing_tcp_mid_message_is_1006() {
    let (addr, mut server_events) = echo_server(Options::default()).await;
    let mut raw = Raw::connect(addr).await;
    raw.send(false, 0x2, &[0; 10], true).await;
    raw.abort();
    assert_eq!(
        server_events.wait_for("server close").await,
        "server close 1006 "
    );
}

#[tokio::test]
async fn a_message_over_max_length_is_1009() {
    let (addr, mut server_events) = echo_server(Options::new().max_length(16)).await;
    let (handle, mut events) = client(addr, Options::default()).await;
    handle.send("sixteen bytes ok");
    assert_eq!(
        events.wait_for("client message").await,
        r#"client message text "sixteen bytes ok""#
    );
    handle.send(vec![0u8; 17]);
    let (code, _) = within("closed", handle.closed()).await;
    assert_eq!(code, 1009);
    assert_eq!(
        server_events.wait_for("server error").await,
        "server error message longer than max_length"
    );
    assert!(server_events
        .wait_for("server close")
        .await
        .starts_with("server close 1009"));
}

#[tokio::test]
async fn max_length_counts_all_fragments() {
    let (addr, _) = echo_server(Options::new().max_length(10)).await;
    let mut raw = Raw::connect(addr).await;
    raw.send(false, 0x2, &[0; 6], true).await;
    raw.send(false, 0x0, &[0; 5], true).await;
    let (_, opcode, payload) = raw.frame().await.expect("a close frame");
    assert_eq!((opcode, close_code(&payload)), (0x8, 1009));
}

#[tokio::test]
async fn the_client_gives_up_on_a_server_that_never_answers_its_close() {
    // A server that completes the handshake, then reads and ignores everything.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let request = loop {
            let mut chunk = [0; 1024];
            let n = stream.read(&mut chunk).await.unwrap();
            head.extend_from_slice(&chunk[..n]);
            if let Some((request, _)) = parse_request(&head).unwrap() {
                break request;
            }
        };
        let key = request.header("Sec-WebSocket-Key").unwrap();
        let response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n\r\n",
            accept_key(key)
        );
        stream.write_all(response.as_bytes()).await.unwrap();
        let mut sink = [0; 1024];
        while stream.read(&mut sink).await.is_ok_and(|n| n > 0) {}
    });
    let options = Options::new().close_timeout(Duration::from_millis(200));
    let (handle, mut events) = client(addr, options).await;
    let started = std::time::Instant::now();
    handle.close_connection();
    let (code, _) = within("closed", handle.closed()).await;
    assert_eq!(code, 1006, "no close frame came back");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(events
        .wait_for("client close")
        .await
        .starts_with("client close 1006"));
}
