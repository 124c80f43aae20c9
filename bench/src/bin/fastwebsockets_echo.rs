//! Echo server over fastwebsockets, as its `examples/echo_server.rs`: hyper serves the
//! upgrade, a `FragmentCollector` reassembles messages, each connection runs
//! `tokio::task::unconstrained` on a current-thread runtime (the example's speed settings),
//! and the library answers pings and closes (auto_pong, auto_close, on by default).

use fastwebsockets::upgrade::{upgrade, UpgradeFut};
use fastwebsockets::{FragmentCollector, OpCode, WebSocketError};
use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

async fn echo(fut: UpgradeFut) -> Result<(), WebSocketError> {
    let mut ws = FragmentCollector::new(fut.await?);
    loop {
        let frame = ws.read_frame().await?;
        match frame.opcode {
            OpCode::Close => break,
            OpCode::Text | OpCode::Binary => ws.write_frame(frame).await?,
            _ => {}
        }
    }
    Ok(())
}

async fn upgrade_request(
    mut req: Request<Incoming>,
) -> Result<Response<Empty<Bytes>>, WebSocketError> {
    let (response, fut) = upgrade(&mut req)?;
    tokio::spawn(async move {
        // A connection's end (close, reset) is not news in a benchmark.
        let _ = tokio::task::unconstrained(echo(fut)).await;
    });
    Ok(response)
}

fn main() -> anyhow::Result<()> {
    websocket_bench_servers::runtime()?.block_on(async {
        let listener = websocket_bench_servers::bind().await?;
        loop {
            let (stream, _) = listener.accept().await?;
            // Every server here answers with Nagle off, as ours does.
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(upgrade_request))
                    .with_upgrades()
                    .await;
            });
        }
    })
}
