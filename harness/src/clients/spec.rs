//! Autobahn's `fuzzingserver.json`: `url` (where to listen), `outdir`, `protocols`, `cases`,
//! `exclude-cases`, `exclude-agent-cases`, `options`.
//!
//! The keys it shares with `fuzzingclient.json` are read by [`FuzzingClientSpec::parse`], with
//! the same rules (unknown keys ignored, wrong types named); this adds `url` and `protocols`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::spec::{FuzzingClientSpec, SpecError, SpecErrorKind};

/// A parsed `fuzzingserver.json`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FuzzingServerSpec {
    /// The shared keys (`outdir`, `cases`, `exclude-cases`, `exclude-agent-cases`, `options`).
    pub common: FuzzingClientSpec,
    /// The listen URL, `ws://HOST:PORT` (Autobahn's default is `ws://127.0.0.1:9001`).
    pub url: Option<String>,
    /// Subprotocols the server accepts.
    pub protocols: Vec<String>,
}

impl FuzzingServerSpec {
    /// Reads and parses a spec file.
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        let err = |kind| SpecError {
            path: path.to_owned(),
            kind,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(SpecErrorKind::Io(e)))?;
        let common = FuzzingClientSpec::parse(&text).map_err(err)?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| err(SpecErrorKind::Syntax(e)))?;
        let wrong = |key: &str, expected| {
            err(SpecErrorKind::Key {
                key: key.to_owned(),
                expected,
            })
        };
        let url = match value.get("url") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(wrong("url", "a ws:// URL")),
        };
        let protocols = match value.get("protocols") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|p| p.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| wrong("protocols", "a list of strings"))?,
            Some(_) => return Err(wrong("protocols", "a list of strings")),
        };
        Ok(Self {
            common,
            url,
            protocols,
        })
    }

    /// The `host:port` to listen on, from `url`.
    pub fn listen_addr(&self) -> Result<Option<String>, String> {
        let Some(url) = &self.url else {
            return Ok(None);
        };
        let parsed = url::Url::parse(url).map_err(|e| format!("invalid url {url:?}: {e}"))?;
        if parsed.scheme() != "ws" {
            return Err(format!("url {url:?}: only ws:// is supported"));
        }
        let host = parsed.host_str().unwrap_or("127.0.0.1");
        let port = parsed.port().unwrap_or(80);
        Ok(Some(format!("{host}:{port}")))
    }

    /// The report directory, if the spec names one.
    pub fn outdir(&self) -> Option<PathBuf> {
        self.common.outdir.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_autobahns_example() {
        let dir = std::env::temp_dir().join(format!("wsharness-fs-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("fuzzingserver.json");
        std::fs::write(
            &path,
            r#"{"url": "ws://127.0.0.1:9001", "outdir": "./reports/clients", "webport": 8080,
                "options": {"failByDrop": false}, "protocols": ["chat"],
                "cases": ["*"], "exclude-cases": ["9.*", "12.*", "13.*"],
                "exclude-agent-cases": {"Slow*": ["6.4.*"]}}"#,
        )
        .expect("write");
        let spec = FuzzingServerSpec::load(&path).expect("spec");
        assert_eq!(spec.listen_addr(), Ok(Some("127.0.0.1:9001".to_owned())));
        assert_eq!(spec.protocols, ["chat"]);
        assert_eq!(spec.outdir(), Some(PathBuf::from("./reports/clients")));
        assert_eq!(spec.common.exclude_cases, ["9.*", "12.*", "13.*"]);
        std::fs::write(&path, r#"{"url": 9001}"#).expect("write");
        let e = FuzzingServerSpec::load(&path).expect_err("bad url");
        assert!(e.to_string().contains("`url`"), "{e}");
    }
}
