//! The end-of-run summary: counts per verdict, the failing cases, the wall time.
//!
//! A case "fails" when Autobahn's HTML report colours it red (`case_failed`): `behavior` other
//! than OK, NON-STRICT, NO_CLOSE or INFORMATIONAL, or `behaviorClose` other than OK,
//! FAILED BY CLIENT, WRONG CODE or INFORMATIONAL; UNIMPLEMENTED cases are never red.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::record::{CaseRecord, Verdict};

/// Whether Autobahn's report shows this result in red.
pub fn is_failing(behavior: Verdict, behavior_close: Verdict) -> bool {
    use Verdict::*;
    if behavior == Unimplemented {
        return false;
    }
    let behavior_ok = matches!(behavior, Ok | NonStrict | NoClose | Informational);
    let close_ok = matches!(
        behavior_close,
        Ok | FailedByClient | WrongCode | Informational
    );
    !(behavior_ok && close_ok)
}

/// Results of one agent's run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentSummary {
    /// The agent.
    pub agent: String,
    /// Number of cases per `behavior`.
    pub behavior: BTreeMap<Verdict, usize>,
    /// Number of cases per `behaviorClose`.
    pub behavior_close: BTreeMap<Verdict, usize>,
    /// Ids of the failing cases (see [`is_failing`]), in case order once [`Self::finish`] ran.
    pub failing: Vec<String>,
    /// Ids of the cases whose `behavior` is FAILED.
    pub failed: Vec<String>,
    /// Number of cases recorded.
    pub cases: usize,
}

impl AgentSummary {
    /// An empty summary for `agent`.
    pub fn new(agent: impl Into<String>) -> Self {
        Self {
            agent: agent.into(),
            ..Self::default()
        }
    }

    /// Counts one finished case.
    pub fn add(&mut self, record: &CaseRecord) {
        self.cases += 1;
        *self.behavior.entry(record.behavior).or_default() += 1;
        *self
            .behavior_close
            .entry(record.behavior_close)
            .or_default() += 1;
        if is_failing(record.behavior, record.behavior_close) {
            self.failing.push(record.id.clone());
        }
        if record.behavior == Verdict::Failed {
            self.failed.push(record.id.clone());
        }
    }

    /// Sorts the id lists by integer tuple (cases finish in any order when run concurrently).
    pub fn finish(&mut self) {
        self.failing.sort_by_key(|id| id_key(id));
        self.failed.sort_by_key(|id| id_key(id));
    }
}

fn id_key(id: &str) -> Vec<u64> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u64::MAX))
        .collect()
}

/// The summary of a whole run (one or more agents).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// One entry per agent, in run order.
    pub agents: Vec<AgentSummary>,
    /// Servers that could not be tested: (URL, why).
    pub unreachable: Vec<(String, String)>,
    /// Wall time of the whole run.
    pub wall_time: Duration,
}

impl RunSummary {
    /// True when some case of some agent failed (red in Autobahn's report): the run's exit status.
    pub fn has_failures(&self) -> bool {
        self.agents.iter().any(|a| !a.failing.is_empty())
    }
}

/// `behavior` verdicts always listed, in this order, so summaries line up.
const LISTED_BEHAVIOR: &[Verdict] = &[
    Verdict::Ok,
    Verdict::NonStrict,
    Verdict::Informational,
    Verdict::Unimplemented,
    Verdict::Failed,
];

/// `behaviorClose` verdicts always listed, in this order.
const LISTED_CLOSE: &[Verdict] = &[
    Verdict::Ok,
    Verdict::WrongCode,
    Verdict::FailedByClient,
    Verdict::Unclean,
    Verdict::Informational,
    Verdict::Failed,
];

/// Writes `OK 3, FAILED 0, ...`: the `listed` verdicts, then any other one present.
fn write_counts(
    f: &mut fmt::Formatter<'_>,
    listed: &[Verdict],
    counts: &BTreeMap<Verdict, usize>,
) -> fmt::Result {
    let extra = counts.keys().filter(|v| !listed.contains(v));
    for (i, v) in listed.iter().chain(extra).enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{v} {}", counts.get(v).copied().unwrap_or(0))?;
    }
    Ok(())
}

impl fmt::Display for AgentSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {} cases", self.agent, self.cases)?;
        f.write_str("  behavior:      ")?;
        write_counts(f, LISTED_BEHAVIOR, &self.behavior)?;
        f.write_str("\n  behaviorClose: ")?;
        write_counts(f, LISTED_CLOSE, &self.behavior_close)?;
        writeln!(f)?;
        if self.failing.is_empty() {
            writeln!(f, "  no failing case")
        } else {
            writeln!(
                f,
                "  {} failing: {}",
                self.failing.len(),
                self.failing.join(" ")
            )
        }
    }
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for agent in &self.agents {
            write!(f, "{agent}")?;
        }
        for (url, reason) in &self.unreachable {
            writeln!(f, "{url}: not tested: {reason}")?;
        }
        writeln!(f, "wall time: {:.1} s", self.wall_time.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    #[test]
    fn red_cells_follow_autobahns_html_report() {
        assert!(!is_failing(Ok, Ok));
        assert!(!is_failing(NonStrict, WrongCode));
        assert!(!is_failing(Informational, Informational));
        assert!(!is_failing(Ok, FailedByClient));
        assert!(!is_failing(Unimplemented, Failed));
        assert!(is_failing(Failed, Ok));
        assert!(is_failing(Ok, Unclean));
        assert!(is_failing(Ok, Failed));
    }
}
