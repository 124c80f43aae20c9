//! End to end: the engine plays corpus cases against deliberately broken echo servers and must
//! give the verdicts Autobahn gives for the same behavior.

mod engine_support;

use engine_support::{corpus_case, run, Behavior};
use websocket_harness::report::{CaseRecord, Verdict};

fn verdicts(r: &CaseRecord) -> (Verdict, Verdict) {
    (r.behavior, r.behavior_close)
}

#[tokio::test]
async fn good_server_passes_and_cases_end_early() {
    let r = run(Behavior::Good, &corpus_case("1.1.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Ok), "{r:#?}");
    assert_eq!(r.remote_close_code, Some(1000));
    assert!(r.was_clean && r.closed_by_me && !r.dropped_by_me);
    // The case ends when the server drops TCP, not when kill_after (1 s) would fire.
    assert!(r.duration < 800, "took {} ms", r.duration);
    assert_eq!(r.received, [serde_json::json!(["message", "", false])]);
    assert!(r.http_request.starts_with("GET / HTTP/1.1\r\n"));
    assert!(r.http_response.starts_with("HTTP/1.1 101"));
    assert_eq!(r.started.len(), 24);
    let tags: Vec<&str> = r.wirelog.iter().filter_map(|row| row[0].as_str()).collect();
    assert_eq!(&tags[..3], ["TO", "RO", "TF"], "{tags:?}");
    assert!(tags.contains(&"KL") && tags.contains(&"RF"), "{tags:?}");
}

#[tokio::test]
async fn good_server_fails_bad_input_with_the_right_codes() {
    for (id, code) in [("3.1", 1002), ("6.3.1", 1007), ("7.9.1", 1002)] {
        let r = run(Behavior::Good, &corpus_case(id)).await;
        assert_eq!(
            verdicts(&r),
            (Verdict::Ok, Verdict::Ok),
            "{id}: {}",
            r.result_close
        );
        assert_eq!(r.remote_close_code, Some(code), "{id}");
    }
    let r = run(Behavior::Good, &corpus_case("2.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Ok));
    assert_eq!(r.received, [serde_json::json!(["pong", ""])]);
}

#[tokio::test]
async fn echo_check_auto_fragmentation_and_fail_fast() {
    let r = run(Behavior::Good, &corpus_case("9.1.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Ok), "{}", r.result);
    assert_eq!(r.result, "Received text message of length 65536.");
    assert!(r.received.is_empty(), "echo checks record no events");

    let r = run(Behavior::Good, &corpus_case("10.1.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Ok), "{}", r.result);
    assert_eq!(r.tx_frame_stats.get(&0), Some(&50));
    assert_eq!(r.tx_frame_stats.get(&1), Some(&1));

    // 6.4.3: the test server checks UTF-8 only once the message is complete (no fail-fast),
    // so both pauses elapse first: NON-STRICT, as Autobahn rates it.
    let r = run(Behavior::Good, &corpus_case("6.4.3")).await;
    assert_eq!(
        verdicts(&r),
        (Verdict::NonStrict, Verdict::Ok),
        "{:?}",
        r.received
    );
    assert_eq!(
        r.received,
        [
            serde_json::json!(["timeout", "A"]),
            serde_json::json!(["timeout", "B"])
        ]
    );
    assert_eq!(r.remote_close_code, Some(1007));
}

#[tokio::test]
async fn server_that_never_closes() {
    let r = run(Behavior::NeverCloses, &corpus_case("1.1.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Unclean));
    // kill_after (set at open) fires just before the close-handshake timeout (set when the
    // echo came back): failing while closing drops TCP, as in Autobahn.
    assert!(r.dropped_by_me && r.failed_by_me && !r.was_clean && !r.was_close_handshake_timeout);

    // Without kill_after, the close-handshake timeout drops the connection.
    let r = run(Behavior::NeverCloses, &corpus_case("2.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Unclean));
    assert!(r.was_close_handshake_timeout && r.dropped_by_me && !r.was_clean);
    assert_eq!(
        r.was_not_clean_reason.as_deref(),
        Some("peer did not respond (in time) in closing handshake")
    );

    // A protocol violation the server ignores: the harness has to close (kill_after), so the
    // wrong endpoint closed.
    let r = run(Behavior::NeverCloses, &corpus_case("3.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Failed));
    assert_eq!(
        r.result_close,
        "The connection was failed by the wrong endpoint"
    );
    assert!(r.failed_by_me && r.closed_by_me);
    assert_eq!(r.local_close_code, Some(1001));

    // Invalid UTF-8 not detected: the wrong closer is fatal for behavior too.
    let r = run(Behavior::NeverCloses, &corpus_case("6.3.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Failed, Verdict::Failed));
}

#[tokio::test]
async fn server_that_drops_tcp_instead_of_closing() {
    let r = run(Behavior::DropsInsteadOfClose, &corpus_case("1.1.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Unclean));
    assert!(!r.dropped_by_me);
    assert_eq!(
        r.was_not_clean_reason.as_deref(),
        Some("peer dropped the TCP connection without previous WebSocket closing handshake")
    );
    // Autobahn's blind spot: a bare drop passes a protocol-error case.
    let r = run(Behavior::DropsInsteadOfClose, &corpus_case("3.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::Ok));
    assert_eq!(r.remote_close_code, None);
}

#[tokio::test]
async fn server_with_a_wrong_close_code() {
    let r = run(Behavior::WrongCloseCode, &corpus_case("7.1.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Failed, Verdict::WrongCode));
    assert_eq!(r.remote_close_code, Some(1001));
    assert_eq!(r.result, "The close code should have been 1000 or empty");
    let r = run(Behavior::WrongCloseCode, &corpus_case("3.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Ok, Verdict::WrongCode));
}

#[tokio::test]
async fn server_that_does_not_echo() {
    let r = run(Behavior::NoEcho, &corpus_case("1.1.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Failed, Verdict::Ok));
    assert_eq!(r.result, "Actual events differ from any expected.");
    // kill_after fired: the harness failed the connection with 1001 "Going Away".
    assert!(r.failed_by_me && r.was_clean);
    assert_eq!(r.local_close_reason.as_deref(), Some("Going Away"));
    let r = run(Behavior::NoEcho, &corpus_case("9.1.1")).await;
    assert_eq!(r.behavior, Verdict::Failed);
}

#[tokio::test]
async fn handshake_never_completed() {
    let r = run(Behavior::RejectsHandshake, &corpus_case("1.1.1")).await;
    assert_eq!(verdicts(&r), (Verdict::Failed, Verdict::Failed));
    assert_eq!(
        r.result_close,
        "The WebSocket opening handshake was never completed!"
    );
    assert!(r.http_response.starts_with("HTTP/1.1 404"));

    let target = websocket_harness::engine::ServerTarget {
        url: "ws://127.0.0.1:1/".into(),
        origin: None,
        protocols: Vec::new(),
    };
    let ctx = websocket_harness::engine::CaseContext {
        case_number: 7,
        agent: "x".into(),
    };
    let r =
        websocket_harness::engine::run_case_against_server(&corpus_case("1.1.1"), &target, &ctx)
            .await;
    assert_eq!(verdicts(&r), (Verdict::Failed, Verdict::Failed));
    assert_eq!((r.case, r.http_response.as_str()), (7, "?"));
}

#[tokio::test]
async fn probe_reads_the_server_field() {
    let url = engine_support::start(Behavior::Good).await;
    let target = websocket_harness::engine::ServerTarget {
        url,
        origin: None,
        protocols: Vec::new(),
    };
    let agent = websocket_harness::engine::probe_server_agent(&target).await;
    assert_eq!(agent.as_deref(), Some("TestServer/1.0"));
}
