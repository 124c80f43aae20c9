//! Reports in Autobahn|Testsuite's format: per-case JSON files and `index.json`.

pub mod json;
pub mod naming;
pub mod record;
pub mod summary;
pub mod writer;

pub use record::{CaseRecord, ExpectedClose, IndexEntry, Verdict};
pub use writer::{ReportError, ReportWriter, INDEX_FILE};
