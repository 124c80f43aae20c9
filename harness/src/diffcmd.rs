//! `wsharness diff EXPECTED ACTUAL`: compares a run with a ledger, case by case.
//!
//! Both files may be ledgers (`reports/expected/*.json`) or `index.json` files of a run, by
//! `wsharness` or by Autobahn|Testsuite, since a ledger is an index without its run-specific
//! fields. The command prints one line per case that differs (see [`crate::ledger`]) and exits 1
//! when anything regressed, changed, or is new to the ledger, so CI notices every drift and the
//! ledger stays exact. `--update` rewrites the ledger from the run instead (the golden workflow),
//! keeping its exclusions and their reasons.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::Args;

use crate::case::CaseId;
use crate::ledger::{self, AgentLedger, CaseKey, Change, Ledger};
use crate::select::select_cases;

/// Arguments of `wsharness diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The ledger (or a reference index.json), e.g. reports/expected/websocket-driver-server.json.
    pub expected: PathBuf,
    /// The run's index.json (or its report directory).
    pub actual: PathBuf,
    /// The agent to compare, when a file holds several; a file with one agent needs no name.
    #[arg(long)]
    pub agent: Option<String>,
    /// Compare only these cases (Autobahn patterns, e.g. "1.*"); default: every case.
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub cases: Vec<String>,
    /// Leave these cases out of the comparison (Autobahn patterns, e.g. "12.*,13.*").
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Rewrite EXPECTED from ACTUAL (keeping exclusions), instead of failing on differences.
    #[arg(long)]
    pub update: bool,
}

/// What a diff found, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffOutcome {
    /// Nothing differs, or only improvements.
    Clean,
    /// A regression, a change, or a case new to the ledger.
    Drift,
    /// The ledger was rewritten (`--update`).
    Updated,
}

/// A report directory stands for its `index.json`.
fn index_path(p: &Path) -> PathBuf {
    if p.is_dir() {
        p.join(crate::report::INDEX_FILE)
    } else {
        p.to_owned()
    }
}

/// The agent of `ledger` to compare: the one named if the file has it, else its only one.
fn pick<'a>(
    ledger: &'a Ledger,
    file: &str,
    agent: Option<&str>,
) -> anyhow::Result<(&'a str, &'a AgentLedger)> {
    match agent {
        Some(name) if ledger.0.contains_key(name) => Ok(ledger.agent(file, Some(name))?),
        Some(name) if ledger.0.len() != 1 => Ok(ledger.agent(file, Some(name))?),
        _ => Ok(ledger.agent(file, None)?),
    }
}

/// Keeps the cases that `cases`/`exclude` select, with Autobahn's pattern rules.
fn filter(rows: &AgentLedger, cases: &[String], exclude: &[String]) -> anyhow::Result<AgentLedger> {
    if cases.is_empty() && exclude.is_empty() {
        return Ok(rows.clone());
    }
    let ids: Vec<CaseId> = rows
        .keys()
        .filter_map(|k| k.as_str().parse().ok())
        .collect();
    let all = ["*".to_owned()];
    let patterns = if cases.is_empty() { &all[..] } else { cases };
    let keep = select_cases(&ids, patterns, exclude)?;
    Ok(keep
        .iter()
        .filter_map(|id| {
            let key = CaseKey::from(id.to_string().as_str());
            rows.get(&key).map(|e| (key, e.clone()))
        })
        .collect())
}

/// Runs `wsharness diff`: prints the differences and says what they amount to.
pub fn run(args: &DiffArgs) -> anyhow::Result<DiffOutcome> {
    let actual_path = index_path(&args.actual);
    let actual_name = actual_path.display().to_string();
    let actual = Ledger::load(&actual_path)?;
    let (actual_agent, actual_rows) = pick(&actual, &actual_name, args.agent.as_deref())?;
    let actual_rows = filter(actual_rows, &args.cases, &args.exclude)?;

    let expected_name = args.expected.display().to_string();
    if args.update && !args.expected.exists() {
        // A new ledger: the run, under the run's agent name.
        let mut fresh = Ledger::default();
        fresh.0.insert(actual_agent.to_owned(), actual_rows.clone());
        fresh.save(&args.expected)?;
        println!(
            "created {expected_name}: {} cases of agent {actual_agent}",
            actual_rows.len()
        );
        return Ok(DiffOutcome::Updated);
    }
    let mut expected = Ledger::load(&args.expected)?;
    let (expected_agent, expected_rows) = pick(&expected, &expected_name, args.agent.as_deref())?;
    let expected_agent = expected_agent.to_owned();
    let expected_rows = filter(expected_rows, &args.cases, &args.exclude)?;

    let diff = ledger::diff(&expected_rows, &actual_rows);
    println!("{expected_name} (agent {expected_agent}) -> {actual_name} (agent {actual_agent})");
    println!("{diff}");

    if args.update {
        if !args.cases.is_empty() || !args.exclude.is_empty() {
            bail!("--update rewrites the whole ledger; run it without --cases/--exclude");
        }
        let rows = ledger::updated(&expected_rows, &actual_rows);
        expected.0.insert(expected_agent.clone(), rows);
        expected
            .save(&args.expected)
            .with_context(|| format!("updating {expected_name}"))?;
        println!("updated {expected_name} (agent {expected_agent})");
        return Ok(DiffOutcome::Updated);
    }
    let drift =
        diff.count(Change::Regression) + diff.count(Change::Changed) + diff.unexpected.len();
    Ok(if drift > 0 {
        DiffOutcome::Drift
    } else {
        DiffOutcome::Clean
    })
}

/// `wsharness diff` as a command: exit status 1 on drift, 0 otherwise.
pub fn run_command(args: &DiffArgs) -> anyhow::Result<std::process::ExitCode> {
    Ok(match run(args)? {
        DiffOutcome::Drift => std::process::ExitCode::from(1),
        DiffOutcome::Clean | DiffOutcome::Updated => std::process::ExitCode::SUCCESS,
    })
}
