//! What the fuzzing server shares between connections: the selected cases, the results so
//! far, the report directory, and the shutdown signal.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

use crate::case::Case;
use crate::report::summary::{is_failing, AgentSummary};
use crate::report::{CaseRecord, ReportWriter, Verdict};
use crate::select::AgentCaseExcludes;

/// Locks a mutex even if a panicking thread poisoned it: the data (counters and maps) stays
/// consistent because every update is a single insert.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Results and report files, behind one lock so that a case's file, the index and the results
/// map change together.
#[derive(Debug)]
struct Books {
    writer: ReportWriter,
    /// Agents whose earlier results in the report directory were already dropped.
    agents_seen: HashSet<String>,
    /// (agent, case id) -> (behavior, behaviorClose) of the case's latest run, for
    /// `/getCaseStatus` and the summaries (a case run twice counts once).
    results: HashMap<(String, String), (Verdict, Verdict)>,
}

/// State shared by every connection of one fuzzing server.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The selected cases, sorted: `case=N` is `cases[N - 1]`.
    pub(crate) cases: Vec<Arc<Case>>,
    /// Their ids as strings, same order.
    pub(crate) ids: Vec<String>,
    /// `exclude-agent-cases`.
    pub(crate) excludes: AgentCaseExcludes,
    /// Subprotocols the server accepts.
    pub(crate) protocols: Vec<String>,
    books: Mutex<Books>,
    /// Bumped after every recorded result; `/getCaseStatus` waits on it.
    recorded: watch::Sender<u64>,
    /// Set to true to stop the server.
    pub(crate) stop: watch::Sender<bool>,
    /// How many `/runCase` connections are being played right now.
    running: watch::Sender<usize>,
    /// Whether to print a line per case and per control request (Autobahn prints them).
    pub(crate) verbose: bool,
}

/// Counts a running case for as long as it lives (see [`Shared::case_started`]).
#[derive(Debug)]
pub(crate) struct RunningCase<'a>(&'a watch::Sender<usize>);

impl Drop for RunningCase<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Shared {
    pub(crate) fn new(
        cases: Vec<Arc<Case>>,
        excludes: AgentCaseExcludes,
        protocols: Vec<String>,
        writer: ReportWriter,
        verbose: bool,
    ) -> Self {
        let ids = cases.iter().map(|c| c.id.to_string()).collect();
        Self {
            cases,
            ids,
            excludes,
            protocols,
            books: Mutex::new(Books {
                writer,
                agents_seen: HashSet::new(),
                results: HashMap::new(),
            }),
            recorded: watch::channel(0).0,
            stop: watch::channel(false).0,
            running: watch::channel(0).0,
            verbose,
        }
    }

    /// Called before an agent's first case: its results from an earlier server run are dropped
    /// from `index.json`, so the index says what this server saw (Autobahn forgets everything
    /// on restart). Other agents' entries are kept.
    pub(crate) fn begin_agent(&self, agent: &str) {
        let mut books = lock(&self.books);
        if books.agents_seen.insert(agent.to_owned()) {
            if let Err(e) = books.writer.start_agent(agent) {
                eprintln!("wsharness: {e}");
            }
        }
    }

    /// Stores a finished case: its report file, the index, the result for `/getCaseStatus`.
    pub(crate) fn record(&self, record: &CaseRecord) {
        {
            let mut books = lock(&self.books);
            if books.agents_seen.insert(record.agent.clone()) {
                if let Err(e) = books.writer.start_agent(&record.agent) {
                    eprintln!("wsharness: {e}");
                }
            }
            if let Err(e) = books.writer.write_case(record) {
                eprintln!("wsharness: {e}");
            }
            books.results.insert(
                (record.agent.clone(), record.id.clone()),
                (record.behavior, record.behavior_close),
            );
        }
        self.recorded.send_modify(|n| *n += 1);
    }

    /// The `behavior` of a case for an agent, once it is recorded.
    pub(crate) async fn wait_result(&self, agent: &str, id: &str) -> Verdict {
        // Subscribe before looking, so a result recorded in between wakes us.
        let mut rx = self.recorded.subscribe();
        loop {
            let key = (agent.to_owned(), id.to_owned());
            if let Some((behavior, _)) = lock(&self.books).results.get(&key) {
                return *behavior;
            }
            if rx.changed().await.is_err() {
                // The sender lives as long as `self`; this cannot happen while we hold `self`.
                std::future::pending::<()>().await;
            }
        }
    }

    /// The report directory.
    pub(crate) fn report_dir(&self) -> std::path::PathBuf {
        lock(&self.books).writer.dir().to_owned()
    }

    /// The per-agent summaries so far, agents sorted by name.
    pub(crate) fn summaries(&self) -> Vec<AgentSummary> {
        let books = lock(&self.books);
        let mut by_agent: BTreeMap<&str, AgentSummary> = BTreeMap::new();
        for ((agent, id), (behavior, close)) in &books.results {
            let s = by_agent
                .entry(agent)
                .or_insert_with(|| AgentSummary::new(agent.clone()));
            s.cases += 1;
            *s.behavior.entry(*behavior).or_default() += 1;
            *s.behavior_close.entry(*close).or_default() += 1;
            if is_failing(*behavior, *close) {
                s.failing.push(id.clone());
            }
            if *behavior == Verdict::Failed {
                s.failed.push(id.clone());
            }
        }
        by_agent
            .into_values()
            .map(|mut s| {
                s.finish();
                s
            })
            .collect()
    }

    /// Marks a case as running until the returned guard is dropped (after its record is written).
    pub(crate) fn case_started(&self) -> RunningCase<'_> {
        self.running.send_modify(|n| *n += 1);
        RunningCase(&self.running)
    }

    /// Waits until no case is being played, at most `limit`: a client driver that calls
    /// `/updateReports` right after its last case closed would otherwise race the recording
    /// of that case.
    pub(crate) async fn settle(&self, limit: std::time::Duration) {
        let mut rx = self.running.subscribe();
        let _ = tokio::time::timeout(limit, rx.wait_for(|n| *n == 0)).await;
    }

    /// Renders `index.html`, the case pages and `junit.xml` from the JSON reports written so
    /// far (what Autobahn's `createReports` produces on `/updateReports`).
    pub(crate) async fn write_html(&self) {
        let dir = self.report_dir();
        if !dir.join(crate::report::INDEX_FILE).exists() {
            // No case recorded yet: nothing to render.
            return;
        }
        let rendered =
            tokio::task::spawn_blocking(move || crate::html::write_html_reports(&dir)).await;
        match rendered {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("wsharness: HTML report: {e}"),
            Err(e) => eprintln!("wsharness: HTML report: {e}"),
        }
    }

    /// Resolves once the server is asked to stop.
    pub(crate) async fn stopped(&self) {
        let mut rx = self.stop.subscribe();
        // The sender lives in `self`, so wait_for only ends with the flag set.
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Asks the server to stop.
    pub(crate) fn request_stop(&self) {
        self.stop.send_replace(true);
    }
}
