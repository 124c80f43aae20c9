//! The fuzzing server with the real engine as its player, against clients that misbehave in
//! the middle of a case: each still gets a verdict, and the server goes on serving.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use websocket_harness::case::{CaseId, Corpus};
use websocket_harness::clients::{engine_player, FuzzingServer, FuzzingServerConfig};
use websocket_harness::handshake::{client_handshake, client_request};
use websocket_harness::select::AgentCaseExcludes;
use websocket_harness::selftest::drive_client;
use websocket_harness::sharing::Sharing;

const T: Duration = Duration::from_secs(20);

#[tokio::test]
async fn clients_that_vanish_or_babble_mid_case_get_verdicts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/cases");
    let corpus = Corpus::load(dir).expect("corpus");
    let ids = ["1.1.1", "5.1", "6.4.1"];
    let cases = ids
        .iter()
        .map(|id| {
            corpus
                .get(&id.parse::<CaseId>().expect("id"))
                .expect("case")
                .clone()
        })
        .collect();
    let out = std::env::temp_dir().join(format!("wsharness-clients-engine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let config = FuzzingServerConfig {
        cases,
        excludes: AgentCaseExcludes::default(),
        protocols: vec![],
        verbose: false,
    };
    let server = FuzzingServer::bind("127.0.0.1:0", config, &out, engine_player())
        .await
        .expect("bind");
    let addr = server.local_addr().expect("addr");
    let task = tokio::spawn(server.run());

    let open = |target: String| async move {
        let url = format!("ws://{addr}{target}");
        let mut tcp = TcpStream::connect(addr).await.expect("connect");
        client_handshake(&mut tcp, &client_request(&url, None, &[]).expect("url"), T)
            .await
            .expect("101");
        tcp
    };
    // Vanishes in the middle of 6.4.1 (which pauses between the parts of a message).
    drop(open("/runCase?case=3&agent=vanish".into()).await);
    // Sends unmasked garbage frames instead of echoing.
    let mut babble = open("/runCase?case=1&agent=babble".into()).await;
    babble
        .write_all(&[0x81, 0x05, b'h', b'e', b'l', b'l', b'o', 0xff, 0xff])
        .await
        .expect("write");
    // Connects, then neither reads nor writes.
    let _mute = open("/runCase?case=2&agent=mute".into()).await;

    // A well-behaved client is served meanwhile, start to finish.
    tokio::time::timeout(
        T * 3,
        drive_client(&format!("ws://{addr}"), "good", 2, |_| Sharing::Shared),
    )
    .await
    .expect("the good client finishes")
    .expect("the good client runs");

    let deadline = tokio::time::Instant::now() + T;
    let index = loop {
        let text = std::fs::read_to_string(out.join("index.json")).unwrap_or_default();
        let index: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let done = ["vanish", "babble", "mute"]
            .iter()
            .all(|a| index.get(a).is_some());
        if done || tokio::time::Instant::now() > deadline {
            break index;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        index["good"].as_object().map(|m| m.len()),
        Some(3),
        "{index}"
    );
    assert_eq!(index["good"]["6.4.1"]["behavior"], "OK", "{index}");
    assert_eq!(index["vanish"]["6.4.1"]["behavior"], "FAILED", "{index}");
    assert_eq!(index["babble"]["1.1.1"]["behavior"], "FAILED", "{index}");
    assert!(index["mute"]["5.1"]["behavior"].is_string(), "{index}");
    task.abort();
    let _ = std::fs::remove_dir_all(&out);
}
