//! `wsharness report DIR [--junit FILE]` from the command line, on real Autobahn|Testsuite JSON.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const AUTOBAHN_RUNS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/html/autobahn-runs");

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

#[test]
fn report_command_writes_pages_and_junit() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-cli");
    let _ = fs::remove_dir_all(&dir);
    copy_tree(Path::new(AUTOBAHN_RUNS), &dir);
    let junit = dir.join("ci-junit.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_wsharness"))
        .arg("report")
        .arg(&dir)
        .arg("--junit")
        .arg(&junit)
        .output()
        .expect("run wsharness");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("8 cases x 2 agent column(s), 15 case pages, 2 case(s) with a failure"),
        "{stdout}"
    );
    assert!(
        stdout.contains("15 tests, 3 failures, 2 skipped"),
        "{stdout}"
    );
    assert!(dir.join("index.html").is_file());
    assert!(dir.join("ws-server/ws_case_9_3_1.html").is_file());
    assert_eq!(
        fs::read_to_string(&junit).expect("junit"),
        fs::read_to_string(dir.join("junit.xml")).expect("junit in DIR")
    );

    let missing = Command::new(env!("CARGO_BIN_EXE_wsharness"))
        .arg("report")
        .arg(dir.join("no-such-dir"))
        .output()
        .expect("run wsharness");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot write the reports of"));
}
