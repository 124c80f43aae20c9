//! JUnit XML: well-formed, one test case per case with the section as classname, failures with
//! the verdicts and Autobahn's reasons, and valid against the Jenkins `junit-10.xsd` schema.
//!
//! The schema rules the file relies on are checked here in Rust (so the test means something
//! without network or extra tools): `testsuites` holds only `testsuite`; a `testsuite` has
//! `name`, `tests`, `failures` and `errors` and holds only `testcase` (here); a `testcase` has
//! `name` and holds only `failure`, `skipped` (and friends); `time` matches the schema's
//! SUREFIRE_TIME pattern. When `xmllint` and the schema file are available (`$JUNIT_XSD`, e.g.
//! `testing/example_scripts/junit-10.xsd` from the pytest sdist), the file is validated with
//! them too; otherwise the test says it skipped that part.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use websocket_harness::html::write_reports;
use websocket_harness::junit::write_junit;

const AUTOBAHN_RUNS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/html/autobahn-runs");

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("junit-tests")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

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

/// The schema's SUREFIRE_TIME: `(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]{0,3})?`; for
/// what we write (no thousands separators), digits with at most three decimals.
fn is_surefire_time(t: &str) -> bool {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 3
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> lacks the required {name}", node.tag_name().name()))
}

/// Checks the junit-10.xsd rules listed at the top; returns the test cases.
fn check_schema_rules(doc: &roxmltree::Document<'_>) -> usize {
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert!(is_surefire_time(attr(root, "time")));
    let mut cases = 0;
    for suite in root.children().filter(roxmltree::Node::is_element) {
        assert_eq!(suite.tag_name().name(), "testsuite");
        for required in ["name", "tests", "failures", "errors"] {
            attr(suite, required);
        }
        assert!(is_surefire_time(attr(suite, "time")));
        let mut failures = 0;
        let mut n = 0;
        for case in suite.children().filter(roxmltree::Node::is_element) {
            assert_eq!(case.tag_name().name(), "testcase");
            attr(case, "name");
            assert!(is_surefire_time(attr(case, "time")));
            for child in case.children().filter(roxmltree::Node::is_element) {
                assert!(
                    ["failure", "skipped", "system-out", "system-err"]
                        .contains(&child.tag_name().name()),
                    "unexpected <{}>",
                    child.tag_name().name()
                );
                failures += usize::from(child.tag_name().name() == "failure");
            }
            n += 1;
        }
        assert_eq!(attr(suite, "tests"), n.to_string());
        assert_eq!(attr(suite, "failures"), failures.to_string());
        cases += n;
    }
    assert_eq!(attr(root, "tests"), cases.to_string());
    cases
}

#[test]
fn junit_has_a_case_per_case_and_failures_with_reasons() {
    let dir = scratch("runs");
    copy_tree(Path::new(AUTOBAHN_RUNS), &dir);
    let file = dir.join("standalone.xml");
    let (summary, warnings) = write_junit(&dir, &file).expect("write junit");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        (summary.tests, summary.failures, summary.skipped),
        (15, 3, 2)
    );
    write_reports(&dir, None).expect("render");
    let xml = fs::read_to_string(&file).expect("read");
    assert_eq!(
        xml,
        fs::read_to_string(dir.join("junit.xml")).expect("read")
    );

    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert_eq!(check_schema_rules(&doc), 15);
    let case = |suite: &str, name: &str| {
        doc.descendants()
            .find(|n| {
                n.has_tag_name("testcase")
                    && n.attribute("name") == Some(name)
                    && n.parent().and_then(|p| p.attribute("name")) == Some(suite)
            })
            .unwrap_or_else(|| panic!("no {name} in {suite}"))
    };
    let failure = case("websockets (websockets-client)", "Case 7.1.5")
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("7.1.5 fails");
    assert_eq!(
        case("websockets (websockets-client)", "Case 7.1.5").attribute("classname"),
        Some("7 Close Handling")
    );
    assert_eq!(failure.attribute("type"), Some("FAILED"));
    assert_eq!(
        failure.attribute("message"),
        Some("behavior FAILED, behaviorClose WRONG CODE: The close code should have been 1000 or empty / The close code should have been 1000 or empty")
    );
    assert!(failure
        .text()
        .is_some_and(|t| t.contains("remoteCloseCode: 1002")));
    // OK / WRONG CODE is not red in Autobahn's report, INFORMATIONAL neither.
    assert!(!case("ws (ws-server)", "Case 7.1.6").has_children());
    let skipped = case("ws (ws-server)", "Case 12.1.1")
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .expect("unimplemented is skipped");
    assert!(skipped
        .attribute("message")
        .is_some_and(|m| m.starts_with("UNIMPLEMENTED")));

    validate_with_xmllint(&file);
}

/// Validates `file` against `$JUNIT_XSD` with xmllint, or says why it could not.
fn validate_with_xmllint(file: &Path) {
    let Some(xsd) = std::env::var_os("JUNIT_XSD").map(PathBuf::from) else {
        println!("xmllint check skipped: set JUNIT_XSD to the Jenkins junit-10.xsd (in the pytest sdist: testing/example_scripts/junit-10.xsd)");
        return;
    };
    assert!(xsd.is_file(), "JUNIT_XSD={} does not exist", xsd.display());
    let out = match Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(file)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            println!(
                "xmllint check skipped: cannot run xmllint ({e}); apt-get install libxml2-utils"
            );
            return;
        }
    };
    assert!(
        out.status.success(),
        "{} does not validate against {}:\n{}",
        file.display(),
        xsd.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{} validates against {}", file.display(), xsd.display());
}

#[test]
fn control_characters_in_reasons_keep_the_xml_valid() {
    let dir = scratch("control");
    fs::write(
        dir.join("index.json"),
        r#"{"a&b": {"1.1.1": {"behavior": "FAILED", "behaviorClose": "OK", "duration": 5,
            "remoteCloseCode": null, "reportfile": "a_b_case_1_1_1.json"}}}"#,
    )
    .expect("write");
    fs::write(
        dir.join("a_b_case_1_1_1.json"),
        r#"{"result": "got \u0001\u0000 and <tag> \"q\" ]]>", "resultClose": "ok"}"#,
    )
    .expect("write");
    let file = dir.join("out.xml");
    let (summary, _) = write_junit(&dir, &file).expect("write junit");
    assert_eq!(summary.failures, 1);
    let xml = fs::read_to_string(&file).expect("read");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert_eq!(check_schema_rules(&doc), 1);
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("failure");
    assert!(failure
        .attribute("message")
        .is_some_and(|m| m.contains("got \u{fffd}\u{fffd} and <tag> \"q\" ]]>")));
    validate_with_xmllint(&file);
}
