//! Autobahn client driver over tokio-tungstenite: `connect_async`, echo each data message.

use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::connect_async;
use wsharness_rust_peers::drive;

async fn count(url: String) -> anyhow::Result<String> {
    let (mut ws, _) = connect_async(url.as_str()).await?;
    let mut text = String::new();
    while let Some(Ok(message)) = ws.next().await {
        if message.is_text() {
            text = message.into_text()?.as_str().to_owned();
        }
    }
    Ok(text)
}

async fn case(url: String) -> anyhow::Result<()> {
    let (mut ws, _) = connect_async(url.as_str()).await?;
    while let Some(message) = ws.next().await {
        let message = message?;
        if message.is_text() || message.is_binary() {
            ws.send(message).await?;
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    drive(count, case).await
}
