//! How a result is shown in the index: text and colour class of the behavior and close cells,
//! following Autobahn's report (`fuzzing.py: createMasterReportHTML`), and whether it counts as
//! failing (red).

use serde::Serialize;

use super::load::Entry;
use crate::report::summary::is_failing;
use crate::report::Verdict;

/// Colour class of a verdict. The CSS in `templates/style.css` gives each its colour, and the
/// legend lists them; the short names keep a 2000-cell index small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub(crate) enum Class {
    /// Pass.
    #[serde(rename = "ok")]
    Ok,
    /// Non-strict: a SHOULD-level deviation, still conformant (also WRONG CODE close).
    #[serde(rename = "ns")]
    NonStrict,
    /// Failed.
    #[serde(rename = "fl")]
    Failed,
    /// Informational.
    #[serde(rename = "in")]
    Info,
    /// The legacy NO_CLOSE behavior.
    #[serde(rename = "nc")]
    NoClose,
    /// Close failed by the harness as client (FAILED BY CLIENT): "almost".
    #[serde(rename = "al")]
    Almost,
    /// The peer does not implement the feature under test.
    #[serde(rename = "un")]
    Unimplemented,
    /// Not run for this agent.
    #[serde(rename = "ms")]
    Missing,
}

/// Parses a verdict string as Autobahn writes it.
pub(crate) fn verdict(s: &str) -> Option<Verdict> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// Text and class of the behavior cell.
pub(crate) fn behavior_cell(behavior: &str) -> (&'static str, Class) {
    match verdict(behavior) {
        Some(Verdict::Ok) => ("Pass", Class::Ok),
        Some(Verdict::NonStrict) => ("Non-Strict", Class::NonStrict),
        Some(Verdict::NoClose) => ("No Close", Class::NoClose),
        Some(Verdict::Informational) => ("Info", Class::Info),
        Some(Verdict::Unimplemented) => ("Unimplemented", Class::Unimplemented),
        _ => ("Fail", Class::Failed),
    }
}

/// Text and class of the close cell: the remote close code, coloured by `behaviorClose`.
pub(crate) fn close_cell(entry: &Entry) -> (String, Class) {
    let code = || {
        entry
            .remote_close_code
            .map_or_else(|| "None".to_owned(), |c| c.to_string())
    };
    match verdict(&entry.behavior_close) {
        Some(Verdict::Ok) => (code(), Class::Ok),
        Some(Verdict::FailedByClient) => (code(), Class::Almost),
        Some(Verdict::WrongCode) => (code(), Class::NonStrict),
        Some(Verdict::Informational) => (code(), Class::Info),
        Some(Verdict::Unclean) => ("Unclean".to_owned(), Class::Failed),
        _ => ("Fail".to_owned(), Class::Failed),
    }
}

/// Whether the result is red in Autobahn's report. An unknown verdict string counts as failing,
/// as Autobahn's report shows it as "Fail"; UNIMPLEMENTED never fails.
pub(crate) fn failing(entry: &Entry) -> bool {
    let behavior = verdict(&entry.behavior);
    if behavior == Some(Verdict::Unimplemented) {
        return false;
    }
    match (behavior, verdict(&entry.behavior_close)) {
        (Some(b), Some(c)) => is_failing(b, c),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(b: &str, c: &str, code: Option<i64>) -> Entry {
        Entry {
            behavior: b.to_owned(),
            behavior_close: c.to_owned(),
            duration: None,
            remote_close_code: code,
            reportfile: None,
        }
    }

    #[test]
    fn cells_follow_autobahns_report() {
        assert_eq!(behavior_cell("OK"), ("Pass", Class::Ok));
        assert_eq!(behavior_cell("FAILED"), ("Fail", Class::Failed));
        assert_eq!(behavior_cell("bogus"), ("Fail", Class::Failed));
        assert_eq!(
            close_cell(&entry("OK", "WRONG CODE", Some(1002))),
            ("1002".to_owned(), Class::NonStrict)
        );
        assert_eq!(
            close_cell(&entry("OK", "UNCLEAN", Some(1000))),
            ("Unclean".to_owned(), Class::Failed)
        );
        assert_eq!(
            close_cell(&entry("OK", "OK", None)),
            ("None".to_owned(), Class::Ok)
        );
        assert!(!failing(
            &entry("FAILED", "x", None).clone_with("UNIMPLEMENTED")
        ));
        assert!(failing(&entry("OK", "UNCLEAN", None)));
        assert!(failing(&entry("OK", "weird", None)));
        assert!(!failing(&entry("NON-STRICT", "FAILED BY CLIENT", None)));
    }

    impl Entry {
        fn clone_with(&self, behavior: &str) -> Self {
            Self {
                behavior: behavior.to_owned(),
                ..self.clone()
            }
        }
    }
}
