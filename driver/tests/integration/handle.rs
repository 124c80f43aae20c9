//! Sending on connections from other tasks through [`Handle`]s, and many connections at
//! once.

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use websocket_driver::tokio::{serve_with_handle, Handle};
use websocket_driver::ws::{Options, ReadyState};

use crate::support::{client, within};

#[tokio::test]
async fn a_server_handle_sends_from_another_task() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (handles_tx, mut handles) = mpsc::unbounded_channel::<Handle>();
    tokio::spawn(serve_with_handle(
        listener,
        Options::default(),
        move |_, handle| {
            let _ = handles_tx.send(handle);
        },
    ));
    let (client_handle, mut events) = client(addr, Options::default()).await;
    assert_eq!(events.next().await, "client open None");
    let server_handle = within("a handle", handles.recv()).await.unwrap();
    assert_eq!(server_handle.ready_state(), ReadyState::Open);
    // Broadcast from a task that owns no socket.
    let sender = server_handle.clone();
    tokio::spawn(async move {
        sender.send("news");
        sender.send(vec![9u8; 3]);
    });
    assert_eq!(events.next().await, r#"client message text "news""#);
    assert_eq!(events.next().await, "client message binary of 3 bytes");
    assert!(server_handle.close_with(Some(1001), "going away"));
    assert_eq!(
        within("closed", client_handle.closed()).await,
        (1001, "going away".into())
    );
    assert_eq!(within("closed", server_handle.closed()).await.0, 1001);
    assert_eq!(server_handle.ready_state(), ReadyState::Closed);
    assert!(!server_handle.send("late"));
}

#[tokio::test]
async fn many_connections_at_once() {
    let (addr, _) = crate::support::echo_server(Options::default()).await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        tasks.push(tokio::spawn(async move {
            let (handle, mut events) = client(addr, Options::default()).await;
            events.next().await;
            let text = format!("client {i}");
            handle.send(text.as_str());
            assert_eq!(events.next().await, format!("client message text {text:?}"));
            handle.close_connection();
            within("closed", handle.closed()).await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), (1000, String::new()));
    }
}

#[tokio::test]
async fn a_peer_that_stops_reading_cannot_keep_the_connection_alive() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (handles_tx, mut handles) = mpsc::unbounded_channel::<Handle>();
    let options = Options::new().close_timeout(std::time::Duration::from_millis(300));
    tokio::spawn(serve_with_handle(listener, options, move |_, handle| {
        let _ = handles_tx.send(handle);
    }));
    // The raw client completes the handshake and then never reads again.
    let raw = crate::support::Raw::connect(addr).await;
    let server_handle = within("a handle", handles.recv()).await.unwrap();
    // Far more than the socket buffers hold, so the writes stall.
    for _ in 0..32 {
        server_handle.send(vec![0u8; 1 << 20]);
    }
    server_handle.close_connection();
    let started = std::time::Instant::now();
    let (code, _) = within("the server gives up", server_handle.closed()).await;
    assert_eq!(code, 1006, "the client never answered the close");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    drop(raw);
}
