//! Which cases may run at the same time as which.
//!
//! Cases are independent connections and most of them spend their time waiting, so many run
//! at once. Three kinds do not:
//! - timed cases (Autobahn's `reportTime` on the 9.x performance cases): their durations are
//!   measurements, and their megabyte messages can slow a peer down enough that concurrent
//!   cases miss Autobahn's 1 s closing-handshake timeout;
//! - timing-sensitive cases ([`is_timing_sensitive`]: chopped or synced writes), whose
//!   OK/NON-STRICT distinction rests on how fast the peer reads;
//! - the echo-checked compression cases (sections 12 and 13): they are bound by the CPU
//!   (deflating and inflating up to 131 MB each way), and their verdict only asks that every
//!   echo be right within a 60 s budget, so they run one per CPU, never beside other cases.
//!
//! Alone or among their own kind, they see the peer as Autobahn's one-case-at-a-time run
//! does, so verdicts do not depend on `jobs`.

use crate::case::Case;
use crate::engine::is_timing_sensitive;

/// How a case shares the peer with other cases in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// With any other shared case, up to `jobs` at once.
    Shared,
    /// Only with cases of its own kind, at most one per CPU.
    PerCpu,
    /// With no other case in flight.
    Alone,
}

impl Sharing {
    /// The sharing of `case`.
    pub fn of(case: &Case) -> Self {
        if case.echo_check.is_some() {
            Self::PerCpu
        } else if case.report_time || is_timing_sensitive(case) {
            Self::Alone
        } else {
            Self::Shared
        }
    }
}

/// Decides when the next case may start, given what is in flight.
#[derive(Debug, Clone, Copy)]
pub struct Admission {
    jobs: usize,
    /// The CPUs, read once: on Linux `available_parallelism` reads the cgroup's files.
    cpus: usize,
    /// The kind of the cases in flight (all the same kind, or none in flight).
    in_flight_kind: Option<Sharing>,
}

impl Admission {
    /// An admission policy for `jobs` cases at once.
    pub fn new(jobs: usize) -> Self {
        Self {
            jobs: jobs.max(1),
            cpus: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            in_flight_kind: None,
        }
    }

    /// The most cases of kind `kind` in flight at once.
    fn limit(&self, kind: Sharing) -> usize {
        match kind {
            Sharing::Shared => self.jobs,
            Sharing::PerCpu => self.cpus.min(self.jobs),
            Sharing::Alone => 1,
        }
    }

    /// Whether a case of kind `next` may start while `in_flight` cases run. When it may not,
    /// the caller waits for one to finish and asks again.
    pub fn admits(&self, next: Sharing, in_flight: usize) -> bool {
        if in_flight == 0 {
            return true;
        }
        self.in_flight_kind == Some(next) && in_flight < self.limit(next)
    }

    /// Records that a case of kind `kind` started (after [`Admission::admits`] said yes).
    pub fn started(&mut self, kind: Sharing) {
        self.in_flight_kind = Some(kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_cases_fill_the_jobs() {
        let mut a = Admission::new(3);
        for n in 0..3 {
            assert!(a.admits(Sharing::Shared, n));
            a.started(Sharing::Shared);
        }
        assert!(!a.admits(Sharing::Shared, 3));
    }

    #[test]
    fn a_lone_case_waits_for_an_empty_peer_and_keeps_it() {
        let mut a = Admission::new(8);
        a.started(Sharing::Shared);
        assert!(!a.admits(Sharing::Alone, 1));
        assert!(a.admits(Sharing::Alone, 0));
        a.started(Sharing::Alone);
        assert!(!a.admits(Sharing::Alone, 1));
        assert!(!a.admits(Sharing::Shared, 1));
    }

    #[test]
    fn per_cpu_cases_run_among_themselves_only() {
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let mut a = Admission::new(64);
        a.started(Sharing::Shared);
        assert!(!a.admits(Sharing::PerCpu, 1), "not beside a shared case");
        let mut a = Admission::new(64);
        for n in 0..cpus {
            assert!(a.admits(Sharing::PerCpu, n));
            a.started(Sharing::PerCpu);
        }
        assert!(!a.admits(Sharing::PerCpu, cpus), "at most one per CPU");
        assert!(!a.admits(Sharing::Shared, 1), "no shared case beside them");
    }

    #[test]
    fn per_cpu_never_exceeds_jobs() {
        let mut a = Admission::new(1);
        a.started(Sharing::PerCpu);
        assert!(!a.admits(Sharing::PerCpu, 1));
    }
}
