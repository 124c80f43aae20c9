//! `wsharness peers`: the suite against other WebSocket implementations, in both roles, each
//! run checked against its committed ledger.
//!
//! For each peer of [`catalog::PEERS`] and each role:
//! - server: start the peer's echo server on `127.0.0.1:0`, read its
//!   `listening on ws://...` line, run the `test-server` runner against it, stop it;
//! - client: start the fuzzing server in-process on `127.0.0.1:0`, run the peer's Autobahn
//!   client driver with the URL and wait for it to finish, stop the fuzzing server;
//!
//! then write the HTML and JUnit reports to `OUT/<peer>-<role>/` and diff `index.json` against
//! `EXPECTED/<peer>-<role>.json`. Peers run one after the other and one role at a time, so
//! that timing-sensitive verdicts see the same machine load as when the ledger was written.
//!
//! The default selection is sections 1 to 10 (301 cases). Sections 12 and 13
//! (permessage-deflate) are left out: the peers run with compression off, as in the runs of
//! Autobahn|Testsuite the ledgers were checked against, so they would only add 216
//! UNIMPLEMENTED verdicts.

pub mod catalog;
pub mod process;
pub mod verdict;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use clap::Args;

use crate::case::{Case, CaseId, Corpus};
use crate::clients::{engine_player, FuzzingServer, FuzzingServerConfig, DEFAULT_CORPUS};
use crate::engine::ServerTarget;
use crate::report::summary::AgentSummary;
use crate::runner::{default_jobs, test_servers, ServerUnderTest, TestServersPlan};
use crate::select::{select_cases, AgentCaseExcludes};

use catalog::{Peer, Role};
use process::PeerProcess;
use verdict::Check;

/// The repository root, found from the crate's manifest directory at build time.
const DEFAULT_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
/// Sections 1 to 10: everything but permessage-deflate (see the module docs).
const DEFAULT_CASES: &[&str] = &[
    "1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.*", "10.*",
];
/// The line an echo server prints once it accepts connections.
const READY_PREFIX: &str = "listening on ";

/// Arguments of `wsharness peers`.
#[derive(Debug, Clone, Args)]
pub struct PeersArgs {
    /// Peers to test, by name or alias: websockets (python), ws (node), tokio-tungstenite
    /// (tungstenite), fastwebsockets [default: every installed one; the others are named].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub peers: Option<Vec<String>>,
    /// Roles to test: server, client [default: both].
    #[arg(long, value_delimiter = ',', num_args = 1.., value_parser = ["server", "client"])]
    pub roles: Option<Vec<String>>,
    /// Report directory; each run goes to OUT/<peer>-<role>/.
    #[arg(long, value_name = "DIR", default_value = "reports/peers")]
    pub out: PathBuf,
    /// Ledger directory, holding <peer>-<role>.json [default: ROOT/reports/expected].
    #[arg(long, value_name = "DIR")]
    pub expected: Option<PathBuf>,
    /// Cases to run, comma-separated Autobahn patterns [default: sections 1 to 10].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub cases: Option<Vec<String>>,
    /// Cases to leave out, same patterns.
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub exclude: Option<Vec<String>>,
    /// Rewrite each ledger from its run instead of failing on differences (review the result).
    #[arg(long)]
    pub update: bool,
    /// Cases run at once against a peer server [default: 4 per CPU]. Client drivers run
    /// their cases one after the other, as Autobahn's do.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Longest time one peer may take in one role before it is stopped, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    pub timeout: u64,
    /// The repository root, where the peers' scripts and installs are.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_ROOT)]
    pub root: PathBuf,
    /// Folder of case files.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_CORPUS)]
    pub corpus: PathBuf,
}

/// The result of one peer in one role.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// `<peer>-<role>`.
    pub name: String,
    /// The ledger check, or why the run could not be made.
    pub check: Result<Check, String>,
    /// Wall time of the run (peer start to ledger check).
    pub wall_time: Duration,
}

/// Everything [`run_matrix`] needs, resolved from [`PeersArgs`].
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The peers, in order.
    pub peers: Vec<&'static Peer>,
    /// The roles, in order.
    pub roles: Vec<Role>,
    /// The whole corpus.
    pub corpus: Vec<Arc<Case>>,
    /// The selected case ids.
    pub selected: Vec<CaseId>,
    /// The selection patterns, for the ledger comparison.
    pub cases: Vec<String>,
    /// The exclusion patterns, for the ledger comparison.
    pub exclude: Vec<String>,
    /// Report directory.
    pub out: PathBuf,
    /// Ledger directory.
    pub expected: PathBuf,
    /// Repository root.
    pub root: PathBuf,
    /// Parallel cases against servers.
    pub jobs: usize,
    /// Per peer and role.
    pub timeout: Duration,
    /// Rewrite the ledgers.
    pub update: bool,
}

