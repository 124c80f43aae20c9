//! Writes reports as cases finish: the per-case JSON file, then `index.json`, each atomically.
//!
//! Autobahn keeps results in memory and writes everything at the end, so an interrupted run
//! leaves nothing. We write each case's file as soon as it finishes and rewrite `index.json`
//! after it (temporary file + rename), so the directory always holds a valid report of the
//! cases done so far. Agents already present in an existing `index.json` are kept, so several
//! agents can share one report directory, as they do in one Autobahn run.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::json::to_python_json;
use super::naming::case_report_filename;
use super::record::{CaseRecord, IndexEntry};

/// Name of the master report in the report directory.
pub const INDEX_FILE: &str = "index.json";

/// Why a report could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The report directory could not be created.
    #[error("cannot create report directory {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An existing `index.json` could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadIndex {
        /// The index file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An existing `index.json` is not an Autobahn index (`{agent: {case id: entry}}`).
    #[error("{} is not a valid Autobahn index.json ({reason}); move it away or use another output directory", path.display())]
    BadIndex {
        /// The index file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A report file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A record could not be turned into JSON (only possible with non-finite floats).
    #[error("cannot serialise the report of case {case}: {source}")]
    Serialize {
        /// The case id.
        case: String,
        /// The underlying error.
        source: serde_json::Error,
    },
}

/// Index contents: agent -> case id -> entry. Entries of other runs are kept as read, so that
/// fields we do not model survive a rewrite.
type Index = BTreeMap<String, Map<String, Value>>;

/// The report directory of a run.
#[derive(Debug)]
pub struct ReportWriter {
    dir: PathBuf,
    index: Index,
}

impl ReportWriter {
    /// Creates `dir` if needed and loads its `index.json`, if any, so earlier agents are kept.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, ReportError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| ReportError::CreateDir {
            path: dir.clone(),
            source,
        })?;
        let index = read_index(&dir.join(INDEX_FILE))?;
        Ok(Self { dir, index })
    }

    /// The report directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Forgets the earlier results of `agent`, so that after this run the index holds exactly
    /// the cases this run played for it (as Autobahn's would), and writes the index.
    pub fn start_agent(&mut self, agent: &str) -> Result<(), ReportError> {
        self.index.insert(agent.to_owned(), Map::new());
        self.write_index()
    }

    /// Writes `record`'s per-case file, then the updated `index.json`. Returns the case file's path.
    pub fn write_case(&mut self, record: &CaseRecord) -> Result<PathBuf, ReportError> {
        let serialize = |source| ReportError::Serialize {
            case: record.id.clone(),
            source,
        };
        let name = case_report_filename(&record.agent, &record.id, "json");
        let path = self.dir.join(&name);
        let value = serde_json::to_value(record).map_err(serialize)?;
        write_atomic(&path, to_python_json(&value).as_bytes())?;

        let entry =
            serde_json::to_value(IndexEntry::from_record(record, name)).map_err(serialize)?;
        self.index
            .entry(record.agent.clone())
            .or_default()
            .insert(record.id.clone(), entry);
        self.write_index()?;
        Ok(path)
    }

    fn write_index(&self) -> Result<(), ReportError> {
        let value = Value::Object(
            self.index
                .iter()
                .map(|(agent, cases)| (agent.clone(), Value::Object(cases.clone())))
                .collect(),
        );
        write_atomic(
            &self.dir.join(INDEX_FILE),
            to_python_json(&value).as_bytes(),
        )
    }
}

fn read_index(path: &Path) -> Result<Index, ReportError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Index::new()),
        Err(source) => {
            return Err(ReportError::ReadIndex {
                path: path.to_owned(),
                source,
            })
        }
    };
    let bad = |reason: String| ReportError::BadIndex {
        path: path.to_owned(),
        reason,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let Value::Object(agents) = value else {
        return Err(bad("the top level is not an object".to_owned()));
    };
    agents
        .into_iter()
        .map(|(agent, cases)| match cases {
            Value::Object(cases) => Ok((agent, cases)),
            _ => Err(bad(format!(
                "the entry of agent {agent:?} is not an object"
            ))),
        })
        .collect()
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader (or an interrupted run) sees either the old file or the new one, never a partial one.
/// No fsync: this protects against interruption of the process, not against power loss.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.to_owned(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&tmp, bytes).map_err(err)?;
    fs::rename(&tmp, path).map_err(|e| {
        // Best effort: don't leave the temporary file behind; the rename error is what matters.
        let _ = fs::remove_file(&tmp);
        err(e)
    })
}
