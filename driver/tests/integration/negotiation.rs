//! The opening handshake through the adapter: subprotocols, refusals, and a client
//! facing something that is not a WebSocket server.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use websocket_driver::tokio::connect;
use websocket_driver::ws::Options;

use crate::support::{client, echo_server, within, Raw};

#[tokio::test]
async fn agrees_on_the_first_offered_protocol_the_server_accepts() {
    let (addr, mut server_events) =
        echo_server(Options::new().accept_protocols(["chat", "superchat"])).await;
    let (_handle, mut events) =
        client(addr, Options::new().protocols(["v2", "superchat", "chat"])).await;
    assert_eq!(events.next().await, r#"client open Some("superchat")"#);
    assert_eq!(
        server_events.next().await,
        r#"server open Some("superchat")"#
    );

    let (_handle, mut events) = client(addr, Options::new().protocols(["v2"])).await;
    assert_eq!(
        events.next().await,
        "client open None",
        "no protocol in common"
    );
}

#[tokio::test]
async fn additional_headers_are_sent_with_the_101() {
    let (addr, _) =
        echo_server(Options::new().additional_header("X-Powered-By", "websocket-driver")).await;
    let (_, head) = Raw::request(addr, "Sec-WebSocket-Version: 13\r\n").await;
    assert!(
        head.contains("\r\nX-Powered-By: websocket-driver\r\n"),
        "{head}"
    );
}

#[tokio::test]
async fn bad_requests_are_refused_with_400_or_426() {
    let (addr, _) = echo_server(Options::default()).await;
    let (mut raw, head) = Raw::request(addr, "Sec-WebSocket-Version: 8\r\n").await;
    assert!(head.starts_with("HTTP/1.1 426 "), "{head}");
    assert!(head.contains("Sec-WebSocket-Version: 13\r\n"), "{head}");
    assert!(raw.eof().await);
    let (_, head) = Raw::request(addr, "").await;
    assert!(
        head.starts_with("HTTP/1.1 426 "),
        "a missing version: {head}"
    );

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    within("refusal", stream.read_to_string(&mut answer))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(
        answer.contains("upgrade header does not contain websocket"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_client_facing_a_plain_http_server_fails_to_connect() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut chunk = [0; 1024];
        let _ = stream.read(&mut chunk).await;
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .await;
    });
    let (events, reporter) = crate::support::Events::new();
    let mut events = events;
    let url = format!("ws://{addr}/");
    let result = within(
        "connect",
        connect(&url, Options::default(), move |ws| {
            reporter.attach(ws, "client")
        }),
    )
    .await;
    let error = result.expect_err("404 is not a handshake");
    assert!(error.to_string().contains("404"), "{error}");
    assert_eq!(
        events.next().await,
        "client close 1002 expected status 101, got 404"
    );
}

#[tokio::test]
async fn urls_the_adapter_cannot_serve_are_errors() {
    for url in [
        "wss://127.0.0.1:1/",
        "http://127.0.0.1:1/",
        "ws://127.0.0.1:1/#frag",
    ] {
        let result = within("connect", connect(url, Options::default(), |_| {})).await;
        assert!(result.is_err(), "{url}");
    }
}
