//! `--idle N`: what a server's memory grows by per open, idle connection. Opens N
//! connections (handshakes complete), waits for the server to settle, and compares its
//! `VmRSS` with the value before connecting.

use std::time::Duration;

use anyhow::Context as _;

use super::connect::open_all;
use super::procfs::{rss_kib, Pid};
use super::report::IdleReport;

/// How long to wait after the last handshake before reading the server's memory: servers
/// finish setting up a connection after answering its handshake.
const SETTLE: Duration = Duration::from_secs(1);

/// Opens `n` idle connections, measures, then holds them for `hold` before closing.
///
/// # Errors
///
/// A connection that cannot be opened, or a server whose memory cannot be read.
pub(super) async fn run(
    url: &str,
    label: &str,
    n: usize,
    server: u32,
    hold: Duration,
) -> anyhow::Result<IdleReport> {
    let pid = Pid::Of(server);
    let before = rss_kib(pid).with_context(|| format!("cannot read the memory of pid {server}"))?;
    let connections = open_all(url, n, false).await?;
    tokio::time::sleep(SETTLE).await;
    let after = rss_kib(pid).with_context(|| format!("cannot read the memory of pid {server}"))?;
    tokio::time::sleep(hold).await;
    drop(connections);
    Ok(IdleReport {
        label: label.to_owned(),
        url: url.to_owned(),
        connections: n,
        rss_before_kib: before,
        rss_after_kib: after,
        kib_per_conn: after.saturating_sub(before) as f64 / n.max(1) as f64,
    })
}
