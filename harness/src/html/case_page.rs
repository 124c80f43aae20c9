//! The view of one case page (`<agent>_case_<1_2_3>.html`), built from a per-case JSON record.
//!
//! The record is read as a [`serde_json::Value`] map (see `load`), so Autobahn's files and ours
//! render alike; a missing key shows as absent rather than failing the page. Long lists are cut
//! (with a note) so a pathological record cannot make a page of hundreds of megabytes.

use serde::Serialize;
use serde_json::{Map, Value};

use super::cells::{behavior_cell, close_cell, Class};
use super::load::{CaseId, Entry};

/// At most this many rows in an expected-versus-observed table.
const MAX_EVENT_ROWS: usize = 300;
/// At most this many wire log rows on a page.
const MAX_WIRE_ROWS: usize = 3000;
/// Payload and hex lines are wrapped at this many characters.
const WRAP: usize = 96;
/// Free texts (handshakes, reasons) longer than this many characters are cut.
const MAX_TEXT: usize = 16 * 1024;

/// The closing-behaviour keys of a record, each with what it means.
const CLOSE_FLAGS: &[(&str, &str)] = &[
    ("isServer", "true when the harness played the server, so the peer under test is a client"),
    ("closedByMe", "true when the harness sent the first close frame, starting the closing handshake"),
    ("failedByMe", "true when the harness failed the connection because the peer broke the protocol (by a close frame or by dropping TCP)"),
    ("droppedByMe", "true when the harness closed the TCP connection (else the peer did)"),
    ("wasClean", "true when close frames went both ways and then the server closed TCP, as RFC 6455 asks"),
    ("wasNotCleanReason", "why the close was not clean, when it was not"),
    ("wasServerConnectionDropTimeout", "true when the harness, as client, waited in vain for the server to close TCP after the closing handshake"),
    ("wasOpenHandshakeTimeout", "true when the opening handshake did not finish in time"),
    ("wasCloseHandshakeTimeout", "true when the harness started the closing handshake and the peer did not answer in time"),
    ("localCloseCode", "the close code the harness sent, if any"),
    ("localCloseReason", "the close reason the harness sent, if any"),
    ("remoteCloseCode", "the close code the peer sent, if any"),
    ("remoteCloseReason", "the close reason the peer sent, if any"),
];

/// Everything the case page template shows.
#[derive(Debug, Serialize)]
pub(crate) struct CasePage {
    /// Link back to the master report.
    pub(crate) index_href: String,
    /// Anchor of this case's row in the master report.
    pub(crate) anchor: String,
    /// The agent, as in the report.
    pub(crate) agent: String,
    /// The case id.
    pub(crate) id: String,
    /// `behavior` as written.
    pub(crate) behavior: String,
    /// The behavior as the index shows it (Pass, Fail, ...).
    pub(crate) behavior_text: &'static str,
    /// Colour class of the behavior.
    pub(crate) behavior_class: Class,
    /// `behaviorClose` as written.
    pub(crate) behavior_close: String,
    /// The close cell text (remote close code, Unclean, Fail).
    pub(crate) close_text: String,
    /// Colour class of the close cell.
    pub(crate) close_class: Class,
    /// Duration in ms.
    pub(crate) duration: Option<u64>,
    /// Start time (UTC).
    pub(crate) started: String,
    /// Which side the harness played.
    pub(crate) role: &'static str,
    /// The case description (simple HTML).
    pub(crate) description: String,
    /// The expectation (simple HTML).
    pub(crate) expectation: String,
    /// Why `behavior` is what it is.
    pub(crate) result: String,
    /// Why `behaviorClose` is what it is.
    pub(crate) result_close: String,
    /// Expected event lists against the observed events.
    pub(crate) expected: Vec<EventTable>,
    /// The observed events, for cases without expected lists.
    pub(crate) observed: Vec<String>,
    /// The expected close, key and explained value.
    pub(crate) expected_close: Vec<(String, String)>,
    /// The closing-behaviour flags.
    pub(crate) close_flags: Vec<Flag>,
    /// The opening-handshake request.
    pub(crate) http_request: String,
    /// The opening-handshake response.
    pub(crate) http_response: String,
    /// Octet and frame statistics, when collected.
    pub(crate) stats: Option<Stats>,
    /// permessage-deflate traffic statistics, when any.
    pub(crate) traffic: Vec<(String, String)>,
    /// Whether the wire log was on at the end.
    pub(crate) wirelog_enabled: bool,
    /// The wire log rows shown.
    pub(crate) wirelog: Vec<WireRow>,
    /// Wire log rows left out beyond the cap.
    pub(crate) wirelog_cut: usize,
    /// Whether the harness closed TCP.
    pub(crate) dropped_by_me: bool,
}

