//! `wsharness test-client`: the command line of the fuzzing server.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use clap::Args;

use super::spec::FuzzingServerSpec;
use super::{engine_player, FuzzingServer, FuzzingServerConfig};
use crate::case::{Case, Corpus};
use crate::report::summary::AgentSummary;
use crate::select::{select_cases, AgentCaseExcludes};
use crate::tls::ServerTls;

/// The corpus of this repository, found from the crate's manifest directory at build time.
pub const DEFAULT_CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/cases");
/// Autobahn's default listen address for the fuzzing server.
const DEFAULT_LISTEN: &str = "127.0.0.1:9001";
/// Autobahn's default report directory when testing clients.
const DEFAULT_CLIENT_OUT: &str = "reports/clients";

/// Arguments of `wsharness test-client`.
#[derive(Debug, Clone, Args)]
pub struct TestClientArgs {
    /// Address to listen on, HOST:PORT (port 0 picks a free port; the address is printed)
    /// [default: the spec's url, else 127.0.0.1:9001].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Report directory [default: the spec's outdir, else reports/clients].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Cases to offer, comma-separated Autobahn patterns ("1.*,2.3") [default: the spec's, else *].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub cases: Option<Vec<String>>,
    /// Cases to leave out, same patterns [default: the spec's exclude-cases].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub exclude: Option<Vec<String>>,
    /// An Autobahn fuzzingserver.json (url, outdir, protocols, cases, exclude-cases,
    /// exclude-agent-cases, key, cert).
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Folder of case files.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_CORPUS)]
    pub corpus: PathBuf,
    /// Accept TLS only (wss://), with this certificate chain (PEM, server certificate first)
    /// [default: the spec's cert].
    #[arg(long, value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1) [default: the spec's key].
    #[arg(long, value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
}

/// The TLS the fuzzing server accepts with, if any: the flags, else the spec's `cert` and
/// `key` (each flag overrides its key, as Autobahn's `--cert`/`--key` do). Both or neither;
/// a `wss://` spec url needs both.
fn server_tls(
    args: &TestClientArgs,
    spec: &FuzzingServerSpec,
) -> anyhow::Result<Option<ServerTls>> {
    let cert = args.tls_cert.as_ref().or(spec.cert.as_ref());
    let key = args.tls_key.as_ref().or(spec.key.as_ref());
    match (cert, key) {
        (Some(cert), Some(key)) => Ok(Some(ServerTls::from_pem_files(cert, key)?)),
        (None, None) if spec.wants_tls() => {
            bail!("the spec's url is wss:// but no certificate is given: --tls-cert and --tls-key, or the spec's cert and key")
        }
        (None, None) => Ok(None),
        (Some(_), None) => {
            bail!("a TLS certificate without its key: give --tls-key (or the spec's key)")
        }
        (None, Some(_)) => {
            bail!("a TLS key without its certificate: give --tls-cert (or the spec's cert)")
        }
    }
}

/// The selected cases of `corpus`, in Autobahn's order.
pub fn load_selection(
    corpus: &Path,
    cases: &[String],
    exclude: &[String],
) -> anyhow::Result<Vec<Case>> {
    let corpus = Corpus::load(corpus)
        .with_context(|| format!("cannot load the case corpus {}", corpus.display()))?;
    let ids: Vec<_> = corpus.cases.iter().map(|c| c.id.clone()).collect();
    let selected = select_cases(&ids, cases, exclude)?;
    if selected.is_empty() {
        bail!("no case selected (cases {cases:?}, exclude {exclude:?})");
    }
    Ok(selected
        .iter()
        .filter_map(|id| corpus.get(id).cloned())
        .collect())
}

/// Runs `wsharness test-client` until a client calls `/stopServer` or
/// `/updateReports?...&shutdownOnComplete=true`, or Ctrl-C. Exit status 1 when a case failed.
pub fn run(args: TestClientArgs) -> anyhow::Result<ExitCode> {
    let spec = match &args.spec {
        Some(path) => FuzzingServerSpec::load(path)?,
        None => FuzzingServerSpec::default(),
    };
    let listen = match args.listen.clone() {
        Some(l) => l,
        None => spec
            .listen_addr()
            .map_err(anyhow::Error::msg)?
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
    };
    let out = args
        .out
        .clone()
        .or_else(|| spec.outdir())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CLIENT_OUT));
    let cases = args
        .cases
        .clone()
        .or_else(|| spec.common.cases.clone())
        .unwrap_or_else(|| vec!["*".to_owned()]);
    let exclude = args
        .exclude
        .clone()
        .unwrap_or_else(|| spec.common.exclude_cases.clone());
    let tls = server_tls(&args, &spec)?;
    let selection = load_selection(&args.corpus, &cases, &exclude)?;
    let excludes = AgentCaseExcludes::new(spec.common.exclude_agent_cases.iter())
        .context("in exclude-agent-cases")?;
    let config = FuzzingServerConfig {
        cases: selection,
        excludes,
        protocols: spec.protocols.clone(),
        verbose: true,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let summaries = runtime.block_on(async {
        let mut server = FuzzingServer::bind(listen.as_str(), config, &out, engine_player())
            .await
            .with_context(|| format!("test-client on {listen}"))?;
        if let Some(tls) = tls {
            server = server.with_tls(tls);
        }
        // Before the address is printed, so a script that signals right after reading it is
        // heard.
        stop_on_signals(server.stopper())?;
        let url = server.url()?;
        let count = server.case_count();
        println!(
            "wsharness test-client listening on {url} ({count} cases); reports in {}",
            out.display()
        );
        let _ = std::io::stdout().flush();
        anyhow::Ok(server.run().await)
    })?;
    print_summaries(&summaries, &out);
    Ok(if summaries.iter().any(|s| !s.failing.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Stops the server gracefully on SIGINT (Ctrl-C) or SIGTERM: running cases get their grace
/// period and are recorded, the HTML report is written, the summary printed.
#[cfg(unix)]
fn stop_on_signals(stopper: super::Stopper) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        stopper.stop();
    });
    Ok(())
}

/// Stops the server gracefully on Ctrl-C.
#[cfg(not(unix))]
fn stop_on_signals(stopper: super::Stopper) -> std::io::Result<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stopper.stop();
        }
    });
    Ok(())
}

/// Prints each agent's summary and where the reports are.
pub fn print_summaries(summaries: &[AgentSummary], out: &Path) {
    if summaries.is_empty() {
        println!("no case was run");
    }
    for s in summaries {
        print!("{s}");
    }
    println!("reports: {}", out.join(crate::report::INDEX_FILE).display());
    let html = out.join("index.html");
    if html.exists() {
        println!("         {}", html.display());
    }
}
