//! What the kernel says about a process (Linux `/proc`): CPU time used and resident memory,
//! read before and after a run to charge a server (or the load generator) per message.

use std::time::Duration;

/// Clock ticks per second of the times in `/proc/PID/stat` (`USER_HZ`): fixed at 100 by the
/// kernel's user-space ABI on every architecture this runs on, whatever the kernel's own HZ.
const USER_HZ: u64 = 100;

/// Which process: a PID, or the load generator itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pid {
    /// `/proc/self`.
    Own,
    /// `/proc/PID`.
    Of(u32),
}

impl Pid {
    fn dir(self) -> String {
        match self {
            Self::Own => "/proc/self".to_owned(),
            Self::Of(pid) => format!("/proc/{pid}"),
        }
    }
}

/// User plus system CPU time of all the process's threads so far (10 ms resolution).
///
/// # Errors
///
/// When the process is gone or `/proc` is not there.
pub(super) fn cpu_time(pid: Pid) -> std::io::Result<Duration> {
    let stat = std::fs::read_to_string(format!("{}/stat", pid.dir()))?;
    parse_cpu_time(&stat).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "unreadable /proc stat")
    })
}

/// utime and stime are fields 14 and 15 (proc(5)); the command name (field 2) may hold
/// spaces and parentheses, so fields are counted from its last `)`.
fn parse_cpu_time(stat: &str) -> Option<Duration> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 1000 / USER_HZ))
}

/// The resident set size (`VmRSS`) in KiB.
///
/// # Errors
///
/// When the process is gone or `/proc` is not there.
pub(super) fn rss_kib(pid: Pid) -> std::io::Result<u64> {
    let status = std::fs::read_to_string(format!("{}/status", pid.dir()))?;
    parse_rss(&status)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no VmRSS in status"))
}

fn parse_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_counts_from_the_last_parenthesis() {
        let stat = "42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 1 0";
        assert_eq!(parse_cpu_time(stat), Some(Duration::from_millis(3800)));
        assert_eq!(parse_cpu_time("42 (x) S 1"), None);
    }

    #[test]
    fn rss_is_read_in_kib() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t    1234 kB\n";
        assert_eq!(parse_rss(status), Some(1234));
    }

    #[test]
    fn own_process_is_readable() {
        assert!(rss_kib(Pid::Own).expect("rss") > 0);
        cpu_time(Pid::Own).expect("cpu time");
    }
}
