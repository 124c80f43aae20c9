//! `wsharness bench URL`: a load generator for WebSocket echo servers in any language.
//!
//! It opens `--connections` connections, keeps `--depth` messages of `--size` octets in
//! flight on each, and checks every echo octet for octet (each message carries its number,
//! so a lost, reordered or corrupted echo fails the run). After `--warmup` it measures for
//! `--duration` (or until `--messages` echoes) and reports messages per second, MB/s, the
//! round-trip latency (p50, p99, max), the server's CPU time per message when given
//! `--server-pid`, and its own. `--raw` measures a raw TCP echo with the same framed
//! octets (the ceiling); `--idle N` measures a server's memory with N idle connections.
//!
//! Everything runs on one thread (a current-thread runtime), so that the load generator
//! takes one core and its own cost per message can be read from its CPU time.

mod connect;
mod idle;
mod load;
mod pattern;
mod procfs;
mod report;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use clap::{Args, ValueEnum};
use serde::Serialize;
use tokio::task::LocalSet;

pub use pattern::Pattern;
pub use report::{CpuUse, IdleReport, Latency, LoadReport};
pub use verify::{EchoChecker, EchoError};

use load::{Phase, Shared};
use procfs::{cpu_time, Pid};

/// The message type sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Text messages (ASCII payload).
    Text,
    /// Binary messages.
    Binary,
}

/// Arguments of `wsharness bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The echo server's URL, ws://HOST:PORT[/PATH].
    pub url: String,
    /// Connections.
    #[arg(long, short = 'c', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub connections: u32,
    /// Payload octets per message; K, KiB, M, MiB suffixes are powers of 1024.
    #[arg(long, short = 's', default_value = "16", value_parser = parse_size)]
    pub size: usize,
    /// Message type.
    #[arg(long, value_enum, default_value_t = Kind::Binary)]
    pub kind: Kind,
    /// Messages in flight per connection.
    #[arg(long, short = 'd', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub depth: u32,
    /// Seconds to measure (after the warmup).
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// Measure until this many echoes instead of for --duration.
    #[arg(long)]
    pub messages: Option<u64>,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// The server's process id: report its CPU time per message (and its memory with --idle).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Also write the results as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// The server is a raw TCP echo: send the same frames without a handshake and expect
    /// them back unchanged (masked).
    #[arg(long)]
    pub raw: bool,
    /// Measure memory instead of speed: open N idle connections and report the server's
    /// RSS growth per connection (needs --server-pid).
    #[arg(long, value_name = "N", conflicts_with = "raw")]
    pub idle: Option<usize>,
    /// With --idle, seconds to keep the connections open after measuring.
    #[arg(long, default_value_t = 0.0)]
    pub hold: f64,
    /// A name for the server in the table and the JSON.
    #[arg(long, default_value = "")]
    pub label: String,
}

/// Parses `16`, `1K`, `64KiB`, `1M`, `16MiB`.
fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: usize = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 16, 64KiB or 1MiB"))?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1024,
        "m" | "mib" => 1024 * 1024,
        _ => return Err(format!("unknown size unit {unit:?} (use K/KiB or M/MiB)")),
    };
    n.checked_mul(scale)
        .filter(|&n| n <= 1 << 30)
        .ok_or_else(|| format!("{s} is over the 1 GiB limit"))
}

/// Runs the command: measures, prints the table, writes the JSON.
///
/// # Errors
///
/// A server that cannot be reached or sends a wrong echo, or an unwritable JSON file.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let local = LocalSet::new();
    if let Some(n) = args.idle {
        let Some(pid) = args.server_pid else {
            bail!("--idle needs --server-pid to read the server's memory");
        };
        let hold = secs(args.hold, "--hold")?;
        let report = local.block_on(&runtime, idle::run(&args.url, &args.label, n, pid, hold))?;
        print!("{report}");
        write_json(args.json.as_ref(), &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let report = local.block_on(&runtime, measure(&args))?;
    print!("{report}");
    write_json(args.json.as_ref(), &report)?;
    Ok(ExitCode::SUCCESS)
}

fn secs(value: f64, name: &str) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value).with_context(|| format!("{name} {value} is not a duration"))
}

