//! wss://: our client and our TLS server with certificates made here (rcgen), each against
//! the other and against tokio-tungstenite over the same TLS, and the errors for an
//! untrusted root, a wrong name and a peer that does not speak TLS.

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio_rustls::rustls::{CertificateError, ClientConfig, RootCertStore};
use tokio_tungstenite::tungstenite::Message as TMessage;
use websocket_driver::tokio::{connect, serve_tls, tls};
use websocket_driver::ws::Options;
use websocket_driver::Error;

use crate::support::{describe, within, Events};

/// A self-signed certificate for `names`, as PEM (certificate, key) and as the root that
/// trusts it.
pub(crate) struct TestCert {
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
    pub(crate) der: CertificateDer<'static>,
    pub(crate) key_der: Vec<u8>,
}

impl TestCert {
    pub(crate) fn new(names: &[&str]) -> Self {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let made = rcgen::generate_simple_self_signed(names).expect("rcgen");
        Self {
            cert_pem: made.cert.pem(),
            key_pem: made.signing_key.serialize_pem(),
            der: made.cert.der().clone(),
            key_der: made.signing_key.serialize_der(),
        }
    }

    /// The root store that trusts this certificate only.
    pub(crate) fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots.add(self.der.clone()).expect("add root");
        roots
    }
}

/// A TLS echo server (ours) on 127.0.0.1, presenting `cert`.
pub(crate) async fn tls_echo_server(cert: &TestCert, options: Options) -> (SocketAddr, Events) {
    let config = tls::server_config_from_pem(cert.cert_pem.as_bytes(), cert.key_pem.as_bytes())
        .expect("server config");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (events, reporter) = Events::new();
    tokio::spawn(serve_tls(listener, config, options, move |ws| {
        reporter.attach(ws, "server");
        let r = reporter.clone();
        ws.on_message(move |ws, message| {
            r.push(format!("server message {}", describe(&message)));
            ws.send(message);
        });
    }));
    (addr, events)
}

/// Our client on `url`, its listeners reporting as "client".
async fn client(
    url: &str,
    options: Options,
) -> Result<(websocket_driver::tokio::Handle, Events), Error> {
    let (events, reporter) = Events::new();
    let handle = within(
        "connect",
        connect(url, options, move |ws| reporter.attach(ws, "client")),
    )
    .await?;
    Ok((handle, events))
}

#[tokio::test]
async fn our_client_and_our_tls_server_echo_with_a_subprotocol() {
    let cert = TestCert::new(&["localhost", "127.0.0.1"]);
    let (addr, mut server_events) =
        tls_echo_server(&cert, Options::new().accept_protocols(["chat"])).await;
    // By IP address (no SNI; the IP SAN is checked) and by name (SNI "localhost").
    for url in [
        format!("wss://{addr}/echo"),
        format!("wss://localhost:{}/echo", addr.port()),
    ] {
        let options = Options::new().tls_roots(cert.roots()).protocols(["chat"]);
        let (handle, mut events) = client(&url, options).await.expect(&url);
        assert_eq!(events.next().await, r#"client open Some("chat")"#);
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        handle.send("über TLS");
        handle.send(big);
        assert_eq!(events.next().await, r#"client message text "über TLS""#);
        assert_eq!(events.next().await, "client message binary of 300000 bytes");
        handle.close_with(Some(4000), "done");
        // The server answers with the code alone.
        assert_eq!(events.next().await, "client close 4000 ");
        assert_eq!(within("closed", handle.closed()).await.0, 4000);
        assert_eq!(
            server_events.wait_for("server close").await,
            "server close 4000 done"
        );
    }
}

#[tokio::test]
async fn tungstenite_client_to_our_tls_server() {
    let cert = TestCert::new(&["localhost"]);
    let (addr, _) = tls_echo_server(&cert, Options::default()).await;
    let config = ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(cert.roots())
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("tls handshake");
    let url = format!("wss://localhost:{}/", addr.port());
    let (mut ws, response) = within(
        "tungstenite handshake",
        tokio_tungstenite::client_async(url, tls),
    )
    .await
    .expect("upgrade");
    assert_eq!(response.status(), 101);
    ws.send(TMessage::text("hello over tls")).await.unwrap();
    ws.send(TMessage::binary(vec![7u8; 70_000])).await.unwrap();
    let text = within("echo", ws.next()).await.unwrap().unwrap();
    assert_eq!(text, TMessage::text("hello over tls"));
    let binary = within("echo", ws.next()).await.unwrap().unwrap();
    assert_eq!(binary, TMessage::binary(vec![7u8; 70_000]));
    ws.close(None).await.unwrap();
    // The close answer, then the end of the stream: the TLS session closes cleanly.
    while let Some(frame) = within("close", ws.next()).await {
        if frame.is_err() {
            break;
        }
    }
}

#[tokio::test]
async fn our_client_to_a_tungstenite_tls_server() {
    let cert = TestCert::new(&["127.0.0.1"]);
    let config = tls::server_config(
        vec![cert.der.clone()],
        PrivateKeyDer::try_from(cert.key_der.clone()).unwrap(),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let tls = acceptor.accept(tcp).await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tls).await.unwrap();
        while let Some(Ok(message)) = ws.next().await {
            if message.is_text() || message.is_binary() {
                ws.send(message).await.unwrap();
            }
        }
    });
    let options = Options::new().tls_roots(cert.roots());
    let (handle, mut events) = client(&format!("wss://{addr}/"), options)
        .await
        .expect("connect");
    assert_eq!(events.next().await, "client open None");
    handle.send("to tungstenite");
    handle.send(vec![1u8; 100_000]);
    assert_eq!(
        events.next().await,
        r#"client message text "to tungstenite""#
    );
    assert_eq!(events.next().await, "client message binary of 100000 bytes");
    handle.close_connection();
    assert_eq!(events.next().await, "client close 1000 ");
    assert_eq!(within("closed", handle.closed()).await.0, 1000);
}

