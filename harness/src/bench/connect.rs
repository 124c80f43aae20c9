//! Opening the connections of a run: TCP, then the harness's own opening handshake (none
//! for a raw TCP echo), a batch at a time so that thousands open quickly without a burst
//! that overflows the server's accept queue.

use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::handshake::{client_handshake, client_request};

/// Handshakes in progress at once.
const BATCH: usize = 64;

/// How long one handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// An open connection and the octets read past the handshake response.
pub(super) type Opened = (TcpStream, Vec<u8>);

/// Opens `n` connections to `url`, in order.
///
/// # Errors
///
/// The first connection that fails, with its index.
pub(super) async fn open_all(url: &str, n: usize, raw: bool) -> anyhow::Result<Vec<Opened>> {
    if !url.starts_with("ws://") {
        bail!("wsharness bench measures ws:// servers only, not {url}");
    }
    let mut opened = Vec::with_capacity(n);
    while opened.len() < n {
        let mut batch = JoinSet::new();
        let start = opened.len();
        for i in start..n.min(start + BATCH) {
            let url = url.to_owned();
            batch.spawn_local(async move { (i, open(&url, raw).await) });
        }
        let mut results = batch.join_all().await;
        results.sort_by_key(|(i, _)| *i);
        for (i, result) in results {
            opened.push(result.with_context(|| format!("connection {i} of {n}"))?);
        }
    }
    Ok(opened)
}

/// Opens one connection.
async fn open(url: &str, raw: bool) -> anyhow::Result<Opened> {
    let request = client_request(url, None, &[]).map_err(|e| anyhow!(e))?;
    let mut stream = TcpStream::connect(request.authority())
        .await
        .with_context(|| format!("cannot connect to {}", request.authority()))?;
    stream.set_nodelay(true)?;
    if raw {
        return Ok((stream, Vec::new()));
    }
    let handshake = client_handshake(&mut stream, &request, HANDSHAKE_TIMEOUT)
        .await
        .map_err(|e| anyhow!("opening handshake: {e}"))?;
    Ok((stream, handshake.leftover))
}
