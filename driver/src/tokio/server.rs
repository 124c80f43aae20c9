//! Serving: accept TCP connections (and their TLS handshake, with [`serve_tls`]), read
//! each upgrade request, answer it, and run one task per connection.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use ::tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use ::tokio::net::TcpStream;
use ::tokio::time::timeout;
#[cfg(feature = "tls")]
use tokio_rustls::rustls::ServerConfig;

use crate::error::Error;
use crate::handshake::parse_request;
use crate::ws::{make_server, Options, Server};

use super::drive::drive;
use super::handle::Handle;
use super::listen::Listen;

/// How long to wait before accepting again when out of file descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How long a client may take to send its upgrade request (after its TLS handshake, which
/// has as long again).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The answer to a request head that is not even valid HTTP.
const MALFORMED: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Accepts connections on `listener` (a [`TcpListener`](::tokio::net::TcpListener) or an address to bind) forever,
/// one task each; `setup` runs for each new [`Server`] before its handshake is answered,
/// to set its listeners.
///
/// Returns only if binding fails, or accepting fails for a reason other than one
/// connection's trouble.
pub async fn serve<F>(listener: impl Listen, options: Options, setup: F) -> io::Result<()>
where
    F: Fn(&mut Server) + Send + Sync + 'static,
{
    serve_with_handle(listener, options, move |ws, _| setup(ws)).await
}

/// Like [`serve`], and `setup` also gets the connection's [`Handle`], to keep for
/// sending on it from other tasks (a chat room's member list, say).
pub async fn serve_with_handle<F>(
    listener: impl Listen,
    options: Options,
    setup: F,
) -> io::Result<()>
where
    F: Fn(&mut Server, Handle) + Send + Sync + 'static,
{
    accept_loop(listener, options, setup, Transport::Plain).await
}

/// Like [`serve`], over TLS (`wss://`, feature `tls`): each connection's TLS handshake with
/// `tls` (see [`server_config`](super::tls::server_config)) comes before its upgrade
/// request. A failed TLS handshake ends that connection only.
///
/// ```no_run
/// use websocket_driver::tokio::{serve_tls, tls};
/// use websocket_driver::ws::Options;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let tls = tls::server_config_from_pem(
///     &std::fs::read("cert.pem")?,
///     &std::fs::read("key.pem")?,
/// )?;
/// serve_tls("127.0.0.1:5443", tls, Options::default(), |ws| {
///     ws.on_message(|ws, message| {
///         ws.send(message);
///     });
/// })
/// .await?;
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "tls")]
pub async fn serve_tls<F>(
    listener: impl Listen,
    tls: Arc<ServerConfig>,
    options: Options,
    setup: F,
) -> io::Result<()>
where
    F: Fn(&mut Server) + Send + Sync + 'static,
{
    serve_tls_with_handle(listener, tls, options, move |ws, _| setup(ws)).await
}

/// Like [`serve_tls`], and `setup` also gets the connection's [`Handle`].
#[cfg(feature = "tls")]
pub async fn serve_tls_with_handle<F>(
    listener: impl Listen,
    tls: Arc<ServerConfig>,
    options: Options,
    setup: F,
) -> io::Result<()>
where
    F: Fn(&mut Server, Handle) + Send + Sync + 'static,
{
    accept_loop(listener, options, setup, Transport::Tls(tls)).await
}

/// What the accepted TCP connections carry.
#[derive(Clone)]
enum Transport {
    Plain,
    #[cfg(feature = "tls")]
    Tls(Arc<ServerConfig>),
}

/// Accepts forever, one task per connection.
async fn accept_loop<F>(
    listener: impl Listen,
    options: Options,
    setup: F,
    transport: Transport,
) -> io::Result<()>
where
    F: Fn(&mut Server, Handle) + Send + Sync + 'static,
{
    let listener = listener.listen().await?;
    let setup = Arc::new(setup);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) if is_out_of_descriptors(&e) => {
                // Retrying at once would spin until a connection closes somewhere.
                ::tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => return Err(e),
        };
        let options = options.clone();
        let setup = Arc::clone(&setup);
        let transport = transport.clone();
        ::tokio::spawn(async move {
            let setup = |ws: &mut Server, handle| setup(ws, handle);
            // A connection that fails has already been answered or is gone; serving goes on.
            let _ = match transport {
                Transport::Plain => serve_connection(stream, options, setup).await,
                #[cfg(feature = "tls")]
                Transport::Tls(config) => {
                    serve_tls_connection(&config, stream, options, setup).await
                }
            };
        });
    }
}