impl Matrix {
    /// Resolves the arguments: peers known and installed, cases selected.
    pub fn from_args(args: &PeersArgs) -> anyhow::Result<Self> {
        // Absolute, so that the peers' paths and the messages read well from any directory.
        let root = std::fs::canonicalize(&args.root)
            .with_context(|| format!("the repository root {}", args.root.display()))?;
        let mut peers = Vec::new();
        match &args.peers {
            // Named peers must be there: a CI job that asks for one must not pass without it.
            Some(names) => {
                for name in names {
                    let Some(peer) = catalog::find(name) else {
                        let known: Vec<String> = catalog::PEERS
                            .iter()
                            .map(|p| format!("{} ({})", p.name, p.alias))
                            .collect();
                        bail!("unknown peer {name:?}; known: {}", known.join(", "));
                    };
                    if let Some(why) = peer.missing(&root) {
                        bail!("{why}");
                    }
                    if !peers.contains(&peer) {
                        peers.push(peer);
                    }
                }
            }
            // By default every installed peer, and a line for each one that is not.
            None => {
                for peer in catalog::PEERS {
                    match peer.missing(&root) {
                        Some(why) => eprintln!("skipped: {why}"),
                        None => peers.push(peer),
                    }
                }
                if peers.is_empty() {
                    bail!("no peer is installed (see the lines above, or run .ci/run)");
                }
            }
        }
        let roles = match &args.roles {
            None => vec![Role::Server, Role::Client],
            Some(r) => [Role::Server, Role::Client]
                .into_iter()
                .filter(|role| r.iter().any(|s| s == role.as_str()))
                .collect(),
        };
        if args.update && (args.cases.is_some() || args.exclude.is_some()) {
            bail!("--update rewrites whole ledgers; run it without --cases/--exclude");
        }
        let cases = args
            .cases
            .clone()
            .unwrap_or_else(|| DEFAULT_CASES.iter().map(|s| (*s).to_owned()).collect());
        let exclude = args.exclude.clone().unwrap_or_default();
        let corpus = Corpus::load(&args.corpus)
            .with_context(|| format!("cannot load the case corpus {}", args.corpus.display()))?;
        let ids: Vec<_> = corpus.cases.iter().map(|c| c.id.clone()).collect();
        let selected = select_cases(&ids, &cases, &exclude)?;
        if selected.is_empty() {
            bail!("no case selected (cases {cases:?}, exclude {exclude:?})");
        }
        Ok(Self {
            peers,
            roles,
            corpus: corpus.cases.into_iter().map(Arc::new).collect(),
            selected,
            cases,
            exclude,
            out: args.out.clone(),
            expected: args
                .expected
                .clone()
                .unwrap_or_else(|| root.join("reports/expected")),
            root,
            jobs: args.jobs.map_or_else(default_jobs, usize::from),
            timeout: Duration::from_secs(args.timeout),
            update: args.update,
        })
    }
}

/// Runs `wsharness peers`: exit status 0 when every run matches its ledger (or `--update`),
/// 1 on a difference, 2 when a peer could not be run.
pub fn run(args: &PeersArgs) -> anyhow::Result<ExitCode> {
    let matrix = Matrix::from_args(args)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let started = Instant::now();
    let outcomes = runtime.block_on(run_matrix(&matrix));
    println!(
        "\n== peers: {} runs in {:.1} s",
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    let mut code = ExitCode::SUCCESS;
    for o in &outcomes {
        let secs = o.wall_time.as_secs_f64();
        match &o.check {
            Ok(Check::Clean) => println!("ok       {} ({secs:.1} s): matches its ledger", o.name),
            Ok(Check::Updated) => println!("updated  {} ({secs:.1} s)", o.name),
            Ok(Check::Drift(why)) => {
                println!("DIFFERS  {} ({secs:.1} s):\n{}", o.name, indent(why));
                if code == ExitCode::SUCCESS {
                    code = ExitCode::from(1);
                }
            }
            Err(e) => {
                println!("ERROR    {} ({secs:.1} s):\n{}", o.name, indent(e));
                code = ExitCode::from(2);
            }
        }
    }
    Ok(code)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs every peer in every role of `matrix`, one run at a time, and checks each against its
/// ledger. A run that fails does not stop the others.
pub async fn run_matrix(matrix: &Matrix) -> Vec<RunOutcome> {
    let mut outcomes = Vec::new();
    for peer in &matrix.peers {
        for &role in &matrix.roles {
            let name = peer.run_name(role);
            println!("\n== {name}: {} as a {}", peer.library, role.as_str());
            let started = Instant::now();
            let check = run_one(matrix, peer, role)
                .await
                .map_err(|e| format!("{e:#}"));
            outcomes.push(RunOutcome {
                name,
                check,
                wall_time: started.elapsed(),
            });
        }
    }
    outcomes
}

/// One peer in one role: run, reports, ledger check.
async fn run_one(matrix: &Matrix, peer: &Peer, role: Role) -> anyhow::Result<Check> {
    let dir = matrix.out.join(peer.run_name(role));
    clear_reports(&dir)?;
    match role {
        Role::Server => test_peer_server(matrix, peer, &dir).await?,
        Role::Client => test_peer_client(matrix, peer, &dir).await?,
    }
    let html_dir = dir.clone();
    match tokio::task::spawn_blocking(move || crate::html::write_reports(&html_dir, None)).await {
        Ok(Ok(summary)) => summary
            .warnings
            .iter()
            .for_each(|w| eprintln!("warning: {w}")),
        Ok(Err(e)) => eprintln!("warning: the HTML and JUnit reports were not written: {e}"),
        Err(e) => eprintln!("warning: the HTML and JUnit reports were not written: {e}"),
    }
    let ledger = matrix
        .expected
        .join(format!("{}.json", peer.run_name(role)));
    verdict::check(
        &matrix.root,
        peer,
        role,
        &ledger,
        &dir,
        (&matrix.cases, &matrix.exclude),
        matrix.update,
    )
}

/// Removes the report files of an earlier run in `dir` (and nothing else), so that the
/// directory holds exactly this run.
fn clear_reports(dir: &Path) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "json" | "html" | "xml"));
        if ours && path.is_file() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the old report {}", path.display()))?;
        }
    }
    Ok(())
}

