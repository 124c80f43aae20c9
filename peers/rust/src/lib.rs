//! What the four peer binaries share: the command line and the Autobahn client loop.
//!
//! Echo servers: `BIN [HOST:PORT]` (default `127.0.0.1:9001`, port 0 picks a free one); they
//! print `listening on ws://HOST:PORT` once they accept connections.
//! Client drivers: `BIN URL AGENT`; they read `URL/getCaseCount`, run
//! `URL/runCase?case=N&agent=AGENT` for each case echoing every message, then call
//! `URL/updateReports?agent=AGENT`.

use std::future::Future;

use anyhow::Context as _;

/// The listen address of an echo server, from its first argument.
pub fn listen_addr() -> String {
    std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".to_owned())
}

/// Binds `addr` and announces it in the form `wsharness peers` waits for.
pub async fn bind(addr: &str) -> anyhow::Result<tokio::net::TcpListener> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!("listening on ws://{}", listener.local_addr()?);
    Ok(listener)
}

/// Runs an Autobahn client driver: `count(url)` answers `/getCaseCount`, `case(url)` runs one
/// case (its errors are the case's business, not the driver's), `update(url)` asks for reports.
pub async fn drive<C, CF, R, RF>(count: C, case: R) -> anyhow::Result<()>
where
    C: Fn(String) -> CF,
    CF: Future<Output = anyhow::Result<String>>,
    R: Fn(String) -> RF,
    RF: Future<Output = anyhow::Result<()>>,
{
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(agent)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: BIN URL AGENT");
    };
    let answer = count(format!("{url}/getCaseCount")).await?;
    let total: usize = answer
        .trim()
        .parse()
        .with_context(|| format!("getCaseCount answered {answer:?}"))?;
    for n in 1..=total {
        // A case may break the connection on purpose; the fuzzing server judges that.
        let _ = case(format!("{url}/runCase?case={n}&agent={agent}")).await;
    }
    // The server sends nothing and closes once the reports are written.
    let _ = case(format!("{url}/updateReports?agent={agent}")).await;
    Ok(())
}
