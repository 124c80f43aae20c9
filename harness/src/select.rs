//! Case selection with Autobahn's pattern rules (`caseset.py`: `parseSpecCases`,
//! `parseExcludeAgentCases`, `checkAgentCaseExclude`).
//!
//! - A pattern containing `*` becomes a regular expression: `.` is escaped, `*` becomes `.*`,
//!   and it is tried with Python's `re.match`, which anchors at the start only. So `1.*`
//!   selects `1.1.1` but not `11.1`, `*` selects everything, and `*.1` selects every id
//!   containing `.1` after its first character (`1.1.1`, `6.10.1`, ...).
//! - Any other pattern is taken literally, as one case id.
//! - Selected = cases - exclude-cases, deduplicated and sorted by integer tuple (`9.10` after `9.2`).
//! - `exclude-agent-cases` maps an agent pattern to case patterns; both are anchored at both
//!   ends (`^...$`) with the same `.`/`*` translation.
//!
//! Autobahn leaves any other regex syntax in a pattern active; so do we (`1.1.[1-3]*` works),
//! and a pattern that is not a valid expression is an error. Where Autobahn crashes, we
//! report an error instead: a literal pattern in `cases` that names no case is an error; a
//! literal in `exclude-cases` that names no case is ignored, as in Autobahn.

use std::collections::BTreeSet;

use regex::Regex;

use crate::case::CaseId;

/// Why a selection could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// A `*` pattern did not translate into a valid regular expression.
    #[error("invalid case pattern {pattern:?}: {reason}")]
    BadPattern {
        /// The pattern as given.
        pattern: String,
        /// The regex compiler's message.
        reason: String,
    },
    /// A literal pattern in the selected cases names no case of the corpus.
    #[error("unknown case {0:?} (no such case in the corpus; use a pattern like \"1.*\" to select several)")]
    UnknownCase(String),
}

/// Autobahn's pattern translation: `.` -> `\.`, `*` -> `.*`, nothing else changed.
fn translate(pattern: &str) -> String {
    pattern.replace('.', r"\.").replace('*', ".*")
}

fn compile(pattern: &str, regex: &str) -> Result<Regex, SelectError> {
    Regex::new(regex).map_err(|e| SelectError::BadPattern {
        pattern: pattern.to_owned(),
        reason: e.to_string(),
    })
}

/// The ids of `all` that `patterns` name (Autobahn's `resolveCasePatternList`). Literals that
/// name no case are returned in `unknown`.
fn resolve<'a>(
    all: &'a [CaseId],
    patterns: &[String],
    unknown: &mut Vec<String>,
) -> Result<BTreeSet<&'a CaseId>, SelectError> {
    let mut out = BTreeSet::new();
    for pattern in patterns {
        if pattern.contains('*') {
            // re.match: anchored at the start, not at the end.
            let re = compile(pattern, &format!("^(?:{})", translate(pattern)))?;
            out.extend(all.iter().filter(|id| re.is_match(&id.to_string())));
        } else {
            match all.iter().find(|id| id.to_string() == *pattern) {
                Some(id) => {
                    out.insert(id);
                }
                None => unknown.push(pattern.clone()),
            }
        }
    }
    Ok(out)
}

/// Autobahn's `parseSpecCases`: the ids of `all` selected by `cases` minus those selected by
/// `exclude`, sorted by integer tuple.
pub fn select_cases(
    all: &[CaseId],
    cases: &[String],
    exclude: &[String],
) -> Result<Vec<CaseId>, SelectError> {
    let mut unknown = Vec::new();
    let selected = resolve(all, cases, &mut unknown)?;
    if let Some(first) = unknown.into_iter().next() {
        return Err(SelectError::UnknownCase(first));
    }
    let excluded = resolve(all, exclude, &mut Vec::new())?;
    // BTreeSet<&CaseId> iterates in CaseId order, which is integer-tuple order.
    Ok(selected
        .difference(&excluded)
        .map(|id| (*id).clone())
        .collect())
}

/// Autobahn's `exclude-agent-cases`: per agent pattern, case patterns to skip for that agent.
#[derive(Debug, Clone, Default)]
pub struct AgentCaseExcludes {
    rules: Vec<(Regex, Vec<Regex>)>,
}

impl AgentCaseExcludes {
    /// Compiles `{agentPattern: [casePattern, ...]}`; every pattern is anchored `^...$`.
    pub fn new<'a, I, P>(rules: I) -> Result<Self, SelectError>
    where
        I: IntoIterator<Item = (&'a String, P)>,
        P: IntoIterator<Item = &'a String>,
    {
        // Autobahn compiles "^" + p + "$" and calls re.match, which anchors at the start
        // again; with an alternation inside, `^a|b$` then means "starts with a, or is b".
        let anchored = |p: &String| compile(p, &format!("^(?:^{}$)", translate(p)));
        let rules = rules
            .into_iter()
            .map(|(agent, cases)| {
                let cases = cases.into_iter().map(anchored).collect::<Result<_, _>>()?;
                Ok((anchored(agent)?, cases))
            })
            .collect::<Result<_, SelectError>>()?;
        Ok(Self { rules })
    }

    /// Whether `case` is to be skipped for `agent` (Autobahn's `checkAgentCaseExclude`).
    pub fn is_excluded(&self, agent: &str, case: &str) -> bool {
        self.rules
            .iter()
            .any(|(a, cases)| a.is_match(agent) && cases.iter().any(|c| c.is_match(case)))
    }

    /// True when there is no rule at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
