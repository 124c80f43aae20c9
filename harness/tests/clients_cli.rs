//! `wsharness test-client` as a program: it prints its address (so scripts can use port 0),
//! serves an unmodified client driver (the reference driver's, as in
//! `examples/autobahn_client.rs`), writes Autobahn's reports and stops on
//! `/updateReports?...&shutdownOnComplete=true`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use websocket_harness::selftest::drive_client;
use websocket_harness::sharing::Sharing;

#[tokio::test]
async fn a_client_driver_runs_every_case_and_the_server_stops_when_asked() {
    let out = std::env::temp_dir().join(format!("wsharness-clients-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsharness"))
        .args([
            "test-client",
            "--listen",
            "127.0.0.1:0",
            "--cases",
            "1.1.*,2.*",
            "--exclude",
            "2.1",
        ])
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .spawn()
        .expect("wsharness starts");
    let stdout = child.stdout.take().expect("stdout");
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut line).expect("first line");
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines() {});
        line
    })
    .await
    .expect("join");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("ws://"))
        .unwrap_or_else(|| panic!("no ws:// address in {first:?}"))
        .to_owned();
    assert!(
        first.contains("(18 cases)"),
        "1.1.* has 8 cases and 2.* 11, minus 2.1: {first}"
    );

    drive_client(&url, "cli driver", 4, |_| Sharing::Shared)
        .await
        .expect("the client driver runs");

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "shutdownOnComplete stops the server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "no case failed: {status}");
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("index.json")).expect("index"))
            .expect("json");
    let cases = index["cli driver"].as_object().expect("agent entry");
    assert_eq!(cases.len(), 18);
    assert!(cases.get("2.1").is_none());
    assert_eq!(cases["1.1.8"]["reportfile"], "cli_driver_case_1_1_8.json");
    assert!(out.join("cli_driver_case_2_11.json").exists());
    let _ = std::fs::remove_dir_all(&out);
}