/// One expected event list against the observed events, row by row.
#[derive(Debug, Serialize)]
pub(crate) struct EventTable {
    /// The verdict this list leads to (`OK`, `NON-STRICT`, ...).
    pub(crate) verdict: String,
    /// The rows.
    pub(crate) rows: Vec<EventRow>,
    /// Rows left out beyond [`MAX_EVENT_ROWS`].
    pub(crate) cut: usize,
}

/// One row of an [`EventTable`].
#[derive(Debug, Serialize)]
pub(crate) struct EventRow {
    /// The expected event, if the list is that long.
    pub(crate) expected: Option<String>,
    /// The observed event, if there were that many.
    pub(crate) observed: Option<String>,
    /// Whether expected and observed are equal.
    pub(crate) same: bool,
}

/// One closing-behaviour flag.
#[derive(Debug, Serialize)]
pub(crate) struct Flag {
    /// The key.
    pub(crate) key: &'static str,
    /// Its value, as Python prints it.
    pub(crate) value: String,
    /// What it means.
    pub(crate) meaning: &'static str,
}

/// Octet and frame statistics.
#[derive(Debug, Serialize)]
pub(crate) struct Stats {
    /// The four tables.
    pub(crate) tables: Vec<StatTable>,
}

/// One statistics table (octets by chop size or frames by opcode, one direction).
#[derive(Debug, Serialize)]
pub(crate) struct StatTable {
    /// The caption.
    pub(crate) title: &'static str,
    /// The key.
    pub(crate) key: &'static str,
    /// Whether rows have an octets column (octet tables).
    pub(crate) octets: bool,
    /// The rows.
    pub(crate) rows: Vec<StatRow>,
    /// Sum of the counts.
    pub(crate) total_count: u64,
    /// Sum of the octets.
    pub(crate) total_octets: u64,
}

/// One statistics row.
#[derive(Debug, Serialize)]
pub(crate) struct StatRow {
    /// The key.
    pub(crate) key: String,
    /// How many.
    pub(crate) count: u64,
    /// Octets (size x count), or whether the table has that column.
    pub(crate) octets: u64,
}

/// One wire log row.
#[derive(Debug, Serialize)]
pub(crate) struct WireRow {
    /// Row number.
    pub(crate) n: usize,
    /// `rx`, `tx` (octets), `rxf`, `txf` (frames), `ev` (timers and notes).
    pub(crate) class: &'static str,
    /// The row heading (direction, kind, frame fields).
    pub(crate) head: String,
    /// The payload (frames: as text, or `0x` hex) or octets (hex), wrapped.
    pub(crate) lines: Vec<String>,
    /// Octets only: the printable ASCII of the octets, `.` for others.
    pub(crate) text: Option<String>,
}

fn s(map: &Map<String, Value>, key: &str) -> String {
    match map.get(key) {
        Some(Value::String(s)) => clip(s),
        Some(Value::Null) | None => String::new(),
        Some(other) => clip(&other.to_string()),
    }
}

/// `text`, cut after [`MAX_TEXT`] characters with a note of how much was left out.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => format!(
            "{} ... ({} more characters not shown)",
            &text[..cut],
            text[cut..].chars().count()
        ),
        None => text.to_owned(),
    }
}

