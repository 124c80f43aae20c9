//! The client through an HTTP CONNECT proxy built here on plain tokio: ws:// and wss://
//! tunnels, basic authentication, and refusals.

use std::net::SocketAddr;

use tokio::io::{copy_bidirectional, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use websocket_driver::tokio::connect;
use websocket_driver::ws::Options;
use websocket_driver::Error;

use crate::support::{echo_server, within, Events};
use crate::tls::{tls_echo_server, TestCert};

/// A CONNECT proxy on 127.0.0.1 that wants `Proxy-Authorization: <auth>` when `auth` is
/// set, and reports each request head it gets.
async fn proxy(auth: Option<&'static str>) -> (SocketAddr, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(tunnel(client, auth, tx.clone()));
        }
    });
    (addr, rx)
}

/// One proxied connection: read the head, check it, answer, then relay both ways.
async fn tunnel(mut client: TcpStream, auth: Option<&str>, heads: mpsc::UnboundedSender<String>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so that nothing after the head is swallowed.
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let _ = heads.send(head.clone());
    let target = head
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default()
        .to_owned();
    let authorized = match auth {
        None => true,
        Some(expected) => head
            .lines()
            .any(|line| line == format!("Proxy-Authorization: {expected}")),
    };
    if !authorized {
        let _ = client
            .write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
            )
            .await;
        return;
    }
    let Ok(mut upstream) = TcpStream::connect(target.as_str()).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        return;
    };
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .unwrap();
    let _ = copy_bidirectional(&mut client, &mut upstream).await;
}

async fn echo_through(url: &str, options: Options) -> Result<(), Error> {
    let (events, reporter) = Events::new();
    let mut events = events;
    let handle = within(
        "connect",
        connect(url, options, move |ws| reporter.attach(ws, "client")),
    )
    .await?;
    handle.send("through the proxy");
    assert_eq!(
        events.wait_for("client message").await,
        r#"client message text "through the proxy""#
    );
    handle.close_connection();
    assert_eq!(within("closed", handle.closed()).await.0, 1000);
    Ok(())
}

#[tokio::test]
async fn ws_through_a_proxy_without_authentication() {
    let (server, _) = echo_server(Options::default()).await;
    let (proxy, mut heads) = proxy(None).await;
    let options = Options::new().proxy(format!("http://{proxy}"));
    echo_through(&format!("ws://{server}/echo"), options)
        .await
        .expect("echo");
    let head = heads.recv().await.unwrap();
    assert_eq!(
        head,
        format!("CONNECT {server} HTTP/1.1\r\nHost: {server}\r\n\r\n")
    );
}

#[tokio::test]
async fn wss_through_a_proxy_with_basic_authentication() {
    let cert = TestCert::new(&["127.0.0.1"]);
    let (server, _) = tls_echo_server(&cert, Options::default()).await;
    // base64("user:p@ss")
    let (proxy, mut heads) = proxy(Some("Basic dXNlcjpwQHNz")).await;
    let options = Options::new()
        .tls_roots(cert.roots())
        .proxy(format!("http://user:p%40ss@{proxy}"));
    // TLS runs end to end through the tunnel: the certificate is the server's.
    echo_through(&format!("wss://{server}/"), options)
        .await
        .expect("echo");
    let head = heads.recv().await.unwrap();
    assert!(
        head.starts_with(&format!("CONNECT {server} HTTP/1.1\r\n")),
        "{head}"
    );
}

#[tokio::test]
async fn a_refusing_proxy_gives_its_status() {
    let (server, _) = echo_server(Options::default()).await;
    let (proxy, _) = proxy(Some("Basic dXNlcjpwQHNz")).await;
    let url = format!("ws://{server}/");
    for proxy_url in [
        format!("http://{proxy}"),
        format!("http://user:wrong@{proxy}"),
    ] {
        let error = echo_through(&url, Options::new().proxy(proxy_url.as_str()))
            .await
            .expect_err("refused");
        assert!(
            matches!(&error, Error::ProxyRefused(407, reason) if reason == "Proxy Authentication Required"),
            "{proxy_url}: {error:?}"
        );
        assert_eq!(
            error.to_string(),
            "proxy refused the tunnel: 407 Proxy Authentication Required"
        );
    }
    // A proxy that cannot reach the server answers 502.
    let (open_proxy, _) = self::proxy(None).await;
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone = closed.local_addr().unwrap();
    drop(closed);
    let error = echo_through(
        &format!("ws://{gone}/"),
        Options::new().proxy(format!("http://{open_proxy}")),
    )
    .await
    .expect_err("bad gateway");
    assert!(matches!(error, Error::ProxyRefused(502, _)), "{error:?}");
}

#[tokio::test]
async fn a_bad_proxy_url_fails_before_connecting() {
    let error = connect(
        "ws://127.0.0.1:9/",
        Options::new().proxy("https://127.0.0.1:1"),
        |_| {},
    )
    .await
    .expect_err("bad url");
    assert!(matches!(error, Error::Proxy(_)), "{error:?}");
}
