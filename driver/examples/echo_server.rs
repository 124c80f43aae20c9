//! The seed's echo server: every message comes straight back.
//!
//! ```sh
//! cargo run --example echo_server -- [ADDR]        # ADDR defaults to 127.0.0.1:5000
//! WS_PROTOCOLS=chat,superchat cargo run --example echo_server
//! WS_DEFLATE=1 cargo run --example echo_server      # accept permessage-deflate
//! ```

use websocket_driver::tokio::serve;
use websocket_driver::ws::Options;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5000".into());
    let protocols = std::env::var("WS_PROTOCOLS").unwrap_or_default();
    let mut options =
        Options::new().accept_protocols(protocols.split(',').filter(|p| !p.is_empty()));
    if std::env::var("WS_DEFLATE").as_deref() == Ok("1") {
        options = options.deflate(websocket_driver::ext::deflate::DeflateConfig::default());
    }

    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on ws://{}", listener.local_addr()?);
    serve(listener, options, |ws| {
        ws.on_message(|ws, message| {
            ws.send(message);
        });
    })
    .await
}
