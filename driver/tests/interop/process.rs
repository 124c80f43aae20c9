//! The subprocess peers (Python `websockets`, Node `ws`): finding them, starting them with
//! their report lines read from stdout, and killing them when the test is done, passed or not
//! (`kill_on_drop` on the child, which the [`Peer`] owns; and the scripts exit when their stdin,
//! which the [`Peer`] holds too, closes).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
use tokio::process::Command;

use crate::peer::{Peer, PeerConfig, Say};

/// A language runtime with its peer script.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Runtime {
    Python,
    Node,
}

impl Runtime {
    fn name(self) -> &'static str {
        match self {
            Self::Python => "Python `websockets` (.venv)",
            Self::Node => "Node with `ws` (node on PATH, peers/node/node_modules)",
        }
    }

    fn install(self) -> &'static str {
        match self {
            Self::Python => {
                "python3 -m venv .venv && .venv/bin/pip install -r peers/python/requirements.txt"
            }
            Self::Node => "cd peers/node && npm ci",
        }
    }

    /// The interpreter and the script, if the runtime and its library are installed.
    fn find(self) -> Option<(PathBuf, PathBuf)> {
        let repo = repo();
        let (program, script, check): (PathBuf, _, &[&str]) = match self {
            Self::Python => (
                repo.join(".venv/bin/python"),
                repo.join("peers/python/interop_peer.py"),
                &["-c", "import websockets"],
            ),
            Self::Node => (
                PathBuf::from("node"),
                repo.join("peers/node/interop_peer.js"),
                &["-e", "require('ws')"],
            ),
        };
        let dir = script.parent().unwrap_or(repo).to_path_buf();
        let works = std::process::Command::new(&program)
            .args(check)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        works.then_some((program, script))
    }

    /// The interpreter and the script (checked once per test binary). A missing runtime fails
    /// the test with the command that installs it, or with `WS_INTEROP_SKIP_MISSING=1` returns
    /// `None` after saying on stderr that the test is skipped.
    fn locate(self, test: &str) -> Option<(PathBuf, PathBuf)> {
        static PYTHON: OnceLock<Option<(PathBuf, PathBuf)>> = OnceLock::new();
        static NODE: OnceLock<Option<(PathBuf, PathBuf)>> = OnceLock::new();
        let cell = match self {
            Self::Python => &PYTHON,
            Self::Node => &NODE,
        };
        if let Some(found) = cell.get_or_init(|| self.find()) {
            return Some(found.clone());
        }
        let why = format!(
            "{} is not installed; install it with `{}`",
            self.name(),
            self.install()
        );
        if std::env::var("WS_INTEROP_SKIP_MISSING").is_ok_and(|v| v == "1") {
            // The real stderr: the test harness does not capture it, so the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: {why} (WS_INTEROP_SKIP_MISSING=1)"
            );
            return None;
        }
        panic!("{why}, or set WS_INTEROP_SKIP_MISSING=1 to skip these tests");
    }
}

/// The repository root.
fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
}

/// The command-line arguments of both peer scripts for `config`.
fn config_args(config: &PeerConfig) -> Vec<String> {
    let mut args = Vec::new();
    if !config.protocols.is_empty() {
        args.push("--protocols".to_owned());
        args.push(config.protocols.join(","));
    }
    if config.deflate {
        args.push("--deflate".to_owned());
    }
    args
}

/// Starts the runtime's peer as a server and waits for its "listening PORT" line.
pub(crate) async fn server(runtime: Runtime, config: &PeerConfig) -> Option<Peer> {
    let mut args = vec!["server".to_owned()];
    args.extend(config_args(config));
    let mut peer = spawn(runtime, &args).await?;
    let line = peer.line("the peer's listening line").await;
    let port = line
        .strip_prefix("listening ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("expected \"listening PORT\", got {line:?}"));
    Some(peer.with_port(port))
}

/// Starts the runtime's peer as a client of `url`.
pub(crate) async fn client(runtime: Runtime, url: &str, config: &PeerConfig) -> Option<Peer> {
    let mut args = vec!["client".to_owned(), url.to_owned()];
    args.extend(config_args(config));
    spawn(runtime, &args).await
}

/// Starts the peer script with `args`; its stdout lines become the peer's report lines.
async fn spawn(runtime: Runtime, args: &[String]) -> Option<Peer> {
    let test = std::thread::current()
        .name()
        .unwrap_or("interop")
        .to_owned();
    let (program, script) = runtime.locate(&test)?;
    let mut child = Command::new(&program)
        .arg(&script)
        .args(args)
        // The scripts exit when stdin closes: should this process die without dropping the
        // child (SIGKILL, abort), the pipe still closes and the peer goes too.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let (say, lines) = Say::new();
    let stdout = child.stdout.take().expect("piped stdout");
    tokio::spawn(async move {
        let mut reader = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            say.line(line.trim_end());
        }
    });
    let stderr_text = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("piped stderr");
    let sink = Arc::clone(&stderr_text);
    tokio::spawn(async move {
        let mut chunk = [0; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut chunk).await {
            // Kept for failure messages: the first 64 KiB say what went wrong.
            if let Ok(mut text) = sink.lock() {
                if text.len() < 64 << 10 {
                    text.push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            }
        }
    });
    let stdin = child.stdin.take();
    Some(Peer::new(
        lines,
        None,
        stderr_text,
        Box::new((child, stdin)),
    ))
}
