//! tokio-tungstenite 0.30 (a dev-dependency, the version `peers/rust` pins), in-process: its
//! server (`accept_hdr_async_with_config`, a callback choosing the protocol) and its client
//! (`connect_async_with_config`). It has no permessage-deflate, so it declines our offer.

use std::sync::Arc;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{accept_hdr_async_with_config, connect_async_with_config, WebSocketStream};

use crate::peer::{AbortOnDrop, Peer, PeerConfig, Say};
use crate::script::{
    choose, close_line, command, open_line, Cmd, FRAGMENTED_BINARY, FRAGMENTED_TEXT,
};

/// Room for the 16 MiB messages (the default frame limit is exactly 16 MiB).
fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(64 << 20))
        .max_frame_size(Some(64 << 20))
}

/// The tokio-tungstenite peer as a server on a free loopback port.
pub(crate) async fn server(config: &PeerConfig) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("local address").port();
    let (say, lines) = Say::new();
    let speaks = config.protocols.clone();
    let task = tokio::spawn(async move {
        // Dropped with this task when the test ends: the sessions stop with it.
        let mut sessions = JoinSet::new();
        while let Ok((stream, _)) = listener.accept().await {
            let (say, speaks) = (say.clone(), speaks.clone());
            sessions.spawn(async move {
                let mut chosen = None;
                // tungstenite's callback type: its error is an HTTP response, large by design.
                #[allow(clippy::result_large_err)]
                let callback = |request: &Request, mut response: Response| {
                    let offered = request
                        .headers()
                        .get("Sec-WebSocket-Protocol")
                        .and_then(|v| v.to_str().ok());
                    chosen = choose(offered, &speaks);
                    if let Some(p) = chosen
                        .as_deref()
                        .and_then(|p| HeaderValue::from_str(p).ok())
                    {
                        response.headers_mut().insert("Sec-WebSocket-Protocol", p);
                    }
                    Ok::<_, ErrorResponse>(response)
                };
                match accept_hdr_async_with_config(stream, callback, Some(ws_config())).await {
                    Ok(ws) => play(ws, chosen.as_deref(), &say).await,
                    Err(e) => say.line(format!("error {e}")),
                }
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

/// The tokio-tungstenite peer as a client of `url`.
pub(crate) fn client(url: &str, config: &PeerConfig) -> Peer {
    let (say, lines) = Say::new();
    let mut request = url.into_client_request().expect("a ws:// URL");
    if !config.protocols.is_empty() {
        let offer = HeaderValue::from_str(&config.protocols.join(", ")).expect("token list");
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", offer);
    }
    let task = tokio::spawn(async move {
        match connect_async_with_config(request, Some(ws_config()), true).await {
            Ok((ws, response)) => {
                let protocol = response
                    .headers()
                    .get("Sec-WebSocket-Protocol")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                play(ws, protocol.as_deref(), &say).await;
            }
            Err(e) => say.line(format!("error {e}")),
        }
    });
    Peer::new(lines, None, Arc::default(), Box::new(AbortOnDrop(task)))
}

/// The script: echo, obey commands, report pongs and the close received.
async fn play<S>(mut ws: WebSocketStream<S>, protocol: Option<&str>, say: &Say)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    say.line(open_line(protocol, None));
    let mut received = None;
    // Reading on after a close frame lets tungstenite send its reply and see TCP close.
    while let Some(Ok(message)) = ws.next().await {
        let echo = match message {
            Message::Text(text) => match command(text.as_str()) {
                Some(Cmd::Drop) => {
                    drop(ws);
                    say.line("dropped");
                    return;
                }
                Some(cmd) => {
                    run(&mut ws, cmd).await;
                    continue;
                }
                None => Message::Text(text),
            },
            Message::Binary(bytes) => Message::Binary(bytes),
            Message::Pong(payload) => {
                say.line(format!("pong {}", String::from_utf8_lossy(&payload)));
                continue;
            }
            Message::Close(frame) => {
                received = Some(frame.map_or((1005, String::new()), |f| {
                    (u16::from(f.code), f.reason.as_str().to_owned())
                }));
                continue;
            }
            Message::Ping(_) | Message::Frame(_) => continue,
        };
        if ws.send(echo).await.is_err() {
            break;
        }
    }
    let (code, reason) = received.unwrap_or((1006, String::new()));
    say.line(close_line(code, &reason));
}

/// Runs a command other than [`Cmd::Drop`]; a failed send shows up as the next read's end.
async fn run<S>(ws: &mut WebSocketStream<S>, cmd: Cmd)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let _ = match cmd {
        Cmd::Ping(payload) => ws.send(Message::Ping(payload.into_bytes().into())).await,
        Cmd::Fragments => fragments(ws).await,
        Cmd::Close(code, reason) => {
            let frame = CloseFrame {
                code: CloseCode::from(code),
                reason: reason.into(),
            };
            ws.close(Some(frame)).await
        }
        Cmd::CloseEmpty => ws.close(None).await,
        Cmd::Drop => Ok(()),
    };
}

/// Sends the fragmented messages as raw frames (`Message::Frame`).
async fn fragments<S>(
    ws: &mut WebSocketStream<S>,
) -> Result<(), tokio_tungstenite::tungstenite::Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let parts = |first: Data, parts: Vec<Vec<u8>>| {
        let last = parts.len() - 1;
        parts.into_iter().enumerate().map(move |(i, part)| {
            let opcode = OpCode::Data(if i == 0 { first } else { Data::Continue });
            Message::Frame(Frame::message(part, opcode, i == last))
        })
    };
    let text = FRAGMENTED_TEXT
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect();
    let binary = FRAGMENTED_BINARY.iter().map(|p| p.to_vec()).collect();
    for frame in parts(Data::Text, text).chain(parts(Data::Binary, binary)) {
        ws.send(frame).await?;
    }
    Ok(())
}
interop_tests!(Tungstenite);
