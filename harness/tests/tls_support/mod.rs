//! What the wss tests share: certificates made at run time (rcgen), the reference driver's
//! TLS echo server and its TLS client driver, `wsharness` as a child process, and the ledger
//! comparison.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use websocket_driver::ext::deflate::DeflateConfig;
use websocket_driver::tokio::tls::rustls::pki_types::pem::PemObject as _;
use websocket_driver::tokio::tls::rustls::pki_types::CertificateDer;
use websocket_driver::tokio::tls::rustls::RootCertStore;
use websocket_driver::tokio::{connect, serve_tls, tls};
use websocket_driver::ws::{Message, Options};
use websocket_harness::ledger::{self, AgentLedger, Ledger};

/// Messages of section 9 reach 16 MiB.
const MAX_LENGTH: usize = 64 << 20;

/// A self-signed certificate and its key, as PEM files in a folder of their own.
pub struct TestCert {
    pub dir: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCert {
    /// A certificate for `names` (IP addresses become IP names), written to a new folder.
    pub fn new(tag: &str, names: &[&str]) -> Self {
        let dir = scratch(&format!("cert-{tag}"));
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let made = rcgen::generate_simple_self_signed(names).expect("rcgen");
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, made.cert.pem()).expect("write cert");
        std::fs::write(&key, made.signing_key.serialize_pem()).expect("write key");
        Self { dir, cert, key }
    }

    /// The root store that trusts this certificate and nothing else (for the driver's client).
    pub fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&self.cert).expect("pem") {
            roots.add(cert.expect("cert")).expect("root");
        }
        roots
    }
}

/// An empty folder under the temporary directory, unique to this process and `tag`.
pub fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wsharness-tls-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The reference driver as it is meant to be run (the ledgers' configuration): large
/// messages, permessage-deflate on.
pub fn driver_options() -> Options {
    Options::new()
        .max_length(MAX_LENGTH)
        .deflate(DeflateConfig::default())
}

/// The driver's wss echo server on 127.0.0.1, presenting `cert`.
pub async fn driver_wss_echo(cert: &TestCert) -> SocketAddr {
    let config = tls::server_config_from_pem(
        &std::fs::read(&cert.cert).expect("cert"),
        &std::fs::read(&cert.key).expect("key"),
    )
    .expect("server config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(serve_tls(listener, config, driver_options(), |ws| {
        ws.on_message(|ws, message| {
            ws.send(message);
        });
    }));
    addr
}

/// The driver's plain ws echo server on 127.0.0.1 (a peer that does not speak TLS).
pub async fn driver_ws_echo() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(websocket_driver::tokio::serve(
        listener,
        driver_options(),
        |ws| {
            ws.on_message(|ws, message| {
                ws.send(message);
            });
        },
    ));
    addr
}

/// What a finished `wsharness` run left.
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `wsharness ARGS` to the end, off the async runtime.
pub async fn wsharness(args: Vec<String>) -> Finished {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_wsharness"))
            .args(&args)
            .output()
            .expect("wsharness runs");
        Finished {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("join")
}

/// `wsharness test-client ARGS` started, with the URL it printed.
pub struct FuzzingServerProcess {
    pub child: Child,
    pub url: String,
    pub first_line: String,
}

impl FuzzingServerProcess {
    pub async fn start(args: Vec<String>) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wsharness"))
            .arg("test-client")
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wsharness starts");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        // Keep reading stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
        let first_line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            let mut reader = BufReader::new(stdout);
            reader.read_line(&mut line).expect("first line");
            std::thread::spawn(move || for _ in reader.lines() {});
            line
        })
        .await
        .expect("join");
        let url = first_line
            .split_whitespace()
            .find(|w| w.starts_with("ws://") || w.starts_with("wss://"))
            .unwrap_or_else(|| panic!("no URL in {first_line:?}"))
            .to_owned();
        Self {
            child,
            url,
            first_line,
        }
    }

    /// Waits for the server to stop by itself (shutdownOnComplete) within `limit`.
    pub async fn wait(mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the fuzzing server did not stop within {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One text answer of a control endpoint (`/getCaseCount`).
async fn ask(url: &str, options: Options) -> String {
    let answer = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&answer);
    let handle = connect(url, options, move |ws| {
        ws.on_message(move |_, message| {
            if let Message::Text(text) = message {
                *sink
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = text;
            }
        });
    })
    .await
    .unwrap_or_else(|e| panic!("{url}: {e}"));
    handle.closed().await;
    let text = answer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    text
}

/// The driver as an Autobahn client driver over `url` (ws:// or wss://, `options` carrying
/// the trust): every case, one at a time as Autobahn's clients run them (so no verdict
/// depends on concurrency), echoing; then the reports, with shutdownOnComplete.
pub async fn drive_driver_client(url: &str, agent: &str, options: Options) -> usize {
    let count: usize = ask(&format!("{url}/getCaseCount"), options.clone())
        .await
        .trim()
        .parse()
        .expect("a case count");
    for case in 1..=count {
        let echo = |ws: &mut websocket_driver::ws::Client| {
            ws.on_message(|ws, message| {
                ws.send(message);
            });
        };
        let run = format!("{url}/runCase?case={case}&agent={agent}");
        // A case may break the handshake on purpose: its verdict is in the report.
        if let Ok(handle) = connect(&run, options.clone(), echo).await {
            handle.closed().await;
        }
    }
    let done = format!("{url}/updateReports?agent={agent}&shutdownOnComplete=true");
    let handle = connect(&done, options, |_| {})
        .await
        .expect("updateReports");
    handle.closed().await;
    count
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Asserts that every case of the run in `dir` has the verdicts of the ledger
/// `reports/expected/websocket-driver-<role>.json`, and that the run has `cases` cases.
/// Returns how many matched.
pub fn assert_matches_ledger(dir: &Path, role: &str, cases: usize) -> usize {
    let run = Ledger::load(&dir.join("index.json")).expect("the run's index.json");
    let (_, actual) = run.agent("index.json", None).expect("one agent");
    let ledger_path = repo().join(format!("reports/expected/websocket-driver-{role}.json"));
    let ledger = Ledger::load(&ledger_path).expect("the driver's ledger");
    let (_, expected) = ledger.agent("ledger", None).expect("one agent");
    assert_eq!(actual.len(), cases, "{role}: cases in the run");
    let expected: AgentLedger = expected
        .iter()
        .filter(|(id, _)| actual.contains_key(*id))
        .map(|(id, e)| (id.clone(), e.clone()))
        .collect();
    let diff = ledger::diff(&expected, actual);
    assert!(
        diff.is_exact() && diff.unchanged == cases,
        "{role} over wss differs from {}:\n{diff}",
        ledger_path.display()
    );
    diff.unchanged
}
