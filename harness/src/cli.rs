//! The `wsharness` command line.
//!
//! Exit status: 0 when every case passed (nothing red in Autobahn's terms), 1 when some case
//! failed, 2 on a usage error, an unusable input, or a server that could not be tested, 130
//! when interrupted by Ctrl-C (the reports of the finished cases are complete).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use clap::{Args, Parser, Subcommand};
use websocket_harness::case::Corpus;
use websocket_harness::engine::ServerTarget;
use websocket_harness::handshake::client_request;
use websocket_harness::runner::{
    default_jobs, test_servers, RunError, ServerUnderTest, TestServersPlan,
};
use websocket_harness::select::{select_cases, AgentCaseExcludes};
use websocket_harness::spec::FuzzingClientSpec;
use websocket_harness::tls::ClientTls;

/// The corpus of this repository, found from the crate's manifest directory at build time.
const DEFAULT_CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/cases");

/// Autobahn's default report directory when testing servers.
const DEFAULT_SERVER_OUT: &str = "reports/servers";

/// Protocol options that Autobahn's spec files commonly carry and that change nothing here:
/// the harness never fails by dropping TCP (Autobahn forces `failByDrop` off too) and speaks
/// RFC 6455 (`version` 13, called 18 in Autobahn's draft numbering).
const HARMLESS_OPTIONS: &[(&str, &str)] = &[("failByDrop", "false"), ("version", "18")];

/// A conformance harness for WebSocket implementations: Autobahn|Testsuite's cases, verdicts
/// and report files.
#[derive(Debug, Parser)]
#[command(name = "wsharness", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Test a WebSocket server (Autobahn's fuzzingclient): the harness connects as a client.
    TestServer(TestServerArgs),
    /// Test a WebSocket client (Autobahn's fuzzingserver): clients under test connect to the harness.
    TestClient(websocket_harness::clients::TestClientArgs),
    /// Run the whole suite against the reference driver, as a server and as a client.
    Selftest(websocket_harness::selftest::SelftestArgs),
    /// Compare a run (index.json) with a ledger, case by case; --update rewrites the ledger.
    Diff(websocket_harness::diffcmd::DiffArgs),
    /// Regenerate index.html, the case pages and junit.xml from the JSON reports in DIR (ours or Autobahn's).
    Report(websocket_harness::reportcmd::ReportArgs),
    /// Run the suite against other implementations (peers/), in both roles, and diff each run against its ledger.
    Peers(websocket_harness::peers::PeersArgs),
    /// Load-test a WebSocket echo server: messages per second, latency, server CPU per message, idle memory.
    Bench(websocket_harness::bench::BenchArgs),
}

/// Arguments of `wsharness test-server`.
#[derive(Debug, Args)]
pub(crate) struct TestServerArgs {
    /// The server's URL, ws://HOST:PORT[/PATH] or wss://... Optional with --spec when the spec lists servers.
    pub(crate) url: Option<String>,
    /// Agent name for the reports [default: the server's `Server` header, else UnknownServer].
    #[arg(long)]
    pub(crate) agent: Option<String>,
    /// Cases to run, comma-separated Autobahn patterns ("1.*,2.3"; * is a wildcard) [default: the spec's, else *].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub(crate) cases: Option<Vec<String>>,
    /// Cases to leave out, same patterns [default: the spec's exclude-cases].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub(crate) exclude: Option<Vec<String>>,
    /// Report directory [default: the spec's outdir, else reports/servers].
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Also write the JUnit XML to FILE (it is always written to DIR/junit.xml).
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,
    /// An Autobahn fuzzingclient.json (servers, cases, exclude-cases, exclude-agent-cases, outdir).
    #[arg(long, value_name = "FILE")]
    pub(crate) spec: Option<PathBuf>,
    /// Cases run at once [default: 4 per CPU].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
    /// Folder of case files.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_CORPUS)]
    pub(crate) corpus: PathBuf,
    /// Don't draw the progress bar (it is never drawn when stderr is not a terminal).
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// For wss:// servers: also trust the certificates in this PEM file (a private CA, or a
    /// self-signed server's own certificate) besides the webpki roots.
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_file: Option<PathBuf>,
    /// For wss:// servers: do not verify the server's certificate at all (test peers only).
    #[arg(long, conflicts_with = "ca_file")]
    pub(crate) insecure: bool,
}

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::TestServer(args) => test_server(args),
        Command::TestClient(args) => websocket_harness::clients::run(args),
        Command::Selftest(args) => websocket_harness::selftest::run(args),
        Command::Diff(args) => websocket_harness::diffcmd::run_command(&args),
        Command::Report(args) => websocket_harness::reportcmd::run_command(&args),
        Command::Peers(args) => websocket_harness::peers::run(&args),
        Command::Bench(args) => websocket_harness::bench::run(args),
    }
}

