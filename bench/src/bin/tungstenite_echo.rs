//! Echo server over tokio-tungstenite, as its `examples/echo-server.rs`: split the stream
//! and `forward` the data messages into the sink. `forward` feeds each message without
//! flushing and flushes once the stream has nothing ready, so all the echoes of one read
//! go out together.

use futures_util::{future, StreamExt as _, TryStreamExt as _};
use tokio::net::TcpStream;

async fn echo(stream: TcpStream) {
    // Every server here answers with Nagle off, as ours does.
    if stream.set_nodelay(true).is_err() {
        return;
    }
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (write, read) = ws.split();
    // The connection's end (a close, a reset) ends the forwarding; nothing to report.
    let _ = read
        .try_filter(|message| future::ready(message.is_text() || message.is_binary()))
        .forward(write)
        .await;
}

fn main() -> anyhow::Result<()> {
    websocket_bench_servers::runtime()?.block_on(async {
        let listener = websocket_bench_servers::bind().await?;
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::spawn(echo(stream));
        }
    })
}
