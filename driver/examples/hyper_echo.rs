//! The seed's Clack echo server, embedded in hyper 1: the handler makes the WebSocket from
//! hyper's request, returns its 101, and the connection runs on the upgraded I/O.
//!
//! ```sh
//! cargo run --example hyper_echo                   # ws://127.0.0.1:5000/ (any path)
//! cargo run --example hyper_echo -- 127.0.0.1:0    # ADDR; prints "listening on ws://ADDR"
//! WS_DEFLATE=1 cargo run --example hyper_echo      # accept permessage-deflate
//! ```

use std::convert::Infallible;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use websocket_driver::tokio::serve_upgraded;
use websocket_driver::ws::{make_server, Options};

/// One request: the echo WebSocket, or the refusal (400, or 426) for a request that is not
/// an upgrade.
pub async fn echo(
    mut request: Request<Incoming>,
    options: Options,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut ws = match make_server(&request, options) {
        Ok(ws) => ws,
        Err(refusal) => return Ok(refusal.http_response().map(Full::from)),
    };
    ws.on_message(|ws, message| {
        ws.send(message);
    });
    let response = ws.http_response();
    let upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        if let Ok(upgraded) = upgrade.await {
            serve_upgraded(TokioIo::new(upgraded), ws).await;
        }
    });
    Ok(response.map(|()| Full::default()))
}

/// Serves HTTP/1.1 on `listener`, every request going to [`echo`].
pub async fn run(listener: TcpListener, options: Options) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let options = options.clone();
        let service = service_fn(move |request| echo(request, options.clone()));
        let connection = http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        tokio::spawn(connection);
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1);
    let listener = TcpListener::bind(addr.as_deref().unwrap_or("127.0.0.1:5000")).await?;
    let mut options = Options::default();
    if std::env::var("WS_DEFLATE").as_deref() == Ok("1") {
        options = options.deflate(websocket_driver::ext::deflate::DeflateConfig::default());
    }
    println!("listening on ws://{}", listener.local_addr()?);
    run(listener, options).await
}
