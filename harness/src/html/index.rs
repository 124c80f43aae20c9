//! The view of the master report (`index.html`): cases grouped by section and subsection, one
//! column group per agent (and run), counts per agent and per section.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::categories::{section_title, subsection_title};
use super::cells::{behavior_cell, close_cell, failing, Class};
use super::load::{CaseId, Column};

/// What the index needs from a per-case record (the rest stays on the case page).
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseInfo {
    /// The case description (simple HTML).
    pub(crate) description: String,
    /// The expectation (simple HTML).
    pub(crate) expectation: String,
    /// Why `behavior` is what it is.
    pub(crate) result: String,
    /// Why `behaviorClose` is what it is.
    pub(crate) result_close: String,
    /// Autobahn's cell detail: `N ms` for timed cases, `[in/out]` compression ratios.
    pub(crate) detail: String,
}

impl CaseInfo {
    /// Extracts the index's part of a per-case record.
    pub(crate) fn from_record(record: &Map<String, Value>) -> Self {
        let text = |k: &str| {
            record
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let flag = |k: &str| record.get(k).and_then(Value::as_bool).unwrap_or(false);
        let mut detail = String::new();
        if flag("reportTime") {
            if let Some(ms) = record.get("duration").and_then(Value::as_u64) {
                detail.push_str(&format!("{ms} ms"));
            }
        }
        if let (true, Some(Value::Object(t))) =
            (flag("reportCompressionRatio"), record.get("trafficStats"))
        {
            let ratio = |k: &str| {
                t.get(k)
                    .and_then(Value::as_f64)
                    .map_or_else(|| "-".to_owned(), |r| format!("{r:.3}"))
            };
            if !detail.is_empty() {
                detail.push(' ');
            }
            detail.push_str(&format!(
                "[{}/{}]",
                ratio("incomingCompressionRatio"),
                ratio("outgoingCompressionRatio")
            ));
        }
        Self {
            description: text("description"),
            expectation: text("expectation"),
            result: text("result"),
            result_close: text("resultClose"),
            detail,
        }
    }
}

/// Per-case information read from the per-case records, by column index and case.
pub(crate) type Infos = BTreeMap<(usize, CaseId), CaseInfo>;

/// The whole master report.
#[derive(Debug, Serialize)]
pub(crate) struct IndexPage {
    /// The column groups.
    pub(crate) columns: Vec<ColumnHead>,
    /// The sections, in case order.
    pub(crate) sections: Vec<Section>,
    /// Descriptions of the cases, in case order.
    pub(crate) descriptions: Vec<Description>,
    /// Number of case rows.
    pub(crate) cases: usize,
    /// Number of case rows with at least one failing cell.
    pub(crate) failing_rows: usize,
    /// Files that could not be used.
    pub(crate) warnings: Vec<String>,
}

/// An agent column group's heading and its counts.
#[derive(Debug, Serialize)]
pub(crate) struct ColumnHead {
    /// The heading.
    pub(crate) label: String,
    /// Cases per shown outcome, in legend order, zero counts left out.
    pub(crate) counts: Vec<Count>,
    /// Failing (red) cases.
    pub(crate) failing: usize,
    /// Cases run.
    pub(crate) run: usize,
}

/// A number of cells of one class.
#[derive(Debug, Serialize)]
pub(crate) struct Count {
    /// The text shown.
    pub(crate) text: &'static str,
    /// The colour class.
    pub(crate) class: Class,
    /// How many.
    pub(crate) n: usize,
}

/// A section (`1 Framing`) and its cases.
#[derive(Debug, Serialize)]
pub(crate) struct Section {
    /// The section number.
    pub(crate) num: u32,
    /// The heading.
    pub(crate) title: String,
    /// The anchor.
    pub(crate) anchor: String,
    /// Whether some cell of the section fails (the failure filter keeps it).
    pub(crate) fail: bool,
    /// Per column: (failing, run) in this section.
    pub(crate) stats: Vec<(usize, usize)>,
    /// Estimated height in pixels, for the browser to reserve while the section is off screen.
    pub(crate) height: usize,
    /// The subsections.
    pub(crate) groups: Vec<Group>,
}

/// The cases of one subsection (or of a section without subsections).
#[derive(Debug, Serialize)]
pub(crate) struct Group {
    /// `1.1 Text Messages`; `None` when Autobahn shows no subsection heading.
    pub(crate) title: Option<String>,
    /// Whether some cell fails (the failure filter keeps it).
    pub(crate) fail: bool,
    /// The case rows.
    pub(crate) rows: Vec<Row>,
}

/// One case row.
#[derive(Debug, Serialize)]
pub(crate) struct Row {
    /// The case id.
    pub(crate) id: String,
    /// `1_2_3`, for the row's and the description's anchors.
    pub(crate) key: String,
    /// Whether some cell fails (the failure filter keeps it).
    pub(crate) fail: bool,
    /// One per column group.
    pub(crate) cells: Vec<Cell>,
}

/// One agent's cells for one case.
#[derive(Debug, Serialize)]
pub(crate) struct Cell {
    /// `Some(..)` for a result; `None` for Missing. Unimplemented has class `un`.
    pub(crate) text: &'static str,
    /// The colour class.
    pub(crate) class: Class,
    /// Link to the case page, when it was written.
    pub(crate) href: Option<String>,
    /// Duration or compression ratios, for the cases that report them.
    pub(crate) detail: String,
    /// The close cell text.
    pub(crate) close_text: String,
    /// The close cell colour class.
    pub(crate) close_class: Class,
    /// Tooltip: the verdicts as written.
    pub(crate) title: String,
    /// The cell spans both columns (Unimplemented, Missing).
    pub(crate) merged: bool,
}

/// A case's description and expectation, listed at the bottom of the index.
#[derive(Debug, Serialize)]
pub(crate) struct Description {
    /// The case id.
    pub(crate) id: String,
    /// The id with `_` for `.`, for anchors.
    pub(crate) key: String,
    /// The case description (simple HTML).
    pub(crate) description: String,
    /// The expectation (simple HTML).
    pub(crate) expectation: String,
}

/// Height of a result row in pixels with `templates/style.css`, to estimate a section's height.
const ROW_PX: usize = 23;

/// Legend order of the counts in a column heading.
const COUNT_ORDER: &[(&str, Class)] = &[
    ("Pass", Class::Ok),
    ("Non-Strict", Class::NonStrict),
    ("Info", Class::Info),
    ("No Close", Class::NoClose),
    ("Unimplemented", Class::Unimplemented),
    ("Fail", Class::Failed),
    ("Missing", Class::Missing),
];

fn cell(
    columns: &[Column],
    ci: usize,
    id: &CaseId,
    infos: &Infos,
    pages: &BTreeSet<(usize, CaseId)>,
) -> Cell {
    let column = &columns[ci];
    let Some(entry) = column.entries.get(id) else {
        return Cell {
            text: "Missing",
            class: Class::Missing,
            href: None,
            detail: String::new(),
            close_text: String::new(),
            close_class: Class::Missing,
            title: "not run for this agent".to_owned(),
            merged: true,
        };
    };
    let (text, class) = behavior_cell(&entry.behavior);
    let (close_text, close_class) = close_cell(entry);
    let key = (ci, id.clone());
    Cell {
        text,
        class,
        href: pages
            .contains(&key)
            .then(|| column.href(&column.page_name(id))),
        detail: infos
            .get(&key)
            .map(|i| i.detail.clone())
            .unwrap_or_default(),
        close_text,
        close_class,
        title: format!("{} / {}", entry.behavior, entry.behavior_close),
        merged: class == Class::Unimplemented,
    }
}

impl IndexPage {
    /// The master report of `columns`. `pages` holds the (column, case) pairs whose case page
    /// was written, so only those cells link.
    pub(crate) fn new(
        columns: &[Column],
        infos: &Infos,
        pages: &BTreeSet<(usize, CaseId)>,
        warnings: Vec<String>,
    ) -> Self {
        let ids: BTreeSet<&CaseId> = columns.iter().flat_map(|c| c.entries.keys()).collect();
        let mut heads: Vec<ColumnHead> = columns
            .iter()
            .map(|c| ColumnHead {
                label: c.label(),
                counts: Vec::new(),
                failing: 0,
                run: c.entries.len(),
            })
            .collect();
        let mut tallies = vec![BTreeMap::<Class, usize>::new(); columns.len()];
        let mut sections: Vec<Section> = Vec::new();
        let mut descriptions = Vec::new();
        let mut failing_rows = 0;

        for id in &ids {
            let cells: Vec<Cell> = (0..columns.len())
                .map(|ci| cell(columns, ci, id, infos, pages))
                .collect();
            let fails: Vec<bool> = columns
                .iter()
                .map(|c| c.entries.get(*id).is_some_and(failing))
                .collect();
            let fail = fails.contains(&true);
            failing_rows += usize::from(fail);
            for (ci, c) in cells.iter().enumerate() {
                *tallies[ci].entry(c.class).or_default() += 1;
                heads[ci].failing += usize::from(fails[ci]);
            }

            let title = format!("{} {}", id.section(), section_title(id.section()));
            if sections.last().is_none_or(|s| s.title != title) {
                sections.push(Section {
                    num: id.section(),
                    anchor: format!("section_{}", id.section()),
                    title,
                    fail: false,
                    stats: vec![(0, 0); columns.len()],
                    height: 0,
                    groups: Vec::new(),
                });
            }
            let Some(section) = sections.last_mut() else {
                continue;
            };
            section.fail |= fail;
            for (ci, c) in columns.iter().enumerate() {
                section.stats[ci].0 += usize::from(fails[ci]);
                section.stats[ci].1 += usize::from(c.entries.contains_key(*id));
            }
            let sub = id.subsection().and_then(|sub| {
                subsection_title(id.section(), sub).map(|t| format!("{}.{sub} {t}", id.section()))
            });
            if section.groups.last().is_none_or(|g| g.title != sub) {
                section.groups.push(Group {
                    title: sub,
                    fail: false,
                    rows: Vec::new(),
                });
            }
            if let Some(group) = section.groups.last_mut() {
                group.fail |= fail;
                group.rows.push(Row {
                    id: id.as_str().to_owned(),
                    key: id.underscored(),
                    fail,
                    cells,
                });
            }

            let info = (0..columns.len()).find_map(|ci| {
                infos
                    .get(&(ci, (*id).clone()))
                    .filter(|i| !i.description.is_empty() || !i.expectation.is_empty())
            });
            if let Some(info) = info {
                descriptions.push(Description {
                    id: id.as_str().to_owned(),
                    key: id.underscored(),
                    description: info.description.clone(),
                    expectation: info.expectation.clone(),
                });
            }
        }
        for section in &mut sections {
            let rows: usize = section
                .groups
                .iter()
                .map(|g| g.rows.len() + usize::from(g.title.is_some()))
                .sum();
            section.height = (rows + 2) * ROW_PX;
        }
        for (head, tally) in heads.iter_mut().zip(tallies) {
            head.counts = COUNT_ORDER
                .iter()
                .filter_map(|&(text, class)| {
                    let n = tally.get(&class).copied().unwrap_or(0);
                    (n > 0).then_some(Count { text, class, n })
                })
                .collect();
        }
        Self {
            columns: heads,
            cases: ids.len(),
            failing_rows,
            sections,
            descriptions,
            warnings,
        }
    }
}
