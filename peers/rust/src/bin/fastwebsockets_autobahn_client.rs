//! Autobahn client driver over fastwebsockets, as its docs show: the handshake through
//! `fastwebsockets::handshake::client` (hyper), a `FragmentCollector` for whole messages.

use std::future::Future;

use anyhow::Context as _;
use fastwebsockets::{handshake, FragmentCollector, OpCode};
use http_body_util::Empty;
use hyper::body::Bytes;
use hyper::header::{CONNECTION, UPGRADE};
use hyper::upgrade::Upgraded;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use wsharness_rust_peers::drive;

/// Runs hyper's background tasks on tokio.
struct SpawnExecutor;

impl<Fut> hyper::rt::Executor<Fut> for SpawnExecutor
where
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    fn execute(&self, fut: Fut) {
        tokio::spawn(fut);
    }
}

async fn connect(url: &str) -> anyhow::Result<FragmentCollector<TokioIo<Upgraded>>> {
    let rest = url.strip_prefix("ws://").context("a ws:// URL")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let stream = TcpStream::connect(host).await?;
    let req = Request::builder()
        .method("GET")
        // Origin-form ("/path"), as browsers and most clients send it. The docs' example gives
        // hyper an absolute URI, which hyper sends as is (absolute-form, RFC 9112 3.2.2); both
        // Autobahn and wsharness test-client accept that too.
        .uri(format!("/{path}"))
        .header("Host", host)
        .header(UPGRADE, "websocket")
        .header(CONNECTION, "upgrade")
        .header("Sec-WebSocket-Key", handshake::generate_key())
        .header("Sec-WebSocket-Version", "13")
        .body(Empty::<Bytes>::new())?;
    let (ws, _) = handshake::client(&SpawnExecutor, req, stream).await?;
    Ok(FragmentCollector::new(ws))
}

async fn count(url: String) -> anyhow::Result<String> {
    let mut ws = connect(&url).await?;
    loop {
        let frame = ws.read_frame().await?;
        match frame.opcode {
            OpCode::Text => return Ok(String::from_utf8(frame.payload.to_vec())?),
            OpCode::Close => anyhow::bail!("closed before the case count"),
            _ => {}
        }
    }
}

async fn case(url: String) -> anyhow::Result<()> {
    let mut ws = connect(&url).await?;
    loop {
        let frame = ws.read_frame().await?;
        match frame.opcode {
            OpCode::Close => return Ok(()),
            OpCode::Text | OpCode::Binary => ws.write_frame(frame).await?,
            _ => {}
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    drive(count, case).await
}