fn b(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A value as Python would print it in Autobahn's report (`None`, `True`, bare strings).
fn py(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "None".to_owned(),
        Some(Value::Bool(true)) => "True".to_owned(),
        Some(Value::Bool(false)) => "False".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// An event such as `["message", "Hello", false]`, in words (cut when very long).
pub(crate) fn event_text(event: &Value) -> String {
    clip(&event_words(event))
}

fn event_words(event: &Value) -> String {
    let payload = |p: &Value| match p.as_str() {
        Some("") => "(empty)".to_owned(),
        Some(s) => s.to_owned(),
        None => p.to_string(),
    };
    match event.as_array().map(Vec::as_slice) {
        Some([Value::String(kind), p, Value::Bool(binary)]) if kind == "message" => {
            let kind = if *binary { "binary" } else { "text" };
            format!("{kind} message: {}", payload(p))
        }
        Some([Value::String(kind), p]) if kind == "ping" || kind == "pong" => {
            format!("{kind}: {}", payload(p))
        }
        Some([Value::String(kind), tag]) if kind == "timeout" => {
            format!("timeout: {}", payload(tag))
        }
        _ => event.to_string(),
    }
}

fn event_tables(expected: Option<&Value>, received: &[Value]) -> Vec<EventTable> {
    let Some(Value::Object(lists)) = expected else {
        return Vec::new();
    };
    lists
        .iter()
        .map(|(verdict, list)| {
            let list = list.as_array().map(Vec::as_slice).unwrap_or_default();
            let len = list.len().max(received.len());
            let rows = (0..len.min(MAX_EVENT_ROWS))
                .map(|i| EventRow {
                    expected: list.get(i).map(event_text),
                    observed: received.get(i).map(event_text),
                    same: list.get(i) == received.get(i),
                })
                .collect();
            EventTable {
                verdict: verdict.clone(),
                rows,
                cut: len.saturating_sub(MAX_EVENT_ROWS),
            }
        })
        .collect()
}

fn expected_close(v: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Object(map)) = v else {
        return Vec::new();
    };
    let meaning = |k: &str| match k {
        "closedByMe" => "the harness must be the one to start the closing handshake",
        "closeCode" => "close codes accepted from the peer",
        "requireClean" => "the close must be clean",
        "closedByWrongEndpointIsFatal" => {
            "if the wrong side starts the close, the behavior fails too"
        }
        _ => "",
    };
    map.iter()
        .map(|(k, v)| {
            let m = meaning(k);
            let value = py(Some(v));
            (
                k.clone(),
                if m.is_empty() {
                    value
                } else {
                    format!("{value} ({m})")
                },
            )
        })
        .collect()
}

fn opcode_name(op: &str) -> String {
    let name = match op {
        "0" => "continuation",
        "1" => "text",
        "2" => "binary",
        "8" => "close",
        "9" => "ping",
        "10" => "pong",
        _ => "reserved",
    };
    format!("{op} ({name})")
}

fn stat_table(map: &Map<String, Value>, key: &str, title: &'static str, octets: bool) -> StatTable {
    let mut rows: Vec<(u64, StatRow)> = map
        .get(key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let n = k.parse::<u64>().unwrap_or(u64::MAX);
                    let count = v.as_u64().unwrap_or(0);
                    let label = if octets { k.clone() } else { opcode_name(k) };
                    (
                        n,
                        StatRow {
                            key: label,
                            count,
                            octets: n.saturating_mul(count),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    rows.sort_by_key(|(n, _)| *n);
    let rows: Vec<StatRow> = rows.into_iter().map(|(_, r)| r).collect();
    StatTable {
        title,
        key: if octets { "Chop size" } else { "Opcode" },
        octets,
        total_count: rows.iter().map(|r| r.count).fold(0, u64::saturating_add),
        total_octets: rows.iter().map(|r| r.octets).fold(0, u64::saturating_add),
        rows,
    }
}

fn wrap(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Vec::new();
    }
    chars.chunks(WRAP).map(|c| c.iter().collect()).collect()
}

/// The printable ASCII of hex octets (`.` for the rest), ignoring Autobahn's `" ..."` cut mark.
fn hex_as_text(hex: &str) -> String {
    let digits = hex.trim_end_matches(" ...").as_bytes();
    let mut out: String = digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .filter(|b| (0x20..0x7f).contains(b))
                .map_or('.', char::from)
        })
        .collect();
    if hex.ends_with(" ...") {
        out.push_str(" ...");
    }
    out
}

fn at(row: &[Value], i: usize) -> String {
    py(row.get(i))
}

/// One wire log row (`["RO", [len, hex]]`, `["TF", [len, payload], opcode, ...]`, ...).
fn wire_row(n: usize, row: &Value) -> WireRow {
    let cells = row.as_array().map(Vec::as_slice).unwrap_or_default();
    let tag = cells.first().and_then(Value::as_str).unwrap_or("");
    let data = cells.get(1).and_then(Value::as_array);
    let len = data
        .and_then(|d| d.first())
        .map_or_else(String::new, Value::to_string);
    let payload = data
        .and_then(|d| d.get(1))
        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
        .unwrap_or_default();
    let ev = |head: String| WireRow {
        n,
        class: "ev",
        head,
        lines: Vec::new(),
        text: None,
    };
    match tag {
        "RO" | "TO" => {
            let rx = tag == "RO";
            let sync = !rx && cells.get(2).and_then(Value::as_bool).unwrap_or(false);
            WireRow {
                n,
                class: if rx { "rx" } else { "tx" },
                head: format!(
                    "{} OCTETS, {len} octets{}",
                    if rx { "RX" } else { "TX" },
                    if sync { ", SYNC" } else { "" }
                ),
                text: Some(hex_as_text(&payload)),
                lines: wrap(&payload),
            }
        }
        "RF" => WireRow {
            n,
            class: "rxf",
            head: format!(
                "RX FRAME: OPCODE={}, FIN={}, RSV={}, PAYLOAD-LEN={len}, MASKED={}, MASK={}",
                at(cells, 2),
                at(cells, 3),
                at(cells, 4),
                at(cells, 5),
                at(cells, 6)
            ),
            lines: wrap(&payload),
            text: None,
        },
        "TF" => WireRow {
            n,
            class: "txf",
            head: format!(
                "TX FRAME: OPCODE={}, FIN={}, RSV={}, PAYLOAD-LEN={len}, MASK={}, PAYLOAD-REPEAT-LEN={}, CHOPSIZE={}, SYNC={}",
                at(cells, 2),
                at(cells, 3),
                at(cells, 4),
                at(cells, 5),
                at(cells, 6),
                at(cells, 7),
                at(cells, 8)
            ),
            lines: wrap(&payload),
            text: None,
        },
        "CT" => ev(format!("DELAY {} s for TAG {}", at(cells, 1), at(cells, 2))),
        "CTE" => ev(format!("DELAY TIMEOUT on TAG {}", at(cells, 1))),
        "KL" => ev(format!("FAIL CONNECTION AFTER {} s", at(cells, 1))),
        "KLE" => ev("FAILING CONNECTION".to_owned()),
        "TI" => ev(format!("CLOSE CONNECTION AFTER {} s", at(cells, 1))),
        "TIE" => ev("CLOSING CONNECTION".to_owned()),
        "WLM" => ev(format!(
            "WIRELOG {}",
            if cells.get(1).and_then(Value::as_bool).unwrap_or(false) {
                "ENABLED"
            } else {
                "DISABLED"
            }
        )),
        _ => ev(row.to_string()),
    }
}

fn traffic(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), py(Some(v)))).collect(),
        _ => Vec::new(),
    }
}

