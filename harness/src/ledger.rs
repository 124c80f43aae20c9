//! Expectation ledgers and the case-by-case diff of a run against one.
//!
//! A ledger (`reports/expected/<agent>-<server|client>.json`) records, per case, the verdicts an
//! implementation is known to get. It is Autobahn's `index.json` format without the fields that
//! change from run to run (`duration`, `reportfile`):
//!
//! ```json
//! { "agent": { "1.1.1": { "behavior": "OK", "behaviorClose": "OK", "remoteCloseCode": 1000 } } }
//! ```
//!
//! A case may carry `"excluded": "reason"`: the diff then skips it, and `--update` keeps the
//! reason. Because the format is Autobahn's, an `index.json` written by Autobahn|Testsuite or by
//! `wsharness` can be used on either side of a diff.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::record::Verdict;

/// What a ledger holds for one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Autobahn's `behavior`.
    pub behavior: Verdict,
    /// Autobahn's `behaviorClose`.
    #[serde(rename = "behaviorClose")]
    pub behavior_close: Verdict,
    /// The close code the peer sent, `null` when it sent none.
    #[serde(rename = "remoteCloseCode")]
    pub remote_close_code: Option<u16>,
    /// Why this case is left out of the diff, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
}

/// One agent's results: case id to entry, in case id order.
pub type AgentLedger = BTreeMap<CaseKey, LedgerEntry>;

/// A case id that sorts as Autobahn sorts them: by integer tuple, so `9.10` comes after `9.2`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseKey(Vec<u32>, String);

impl CaseKey {
    /// The id as written, such as `"6.4.1"`.
    pub fn as_str(&self) -> &str {
        &self.1
    }
}

impl From<&str> for CaseKey {
    fn from(id: &str) -> Self {
        let parts = id
            .split('.')
            .map(|p| p.parse().unwrap_or(u32::MAX))
            .collect();
        Self(parts, id.to_owned())
    }
}

impl Serialize for CaseKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.1)
    }
}

impl<'de> Deserialize<'de> for CaseKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        Ok(Self::from(id.as_str()))
    }
}

impl fmt::Display for CaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.1)
    }
}

/// A ledger or an index: agent name to that agent's results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ledger(pub BTreeMap<String, AgentLedger>);

/// Why a ledger could not be read or written.
#[derive(Debug)]
pub enum LedgerError {
    /// The file could not be read or written.
    Io(String, std::io::Error),
    /// The file is not a ledger or an index.
    Format(String, serde_json::Error),
    /// The agent asked for is not in the file.
    NoSuchAgent {
        /// The file.
        file: String,
        /// The agent asked for.
        agent: String,
        /// The agents the file has.
        present: Vec<String>,
    },
    /// The file has several agents and none was named.
    AmbiguousAgent {
        /// The file.
        file: String,
        /// The agents the file has.
        present: Vec<String>,
    },
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(file, e) => write!(f, "{file}: {e}"),
            Self::Format(file, e) => write!(f, "{file}: not a ledger or index.json: {e}"),
            Self::NoSuchAgent {
                file,
                agent,
                present,
            } => write!(
                f,
                "{file}: no agent {agent:?} (it has: {})",
                present.join(", ")
            ),
            Self::AmbiguousAgent { file, present } => write!(
                f,
                "{file}: several agents ({}); name one with --agent",
                present.join(", ")
            ),
        }
    }
}

impl std::error::Error for LedgerError {}

impl Ledger {
    /// Reads a ledger, or an `index.json` of a run (its extra fields are ignored).
    pub fn load(path: &Path) -> Result<Self, LedgerError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| LedgerError::Io(name.clone(), e))?;
        serde_json::from_str(&text).map_err(|e| LedgerError::Format(name, e))
    }

    /// Writes the ledger with sorted keys and a 3-space indent, as Autobahn writes its index.
    pub fn save(&self, path: &Path) -> Result<(), LedgerError> {
        let name = path.display().to_string();
        let value = serde_json::to_value(self).map_err(|e| LedgerError::Format(name.clone(), e))?;
        let mut text = crate::report::json::to_python_json(&value);
        text.push('\n');
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(|e| LedgerError::Io(name.clone(), e))?;
        std::fs::rename(&tmp, path).map_err(|e| LedgerError::Io(name, e))
    }

    /// The results of one agent: the one named, or the only one in the file.
    pub fn agent(
        &self,
        file: &str,
        agent: Option<&str>,
    ) -> Result<(&str, &AgentLedger), LedgerError> {
        let present = || self.0.keys().cloned().collect::<Vec<_>>();
        match agent {
            Some(name) => self
                .0
                .get_key_value(name)
                .map(|(k, v)| (k.as_str(), v))
                .ok_or_else(|| LedgerError::NoSuchAgent {
                    file: file.to_owned(),
                    agent: name.to_owned(),
                    present: present(),
                }),
            None if self.0.len() == 1 => {
                let (k, v) = self.0.iter().next().expect("one agent");
                Ok((k.as_str(), v))
            }
            None => Err(LedgerError::AmbiguousAgent {
                file: file.to_owned(),
                present: present(),
            }),
        }
    }
}

