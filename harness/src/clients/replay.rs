//! Reading the request head before the handshake, then handing the same octets to it.
//!
//! The fuzzing server must know the request path before it answers: a bad query gets HTTP
//! 500, not 101 (Autobahn raises in `onConnect`). `handshake::server_handshake` reads the
//! request itself, so we read the head first and give the handshake a stream that replays those
//! reads, one by one and with the same boundaries (the wire log records socket reads), before
//! reading the socket again.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

use crate::handshake::MAX_HEAD;

/// Reads socket chunks until the blank line that ends the HTTP head, at most [`MAX_HEAD`]
/// octets and `timeout` seconds. Returns the chunks as read, or why it gave up.
pub(crate) async fn read_head_chunks<S: AsyncRead + Unpin>(
    stream: &mut S,
    timeout: Duration,
) -> Result<Vec<Vec<u8>>, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut acc: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; MAX_HEAD];
    while !acc.windows(4).any(|w| w == b"\r\n\r\n") {
        if acc.len() > MAX_HEAD {
            return Err(format!("HTTP head longer than {MAX_HEAD} octets"));
        }
        let n = match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return Err("peer did not finish (in time) the opening handshake".into()),
            Ok(Err(e)) => {
                return Err(format!(
                    "connection error during the opening handshake: {e}"
                ))
            }
            Ok(Ok(0)) => {
                return Err("peer closed the connection during the opening handshake".into())
            }
            Ok(Ok(n)) => n,
        };
        chunks.push(buf[..n].to_vec());
        acc.extend_from_slice(&buf[..n]);
    }
    Ok(chunks)
}

/// The request target (`/path?query`) of a complete HTTP head, if its request line parses.
pub(crate) fn request_target(chunks: &[Vec<u8>]) -> Option<String> {
    let head: Vec<u8> = chunks.concat();
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    let mut parts = line.split(' ');
    let (_method, target) = (parts.next()?, parts.next()?);
    Some(target.to_owned())
}

/// A stream that first yields recorded reads, then reads from `inner`; writes go to `inner`.
#[derive(Debug)]
pub(crate) struct Replay<S> {
    recorded: VecDeque<Vec<u8>>,
    inner: S,
}

impl<S> Replay<S> {
    /// Replays `recorded` (in order, one read per chunk) before reading `inner`.
    pub(crate) fn new(recorded: Vec<Vec<u8>>, inner: S) -> Self {
        Self {
            recorded: recorded.into(),
            inner,
        }
    }

    /// The inner stream, and the recorded octets not replayed yet.
    pub(crate) fn into_parts(self) -> (S, Vec<u8>) {
        (self.inner, self.recorded.into_iter().flatten().collect())
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Replay<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(front) = self.recorded.front_mut() {
            let n = front.len().min(buf.remaining());
            buf.put_slice(&front[..n]);
            front.drain(..n);
            if front.is_empty() {
                self.recorded.pop_front();
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replay<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn replays_chunks_with_their_boundaries_then_reads_on() {
        let (mut a, mut b) = tokio::io::duplex(1024);
        b.write_all(b"GET /getCaseInfo?case=1 HTTP/1.1\r\n")
            .await
            .expect("write");
        let reader = tokio::spawn(async move {
            let chunks = read_head_chunks(&mut a, Duration::from_secs(2)).await;
            (chunks, a)
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        b.write_all(b"Host: x\r\n\r\n\x81").await.expect("write");
        let (chunks, a) = reader.await.expect("join");
        let chunks = chunks.expect("head");
        assert_eq!(chunks.len(), 2);
        assert_eq!(
            request_target(&chunks).as_deref(),
            Some("/getCaseInfo?case=1")
        );
        let mut r = Replay::new(chunks.clone(), a);
        let mut buf = [0u8; 256];
        let n = r.read(&mut buf).await.expect("read");
        assert_eq!(&buf[..n], &chunks[0][..]);
        let n = r.read(&mut buf).await.expect("read");
        assert_eq!(&buf[..n], &chunks[1][..]);
        b.write_all(b"\x00").await.expect("write");
        let n = r.read(&mut buf).await.expect("read");
        assert_eq!(&buf[..n], b"\x00");
        assert!(r.into_parts().1.is_empty());
    }

    #[tokio::test]
    async fn gives_up_on_silence_and_on_endless_heads() {
        let (mut a, _b) = tokio::io::duplex(64);
        let e = read_head_chunks(&mut a, Duration::from_millis(50))
            .await
            .expect_err("timeout");
        assert!(e.contains("in time"), "{e}");
        let (mut a, mut b) = tokio::io::duplex(1 << 20);
        tokio::spawn(async move {
            let _ = b.write_all(&vec![b'x'; MAX_HEAD * 3]).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let e = read_head_chunks(&mut a, Duration::from_secs(2))
            .await
            .expect_err("too long");
        assert!(e.contains("longer"), "{e}");
    }
}
