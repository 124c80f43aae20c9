//! An Autobahn|Testsuite client driver: asks the fuzzing server how many cases it has,
//! runs each one echoing every message back, then asks it to write its reports.
//!
//! ```sh
//! wstest -m fuzzingserver -s fuzzingserver.json &       # listens on ws://127.0.0.1:9001
//! cargo run --release --example autobahn_client -- ws://127.0.0.1:9001 websocket-driver
//! WS_DEFLATE=1 cargo run --release --example autobahn_client   # offer permessage-deflate
//! ```

use std::sync::{Arc, Mutex};

use websocket_driver::tokio::connect;
use websocket_driver::ws::{Message, Options};

/// Autobahn's cases send messages of up to 16 MiB (section 9); allow more than that.
const MAX_LENGTH: usize = 64 << 20;

#[tokio::main]
async fn main() -> Result<(), websocket_driver::Error> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "ws://127.0.0.1:9001".into());
    let agent = args.next().unwrap_or_else(|| "websocket-driver".into());
    let mut options = Options::new().max_length(MAX_LENGTH);
    if std::env::var("WS_DEFLATE").as_deref() == Ok("1") {
        options = options.deflate(websocket_driver::ext::deflate::DeflateConfig::default());
    }

    // getCaseCount answers with one text message and closes.
    let count = Arc::new(Mutex::new(String::new()));
    let answer = Arc::clone(&count);
    let handle = connect(&format!("{url}/getCaseCount"), options.clone(), move |ws| {
        ws.on_message(move |_, message| {
            if let Message::Text(text) = message {
                *answer.lock().unwrap_or_else(|e| e.into_inner()) = text;
            }
        });
    })
    .await?;
    handle.closed().await;
    let count: u32 = count
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .trim()
        .parse()
        .unwrap_or(0);
    println!("{count} cases");

    for case in 1..=count {
        let echo = |ws: &mut websocket_driver::ws::Client| {
            ws.on_message(|ws, message| {
                ws.send(message);
            });
        };
        match connect(
            &format!("{url}/runCase?case={case}&agent={agent}"),
            options.clone(),
            echo,
        )
        .await
        {
            Ok(handle) => {
                let (code, _) = handle.closed().await;
                println!("case {case}/{count}: closed with {code}");
            }
            Err(e) => println!("case {case}/{count}: {e}"),
        }
    }

    let handle = connect(
        &format!("{url}/updateReports?agent={agent}"),
        options,
        |_| {},
    )
    .await?;
    handle.closed().await;
    println!("reports updated");
    Ok(())
}
