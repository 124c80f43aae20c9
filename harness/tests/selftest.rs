//! The selftest in both roles, checked against the committed ledgers and snapshots.
//!
//! One run of `selftest()` over sections 1-7 and 10 (the driver as a server, then as a client),
//! then for each role:
//! - no case is red (FAILED, UNCLEAN, ...);
//! - the index equals the ledger `reports/expected/websocket-driver-<role>.json` on those cases
//!   (`wsharness diff` semantics);
//! - each case's report equals its insta snapshot in `tests/snapshots/`, with what changes from
//!   run to run redacted: durations, timestamps, ports, handshake keys, masks, the server's
//!   version, and the way octets were split into TCP reads and writes (the `RO`/`TO` rows and
//!   octet statistics; frames are kept, in order, per direction, and timers apart).
//!
//! Of section 9 only the smallest case of four kinds is run (64 KiB text and binary messages,
//! 1000 small text and binary round trips): the rest moves up to 16 MiB per message, which in a
//! debug build, on a loaded CI machine, makes the test slow and its 1 s closing-handshake
//! timeouts flaky. The ledgers cover all of section 9 (generated from a full
//! `wsharness selftest`), and the README's main job runs and diffs the full selftest.

use std::path::{Path, PathBuf};

use serde_json::Value;
use websocket_harness::diffcmd::{run as diff, DiffArgs, DiffOutcome};
use websocket_harness::selftest::{selftest, SelftestPlan, AGENT};

/// Sections 1-7 and 10, and one small case of each kind of section 9 (see the module docs).
const SECTIONS: &[&str] = &[
    "1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.1.1", "9.2.1", "9.7.1", "9.8.1", "10.*",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Replaces what differs between identical runs; keeps everything that describes behaviour.
fn normalize(mut record: Value) -> Value {
    let Some(obj) = record.as_object_mut() else {
        return record;
    };
    for key in ["httpRequest", "httpResponse"] {
        if let Some(Value::String(text)) = obj.get(key) {
            let text = text
                .lines()
                .map(|line| {
                    let lower = line.to_ascii_lowercase();
                    if lower.starts_with("host:") {
                        "Host: [host]".to_owned()
                    } else if lower.starts_with("sec-websocket-key:") {
                        "Sec-WebSocket-Key: [key]".to_owned()
                    } else if lower.starts_with("sec-websocket-accept:") {
                        "Sec-WebSocket-Accept: [accept]".to_owned()
                    } else if lower.starts_with("server:") || lower.starts_with("user-agent:") {
                        // They name the harness's version, which must not churn every snapshot.
                        let name = line.split(':').next().unwrap_or_default();
                        format!("{name}: [wsharness]")
                    } else {
                        line.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            obj.insert(key.to_owned(), Value::String(text));
        }
    }
    if let Some(Value::Array(rows)) = obj.remove("wirelog") {
        let (mut tx, mut rx, mut timers) = (vec![], vec![], vec![]);
        for mut row in rows {
            let tag = row
                .get(0)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            match tag.as_str() {
                // How octets were split into reads and writes depends on timing.
                "RO" | "TO" => {}
                "TF" => {
                    redact_mask(&mut row, 5);
                    tx.push(row);
                }
                "RF" => {
                    redact_mask(&mut row, 6);
                    rx.push(row);
                }
                _ => timers.push(row),
            }
        }
        obj.insert(
            "wirelog".to_owned(),
            serde_json::json!({"tx frames": tx, "rx frames": rx, "timers": timers}),
        );
    }
    record
}

fn redact_mask(row: &mut Value, index: usize) {
    if let Some(mask) = row.get_mut(index) {
        if !mask.is_null() {
            *mask = Value::String("[mask]".to_owned());
        }
    }
}

fn check_role(role: &str, dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).expect("index.json"))
            .expect("index is JSON");
    let cases = index[AGENT].as_object().expect("the agent's results");
    for (id, entry) in cases {
        let (b, c) = (&entry["behavior"], &entry["behaviorClose"]);
        let green_b =
            ["OK", "NON-STRICT", "INFORMATIONAL"].contains(&b.as_str().unwrap_or_default());
        let green_c = ["OK", "INFORMATIONAL"].contains(&c.as_str().unwrap_or_default());
        if !(green_b && green_c) {
            problems.push(format!("{role} {id}: {b} / {c}"));
        }
    }

    let ledger = repo().join(format!("reports/expected/{AGENT}-{role}.json"));
    let outcome = diff(&DiffArgs {
        expected: ledger,
        actual: dir.to_owned(),
        agent: Some(AGENT.to_owned()),
        cases: SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
        exclude: vec![],
        update: false,
    })
    .expect("diff runs");
    if outcome != DiffOutcome::Clean {
        problems.push(format!(
            "{role}: the run differs from the ledger (see the diff above)"
        ));
    }

    for (id, entry) in cases {
        let file = dir.join(entry["reportfile"].as_str().expect("reportfile"));
        let record: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("case file"))
                .expect("JSON");
        let name = format!("{role}_{}", id.replace('.', "_"));
        insta::assert_json_snapshot!(name, normalize(record), {
            ".duration" => "[duration]",
            ".started" => "[started]",
            ".rxOctetStats" => "[octets]",
            ".txOctetStats" => "[octets]",
        });
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_passes_in_both_roles_as_the_ledgers_and_snapshots_say() {
    let out = std::env::temp_dir().join(format!("wsharness-selftest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let cases: Vec<String> = SECTIONS.iter().map(|s| (*s).to_owned()).collect();
    let plan = SelftestPlan::load(&repo().join("corpus/cases"), &cases, &[], out.clone(), 16)
        .expect("plan");
    let report = selftest(&plan).await.expect("selftest runs");
    assert_eq!(report.servers.agents.len(), 1);
    assert_eq!(report.clients.len(), 1, "one client agent");
    assert_eq!(report.servers.agents[0].cases, report.clients[0].cases);

    let mut problems = check_role("server", &out.join("servers"));
    problems.extend(check_role("client", &out.join("clients")));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let _ = std::fs::remove_dir_all(&out);
}
