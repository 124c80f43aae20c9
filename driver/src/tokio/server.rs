//! Serving: accept TCP connections, read each upgrade request, answer it, and run one
//! task per connection.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use ::tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use ::tokio::net::TcpStream;
use ::tokio::time::timeout;

use crate::error::Error;
use crate::handshake::parse_request;
use crate::ws::{make_server, Options, Server};

use super::drive::drive;
use super::handle::Handle;
use super::listen::Listen;

/// How long to wait before accepting again when out of file descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How long a client may take to send its upgrade request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The answer to a request head that is not even valid HTTP.
const MALFORMED: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Accepts connections on `listener` (a [`TcpListener`] or an address to bind) forever,
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
        ::tokio::spawn(async move {
            // A connection that fails has already been answered or is gone; serving goes on.
            let _ = serve_connection(stream, options, |ws, handle| setup(ws, handle)).await;
        });
    }
}

/// Serves one accepted TCP connection: reads the upgrade request, answers 101 (or the
/// refusal: 400, or 426 for another version), runs `setup`, then drives the connection
/// until it closes.
pub async fn serve_connection<F>(
    mut stream: TcpStream,
    options: Options,
    setup: F,
) -> Result<(), Error>
where
    F: FnOnce(&mut Server, Handle),
{
    stream.set_nodelay(true)?;
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
            return Err(Error::Handshake(why));
        }
        Err(_) => return Err(Error::Handshake("timed out waiting for the request".into())),
    };
    let mut ws = match make_server(&request, options) {
        Ok(ws) => ws,
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
    stream: &mut TcpStream,
    head: &mut Vec<u8>,
) -> Result<Option<(crate::handshake::Request, usize)>, RequestError> {
    let mut chunk = [0; 4096];
    loop {
        let n = stream.read(&mut chunk).await.map_err(RequestError::Io)?;
        if n == 0 {
            return Ok(None);
        }
        head.extend_from_slice(&chunk[..n]);
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
