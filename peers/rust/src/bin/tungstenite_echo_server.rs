//! Echo server over tokio-tungstenite: `accept_async`, then echo each data message.

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpStream;
use wsharness_rust_peers::{bind, listen_addr};

async fn echo(stream: TcpStream) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    // tungstenite answers pings and close frames itself; data messages come back as sent.
    while let Some(Ok(message)) = ws.next().await {
        if (message.is_text() || message.is_binary()) && ws.send(message).await.is_err() {
            break;
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let listener = bind(&listen_addr()).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(echo(stream));
    }
}