impl CasePage {
    /// The page of case `id` of `agent`, from its record and index entry. `index_href` links
    /// back to the master report.
    pub(crate) fn new(
        agent: &str,
        id: &CaseId,
        entry: &Entry,
        record: &Map<String, Value>,
        index_href: String,
    ) -> Self {
        let (behavior_text, behavior_class) = behavior_cell(&entry.behavior);
        let (close_text, close_class) = close_cell(entry);
        let received = record
            .get("received")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let wirelog = record
            .get("wirelog")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let stats = b(record, "createStats").then(|| Stats {
            tables: vec![
                stat_table(
                    record,
                    "rxOctetStats",
                    "Octets received, by chop size",
                    true,
                ),
                stat_table(record, "txOctetStats", "Octets sent, by chop size", true),
                stat_table(record, "rxFrameStats", "Frames received, by opcode", false),
                stat_table(record, "txFrameStats", "Frames sent, by opcode", false),
            ],
        });
        Self {
            index_href,
            anchor: format!("case_{}", id.underscored()),
            agent: agent.to_owned(),
            id: id.as_str().to_owned(),
            behavior: entry.behavior.clone(),
            behavior_text,
            behavior_class,
            behavior_close: entry.behavior_close.clone(),
            close_text,
            close_class,
            duration: entry.duration.or_else(|| record.get("duration")?.as_u64()),
            started: s(record, "started"),
            role: if b(record, "isServer") {
                "the harness was the server; the agent is a client"
            } else {
                "the harness was the client; the agent is a server"
            },
            description: s(record, "description"),
            expectation: s(record, "expectation"),
            result: s(record, "result"),
            result_close: s(record, "resultClose"),
            expected: event_tables(record.get("expected"), received),
            observed: received
                .iter()
                .take(MAX_EVENT_ROWS)
                .map(event_text)
                .collect(),
            expected_close: expected_close(record.get("expectedClose")),
            close_flags: CLOSE_FLAGS
                .iter()
                .map(|(key, meaning)| Flag {
                    key,
                    value: py(record.get(*key)),
                    meaning,
                })
                .collect(),
            http_request: s(record, "httpRequest").trim().to_owned(),
            http_response: s(record, "httpResponse").trim().to_owned(),
            stats,
            traffic: traffic(record.get("trafficStats")),
            wirelog_enabled: record
                .get("createWirelog")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            wirelog: wirelog
                .iter()
                .take(MAX_WIRE_ROWS)
                .enumerate()
                .map(|(n, row)| wire_row(n, row))
                .collect(),
            wirelog_cut: wirelog.len().saturating_sub(MAX_WIRE_ROWS),
            dropped_by_me: b(record, "droppedByMe"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_read_as_words() {
        assert_eq!(
            event_text(&json!(["message", "Hello", false])),
            "text message: Hello"
        );
        assert_eq!(
            event_text(&json!(["message", "0x00ff", true])),
            "binary message: 0x00ff"
        );
        assert_eq!(event_text(&json!(["pong", ""])), "pong: (empty)");
        assert_eq!(event_text(&json!(["odd", 1])), "[\"odd\",1]");
    }

    #[test]
    fn wire_rows_show_octets_as_hex_and_text() {
        let r = wire_row(3, &json!(["RO", [4, "48690a00"]]));
        assert_eq!(r.class, "rx");
        assert_eq!(r.lines, ["48690a00"]);
        assert_eq!(r.text.as_deref(), Some("Hi.."));
        let r = wire_row(
            0,
            &json!(["TF", [2, "0x03e8"], 8, true, 0, null, null, null, false]),
        );
        assert_eq!(r.class, "txf");
        assert!(r
            .head
            .contains("OPCODE=8, FIN=True, RSV=0, PAYLOAD-LEN=2, MASK=None"));
        assert_eq!(hex_as_text("4142zz ..."), "AB. ...");
        assert_eq!(wire_row(0, &json!("garbage")).class, "ev");
        assert_eq!(wrap(&"x".repeat(100)).len(), 2);
    }

    #[test]
    fn long_texts_are_cut() {
        let long = "é".repeat(MAX_TEXT + 5);
        let cut = clip(&long);
        assert!(cut.starts_with(&"é".repeat(MAX_TEXT)));
        assert!(cut.ends_with(" ... (5 more characters not shown)"));
        assert_eq!(clip("short"), "short");
    }

    #[test]
    fn event_tables_mark_differences() {
        let t = event_tables(
            Some(&json!({"OK": [["pong", "a"], ["pong", "b"]]})),
            &[json!(["pong", "a"])],
        );
        assert_eq!(t.len(), 1);
        assert!(t[0].rows[0].same);
        assert!(!t[0].rows[1].same);
        assert_eq!(t[0].rows[1].observed, None);
    }
}
