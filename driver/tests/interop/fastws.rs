//! fastwebsockets 0.10 (a dev-dependency, the version `peers/rust` pins), in-process, as its
//! docs show: hyper serves the upgrade (`fastwebsockets::upgrade`), `handshake::client` makes
//! the client, and a `FragmentCollector` gives whole messages. It has no permessage-deflate, so
//! it declines our offer, and no subprotocol support: the protocol header is ours to set.

use std::future::Future;
use std::sync::Arc;

use fastwebsockets::upgrade::upgrade;
use fastwebsockets::{handshake, FragmentCollector, Frame, OpCode, Payload, WebSocketError};
use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONNECTION, UPGRADE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

use crate::peer::{AbortOnDrop, Peer, PeerConfig, Say};
use crate::script::{
    choose, close_line, close_payload, command, open_line, Cmd, FRAGMENTED_BINARY, FRAGMENTED_TEXT,
};

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

/// The fastwebsockets peer as a server on a free loopback port.
pub(crate) async fn server(config: &PeerConfig) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("local address").port();
    let (say, lines) = Say::new();
    let speaks = config.protocols.clone();
    // The accept loop stops with the peer; the connections' tasks end with the test's runtime.
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (say, speaks) = (say.clone(), speaks.clone());
            let service = service_fn(move |mut request: Request<Incoming>| {
                let (say, speaks) = (say.clone(), speaks.clone());
                async move {
                    let offered = request
                        .headers()
                        .get("Sec-WebSocket-Protocol")
                        .and_then(|v| v.to_str().ok());
                    let chosen = choose(offered, &speaks);
                    let (mut response, fut) = upgrade(&mut request)?;
                    if let Some(p) = chosen
                        .as_deref()
                        .and_then(|p| HeaderValue::from_str(p).ok())
                    {
                        response.headers_mut().insert("Sec-WebSocket-Protocol", p);
                    }
                    tokio::spawn(async move {
                        match fut.await {
                            Ok(ws) => {
                                play(FragmentCollector::new(ws), chosen.as_deref(), &say).await
                            }
                            Err(e) => say.line(format!("error {e}")),
                        }
                    });
                    Ok::<_, WebSocketError>(response)
                }
            });
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await;
            });
        }
    });
    Peer::new(
        lines,
        Some(port),
        Arc::default(),
        Box::new(AbortOnDrop(task)),
    )
}

/// The fastwebsockets peer as a client of `url`.
pub(crate) fn client(url: &str, config: &PeerConfig) -> Peer {
    let (say, lines) = Say::new();
    let url = url.to_owned();
    let protocols = config.protocols.join(", ");
    let task = tokio::spawn(async move {
        if let Err(e) = connect_and_play(&url, &protocols, &say).await {
            say.line(format!("error {e}"));
        }
    });
    Peer::new(lines, None, Arc::default(), Box::new(AbortOnDrop(task)))
}

/// The handshake through hyper, then the script.
async fn connect_and_play(url: &str, protocols: &str, say: &Say) -> Result<(), WebSocketError> {
    let rest = url.strip_prefix("ws://").expect("a ws:// URL");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let stream = TcpStream::connect(host).await?;
    let mut request = Request::builder()
        .method("GET")
        .uri(format!("/{path}"))
        .header("Host", host)
        .header(UPGRADE, "websocket")
        .header(CONNECTION, "upgrade")
        .header("Sec-WebSocket-Key", handshake::generate_key())
        .header("Sec-WebSocket-Version", "13");
    if !protocols.is_empty() {
        request = request.header("Sec-WebSocket-Protocol", protocols);
    }
    let request = request
        .body(Empty::<Bytes>::new())
        .expect("a valid request");
    let (ws, response) = handshake::client(&SpawnExecutor, request, stream).await?;
    let protocol = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    play(FragmentCollector::new(ws), protocol.as_deref(), say).await;
    Ok(())
}

/// The script: echo, obey commands, report pongs and the close received. Pings are answered
/// and close frames echoed by the library (auto_pong, auto_close).
async fn play<S>(mut ws: FragmentCollector<S>, protocol: Option<&str>, say: &Say)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    say.line(open_line(protocol, None));
    let (code, reason) = loop {
        let Ok(frame) = ws.read_frame().await else {
            break (1006, String::new());
        };
        match frame.opcode {
            OpCode::Close => break close_payload(&frame.payload),
            OpCode::Pong => say.line(format!("pong {}", String::from_utf8_lossy(&frame.payload))),
            OpCode::Text => match std::str::from_utf8(&frame.payload).ok().and_then(command) {
                Some(Cmd::Drop) => {
                    drop(ws);
                    say.line("dropped");
                    return;
                }
                Some(cmd) => {
                    // A failed write shows up as the next read's error.
                    let _ = run(&mut ws, cmd).await;
                }
                None => {
                    let _ = ws.write_frame(frame).await;
                }
            },
            OpCode::Binary => {
                let _ = ws.write_frame(frame).await;
            }
            _ => {}
        }
    };
    say.line(close_line(code, &reason));
}

/// Runs a command other than [`Cmd::Drop`].
async fn run<S>(ws: &mut FragmentCollector<S>, cmd: Cmd) -> Result<(), WebSocketError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match cmd {
        Cmd::Ping(payload) => {
            let ping = Frame::new(
                true,
                OpCode::Ping,
                None,
                Payload::Owned(payload.into_bytes()),
            );
            ws.write_frame(ping).await
        }
        Cmd::Fragments => {
            let text = FRAGMENTED_TEXT.iter().map(|p| p.as_bytes());
            send_parts(ws, OpCode::Text, text).await?;
            send_parts(ws, OpCode::Binary, FRAGMENTED_BINARY.into_iter()).await
        }
        Cmd::Close(code, reason) => ws.write_frame(Frame::close(code, reason.as_bytes())).await,
        Cmd::CloseEmpty => {
            ws.write_frame(Frame::close_raw(Payload::Owned(Vec::new())))
                .await
        }
        Cmd::Drop => Ok(()),
    }
}

/// Sends one message as one frame per part: `opcode`, then continuations, FIN on the last.
async fn send_parts<'a, S>(
    ws: &mut FragmentCollector<S>,
    opcode: OpCode,
    parts: impl ExactSizeIterator<Item = &'a [u8]>,
) -> Result<(), WebSocketError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let last = parts.len() - 1;
    for (i, part) in parts.enumerate() {
        let opcode = if i == 0 { opcode } else { OpCode::Continuation };
        let frame = Frame::new(i == last, opcode, None, Payload::Owned(part.to_vec()));
        ws.write_frame(frame).await?;
    }
    Ok(())
}
interop_tests!(FastWebSockets);
