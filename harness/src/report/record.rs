//! The per-case result, serialised exactly as Autobahn|Testsuite's per-case JSON.
//!
//! Autobahn builds one `caseResult` dict per case (`fuzzing.py: FuzzingProtocol.connectionLost`)
//! and writes it with `json.dumps(sort_keys=True, indent=3)`. [`CaseRecord`] has one field per
//! key of that dict, with the same names (camelCase, set by serde) and the same value shapes, so
//! tools that read Autobahn's reports read ours unchanged. Where Autobahn's shapes are
//! heterogeneous Python tuples (events, wire log rows) we keep them as JSON arrays in
//! [`serde_json::Value`]; the helpers in this module build them with Autobahn's conventions.
//!
//! Key order does not matter here: the report writer sorts keys (see `report::json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A verdict string, spelled exactly as Autobahn's `case/case.py` constants.
///
/// `behavior` takes the first five; `behaviorClose` may take any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verdict {
    /// `OK`: the observed events equal the expected ones ("Pass").
    #[serde(rename = "OK")]
    Ok,
    /// `NON-STRICT`: a SHOULD-level deviation that Autobahn accepts.
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// `INFORMATIONAL`: the case only informs (7.1.6, 7.13.x).
    #[serde(rename = "INFORMATIONAL")]
    Informational,
    /// `UNIMPLEMENTED`: the peer did not negotiate the feature under test (12.x, 13.x).
    #[serde(rename = "UNIMPLEMENTED")]
    Unimplemented,
    /// `FAILED`: the default verdict until the case proves otherwise.
    #[serde(rename = "FAILED")]
    Failed,
    /// `WRONG CODE`: closed with a close code outside the accepted list (behaviorClose only).
    #[serde(rename = "WRONG CODE")]
    WrongCode,
    /// `UNCLEAN`: a clean close was required but did not happen (behaviorClose only).
    #[serde(rename = "UNCLEAN")]
    Unclean,
    /// `FAILED BY CLIENT`: the harness (as client) had to drop TCP (behaviorClose only).
    #[serde(rename = "FAILED BY CLIENT")]
    FailedByClient,
    /// `NO_CLOSE`: legacy Autobahn value, kept so old reports still parse.
    #[serde(rename = "NO_CLOSE")]
    NoClose,
}

impl Verdict {
    /// The exact string Autobahn writes for this verdict.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::NonStrict => "NON-STRICT",
            Self::Informational => "INFORMATIONAL",
            Self::Unimplemented => "UNIMPLEMENTED",
            Self::Failed => "FAILED",
            Self::WrongCode => "WRONG CODE",
            Self::Unclean => "UNCLEAN",
            Self::FailedByClient => "FAILED BY CLIENT",
            Self::NoClose => "NO_CLOSE",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Autobahn's `expectedClose` dict: how the case expects the connection to end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedClose {
    /// Whether the harness must be the one that starts the closing handshake.
    pub closed_by_me: bool,
    /// Acceptable remote close codes.
    pub close_code: Vec<u16>,
    /// Whether the close must be clean (close frames both ways, then the server drops TCP).
    pub require_clean: bool,
    /// Present only in the cases that set it (6.3.x, 6.4.x, invalid 6.x.x): a closer mismatch
    /// also fails `behavior`. Autobahn omits the key elsewhere, so do we.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by_wrong_endpoint_is_fatal: Option<bool>,
}

/// One case's result: every key of Autobahn's `caseResult`, nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseRecord {
    /// The agent (implementation name) the case ran against.
    pub agent: String,
    /// Verdict on the observed events.
    pub behavior: Verdict,
    /// Verdict on the closing behaviour.
    pub behavior_close: Verdict,
    /// 1-based index of the case in the selected (filtered, sorted) case list.
    pub case: usize,
    /// Whether the harness started the closing handshake.
    pub closed_by_me: bool,
    /// Whether octet and frame statistics were collected.
    pub create_stats: bool,
    /// Whether the wire log was on at the end of the case (9.x turns it off).
    pub create_wirelog: bool,
    /// The case description (may contain simple HTML).
    pub description: String,
    /// Whether the harness dropped the TCP connection.
    pub dropped_by_me: bool,
    /// Case execution time in milliseconds, from the open to the connection loss.
    pub duration: u64,
    /// What a conforming peer does (may contain simple HTML).
    pub expectation: String,
    /// Expected events per verdict, each event an array like `["message", "Hello", false]`.
    pub expected: BTreeMap<String, Vec<Value>>,
    /// The expected close.
    pub expected_close: ExpectedClose,
    /// Whether the harness failed the WebSocket connection.
    pub failed_by_me: bool,
    /// The raw opening-handshake request text (`"?"` when none was sent).
    pub http_request: String,
    /// The raw opening-handshake response text (`"?"` when none was received).
    pub http_response: String,
    /// The case id, for example `"1.2.3"`.
    pub id: String,
    /// Whether the harness played the server role (testing a client).
    pub is_server: bool,
    /// Close code the harness sent, if any.
    pub local_close_code: Option<u16>,
    /// Close reason the harness sent, if any (7.5.1 stores it as hex, as Autobahn does).
    pub local_close_reason: Option<String>,
    /// Events observed from the peer, same shape as in `expected`.
    pub received: Vec<Value>,
    /// Close code the peer sent, if any.
    pub remote_close_code: Option<u16>,
    /// Close reason the peer sent, if any.
    pub remote_close_reason: Option<String>,
    /// Whether the report should show compression ratios (12.x, 13.x).
    pub report_compression_ratio: bool,
    /// Whether the report should show the duration (9.x).
    pub report_time: bool,
    /// Human-readable explanation of `behavior`.
    pub result: String,
    /// Human-readable explanation of `behaviorClose`.
    pub result_close: String,
    /// Frames received per opcode.
    pub rx_frame_stats: BTreeMap<u8, u64>,
    /// Socket reads received per read size in octets.
    pub rx_octet_stats: BTreeMap<usize, u64>,
    /// Case start time, UTC, as Autobahn's `utcnow()`: `2024-01-02T03:04:05.678Z`.
    pub started: String,
    /// permessage-deflate traffic statistics, `null` when the case does not compress.
    pub traffic_stats: Option<Value>,
    /// Frames sent per opcode.
    pub tx_frame_stats: BTreeMap<u8, u64>,
    /// Socket writes sent per write size in octets.
    pub tx_octet_stats: BTreeMap<usize, u64>,
    /// Whether the connection closed cleanly.
    pub was_clean: bool,
    /// Whether the harness timed out waiting for the closing handshake.
    pub was_close_handshake_timeout: bool,
    /// Why the close was not clean, when it was not.
    pub was_not_clean_reason: Option<String>,
    /// Whether the opening handshake timed out.
    pub was_open_handshake_timeout: bool,
    /// Whether the server failed to drop TCP in time after the closing handshake.
    pub was_server_connection_drop_timeout: bool,
    /// Wire log rows, each an array whose first element is the tag (`RO`, `TO`, `RF`, `TF`,
    /// `CT`, `CTE`, `KL`, `KLE`, `TI`, `TIE`, `WLM`); see the `wirelog_*` helpers.
    pub wirelog: Vec<Value>,
}

