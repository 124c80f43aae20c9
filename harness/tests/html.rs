//! HTML reports: the index and case pages of a small fixed report (insta snapshots), on real
//! Autobahn|Testsuite JSON (two runs side by side) and on JSON written by our report writer;
//! bad input costs a warning, never a crash or a file outside the report directory.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use websocket_harness::html::{write_html_reports, write_reports, RenderError};
use websocket_harness::report::record::{message_event, pong_event};
use websocket_harness::report::{CaseRecord, ExpectedClose, ReportWriter, Verdict};

/// The fixtures: real Autobahn|Testsuite 25.10.1 reports (Python websockets as client, Node ws
/// as server), 8 cases each, one left out of the ws run.
const AUTOBAHN_RUNS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/html/autobahn-runs");

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("html-tests")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Copies the directory tree `from` into `to`.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy fixture");
        }
    }
}

/// The page with its inline style sheet (templates/style.css, the same in every page) cut out,
/// so that the snapshots show the page structure and a colour tweak does not touch them all.
fn without_css(page: &str) -> String {
    match (page.find("<style>"), page.find("</style>")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}<style>/* style.css */{}", &page[..start], &page[end..])
        }
        _ => panic!("no inline style sheet"),
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn autobahn_runs_render_side_by_side() {
    let dir = scratch("autobahn-runs");
    copy_tree(Path::new(AUTOBAHN_RUNS), &dir);
    let junit = dir.join("extra-junit.xml");
    let summary = write_reports(&dir, Some(&junit)).expect("render");
    assert_eq!(summary.warnings, Vec::<String>::new());
    assert_eq!((summary.columns, summary.cases, summary.pages), (2, 8, 15));
    // websockets fails 7.1.5 and 9.3.1, ws fails 9.3.1: two rows with a failure.
    assert_eq!(summary.failing_rows, 2);
    assert_eq!(read(&junit), read(&dir.join("junit.xml")));

    let index = read(&dir.join("index.html"));
    assert_eq!(index.matches("<tr class=\"r").count(), 8);
    assert_eq!(
        index.matches("<th colspan=\"2\" class=\"agent\">").count(),
        2
    );
    assert!(index.contains("<th colspan=\"2\" class=\"agent\">websockets (websockets-client)</th>"));
    assert!(index
        .contains("<td colspan=\"2\" class=\"ms\" title=\"not run for this agent\">Missing</td>"));
    assert!(index.contains("<a href=\"ws-server/ws_case_9_3_1.html\">Fail</a>"));
    assert!(index.contains("<tr class=\"ss f\"><th colspan=\"5\">9.3 Fragmented Text Message"));
    assert!(
        !index.contains("http://") && !index.contains("https://"),
        "nothing from the network"
    );
    insta::assert_snapshot!("autobahn_runs_index", without_css(&index));

    let page = read(&dir.join("websockets-client/websockets_case_7_1_5.html"));
    assert!(page.contains("<a href=\"../index.html#case_7_1_5\">"));
    insta::assert_snapshot!("autobahn_case_7_1_5", without_css(&page));
    let page = read(&dir.join("ws-server/ws_case_2_3.html"));
    assert!(
        page.contains("pong: 0x00fffefdfcfb00ff"),
        "binary payloads as hex"
    );
    assert!(
        page.contains("<pre class=\"rxf\">"),
        "frames coloured by direction"
    );
}