fn write_json<T: Serialize>(path: Option<&PathBuf>, value: &T) -> anyhow::Result<()> {
    if let Some(path) = path {
        let text = serde_json::to_string_pretty(value)?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// CPU time of the server (if given) and of the load generator.
fn cpu_now(server: Option<u32>) -> anyhow::Result<(Option<Duration>, Duration)> {
    let server = server
        .map(|pid| cpu_time(Pid::Of(pid)).with_context(|| format!("cannot read pid {pid}")))
        .transpose()?;
    Ok((server, cpu_time(Pid::Own)?))
}

/// Opens the connections, runs the load, and measures.
async fn measure(args: &BenchArgs) -> anyhow::Result<LoadReport> {
    let warmup = secs(args.warmup, "--warmup")?;
    let duration = secs(args.duration, "--duration")?;
    let opcode = match args.kind {
        Kind::Text => crate::wire::OP_TEXT,
        Kind::Binary => crate::wire::OP_BINARY,
    };
    let pattern = Rc::new(Pattern::new(opcode, args.size, args.raw));
    let connections = args.connections as usize;
    let opened = connect::open_all(&args.url, connections, args.raw).await?;
    let shared = Rc::new(Shared::new(args.messages)?);
    let mut tasks = Vec::with_capacity(connections);
    for (stream, leftover) in opened {
        let (pattern, shared) = (Rc::clone(&pattern), Rc::clone(&shared));
        let depth = args.depth as usize;
        tasks.push(tokio::task::spawn_local(async move {
            let run = load::drive(stream, &leftover, pattern, depth, Rc::clone(&shared));
            if let Err(e) = run.await {
                shared.fail(format!("{e:#}"));
            }
        }));
    }
    let _ = tokio::time::timeout(warmup, shared.wake.notified()).await;
    failed(&shared)?;
    let (server_before, own_before) = cpu_now(args.server_pid)?;
    let start = Instant::now();
    shared.phase.set(Phase::Measure);
    if args.messages.is_some() {
        shared.wake.notified().await;
    } else {
        let _ = tokio::time::timeout(duration, shared.wake.notified()).await;
    }
    let elapsed = start.elapsed();
    let (server_after, own_after) = cpu_now(args.server_pid)?;
    shared.phase.set(Phase::Stop);
    failed(&shared)?;
    for task in tasks {
        // A task ends early only by an error, recorded above, or a panic (a bug here).
        if task.is_finished() {
            task.await.context("a connection task failed")?;
        }
    }

    let messages = shared.messages.get();
    let latency = shared.latency.borrow();
    let us = |ns: u64| ns as f64 / 1000.0;
    let seconds = elapsed.as_secs_f64();
    Ok(LoadReport {
        label: args.label.clone(),
        url: args.url.clone(),
        mode: if args.raw { "raw" } else { "ws" },
        kind: match args.kind {
            Kind::Text => "text",
            Kind::Binary => "binary",
        },
        size: args.size,
        connections,
        depth: args.depth as usize,
        warmup_s: args.warmup,
        elapsed_s: seconds,
        messages,
        msgs_per_s: messages as f64 / seconds,
        mb_per_s: (messages as f64 * args.size as f64) / seconds / 1e6,
        latency_us: Latency {
            p50: us(latency.value_at_quantile(0.5)),
            p99: us(latency.value_at_quantile(0.99)),
            max: us(latency.max()),
        },
        server: server_before.zip(server_after).map(|(before, after)| {
            CpuUse::new(
                args.server_pid,
                after.saturating_sub(before),
                elapsed,
                messages,
            )
        }),
        own: CpuUse::new(
            None,
            own_after.saturating_sub(own_before),
            elapsed,
            messages,
        ),
    })
}

/// The first connection failure, as the run's error.
fn failed(shared: &Shared) -> anyhow::Result<()> {
    match shared.error.borrow().as_deref() {
        Some(error) => bail!("{error}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_units() {
        assert_eq!(parse_size("16"), Ok(16));
        assert_eq!(parse_size("1K"), Ok(1024));
        assert_eq!(parse_size("64KiB"), Ok(65536));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert!(parse_size("2G").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("2048MiB").is_err());
    }
}
