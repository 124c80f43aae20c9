//! Case selection: Autobahn's `parseSpecCases` and `exclude-agent-cases` rules.

use std::collections::BTreeMap;

use websocket_harness::case::CaseId;
use websocket_harness::select::{select_cases, AgentCaseExcludes, SelectError};

/// A small universe with the tricky orderings: 9.10 vs 9.2, 1.1.10 vs 1.1.2, 10.x vs 1.x.
fn universe() -> Vec<CaseId> {
    let mut ids: Vec<CaseId> = [
        "1.1.1", "1.1.2", "1.1.10", "1.2.1", "2.1", "2.10", "6.4.1", "6.10.1", "9.2.1", "9.10.1",
        "10.1.1", "12.1.1", "13.1.1",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    ids.sort();
    ids
}

fn select(cases: &[&str], exclude: &[&str]) -> Vec<String> {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    select_cases(&universe(), &owned(cases), &owned(exclude))
        .expect("valid selection")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn star_selects_everything_sorted_by_integer_tuple() {
    assert_eq!(
        select(&["*"], &[]),
        [
            "1.1.1", "1.1.2", "1.1.10", "1.2.1", "2.1", "2.10", "6.4.1", "6.10.1", "9.2.1",
            "9.10.1", "10.1.1", "12.1.1", "13.1.1"
        ]
    );
}

#[test]
fn patterns_are_anchored_at_the_start_only() {
    // "1.*" is ^1\..* : not 10.1.1, 12.1.1, 13.1.1.
    assert_eq!(select(&["1.*"], &[]), ["1.1.1", "1.1.2", "1.1.10", "1.2.1"]);
    // "1*" is ^1.* : every id starting with 1.
    assert_eq!(
        select(&["1*"], &[]),
        ["1.1.1", "1.1.2", "1.1.10", "1.2.1", "10.1.1", "12.1.1", "13.1.1"]
    );
    // Not anchored at the end: "1.1.1*" also takes 1.1.10, and "*.1" matches ".1" anywhere.
    assert_eq!(select(&["1.1.1*"], &[]), ["1.1.1", "1.1.10"]);
    assert_eq!(
        select(&["*.10"], &[]),
        ["1.1.10", "2.10", "6.10.1", "9.10.1"]
    );
}

#[test]
fn literals_are_exact_and_dedup_with_patterns() {
    assert_eq!(select(&["2.1"], &[]), ["2.1"]);
    assert_eq!(
        select(&["9.10.1", "9.2.1", "9.*"], &[]),
        ["9.2.1", "9.10.1"]
    );
}

#[test]
fn excludes_are_subtracted_with_the_same_rules() {
    assert_eq!(
        select(&["*"], &["1.*", "9.*", "12.*", "13.*", "6.4.1", "99.1"]),
        ["2.1", "2.10", "6.10.1", "10.1.1"]
    );
    // Excluding a literal does not exclude its prefix-mates.
    assert_eq!(select(&["1.1.*"], &["1.1.1"]), ["1.1.2", "1.1.10"]);
}

#[test]
fn other_regex_syntax_stays_active_as_in_autobahn() {
    assert_eq!(select(&["1.1.[12]*"], &[]), ["1.1.1", "1.1.2", "1.1.10"]);
    let err = select_cases(&universe(), &["1.(*".to_owned()], &[]).unwrap_err();
    assert!(matches!(err, SelectError::BadPattern { .. }), "{err}");
}

#[test]
fn an_unknown_literal_case_is_an_error() {
    let err = select_cases(&universe(), &["1.1.99".to_owned()], &[]).unwrap_err();
    assert_eq!(err, SelectError::UnknownCase("1.1.99".to_owned()));
    assert!(err.to_string().contains("1.1.99"));
}

#[test]
fn agent_case_excludes_are_anchored_at_both_ends() {
    let rules = BTreeMap::from([
        (
            "Tung*".to_owned(),
            vec!["6.4.*".to_owned(), "7.1".to_owned()],
        ),
        ("ws".to_owned(), vec!["*".to_owned()]),
    ]);
    let ex = AgentCaseExcludes::new(rules.iter()).expect("valid");
    assert!(ex.is_excluded("Tungstenite", "6.4.1"));
    assert!(ex.is_excluded("Tungstenite", "7.1"));
    assert!(
        !ex.is_excluded("Tungstenite", "7.1.1"),
        "case anchored at the end"
    );
    assert!(
        !ex.is_excluded("MyTungstenite", "6.4.1"),
        "agent anchored at the start"
    );
    assert!(ex.is_excluded("ws", "1.1.1"));
    assert!(!ex.is_excluded("wsx", "1.1.1"), "agent anchored at the end");
    assert!(!ex.is_excluded("Other", "6.4.1"));
    assert!(AgentCaseExcludes::default().is_empty());
}
