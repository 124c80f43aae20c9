//! The fuzzing server's client-driver endpoints against scripted clients, and its robustness
//! against clients that hang, send garbage or vanish mid-case.
//!
//! The cases are played by a small scripted player (send "Hello", expect it echoed, close), so
//! these tests check the server's protocol and bookkeeping, not the engine (the selftest and
//! snapshot tests cover the engine in the server role).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use websocket_harness::case::{Case, CaseId, Corpus};
use websocket_harness::clients::{CasePlayer, FuzzingServer, FuzzingServerConfig, PlayRequest};
use websocket_harness::handshake::{client_handshake, client_request};
use websocket_harness::report::summary::AgentSummary;
use websocket_harness::report::CaseRecord;
use websocket_harness::select::AgentCaseExcludes;
use websocket_harness::wire::{encode_frame, FrameCollector, FrameSpec, OP_CLOSE, OP_TEXT};

const T: Duration = Duration::from_secs(10);

fn corpus_cases(ids: &[&str]) -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/cases");
    let corpus = Corpus::load(dir).expect("corpus loads");
    ids.iter()
        .map(|id| {
            let id: CaseId = id.parse().expect("id");
            corpus.get(&id).expect("case exists").clone()
        })
        .collect()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wsharness-clients-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A record with every key, verdicts as given.
fn record(req: &PlayRequest, behavior: &str, close: &str, remote: Option<u16>) -> CaseRecord {
    serde_json::from_value(json!({
        "agent": req.agent, "behavior": behavior, "behaviorClose": close, "case": req.case_number,
        "closedByMe": true, "createStats": true, "createWirelog": true,
        "description": req.case.description, "droppedByMe": true, "duration": 1,
        "expectation": req.case.expectation, "expected": {}, "expectedClose":
        {"closedByMe": true, "closeCode": [1000], "requireClean": true}, "failedByMe": false,
        "httpRequest": req.handshake.request, "httpResponse": req.handshake.response,
        "id": req.case.id.to_string(), "isServer": false, "localCloseCode": 1000,
        "localCloseReason": null, "received": [], "remoteCloseCode": remote,
        "remoteCloseReason": null, "reportCompressionRatio": false, "reportTime": false,
        "result": "", "resultClose": "", "rxFrameStats": {}, "rxOctetStats": {}, "started": "",
        "trafficStats": null, "txFrameStats": {}, "txOctetStats": {}, "wasClean": true,
        "wasCloseHandshakeTimeout": false, "wasNotCleanReason": null,
        "wasOpenHandshakeTimeout": false, "wasServerConnectionDropTimeout": false, "wirelog": []
    }))
    .expect("record")
}

/// Sends "Hello", expects it back within 1 s: OK, else FAILED; then closes with 1000.
fn echo_player() -> CasePlayer {
    Arc::new(|mut req: PlayRequest| {
        Box::pin(async move {
            let frame = |opcode, payload: &[u8]| {
                encode_frame(&FrameSpec {
                    opcode,
                    fin: true,
                    rsv: 0,
                    mask: None,
                    payload,
                    length_field: None,
                })
            };
            let mut collector = FrameCollector::new(1024);
            let mut frames = collector.push(&req.handshake.leftover);
            let _ = req.stream.write_all(&frame(OP_TEXT, b"Hello")).await;
            let mut buf = [0u8; 1024];
            let echoed = tokio::time::timeout(Duration::from_secs(1), async {
                loop {
                    if let Some(f) = frames.iter().find(|f| f.head.opcode == OP_TEXT) {
                        return f.payload == b"Hello";
                    }
                    match req.stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return false,
                        Ok(n) => frames.extend(collector.push(&buf[..n])),
                    }
                }
            })
            .await
            .unwrap_or(false);
            let _ = req
                .stream
                .write_all(&frame(OP_CLOSE, &1000u16.to_be_bytes()))
                .await;
            let verdict = if echoed { "OK" } else { "FAILED" };
            record(
                &req,
                verdict,
                if echoed { "OK" } else { "UNCLEAN" },
                echoed.then_some(1000),
            )
        })
    })
}

