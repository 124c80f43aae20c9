//! The `wsharness` command line: argument errors, exit codes, and an end-to-end run against a
//! tiny server that completes the opening handshake and then drops the connection.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};

use websocket_harness::handshake::accept_key;

fn wsharness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsharness"))
        .args(args)
        .output()
        .expect("run wsharness")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Asserts exit status 2 and that stderr mentions every `needle`.
fn assert_usage_error(args: &[&str], needles: &[&str]) {
    let out = wsharness(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    for needle in needles {
        assert!(err.contains(needle), "{args:?}: {needle:?} not in {err}");
    }
}

#[test]
fn missing_server_is_a_usage_error() {
    assert_usage_error(&["test-server"], &["no server to test"]);
}

#[test]
fn bad_arguments_are_rejected_with_clear_messages() {
    assert_usage_error(&["test-server", "http://127.0.0.1:1"], &["ws"]);
    assert_usage_error(
        &["test-server", "ws://127.0.0.1:1", "--jobs", "0"],
        &["--jobs"],
    );
    assert_usage_error(
        &["test-server", "ws://127.0.0.1:1", "--bogus"],
        &["--bogus"],
    );
    assert_usage_error(&["frobnicate"], &["frobnicate"]);
    assert_usage_error(
        &["test-server", "ws://127.0.0.1:1", "--cases", "1.1.999"],
        &["unknown case", "1.1.999"],
    );
    assert_usage_error(
        &[
            "test-server",
            "ws://127.0.0.1:1",
            "--cases",
            "1.1.1",
            "--exclude",
            "1.*",
        ],
        &["no case selected"],
    );
    assert_usage_error(
        &[
            "test-server",
            "ws://127.0.0.1:1",
            "--corpus",
            "/nonexistent/corpus",
        ],
        &["/nonexistent/corpus"],
    );
}

#[test]
fn spec_problems_name_the_file() {
    let dir = scratch("spec");
    let missing = dir.join("missing.json");
    assert_usage_error(
        &["test-server", "--spec", missing.to_str().unwrap()],
        &["missing.json"],
    );
    let both = dir.join("both.json");
    std::fs::write(&both, r#"{"servers": [{"url": "ws://127.0.0.1:1"}]}"#).unwrap();
    assert_usage_error(
        &[
            "test-server",
            "ws://127.0.0.1:1",
            "--spec",
            both.to_str().unwrap(),
        ],
        &["both a URL and a servers list", "both.json"],
    );
    let typed = dir.join("typed.json");
    std::fs::write(
        &typed,
        r#"{"servers": [{"url": "ws://127.0.0.1:1"}], "cases": "1.*"}"#,
    )
    .unwrap();
    assert_usage_error(
        &["test-server", "--spec", typed.to_str().unwrap()],
        &["typed.json", "`cases`"],
    );
}

/// A port with nothing listening on it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn an_unreachable_server_is_reported_and_exits_2() {
    let out_dir = scratch("unreachable");
    let url = format!("ws://127.0.0.1:{}", closed_port());
    let out = wsharness(&[
        "test-server",
        &url,
        "--cases",
        "1.1.1",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("not tested"), "{stdout}");
}

/// Serves `connections` opening handshakes with `Server: TestSrv/1.0`, then drops each
/// connection: every case fails, since nothing is echoed and nobody closes properly.
fn handshake_then_drop_server(connections: usize) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream);
            let mut key = None;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("sec-websocket-key") {
                        key = Some(value.trim().to_owned());
                    }
                }
                line.clear();
            }
            let Some(key) = key else { continue };
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 101 Switching Protocols\r\nServer: TestSrv/1.0\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                accept_key(&key)
            );
        }
    });
    (url, handle)
}

#[test]
fn a_failing_case_exits_1_and_writes_reports_named_after_the_server_header() {
    let out_dir = scratch("failing");
    // The reachability check, the agent probe, then the case.
    let (url, server) = handshake_then_drop_server(3);
    let out = wsharness(&[
        "test-server",
        &url,
        "--cases",
        "1.1.1",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    server.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", stderr(&out));
    assert!(stdout.contains("TestSrv/1.0: 1 cases"), "{stdout}");
    assert!(stdout.contains("1 failing: 1.1.1"), "{stdout}");
    assert!(stdout.contains("wall time:"), "{stdout}");

    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("index.json")).unwrap())
            .unwrap();
    let entry = &index["TestSrv/1.0"]["1.1.1"];
    assert_eq!(entry["behavior"], "FAILED");
    assert_eq!(entry["reportfile"], "testsrv_1_0_case_1_1_1.json");
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("testsrv_1_0_case_1_1_1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["agent"], "TestSrv/1.0");
    assert_eq!(record["id"], "1.1.1");
    // Autobahn's fuzzingclient reports the case's position in the whole case list.
    assert_eq!(record["case"], 1);
}

#[test]
fn agent_option_names_the_reports() {
    let out_dir = scratch("agent");
    // The reachability check, then the case (no probe: the agent is given).
    let (url, server) = handshake_then_drop_server(2);
    let out = wsharness(&[
        "test-server",
        &url,
        "--agent",
        "My Server",
        "--cases",
        "1.1.2",
        "--jobs",
        "1",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out_dir.join("my_server_case_1_1_2.json").is_file());
}
