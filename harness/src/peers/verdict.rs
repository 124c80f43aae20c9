//! The ledger check of one peer run, and the message that says what to do about a difference.
//!
//! A difference between a run and `reports/expected/<peer>-<role>.json` has two possible
//! causes: the peer behaves differently (its pinned version or our script changed), or the
//! harness judges differently (its corpus, engine or verdict rules changed). Git knows which
//! of the two moved since the ledger was last committed, so the message asks it rather than
//! leaving the reader to guess; without git (a tarball) it names both.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::diffcmd::{self, DiffArgs, DiffOutcome};

use super::catalog::{Peer, Role};

/// What the harness's own sources are: a change here changes verdicts for every peer.
const HARNESS_PATHS: &[&str] = &["harness/src", "harness/templates", "corpus/cases"];

/// The outcome of checking one run against its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Identical to the ledger, or only improvements.
    Clean,
    /// A regression, a changed verdict or a case the ledger lacks; the text explains it.
    Drift(String),
    /// The ledger was (re)written from the run.
    Updated,
}

/// Diffs the run in `run_dir` against `ledger` (printing the case lines), or rewrites the
/// ledger with `update`. `cases`/`exclude` restrict the comparison to the cases that were run.
pub fn check(
    root: &Path,
    peer: &Peer,
    role: Role,
    ledger: &Path,
    run_dir: &Path,
    selection: (&[String], &[String]),
    update: bool,
) -> anyhow::Result<Check> {
    let (cases, exclude) = selection;
    if !update && !ledger.exists() {
        return Ok(Check::Drift(format!(
            "{name} has no ledger {ledger} yet. Review the run in {run}/index.html, then create \
             it with\n    wsharness peers --peers {alias} --update\nand commit it.",
            name = peer.run_name(role),
            ledger = ledger.display(),
            run = run_dir.display(),
            alias = peer.alias,
        )));
    }
    let args = DiffArgs {
        expected: ledger.to_owned(),
        actual: run_dir.to_owned(),
        agent: Some(peer.name.to_owned()),
        cases: cases.to_vec(),
        exclude: exclude.to_vec(),
        update,
    };
    Ok(match diffcmd::run(&args)? {
        DiffOutcome::Clean => Check::Clean,
        DiffOutcome::Updated => Check::Updated,
        DiffOutcome::Drift => Check::Drift(explain(root, peer, role, ledger, run_dir)),
    })
}

/// Says which side changed since the ledger's last commit, and how to accept the change.
fn explain(root: &Path, peer: &Peer, role: Role, ledger: &Path, run_dir: &Path) -> String {
    let name = peer.run_name(role);
    let pins = peer.pins.join(", ");
    let cause = match ledger_commit(root, ledger) {
        None => format!(
            "git cannot tell when {} was last committed, so either the peer changed ({pins}) \
             or the harness did ({}).",
            ledger.display(),
            HARNESS_PATHS.join(", ")
        ),
        Some(commit) => {
            let peer_moved = changed_since(root, &commit, peer.pins);
            let harness_moved = changed_since(root, &commit, HARNESS_PATHS);
            let short = commit.get(..10).unwrap_or(&commit);
            match (peer_moved, harness_moved) {
                (true, false) => format!(
                    "The peer changed since the ledger's commit {short} ({pins} differ) and \
                     the harness did not: the peer regressed or changed behaviour."
                ),
                (false, true) => format!(
                    "The harness changed since the ledger's commit {short} ({} differ) and \
                     the peer did not: the harness now judges {} differently. Check the new \
                     verdicts against Autobahn|Testsuite before accepting them.",
                    HARNESS_PATHS.join(", "),
                    peer.library
                ),
                (true, true) => format!(
                    "Both the peer ({pins}) and the harness changed since the ledger's commit \
                     {short}; run the previous harness on the new peer to tell them apart."
                ),
                (false, false) => format!(
                    "Neither the peer ({pins}) nor the harness changed since the ledger's \
                     commit {short}: the verdict depends on timing or on the machine (a flaky \
                     case); mark it \"excluded\" with the reason in the ledger if it flips \
                     under Autobahn|Testsuite too."
                ),
            }
        }
    };
    format!(
        "{name} differs from its ledger {}.\n{cause}\nIf the change is intended, rewrite the \
         ledger and review it in the commit:\n    wsharness peers --peers {} --update\n(or \
         wsharness diff {} {} --update)",
        ledger.display(),
        peer.alias,
        ledger.display(),
        run_dir.display(),
    )
}

/// The last commit that touched `path`, if git knows it.
fn ledger_commit(root: &Path, path: &Path) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["log", "-1", "--format=%H", "--"])
        .arg(path)
        .output()
        .ok()?;
    let commit = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !commit.is_empty()).then_some(commit)
}

/// Whether any of `paths` differs between `commit` and the working tree (unknown counts as no).
fn changed_since(root: &Path, commit: &str, paths: &[&str]) -> bool {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["diff", "--quiet", commit, "--"])
        .args(&paths)
        .status()
        .map(|s| s.code() == Some(1))
        .unwrap_or(false)
}
