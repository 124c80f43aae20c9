//! Spec files: Autobahn's fuzzingclient.json.

use std::path::{Path, PathBuf};

use serde_json::json;
use websocket_harness::spec::{FuzzingClientSpec, SpecErrorKind};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/spec")
        .join(name)
}

#[test]
fn reads_autobahns_fuzzingclient_spec() {
    let spec = FuzzingClientSpec::load(data("fuzzingclient.json")).expect("valid spec");
    assert_eq!(spec.outdir.as_deref(), Some(Path::new("./reports/servers")));
    assert_eq!(spec.cases.as_deref(), Some(&["*".to_owned()][..]));
    assert_eq!(spec.exclude_cases, ["9.*", "12.*", "13.*"]);
    assert_eq!(spec.exclude_agent_cases["Tung*"], ["6.4.*", "7.1.6"]);
    assert_eq!(spec.options["failByDrop"], json!(false));

    assert_eq!(spec.servers.len(), 3);
    let [a, b, c] = &spec.servers[..] else {
        unreachable!()
    };
    assert_eq!(a.agent.as_deref(), Some("Tungstenite"));
    assert_eq!(a.url, "ws://127.0.0.1:9001");
    assert_eq!(a.options["version"], json!(18));
    assert_eq!(b.agent, None);
    assert_eq!(b.origin.as_deref(), Some("http://example.com"));
    assert_eq!(b.protocols, ["chat", "superchat"]);
    assert_eq!(b.hostname.as_deref(), Some("example.com"));
    // An empty agent means "use the Server header", as in Autobahn.
    assert_eq!(c.agent, None);
}

#[test]
fn every_key_is_optional() {
    let spec = FuzzingClientSpec::parse("{}").expect("empty spec");
    assert_eq!(spec, FuzzingClientSpec::default());
}

fn key_error(text: &str) -> (String, &'static str) {
    match FuzzingClientSpec::parse(text).expect_err("must be rejected") {
        SpecErrorKind::Key { key, expected } => (key, expected),
        other => panic!("expected a key error, got {other:?}"),
    }
}

#[test]
fn wrong_types_name_the_key() {
    assert_eq!(key_error(r#"{"cases": "1.*"}"#).0, "cases");
    assert_eq!(key_error(r#"{"cases": ["1.*", 2]}"#).0, "cases[1]");
    assert_eq!(
        key_error(r#"{"servers": [{"agent": "a"}]}"#).0,
        "servers[0].url"
    );
    assert_eq!(
        key_error(r#"{"servers": [{"url": "ws://x", "protocols": "chat"}]}"#).0,
        "servers[0].protocols"
    );
    assert_eq!(key_error(r#"{"servers": {"url": "ws://x"}}"#).0, "servers");
    assert_eq!(
        key_error(r#"{"exclude-agent-cases": {"a": "1.*"}}"#).0,
        "exclude-agent-cases.a"
    );
    assert_eq!(key_error(r#"{"options": []}"#).0, "options");
    assert_eq!(key_error(r#"{"outdir": 3}"#).0, "outdir");
    assert_eq!(key_error("[]").0, "(top level)");
}

#[test]
fn errors_name_the_file() {
    let missing = data("no-such-spec.json");
    let err = FuzzingClientSpec::load(&missing).unwrap_err().to_string();
    assert!(
        err.contains("no-such-spec.json") && err.contains("cannot read"),
        "{err}"
    );

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("spec-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"servers": [{"url": 1}]}"#).unwrap();
    let err = FuzzingClientSpec::load(&bad).unwrap_err().to_string();
    assert!(
        err.contains("bad.json") && err.contains("`servers[0].url`"),
        "{err}"
    );

    std::fs::write(&bad, "{ not json").unwrap();
    let err = FuzzingClientSpec::load(&bad).unwrap_err().to_string();
    assert!(
        err.contains("bad.json") && err.contains("not valid JSON"),
        "{err}"
    );
}
