//! Testing a client: `wsharness test-client`, a WebSocket server speaking Autobahn's
//! fuzzingserver client-driver protocol (`fuzzing.py`, reference/autobahn.md section 5).
//!
//! A client under test connects to WebSocket endpoints: `/getCaseCount`, `/getCaseInfo?case=N`,
//! `/runCase?case=N&agent=A` (or `casetuple=1.2.3`), `/getCaseStatus?case=N&agent=A`,
//! `/updateReports?agent=A[&shutdownOnComplete=true]` and `/stopServer`. `N` is the 1-based
//! index into the selected, sorted case list. On `/runCase` the server plays the case file in the
//! server role (a [`CasePlayer`], normally the engine) and records a report with `isServer` true.
//! With [`FuzzingServer::with_tls`] every connection starts with a TLS handshake (`wss://`).
//!
//! ```sh
//! wsharness test-client --listen 127.0.0.1:9001 --out reports/clients &   # prints its address
//! my-autobahn-client ws://127.0.0.1:9001 my-agent    # getCaseCount, runCase..., updateReports
//! wsharness diff reports/expected/my-agent-client.json reports/clients   # against a ledger
//! ```
//!
//! Differences from Autobahn, all on the side of not losing results:
//! - each case's report file and `index.json` are written as soon as the case ends, not on
//!   `/updateReports`, so a client that crashes or never calls it loses nothing; the HTML
//!   report is rendered on `/updateReports` and again when the server stops;
//! - every connection is its own task with its own timeouts (opening handshake 5 s, closing
//!   handshake 1 s, each case bounded by its timers plus slack), so a client that hangs,
//!   connects twice or sends garbage never holds up the others;
//! - Autobahn's "direct command mode" (any other path) is not offered: such a connection is
//!   closed with 1008;
//! - the `Host` port is not checked against the listen port (Autobahn's check breaks port mapping).

mod command;
mod conn;
mod control;
mod fallback;
mod player;
mod replay;
mod request;
mod spec;
mod state;

pub use command::{load_selection, print_summaries, run, TestClientArgs, DEFAULT_CORPUS};
pub use player::engine_player;
pub use request::{parse_request, Command};
pub use spec::FuzzingServerSpec;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::case::Case;
use crate::handshake::ServerHandshake;
use crate::report::summary::AgentSummary;
use crate::report::{CaseRecord, ReportError, ReportWriter};
use crate::select::AgentCaseExcludes;
use crate::tls::{ServerTls, Stream};

/// The `Server` field of the fuzzing server's 101 responses.
pub const SERVER_NAME: &str = concat!("wsharness/", env!("CARGO_PKG_VERSION"));

/// How long cases still running at shutdown may take to finish before they are cut short
/// (and recorded as such).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// How long connections may take to end after a stop request: the grace of running cases,
/// then the recording of those cut short and the closing handshakes of control connections.
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(6);

/// A case to play against a connected client whose opening handshake is done.
#[derive(Debug)]
pub struct PlayRequest {
    /// The case.
    pub case: Arc<Case>,
    /// The connection (plain or TLS), right after the 101 response.
    pub stream: Stream,
    /// The opening handshake (request/response text, reads, writes, leftover octets).
    pub handshake: ServerHandshake,
    /// The 1-based index of the case in the selected list.
    pub case_number: usize,
    /// The agent named by the client.
    pub agent: String,
}

/// Plays a case in the server role and returns its record. The fuzzing server sets `started`,
/// `isServer`, `case` and `agent` itself, and bounds the time a player may take.
pub type CasePlayer =
    Arc<dyn Fn(PlayRequest) -> Pin<Box<dyn Future<Output = CaseRecord> + Send>> + Send + Sync>;

/// What the fuzzing server serves.
#[derive(Debug, Clone)]
pub struct FuzzingServerConfig {
    /// The selected cases, sorted by id (`case=N` is the N-th).
    pub cases: Vec<Case>,
    /// `exclude-agent-cases` rules: matching (agent, case) pairs are skipped, as in Autobahn.
    pub excludes: AgentCaseExcludes,
    /// Subprotocols the server accepts (spec `protocols`).
    pub protocols: Vec<String>,
    /// Print a line per case and per report request, as Autobahn does.
    pub verbose: bool,
}

/// A bound fuzzing server. [`Self::run`] serves until `/stopServer`,
/// `/updateReports?shutdownOnComplete=true` or [`Stopper::stop`].
pub struct FuzzingServer {
    listener: TcpListener,
    shared: Arc<state::Shared>,
    player: CasePlayer,
    /// Set for `wss://`: every connection starts with a TLS handshake.
    tls: Option<ServerTls>,
}

/// Stops a running [`FuzzingServer`] from outside.
#[derive(Debug, Clone)]
pub struct Stopper(watch::Sender<bool>);

impl Stopper {
    /// Asks the server to stop (cases running finish within a short grace period).
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

/// Why the fuzzing server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The listen address could not be bound.
    #[error("cannot listen: {0}")]
    Bind(#[from] io::Error),
    /// The report directory could not be opened.
    #[error(transparent)]
    Report(#[from] ReportError),
}

impl FuzzingServer {
    /// Binds `addr` (port 0 picks a free port) and opens the report directory `out`.
    pub async fn bind(
        addr: impl ToSocketAddrs,
        config: FuzzingServerConfig,
        out: &Path,
        player: CasePlayer,
    ) -> Result<Self, ServeError> {
        let listener = TcpListener::bind(addr).await?;
        let writer = ReportWriter::open(out)?;
        let cases = config.cases.into_iter().map(Arc::new).collect();
        let shared = state::Shared::new(
            cases,
            config.excludes,
            config.protocols,
            writer,
            config.verbose,
        );
        Ok(Self {
            listener,
            shared: Arc::new(shared),
            player,
            tls: None,
        })
    }

    /// Accepts TLS only (`wss://`), presenting `tls`'s certificate. The TLS handshake runs in
    /// each connection's own task, within the opening-handshake timeout.
    #[must_use]
    pub fn with_tls(mut self, tls: ServerTls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The URL clients connect to: `ws://ADDR`, or `wss://ADDR` with TLS.
    pub fn url(&self) -> io::Result<String> {
        let scheme = if self.tls.is_some() { "wss" } else { "ws" };
        Ok(format!("{scheme}://{}", self.local_addr()?))
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// How many cases the server offers (`/getCaseCount`).
    pub fn case_count(&self) -> usize {
        self.shared.cases.len()
    }

    /// A handle to stop the server.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.shared.stop.clone())
    }

    /// Serves clients until asked to stop, then returns the summary of every agent seen.
    pub async fn run(self) -> Vec<AgentSummary> {
        let mut stop = self.shared.stop.subscribe();
        let mut tasks = JoinSet::new();
        loop {
            if *stop.borrow() {
                break;
            }
            tokio::select! {
                changed = stop.changed() => if changed.is_err() { break },
                accepted = self.listener.accept() => match accepted {
                    Ok((tcp, peer)) => {
                        let shared = Arc::clone(&self.shared);
                        let player = Arc::clone(&self.player);
                        let tls = self.tls.clone();
                        tasks.spawn(conn::handle(tcp, peer, shared, player, tls));
                    }
                    // Out of file descriptors and the like: wait a little rather than spin.
                    Err(e) => {
                        eprintln!("wsharness: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                // Reap finished connections so the set does not grow with the run.
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(self.listener);
        let _ = tokio::time::timeout(SHUTDOWN_LIMIT, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        tasks.shutdown().await;
        self.shared.write_html().await;
        self.shared.summaries()
    }
}