struct Server {
    addr: SocketAddr,
    out: PathBuf,
    task: JoinHandle<Vec<AgentSummary>>,
}

async fn start(name: &str, ids: &[&str], excludes: AgentCaseExcludes) -> Server {
    start_with(name, ids, excludes, echo_player()).await
}

async fn start_with(
    name: &str,
    ids: &[&str],
    excludes: AgentCaseExcludes,
    player: CasePlayer,
) -> Server {
    let out = out_dir(name);
    let config = FuzzingServerConfig {
        cases: corpus_cases(ids),
        excludes,
        protocols: vec![],
        verbose: false,
    };
    let server = FuzzingServer::bind("127.0.0.1:0", config, &out, player)
        .await
        .expect("bind");
    let addr = server.local_addr().expect("addr");
    Server {
        addr,
        out,
        task: tokio::spawn(server.run()),
    }
}

/// What a scripted client saw on one endpoint.
#[derive(Debug, Default)]
struct Seen {
    /// The HTTP status line, or the handshake error.
    status: String,
    texts: Vec<String>,
    /// The payload of the server's close frame, if one came.
    close: Option<Vec<u8>>,
}

/// Connects to `target`, optionally echoing text messages, answers the close and waits for EOF.
async fn visit(addr: SocketAddr, target: &str, echo: bool) -> Seen {
    let url = format!("ws://{addr}{target}");
    let req = client_request(&url, None, &[]).expect("url");
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    let hs = match client_handshake(&mut tcp, &req, T).await {
        Ok(hs) => hs,
        Err(f) => {
            let status = f.response.unwrap_or(f.reason);
            return Seen {
                status: status.lines().next().unwrap_or_default().to_owned(),
                ..Seen::default()
            };
        }
    };
    let mut seen = Seen {
        status: hs.response.lines().next().unwrap_or_default().to_owned(),
        ..Seen::default()
    };
    let masked = |opcode, payload: &[u8]| {
        encode_frame(&FrameSpec {
            opcode,
            fin: true,
            rsv: 0,
            mask: Some([9, 8, 7, 6]),
            payload,
            length_field: None,
        })
    };
    let mut collector = FrameCollector::new(1 << 20);
    let mut pending = collector.push(&hs.leftover);
    let mut buf = vec![0u8; 65536];
    tokio::time::timeout(T, async {
        loop {
            for f in std::mem::take(&mut pending) {
                match f.head.opcode {
                    OP_TEXT => {
                        seen.texts
                            .push(String::from_utf8_lossy(&f.payload).into_owned());
                        if echo {
                            let _ = tcp.write_all(&masked(OP_TEXT, &f.payload)).await;
                        }
                    }
                    OP_CLOSE if seen.close.is_none() => {
                        seen.close = Some(f.payload.clone());
                        let _ = tcp.write_all(&masked(OP_CLOSE, &f.payload)).await;
                    }
                    _ => {}
                }
            }
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => pending = collector.push(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server ends the connection");
    seen
}

fn index(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("index.json")).expect("index.json exists");
    serde_json::from_str(&text).expect("index.json is JSON")
}

#[tokio::test]
async fn get_case_count_and_info_follow_the_selection() {
    let s = start(
        "info",
        &["1.1.1", "1.1.2", "2.1"],
        AgentCaseExcludes::default(),
    )
    .await;
    let seen = visit(s.addr, "/getCaseCount", false).await;
    assert!(seen.status.contains("101"), "{seen:?}");
    assert_eq!(seen.texts, ["3"]);
    assert_eq!(
        seen.close.as_deref(),
        Some(&[][..]),
        "Autobahn's sendClose() has no code"
    );

    let seen = visit(s.addr, "/getCaseInfo?case=3", false).await;
    let info: Value = serde_json::from_str(&seen.texts[0]).expect("json");
    let case = &corpus_cases(&["2.1"])[0];
    assert_eq!(
        info,
        json!({"id": "2.1", "description": case.short_description()})
    );
    assert!(!case.short_description().contains('<'));

    for bad in [
        "/getCaseInfo?case=4",
        "/getCaseInfo",
        "/runCase?case=1&case=2&agent=a",
        "/runCase?case=1",
    ] {
        let seen = visit(s.addr, bad, false).await;
        assert_eq!(seen.status, "HTTP/1.1 500 Internal Server Error", "{bad}");
    }
    s.task.abort();
}

#[tokio::test]
async fn run_case_records_reports_and_status_as_each_case_ends() {
    let s = start(
        "run",
        &["1.1.1", "1.1.2", "2.1"],
        AgentCaseExcludes::default(),
    )
    .await;
    // A status request made before the case runs waits for it.
    let status = tokio::spawn(visit(
        s.addr,
        "/getCaseStatus?case=2&agent=good%20client",
        false,
    ));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!status.is_finished(), "getCaseStatus waits for the result");

    let seen = visit(s.addr, "/runCase?casetuple=1.1.2&agent=good%20client", true).await;
    assert_eq!(seen.texts, ["Hello"]);
    let status = tokio::time::timeout(T, status)
        .await
        .expect("status answered")
        .expect("join");
    assert_eq!(status.texts, [r#"{"behavior": "OK"}"#]);

    // Written as the case ended, without /updateReports.
    let idx = index(&s.out);
    let entry = &idx["good client"]["1.1.2"];
    assert_eq!(entry["behavior"], "OK");
    assert_eq!(entry["reportfile"], "good_client_case_1_1_2.json");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(s.out.join("good_client_case_1_1_2.json")).expect("case file"),
    )
    .expect("json");
    assert_eq!(report["isServer"], true);
    assert_eq!(report["case"], 2);
    assert!(report["started"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z') && t.len() == 24));
    assert!(report["httpRequest"]
        .as_str()
        .is_some_and(|r| r.starts_with("GET /runCase?casetuple=1.1.2")));

    // Status of a finished case answers at once; a case that failed says so.
    visit(s.addr, "/runCase?case=3&agent=bad", false).await;
    let seen = visit(s.addr, "/getCaseStatus?case=3&agent=bad", false).await;
    assert_eq!(seen.texts, [r#"{"behavior": "FAILED"}"#]);

    let seen = visit(
        s.addr,
        "/updateReports?agent=bad&shutdownOnComplete=true",
        false,
    )
    .await;
    assert!(seen.close.is_some());
    assert!(
        s.out.join("index.html").exists(),
        "updateReports renders the HTML report"
    );
    let summaries = tokio::time::timeout(T, s.task)
        .await
        .expect("server stops")
        .expect("join");
    let agents: Vec<(&str, usize, usize)> = summaries
        .iter()
        .map(|a| (a.agent.as_str(), a.cases, a.failed.len()))
        .collect();
    assert_eq!(agents, [("bad", 1, 1), ("good client", 1, 0)]);
}

#[tokio::test]
async fn excluded_agent_cases_are_skipped_without_a_report() {
    let rules = [("skip*".to_owned(), vec!["1.1.1".to_owned()])];
    let excludes = AgentCaseExcludes::new(rules.iter().map(|(a, c)| (a, c.iter()))).expect("rules");
    let s = start("skip", &["1.1.1", "1.1.2"], excludes).await;
    let seen = visit(s.addr, "/runCase?case=1&agent=skipper", true).await;
    assert!(seen.texts.is_empty());
    assert_eq!(seen.close.as_deref(), Some(&[][..]));
    visit(s.addr, "/runCase?case=2&agent=skipper", true).await;
    let idx = index(&s.out);
    assert!(idx["skipper"].get("1.1.1").is_none());
    assert_eq!(idx["skipper"]["1.1.2"]["behavior"], "OK");
    visit(s.addr, "/stopServer", false).await;
    tokio::time::timeout(T, s.task)
        .await
        .expect("stopServer stops the server")
        .expect("join");
}

#[tokio::test]
async fn hung_garbage_and_vanishing_clients_do_not_wedge_the_server() {
    let s = start(
        "robust",
        &["1.1.1", "1.1.2", "2.1"],
        AgentCaseExcludes::default(),
    )
    .await;
    // 1. Connects and says nothing.
    let _silent = TcpStream::connect(s.addr).await.expect("connect");
    // 2. Sends garbage instead of a request.
    let mut garbage = TcpStream::connect(s.addr).await.expect("connect");
    garbage.write_all(&[0xff; 5000]).await.expect("write");
    garbage.write_all(b"\r\n\r\n").await.expect("write");
    // 3. Starts a case and hangs: never echoes, never closes.
    let url = format!("ws://{}/runCase?case=1&agent=hang", s.addr);
    let mut hung = TcpStream::connect(s.addr).await.expect("connect");
    client_handshake(&mut hung, &client_request(&url, None, &[]).expect("url"), T)
        .await
        .expect("101");
    // 4. Starts a case and vanishes at once.
    let url = format!("ws://{}/runCase?case=2&agent=gone", s.addr);
    let mut gone = TcpStream::connect(s.addr).await.expect("connect");
    client_handshake(&mut gone, &client_request(&url, None, &[]).expect("url"), T)
        .await
        .expect("101");
    drop(gone);
    // 5. The same case twice at once.
    let twice = futures_join(
        visit(s.addr, "/runCase?case=3&agent=twice", true),
        visit(s.addr, "/runCase?case=3&agent=twice", true),
    )
    .await;
    assert_eq!(twice.0.texts, ["Hello"]);
    assert_eq!(twice.1.texts, ["Hello"]);

    // Meanwhile a well-behaved client is served.
    assert_eq!(visit(s.addr, "/getCaseCount", false).await.texts, ["3"]);
    let seen = visit(s.addr, "/getCaseStatus?case=1&agent=hang", false).await;
    assert_eq!(
        seen.texts,
        [r#"{"behavior": "FAILED"}"#],
        "the hung client got a verdict"
    );
    let seen = visit(s.addr, "/getCaseStatus?case=2&agent=gone", false).await;
    assert_eq!(
        seen.texts,
        [r#"{"behavior": "FAILED"}"#],
        "the vanished client got a verdict"
    );
    let idx = index(&s.out);
    assert_eq!(idx["twice"]["2.1"]["behavior"], "OK");
    // The garbage sender got a 400 and was dropped.
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(T, garbage.read_to_end(&mut buf))
        .await
        .expect("dropped");
    assert!(
        buf.starts_with(b"HTTP/1.1 400"),
        "{:?}",
        String::from_utf8_lossy(&buf)
    );
    s.task.abort();
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

#[tokio::test]
async fn stopping_the_server_records_the_cases_still_running() {
    // A player that never ends on its own.
    let stuck: CasePlayer = Arc::new(|req: PlayRequest| {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            record(&req, "OK", "OK", Some(1000))
        })
    });
    let s = start_with("stop", &["1.1.1"], AgentCaseExcludes::default(), stuck).await;
    let url = format!("ws://{}/runCase?case=1&agent=slow", s.addr);
    let mut tcp = TcpStream::connect(s.addr).await.expect("connect");
    client_handshake(&mut tcp, &client_request(&url, None, &[]).expect("url"), T)
        .await
        .expect("101");
    // A status request that can never be answered must not hold the server either.
    let status = tokio::spawn(visit(s.addr, "/getCaseStatus?case=1&agent=nobody", false));
    tokio::time::sleep(Duration::from_millis(100)).await;
    visit(s.addr, "/stopServer", false).await;
    let summaries = tokio::time::timeout(T, s.task)
        .await
        .expect("the server stops")
        .expect("join");
    assert_eq!(summaries[0].failed, ["1.1.1"]);
    let idx = index(&s.out);
    assert_eq!(idx["slow"]["1.1.1"]["behavior"], "FAILED");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(s.out.join("slow_case_1_1_1.json")).expect("case file"),
    )
    .expect("json");
    assert!(report["result"]
        .as_str()
        .is_some_and(|r| r.contains("stopped before the case ended")));
    let status = tokio::time::timeout(T, status)
        .await
        .expect("status ends")
        .expect("join");
    assert!(status.texts.is_empty());
}
