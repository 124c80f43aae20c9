//! `wsharness selftest`: the whole suite against the reference driver, in both roles, in one
//! process.
//!
//! 1. Servers: the driver's echo server on `127.0.0.1:0`, tested by the `test-server` runner
//!    (the harness is the client) -> `OUT/servers/`.
//! 2. Clients: the `test-client` fuzzing server on `127.0.0.1:0`, and the driver as an Autobahn
//!    client driver (`/getCaseCount`, `/runCase` echoing every message, `/updateReports`), as in
//!    the driver's `examples/autobahn_client.rs` -> `OUT/clients/`.
//!
//! Unlike a usual client driver, which runs cases one after the other, the driver here runs
//! several cases at once (`--jobs`): cases are independent connections, and section 9 takes
//! minutes when run in sequence. As in the runner, timed, timing-sensitive and CPU-bound
//! cases run alone or among their own kind ([`crate::sharing`]), so verdicts do not depend on
//! `--jobs`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context as _};
use clap::Args;
use tokio::task::JoinSet;
use websocket_driver::ws::{Message, Options};

use crate::case::{Case, CaseId, Corpus};
use crate::clients::{
    engine_player, print_summaries, FuzzingServer, FuzzingServerConfig, DEFAULT_CORPUS,
};
use crate::engine::ServerTarget;
use crate::report::summary::{AgentSummary, RunSummary};
use crate::runner::{default_jobs, test_servers, ServerUnderTest, TestServersPlan};
use crate::select::{select_cases, AgentCaseExcludes};
use crate::sharing::{Admission, Sharing};

/// The agent name of the reference driver, in both roles (and in the ledgers' file names).
pub const AGENT: &str = "websocket-driver";

/// Section 9 sends messages of up to 16 MiB; the driver's limit must allow them.
const MAX_LENGTH: usize = 64 << 20;

/// Arguments of `wsharness selftest`.
#[derive(Debug, Clone, Args)]
pub struct SelftestArgs {
    /// Report directory; the two roles go to OUT/servers and OUT/clients.
    #[arg(long, value_name = "DIR", default_value = "reports/selftest")]
    pub out: PathBuf,
    /// Cases to run, comma-separated Autobahn patterns ("1.*,2.3") [default: *].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub cases: Option<Vec<String>>,
    /// Cases to leave out, same patterns.
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub exclude: Option<Vec<String>>,
    /// Cases run at once, in each role [default: 4 per CPU].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Folder of case files.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_CORPUS)]
    pub corpus: PathBuf,
    /// Don't draw the progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// What [`selftest`] runs.
#[derive(Debug, Clone)]
pub struct SelftestPlan {
    /// The whole corpus, sorted by id.
    pub corpus: Vec<Arc<Case>>,
    /// The selected ids, sorted.
    pub selected: Vec<CaseId>,
    /// Report directory (`servers/` and `clients/` go below it).
    pub out: PathBuf,
    /// Cases run at once in each role.
    pub jobs: usize,
    /// Whether to draw the progress bar of the server role.
    pub progress: bool,
}

impl SelftestPlan {
    /// Loads `corpus` and selects `cases` minus `exclude` (Autobahn's pattern rules).
    pub fn load(
        corpus: &Path,
        cases: &[String],
        exclude: &[String],
        out: PathBuf,
        jobs: usize,
    ) -> anyhow::Result<Self> {
        let corpus = Corpus::load(corpus)
            .with_context(|| format!("cannot load the case corpus {}", corpus.display()))?;
        let ids: Vec<_> = corpus.cases.iter().map(|c| c.id.clone()).collect();
        let selected = select_cases(&ids, cases, exclude)?;
        if selected.is_empty() {
            bail!("no case selected (cases {cases:?}, exclude {exclude:?})");
        }
        Ok(Self {
            corpus: corpus.cases.into_iter().map(Arc::new).collect(),
            selected,
            out,
            jobs,
            progress: false,
        })
    }
}

/// The outcome of both roles.
#[derive(Debug, Clone)]
pub struct SelftestReport {
    /// The driver as a server.
    pub servers: RunSummary,
    /// The driver as a client.
    pub clients: Vec<AgentSummary>,
    /// Wall time of the client role.
    pub clients_wall_time: std::time::Duration,
}

impl SelftestReport {
    /// Whether any case is red in Autobahn's terms, in either role.
    pub fn has_failures(&self) -> bool {
        self.servers.has_failures() || self.clients.iter().any(|s| !s.failing.is_empty())
    }
}

/// Runs both roles, one after the other.
pub async fn selftest(plan: &SelftestPlan) -> anyhow::Result<SelftestReport> {
    let servers = test_driver_server(plan).await?;
    let started = std::time::Instant::now();
    let clients = test_driver_client(plan).await?;
    Ok(SelftestReport {
        servers,
        clients,
        clients_wall_time: started.elapsed(),
    })
}

/// The reference driver as it is meant to be run: permessage-deflate on with its defaults, so
/// that sections 12 and 13 test it (without it they would all be UNIMPLEMENTED).
fn driver_options() -> Options {
    Options::new()
        .max_length(MAX_LENGTH)
        .deflate(websocket_driver::ext::deflate::DeflateConfig::default())
}

/// The driver's echo server, tested by the runner.
async fn test_driver_server(plan: &SelftestPlan) -> anyhow::Result<RunSummary> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let options = driver_options();
    let echo = tokio::spawn(websocket_driver::tokio::serve(listener, options, |ws| {
        ws.on_message(|ws, message| {
            ws.send(message);
        });
    }));
    let run = test_servers(TestServersPlan {
        servers: vec![ServerUnderTest {
            target: ServerTarget {
                url: format!("ws://{addr}"),
                origin: None,
                protocols: Vec::new(),
                tls: crate::tls::ClientTls::default(),
            },
            agent: Some(AGENT.to_owned()),
        }],
        corpus: plan.corpus.clone(),
        selected: plan.selected.clone(),
        excludes: AgentCaseExcludes::default(),
        out: plan.out.join("servers"),
        jobs: plan.jobs,
        progress: plan.progress,
    })
    .await;
    echo.abort();
    let run = run?;
    let dir = plan.out.join("servers");
    match tokio::task::spawn_blocking(move || crate::html::write_html_reports(&dir)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => eprintln!("wsharness: HTML report: {e}"),
        Err(e) => eprintln!("wsharness: HTML report: {e}"),
    }
    Ok(run)
}

