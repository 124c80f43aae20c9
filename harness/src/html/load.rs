//! Reading a report directory: its `index.json` files and per-case JSON, ours or Autobahn's.
//!
//! Everything is read leniently from [`serde_json::Value`] rather than into
//! [`crate::report::CaseRecord`]: reports written by other Autobahn|Testsuite versions may lack
//! keys or carry unknown verdicts, and one odd file must cost one cell, not the whole report.
//! What cannot be used is skipped with a warning.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::RenderError;
use crate::report::naming::case_report_filename;
use crate::report::INDEX_FILE;

/// Largest JSON file read (index or case). Autobahn's biggest case files are a few MiB; this
/// bounds memory when a directory holds something else under a report's name.
pub(crate) const MAX_JSON_BYTES: u64 = 64 << 20;

/// A case id such as `6.4.1`, ordered as Autobahn orders cases: by integer tuple.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct CaseId {
    key: Vec<u32>,
    text: String,
}

impl CaseId {
    /// Parses `text`: one or more dot-separated decimal numbers. Anything else (which could also
    /// smuggle a path into a file name) is refused.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let key = text
            .split('.')
            .map(|p| {
                if p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect::<Option<Vec<u32>>>()?;
        Some(Self {
            key,
            text: text.to_owned(),
        })
    }

    /// The id as written, e.g. `"6.4.1"`.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The section (first component).
    pub(crate) fn section(&self) -> u32 {
        self.key[0]
    }

    /// The subsection (second component) when the id has three or more components, as only
    /// those sit under a subsection heading in Autobahn's report.
    pub(crate) fn subsection(&self) -> Option<u32> {
        (self.key.len() >= 3).then(|| self.key[1])
    }

    /// The id with `_` for `.`, as in Autobahn's file names and anchors.
    pub(crate) fn underscored(&self) -> String {
        self.text.replace('.', "_")
    }
}

/// One agent's index entry for one case.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// `behavior` as written (`"?"` when absent).
    pub(crate) behavior: String,
    /// `behaviorClose` as written (`"?"` when absent).
    pub(crate) behavior_close: String,
    /// `duration` in ms.
    pub(crate) duration: Option<u64>,
    /// `remoteCloseCode`.
    pub(crate) remote_close_code: Option<i64>,
    /// `reportfile`, kept only when it is a plain file name in the same directory.
    pub(crate) reportfile: Option<String>,
}

impl Entry {
    fn from_value(v: &Map<String, Value>) -> Self {
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
        Self {
            behavior: text("behavior"),
            behavior_close: text("behaviorClose"),
            duration: v.get("duration").and_then(Value::as_u64),
            remote_close_code: v.get("remoteCloseCode").and_then(Value::as_i64),
            reportfile: v
                .get("reportfile")
                .and_then(Value::as_str)
                .filter(|f| is_plain_file_name(f))
                .map(str::to_owned),
        }
    }
}

/// Whether `name` names a file directly in the report directory (no separator, no `..`).
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.starts_with('.')
}

/// One column group of the index: one agent of one run (report directory).
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// The agent name, as in `index.json`.
    pub(crate) agent: String,
    /// The sub-directory of the report directory holding this run, `None` for the directory
    /// itself.
    pub(crate) run: Option<String>,
    /// The directory holding this run's files.
    pub(crate) dir: PathBuf,
    /// The cases, in Autobahn's order.
    pub(crate) entries: BTreeMap<CaseId, Entry>,
}

impl Column {
    /// The heading shown for this column: the agent, and the run when there are several.
    pub(crate) fn label(&self) -> String {
        match &self.run {
            Some(run) if *run != self.agent => format!("{} ({run})", self.agent),
            _ => self.agent.clone(),
        }
    }

    /// File name of the case page of `id` (Autobahn's naming).
    pub(crate) fn page_name(&self, id: &CaseId) -> String {
        case_report_filename(&self.agent, id.as_str(), "html")
    }

    /// Link from the report directory's `index.html` to `file` of this run.
    pub(crate) fn href(&self, file: &str) -> String {
        match &self.run {
            Some(run) => format!("{}/{}", url_segment(run), url_segment(file)),
            None => url_segment(file),
        }
    }

    /// Path of the per-case JSON of `id`: the index's `reportfile`, else Autobahn's name.
    pub(crate) fn case_json_path(&self, id: &CaseId, entry: &Entry) -> PathBuf {
        let name = entry
            .reportfile
            .clone()
            .unwrap_or_else(|| case_report_filename(&self.agent, id.as_str(), "json"));
        self.dir.join(name)
    }
}

/// Percent-encodes everything but unreserved characters, so any directory name makes a link.
pub(crate) fn url_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Finds the runs of `dir`: its own `index.json` and those of its immediate sub-directories
/// (in name order), one [`Column`] per agent of each. Problems that spoil only part of a run
/// are pushed to `warnings`.
pub(crate) fn discover(dir: &Path, warnings: &mut Vec<String>) -> Result<Vec<Column>, RenderError> {
    let mut columns = Vec::new();
    if dir.join(INDEX_FILE).is_file() {
        columns.extend(read_run(dir, None, warnings)?);
    }
    let mut subdirs: Vec<(String, PathBuf)> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .filter(|e| e.path().join(INDEX_FILE).is_file())
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .collect(),
        Err(source) => {
            return Err(RenderError::Read {
                path: dir.to_owned(),
                source,
            })
        }
    };
    subdirs.sort();
    for (name, path) in subdirs {
        columns.extend(read_run(&path, Some(name), warnings)?);
    }
    if columns.is_empty() {
        return Err(RenderError::NoIndex {
            dir: dir.to_owned(),
        });
    }
    Ok(columns)
}