/// How a case's result moved between the ledger and a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A verdict got worse, or the case is missing from the run.
    Regression,
    /// Different, neither better nor worse (for example another close code).
    Changed,
    /// A verdict got better, and none got worse.
    Improvement,
}

/// One case whose result differs from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDiff {
    /// The case.
    pub id: CaseKey,
    /// What kind of difference.
    pub change: Change,
    /// The ledger's entry.
    pub expected: LedgerEntry,
    /// The run's entry; `None` when the run lacks the case.
    pub actual: Option<LedgerEntry>,
}

/// The result of comparing a run with a ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// The cases that differ, in case order.
    pub cases: Vec<CaseDiff>,
    /// Cases the run has and the ledger lacks (new cases: the ledger needs an update).
    pub unexpected: Vec<CaseKey>,
    /// Cases compared and found equal.
    pub unchanged: usize,
    /// Cases skipped because the ledger excludes them.
    pub excluded: usize,
}

impl Diff {
    /// How many differences are of this kind.
    pub fn count(&self, change: Change) -> usize {
        self.cases.iter().filter(|c| c.change == change).count()
    }

    /// Whether anything at all differs, new cases included.
    pub fn is_exact(&self) -> bool {
        self.cases.is_empty() && self.unexpected.is_empty()
    }
}

/// How good a `behavior` verdict is, for telling regressions from improvements.
fn behavior_rank(v: Verdict) -> u8 {
    match v {
        Verdict::Ok => 4,
        Verdict::NonStrict | Verdict::Informational | Verdict::NoClose => 3,
        Verdict::Unimplemented => 2,
        Verdict::WrongCode | Verdict::FailedByClient | Verdict::Unclean => 1,
        Verdict::Failed => 0,
    }
}

/// How good a `behaviorClose` verdict is. WRONG CODE and FAILED BY CLIENT are not red in
/// Autobahn's report, UNCLEAN is.
fn close_rank(v: Verdict) -> u8 {
    match v {
        Verdict::Ok | Verdict::Informational | Verdict::Unimplemented => 4,
        Verdict::NonStrict | Verdict::NoClose => 3,
        Verdict::WrongCode | Verdict::FailedByClient => 2,
        Verdict::Unclean => 1,
        Verdict::Failed => 0,
    }
}

fn classify(expected: &LedgerEntry, actual: &LedgerEntry) -> Option<Change> {
    let ranks = |e: &LedgerEntry| (behavior_rank(e.behavior), close_rank(e.behavior_close));
    let (eb, ec) = ranks(expected);
    let (ab, ac) = ranks(actual);
    if ab < eb || ac < ec {
        Some(Change::Regression)
    } else if ab > eb || ac > ec {
        Some(Change::Improvement)
    } else if expected.behavior != actual.behavior
        || expected.behavior_close != actual.behavior_close
        || expected.remote_close_code != actual.remote_close_code
    {
        Some(Change::Changed)
    } else {
        None
    }
}

/// Compares one agent's run with its ledger, case by case.
pub fn diff(expected: &AgentLedger, actual: &AgentLedger) -> Diff {
    let mut out = Diff::default();
    for (id, want) in expected {
        if want.excluded.is_some() {
            out.excluded += 1;
            continue;
        }
        let got = actual.get(id);
        let change = match got {
            None => Some(Change::Regression),
            Some(got) => classify(want, got),
        };
        match change {
            None => out.unchanged += 1,
            Some(change) => out.cases.push(CaseDiff {
                id: id.clone(),
                change,
                expected: want.clone(),
                actual: got.cloned(),
            }),
        }
    }
    out.unexpected = actual
        .keys()
        .filter(|id| !expected.contains_key(*id))
        .cloned()
        .collect();
    out
}

/// The ledger that `--update` writes: the run's results, keeping the old ledger's exclusions.
pub fn updated(expected: &AgentLedger, actual: &AgentLedger) -> AgentLedger {
    let mut out: AgentLedger = actual
        .iter()
        .map(|(id, e)| {
            let mut e = e.clone();
            e.excluded = None;
            (id.clone(), e)
        })
        .collect();
    for (id, old) in expected {
        if let Some(reason) = &old.excluded {
            let entry = out.entry(id.clone()).or_insert_with(|| old.clone());
            entry.excluded = Some(reason.clone());
        }
    }
    out
}

fn describe(e: Option<&LedgerEntry>) -> String {
    match e {
        None => "missing from the run".to_owned(),
        Some(e) => {
            let code = e
                .remote_close_code
                .map_or_else(|| "none".to_owned(), |c| c.to_string());
            format!("{} / {} / close {code}", e.behavior, e.behavior_close)
        }
    }
}

