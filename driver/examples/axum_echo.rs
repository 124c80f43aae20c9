//! The seed's Clack echo server, embedded in axum 0.8: a route whose handler makes the
//! WebSocket from axum's request, returns its 101, and runs the connection on the upgraded
//! I/O.
//!
//! ```sh
//! cargo run --example axum_echo                    # ws://127.0.0.1:5000/echo
//! cargo run --example axum_echo -- 127.0.0.1:0     # ADDR; prints "listening on ws://ADDR/echo"
//! WS_DEFLATE=1 cargo run --example axum_echo       # accept permessage-deflate
//! ```

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use websocket_driver::tokio::serve_upgraded;
use websocket_driver::ws::{make_server, Options};

/// `GET /echo`: the echo WebSocket, or the refusal (400, or 426).
pub async fn echo(State(options): State<Options>, mut request: Request) -> Response {
    let mut ws = match make_server(&request, options) {
        Ok(ws) => ws,
        Err(refusal) => return refusal.http_response().map(Body::from),
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
    response.map(|()| Body::empty())
}

/// The application: the echo route, with the WebSocket options as state.
pub fn app(options: Options) -> Router {
    Router::new().route("/echo", get(echo)).with_state(options)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1);
    let listener = TcpListener::bind(addr.as_deref().unwrap_or("127.0.0.1:5000")).await?;
    let mut options = Options::default();
    if std::env::var("WS_DEFLATE").as_deref() == Ok("1") {
        options = options.deflate(websocket_driver::ext::deflate::DeflateConfig::default());
    }
    println!("listening on ws://{}/echo", listener.local_addr()?);
    axum::serve(listener, app(options)).await
}
