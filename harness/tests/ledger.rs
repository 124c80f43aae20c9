//! `wsharness diff` on small ledgers and indexes written here: what it reports, what it
//! returns, and what `--update` writes.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use websocket_harness::diffcmd::{run, DiffArgs, DiffOutcome};
use websocket_harness::ledger::{CaseKey, Ledger};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("wsharness-ledger-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn write(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).expect("json")).expect("write");
}

fn entry(b: &str, c: &str, code: Option<u16>) -> Value {
    json!({"behavior": b, "behaviorClose": c, "remoteCloseCode": code})
}

/// An index entry as a run writes it (with duration and reportfile).
fn run_entry(b: &str, c: &str, code: Option<u16>) -> Value {
    json!({"behavior": b, "behaviorClose": c, "remoteCloseCode": code, "duration": 3, "reportfile": "x.json"})
}

fn args(expected: &Path, actual: &Path) -> DiffArgs {
    DiffArgs {
        expected: expected.to_owned(),
        actual: actual.to_owned(),
        agent: None,
        cases: vec![],
        exclude: vec![],
        update: false,
    }
}

#[test]
fn equal_results_are_clean_and_any_drift_is_not() {
    let d = dir("drift");
    let ledger = d.join("ledger.json");
    write(
        &ledger,
        &json!({"drv": {"1.1.1": entry("OK", "OK", Some(1000)), "2.1": entry("OK", "OK", Some(1000)),
                        "9.1.1": {"behavior": "OK", "behaviorClose": "OK", "remoteCloseCode": 1000,
                                  "excluded": "timing-dependent in debug builds"}}}),
    );
    let run_dir = d.join("run");
    std::fs::create_dir_all(&run_dir).expect("dir");
    let index = run_dir.join("index.json");
    write(
        &index,
        &json!({"drv": {"1.1.1": run_entry("OK", "OK", Some(1000)), "2.1": run_entry("OK", "OK", Some(1000)),
                        "9.1.1": run_entry("FAILED", "OK", Some(1000))}}),
    );
    // A report directory stands for its index.json; the excluded case does not count.
    assert_eq!(
        run(&args(&ledger, &run_dir)).expect("diff"),
        DiffOutcome::Clean
    );

    // An improvement alone is clean; a changed close code is drift; a regression is drift.
    write(
        &index,
        &json!({"drv": {"1.1.1": run_entry("OK", "OK", Some(1000)), "2.1": run_entry("OK", "OK", Some(1001))}}),
    );
    assert_eq!(
        run(&args(&ledger, &index)).expect("diff"),
        DiffOutcome::Drift
    );
    write(
        &index,
        &json!({"drv": {"1.1.1": run_entry("OK", "OK", Some(1000))}}),
    );
    assert_eq!(
        run(&args(&ledger, &index)).expect("diff"),
        DiffOutcome::Drift,
        "a missing case regresses"
    );
    write(
        &index,
        &json!({"drv": {"1.1.1": run_entry("OK", "OK", Some(1000)), "2.1": run_entry("OK", "OK", Some(1000)),
                                   "3.1": run_entry("OK", "OK", Some(1000))}}),
    );
    assert_eq!(
        run(&args(&ledger, &index)).expect("diff"),
        DiffOutcome::Drift,
        "a new case needs the ledger updated"
    );

    // --cases / --exclude restrict the comparison to the cases both sides ran.
    let mut a = args(&ledger, &index);
    a.exclude = vec!["3.*".into()];
    assert_eq!(run(&a).expect("diff"), DiffOutcome::Clean);
}

#[test]
fn update_rewrites_the_ledger_and_keeps_exclusions() {
    let d = dir("update");
    let ledger = d.join("ledger.json");
    write(
        &ledger,
        &json!({"drv": {"1.1.1": entry("FAILED", "OK", None),
                        "9.1.1": {"behavior": "OK", "behaviorClose": "OK", "remoteCloseCode": 1000, "excluded": "slow"}},
                "other": {"1.1.1": entry("OK", "OK", Some(1000))}}),
    );
    let index = d.join("index.json");
    write(
        &index,
        &json!({"drv": {"1.1.1": run_entry("OK", "OK", Some(1000)), "9.1.1": run_entry("FAILED", "OK", None)}}),
    );
    let mut a = args(&ledger, &index);
    a.agent = Some("drv".into());
    a.update = true;
    assert_eq!(run(&a).expect("update"), DiffOutcome::Updated);

    let text = std::fs::read_to_string(&ledger).expect("read");
    assert!(
        !text.contains("duration") && !text.contains("reportfile"),
        "{text}"
    );
    assert!(
        text.contains("\n   \""),
        "indented by 3 as Autobahn writes its index"
    );
    let l = Ledger::load(&ledger).expect("ledger");
    let drv = &l.0["drv"];
    assert_eq!(drv[&CaseKey::from("1.1.1")].remote_close_code, Some(1000));
    assert_eq!(
        drv[&CaseKey::from("9.1.1")].excluded.as_deref(),
        Some("slow")
    );
    assert!(l.0.contains_key("other"), "other agents are kept");

    a.update = false;
    assert_eq!(run(&a).expect("diff"), DiffOutcome::Clean);

    // --update creates a missing ledger from the run.
    let fresh = d.join("new.json");
    let mut a = args(&fresh, &index);
    a.update = true;
    assert_eq!(run(&a).expect("create"), DiffOutcome::Updated);
    assert_eq!(Ledger::load(&fresh).expect("ledger").0["drv"].len(), 2);
}

#[test]
fn several_agents_need_a_name_and_bad_files_are_errors() {
    let d = dir("agents");
    let two = d.join("two.json");
    write(
        &two,
        &json!({"a": {"1.1.1": entry("OK", "OK", Some(1000))}, "b": {}}),
    );
    let e = run(&args(&two, &two)).expect_err("ambiguous");
    assert!(e.to_string().contains("--agent"), "{e}");
    let mut a = args(&two, &two);
    a.agent = Some("a".into());
    assert_eq!(run(&a).expect("diff"), DiffOutcome::Clean);
    let bad = d.join("bad.json");
    std::fs::write(&bad, "[1, 2]").expect("write");
    assert!(run(&args(&bad, &two)).is_err());
    assert!(run(&args(&d.join("missing.json"), &two)).is_err());
}