/// The peer's echo server, tested by the runner.
async fn test_peer_server(matrix: &Matrix, peer: &Peer, dir: &Path) -> anyhow::Result<()> {
    let (program, args) =
        catalog::command_line(peer.server, &matrix.root, &[("{addr}", "127.0.0.1:0")]);
    let mut server = PeerProcess::spawn(&program, &args, &matrix.root)?;
    let url = server
        .ready_line(READY_PREFIX, Duration::from_secs(30))
        .await
        .with_context(|| format!("starting the {} echo server", peer.name))?;
    let url = url.trim().to_owned();
    println!("{} listening on {url}", peer.name);
    let plan = TestServersPlan {
        servers: vec![ServerUnderTest {
            target: ServerTarget {
                url,
                origin: None,
                protocols: Vec::new(),
                tls: crate::tls::ClientTls::default(),
            },
            agent: Some(peer.name.to_owned()),
        }],
        corpus: matrix.corpus.clone(),
        selected: matrix.selected.clone(),
        excludes: AgentCaseExcludes::default(),
        out: dir.to_owned(),
        jobs: matrix.jobs,
        progress: false,
    };
    let run = tokio::time::timeout(matrix.timeout, test_servers(plan)).await;
    server.kill().await;
    let summary = match run {
        Err(_) => bail!("the run did not finish within {:?}", matrix.timeout),
        Ok(Err(e)) => {
            return Err(anyhow::Error::new(e)).with_context(|| {
                format!(
                    "testing the {} echo server; its output:\n{}",
                    peer.name,
                    server.output.text()
                )
            })
        }
        Ok(Ok(summary)) => summary,
    };
    print!("{summary}");
    if !summary.unreachable.is_empty() {
        bail!(
            "the {} echo server stopped answering; its output:\n{}",
            peer.name,
            server.output.text()
        );
    }
    Ok(())
}

/// The fuzzing server, with the peer's client driver as its client.
async fn test_peer_client(matrix: &Matrix, peer: &Peer, dir: &Path) -> anyhow::Result<()> {
    let by_id: std::collections::HashMap<_, _> = matrix.corpus.iter().map(|c| (&c.id, c)).collect();
    let cases: Vec<Case> = matrix
        .selected
        .iter()
        .filter_map(|id| by_id.get(id).map(|c| Case::clone(c)))
        .collect();
    let config = FuzzingServerConfig {
        cases,
        excludes: AgentCaseExcludes::default(),
        protocols: Vec::new(),
        verbose: false,
    };
    let server = FuzzingServer::bind("127.0.0.1:0", config, dir, engine_player()).await?;
    let url = format!("ws://{}", server.local_addr()?);
    let stopper = server.stopper();
    let serving = tokio::spawn(server.run());
    let (program, args) = catalog::command_line(
        peer.client,
        &matrix.root,
        &[("{url}", url.as_str()), ("{agent}", peer.name)],
    );
    let driven = async {
        let mut client = PeerProcess::spawn(&program, &args, &matrix.root)?;
        let status = client.wait(matrix.timeout).await?;
        anyhow::Ok((status, client.output.text()))
    }
    .await;
    // The client drivers ask for the reports but not for a shutdown, as Autobahn's examples do.
    stopper.stop();
    let summaries: Vec<AgentSummary> = serving.await.context("the fuzzing server task failed")?;
    let (status, output) = driven?;
    match status {
        None => bail!(
            "the {} client driver did not finish within {:?}; its output:\n{output}",
            peer.name,
            matrix.timeout
        ),
        Some(s) if !s.success() => bail!(
            "the {} client driver failed ({s}); its output:\n{output}",
            peer.name
        ),
        Some(_) => {}
    }
    for s in &summaries {
        print!("{s}");
    }
    if summaries.is_empty() {
        bail!(
            "the {} client driver ran no case; its output:\n{output}",
            peer.name
        );
    }
    Ok(())
}
