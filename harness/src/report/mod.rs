//! Reports in Autobahn|Testsuite's format: per-case JSON files and `index.json`.

pub mod record;
