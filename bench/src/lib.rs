//! What the bench echo servers share: the command line and the listening socket.
//!
//! Every server is `BIN [PORT]` (default 9001, 0 picks a free port), listens on 127.0.0.1,
//! prints `listening on ws://127.0.0.1:PORT` once it accepts connections, and runs on a
//! current-thread tokio runtime, so that it uses exactly one core (the benchmark pins it).

use anyhow::Context as _;
use tokio::net::TcpListener;

/// Binds 127.0.0.1 on the port given as the first argument and announces it.
pub async fn bind() -> anyhow::Result<TcpListener> {
    let port: u16 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().with_context(|| format!("port {arg:?}"))?,
        None => 9001,
    };
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    println!("listening on ws://{}", listener.local_addr()?);
    Ok(listener)
}

/// Builds the current-thread runtime every server runs on.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