/// The fuzzing server, with the driver as its client.
async fn test_driver_client(plan: &SelftestPlan) -> anyhow::Result<Vec<AgentSummary>> {
    let by_id: std::collections::HashMap<_, _> = plan.corpus.iter().map(|c| (&c.id, c)).collect();
    let server_cases: Vec<Case> = plan
        .selected
        .iter()
        .filter_map(|id| by_id.get(id).map(|c| Case::clone(c)))
        .collect();
    let config = FuzzingServerConfig {
        cases: server_cases.clone(),
        excludes: AgentCaseExcludes::default(),
        protocols: Vec::new(),
        verbose: false,
    };
    let server = FuzzingServer::bind(
        "127.0.0.1:0",
        config,
        &plan.out.join("clients"),
        engine_player(),
    )
    .await?;
    let url = format!("ws://{}", server.local_addr()?);
    let stopper = server.stopper();
    let serving = tokio::spawn(server.run());
    // As the runner does in the other role (and for the same reasons), cases share the peer
    // by their kind (`crate::sharing`).
    let kinds: Vec<Sharing> = server_cases.iter().map(Sharing::of).collect();
    let driven = drive_client(&url, AGENT, plan.jobs, |n| {
        kinds
            .get(n.wrapping_sub(1))
            .copied()
            .unwrap_or(Sharing::Alone)
    })
    .await;
    if driven.is_err() {
        stopper.stop();
    }
    let summaries = serving.await.context("the fuzzing server task failed")?;
    driven?;
    Ok(summaries)
}

/// The driver as an Autobahn client driver: count, run every case echoing, update reports
/// (with `shutdownOnComplete`, which stops the fuzzing server). Cases run at once as
/// `kind(case number)` allows (see [`Admission`]), up to `jobs`.
pub async fn drive_client(
    url: &str,
    agent: &str,
    jobs: usize,
    kind: impl Fn(usize) -> Sharing,
) -> anyhow::Result<()> {
    let options = driver_options();
    let answer = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&answer);
    let handle = websocket_driver::tokio::connect(
        &format!("{url}/getCaseCount"),
        options.clone(),
        move |ws| {
            ws.on_message(move |_, message| {
                if let Message::Text(text) = message {
                    *sink
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = text;
                }
            });
        },
    )
    .await
    .context("getCaseCount")?;
    handle.closed().await;
    let count: usize = {
        let text = answer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        text.trim()
            .parse()
            .with_context(|| format!("getCaseCount answered {text:?}"))?
    };

    let mut admission = Admission::new(jobs);
    let mut running = JoinSet::new();
    for case in 1..=count {
        let url = format!("{url}/runCase?case={case}&agent={agent}");
        let next = kind(case);
        while !admission.admits(next, running.len()) {
            running.join_next().await;
        }
        admission.started(next);
        let options = options.clone();
        running.spawn(async move { run_one(&url, options).await });
    }
    while running.join_next().await.is_some() {}

    let handle = websocket_driver::tokio::connect(
        &format!("{url}/updateReports?agent={agent}&shutdownOnComplete=true"),
        options,
        |_| {},
    )
    .await
    .context("updateReports")?;
    handle.closed().await;
    Ok(())
}

/// One `/runCase` connection, echoing every message until the server closes.
async fn run_one(url: &str, options: Options) {
    let echo = |ws: &mut websocket_driver::ws::Client| {
        ws.on_message(|ws, message| {
            ws.send(message);
        });
    };
    // A case may break the handshake or the connection on purpose: its verdict is in the
    // report, nothing to do here.
    if let Ok(handle) = websocket_driver::tokio::connect(url, options, echo).await {
        handle.closed().await;
    }
}

/// Runs `wsharness selftest`: prints both summaries and where the reports are; exit status 1
/// when a case failed.
pub fn run(args: SelftestArgs) -> anyhow::Result<ExitCode> {
    let cases = args.cases.unwrap_or_else(|| vec!["*".to_owned()]);
    let exclude = args.exclude.unwrap_or_default();
    let jobs = args.jobs.map_or_else(default_jobs, usize::from);
    let mut plan = SelftestPlan::load(&args.corpus, &cases, &exclude, args.out, jobs)?;
    plan.progress = !args.no_progress;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let report = runtime.block_on(selftest(&plan))?;
    println!("== the driver as a server (wsharness test-server)");
    print!("{}", report.servers);
    println!("reports: {}", plan.out.join("servers/index.json").display());
    let html = plan.out.join("servers/index.html");
    if html.exists() {
        println!("         {}", html.display());
    }
    println!("== the driver as a client (wsharness test-client)");
    print_summaries(&report.clients, &plan.out.join("clients"));
    println!("wall time: {:.1} s", report.clients_wall_time.as_secs_f64());
    Ok(if report.has_failures() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
