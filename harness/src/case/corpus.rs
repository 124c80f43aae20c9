//! A corpus: every case file under a folder, checked for consistency and sorted by id.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::{CaseError, CaseErrorKind};
use super::{Case, CaseId};

/// All cases of a folder such as `corpus/cases/`, sorted by integer id tuple.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// The cases, in Autobahn's order (integer tuple order of ids).
    pub cases: Vec<Case>,
}

impl Corpus {
    /// Loads every `*.json` file below `dir` (recursively) with [`Case::load`].
    ///
    /// Besides each file's own checks, this enforces the layout: the file is named
    /// `<id>.json`, it sits in a folder named after the id's section (`6/6.4.1.json`), and
    /// no id appears twice.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, CaseError> {
        let dir = dir.as_ref();
        let mut files = Vec::new();
        collect_json_files(dir, &mut files)?;
        let mut by_id: BTreeMap<CaseId, Case> = BTreeMap::new();
        for path in files {
            let case = Case::load(&path)?;
            check_layout(&path, &case)?;
            if let Some(other) = by_id.get(&case.id) {
                return Err(CaseError::invalid(
                    &path,
                    format!(
                        "case id {} is also used by {}",
                        case.id,
                        other.path.display()
                    ),
                ));
            }
            by_id.insert(case.id.clone(), case);
        }
        Ok(Self {
            cases: by_id.into_values().collect(),
        })
    }

    /// The case with this id, if any.
    pub fn get(&self, id: &CaseId) -> Option<&Case> {
        self.cases
            .binary_search_by(|c| c.id.cmp(id))
            .ok()
            .map(|i| &self.cases[i])
    }

    /// Number of cases.
    pub fn len(&self) -> usize {
        self.cases.len()
    }

    /// True when the corpus holds no case.
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }
}

fn check_layout(path: &Path, case: &Case) -> Result<(), CaseError> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != case.id.to_string() {
        return Err(CaseError::invalid(
            path,
            format!(
                "file name should be {}.json for case id {}",
                case.id, case.id
            ),
        ));
    }
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if folder != case.id.section().to_string() {
        return Err(CaseError::invalid(
            path,
            format!("case {} belongs in folder {}/", case.id, case.id.section()),
        ));
    }
    Ok(())
}

fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CaseError> {
    let io = |e| CaseError {
        path: dir.to_path_buf(),
        kind: CaseErrorKind::Io(e),
    };
    for entry in fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}
