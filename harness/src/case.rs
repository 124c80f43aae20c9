//! The case file format: one conformance case per JSON file, `corpus/cases/<section>/<id>.json`.
//!
//! A case says what the harness sends ([`Step`]s, played in order once the WebSocket connection
//! is open), what it expects to observe from the peer ([`Event`] lists keyed by [`Verdict`]), and
//! how the connection must end ([`ExpectedClose`]). The same file is played in either role: as a
//! client testing a server (frames masked by default) or as a server testing a client (frames
//! unmasked by default). `corpus/README.md` explains the design; this module is the reference.
//!
//! ```json
//! {
//!   "id": "2.2",
//!   "description": "Send a ping with a small text payload.",
//!   "expectation": "A pong with the same payload.",
//!   "steps": [{"frame": {"opcode": 9, "payload": {"text": "Hello, world!"}}}],
//!   "expected": {"OK": [{"pong": {"text": "Hello, world!"}}]},
//!   "expected_close": {"closed_by_me": true, "close_code": [1000], "require_clean": true}
//! }
//! ```
//!
//! Every struct rejects unknown fields, so a typo is an error, not a silently ignored option.
//! New capabilities (for example permessage-deflate for sections 12 and 13) are added as new
//! optional fields, so existing files keep their meaning.

mod corpus;
mod deflate;
mod error;
mod event;
mod id;
mod payload;
mod step;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use corpus::Corpus;
pub use deflate::{Dataset, DatasetKind, Deflate, DeflateAccept, DeflateOffer, MAX_DATASET};
pub use error::{CaseError, CaseErrorKind};
pub use event::{Event, MessageEvent};
pub use id::{CaseId, ParseCaseIdError};
pub use payload::{decode_hex, encode_hex, Payload};
pub use step::{Close, Frame, FrameData, FrameHeader, Message, Pause, Raw, Step};

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One conformance case, as stored in `corpus/cases/<section>/<id>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The case id, e.g. `"6.4.1"`. For sections 1 to 13 it means the same test as the
    /// Autobahn|Testsuite case of that id; sections 0, 8 and 11 hold our own cases.
    pub id: CaseId,
    /// What the case does, in a sentence or a short paragraph (simple HTML such as `<b>` and
    /// `<br>` is allowed, as in Autobahn reports). The text before the first tag is what
    /// `/getCaseInfo` returns.
    pub description: String,
    /// What a conforming peer does, in our own words (simple HTML allowed).
    pub expectation: String,
    /// The actions to play, in order, as soon as the opening handshake completes.
    pub steps: Vec<Step>,
    /// For each verdict, the exact list of events that earns it. The first list equal to the
    /// observed events decides `behavior`; if none matches, `behavior` is FAILED. May be empty
    /// (`{}`) when `echo_check` decides instead.
    pub expected: BTreeMap<Verdict, Vec<Event>>,
    /// How the connection must end; decides `behaviorClose`.
    pub expected_close: ExpectedClose,
    /// Don't start the closing handshake when the observed events equal every expected list
    /// (Autobahn `suppressClose`); used by cases that close on purpose in odd ways. Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub suppress_close: bool,
    /// A close verdict of WRONG CODE also sets `behavior` to FAILED (Autobahn does this in
    /// 7.1.x, 7.3.x, 7.5.1, 7.7.x and 7.9.x, where the close code *is* the behavior under test).
    /// Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub wrong_code_fails_behavior: bool,
    /// Whatever happens, report this verdict as both `behavior` and `behaviorClose`
    /// (INFORMATIONAL in 7.1.6 and 7.13.x, where the spec leaves the outcome open).
    /// The matched verdict is still useful for the human-readable result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced_verdict: Option<Verdict>,
    /// Performance cases (9.x): behavior is decided by echo checks, not by `expected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo_check: Option<EchoCheck>,
    /// Frames the harness itself must have sent by the end, per opcode (`{"0": 50, "1": 1}`);
    /// a different count sets `behavior` to FAILED. Opcodes not listed are not checked. 10.1.1
    /// uses this to check its own auto-fragmentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_tx_frames: Option<BTreeMap<u8, u64>>,
    /// Report the case duration prominently (Autobahn `reportTime`, set in 9.x). Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub report_time: bool,
    /// Record the wire log for this case. Default `true`; the 9.x cases turn it off because
    /// their payloads are megabytes long (Autobahn `createWirelog = False` in `onOpen`). As in
    /// Autobahn, logging resumes once the echo check has decided, so the closing handshake
    /// still appears in the log.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub wirelog: bool,
    /// permessage-deflate (sections 12 and 13): what the harness offers as a client and
    /// accepts as a server. Absent = no extension is offered or accepted. When present and
    /// the peer does not agree, `behavior` is UNIMPLEMENTED and the harness closes at once;
    /// when agreed, data messages are compressed, and the record carries `trafficStats`
    /// and `reportCompressionRatio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflate: Option<Deflate>,
    /// The file the case was loaded from (empty when built in code). Not part of the JSON.
    #[serde(skip)]
    pub path: PathBuf,
}

