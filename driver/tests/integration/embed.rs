//! Embedding: the hyper and axum examples (compiled into this binary from `examples/`)
//! serve on 127.0.0.1:0 in-process, and our client and tokio-tungstenite talk to them:
//! echo, the subprotocol, a closing handshake, and the refusal of a request that is not an
//! upgrade.

use std::net::SocketAddr;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::Message as TMessage;
use websocket_driver::ws::Options;

use crate::support::{client, within};
use crate::{axum_echo, hyper_echo};

/// Which example to run.
#[derive(Clone, Copy, Debug)]
enum Example {
    Hyper,
    Axum,
}

const BOTH: [Example; 2] = [Example::Hyper, Example::Axum];

/// Starts the example on an ephemeral port.
async fn start(example: Example, options: Options) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    match example {
        Example::Hyper => {
            tokio::spawn(hyper_echo::run(listener, options));
        }
        Example::Axum => {
            tokio::spawn(async move { axum::serve(listener, axum_echo::app(options)).await });
        }
    }
    addr
}

#[tokio::test]
async fn our_client_echoes_through_hyper_and_axum() {
    for example in BOTH {
        let addr = start(example, Options::default()).await;
        let (handle, mut events) = client(addr, Options::default()).await;
        assert_eq!(events.next().await, "client open None", "{example:?}");
        handle.send("embedded");
        handle.send(vec![9u8; 200_000]);
        assert_eq!(events.next().await, r#"client message text "embedded""#);
        assert_eq!(events.next().await, "client message binary of 200000 bytes");
        handle.close_with(Some(4001), "bye");
        // The server answers with the code alone.
        assert_eq!(events.next().await, "client close 4001 ", "{example:?}");
        assert_eq!(within("closed", handle.closed()).await.0, 4001);
    }
}

#[tokio::test]
async fn the_subprotocol_is_agreed_through_the_http_server() {
    for example in BOTH {
        let addr = start(example, Options::new().accept_protocols(["chat", "json"])).await;
        let (_handle, mut events) =
            client(addr, Options::new().protocols(["xmpp", "json", "chat"])).await;
        assert_eq!(
            events.next().await,
            r#"client open Some("json")"#,
            "{example:?}: the client's first choice that the server speaks"
        );
    }
}

#[tokio::test]
async fn tungstenite_echoes_through_hyper_and_axum() {
    for example in BOTH {
        let addr = start(example, Options::new().accept_protocols(["chat"])).await;
        let mut request = format!("ws://{addr}/echo").into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "chat".parse().unwrap());
        let (mut ws, response) = within("handshake", tokio_tungstenite::connect_async(request))
            .await
            .expect("upgrade");
        assert_eq!(response.headers()["sec-websocket-protocol"], "chat");
        ws.send(TMessage::text("independent")).await.unwrap();
        assert_eq!(
            within("echo", ws.next()).await.unwrap().unwrap(),
            TMessage::text("independent"),
            "{example:?}"
        );
        ws.close(None).await.unwrap();
    }
}

/// Sends `request` raw and returns the lowercased response.
async fn raw_response(addr: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    within("response", stream.read_to_end(&mut response))
        .await
        .unwrap();
    String::from_utf8_lossy(&response).to_ascii_lowercase()
}

#[tokio::test]
async fn requests_that_are_not_upgrades_are_refused_by_the_handler() {
    for example in BOTH {
        let addr = start(example, Options::default()).await;
        let plain = "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        let response = raw_response(addr, plain).await;
        assert!(
            response.starts_with("http/1.1 400 bad request\r\n"),
            "{example:?}: {response}"
        );
        assert!(
            response.ends_with("\r\n\r\nupgrade header does not contain websocket\n"),
            "{example:?}: the reason is the body: {response}"
        );

        let old = "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
                   Connection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                   Sec-WebSocket-Version: 8\r\n\r\n";
        let response = raw_response(addr, old).await;
        assert!(
            response.starts_with("http/1.1 426 upgrade required\r\n"),
            "{example:?}: {response}"
        );
        assert!(
            response.contains("sec-websocket-version: 13\r\n"),
            "{response}"
        );
    }
}

#[tokio::test]
async fn spawn_upgraded_runs_on_any_io_and_gives_a_handle() {
    use tokio_tungstenite::tungstenite::protocol::Role;
    use websocket_driver::tokio::spawn_upgraded;
    use websocket_driver::ws::make_server;

    let request = http::Request::get("/in-memory")
        .header("Host", "x")
        .header("Upgrade", "websocket")
        .header("Connection", "Upgrade")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("Sec-WebSocket-Version", "13")
        .body(())
        .unwrap();
    let mut ws = make_server(&request, Options::default()).unwrap();
    ws.on_message(|ws, message| {
        ws.send(message);
    });
    assert_eq!(ws.http_response().status(), 101);
    // An in-memory pipe stands for the upgraded connection; the 101 is not written on it.
    let (ours, theirs) = tokio::io::duplex(64);
    let handle = spawn_upgraded(ours, ws);
    let mut peer =
        tokio_tungstenite::WebSocketStream::from_raw_socket(theirs, Role::Client, None).await;
    peer.send(TMessage::text("piped")).await.unwrap();
    assert_eq!(
        within("echo", peer.next()).await.unwrap().unwrap(),
        TMessage::text("piped")
    );
    assert!(handle.send(vec![5u8; 10_000]), "sent from outside");
    assert_eq!(
        within("handle's message", peer.next())
            .await
            .unwrap()
            .unwrap(),
        TMessage::binary(vec![5u8; 10_000])
    );
    handle.close_with(Some(4002), "over");
    match within("close", peer.next()).await.unwrap().unwrap() {
        TMessage::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 4002),
        other => panic!("expected a close frame, got {other:?}"),
    }
    // tungstenite sends its answer to the close as it is polled on; the task then ends.
    tokio::spawn(async move { while let Some(Ok(_)) = peer.next().await {} });
    assert_eq!(within("closed", handle.closed()).await.0, 4002);
}
