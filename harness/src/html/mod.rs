//! Human-readable reports: `index.html` beside `index.json`, one page per case, and `junit.xml`.
//!
//! They are rendered from the JSON of a report directory, ours or Autobahn|Testsuite's (the
//! formats are the same), with the templates of `harness/templates`. The pages are
//! self-contained (inline CSS and a few lines of inline script, nothing from the network), so a
//! report can be archived by CI and opened anywhere. A directory whose sub-directories hold
//! reports too (several runs) gets one index showing them side by side.
//!
//! Entry points: [`write_html_reports`] (the runner calls it after a run) and
//! [`write_reports`] (`wsharness report DIR [--junit FILE]`).

mod case_page;
mod categories;
mod cells;
mod error;
mod index;
mod load;
mod templates;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use minijinja::value::Serde;
use minijinja::Environment;

pub use error::RenderError;

use crate::junit::{self, JunitSummary};
use case_page::CasePage;
use categories::section_title;
use cells::{failing, verdict};
use index::{CaseInfo, IndexPage, Infos};
use load::{CaseId, Column};

/// Name of the master report written beside `index.json`.
pub const INDEX_HTML: &str = "index.html";
/// Name of the JUnit file written into the report directory.
pub const JUNIT_FILE: &str = "junit.xml";

/// What [`write_reports`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderSummary {
    /// The master report.
    pub index: PathBuf,
    /// Column groups (agents of runs) in the index.
    pub columns: usize,
    /// Case rows in the index.
    pub cases: usize,
    /// Case pages written.
    pub pages: usize,
    /// Rows with at least one failing (red) cell.
    pub failing_rows: usize,
    /// The JUnit counts.
    pub junit: JunitSummary,
    /// Files that could not be used (a case without its JSON shows in the index without a page).
    pub warnings: Vec<String>,
}

/// The parsed report directory.
pub(crate) struct Loaded {
    /// The column groups (agents of runs).
    pub(crate) columns: Vec<Column>,
    /// What the index needs from each readable per-case record.
    pub(crate) infos: Infos,
    /// The (column, case) pairs whose page was written.
    pub(crate) pages: BTreeSet<(usize, CaseId)>,
    /// Files that could not be used.
    pub(crate) warnings: Vec<String>,
}

/// Reads the report in `dir`; with `env`, also writes each case page beside its JSON.
///
/// Records are read one at a time and dropped after use, so memory stays at one record plus
/// the small [`CaseInfo`] of each case, however large the wire logs are.
pub(crate) fn load_report(
    dir: &Path,
    env: Option<&Environment<'_>>,
) -> Result<Loaded, RenderError> {
    let mut warnings = Vec::new();
    let columns = load::discover(dir, &mut warnings)?;
    let mut infos = Infos::new();
    let mut pages = BTreeSet::new();
    for (ci, column) in columns.iter().enumerate() {
        let index_href = if column.run.is_some() {
            format!("../{INDEX_HTML}")
        } else {
            INDEX_HTML.to_owned()
        };
        for (id, entry) in &column.entries {
            let record = match load::read_case(column, id, entry) {
                Ok(record) => record,
                Err(w) => {
                    warnings.push(w);
                    continue;
                }
            };
            infos.insert((ci, id.clone()), CaseInfo::from_record(&record));
            if let Some(env) = env {
                let page = CasePage::new(&column.agent, id, entry, &record, index_href.clone());
                let html = render(env, "case.html", &page)?;
                write_file(&column.dir.join(column.page_name(id)), &html)?;
                pages.insert((ci, id.clone()));
            }
        }
    }
    Ok(Loaded {
        columns,
        infos,
        pages,
        warnings,
    })
}

fn render<T: serde::Serialize>(
    env: &Environment<'_>,
    name: &'static str,
    ctx: &T,
) -> Result<String, RenderError> {
    env.get_template(name)
        .and_then(|t| t.render(Serde(ctx)))
        .map_err(|source| RenderError::Template { name, source })
}

/// Writes `text` to `path` through a temporary file and a rename, so a reader (a browser, CI
/// archiving) never sees half a file.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), RenderError> {
    let err = |source| RenderError::Write {
        path: path.to_owned(),
        source,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, text).map_err(err)?;
    fs::rename(&tmp, path).map_err(err)
}