/// A `behavior` verdict that a case file may name, with Autobahn's exact strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// `"OK"`: the peer did what the spec requires.
    #[serde(rename = "OK")]
    Ok,
    /// `"NON-STRICT"`: the peer deviated from a SHOULD, not a MUST.
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// `"INFORMATIONAL"`: the spec leaves the outcome open; reported, never a failure.
    #[serde(rename = "INFORMATIONAL")]
    Informational,
    /// `"UNIMPLEMENTED"`: an optional feature (e.g. permessage-deflate) was not negotiated.
    #[serde(rename = "UNIMPLEMENTED")]
    Unimplemented,
    /// `"FAILED"`: the peer broke a MUST.
    #[serde(rename = "FAILED")]
    Failed,
}

impl Verdict {
    /// Autobahn's string for the verdict (`"NON-STRICT"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::NonStrict => "NON-STRICT",
            Self::Informational => "INFORMATIONAL",
            Self::Unimplemented => "UNIMPLEMENTED",
            Self::Failed => "FAILED",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the connection must end (Autobahn `expectedClose`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedClose {
    /// `true` when the harness must be the one to start the closing handshake (the peer just
    /// echoes); `false` when the peer must close or fail the connection itself.
    pub closed_by_me: bool,
    /// Close codes accepted from the peer (a close without a code is accepted too, as in
    /// Autobahn). The first code is the one the harness sends when it closes. Never empty.
    pub close_code: Vec<u16>,
    /// The close must be clean: close frames both ways and then the server drops TCP.
    pub require_clean: bool,
    /// When the wrong endpoint closes, `behavior` is FAILED too, not only `behaviorClose`: the
    /// peer did not detect the fault at all (invalid UTF-8 cases). Absent = `false`; kept as
    /// an option so reports show the key only where Autobahn shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by_wrong_endpoint_is_fatal: Option<bool>,
}

impl ExpectedClose {
    /// Whether a close by the wrong endpoint also fails `behavior`.
    pub fn wrong_endpoint_is_fatal(&self) -> bool {
        self.closed_by_wrong_endpoint_is_fatal.unwrap_or(false)
    }
}

/// Echo-driven checking for performance cases (9.x), in place of `expected`.
///
/// The harness plays `steps`, then sends `send`, waits for the echo, checks it, and repeats
/// `count` times in sequence. After the last good echo it closes with 1000 and `behavior` is
/// OK. A wrong echo (binary flag, length, or content) closes with 1000 and `behavior` is
/// FAILED with a reason. If `timeout` seconds pass first, it closes and `behavior` is FAILED.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EchoCheck {
    /// What to send for each round trip: a `frame` or a `message` step.
    pub send: Box<Step>,
    /// Number of sequential round trips (the next is sent after each echo). Default 1.
    #[serde(default = "one")]
    pub count: u32,
    /// Whether the echo must be a binary message. Default `false` (text).
    #[serde(default)]
    pub binary: bool,
    /// Expected echo length in octets.
    pub length: usize,
    /// Seconds allowed for all round trips; then the harness closes (Autobahn `closeAfter`).
    pub timeout: f64,
    /// Sections 12 and 13: each round trip sends the next `length` octets of this data set,
    /// read cyclically from where the previous message ended (Autobahn `case12_x_x.sendOne`),
    /// and the echo must equal them (Autobahn compares SHA-1 digests). `send` must then be a
    /// `message` step without payload; its `binary` and `fragment_size` still apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<Dataset>,
}

fn one() -> u32 {
    1
}

impl Case {
    /// Reads, parses and validates one case file. Errors name the file (and line and column
    /// for JSON errors). The file name itself is not checked here; [`Corpus::load`] does that.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CaseError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| CaseError {
            path: path.to_path_buf(),
            kind: CaseErrorKind::Io(e),
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates case JSON; `path` is used in error messages and kept in `path`.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Self, CaseError> {
        let path = path.as_ref();
        let mut case: Self = serde_json::from_str(text).map_err(|e| CaseError {
            path: path.to_path_buf(),
            kind: CaseErrorKind::Json(e),
        })?;
        validate::case(&case)
            .map_err(|m| CaseError::invalid(path, format!("case {}: {m}", case.id)))?;
        case.path = path.to_path_buf();
        Ok(case)
    }

