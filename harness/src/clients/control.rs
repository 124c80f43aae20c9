//! The WebSocket side of the control endpoints (`/getCaseCount`, `/getCaseInfo`, ...): send a
//! text message, start the closing handshake, answer pings and the peer's close, drop TCP.
//!
//! Autobahn's fuzzing server sends its answer, then `sendClose()` (a close frame with an empty
//! payload), waits for the client's close frame (`closeHandshakeTimeout`, 1 s) and, being the
//! server, drops TCP. Every read and write here is bounded in time, so a client that stops
//! reading or never answers cannot hold the connection.

use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::wire::{encode_frame, FrameCollector, FrameSpec, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT};

/// Autobahn's `closeHandshakeTimeout`.
pub(crate) const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);
/// How long one write may take before the client is considered gone.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Control frames carry at most 125 octets; keep a little more to see what the peer sent.
const FRAME_CAP: usize = 1024;

/// An open WebSocket connection on a control endpoint (server side, unmasked frames).
#[derive(Debug)]
pub(crate) struct ControlConn<S> {
    stream: S,
    frames: FrameCollector,
    /// Whether the peer's close frame has been received.
    peer_closed: bool,
    /// Whether the connection is unusable (EOF, error, timeout).
    broken: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> ControlConn<S> {
    /// Wraps `stream`, whose handshake left `leftover` octets of WebSocket data.
    pub(crate) fn new(stream: S, leftover: &[u8]) -> Self {
        let mut conn = Self {
            stream,
            frames: FrameCollector::new(FRAME_CAP),
            peer_closed: false,
            broken: false,
        };
        if !leftover.is_empty() {
            let frames = conn.frames.push(leftover);
            for f in frames {
                conn.note_frame_offline(f.head.opcode);
            }
        }
        conn
    }

    fn note_frame_offline(&mut self, opcode: u8) {
        if opcode == OP_CLOSE {
            self.peer_closed = true;
        }
    }

    async fn write_frame(&mut self, opcode: u8, payload: &[u8]) {
        if self.broken {
            return;
        }
        let bytes = encode_frame(&FrameSpec {
            opcode,
            fin: true,
            rsv: 0,
            mask: None,
            payload,
            length_field: None,
        });
        match tokio::time::timeout(WRITE_TIMEOUT, self.stream.write_all(&bytes)).await {
            Ok(Ok(())) => {}
            _ => self.broken = true,
        }
    }

    /// Sends one text message.
    pub(crate) async fn send_text(&mut self, text: &str) {
        self.write_frame(OP_TEXT, text.as_bytes()).await;
    }

    /// Reads once and handles what arrived: pongs for pings, the peer's close noted.
    /// Returns false when the connection is over (EOF, error, peer's close).
    async fn read_some(&mut self, buf: &mut [u8]) -> bool {
        match self.stream.read(buf).await {
            Ok(0) | Err(_) => {
                self.broken = true;
                false
            }
            Ok(n) => {
                let frames = self.frames.push(&buf[..n]);
                for f in frames {
                    match f.head.opcode {
                        OP_PING if !self.peer_closed => self.write_frame(OP_PONG, &f.payload).await,
                        OP_CLOSE => self.peer_closed = true,
                        // Messages on a control endpoint are ignored (Autobahn would try to read
                        // them as direct-mode commands).
                        _ => {}
                    }
                }
                !self.peer_closed && !self.broken
            }
        }
    }

    /// Runs `fut` while serving the connection. Returns `None` when the client closes or drops
    /// the connection first.
    pub(crate) async fn until<F: Future>(&mut self, fut: F) -> Option<F::Output> {
        tokio::pin!(fut);
        let mut buf = vec![0u8; 4096];
        if self.peer_closed || self.broken {
            return None;
        }
        loop {
            tokio::select! {
                out = &mut fut => return Some(out),
                alive = self.read_some(&mut buf) => if !alive { return None },
            }
        }
    }

    /// Ends the connection the way Autobahn's server does: a close frame (empty payload when
    /// `code` is `None`, else the code), the client's close awaited for [`CLOSE_TIMEOUT`], then
    /// TCP dropped. A client that closed first gets its close echoed (code only).
    pub(crate) async fn close(mut self, code: Option<u16>) {
        if self.peer_closed {
            // The peer started: reply (Autobahn echoes the code), then drop.
            let payload = code.map(|c| c.to_be_bytes().to_vec()).unwrap_or_default();
            self.write_frame(OP_CLOSE, &payload).await;
        } else {
            let payload = code.map(|c| c.to_be_bytes().to_vec()).unwrap_or_default();
            self.write_frame(OP_CLOSE, &payload).await;
            let mut buf = vec![0u8; 4096];
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
                while !self.broken && !self.peer_closed {
                    self.read_some(&mut buf).await;
                }
            })
            .await;
        }
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, self.stream.shutdown()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(opcode: u8, payload: &[u8]) -> Vec<u8> {
        let key = [1, 2, 3, 4];
        encode_frame(&FrameSpec {
            opcode,
            fin: true,
            rsv: 0,
            mask: Some(key),
            payload,
            length_field: None,
        })
    }

    #[tokio::test]
    async fn sends_the_answer_then_closes_and_waits_for_the_reply() {
        let (client, server) = tokio::io::duplex(4096);
        let task = tokio::spawn(async move {
            let mut c = ControlConn::new(server, &[]);
            c.send_text("301").await;
            c.close(None).await;
        });
        let (mut rd, mut wr) = tokio::io::split(client);
        let mut got = vec![0u8; 64];
        let mut all = Vec::new();
        while all.len() < 7 {
            let n = rd.read(&mut got).await.expect("read");
            all.extend_from_slice(&got[..n]);
        }
        assert_eq!(all, [0x81, 3, b'3', b'0', b'1', 0x88, 0]);
        wr.write_all(&masked(OP_CLOSE, &[])).await.expect("write");
        task.await.expect("join");
        let n = rd.read(&mut got).await.expect("eof");
        assert_eq!(n, 0, "the server drops TCP after the closing handshake");
    }

    #[tokio::test]
    async fn a_silent_client_is_dropped_after_the_close_timeout() {
        let (_client, server) = tokio::io::duplex(4096);
        let start = std::time::Instant::now();
        ControlConn::new(server, &[]).close(None).await;
        assert!(start.elapsed() < CLOSE_TIMEOUT * 3);
    }

    #[tokio::test]
    async fn until_stops_when_the_client_goes_away_and_answers_pings() {
        let (client, server) = tokio::io::duplex(4096);
        let (mut rd, mut wr) = tokio::io::split(client);
        let task = tokio::spawn(async move {
            let mut c = ControlConn::new(server, &[]);
            c.until(std::future::pending::<()>()).await
        });
        wr.write_all(&masked(OP_PING, b"hi")).await.expect("write");
        let mut got = vec![0u8; 64];
        let n = rd.read(&mut got).await.expect("read");
        assert_eq!(&got[..n], [0x8a, 2, b'h', b'i']);
        wr.write_all(&masked(OP_CLOSE, &1000u16.to_be_bytes()))
            .await
            .expect("write");
        assert_eq!(task.await.expect("join"), None);
    }
}