/// Writes `index.html`, the case pages and `junit.xml` for the report in `dir`, and the JUnit
/// XML also to `junit` when given.
pub fn write_reports(dir: &Path, junit: Option<&Path>) -> Result<RenderSummary, RenderError> {
    let env = templates::environment();
    let loaded = load_report(dir, Some(&env))?;
    let page = IndexPage::new(
        &loaded.columns,
        &loaded.infos,
        &loaded.pages,
        loaded.warnings.clone(),
    );
    let index = dir.join(INDEX_HTML);
    write_file(&index, &render(&env, "index.html", &page)?)?;
    let doc = junit_doc(&loaded);
    let xml = render(&env, "junit.xml", &doc)?;
    write_file(&dir.join(JUNIT_FILE), &xml)?;
    if let Some(file) = junit {
        write_file(file, &xml)?;
    }
    Ok(RenderSummary {
        index,
        columns: loaded.columns.len(),
        cases: page.cases,
        pages: loaded.pages.len(),
        failing_rows: page.failing_rows,
        junit: doc.summary(),
        warnings: loaded.warnings,
    })
}

/// Writes `index.html`, a page per case and `junit.xml` into `dir`, from the JSON reports there
/// (and in its sub-directories). The runner calls this after each run.
pub fn write_html_reports(dir: &Path) -> Result<RenderSummary, RenderError> {
    write_reports(dir, None)
}

/// Renders a JUnit document with the `junit.xml` template.
pub(crate) fn render_junit(doc: &junit::Doc) -> Result<String, RenderError> {
    render(&templates::environment(), "junit.xml", doc)
}

/// The JUnit document of a loaded report.
pub(crate) fn junit_doc(loaded: &Loaded) -> junit::Doc {
    let mut suites = Vec::new();
    for (ci, column) in loaded.columns.iter().enumerate() {
        let mut cases = Vec::new();
        let (mut failures, mut skipped, mut ms) = (0, 0, 0u64);
        for (id, entry) in &column.entries {
            let info = loaded.infos.get(&(ci, id.clone()));
            let duration = entry.duration.unwrap_or(0);
            ms = ms.saturating_add(duration);
            let reason = |f: fn(&CaseInfo) -> &String| info.map(f).cloned().unwrap_or_default();
            let unimplemented =
                verdict(&entry.behavior) == Some(crate::report::Verdict::Unimplemented);
            let failure = failing(entry).then(|| {
                let behavior_bad = !matches!(entry.behavior.as_str(), "OK" | "NON-STRICT" | "NO_CLOSE" | "INFORMATIONAL");
                junit::Failure {
                    kind: if behavior_bad {
                        entry.behavior.clone()
                    } else {
                        entry.behavior_close.clone()
                    },
                    message: format!(
                        "behavior {}, behaviorClose {}: {} / {}",
                        entry.behavior,
                        entry.behavior_close,
                        reason(|i| &i.result),
                        reason(|i| &i.result_close)
                    ),
                    body: format!(
                        "behavior: {}\nresult: {}\nbehaviorClose: {}\nresultClose: {}\nremoteCloseCode: {}\nreport: {}",
                        entry.behavior,
                        reason(|i| &i.result),
                        entry.behavior_close,
                        reason(|i| &i.result_close),
                        entry.remote_close_code.map_or_else(|| "None".to_owned(), |c| c.to_string()),
                        column.page_name(id)
                    ),
                }
            });
            failures += usize::from(failure.is_some());
            skipped += usize::from(unimplemented);
            cases.push(junit::TestCase {
                name: format!("Case {}", id.as_str()),
                classname: format!("{} {}", id.section(), section_title(id.section())),
                time: junit::seconds(duration),
                failure,
                skipped: unimplemented.then(|| format!("UNIMPLEMENTED: {}", reason(|i| &i.result))),
            });
        }
        suites.push(junit::Suite {
            name: column.label(),
            tests: cases.len(),
            failures,
            skipped,
            time: junit::seconds(ms),
            cases,
        });
    }
    junit::Doc {
        tests: suites.iter().map(|s| s.tests).sum(),
        failures: suites.iter().map(|s| s.failures).sum(),
        skipped: suites.iter().map(|s| s.skipped).sum(),
        time: junit::seconds(
            loaded
                .columns
                .iter()
                .flat_map(|c| c.entries.values())
                .map(|e| e.duration.unwrap_or(0))
                .fold(0, u64::saturating_add),
        ),
        suites,
    }
}