/// A record as our runner writes it: a failing case with a wire log, stats and reasons.
fn our_record(agent: &str, id: &str, behavior: Verdict, close: Verdict) -> CaseRecord {
    CaseRecord {
        agent: agent.to_owned(),
        behavior,
        behavior_close: close,
        case: 1,
        closed_by_me: true,
        create_stats: true,
        create_wirelog: true,
        description: "Send a ping with a 4-octet payload <b>and</b> <script>alert(1)</script>"
            .to_owned(),
        dropped_by_me: false,
        duration: 12,
        expectation: "A pong with the same payload.<br>Then a clean close.".to_owned(),
        expected: BTreeMap::from([("OK".to_owned(), vec![pong_event(b"\x00\x01\x02\x03")])]),
        expected_close: ExpectedClose {
            closed_by_me: true,
            close_code: vec![1000],
            require_clean: true,
            closed_by_wrong_endpoint_is_fatal: None,
        },
        failed_by_me: false,
        http_request: "GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\n\r\n"
            .to_owned(),
        http_response: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".to_owned(),
        id: id.to_owned(),
        is_server: false,
        local_close_code: Some(1000),
        local_close_reason: None,
        received: vec![message_event(b"surprise", false)],
        remote_close_code: Some(1000),
        remote_close_reason: None,
        report_compression_ratio: false,
        report_time: true,
        result: "Actual events differ from any expected.".to_owned(),
        result_close: "Connection was properly closed".to_owned(),
        rx_frame_stats: BTreeMap::from([(1, 1), (8, 1)]),
        rx_octet_stats: BTreeMap::from([(10, 1), (129, 1)]),
        started: "2026-01-02T03:04:05.678Z".to_owned(),
        traffic_stats: None,
        tx_frame_stats: BTreeMap::from([(9, 1), (8, 1)]),
        tx_octet_stats: BTreeMap::from([(10, 1), (240, 1)]),
        was_clean: true,
        was_close_handshake_timeout: false,
        was_not_clean_reason: None,
        was_open_handshake_timeout: false,
        was_server_connection_drop_timeout: false,
        wirelog: vec![
            json!([
                "TF",
                [4, "0x00010203"],
                9,
                true,
                0,
                "01020304",
                null,
                null,
                false
            ]),
            json!(["TO", [10, "89840102030401030107"], false]),
            json!(["RO", [10, "81087375727072697365"]]),
            json!(["RF", [8, "surprise"], 1, true, 0, false, null]),
            json!(["TI", 1]),
            json!(["TIE"]),
        ],
    }
}

#[test]
fn our_json_renders_and_escapes_what_it_must() {
    let dir = scratch("ours");
    let mut writer = ReportWriter::open(&dir).expect("open");
    writer
        .write_case(&our_record(
            "Our Server/1.0",
            "2.10",
            Verdict::Failed,
            Verdict::Ok,
        ))
        .expect("write");
    writer
        .write_case(&our_record(
            "Our Server/1.0",
            "2.2",
            Verdict::Ok,
            Verdict::Ok,
        ))
        .expect("write");
    let summary = write_html_reports(&dir).expect("render");
    assert_eq!((summary.columns, summary.cases, summary.pages), (1, 2, 2));
    assert_eq!(summary.failing_rows, 1);
    assert_eq!((summary.junit.tests, summary.junit.failures), (2, 1));

    let index = read(&dir.join("index.html"));
    // Ordered as integer tuples: 2.2 before 2.10.
    let (a, b) = (index.find("case_2_2\""), index.find("case_2_10\""));
    assert!(a.is_some() && a < b, "2.2 before 2.10");
    assert!(index.contains("<b>and</b> &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(index.contains("12 ms"), "timed cases show their duration");
    insta::assert_snapshot!("ours_index", without_css(&index));
    let page = read(&dir.join("our_server_1_0_case_2_10.html"));
    assert!(!page.contains("<script>alert"));
    assert!(
        page.contains("<tr class=\"diff\">"),
        "mismatching events are marked"
    );
    insta::assert_snapshot!("ours_case_2_10", without_css(&page));
}

#[test]
fn bad_files_cost_a_warning_not_the_report() {
    let dir = scratch("bad");
    let index = json!({
        "A<gent>": {
            "1.1.1": {"behavior": "OK", "behaviorClose": "OK", "duration": 1,
                      "remoteCloseCode": 1000, "reportfile": "a_gent_case_1_1_1.json"},
            "1.1.2": {"behavior": "SOMETHING NEW", "behaviorClose": "OK", "duration": 1,
                      "remoteCloseCode": 1000, "reportfile": "../../escape.json"},
            "../1": {"behavior": "OK"},
            "1.1.3": "not an object"
        },
        "broken": []
    });
    fs::write(dir.join("index.json"), index.to_string()).expect("write");
    fs::write(dir.join("a_gent_case_1_1_1.json"), "{ not json").expect("write");
    let summary = write_html_reports(&dir).expect("render");
    assert_eq!((summary.cases, summary.pages), (2, 0));
    assert_eq!(summary.warnings.len(), 5, "{:#?}", summary.warnings);
    let index = read(&dir.join("index.html"));
    assert!(index.contains("A&lt;gent&gt;"));
    // An unknown verdict is shown as a failure, as Autobahn does.
    assert!(index.contains("<td class=\"fl\" title=\"SOMETHING NEW / OK\">Fail</td>"));
    assert!(!dir.join("../escape.html").exists());

    let empty = scratch("empty");
    assert!(matches!(
        write_html_reports(&empty),
        Err(RenderError::NoIndex { .. })
    ));
    fs::write(empty.join("index.json"), "[1, 2]").expect("write");
    assert!(matches!(
        write_html_reports(&empty),
        Err(RenderError::BadIndex { .. })
    ));
}
