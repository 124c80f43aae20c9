//! Connecting: open a TCP connection for a `ws://` URL and run the client in its own
//! task.

use std::time::Duration;

use ::tokio::net::TcpStream;
use ::tokio::time::timeout;

use crate::error::Error;
use crate::ws::{make_client, Client, Options};

use super::drive::drive;
use super::handle::Handle;

/// How long the server may take to answer the upgrade request.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Connects to a `ws://` URL (the seed's `make-client` and `start-connection`): `setup`
/// sets the listeners, then the request is sent and the connection runs in its own task.
///
/// Returns once the connection has opened, with a [`Handle`] to send on it. Fails if the
/// URL is not `ws://` (TLS is not part of this adapter yet), the TCP connection fails, the
/// server's answer fails the handshake (the `close` listener has then run, with 1002), or
/// no answer comes within 30 s.
///
/// ```no_run
/// use websocket_driver::tokio::connect;
/// use websocket_driver::ws::Options;
///
/// # async fn run() -> Result<(), websocket_driver::Error> {
/// let handle = connect("ws://127.0.0.1:5000/", Options::default(), |ws| {
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
    let mut ws = make_client(url, options).map_err(|e| Error::Handshake(e.to_string()))?;
    if ws.is_secure() {
        return Err(Error::Handshake(
            "wss:// needs TLS, which the tokio adapter does not provide".into(),
        ));
    }
    let (Some(host), Some(port)) = (ws.host(), ws.port()) else {
        return Err(Error::Handshake("the url has no host".into()));
    };
    let stream = TcpStream::connect((host, port)).await?;
    stream.set_nodelay(true)?;
    let (handle, task) = Handle::channel();
    setup(&mut ws);
    ws.start_connection();
    let connection = ::tokio::spawn(drive(stream, ws, task));
    let Ok(opened) = timeout(HANDSHAKE_TIMEOUT, handle.opened()).await else {
        connection.abort();
        return Err(Error::Handshake(
            "timed out waiting for the server's response".into(),
        ));
    };
    if opened {
        Ok(handle)
    } else {
        let (_, reason) = handle.closed().await;
        if reason.is_empty() {
            return Err(Error::Handshake(
                "connection closed before the server's response".into(),
            ));
        }
        Err(Error::Handshake(reason))
    }
}
