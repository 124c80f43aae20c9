//! Interoperability with an independent implementation, tokio-tungstenite: our server
//! with its client, and its server with our client.

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as TMessage;
use websocket_driver::ws::Options;

use crate::support::{client, echo_server, within};

#[tokio::test]
async fn our_server_with_their_client() {
    let (addr, mut server_events) = echo_server(Options::default()).await;
    let url = format!("ws://{addr}/chat");
    let (mut ws, response) = within("connect", tokio_tungstenite::connect_async(url))
        .await
        .unwrap();
    assert_eq!(response.status(), 101);
    let big = vec![7u8; 200_000];
    ws.send(TMessage::text("héllo")).await.unwrap();
    ws.send(TMessage::binary(big.clone())).await.unwrap();
    ws.send(TMessage::Ping(b"p".to_vec().into())).await.unwrap();
    // The pong may overtake the echo of the binary message: it is queued as soon as the
    // ping is parsed, while the echo waits for the message listener (RFC 6455 section 5.5.2
    // lets a pong go at any time).
    let (mut text, mut binary, mut pong) = (false, false, false);
    for _ in 0..3 {
        match within("an answer", ws.next()).await.unwrap().unwrap() {
            TMessage::Text(t) => text = t.as_str() == "héllo",
            TMessage::Binary(b) => binary = b[..] == big[..],
            TMessage::Pong(p) => pong = p[..] == b"p"[..],
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        text && binary && pong,
        "text {text}, binary {binary}, pong {pong}"
    );
    ws.close(Some(CloseFrame {
        code: CloseCode::Away,
        reason: "bye".into(),
    }))
    .await
    .unwrap();
    match within("close", ws.next()).await {
        Some(Ok(TMessage::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected the echoed close, got {other:?}"),
    }
    assert!(
        within("end", ws.next()).await.is_none(),
        "the server closed TCP"
    );
    assert_eq!(
        server_events.wait_for("server close").await,
        "server close 1001 bye"
    );
}

#[tokio::test]
async fn their_server_with_our_client() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
        let mut seen = Vec::new();
        while let Some(Ok(message)) = ws.next().await {
            match message {
                TMessage::Text(_) | TMessage::Binary(_) => {
                    seen.push(message.clone());
                    ws.send(message).await.unwrap();
                }
                TMessage::Close(frame) => {
                    seen.push(TMessage::Close(frame));
                }
                _ => {}
            }
        }
        seen
    });
    let (handle, mut events) = client(addr, Options::default()).await;
    assert_eq!(events.next().await, "client open None");
    handle.send("hi ✓");
    handle.send(vec![0u8; 70_000]);
    assert_eq!(events.next().await, r#"client message text "hi ✓""#);
    assert_eq!(events.next().await, "client message binary of 70000 bytes");
    let (tx, rx) = tokio::sync::oneshot::channel();
    handle.send_ping_with(b"x", move || {
        let _ = tx.send(());
    });
    within("pong", rx).await.unwrap();
    handle.close_with(Some(1000), "done");
    assert_eq!(within("closed", handle.closed()).await.0, 1000);
    let seen = within("server end", server).await.unwrap();
    assert_eq!(seen.len(), 3, "{seen:?}");
    match &seen[2] {
        TMessage::Close(Some(frame)) => {
            assert_eq!(
                (frame.code, frame.reason.as_str()),
                (CloseCode::Normal, "done")
            );
        }
        other => panic!("expected our close, got {other:?}"),
    }
}
