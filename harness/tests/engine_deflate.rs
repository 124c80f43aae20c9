//! Sections 12 and 13 end to end, in both roles, against the project's driver with
//! permessage-deflate (RFC 7692) on and off: the harness's own codec talks to an independent one.

mod engine_support;

use std::time::Duration;

use tokio::net::TcpListener;

use engine_support::corpus_case;
use websocket_driver::ext::deflate::DeflateConfig;
use websocket_driver::tokio::{connect, serve};
use websocket_driver::ws::Options;
use websocket_harness::engine::{
    run_case_against_client, run_case_against_server, CaseContext, ServerTarget, Timeouts,
};
use websocket_harness::handshake::server_handshake_deflate;
use websocket_harness::report::{CaseRecord, Verdict};

fn ctx() -> CaseContext {
    CaseContext {
        case_number: 1,
        agent: "driver".into(),
    }
}

/// The driver's echo server on a free port; `deflate` accepts permessage-deflate.
async fn echo_server(deflate: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("addr"));
    let mut options = Options::new().max_length(64 << 20);
    if deflate {
        options = options.deflate(DeflateConfig::default());
    }
    tokio::spawn(serve(listener, options, |ws| {
        ws.on_message(|ws, message| {
            ws.send(message);
        });
    }));
    url
}

async fn test_server(id: &str, url: &str) -> CaseRecord {
    let target = ServerTarget {
        url: url.into(),
        origin: None,
        protocols: Vec::new(),
        tls: Default::default(),
    };
    run_case_against_server(&corpus_case(id), &target, &ctx()).await
}

fn passed(r: &CaseRecord) {
    assert_eq!(
        (r.behavior, r.behavior_close, r.remote_close_code),
        (Verdict::Ok, Verdict::Ok, Some(1000)),
        "{}: {} / {}",
        r.id,
        r.result,
        r.result_close
    );
    assert!(r.report_compression_ratio);
    let t = r.traffic_stats.as_ref().expect("trafficStats");
    assert_eq!(t["outgoingWebSocketMessages"], 1000, "{}", r.id);
    assert_eq!(t["incomingWebSocketMessages"], 1000, "{}", r.id);
    assert!(t["outgoingCompressionRatio"].as_f64().is_some(), "{}", r.id);
}

/// Binary and text data sets, no context takeover, a small window, the fallback list, and a
/// fragmented case (each runs 1000 round trips, so the list is short).
const CASES: [&str; 6] = ["12.1.1", "12.3.1", "13.2.1", "13.5.1", "13.7.1", "13.3.11"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deflate_server_passes_and_one_without_is_unimplemented() {
    let url = echo_server(true).await;
    for id in CASES {
        let r = test_server(id, &url).await;
        passed(&r);
        assert!(
            r.http_request
                .contains("Sec-WebSocket-Extensions: permessage-deflate"),
            "{}",
            r.http_request
        );
    }
    let plain = echo_server(false).await;
    let r = test_server("13.7.18", &plain).await;
    assert_eq!(
        (r.behavior, r.behavior_close, r.remote_close_code),
        (Verdict::Unimplemented, Verdict::Ok, Some(1000))
    );
    assert!(r.traffic_stats.is_none() && r.report_compression_ratio);
    assert!(
        r.duration < 2000,
        "UNIMPLEMENTED closes at once: {} ms",
        r.duration
    );
}

/// The harness as the server (Autobahn's fuzzingserver), the driver's client echoing.
async fn test_client(id: &str, deflate: bool) -> CaseRecord {
    let case = corpus_case(id);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "ws://{}/runCase?case=1&agent=driver",
        listener.local_addr().expect("addr")
    );
    let mut options = Options::new().max_length(64 << 20);
    if deflate {
        options = options.deflate(DeflateConfig::default());
    }
    tokio::spawn(async move {
        if let Ok(h) = connect(&url, options, |ws| {
            ws.on_message(|ws, message| {
                ws.send(message);
            });
        })
        .await
        {
            h.closed().await;
        }
    });
    let (mut s, _) = listener.accept().await.expect("accept");
    let rules = case
        .deflate
        .as_ref()
        .map(|d| d.accept.clone())
        .unwrap_or_default();
    let hs = server_handshake_deflate(&mut s, "wsharness", &[], &rules, Duration::from_secs(5))
        .await
        .expect("handshake");
    assert_eq!(hs.deflate.is_some(), deflate, "{}", hs.response);
    run_case_against_client(&case, s, &hs, &ctx(), Timeouts::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deflate_client_passes_and_one_without_is_unimplemented() {
    // The offers (the data sets take the same code path as in the other role).
    for id in ["13.1.1", "13.5.1", "13.7.1"] {
        let r = test_client(id, true).await;
        assert!(r.is_server);
        passed(&r);
        assert!(
            r.http_response
                .contains("Sec-WebSocket-Extensions: permessage-deflate"),
            "{}",
            r.http_response
        );
    }
    let r = test_client("12.1.1", false).await;
    assert_eq!(
        (r.behavior, r.behavior_close),
        (Verdict::Unimplemented, Verdict::Ok)
    );
}
