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
        tls: Default::default(),
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

    // A server that accepts TCP and says nothing: the opening handshake times out.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let target = websocket_harness::engine::ServerTarget {
        url,
        origin: None,
        protocols: Vec::new(),
        tls: Default::default(),
    };
    let timeouts = websocket_harness::engine::Timeouts {
        open_handshake: std::time::Duration::from_millis(300),
        ..Default::default()
    };
    let r = websocket_harness::engine::run_case_against_server_with(
        &corpus_case("1.1.1"),
        &target,
        &ctx,
        timeouts,
    )
    .await;
    assert_eq!(verdicts(&r), (Verdict::Failed, Verdict::Failed));
    assert!(r.was_open_handshake_timeout && r.dropped_by_me);
    assert!(r.http_request.starts_with("GET / HTTP/1.1"));
}

#[tokio::test]
async fn probe_reads_the_server_field() {
    let url = engine_support::start(Behavior::Good).await;
    let target = websocket_harness::engine::ServerTarget {
        url,
        origin: None,
        protocols: Vec::new(),
        tls: Default::default(),
    };
    let agent = websocket_harness::engine::probe_server_agent(&target).await;
    assert_eq!(agent.as_deref(), Some("TestServer/1.0"));
}

/// A raw server: completes the handshake, then runs `then` on the socket.
async fn raw_server<F, Fut>(then: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let then = std::sync::Arc::new(then);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let then = then.clone();
            tokio::spawn(async move {
                let hs = websocket_harness::handshake::server_handshake(
                    &mut s,
                    "Hostile",
                    &[],
                    std::time::Duration::from_secs(5),
                )
                .await;
                if hs.is_ok() {
                    then(s).await;
                }
            });
        }
    });
    format!("ws://{addr}/")
}

async fn run_at(url: String, id: &str) -> CaseRecord {
    let target = websocket_harness::engine::ServerTarget {
        url,
        origin: None,
        protocols: Vec::new(),
        tls: Default::default(),
    };
    let ctx = websocket_harness::engine::CaseContext {
        case_number: 1,
        agent: "h".into(),
    };
    websocket_harness::engine::run_case_against_server(&corpus_case(id), &target, &ctx).await
}

#[tokio::test]
async fn hostile_peers_neither_panic_nor_hang() {
    use tokio::io::AsyncWriteExt;
    let t0 = std::time::Instant::now();
    // Garbage forever: the harness fails the connection, then drops it.
    let url = raw_server(|mut s| async move {
        let junk: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        while s.write_all(&junk).await.is_ok() {}
    })
    .await;
    let r = run_at(url, "1.1.1").await;
    assert!(r.failed_by_me && r.dropped_by_me, "{}", r.result_close);
    assert_eq!(r.behavior, Verdict::Failed);

    // A frame announcing 2^63 - 1 octets, then zeros forever: refused at 64 MiB, no allocation.
    let url = raw_server(|mut s| async move {
        let mut head = vec![0x82, 127];
        head.extend_from_slice(&(u64::MAX >> 1).to_be_bytes());
        if s.write_all(&head).await.is_err() {
            return;
        }
        let zeros = vec![0u8; 65536];
        while s.write_all(&zeros).await.is_ok() {}
    })
    .await;
    let r = run_at(url, "1.1.1").await;
    assert_eq!(r.local_close_code, Some(1009));
    assert!(r.received.is_empty());

    // A ping flood while never reading: answered while possible, then the case still ends.
    let url = raw_server(|mut s| async move {
        let ping = [0x89u8, 0x00];
        let many: Vec<u8> = ping.iter().copied().cycle().take(2 * 32768).collect();
        while s.write_all(&many).await.is_ok() {}
    })
    .await;
    let r = run_at(url, "2.1").await;
    assert_eq!(r.behavior, Verdict::Failed);
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(30),
        "took {:?}",
        t0.elapsed()
    );
}
