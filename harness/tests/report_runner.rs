//! The runner: concurrency does not change results, reports appear as cases finish, a panic
//! in a case player is reported with the case id.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use websocket_harness::case::Case;
use websocket_harness::engine::CaseContext;
use websocket_harness::report::{CaseRecord, ExpectedClose, ReportWriter, Verdict, INDEX_FILE};
use websocket_harness::runner::{progress_bar, run_cases, CaseRun, RunError};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("runner-tests")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn case(id: &str) -> Arc<Case> {
    let text = format!(
        r#"{{"id": "{id}", "description": "d", "expectation": "e", "steps": [],
            "expected": {{"OK": []}},
            "expected_close": {{"closed_by_me": true, "close_code": [1000], "require_clean": true}}}}"#
    );
    Arc::new(Case::parse(&text, "test.json").expect("valid case"))
}

fn runs() -> Vec<CaseRun> {
    let ids = [
        "1.1.1", "1.1.2", "1.1.10", "2.1", "2.10", "2.2", "5.1", "6.4.1", "7.1.6", "9.10.1",
        "9.2.1", "10.1.1",
    ];
    ids.iter()
        .enumerate()
        .map(|(i, id)| CaseRun {
            number: i + 1,
            case: case(id),
        })
        .collect()
}

/// A stand-in for the engine: a deterministic verdict per case, after a delay that makes
/// cases finish out of order when they run concurrently.
async fn fake_play(case: Arc<Case>, ctx: CaseContext) -> CaseRecord {
    let id = case.id.to_string();
    let salt = id.bytes().map(u64::from).sum::<u64>();
    tokio::time::sleep(Duration::from_millis(salt % 7 * 3)).await;
    let (behavior, behavior_close) = match salt % 3 {
        0 => (Verdict::Ok, Verdict::Ok),
        1 => (Verdict::Failed, Verdict::Ok),
        _ => (Verdict::NonStrict, Verdict::Unclean),
    };
    CaseRecord {
        agent: ctx.agent,
        behavior,
        behavior_close,
        case: ctx.case_number,
        closed_by_me: true,
        create_stats: true,
        create_wirelog: true,
        description: case.description.clone(),
        dropped_by_me: false,
        duration: salt,
        expectation: case.expectation.clone(),
        expected: Default::default(),
        expected_close: ExpectedClose {
            closed_by_me: true,
            close_code: vec![1000],
            require_clean: true,
            closed_by_wrong_endpoint_is_fatal: None,
        },
        failed_by_me: false,
        http_request: "?".into(),
        http_response: "?".into(),
        id,
        is_server: false,
        local_close_code: Some(1000),
        local_close_reason: None,
        received: vec![],
        remote_close_code: Some(1000),
        remote_close_reason: None,
        report_compression_ratio: false,
        report_time: false,
        result: String::new(),
        result_close: String::new(),
        rx_frame_stats: Default::default(),
        rx_octet_stats: Default::default(),
        started: "2024-01-01T00:00:00.000Z".into(),
        traffic_stats: None,
        tx_frame_stats: Default::default(),
        tx_octet_stats: Default::default(),
        was_clean: true,
        was_close_handshake_timeout: false,
        was_not_clean_reason: None,
        was_open_handshake_timeout: false,
        was_server_connection_drop_timeout: false,
        wirelog: vec![],
    }
}

fn dir_contents(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn results_do_not_depend_on_jobs() {
    let runs = runs();
    let mut outputs = Vec::new();
    for jobs in [1, 3, 64] {
        let dir = scratch(&format!("jobs-{jobs}"));
        let mut writer = ReportWriter::open(&dir).unwrap();
        writer.start_agent("Agent").unwrap();
        let bar = progress_bar(runs.len(), false);
        let summary = run_cases("Agent", &runs, jobs, &mut writer, &bar, fake_play)
            .await
            .expect("run");
        assert_eq!(summary.cases, runs.len());
        assert_eq!(bar.position(), runs.len() as u64);
        outputs.push((summary, dir_contents(&dir)));
    }
    let (first_summary, first_files) = &outputs[0];
    assert_eq!(
        first_files.len(),
        runs.len() + 1,
        "one file per case plus the index"
    );
    for (summary, files) in &outputs[1..] {
        assert_eq!(summary, first_summary);
        assert_eq!(files, first_files);
    }
    // Failing ids come out in case order whatever the finishing order.
    let failing = &first_summary.failing;
    assert!(!failing.is_empty());
    let mut sorted = failing.clone();
    sorted.sort_by_key(|id| {
        id.split('.')
            .map(|p| p.parse::<u32>().unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(failing, &sorted);
    let index: serde_json::Value =
        serde_json::from_str(&first_files.iter().find(|f| f.0 == INDEX_FILE).unwrap().1).unwrap();
    assert_eq!(index["Agent"].as_object().unwrap().len(), runs.len());
}

#[tokio::test]
async fn a_panicking_player_names_the_case() {
    let dir = scratch("panic");
    let mut writer = ReportWriter::open(&dir).unwrap();
    let bar = progress_bar(0, false);
    let err = run_cases(
        "Agent",
        &runs(),
        2,
        &mut writer,
        &bar,
        |case, ctx| async move {
            if case.id.to_string() == "2.1" {
                panic!("boom");
            }
            fake_play(case, ctx).await
        },
    )
    .await
    .expect_err("the panic must surface");
    match &err {
        RunError::CasePanicked { case, message } => {
            assert_eq!(case, "2.1");
            assert_eq!(message, "boom");
        }
        other => panic!("unexpected error {other}"),
    }
    // Cases finished before the panic keep their reports.
    assert!(dir.join("agent_case_1_1_1.json").is_file());
}
