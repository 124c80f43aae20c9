//! JUnit XML of a report directory, for CI tools (Jenkins, GitLab, GitHub test reporters).
//!
//! One `<testsuite>` per agent (and run), one `<testcase>` per case, named `Case 1.2.3` with the
//! case's section (`1 Framing`) as `classname`. A case fails exactly when Autobahn's HTML report
//! colours it red (see [`crate::report::summary::is_failing`]); its `<failure>` gives both
//! verdicts and Autobahn's reasons (`result`, `resultClose`). UNIMPLEMENTED cases are
//! `<skipped>`. The output follows the Jenkins `junit-10.xsd` schema (the one CI tools read):
//! required `name`/`tests`/`failures`/`errors` on suites, `name` on cases, times as seconds with
//! at most three decimals.

use std::path::Path;

use serde::Serialize;

use crate::html::{self, RenderError};

/// Counts of a written JUnit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JunitSummary {
    /// Test cases written (all agents).
    pub tests: usize,
    /// Failing test cases.
    pub failures: usize,
    /// Skipped (UNIMPLEMENTED) test cases.
    pub skipped: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct Doc {
    /// Test cases.
    pub(crate) tests: usize,
    /// Failing test cases.
    pub(crate) failures: usize,
    /// Skipped test cases.
    pub(crate) skipped: usize,
    /// Seconds, as the schema writes them.
    pub(crate) time: String,
    /// One per agent column.
    pub(crate) suites: Vec<Suite>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Suite {
    /// The name.
    pub(crate) name: String,
    /// Test cases.
    pub(crate) tests: usize,
    /// Failing test cases.
    pub(crate) failures: usize,
    /// Skipped test cases.
    pub(crate) skipped: usize,
    /// Seconds, as the schema writes them.
    pub(crate) time: String,
    /// The test cases.
    pub(crate) cases: Vec<TestCase>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TestCase {
    /// The name.
    pub(crate) name: String,
    /// The section, e.g. `1 Framing`.
    pub(crate) classname: String,
    /// Seconds, as the schema writes them.
    pub(crate) time: String,
    /// Set when the case is red in Autobahn's report.
    pub(crate) failure: Option<Failure>,
    /// Set (the reason) when the case is UNIMPLEMENTED.
    pub(crate) skipped: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Failure {
    /// The verdict that failed (`behavior`, else `behaviorClose`).
    pub(crate) kind: String,
    /// Both verdicts and both reasons on one line.
    pub(crate) message: String,
    /// The same, one item per line, with the close code and the case page.
    pub(crate) body: String,
}

/// Milliseconds as JUnit seconds (`1.234`), which the schema's time pattern accepts.
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

impl Doc {
    /// Counts of the document.
    pub(crate) fn summary(&self) -> JunitSummary {
        JunitSummary {
            tests: self.tests,
            failures: self.failures,
            skipped: self.skipped,
        }
    }
}

/// Writes the JUnit XML of the report in `dir` (see `wsharness report`) to `file`.
///
/// Returns the counts written and the warnings about files that could not be used.
pub fn write_junit(dir: &Path, file: &Path) -> Result<(JunitSummary, Vec<String>), RenderError> {
    let loaded = html::load_report(dir, None)?;
    let doc = html::junit_doc(&loaded);
    html::write_file(file, &html::render_junit(&doc)?)?;
    Ok((doc.summary(), loaded.warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_fit_the_schema_pattern() {
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(1234), "1.234");
        assert_eq!(seconds(100_005), "100.005");
    }
}
