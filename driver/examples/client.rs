//! The seed's client example: connect, print every message, send "Hi", close.
//!
//! The close waits for the echo: once a close frame is sent, data frames that arrive are
//! dropped (RFC 6455 section 1.4), so closing right after sending would lose the answer.
//!
//! ```sh
//! cargo run --example client -- [URL]              # URL defaults to ws://127.0.0.1:5000/echo
//! ```

use websocket_driver::tokio::connect;
use websocket_driver::ws::Options;

#[tokio::main]
async fn main() -> Result<(), websocket_driver::Error> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:5000/echo".into());

    let client = connect(&url, Options::default(), |ws| {
        ws.on_message(|ws, message| {
            println!("Got: {message:?}");
            ws.close_connection();
        });
    })
    .await?;
    client.send("Hi");

    let (code, reason) = client.closed().await;
    println!("Closed because '{reason}' (Code={code})");
    Ok(())
}
