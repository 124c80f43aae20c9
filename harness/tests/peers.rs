//! `wsharness peers` against the Python and Node peers, checked against their committed ledgers.
//!
//! Runs sections 1-7 and 10 in both roles (a few seconds per peer and role; section 9's large
//! messages are left to the full matrix that CI runs with `wsharness peers`), and fails on any
//! difference from `reports/expected/<peer>-<role>.json`. A peer that is not installed (no
//! `.venv`, no `peers/node/node_modules`) is skipped with the reason and the command that
//! installs it; `.ci/run` installs both, so CI never skips.

use std::path::{Path, PathBuf};

use websocket_harness::peers::catalog::{self, Role};
use websocket_harness::peers::verdict::Check;
use websocket_harness::peers::{run_matrix, Matrix, PeersArgs};

/// Sections 1-7 and 10: every kind of case but the slow large-message ones.
const QUICK: &str = "1.*,2.*,3.*,4.*,5.*,6.*,7.*,10.*";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn args(peers: &[&str], out: &str) -> PeersArgs {
    PeersArgs {
        peers: Some(peers.iter().map(|s| (*s).to_owned()).collect()),
        roles: None,
        out: Path::new(env!("CARGO_TARGET_TMPDIR")).join(out),
        expected: None,
        cases: Some(QUICK.split(',').map(str::to_owned).collect()),
        exclude: None,
        update: false,
        jobs: None,
        timeout: 300,
        root: root(),
        corpus: root().join("corpus/cases"),
    }
}

/// The installed peers among the Python and Node ones; the others are reported as skipped.
fn installed() -> Vec<&'static str> {
    ["websockets", "ws"]
        .into_iter()
        .filter(|name| {
            let peer = catalog::find(name).expect("a known peer");
            match peer.missing(&root()) {
                Some(why) => {
                    eprintln!("SKIPPED {name}: {why}");
                    false
                }
                None => true,
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn python_and_node_peers_match_their_ledgers() -> anyhow::Result<()> {
    let peers = installed();
    if peers.is_empty() {
        eprintln!("SKIPPED: no peer installed (run .ci/run)");
        return Ok(());
    }
    let matrix = Matrix::from_args(&args(&peers, "peers-matrix"))?;
    let outcomes = run_matrix(&matrix).await;
    assert_eq!(
        outcomes.len(),
        peers.len() * 2,
        "both roles of each peer ran"
    );
    let mut failures = Vec::new();
    for o in &outcomes {
        match &o.check {
            Ok(Check::Clean) => {}
            other => failures.push(format!("{}: {other:?}", o.name)),
        }
        // The reports a user reads are there, beside the JSON.
        let dir = matrix.out.join(&o.name);
        for file in ["index.json", "index.html", "junit.xml"] {
            assert!(dir.join(file).is_file(), "{} lacks {file}", dir.display());
        }
    }
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
    Ok(())
}

/// A ledger that disagrees with the peer is reported as a difference, with the way out.
#[tokio::test(flavor = "multi_thread")]
async fn a_changed_verdict_is_reported_with_how_to_update() -> anyhow::Result<()> {
    if !installed().contains(&"ws") {
        eprintln!("SKIPPED: the Node peer is not installed");
        return Ok(());
    }
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("peers-drift");
    let expected = tmp.join("expected");
    std::fs::create_dir_all(&expected)?;
    let real = std::fs::read_to_string(root().join("reports/expected/ws-server.json"))?;
    let mut ledger: serde_json::Value = serde_json::from_str(&real)?;
    // Same verdicts, another close code: a change, which must not pass silently.
    ledger["ws"]["1.1.1"]["remoteCloseCode"] = 1001.into();
    std::fs::write(expected.join("ws-server.json"), ledger.to_string())?;

    let mut a = args(&["node"], "peers-drift/out");
    a.roles = Some(vec!["server".to_owned()]);
    a.cases = Some(vec!["1.1.*".to_owned()]);
    a.expected = Some(expected);
    let matrix = Matrix::from_args(&a)?;
    assert_eq!(matrix.roles, [Role::Server]);
    let outcomes = run_matrix(&matrix).await;
    let [outcome] = &outcomes[..] else {
        panic!("one run expected, got {outcomes:?}");
    };
    let Ok(Check::Drift(why)) = &outcome.check else {
        panic!("a difference expected, got {:?}", outcome.check);
    };
    assert!(why.contains("ws-server differs"), "{why}");
    assert!(why.contains("--update"), "{why}");
    Ok(())
}

#[test]
fn unknown_peers_are_refused_with_the_known_ones() {
    let err = Matrix::from_args(&args(&["perl"], "peers-unknown"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("unknown peer") && err.contains("websockets (python)"),
        "{err}"
    );
}
