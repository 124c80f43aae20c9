//! Echo server over fastwebsockets, as its docs show: hyper serves the HTTP/1.1 upgrade
//! (`fastwebsockets::upgrade`), a `FragmentCollector` reassembles fragmented messages.

use fastwebsockets::upgrade::{upgrade, UpgradeFut};
use fastwebsockets::{FragmentCollector, OpCode, WebSocketError};
use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use wsharness_rust_peers::{bind, listen_addr};

async fn echo(fut: UpgradeFut) -> Result<(), WebSocketError> {
    // Pings are answered and close frames echoed by the library (auto_pong, auto_close).
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
        // Protocol errors are what the harness provokes; the library has closed already.
        let _ = echo(fut).await;
    });
    Ok(response)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let listener = bind(&listen_addr()).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(upgrade_request))
                .with_upgrades()
                .await;
        });
    }
}
