//! A peer process: started with its output captured, killed whatever happens.
//!
//! The child is spawned with `kill_on_drop`, so an error, a timeout or a panic in the harness
//! never leaves a peer listening. Its output is drained continuously (a full pipe would stall
//! the peer) into a bounded tail that is shown when something goes wrong.

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context as _};
use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::process::{Child, Command};
use tokio::sync::watch;

/// How much of a peer's output is kept for error messages.
const TAIL_BYTES: usize = 8 * 1024;
/// The longest first output line searched for the ready line.
const READY_LINE_LIMIT: usize = 64 * 1024;

/// The last bytes a stream produced.
#[derive(Debug, Clone, Default)]
pub struct Tail(Arc<Mutex<Vec<u8>>>);

impl Tail {
    fn push(&self, bytes: &[u8]) {
        let mut buf = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        buf.extend_from_slice(bytes);
        if buf.len() > TAIL_BYTES {
            let cut = buf.len() - TAIL_BYTES;
            buf.drain(..cut);
        }
    }

    /// The kept output, lossily decoded.
    pub fn text(&self) -> String {
        let buf = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        String::from_utf8_lossy(&buf).trim_end().to_owned()
    }
}

/// A running peer process.
#[derive(Debug)]
pub struct PeerProcess {
    child: Child,
    /// What the peer wrote, both streams, last bytes only.
    pub output: Tail,
    /// The text of each complete stdout line, as it arrives (for the ready line).
    lines: watch::Receiver<Vec<String>>,
}

impl PeerProcess {
    /// Starts `program args` in `dir`, stdin closed, output captured.
    pub fn spawn(program: &Path, args: &[String], dir: &Path) -> anyhow::Result<Self> {
        let mut child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {} {}", program.display(), args.join(" ")))?;
        let output = Tail::default();
        let (lines_tx, lines) = watch::channel(Vec::new());
        if let Some(out) = child.stdout.take() {
            tokio::spawn(drain(out, output.clone(), Some(lines_tx)));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(drain(err, output.clone(), None));
        }
        Ok(Self {
            child,
            output,
            lines,
        })
    }

    /// Waits up to `limit` for a stdout line starting with `prefix`, and returns the rest of it.
    pub async fn ready_line(&mut self, prefix: &str, limit: Duration) -> anyhow::Result<String> {
        let found = tokio::time::timeout(limit, async {
            loop {
                let hit = self
                    .lines
                    .borrow_and_update()
                    .iter()
                    .find_map(|l| l.trim().strip_prefix(prefix).map(str::to_owned));
                if let Some(rest) = hit {
                    return Ok(rest);
                }
                if self.lines.changed().await.is_err() {
                    // stdout closed: the peer exited (or closed it) without being ready.
                    return Err(());
                }
            }
        })
        .await;
        match found {
            Ok(Ok(rest)) => Ok(rest),
            Ok(Err(())) => {
                // Let the peer finish exiting so that its last words are in the tail.
                let _ = tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                bail!(
                    "the peer ended its output without printing \"{prefix}...\"; its output:\n{}",
                    self.output.text()
                )
            }
            Err(_) => bail!(
                "the peer printed no \"{prefix}...\" line within {limit:?}; its output:\n{}",
                self.output.text()
            ),
        }
    }

    /// Waits up to `limit` for the peer to exit; `None` when it did not (it is then killed).
    pub async fn wait(&mut self, limit: Duration) -> anyhow::Result<Option<ExitStatus>> {
        match tokio::time::timeout(limit, self.child.wait()).await {
            Ok(status) => Ok(Some(status.context("waiting for the peer")?)),
            Err(_) => {
                self.kill().await;
                Ok(None)
            }
        }
    }

    /// Kills the peer and reaps it.
    pub async fn kill(&mut self) {
        // An error here means it has exited already, which is what we want.
        let _ = self.child.kill().await;
    }
}

/// Copies a stream into `tail`; when `lines` is given, also publishes its complete lines until
/// one has been seen (only the ready line is ever looked for) or the line limit is reached.
async fn drain(
    mut stream: impl AsyncRead + Unpin,
    tail: Tail,
    mut lines: Option<watch::Sender<Vec<String>>>,
) {
    let mut buf = vec![0u8; 4096];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = buf.get(..n).unwrap_or_default();
        tail.push(chunk);
        if let Some(tx) = &lines {
            pending.extend_from_slice(chunk);
            let mut complete = Vec::new();
            while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                complete.push(String::from_utf8_lossy(&line).into_owned());
            }
            if !complete.is_empty() {
                tx.send_modify(|all| all.extend(complete));
            }
            if pending.len() > READY_LINE_LIMIT || tx.borrow().len() > 1000 {
                // Not a peer that announces itself; stop collecting lines but keep draining.
                lines = None;
                pending = Vec::new();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_ready_line_is_found_and_the_tail_bounded() -> anyhow::Result<()> {
        let script = "head -c 20000 /dev/zero | tr '\\0' x >&2; echo noise; echo 'listening on ws://127.0.0.1:1'; sleep 30";
        let mut p = PeerProcess::spawn(
            Path::new("sh"),
            &["-c".to_owned(), script.to_owned()],
            Path::new("."),
        )?;
        let rest = p
            .ready_line("listening on ", Duration::from_secs(10))
            .await?;
        assert_eq!(rest, "ws://127.0.0.1:1");
        assert!(p.output.text().len() <= TAIL_BYTES);
        assert_eq!(
            p.wait(Duration::from_millis(50)).await?,
            None,
            "killed on timeout"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_peer_that_exits_unready_is_reported_with_its_output() -> anyhow::Result<()> {
        let mut p = PeerProcess::spawn(
            Path::new("sh"),
            &["-c".to_owned(), "echo boom >&2; exit 3".to_owned()],
            Path::new("."),
        )?;
        let err = p
            .ready_line("listening on ", Duration::from_secs(10))
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("without printing") && err.contains("boom"),
            "{err}"
        );
        Ok(())
    }
}
