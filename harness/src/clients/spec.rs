//! Autobahn's `fuzzingserver.json`: `url` (where to listen), `outdir`, `protocols`, `cases`,
//! `exclude-cases`, `exclude-agent-cases`, `options`, and `key` and `cert` (PEM files) for TLS.
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
    /// The listen URL, `ws://HOST:PORT` or `wss://HOST:PORT` (Autobahn's default is
    /// `ws://127.0.0.1:9001`).
    pub url: Option<String>,
    /// Subprotocols the server accepts.
    pub protocols: Vec<String>,
    /// The TLS private key, a PEM file (Autobahn's `key`).
    pub key: Option<PathBuf>,
    /// The TLS certificate chain, a PEM file (Autobahn's `cert`).
    pub cert: Option<PathBuf>,
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
            Some(_) => return Err(wrong("url", "a ws:// or wss:// URL")),
        };
        let path = |key: &str| match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(PathBuf::from(s))),
            Some(_) => Err(wrong(key, "the path of a PEM file")),
        };
        let key = path("key")?;
        let cert = path("cert")?;
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
            key,
            cert,
        })
    }

    /// The `host:port` to listen on, from `url`.
    pub fn listen_addr(&self) -> Result<Option<String>, String> {
        let Some(url) = &self.url else {
            return Ok(None);
        };
        let parsed = url::Url::parse(url).map_err(|e| format!("invalid url {url:?}: {e}"))?;
        if !matches!(parsed.scheme(), "ws" | "wss") {
            return Err(format!("url {url:?}: only ws:// and wss:// are supported"));
        }
        let host = parsed.host_str().unwrap_or("127.0.0.1");
        let port = parsed.port_or_known_default().unwrap_or(80);
        Ok(Some(format!("{host}:{port}")))
    }

    /// Whether `url` asks for TLS (`wss://`).
    pub fn wants_tls(&self) -> bool {
        self.url
            .as_deref()
            .is_some_and(|u| u.trim_start().to_ascii_lowercase().starts_with("wss:"))
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
        assert_eq!((&spec.key, &spec.cert), (&None, &None));
        assert!(!spec.wants_tls());
        std::fs::write(&path, r#"{"url": 9001}"#).expect("write");
        let e = FuzzingServerSpec::load(&path).expect_err("bad url");
        assert!(e.to_string().contains("`url`"), "{e}");
        // Autobahn's TLS keys; wss:// listens on 443 unless a port is given.
        std::fs::write(
            &path,
            r#"{"url": "wss://127.0.0.1", "key": "k.pem", "cert": "c.pem"}"#,
        )
        .expect("write");
        let spec = FuzzingServerSpec::load(&path).expect("spec");
        assert_eq!(spec.key, Some(PathBuf::from("k.pem")));
        assert_eq!(spec.cert, Some(PathBuf::from("c.pem")));
        assert!(spec.wants_tls());
        assert_eq!(spec.listen_addr(), Ok(Some("127.0.0.1:443".to_owned())));
        std::fs::write(&path, r#"{"key": ["k.pem"]}"#).expect("write");
        let e = FuzzingServerSpec::load(&path).expect_err("bad key");
        assert!(e.to_string().contains("`key`"), "{e}");
    }
}
