//! The tokio adapter (feature `tokio`, on by default): serve WebSocket connections on a
//! [`TcpListener`](::tokio::net::TcpListener) ([`serve`], and [`serve_tls`] for `wss://`),
//! connect to `ws://` and `wss://` URLs ([`connect`], through an HTTP proxy if asked), run a
//! connection on the I/O that hyper or axum upgraded ([`serve_upgraded`]), and send on a
//! connection from any task through a [`Handle`].
//!
//! Each connection runs in its own task that owns the transport (TCP, TLS, or upgraded
//! I/O: anything `AsyncRead + AsyncWrite`) and the sans-IO
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
#[cfg(feature = "tls")]
mod insecure;
mod listen;
mod proxy;
mod server;
#[cfg(feature = "tls")]
pub mod tls;
mod upgraded;

pub use client::connect;
pub use handle::Handle;
pub use listen::Listen;
pub use server::{serve, serve_connection, serve_stream, serve_with_handle};
#[cfg(feature = "tls")]
pub use server::{serve_tls, serve_tls_with_handle};
pub use upgraded::{serve_upgraded, spawn_upgraded};
