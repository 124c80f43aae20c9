//! Errors from loading case files; every message names the file.

use std::fmt;
use std::path::PathBuf;

/// A case file could not be read, parsed or validated, or a corpus is inconsistent.
#[derive(Debug)]
pub struct CaseError {
    /// The file (or corpus folder) the error is about.
    pub path: PathBuf,
    /// What went wrong.
    pub kind: CaseErrorKind,
}

/// The kinds of [`CaseError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum CaseErrorKind {
    /// The file or folder could not be read.
    Io(std::io::Error),
    /// The file is not valid JSON for the format (message carries line and column).
    Json(serde_json::Error),
    /// The JSON parsed but breaks a rule of the format (e.g. `rsv` above 7).
    Invalid(String),
}

impl CaseError {
    pub(crate) fn invalid(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            kind: CaseErrorKind::Invalid(msg.into()),
        }
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            CaseErrorKind::Io(e) => write!(f, "{path}: cannot read: {e}"),
            CaseErrorKind::Json(e) => write!(f, "{path}:{}:{}: {e}", e.line(), e.column()),
            CaseErrorKind::Invalid(m) => write!(f, "{path}: {m}"),
        }
    }
}

impl std::error::Error for CaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            CaseErrorKind::Io(e) => Some(e),
            CaseErrorKind::Json(e) => Some(e),
            CaseErrorKind::Invalid(_) => None,
        }
    }
}