/// Serves one accepted TCP connection over TLS: the TLS handshake (bounded like the
/// request), then as [`serve_stream`].
#[cfg(feature = "tls")]
async fn serve_tls_connection<F>(
    config: &Arc<ServerConfig>,
    stream: TcpStream,
    options: Options,
    setup: F,
) -> Result<(), Error>
where
    F: FnOnce(&mut Server, Handle),
{
    stream.set_nodelay(true)?;
    let handshake = super::tls::accept(stream, config);
    let Ok(stream) = timeout(REQUEST_TIMEOUT, handshake).await else {
        return Err(Error::Handshake(
            "timed out waiting for the tls handshake".into(),
        ));
    };
    serve_stream(stream?, options, setup).await
}

/// Serves one accepted TCP connection: reads the upgrade request, answers 101 (or the
/// refusal: 400, or 426 for another version), runs `setup`, then drives the connection
/// until it closes.
pub async fn serve_connection<F>(stream: TcpStream, options: Options, setup: F) -> Result<(), Error>
where
    F: FnOnce(&mut Server, Handle),
{
    stream.set_nodelay(true)?;
    serve_stream(stream, options, setup).await
}

/// Like [`serve_connection`], on any transport a connection was accepted on: a TLS stream
/// after its handshake, a Unix socket, an in-memory duplex in a test.
pub async fn serve_stream<IO, F>(mut stream: IO, options: Options, setup: F) -> Result<(), Error>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    F: FnOnce(&mut Server, Handle),
{
    let mut head = Vec::with_capacity(1024);
    let read = timeout(REQUEST_TIMEOUT, read_request(&mut stream, &mut head)).await;
    let (request, len) = match read {
        Ok(Ok(Some(parsed))) => parsed,
        Ok(Ok(None)) => {
            return Err(Error::Handshake(
                "connection closed before the request".into(),
            ))
        }
        Ok(Err(RequestError::Io(e))) => return Err(e.into()),
        Ok(Err(RequestError::Malformed(why))) => {
            stream.write_all(MALFORMED).await?;
            let _ = stream.shutdown().await;
            return Err(Error::Handshake(why));
        }
        Err(_) => return Err(Error::Handshake("timed out waiting for the request".into())),
    };
    // Boxed: the connection's future then holds a pointer, not the whole socket (twice over,
    // as async functions keep moved arguments), which is most of an idle connection's memory.
    let mut ws = match make_server(&request, options) {
        Ok(ws) => Box::new(ws),
        Err(refusal) => {
            stream.write_all(refusal.response_bytes()).await?;
            let _ = stream.shutdown().await;
            return Err(Error::Handshake(refusal.to_string()));
        }
    };
    let (handle, task) = Handle::channel();
    setup(&mut ws, handle);
    ws.start_connection();
    // Frames the client sent right behind its request.
    ws.parse(&head[len..]);
    // Not kept for the connection's life: an idle connection should hold no buffer.
    drop(head);
    drop(request);
    drive(stream, ws, task).await;
    Ok(())
}

/// Why no request could be read.
enum RequestError {
    Io(io::Error),
    Malformed(String),
}

/// Reads until the request head is complete; `None` if the peer closed first. The head
/// parser bounds the head's size, so `head` stays small.
async fn read_request(
    stream: &mut (impl AsyncRead + Unpin),
    head: &mut Vec<u8>,
) -> Result<Option<(crate::handshake::Request, usize)>, RequestError> {
    loop {
        // Straight into `head` (on the heap): a chunk array here would live in the
        // connection's future, and so in its memory, for as long as the connection.
        if head.capacity() - head.len() < 1024 {
            head.reserve(4096);
        }
        let n = stream.read_buf(head).await.map_err(RequestError::Io)?;
        if n == 0 {
            return Ok(None);
        }
        match parse_request(head) {
            Ok(Some(parsed)) => return Ok(Some(parsed)),
            Ok(None) => {}
            Err(e) => return Err(RequestError::Malformed(e.to_string())),
        }
    }
}

/// Accept errors that concern one connection only (it was reset before we took it),
/// after which accepting can go on.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

/// EMFILE (24) and ENFILE (23): the process or the system is out of file descriptors,
/// until some connection closes.
fn is_out_of_descriptors(e: &io::Error) -> bool {
    e.raw_os_error()
        .is_some_and(|code| code == 24 || code == 23)
}
