//! Runs cases concurrently and writes each report as its case finishes.
//!
//! Cases are independent connections that spend most of their time waiting on the peer or on
//! Autobahn's timers, so up to `jobs` of them run at once; timed, timing-sensitive and
//! CPU-bound cases run alone or among their own kind ([`crate::sharing`]). Nothing a case decides depends on
//! the others or on the order they finish in: records are written as they come, the index is
//! keyed and sorted, and the summary sorts its id lists, so the results do not depend on `jobs`.
//!
//! [`run_cases`] is generic over how one case is played, so both roles (testing a server,
//! testing a client) and the tests share it. [`test_servers`] is Autobahn's fuzzingclient:
//! for each server, resolve the agent, skip `exclude-agent-cases`, run the rest.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::task::JoinSet;

use crate::case::Case;
use crate::engine::{probe_server_agent, run_case_against_server, CaseContext, ServerTarget};
use crate::report::summary::{AgentSummary, RunSummary};
use crate::report::{CaseRecord, ReportError, ReportWriter};
use crate::select::AgentCaseExcludes;
use crate::sharing::{Admission, Sharing};

/// The agent name Autobahn uses when it has neither a configured name nor a `Server` header.
pub const UNKNOWN_SERVER: &str = "UnknownServer";

/// How long the reachability check of a server may take before the server is skipped.
const CONNECT_CHECK: Duration = Duration::from_secs(5);

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The user interrupted the run (Ctrl-C). The reports of the cases that finished are
    /// complete and `index.json` lists them.
    #[error("interrupted; the reports of the finished cases are in {}", out.display())]
    Interrupted {
        /// The report directory.
        out: PathBuf,
    },
    /// Playing a case panicked: a bug in the harness, never the peer's fault.
    #[error("internal error while playing case {case}: {message} (please report this bug)")]
    CasePanicked {
        /// The case id.
        case: String,
        /// The panic message, when there is one.
        message: String,
    },
}

/// A case to run and the number to report as its `case`.
#[derive(Debug, Clone)]
pub struct CaseRun {
    /// The number reported as `case` in the record (see [`test_servers`] for what it counts).
    pub number: usize,
    /// The case.
    pub case: Arc<Case>,
}

/// The default `--jobs`: four cases per CPU, since cases mostly wait.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()) * 4
}

/// A progress bar on stderr, or a hidden one when stderr is not a terminal or `show` is false.
pub fn progress_bar(total: usize, show: bool) -> ProgressBar {
    let target = if show {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total as u64), target);
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} cases  {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Runs `cases` for `agent`, at most `jobs` at a time, writing each record with `writer` as it
/// finishes. `play` plays one case and must not panic; if it does, the run stops with
/// [`RunError::CasePanicked`] after the records already written.
pub async fn run_cases<F, Fut>(
    agent: &str,
    cases: &[CaseRun],
    jobs: usize,
    writer: &mut ReportWriter,
    progress: &ProgressBar,
    play: F,
) -> Result<AgentSummary, RunError>
where
    F: Fn(Arc<Case>, CaseContext) -> Fut,
    Fut: Future<Output = CaseRecord> + Send + 'static,
{
    let mut summary = AgentSummary::new(agent);
    let mut running = JoinSet::new();
    let mut ids = HashMap::new();
    let mut pending = cases.iter().peekable();
    let mut admission = Admission::new(jobs);
    loop {
        while let Some(run) = pending.peek() {
            let kind = Sharing::of(&run.case);
            if !admission.admits(kind, running.len()) {
                break; // wait for a case in flight to finish
            }
            admission.started(kind);
            let ctx = CaseContext {
                case_number: run.number,
                agent: agent.to_owned(),
            };
            let handle = running.spawn(play(run.case.clone(), ctx));
            ids.insert(handle.id(), run.case.id.to_string());
            pending.next();
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let record = joined.map_err(|e| RunError::CasePanicked {
            case: ids.get(&e.id()).cloned().unwrap_or_default(),
            message: panic_message(e),
        })?;
        writer.write_case(&record)?;
        summary.add(&record);
        if crate::report::summary::is_failing(record.behavior, record.behavior_close) {
            progress.println(format!(
                "{} {}: {} / {}",
                agent, record.id, record.behavior, record.behavior_close
            ));
        }
        progress.inc(1);
        progress.set_message(format!("{agent}: {} failing", summary.failing.len()));
    }
    summary.finish();
    Ok(summary)
}

fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned()),
        Err(e) => e.to_string(),
    }
}

