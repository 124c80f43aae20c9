//! Reading an HTTP head (request or response) off the socket, bounded in size and time.

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::{timeout_at, Instant};

use super::MAX_HEAD;

/// Size of one socket read; Twisted, under Autobahn, also reads up to 64 KiB at a time.
pub(crate) const READ_SIZE: usize = 64 * 1024;

/// Why a head could not be read.
#[derive(Debug)]
pub(super) struct ReadHeadError {
    pub(super) reason: String,
    pub(super) timed_out: bool,
}

/// Reads until the blank line that ends an HTTP head. Returns the head (blank line included)
/// and the octets read after it. Every read is appended to `reads`.
pub(super) async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    deadline: Instant,
    reads: &mut Vec<Vec<u8>>,
) -> Result<(Vec<u8>, Vec<u8>), ReadHeadError> {
    let mut acc: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; READ_SIZE];
    loop {
        if let Some(end) = find_blank_line(&acc) {
            let rest = acc.split_off(end);
            return Ok((acc, rest));
        }
        if acc.len() > MAX_HEAD {
            return Err(ReadHeadError {
                reason: format!("HTTP head longer than {MAX_HEAD} octets"),
                timed_out: false,
            });
        }
        let n = match timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => {
                return Err(ReadHeadError {
                    reason: "peer did not finish (in time) the opening handshake".into(),
                    timed_out: true,
                })
            }
            Ok(Err(e)) => {
                return Err(ReadHeadError {
                    reason: format!("connection error during the opening handshake: {e}"),
                    timed_out: false,
                })
            }
            Ok(Ok(0)) => {
                return Err(ReadHeadError {
                    reason: "peer closed the connection during the opening handshake".into(),
                    timed_out: false,
                })
            }
            Ok(Ok(n)) => n,
        };
        reads.push(buf[..n].to_vec());
        acc.extend_from_slice(&buf[..n]);
    }
}

/// The offset just past the first `\r\n\r\n`, as Autobahn finds the end of the head.
fn find_blank_line(data: &[u8]) -> Option<usize> {
    data.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
}

/// Header fields as Autobahn's `parseHttpHeader` sees them: names lowercased, repeated fields
/// joined with `", "`, and how often each name occurred.
#[derive(Debug, Clone, Default)]
pub(super) struct Fields {
    fields: Vec<(String, String)>,
}

impl Fields {
    pub(super) fn new(headers: &[httparse::Header<'_>]) -> Self {
        let fields = headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        Self { fields }
    }

    /// The value of `name` (lowercase), repeated fields joined with `", "`.
    pub(super) fn get(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// How many times `name` (lowercase) occurs.
    pub(super) fn count(&self, name: &str) -> usize {
        self.fields.iter().filter(|(n, _)| n == name).count()
    }

    /// Whether the comma-separated value of `name` has `token` (case-insensitive).
    pub(super) fn has_token(&self, name: &str, token: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    }

    /// All fields, names lowercased, in order.
    pub(super) fn into_vec(self) -> Vec<(String, String)> {
        self.fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn splits_head_and_leftover_across_reads() {
        let (mut a, mut b) = tokio::io::duplex(64);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            for part in [&b"HTTP/1.1 101 OK\r\nA: b\r"[..], b"\n\r\n\x81\x00"] {
                let _ = b.write_all(part).await;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        });
        let mut reads = Vec::new();
        let deadline = Instant::now() + std::time::Duration::from_secs(2);
        let (head, rest) = read_head(&mut a, deadline, &mut reads).await.expect("head");
        assert!(head.ends_with(b"\r\n\r\n"));
        assert_eq!(rest, [0x81, 0x00]);
        assert_eq!(reads.len(), 2);
    }

    #[tokio::test]
    async fn gives_up_on_a_silent_peer_and_on_an_endless_head() {
        let (mut a, _b) = tokio::io::duplex(64);
        let deadline = Instant::now() + std::time::Duration::from_millis(50);
        let err = read_head(&mut a, deadline, &mut Vec::new())
            .await
            .expect_err("timeout");
        assert!(err.timed_out);

        let (mut a, mut b) = tokio::io::duplex(1 << 20);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let _ = b.write_all(&vec![b'x'; MAX_HEAD * 2]).await;
            let _ = b.flush().await;
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        });
        let deadline = Instant::now() + std::time::Duration::from_secs(2);
        let err = read_head(&mut a, deadline, &mut Vec::new())
            .await
            .expect_err("too long");
        assert!(!err.timed_out, "{}", err.reason);
    }
}
