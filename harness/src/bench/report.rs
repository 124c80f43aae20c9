//! The results of a run, as a table for people and JSON for scripts (`--json FILE`).

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// One measured load run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// A name for the server, from `--label` (empty when not given).
    pub label: String,
    /// The server's URL.
    pub url: String,
    /// `ws` (WebSocket echo) or `raw` (the same frames against a raw TCP echo).
    pub mode: &'static str,
    /// `text` or `binary`.
    pub kind: &'static str,
    /// Payload octets per message.
    pub size: usize,
    /// Connections.
    pub connections: usize,
    /// Messages in flight per connection.
    pub depth: usize,
    /// Seconds of load before measuring.
    pub warmup_s: f64,
    /// Seconds measured.
    pub elapsed_s: f64,
    /// Echoes completed (and checked) while measuring.
    pub messages: u64,
    /// Echoes per second.
    pub msgs_per_s: f64,
    /// Echoed payload per second, in 10^6 octets (one direction; as much went the other way).
    pub mb_per_s: f64,
    /// Round-trip time from queuing a message to its whole echo, in microseconds.
    pub latency_us: Latency,
    /// The server's CPU, when `--server-pid` was given.
    pub server: Option<CpuUse>,
    /// The load generator's own CPU.
    pub own: CpuUse,
}

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

/// A process's CPU time over the measured window.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CpuUse {
    /// The process, `None` for the load generator itself.
    pub pid: Option<u32>,
    /// User plus system seconds (10 ms resolution).
    pub cpu_s: f64,
    /// CPU microseconds per echoed message.
    pub us_per_msg: f64,
    /// CPU seconds per elapsed second (1.0 = one core busy).
    pub cores: f64,
}

impl CpuUse {
    /// `cpu` used over `elapsed` for `messages` echoes.
    pub fn new(pid: Option<u32>, cpu: Duration, elapsed: Duration, messages: u64) -> Self {
        let cpu_s = cpu.as_secs_f64();
        Self {
            pid,
            cpu_s,
            us_per_msg: if messages == 0 {
                0.0
            } else {
                cpu_s * 1e6 / messages as f64
            },
            cores: cpu_s / elapsed.as_secs_f64().max(f64::MIN_POSITIVE),
        }
    }
}

/// Microseconds with a unit that keeps 3 or 4 significant digits.
fn time(us: f64) -> String {
    if us >= 10_000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else if us >= 100.0 {
        format!("{us:.0} µs")
    } else {
        format!("{us:.2} µs")
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = if self.label.is_empty() {
            String::new()
        } else {
            format!("{} ", self.label)
        };
        writeln!(
            f,
            "{label}{} ({}): {} {} B x {} conn x depth {}, {:.1} s after {:.1} s warmup",
            self.url,
            self.mode,
            self.kind,
            self.size,
            self.connections,
            self.depth,
            self.elapsed_s,
            self.warmup_s
        )?;
        writeln!(
            f,
            "  messages   {:>12} echoes checked, {:.0} msg/s, {:.2} MB/s",
            self.messages, self.msgs_per_s, self.mb_per_s
        )?;
        writeln!(
            f,
            "  latency    p50 {}, p99 {}, max {}",
            time(self.latency_us.p50),
            time(self.latency_us.p99),
            time(self.latency_us.max)
        )?;
        if let Some(server) = self.server {
            writeln!(
                f,
                "  server CPU {} per message ({:.2} cores, pid {})",
                time(server.us_per_msg),
                server.cores,
                server.pid.unwrap_or(0)
            )?;
        }
        writeln!(
            f,
            "  own CPU    {} per message ({:.2} cores)",
            time(self.own.us_per_msg),
            self.own.cores
        )
    }
}

/// Server memory with many idle connections open.
#[derive(Debug, Clone, Serialize)]
pub struct IdleReport {
    /// A name for the server, from `--label`.
    pub label: String,
    /// The server's URL.
    pub url: String,
    /// Connections opened (each with a completed handshake) and held.
    pub connections: usize,
    /// The server's `VmRSS` before connecting, KiB.
    pub rss_before_kib: u64,
    /// The server's `VmRSS` with all connections open and settled, KiB.
    pub rss_after_kib: u64,
    /// The growth per connection, KiB.
    pub kib_per_conn: f64,
}

impl fmt::Display for IdleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {}: {} idle connections, server RSS {} KiB -> {} KiB, {:.2} KiB per connection",
            self.label,
            self.url,
            self.connections,
            self.rss_before_kib,
            self.rss_after_kib,
            self.kib_per_conn
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_per_message() {
        let cpu = CpuUse::new(
            Some(7),
            Duration::from_millis(500),
            Duration::from_secs(1),
            1_000_000,
        );
        assert!((cpu.us_per_msg - 0.5).abs() < 1e-9);
        assert!((cpu.cores - 0.5).abs() < 1e-9);
        assert_eq!(
            CpuUse::new(None, Duration::ZERO, Duration::ZERO, 0).us_per_msg,
            0.0
        );
    }

    #[test]
    fn times_keep_their_digits() {
        assert_eq!(time(0.254), "0.25 µs");
        assert_eq!(time(123.4), "123 µs");
        assert_eq!(time(12_345.0), "12.3 ms");
    }
}