impl fmt::Display for Diff {
    /// One line per differing case, then a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.cases {
            let kind = match c.change {
                Change::Regression => "REGRESSION ",
                Change::Changed => "CHANGED    ",
                Change::Improvement => "IMPROVEMENT",
            };
            writeln!(
                f,
                "{kind} {:<8} expected {}, got {}",
                c.id,
                describe(Some(&c.expected)),
                describe(c.actual.as_ref())
            )?;
        }
        for id in &self.unexpected {
            writeln!(f, "NEW         {id:<8} not in the ledger")?;
        }
        write!(
            f,
            "{} regressions, {} changed, {} improvements, {} new, {} unchanged, {} excluded",
            self.count(Change::Regression),
            self.count(Change::Changed),
            self.count(Change::Improvement),
            self.unexpected.len(),
            self.unchanged,
            self.excluded
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(b: Verdict, c: Verdict, code: Option<u16>) -> LedgerEntry {
        LedgerEntry {
            behavior: b,
            behavior_close: c,
            remote_close_code: code,
            excluded: None,
        }
    }

    fn ledger(rows: &[(&str, LedgerEntry)]) -> AgentLedger {
        rows.iter()
            .map(|(id, e)| (CaseKey::from(*id), e.clone()))
            .collect()
    }

    #[test]
    fn case_keys_sort_as_integer_tuples() {
        let mut ids: Vec<CaseKey> = ["9.10.1", "9.2.1", "10.1.1", "1.1.10", "1.1.2"]
            .into_iter()
            .map(CaseKey::from)
            .collect();
        ids.sort();
        let ids: Vec<&str> = ids.iter().map(CaseKey::as_str).collect();
        assert_eq!(ids, ["1.1.2", "1.1.10", "9.2.1", "9.10.1", "10.1.1"]);
    }

    #[test]
    fn regressions_improvements_and_changes_are_told_apart() {
        use Verdict::*;
        let expected = ledger(&[
            ("1.1.1", entry(Ok, Ok, Some(1000))),
            ("2.1", entry(Ok, Ok, Some(1000))),
            ("3.1", entry(Failed, Ok, None)),
            ("4.1.1", entry(Ok, Ok, Some(1002))),
            ("5.1", entry(Ok, Ok, Some(1002))),
        ]);
        let actual = ledger(&[
            ("1.1.1", entry(Ok, Ok, Some(1000))),
            ("2.1", entry(Ok, Unclean, Some(1000))),
            ("3.1", entry(Ok, Ok, None)),
            ("4.1.1", entry(Ok, Ok, None)),
            ("6.1.1", entry(Ok, Ok, Some(1000))),
        ]);
        let d = diff(&expected, &actual);
        let kinds: Vec<(&str, Change)> =
            d.cases.iter().map(|c| (c.id.as_str(), c.change)).collect();
        assert_eq!(
            kinds,
            [
                ("2.1", Change::Regression),
                ("3.1", Change::Improvement),
                ("4.1.1", Change::Changed),
                ("5.1", Change::Regression),
            ]
        );
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.unexpected, [CaseKey::from("6.1.1")]);
        assert!(d.cases[3].actual.is_none(), "5.1 is missing from the run");
        assert_eq!(
            d.to_string().lines().last(),
            Some("2 regressions, 1 changed, 1 improvements, 1 new, 1 unchanged, 0 excluded")
        );
    }

    #[test]
    fn excluded_cases_are_skipped_and_survive_an_update() {
        use Verdict::*;
        let mut flaky = entry(Ok, Ok, Some(1000));
        flaky.excluded = Some("timing-dependent".to_owned());
        let expected = ledger(&[("9.7.6", flaky), ("1.1.1", entry(Ok, Ok, Some(1000)))]);
        let actual = ledger(&[
            ("9.7.6", entry(Failed, Ok, Some(1000))),
            ("1.1.1", entry(Ok, Ok, Some(1000))),
        ]);
        let d = diff(&expected, &actual);
        assert!(d.is_exact(), "{d}");
        assert_eq!(d.excluded, 1);
        let new = updated(&expected, &actual);
        let kept = &new[&CaseKey::from("9.7.6")];
        assert_eq!(kept.excluded.as_deref(), Some("timing-dependent"));
        assert_eq!(
            kept.behavior, Failed,
            "the update records the run's verdict"
        );
    }

    #[test]
    fn an_autobahn_index_reads_as_a_ledger() {
        let index = r#"{"ws": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK", "duration": 2,
            "remoteCloseCode": 1000, "reportfile": "ws_case_1_1_1.json"},
            "7.13.1": {"behavior": "INFORMATIONAL", "behaviorClose": "INFORMATIONAL", "duration": 1,
            "remoteCloseCode": null, "reportfile": "ws_case_7_13_1.json"}}}"#;
        let l: Ledger = serde_json::from_str(index).expect("index parses");
        let (agent, rows) = l.agent("index.json", None).expect("one agent");
        assert_eq!(agent, "ws");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[&CaseKey::from("7.13.1")].remote_close_code, None);
        assert!(matches!(
            l.agent("index.json", Some("other")),
            Err(LedgerError::NoSuchAgent { .. })
        ));
    }
}