/// Reads one run's `index.json`: `{agent: {case id: entry}}`.
fn read_run(
    dir: &Path,
    run: Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Column>, RenderError> {
    let path = dir.join(INDEX_FILE);
    let bad = |reason: String| RenderError::BadIndex {
        path: path.clone(),
        reason,
    };
    let value = read_json(&path).map_err(bad)?;
    let Value::Object(agents) = value else {
        return Err(bad("the top level is not an object".to_owned()));
    };
    let mut columns = Vec::new();
    for (agent, cases) in agents {
        let Value::Object(cases) = cases else {
            warnings.push(format!(
                "{}: agent {agent:?} skipped: its entry is not an object",
                path.display()
            ));
            continue;
        };
        let mut entries = BTreeMap::new();
        for (id, entry) in cases {
            match (CaseId::parse(&id), entry) {
                (Some(id), Value::Object(entry)) => {
                    entries.insert(id, Entry::from_value(&entry));
                }
                _ => warnings.push(format!(
                    "{}: agent {agent:?}: case {id:?} skipped: not a case id with an object entry",
                    path.display()
                )),
            }
        }
        columns.push(Column {
            agent,
            run: run.clone(),
            dir: dir.to_owned(),
            entries,
        });
    }
    Ok(columns)
}

/// Reads a JSON file of at most [`MAX_JSON_BYTES`]; the error says why, for a warning.
pub(crate) fn read_json(path: &Path) -> Result<Value, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut text = Vec::new();
    file.take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|e| format!("cannot read: {e}"))?;
    if text.len() as u64 > MAX_JSON_BYTES {
        return Err(format!("larger than {MAX_JSON_BYTES} bytes"));
    }
    serde_json::from_slice(&text)
        .or_else(|e| {
            // Autobahn (Python) writes invalid UTF-8 it saw as lone surrogate escapes
            // (`"\ud800"`, 6.3.1, 6.20.x), which strict JSON parsers refuse: retry with those
            // replaced by U+FFFD, so such cases still get their page.
            match replace_lone_surrogates(&text) {
                Some(fixed) => serde_json::from_slice(&fixed),
                None => Err(e),
            }
        })
        .map_err(|e| format!("not JSON: {e}"))
}

/// `text` with every `\uXXXX` escape of a surrogate that is not part of a pair replaced by
/// `\ufffd`; `None` when there is none.
fn replace_lone_surrogates(text: &[u8]) -> Option<Vec<u8>> {
    fn escape_at(text: &[u8], i: usize) -> Option<u16> {
        let hex = text.get(i + 2..i + 6)?;
        if text.get(i..i + 2)? != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    }
    let mut out = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'\\' {
            out.push(text[i]);
            i += 1;
            continue;
        }
        match escape_at(text, i) {
            Some(0xd800..=0xdbff)
                if escape_at(text, i + 6).is_some_and(|low| (0xdc00..=0xdfff).contains(&low)) =>
            {
                out.extend_from_slice(&text[i..i + 12]);
                i += 12;
            }
            Some(0xd800..=0xdfff) => {
                out.extend_from_slice(b"\\ufffd");
                changed = true;
                i += 6;
            }
            // Any other escape: copy the backslash and the escaped character together, so an
            // escaped backslash followed by `u` is not taken for an escape.
            _ => {
                out.extend_from_slice(&text[i..(i + 2).min(text.len())]);
                i += 2;
            }
        }
    }
    changed.then_some(out)
}

/// Reads the per-case JSON of `id` in `column`; it must be an object.
pub(crate) fn read_case(
    column: &Column,
    id: &CaseId,
    entry: &Entry,
) -> Result<Map<String, Value>, String> {
    let path = column.case_json_path(id, entry);
    match read_json(&path) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("{}: not a JSON object", path.display())),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_sort_as_integer_tuples_and_refuse_paths() {
        let mut ids: Vec<_> = ["10.1.1", "1.1.10", "1.1.9", "2.1"]
            .iter()
            .map(|s| CaseId::parse(s).unwrap())
            .collect();
        ids.sort();
        let texts: Vec<_> = ids.iter().map(CaseId::as_str).collect();
        assert_eq!(texts, ["1.1.9", "1.1.10", "2.1", "10.1.1"]);
        for bad in ["", "1..2", "1/2", "../1", "a.1", "1.", "1234567890"] {
            assert!(CaseId::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(CaseId::parse("2.1").unwrap().subsection(), None);
        assert_eq!(CaseId::parse("6.4.1").unwrap().subsection(), Some(4));
    }

    #[test]
    fn lone_surrogates_from_python_become_replacement_characters() {
        let text = br#"["\ud800x", "\ud83d\ude00", "\\ud800", "\udc00"]"#;
        let fixed = replace_lone_surrogates(text).expect("changed");
        let v: Vec<String> = serde_json::from_slice(&fixed).expect("parses");
        assert_eq!(v, ["\u{fffd}x", "\u{1f600}", "\\ud800", "\u{fffd}"]);
        assert_eq!(replace_lone_surrogates(br#"["\ud83d\ude00\\"]"#), None);
    }

    #[test]
    fn report_file_names_stay_in_the_directory() {
        assert!(is_plain_file_name("ws_case_1_1_1.json"));
        for bad in ["../x.json", "a/b.json", "..", ".hidden", ""] {
            assert!(!is_plain_file_name(bad), "{bad}");
        }
        assert_eq!(url_segment("a b#c"), "a%20b%23c");
    }
}