fn test_server(args: TestServerArgs) -> anyhow::Result<ExitCode> {
    let spec = match &args.spec {
        Some(path) => FuzzingClientSpec::load(path)?,
        None => FuzzingClientSpec::default(),
    };
    let servers = servers(&args, &spec)?;
    warn_ignored_options(&spec);

    let corpus = Corpus::load(&args.corpus)
        .with_context(|| format!("cannot load the case corpus {}", args.corpus.display()))?;
    if corpus.is_empty() {
        bail!("the case corpus {} holds no case", args.corpus.display());
    }
    let ids: Vec<_> = corpus.cases.iter().map(|c| c.id.clone()).collect();
    let cases = args
        .cases
        .or(spec.cases)
        .unwrap_or_else(|| vec!["*".to_owned()]);
    let exclude = args.exclude.unwrap_or(spec.exclude_cases);
    let selected = select_cases(&ids, &cases, &exclude)?;
    if selected.is_empty() {
        bail!("no case selected (cases {cases:?}, exclude {exclude:?})");
    }
    let excludes = AgentCaseExcludes::new(spec.exclude_agent_cases.iter())
        .context("in exclude-agent-cases")?;
    let out = args
        .out
        .or(spec.outdir)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SERVER_OUT));

    let plan = TestServersPlan {
        servers,
        corpus: corpus.cases.into_iter().map(Arc::new).collect(),
        selected,
        excludes,
        out: out.clone(),
        jobs: args.jobs.map_or_else(default_jobs, usize::from),
        progress: !args.no_progress,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let summary = match runtime.block_on(test_servers(plan)) {
        Ok(summary) => summary,
        Err(e @ RunError::Interrupted { .. }) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(130));
        }
        Err(e) => return Err(e.into()),
    };
    print!("{summary}");
    write_readable_reports(&out, args.junit.as_deref());
    println!("reports: {}", out.join("index.json").display());
    Ok(if !summary.unreachable.is_empty() {
        ExitCode::from(2)
    } else if summary.has_failures() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The servers to test: the URL argument, or the spec's `servers` (Autobahn uses its `-w` URL
/// only when the spec lists no server; giving both here is ambiguous, so it is an error).
fn servers(
    args: &TestServerArgs,
    spec: &FuzzingClientSpec,
) -> anyhow::Result<Vec<ServerUnderTest>> {
    let spec_name = || {
        args.spec
            .as_deref()
            .map_or_else(String::new, |p| p.display().to_string())
    };
    let trust = ClientTls {
        ca_file: args.ca_file.clone(),
        insecure: args.insecure,
        server_name: None,
    };
    let servers: Vec<ServerUnderTest> = match (&args.url, spec.servers.is_empty()) {
        (Some(_), false) => bail!(
            "both a URL and a servers list in {} were given; use one of them",
            spec_name()
        ),
        (None, true) if args.spec.is_some() => bail!(
            "no server to test: give a URL (wsharness test-server ws://HOST:PORT) or list servers in {}",
            spec_name()
        ),
        (None, true) => bail!("no server to test: give its URL, e.g. wsharness test-server ws://127.0.0.1:9001"),
        (Some(url), true) => vec![ServerUnderTest {
            target: ServerTarget {
                url: url.clone(),
                origin: None,
                protocols: Vec::new(),
                tls: trust.clone(),
            },
            agent: args.agent.clone(),
        }],
        (None, false) => spec
            .servers
            .iter()
            .map(|s| ServerUnderTest {
                target: ServerTarget {
                    url: s.url.clone(),
                    origin: s.origin.clone(),
                    protocols: s.protocols.clone(),
                    tls: ClientTls {
                        server_name: s.hostname.clone(),
                        ..trust.clone()
                    },
                },
                // --agent names the servers the spec leaves unnamed.
                agent: s.agent.clone().or_else(|| args.agent.clone()),
            })
            .collect(),
    };
    let mut secure = false;
    for s in &servers {
        let t = &s.target;
        let req = client_request(&t.url, t.origin.as_deref(), &t.protocols)
            .map_err(anyhow::Error::msg)?;
        secure |= req.secure;
    }
    if secure {
        // A bad CA file is a usage error now, not a failed handshake in every case.
        trust.check()?;
        if trust.insecure {
            eprintln!(
                "WARNING: --insecure: the wss:// server's certificate is NOT verified; \
                 anyone on the path could stand in for it"
            );
        }
    }
    Ok(servers)
}

/// Autobahn protocol options change Autobahn's own behaviour; the harness plays cases its one
/// way, so say which options have no effect rather than ignore them silently.
fn warn_ignored_options(spec: &FuzzingClientSpec) {
    let all = spec
        .options
        .iter()
        .chain(spec.servers.iter().flat_map(|s| s.options.iter()));
    let mut ignored: Vec<&str> = all
        .filter(|(k, v)| !HARMLESS_OPTIONS.contains(&(k.as_str(), v.to_string().as_str())))
        .map(|(k, _)| k.as_str())
        .collect();
    ignored.sort_unstable();
    ignored.dedup();
    if !ignored.is_empty() {
        eprintln!(
            "note: spec option(s) {} have no effect in wsharness and are ignored",
            ignored.join(", ")
        );
    }
}

/// Writes index.html, the case pages and junit.xml beside the JSON reports. The JSON is the
/// record of the run, so a failure here is a warning, not a failed run.
fn write_readable_reports(dir: &std::path::Path, junit: Option<&std::path::Path>) {
    match websocket_harness::html::write_reports(dir, junit) {
        Ok(summary) => {
            for warning in &summary.warnings {
                eprintln!("warning: {warning}");
            }
            println!("html: {}", dir.join("index.html").display());
        }
        Err(e) => eprintln!("warning: the HTML and JUnit reports were not written: {e}"),
    }
}