#[tokio::test]
async fn an_untrusted_root_is_a_bad_certificate() {
    let cert = TestCert::new(&["127.0.0.1"]);
    let (addr, _) = tls_echo_server(&cert, Options::default()).await;
    // The default roots (webpki's) do not know a self-signed certificate.
    let url = format!("wss://{addr}/");
    let error = client(&url, Options::default())
        .await
        .err()
        .expect("must fail");
    assert!(
        matches!(error, Error::Certificate(CertificateError::UnknownIssuer)),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "bad certificate: UnknownIssuer");
    // Trusting another root is no better.
    let other = TestCert::new(&["127.0.0.1"]);
    let error = client(&url, Options::new().tls_roots(other.roots()))
        .await
        .err()
        .expect("must fail");
    assert!(matches!(error, Error::Certificate(_)), "{error:?}");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_a_bad_certificate() {
    let cert = TestCert::new(&["example.com"]);
    let (addr, mut server_events) = tls_echo_server(&cert, Options::default()).await;
    let url = format!("wss://{addr}/");
    let error = client(&url, Options::new().tls_roots(cert.roots()))
        .await
        .err()
        .expect("must fail");
    assert!(matches!(error, Error::Certificate(_)), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with("bad certificate: certificate not valid for name \"127.0.0.1\""),
        "{text}"
    );
    assert!(text.contains("example.com"), "{text}");
    // The server never got to a WebSocket.
    assert!(server_events.drain().is_empty());
}

#[tokio::test]
async fn a_ca_file_or_insecure_mode_accepts_a_self_signed_peer() {
    let cert = TestCert::new(&["example.com"]);
    let (addr, _) = tls_echo_server(&cert, Options::default()).await;
    // Insecure: neither the issuer nor the name (example.com, not 127.0.0.1) is checked.
    let options = Options::new().tls(tls::TlsConfig::insecure());
    let (handle, mut events) = client(&format!("wss://{addr}/"), options)
        .await
        .expect("insecure accepts it");
    handle.send("insecure");
    assert_eq!(
        events.wait_for("client message").await,
        r#"client message text "insecure""#
    );
    // The certificate's PEM as a CA file, with the name it is for.
    let ca = tls::TlsConfig::from_ca_pem(cert.cert_pem.as_bytes()).unwrap();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let stream = within("tls", tls::connect(tcp, "example.com", &ca))
        .await
        .expect("trusted for example.com");
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[tokio::test]
async fn tls_to_a_plain_server_and_plain_to_a_tls_server_fail_cleanly() {
    let (plain, _) = crate::support::echo_server(Options::default()).await;
    let cert = TestCert::new(&["127.0.0.1"]);
    // Our plain server answers a TLS ClientHello with a 400, which is no TLS record.
    let error = client(
        &format!("wss://{plain}/"),
        Options::new().tls_roots(cert.roots()),
    )
    .await
    .err()
    .expect("must fail");
    assert!(
        matches!(error, Error::Tls(_)),
        "a handshake failure with rustls' reason: {error:?}"
    );
    assert!(
        error.to_string().starts_with("tls handshake failed: "),
        "{error}"
    );

    // A plain client on the TLS server: the server's TLS handshake fails, and so does ours.
    let (secure, _) = tls_echo_server(&cert, Options::default()).await;
    let error = client(&format!("ws://{secure}/"), Options::default())
        .await
        .err()
        .expect("must fail");
    assert!(matches!(error, Error::Handshake(_)), "{error:?}");
    // The TLS server goes on serving.
    let (handle, mut events) = client(
        &format!("wss://{secure}/"),
        Options::new().tls_roots(cert.roots()),
    )
    .await
    .expect("still serving");
    handle.send("after");
    assert_eq!(
        events.wait_for("client message").await,
        r#"client message text "after""#
    );
}