/// One server to test.
#[derive(Debug, Clone)]
pub struct ServerUnderTest {
    /// Where and how to connect.
    pub target: ServerTarget,
    /// The agent name; `None` means the `Server` header of the 101, else `UnknownServer`.
    pub agent: Option<String>,
}

/// Everything [`test_servers`] needs.
#[derive(Debug, Clone)]
pub struct TestServersPlan {
    /// The servers, tested one after the other.
    pub servers: Vec<ServerUnderTest>,
    /// The whole corpus, sorted by id: a case's `case` number is its 1-based position here,
    /// as Autobahn's fuzzingclient reports its position in the full case list.
    pub corpus: Vec<Arc<Case>>,
    /// The selected case ids (after `cases` and `exclude-cases`), sorted.
    pub selected: Vec<crate::case::CaseId>,
    /// `exclude-agent-cases`.
    pub excludes: AgentCaseExcludes,
    /// The report directory.
    pub out: PathBuf,
    /// Cases run at once.
    pub jobs: usize,
    /// Whether to draw a progress bar (it is hidden anyway when stderr is not a terminal).
    pub progress: bool,
}

/// Autobahn's fuzzingclient: tests each server with the selected cases and writes the reports.
///
/// A server that cannot be reached over TCP is skipped (Autobahn moves on to the next server
/// too) and listed in [`RunSummary::unreachable`].
///
/// Ctrl-C stops the run between two reports ([`RunError::Interrupted`]), so no report file is
/// left half-written.
pub async fn test_servers(plan: TestServersPlan) -> Result<RunSummary, RunError> {
    let out = plan.out.clone();
    tokio::select! {
        result = test_servers_inner(plan) => result,
        // Report writes are synchronous, so the run is only ever dropped between two of them.
        Ok(()) = tokio::signal::ctrl_c() => Err(RunError::Interrupted { out }),
    }
}

async fn test_servers_inner(plan: TestServersPlan) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let mut writer = ReportWriter::open(&plan.out)?;
    let mut summary = RunSummary::default();
    let numbers: HashMap<_, usize> = plan
        .corpus
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i + 1))
        .collect();
    let by_id: HashMap<_, _> = plan.corpus.iter().map(|c| (c.id.clone(), c)).collect();

    for server in &plan.servers {
        if let Err(reason) = check_reachable(&server.target).await {
            eprintln!("skipping {}: {reason}", server.target.url);
            summary
                .unreachable
                .push((server.target.url.clone(), reason));
            continue;
        }
        let agent = match &server.agent {
            Some(agent) => agent.clone(),
            None => probe_server_agent(&server.target)
                .await
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| UNKNOWN_SERVER.to_owned()),
        };
        let runs: Vec<CaseRun> = plan
            .selected
            .iter()
            .filter(|id| !plan.excludes.is_excluded(&agent, &id.to_string()))
            .filter_map(|id| {
                Some(CaseRun {
                    number: *numbers.get(id)?,
                    case: Arc::clone(by_id.get(id)?),
                })
            })
            .collect();
        let skipped = plan.selected.len() - runs.len();
        eprintln!(
            "testing {} as agent {agent:?}: {} cases{}",
            server.target.url,
            runs.len(),
            if skipped > 0 {
                format!(" ({skipped} skipped by exclude-agent-cases)")
            } else {
                String::new()
            }
        );
        writer.start_agent(&agent)?;
        let bar = progress_bar(runs.len(), plan.progress);
        let target = Arc::new(server.target.clone());
        let agent_summary = run_cases(&agent, &runs, plan.jobs, &mut writer, &bar, |case, ctx| {
            let target = Arc::clone(&target);
            async move { run_case_against_server(&case, &target, &ctx).await }
        })
        .await;
        bar.finish_and_clear();
        summary.agents.push(agent_summary?);
    }
    summary.wall_time = started.elapsed();
    Ok(summary)
}

/// Checks that the server's URL is usable and that it accepts a connection: TCP, and for
/// `wss://` the TLS handshake, so that a rejected certificate is said once, with its reason.
async fn check_reachable(target: &ServerTarget) -> Result<(), String> {
    crate::engine::check_connect(target, CONNECT_CHECK).await
}
