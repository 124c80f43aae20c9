//! A peer under test, whatever it runs on: the lines it reports, its port when it is the
//! server, and what keeps it running (dropping a [`Peer`] stops it, whatever happened).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::{fastws, node, python, tungstenite};

/// How long any single step may take before the test fails instead of hanging. Generous: the
/// tests run unoptimised, and 16 MiB messages cross the loopback several times.
pub(crate) const STEP: Duration = Duration::from_secs(20);

/// Fails the test instead of hanging when something never happens.
pub(crate) async fn within<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(STEP, future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out: {what}"),
    }
}

/// What a peer is told: the subprotocols it offers (client) or speaks (server), and whether it
/// offers or accepts permessage-deflate.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeerConfig {
    pub(crate) protocols: Vec<String>,
    pub(crate) deflate: bool,
}

/// The implementations under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Python,
    Node,
    Tungstenite,
    FastWebSockets,
}

impl Kind {
    /// Starts the peer as a server on a free loopback port; `None` if it is not installed and
    /// `WS_INTEROP_SKIP_MISSING=1` (otherwise a missing peer fails the test).
    pub(crate) async fn server(self, config: &PeerConfig) -> Option<Peer> {
        match self {
            Self::Python => python::server(config).await,
            Self::Node => node::server(config).await,
            Self::Tungstenite => Some(tungstenite::server(config).await),
            Self::FastWebSockets => Some(fastws::server(config).await),
        }
    }

    /// Starts the peer as a client of `url`; `None` as for [`server`](Self::server).
    pub(crate) async fn client(self, url: &str, config: &PeerConfig) -> Option<Peer> {
        match self {
            Self::Python => python::client(url, config).await,
            Self::Node => node::client(url, config).await,
            Self::Tungstenite => Some(tungstenite::client(url, config)),
            Self::FastWebSockets => Some(fastws::client(url, config)),
        }
    }
}

/// Where a peer writes its report lines ("open chat -", "pong x", "close 1000 bye", ...).
#[derive(Debug, Clone)]
pub(crate) struct Say(mpsc::UnboundedSender<String>);

impl Say {
    /// A reporter and the receiving end of its lines.
    pub(crate) fn new() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self(tx), rx)
    }

    /// Reports one line; the test may be over already, then nobody listens.
    pub(crate) fn line(&self, line: impl Into<String>) {
        let _ = self.0.send(line.into());
    }
}

/// Aborts a task when dropped: an in-process peer stops with the test, even one that panicked.
pub(crate) struct AbortOnDrop(pub(crate) JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A running peer.
pub(crate) struct Peer {
    lines: mpsc::UnboundedReceiver<String>,
    port: Option<u16>,
    /// The peer's stderr so far (subprocesses), shown when a step fails.
    stderr: Arc<Mutex<String>>,
    /// The child process or the task; dropping it stops the peer.
    _keep: Box<dyn Send>,
}

impl Peer {
    /// A peer reporting on `lines`, kept running by `keep`.
    pub(crate) fn new(
        lines: mpsc::UnboundedReceiver<String>,
        port: Option<u16>,
        stderr: Arc<Mutex<String>>,
        keep: Box<dyn Send>,
    ) -> Self {
        Self {
            lines,
            port,
            stderr,
            _keep: keep,
        }
    }

    /// The same peer, listening on `port`.
    pub(crate) fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The port a server peer listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port.expect("a server peer has a port")
    }

    /// The next line the peer reports.
    pub(crate) async fn line(&mut self, what: &str) -> String {
        match tokio::time::timeout(STEP, self.lines.recv()).await {
            Ok(Some(line)) => line,
            Ok(None) => panic!(
                "the peer ended before {what}; its stderr:\n{}",
                self.stderr()
            ),
            Err(_) => panic!(
                "timed out waiting for {what}; the peer's stderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// Asserts that the next line the peer reports is `expected`.
    pub(crate) async fn expect(&mut self, expected: &str) {
        let line = self.line(expected).await;
        assert_eq!(line, expected, "the peer's stderr:\n{}", self.stderr());
    }

    /// Asserts that the peer reports nothing more within a short while.
    pub(crate) async fn quiet(&mut self) {
        let late = tokio::time::timeout(Duration::from_millis(200), self.lines.recv()).await;
        if let Ok(Some(line)) = late {
            panic!("unexpected line from the peer: {line}");
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
