//! The peers `wsharness peers` knows: how to start each one's echo server and Autobahn client
//! driver, what must be installed first, and which files pin its version.
//!
//! Commands are argument vectors, never shell lines, so that the process the harness kills is
//! the peer itself and not a shell that would leave the peer running. A first argument holding
//! a `/` is a path relative to the repository root; others are looked up in `PATH`.

use std::path::{Path, PathBuf};

/// One implementation under test, in both roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    /// Agent name in the reports and the ledgers (`reports/expected/<name>-<role>.json`).
    pub name: &'static str,
    /// Short name accepted by `--peers` besides `name` (the language, for the first peers).
    pub alias: &'static str,
    /// The library and its pinned version, for messages and the README.
    pub library: &'static str,
    /// The echo server: it must print `listening on ws://HOST:PORT` once it accepts
    /// connections. `{addr}` is replaced by `127.0.0.1:0`.
    pub server: &'static [&'static str],
    /// The Autobahn client driver. `{url}` is replaced by the fuzzing server's URL and
    /// `{agent}` by [`Peer::name`].
    pub client: &'static [&'static str],
    /// Paths (from the repository root) that exist once the peer is installed.
    pub requires: &'static [&'static str],
    /// How to install the peer, for the error message when `requires` is not met.
    pub install: &'static str,
    /// Files that pin the peer's version: when one of them changed since the ledger was
    /// committed, a difference is the peer's doing rather than the harness's.
    pub pins: &'static [&'static str],
}

/// Every peer, in the order `wsharness peers` runs them by default.
pub const PEERS: &[Peer] = &[
    Peer {
        name: "websockets",
        alias: "python",
        library: "Python websockets 17.4",
        server: &[".venv/bin/python", "peers/python/echo_server.py", "{addr}"],
        client: &[
            ".venv/bin/python",
            "peers/python/autobahn_client.py",
            "{url}",
            "{agent}",
        ],
        requires: &[".venv/bin/python"],
        install: "python3 -m venv .venv && .venv/bin/pip install -r peers/python/requirements.txt",
        pins: &["peers/python/requirements.txt", "peers/python"],
    },
    Peer {
        name: "ws",
        alias: "node",
        library: "Node ws 8.23.0",
        server: &["node", "peers/node/echo_server.js", "{addr}"],
        client: &["node", "peers/node/autobahn_client.js", "{url}", "{agent}"],
        requires: &["peers/node/node_modules/ws/package.json"],
        install: "(cd peers/node && npm ci)",
        pins: &["peers/node"],
    },
    Peer {
        name: "tokio-tungstenite",
        alias: "tungstenite",
        library: "Rust tokio-tungstenite 0.30.0",
        server: &[
            "peers/rust/target/release/tungstenite_echo_server",
            "{addr}",
        ],
        client: &[
            "peers/rust/target/release/tungstenite_autobahn_client",
            "{url}",
            "{agent}",
        ],
        requires: &[
            "peers/rust/target/release/tungstenite_echo_server",
            "peers/rust/target/release/tungstenite_autobahn_client",
        ],
        install: RUST_INSTALL,
        pins: &["peers/rust"],
    },
    Peer {
        name: "fastwebsockets",
        alias: "fastwebsockets",
        library: "Rust fastwebsockets 0.10.0",
        server: &[
            "peers/rust/target/release/fastwebsockets_echo_server",
            "{addr}",
        ],
        client: &[
            "peers/rust/target/release/fastwebsockets_autobahn_client",
            "{url}",
            "{agent}",
        ],
        requires: &[
            "peers/rust/target/release/fastwebsockets_echo_server",
            "peers/rust/target/release/fastwebsockets_autobahn_client",
        ],
        install: RUST_INSTALL,
        pins: &["peers/rust"],
    },
];

/// Builds the Rust peers (their own workspace, so the root build never compiles them).
const RUST_INSTALL: &str = "cargo build --release --locked --manifest-path peers/rust/Cargo.toml";

/// Finds a peer by its name or alias.
pub fn find(name: &str) -> Option<&'static Peer> {
    PEERS.iter().find(|p| p.name == name || p.alias == name)
}

/// The two roles a peer is tested in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The peer's echo server, tested by the harness as a client (`test-server`).
    Server,
    /// The peer's client driver, tested by the harness's fuzzing server (`test-client`).
    Client,
}

impl Role {
    /// `server` or `client`, as in the ledger and report directory names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::Client => "client",
        }
    }
}

impl Peer {
    /// `<name>-<role>`: the name of the report directory and of the ledger.
    pub fn run_name(&self, role: Role) -> String {
        format!("{}-{}", self.name, role.as_str())
    }

    /// Why the peer cannot run from `root`, if it cannot.
    pub fn missing(&self, root: &Path) -> Option<String> {
        let absent: Vec<&str> = self
            .requires
            .iter()
            .copied()
            .filter(|p| !root.join(p).exists())
            .collect();
        if absent.is_empty() {
            return None;
        }
        Some(format!(
            "{} ({}) is not installed: {} missing under {}; install it with `{}` (or run .ci/run)",
            self.name,
            self.library,
            absent.join(", "),
            root.display(),
            self.install
        ))
    }
}

/// Resolves `argv` for `root`: placeholders filled in, a path-like program made absolute.
pub fn command_line(argv: &[&str], root: &Path, fill: &[(&str, &str)]) -> (PathBuf, Vec<String>) {
    let expand = |s: &str| {
        fill.iter()
            .fold(s.to_owned(), |acc, (key, value)| acc.replace(key, value))
    };
    let program = argv.first().copied().unwrap_or_default();
    let program = if program.contains('/') {
        root.join(program)
    } else {
        PathBuf::from(program)
    };
    let args = argv.iter().skip(1).map(|a| expand(a)).collect();
    (program, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_are_found_by_name_or_alias() {
        assert_eq!(find("python").map(|p| p.name), Some("websockets"));
        assert_eq!(find("ws").map(|p| p.alias), Some("node"));
        assert!(find("nope").is_none());
    }

    #[test]
    fn command_lines_are_rooted_and_filled() {
        let (program, args) = command_line(
            &[".venv/bin/python", "x.py", "{url}", "{agent}"],
            Path::new("/r"),
            &[("{url}", "ws://a:1"), ("{agent}", "z")],
        );
        assert_eq!(program, PathBuf::from("/r/.venv/bin/python"));
        assert_eq!(args, ["x.py", "ws://a:1", "z"]);
        let (program, _) = command_line(&["node"], Path::new("/r"), &[]);
        assert_eq!(program, PathBuf::from("node"));
    }

    #[test]
    fn a_missing_install_is_explained() {
        let why = PEERS[0]
            .missing(Path::new("/nonexistent"))
            .unwrap_or_default();
        assert!(
            why.contains(".venv/bin/python") && why.contains("pip install"),
            "{why}"
        );
    }
}
