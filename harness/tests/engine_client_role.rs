//! The engine in the server role (testing a client): Autobahn's fuzzingserver semantics.

mod engine_support;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use engine_support::corpus_case;
use websocket_harness::engine::{run_case_against_client, CaseContext, Timeouts};
use websocket_harness::handshake::{client_handshake, client_request, server_handshake};
use websocket_harness::report::{CaseRecord, Verdict};
use websocket_harness::wire::{encode_frame, FrameCollector, FrameSpec};

/// A client that echoes messages (masked), answers a close with 1000 and waits for the
/// server to drop TCP; `closes` false makes it ignore close frames instead.
async fn echo_client(url: String, closes: bool) {
    let req = client_request(&url, None, &[]).expect("url");
    let Ok(mut s) = TcpStream::connect(req.authority()).await else {
        return;
    };
    let Ok(hs) = client_handshake(&mut s, &req, Duration::from_secs(5)).await else {
        return;
    };
    let mut frames = FrameCollector::new(1 << 24);
    let mut input = hs.leftover;
    let mut buf = vec![0u8; 65536];
    loop {
        for f in frames.push(&input) {
            let reply = match f.head.opcode {
                1 | 2 => Some((f.head.opcode, f.payload.clone())),
                9 => Some((10, f.payload.clone())),
                8 if closes => Some((8, 1000u16.to_be_bytes().to_vec())),
                _ => None,
            };
            if let Some((opcode, payload)) = reply {
                let bytes = encode_frame(&FrameSpec {
                    opcode,
                    fin: true,
                    rsv: 0,
                    mask: Some(rand::random()),
                    payload: &payload,
                    length_field: None,
                });
                let _ = s.write_all(&bytes).await;
            }
        }
        match tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => input = buf[..n].to_vec(),
            _ => return,
        }
    }
}

async fn play(id: &str, closes: bool) -> CaseRecord {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "ws://{}/runCase?case=1&agent=c",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(echo_client(url, closes));
    let (mut s, _) = listener.accept().await.expect("accept");
    let hs = server_handshake(&mut s, "wsharness", &[], Duration::from_secs(5))
        .await
        .expect("handshake");
    assert_eq!(hs.path, "/runCase");
    let ctx = CaseContext {
        case_number: 1,
        agent: "c".into(),
    };
    run_case_against_client(&corpus_case(id), s, &hs, &ctx, Timeouts::default()).await
}

#[tokio::test]
async fn a_good_client_passes_and_the_server_drops_tcp() {
    let r = play("1.1.1", true).await;
    assert_eq!(
        (r.behavior, r.behavior_close),
        (Verdict::Ok, Verdict::Ok),
        "{}",
        r.result_close
    );
    assert!(r.is_server && r.closed_by_me && r.was_clean && r.dropped_by_me);
    assert!(r.duration < 800, "took {} ms", r.duration);
    assert!(r
        .http_request
        .starts_with("GET /runCase?case=1&agent=c HTTP/1.1"));
    assert!(r.http_response.starts_with("HTTP/1.1 101"));
}

#[tokio::test]
async fn a_client_that_never_answers_the_close_is_unclean() {
    let r = play("1.1.1", false).await;
    assert_eq!(
        (r.behavior, r.behavior_close),
        (Verdict::Ok, Verdict::Unclean)
    );
    assert!(r.dropped_by_me && !r.was_clean);
}
