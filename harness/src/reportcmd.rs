//! `wsharness report DIR [--junit FILE]`: regenerates the human-readable reports of a report
//! directory from its JSON.
//!
//! It works on reports written by `wsharness` and by Autobahn|Testsuite alike (same JSON), so
//! existing Autobahn results get the same pages. When DIR's sub-directories hold reports too
//! (one run each, e.g. one per peer), the index shows all of them side by side.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use crate::html::write_reports;

/// Arguments of `wsharness report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The report directory: holds index.json (and per-case JSON), or sub-directories that do.
    pub dir: PathBuf,
    /// Also write the JUnit XML to FILE (it is always written to DIR/junit.xml).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// Runs `wsharness report`: writes DIR/index.html, a page per case beside each case's JSON and
/// DIR/junit.xml, prints what was written and warns about files it could not use. Exit status
/// 0 once the reports are written, whatever the verdicts (`wsharness diff` judges a run).
pub fn run_command(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let summary = write_reports(&args.dir, args.junit.as_deref())
        .with_context(|| format!("cannot write the reports of {}", args.dir.display()))?;
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    println!(
        "{}: {} cases x {} agent column(s), {} case pages, {} case(s) with a failure",
        summary.index.display(),
        summary.cases,
        summary.columns,
        summary.pages,
        summary.failing_rows
    );
    let junit = args
        .junit
        .clone()
        .unwrap_or_else(|| args.dir.join(crate::html::JUNIT_FILE));
    println!(
        "{}: {} tests, {} failures, {} skipped",
        junit.display(),
        summary.junit.tests,
        summary.junit.failures,
        summary.junit.skipped
    );
    Ok(ExitCode::SUCCESS)
}
