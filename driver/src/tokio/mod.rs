//! The tokio adapter (feature `tokio`, on by default): serve WebSocket connections on a
//! [`TcpListener`](::tokio::net::TcpListener), connect to `ws://` URLs, and send on a
//! connection from any task through a [`Handle`].
//!
//! Each connection runs in its own task that owns the socket and the sans-IO
//! [`WebSocket`](crate::ws::WebSocket): it reads into one reusable buffer, feeds the
//! bytes to [`parse`](crate::ws::WebSocket::parse) (which runs the listeners), writes all
//! the output that one read produced in one write, sleeps until
//! [`poll_timeout`](crate::ws::WebSocket::poll_timeout), and shuts TCP down when the
//! connection says so.
//!
//! An echo server:
//!
//! ```no_run
//! use websocket_driver::tokio::serve;
//! use websocket_driver::ws::Options;
//!
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:5000").await?;
//! serve(listener, Options::default(), |ws| {
//!     ws.on_message(|ws, message| {
//!         ws.send(message);
//!     });
//! })
//! .await
//! # }
//! ```

mod client;
mod drive;
mod handle;
mod listen;
mod server;

pub use client::connect;
pub use handle::Handle;
pub use listen::Listen;
pub use server::{serve, serve_connection, serve_with_handle};