/// One agent's entry for one case in `index.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    /// Verdict on the observed events.
    pub behavior: Verdict,
    /// Verdict on the closing behaviour.
    pub behavior_close: Verdict,
    /// Case execution time in milliseconds.
    pub duration: u64,
    /// Close code the peer sent, if any.
    pub remote_close_code: Option<u16>,
    /// File name of the per-case JSON report, relative to the report directory.
    #[serde(rename = "reportfile")]
    pub reportfile: String,
}

impl IndexEntry {
    /// The index entry of `record`, whose per-case report is named `reportfile`.
    pub fn from_record(record: &CaseRecord, reportfile: String) -> Self {
        Self {
            behavior: record.behavior,
            behavior_close: record.behavior_close,
            duration: record.duration,
            remote_close_code: record.remote_close_code,
            reportfile,
        }
    }
}

// ===== Autobahn's log-data conventions =====

/// Autobahn's `asciiLogData`: the payload as text when it is valid UTF-8, else `0x` + hex.
/// Both forms are truncated to 64 octets plus `" ..."` when longer than 60 octets.
///
/// The ellipsis is appended before decoding (as Autobahn does), so a truncation that splits a
/// code point makes the text invalid and falls back to hex.
///
/// One known difference: Python 2's UTF-8 decoder accepts encoded surrogates (`ED A0 80`), so
/// Autobahn logs such payloads as text with surrogate escapes (`"\ud800"`); a Rust string
/// cannot hold a surrogate, so we log them as hex (only wire log rows of 6.3.1, 6.20.x and
/// 6.21.x are affected against a conforming peer).
pub fn ascii_log_data(data: &[u8]) -> String {
    const MAXLEN: usize = 64;
    const ELLIPSES: &[u8] = b" ...";
    let text: std::borrow::Cow<'_, [u8]> = if data.len() > MAXLEN - ELLIPSES.len() {
        let mut v = data[..MAXLEN.min(data.len())].to_vec();
        v.extend_from_slice(ELLIPSES);
        v.into()
    } else {
        data.into()
    };
    match std::str::from_utf8(&text) {
        Ok(s) => s.to_owned(),
        Err(_) => format!("0x{}", bin_log_data(data)),
    }
}

/// Autobahn's `binLogData`: lowercase hex; when longer than 60 octets, the hex of the first 64
/// octets plus `" ..."` (Autobahn's threshold and cut differ by the ellipsis length; kept as is).
pub fn bin_log_data(data: &[u8]) -> String {
    const MAXLEN: usize = 64;
    const ELLIPSES: &str = " ...";
    if data.len() > MAXLEN - ELLIPSES.len() {
        let mut s = hex(&data[..MAXLEN.min(data.len())]);
        s.push_str(ELLIPSES);
        s
    } else {
        hex(data)
    }
}

/// Lowercase hex of `data`, as Python's `binascii.b2a_hex`.
pub fn hex(data: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(data.len() * 2);
    for &b in data {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// The event `("message", payload, binary)` as Autobahn reports it (payload via [`ascii_log_data`]).
pub fn message_event(payload: &[u8], binary: bool) -> Value {
    Value::Array(vec![
        "message".into(),
        ascii_log_data(payload).into(),
        binary.into(),
    ])
}

/// The event `("ping", payload)` as Autobahn reports it.
pub fn ping_event(payload: &[u8]) -> Value {
    Value::Array(vec!["ping".into(), ascii_log_data(payload).into()])
}

/// The event `("pong", payload)` as Autobahn reports it.
pub fn pong_event(payload: &[u8]) -> Value {
    Value::Array(vec!["pong".into(), ascii_log_data(payload).into()])
}

/// The event `("timeout", tag)` recorded by a pause with a tag.
pub fn timeout_event(tag: &str) -> Value {
    Value::Array(vec!["timeout".into(), tag.into()])
}
