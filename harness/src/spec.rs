//! Autobahn|Testsuite spec files. `fuzzingclient.json` (the harness tests servers):
//!
//! ```json
//! {
//!    "outdir": "./reports/servers",
//!    "servers": [{"agent": "MyServer", "url": "ws://127.0.0.1:9001", "options": {"version": 18}}],
//!    "cases": ["*"],
//!    "exclude-cases": ["9.*", "12.*", "13.*"],
//!    "exclude-agent-cases": {"MyServer": ["6.4.*"]},
//!    "options": {"failByDrop": false}
//! }
//! ```
//!
//! Every key is optional here (Autobahn requires `cases`; we default it to `["*"]` so that a
//! spec may carry only servers). Unknown keys are ignored, as Autobahn ignores them, so spec
//! files written for Autobahn load unchanged. A key of the wrong type is an error that names
//! the file and the key.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// One server to test (an entry of `servers`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerSpec {
    /// The agent name for reports; `None` (or empty in the file) means "use the `Server`
    /// header of the handshake response, else `UnknownServer`", as in Autobahn.
    pub agent: Option<String>,
    /// The WebSocket URL, `ws://host:port/path` or `wss://host:port/path`.
    pub url: String,
    /// The `Origin` header to send, if any.
    pub origin: Option<String>,
    /// Subprotocols to offer.
    pub protocols: Vec<String>,
    /// For `wss://`: the name to send (SNI) and to verify the certificate against, instead
    /// of the URL's host (Autobahn `hostname`).
    pub hostname: Option<String>,
    /// Per-server Autobahn protocol options (override the global `options`).
    pub options: Map<String, Value>,
}

/// A parsed `fuzzingclient.json`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FuzzingClientSpec {
    /// Report directory (`outdir`); Autobahn's default is `./reports/servers`.
    pub outdir: Option<PathBuf>,
    /// The servers to test, in order.
    pub servers: Vec<ServerSpec>,
    /// Case patterns (`cases`), `None` when absent.
    pub cases: Option<Vec<String>>,
    /// Case patterns to leave out (`exclude-cases`).
    pub exclude_cases: Vec<String>,
    /// Agent pattern -> case patterns to skip for matching agents (`exclude-agent-cases`).
    pub exclude_agent_cases: BTreeMap<String, Vec<String>>,
    /// Global Autobahn protocol options (`options`).
    pub options: Map<String, Value>,
}

/// Why a spec file could not be used.
#[derive(Debug)]
pub struct SpecError {
    /// The spec file.
    pub path: PathBuf,
    /// What went wrong.
    pub kind: SpecErrorKind,
}

/// The kinds of [`SpecError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum SpecErrorKind {
    /// The file could not be read.
    Io(io::Error),
    /// The file is not JSON.
    Syntax(serde_json::Error),
    /// A key has the wrong type or a required key is missing.
    Key {
        /// Where, e.g. `servers[0].url`.
        key: String,
        /// What was expected, e.g. `a string`.
        expected: &'static str,
    },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            SpecErrorKind::Io(e) => write!(f, "cannot read spec file {path}: {e}"),
            SpecErrorKind::Syntax(e) => write!(f, "spec file {path} is not valid JSON: {e}"),
            SpecErrorKind::Key { key, expected } => {
                write!(f, "spec file {path}: key `{key}` must be {expected}")
            }
        }
    }
}

impl std::error::Error for SpecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            SpecErrorKind::Io(e) => Some(e),
            SpecErrorKind::Syntax(e) => Some(e),
            SpecErrorKind::Key { .. } => None,
        }
    }
}

impl FuzzingClientSpec {
    /// Reads and parses a spec file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SpecError> {
        let path = path.as_ref();
        let err = |kind| SpecError {
            path: path.to_owned(),
            kind,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(SpecErrorKind::Io(e)))?;
        Self::parse(&text).map_err(err)
    }

    /// Parses spec text (errors carry no file name; [`Self::load`] adds it).
    pub fn parse(text: &str) -> Result<Self, SpecErrorKind> {
        let value: Value = serde_json::from_str(text).map_err(SpecErrorKind::Syntax)?;
        let top = object(&value, "(top level)")?;
        let servers = match top.get("servers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| server(s, &format!("servers[{i}]")))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(wrong("servers", "a list of server objects")),
        };
        let exclude_agent_cases = match top.get("exclude-agent-cases") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(agent, cases)| {
                    let key = format!("exclude-agent-cases.{agent}");
                    Ok((agent.clone(), strings(cases, &key)?))
                })
                .collect::<Result<_, SpecErrorKind>>()?,
            Some(_) => {
                return Err(wrong(
                    "exclude-agent-cases",
                    "an object mapping agent patterns to lists of case patterns",
                ))
            }
        };
        Ok(Self {
            outdir: opt_string(top, "outdir", "outdir")?.map(PathBuf::from),
            servers,
            cases: top
                .get("cases")
                .filter(|v| !v.is_null())
                .map(|v| strings(v, "cases"))
                .transpose()?,
            exclude_cases: match top.get("exclude-cases") {
                None | Some(Value::Null) => Vec::new(),
                Some(v) => strings(v, "exclude-cases")?,
            },
            exclude_agent_cases,
            options: options(top, "options")?,
        })
    }
}

fn wrong(key: &str, expected: &'static str) -> SpecErrorKind {
    SpecErrorKind::Key {
        key: key.to_owned(),
        expected,
    }
}

fn object<'a>(v: &'a Value, key: &str) -> Result<&'a Map<String, Value>, SpecErrorKind> {
    v.as_object().ok_or_else(|| wrong(key, "an object"))
}

fn strings(v: &Value, key: &str) -> Result<Vec<String>, SpecErrorKind> {
    let items = v
        .as_array()
        .ok_or_else(|| wrong(key, "a list of strings"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_str()
                .map(str::to_owned)
                .ok_or_else(|| wrong(&format!("{key}[{i}]"), "a string"))
        })
        .collect()
}

fn opt_string(
    obj: &Map<String, Value>,
    name: &str,
    key: &str,
) -> Result<Option<String>, SpecErrorKind> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong(key, "a string")),
    }
}

fn options(obj: &Map<String, Value>, key: &str) -> Result<Map<String, Value>, SpecErrorKind> {
    match obj.get("options") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(wrong(key, "an object of protocol options")),
    }
}

fn server(v: &Value, key: &str) -> Result<ServerSpec, SpecErrorKind> {
    let obj = object(v, key)?;
    let url = opt_string(obj, "url", &format!("{key}.url"))?
        .ok_or_else(|| wrong(&format!("{key}.url"), "a ws:// URL (it is required)"))?;
    Ok(ServerSpec {
        // Autobahn treats an empty agent like a missing one (`if not self.caseAgent`).
        agent: opt_string(obj, "agent", &format!("{key}.agent"))?.filter(|a| !a.is_empty()),
        url,
        origin: opt_string(obj, "origin", &format!("{key}.origin"))?,
        protocols: match obj.get("protocols") {
            None | Some(Value::Null) => Vec::new(),
            Some(p) => strings(p, &format!("{key}.protocols"))?,
        },
        hostname: opt_string(obj, "hostname", &format!("{key}.hostname"))?,
        options: options(obj, &format!("{key}.options"))?,
    })
}
