//! Connecting: open a TCP connection for a `ws://` or `wss://` URL (through an HTTP proxy if
//! the options name one, then TLS for `wss://`), and run the client in its own task.

use std::time::Duration;

use ::tokio::io::{AsyncRead, AsyncWrite};
use ::tokio::net::TcpStream;
use ::tokio::time::{timeout_at, Instant};

use crate::error::Error;
use crate::ws::{make_client, Client, Options};

use super::drive::drive;
use super::handle::{Handle, Task};
use super::proxy::Proxy;

/// How long connecting may take in all: TCP, the proxy's tunnel, TLS and the server's answer
/// to the upgrade request.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Connects to a `ws://` or `wss://` URL (the seed's `make-client` and `start-connection`):
/// `setup` sets the listeners, then the request is sent and the connection runs in its own
/// task.
///
/// `wss://` (feature `tls`, on by default) verifies the server's certificate against the
/// webpki roots, or [`Options::tls_roots`] / [`Options::tls_config`], for the URL's host,
/// which is also sent as SNI. With [`Options::proxy`], the connection is a `CONNECT` tunnel
/// through that HTTP proxy.
///
/// Returns once the connection has opened, with a [`Handle`] to send on it. Fails if the
/// URL is not `ws://` or `wss://`, the TCP connection fails, the proxy refuses
/// ([`Error::ProxyRefused`] with its status), the TLS handshake fails ([`Error::Tls`]) or
/// the server's certificate is rejected ([`Error::Certificate`]), the server's answer fails
/// the handshake (the `close` listener has then run, with 1002), or all this takes more
/// than 30 s.
///
/// ```no_run
/// use websocket_driver::tokio::connect;
/// use websocket_driver::ws::Options;
///
/// # async fn run() -> Result<(), websocket_driver::Error> {
/// let handle = connect("wss://example.com/chat", Options::default(), |ws| {
///     ws.on_message(|_, message| println!("Got: {message:?}"));
/// })
/// .await?;
/// handle.send("Hi");
/// handle.close_connection();
/// handle.closed().await;
/// # Ok(())
/// # }
/// ```
pub async fn connect<F>(url: &str, options: Options, setup: F) -> Result<Handle, Error>
where
    F: FnOnce(&mut Client),
{
    let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
    let proxy = options.proxy.as_deref().map(Proxy::parse).transpose()?;
    #[cfg(feature = "tls")]
    let tls = options.tls.clone();
    let mut ws = make_client(url, options).map_err(|e| Error::Handshake(e.to_string()))?;
    let (Some(host), Some(port)) = (ws.host().map(str::to_owned), ws.port()) else {
        return Err(Error::Handshake("the url has no host".into()));
    };
    #[cfg(not(feature = "tls"))]
    if ws.is_secure() {
        return Err(Error::Handshake(
            "wss:// needs the `tls` feature of websocket-driver".into(),
        ));
    }
    let tcp = async {
        let stream = match &proxy {
            Some(proxy) => proxy.tunnel(&host, port).await?,
            None => TcpStream::connect((host.as_str(), port)).await?,
        };
        stream.set_nodelay(true)?;
        Ok::<_, Error>(stream)
    };
    let stream = timeout_at(deadline, tcp)
        .await
        .map_err(|_| timed_out("the tcp connection"))??;
    let (handle, task) = Handle::channel();
    setup(&mut ws);
    ws.start_connection();
    #[cfg(feature = "tls")]
    if ws.is_secure() {
        let tls = tls.unwrap_or_else(super::tls::TlsConfig::webpki_roots);
        let handshake = super::tls::connect(stream, &host, &tls);
        let stream = timeout_at(deadline, handshake)
            .await
            .map_err(|_| timed_out("the tls handshake"))??;
        return open(stream, ws, handle, task, deadline).await;
    }
    open(stream, ws, handle, task, deadline).await
}

/// Runs the connection on `stream` in its own task, and waits for it to open.
async fn open<IO>(
    stream: IO,
    ws: Client,
    handle: Handle,
    task: Task,
    deadline: Instant,
) -> Result<Handle, Error>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let connection = ::tokio::spawn(drive(stream, Box::new(ws), task));
    let Ok(opened) = timeout_at(deadline, handle.opened()).await else {
        connection.abort();
        return Err(timed_out("the server's response"));
    };
    if opened {
        return Ok(handle);
    }
    let (_, reason) = handle.closed().await;
    if reason.is_empty() {
        return Err(Error::Handshake(
            "connection closed before the server's response".into(),
        ));
    }
    Err(Error::Handshake(reason))
}

fn timed_out(waiting_for: &str) -> Error {
    Error::Handshake(format!("timed out waiting for {waiting_for}"))
}
