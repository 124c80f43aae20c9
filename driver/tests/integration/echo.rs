//! Messages both ways between our client and our server: every type, sizes from empty
//! to megabytes, fragmented input, pings, and send callbacks.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use websocket_driver::tokio::connect;
use websocket_driver::ws::{Options, SendOptions};
use websocket_driver::Message;

use crate::support::{client, echo_server, within, Raw};

#[tokio::test]
async fn echoes_text_binary_and_empty_messages() {
    let (addr, mut server_events) = echo_server(Options::default()).await;
    let (handle, mut events) = client(addr, Options::default()).await;
    assert_eq!(events.next().await, "client open None");
    assert!(handle.send("hello"));
    assert!(handle.send(vec![1u8, 2, 3]));
    assert!(handle.send(""));
    assert!(handle.send(Vec::new()));
    assert_eq!(events.next().await, r#"client message text "hello""#);
    assert_eq!(events.next().await, "client message binary of 3 bytes");
    assert_eq!(events.next().await, r#"client message text """#);
    assert_eq!(events.next().await, "client message binary of 0 bytes");
    assert_eq!(server_events.next().await, "server open None");
    assert_eq!(server_events.next().await, r#"server message text "hello""#);
}

#[tokio::test]
async fn echoes_large_messages_byte_for_byte() {
    let (addr, _) = echo_server(Options::default()).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let url = format!("ws://{addr}/");
    let handle = within(
        "connect",
        connect(&url, Options::default(), move |ws| {
            ws.on_message(move |_, m| {
                let _ = tx.send(m);
            });
        }),
    )
    .await
    .unwrap();
    let binary: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let text: String = "ünïcødé ✓ ".repeat(20_000);
    handle.send(binary.clone());
    handle.send(text.clone());
    assert_eq!(
        within("binary echo", rx.recv()).await,
        Some(Message::Binary(binary))
    );
    assert_eq!(
        within("text echo", rx.recv()).await,
        Some(Message::Text(text))
    );
}

#[tokio::test]
async fn reassembles_fragments_with_control_frames_between() {
    let (addr, mut server_events) = echo_server(Options::default()).await;
    let mut raw = Raw::connect(addr).await;
    raw.send(false, 0x1, "fragm".as_bytes(), true).await;
    raw.send(true, 0x9, b"in between", true).await;
    raw.send(false, 0x0, "ented ✓".as_bytes(), true).await;
    raw.send(true, 0x0, b"", true).await;
    assert_eq!(
        raw.frame().await,
        Some((true, 0xA, b"in between".to_vec())),
        "pong first"
    );
    assert_eq!(
        raw.frame().await,
        Some((true, 0x1, "fragmented ✓".as_bytes().to_vec()))
    );
    // Binary in three fragments, one of them empty.
    raw.send(false, 0x2, &[1, 2], true).await;
    raw.send(false, 0x0, &[], true).await;
    raw.send(true, 0x0, &[3], true).await;
    assert_eq!(raw.frame().await, Some((true, 0x2, vec![1, 2, 3])));
    server_events
        .wait_for("server message text \"fragmented")
        .await;
}

#[tokio::test]
async fn a_fragment_split_across_reads_mid_character_is_fine() {
    let (addr, _) = echo_server(Options::default()).await;
    let mut raw = Raw::connect(addr).await;
    let frame = crate::support::encode(true, 0x1, "a✓b".as_bytes(), true);
    for byte in frame {
        raw.write(&[byte]).await;
        tokio::task::yield_now().await;
    }
    assert_eq!(
        raw.frame().await,
        Some((true, 0x1, "a✓b".as_bytes().to_vec()))
    );
}

#[tokio::test]
async fn ping_callback_fires_when_the_pong_arrives() {
    let (addr, _) = echo_server(Options::default()).await;
    let (handle, _events) = client(addr, Options::default()).await;
    let (tx, rx) = oneshot::channel();
    assert!(handle.send_ping_with(b"are you there", move || {
        let _ = tx.send("pong");
    }));
    assert_eq!(within("pong callback", rx).await, Ok("pong"));
}

#[tokio::test]
async fn send_callbacks_fire_once_written_in_order() {
    let (addr, _) = echo_server(Options::default()).await;
    let (handle, mut events) = client(addr, Options::default()).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let tx = Arc::new(tx);
    for i in 0..3 {
        let tx = Arc::clone(&tx);
        let options = SendOptions::new().callback(move || {
            let _ = tx.send(i);
        });
        assert!(handle.send_with(vec![0u8; 100_000], options));
    }
    for i in 0..3 {
        assert_eq!(within("send callback", rx.recv()).await, Some(i));
    }
    for _ in 0..3 {
        events
            .wait_for("client message binary of 100000 bytes")
            .await;
    }
}

#[tokio::test]
async fn serve_binds_an_address_given_as_text() {
    // Learn a free port, then let `serve` bind it by name.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    tokio::spawn(websocket_driver::tokio::serve(
        addr.clone(),
        Options::default(),
        |ws| {
            ws.on_message(|ws, m| {
                ws.send(m);
            });
        },
    ));
    let url = format!("ws://{addr}/");
    let handle = within("serve binds the address", async {
        loop {
            // The server task may not have bound yet.
            match connect(&url, Options::default(), |_| {}).await {
                Ok(handle) => return handle,
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            }
        }
    })
    .await;
    assert_eq!(handle.ready_state(), websocket_driver::ReadyState::Open);
}