    /// The description up to the first HTML tag, whitespace collapsed (what Autobahn's
    /// `/getCaseInfo` returns).
    pub fn short_description(&self) -> String {
        let head = self.description.split('<').next().unwrap_or_default();
        head.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
        "id": "2.1", "description": "d <b>x</b>", "expectation": "e",
        "steps": [{"frame": {"opcode": 9}}, {"close_after": 1}],
        "expected": {"OK": [{"pong": {"hex": ""}}]},
        "expected_close": {"closed_by_me": true, "close_code": [1000], "require_clean": true}
    }"#;

    #[test]
    fn optional_fields_default_and_accept_null() {
        let c = Case::parse(MINIMAL, "m.json").unwrap();
        assert!(!c.suppress_close && !c.wrong_code_fails_behavior && !c.report_time);
        assert!(c.wirelog);
        assert_eq!(
            (
                c.forced_verdict,
                c.echo_check.clone(),
                c.expect_tx_frames.clone()
            ),
            (None, None, None)
        );
        assert!(!c.expected_close.wrong_endpoint_is_fatal());
        assert_eq!(c.short_description(), "d");
        assert_eq!(c.path, Path::new("m.json"));
        let with_nulls = MINIMAL.replace(
            "\"expected_close\"",
            "\"forced_verdict\": null, \"echo_check\": null, \"expect_tx_frames\": null, \"expected_close\"",
        );
        assert_eq!(Case::parse(&with_nulls, "m.json").unwrap(), c);
        let forced = MINIMAL.replace(
            "\"expected_close\"",
            "\"forced_verdict\": \"INFORMATIONAL\", \"expected_close\"",
        );
        assert_eq!(
            Case::parse(&forced, "f.json").unwrap().forced_verdict,
            Some(Verdict::Informational)
        );
    }

    #[test]
    fn round_trips_through_serde() {
        let c = Case::parse(MINIMAL, "m.json").unwrap();
        let again = Case::parse(&serde_json::to_string(&c).unwrap(), "m.json").unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn rejects_what_the_format_forbids() {
        let steps =
            |s: &str| MINIMAL.replace(r#"[{"frame": {"opcode": 9}}, {"close_after": 1}]"#, s);
        let bad = [
            (steps(r#"[{"frame": {"opcode": 16}}]"#), "opcode 16"),
            (steps(r#"[{"frame": {"opcode": 1, "rsv": 8}}]"#), "rsv 8"),
            (steps(r#"[{"frame": {"opcode": 1, "payload_len": 3}}]"#), "non-empty payload"),
            (steps(r#"[{"frame": {"opcode": 1, "payload": {"text": "a"}, "chopsize": 0}}]"#), "chopsize"),
            (steps(r#"[{"message": {"payload": {"text": "a"}, "fragment_size": 0}}]"#), "fragment_size"),
            (steps(r#"[{"frame_data": {"payload": {"hex": "00"}}}]"#), "frame_header"),
            (steps(r#"[{"pause": {"seconds": -1}}]"#), "seconds"),
            (
                steps(r#"[{"frame": {"opcode": 1, "payload": {"text": "a"}, "payload_len": 2000000000}}]"#),
                "above the limit",
            ),
            (MINIMAL.replace("[1000]", "[]"), "close_code"),
            (MINIMAL.replace(r#"{"OK": [{"pong": {"hex": ""}}]}"#, "{}"), "echo_check"),
            (MINIMAL.replace("\"OK\"", "\"PASS\""), "unknown variant"),
            (MINIMAL.replace("\"2.1\"", "\"2.x\""), "invalid case id"),
            (
                MINIMAL.replace(
                    "\"expected_close\"",
                    r#""echo_check": {"send": {"close": {}}, "length": 0, "timeout": 1}, "expected_close""#,
                ),
                "frame or a message",
            ),
        ];
        for (text, needle) in bad {
            let err = Case::parse(&text, "bad.json")
                .expect_err(needle)
                .to_string();
            assert!(err.starts_with("bad.json"), "{err}");
            assert!(err.contains(needle), "{needle:?} not in {err:?}");
        }
    }
}
