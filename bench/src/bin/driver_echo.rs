//! Our echo server: the driver's tokio adapter, as its README and `examples/echo_server.rs`
//! show (`serve` with a `message` listener that sends the message back).

use websocket_driver::tokio::serve;
use websocket_driver::ws::Options;

fn main() -> anyhow::Result<()> {
    websocket_bench_servers::runtime()?.block_on(async {
        let listener = websocket_bench_servers::bind().await?;
        serve(listener, Options::new(), |ws| {
            ws.on_message(|ws, message| {
                ws.send(message);
            });
        })
        .await?;
        Ok(())
    })
}
