//! Embedding: run a [`Server`] on the I/O that an HTTP server (hyper, axum) upgraded, after
//! that server sent the 101 from [`Server::http_response`].

use ::tokio::io::{AsyncRead, AsyncWrite};

use crate::ws::Server;

use super::drive::drive;
use super::handle::Handle;

/// Runs `ws` on `io` until the connection closes and `io` is shut down.
///
/// `ws` comes from [`make_server`](crate::ws::make_server) with its listeners set; the HTTP
/// server has answered the request with [`Server::http_response`] and given the upgraded
/// I/O (with hyper, `hyper::upgrade::on(request)` wrapped in hyper-util's `TokioIo`). The
/// connection opens here, running the `open` listener, without writing the 101 again.
///
/// ```ignore
/// let mut ws = make_server(&request, Options::default())?;
/// ws.on_message(|ws, message| {
///     ws.send(message);
/// });
/// let response = ws.http_response();
/// let upgrade = hyper::upgrade::on(&mut request);
/// tokio::spawn(async move {
///     if let Ok(upgraded) = upgrade.await {
///         serve_upgraded(TokioIo::new(upgraded), ws).await;
///     }
/// });
/// // ... and return `response` from the handler.
/// ```
pub async fn serve_upgraded<IO>(io: IO, ws: Server)
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let (_, task) = Handle::channel();
    run(io, ws, task).await;
}

/// Like [`serve_upgraded`], in a task of its own, with a [`Handle`] to send on the
/// connection from other tasks.
pub fn spawn_upgraded<IO>(io: IO, ws: Server) -> Handle
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (handle, task) = Handle::channel();
    ::tokio::spawn(run(io, ws, task));
    handle
}

async fn run<IO>(io: IO, mut ws: Server, task: super::handle::Task)
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    ws.start_upgraded();
    drive(io, Box::new(ws), task).await;
}
