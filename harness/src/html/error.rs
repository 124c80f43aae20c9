//! Why the human-readable reports could not be written.

use std::io;
use std::path::PathBuf;

/// An error that stops `wsharness report` (problems with single cases are warnings instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Neither the directory nor any sub-directory holds an `index.json`.
    #[error("no index.json in {} or its sub-directories: not a report directory", dir.display())]
    NoIndex {
        /// The directory.
        dir: PathBuf,
    },
    /// A directory could not be listed.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An `index.json` is not an Autobahn index (`{agent: {case id: entry}}`).
    #[error("{} is not a usable Autobahn index.json: {reason}", path.display())]
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
    /// A template failed to render (a bug in the templates, not in the input).
    #[error("cannot render {name}: {source:#}")]
    Template {
        /// The template.
        name: &'static str,
        /// The underlying error.
        source: minijinja::Error,
    },
}
