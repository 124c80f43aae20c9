//! One client connection to the fuzzing server, from the request head to the last octet.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::control::ControlConn;
use super::fallback::failed_record;
use super::replay::{read_head_chunks, request_target, Replay};
use super::request::{parse_request, Command};
use super::state::Shared;
use super::{CasePlayer, PlayRequest, SERVER_NAME};
use crate::case::{Case, Step};
use crate::engine::clock::utc_now_iso;
use crate::handshake::server_handshake_deflate;
use crate::tls::{ServerTls, Stream};

/// Autobahn's `openHandshakeTimeout`.
pub(crate) const OPEN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long `/updateReports` waits for cases still being recorded.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);
/// Added to a case's own timers to bound a case whatever the player does.
const CASE_SLACK: Duration = Duration::from_secs(120);

/// The longest a case may take: its timers, its echo checks, and generous slack for sending
/// megabytes to a slow client. Past it the case is recorded as FAILED and the connection dropped.
fn case_limit(case: &Case) -> Duration {
    let mut secs: f64 = 0.0;
    for step in &case.steps {
        match step {
            Step::Pause(p) => secs += p.seconds,
            Step::KillAfter(s) | Step::CloseAfter(s) => secs += s,
            _ => {}
        }
    }
    if let Some(check) = &case.echo_check {
        secs += check.timeout;
    }
    let timers = if secs.is_finite() && secs > 0.0 {
        Duration::from_secs_f64(secs.min(86_400.0))
    } else {
        Duration::ZERO
    };
    timers + CASE_SLACK
}

/// Serves one connection; never panics on client input, always ends in bounded time except
/// for `/getCaseStatus`, which waits (as Autobahn does) until the case is recorded or the
/// client goes away.
pub(crate) async fn handle(
    tcp: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    player: CasePlayer,
    tls: Option<ServerTls>,
) {
    let _ = tcp.set_nodelay(true);
    let mut tcp = match tls {
        None => Stream::Plain(tcp),
        // A client that fails the TLS handshake never reaches the fuzzing protocol: no case
        // was requested, so there is nothing to record, only to say.
        Some(tls) => match tls.accept(tcp, peer, OPEN_TIMEOUT).await {
            Ok(stream) => stream,
            Err(e) => {
                eprintln!("wsharness: {peer}: {e}");
                return;
            }
        },
    };
    let started = utc_now_iso();
    let chunks = match read_head_chunks(&mut tcp, OPEN_TIMEOUT).await {
        Ok(c) => c,
        Err(why) => {
            eprintln!("wsharness: {peer}: {why}");
            return;
        }
    };
    let command = match request_target(&chunks) {
        // A head that is not an HTTP request: the handshake answers 400 below.
        None => Command::Other(String::new()),
        Some(target) => {
            let (path, query) = match target.split_once('?') {
                Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
                None => (target.clone(), None),
            };
            match parse_request(&path, query.as_deref(), &shared.ids) {
                Ok(c) => c,
                Err(why) => {
                    eprintln!("wsharness: {peer}: {target}: {why}");
                    refuse(tcp, &why).await;
                    return;
                }
            }
        }
    };
    let mut replay = Replay::new(chunks, tcp);
    // A compression case (12.x, 13.x) answers the client's permessage-deflate offers by the
    // case's accept rules, as Autobahn's fuzzingserver does; every other connection declines.
    let deflate_rules = match &command {
        Command::RunCase { case, .. } => shared
            .cases
            .get(case.saturating_sub(1))
            .and_then(|c| c.deflate.as_ref())
            .map(|d| d.accept.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let handshake = server_handshake_deflate(
        &mut replay,
        SERVER_NAME,
        &shared.protocols,
        &deflate_rules,
        OPEN_TIMEOUT,
    );
    let hs = match handshake.await {
        Ok(hs) => hs,
        Err(e) => {
            eprintln!("wsharness: {peer}: opening handshake failed: {e}");
            return;
        }
    };
    let (tcp, rest) = replay.into_parts();
    let mut hs = hs;
    hs.leftover.extend_from_slice(&rest);
    match command {
        Command::GetCaseCount => {
            let mut c = ControlConn::new(tcp, &hs.leftover);
            c.send_text(&shared.cases.len().to_string()).await;
            c.close(None).await;
        }
        Command::GetCaseInfo { case } => {
            let case = &shared.cases[case - 1];
            let info = format!(
                "{{\"id\": {}, \"description\": {}}}",
                py_str(&case.id.to_string()),
                py_str(&case.short_description())
            );
            let mut c = ControlConn::new(tcp, &hs.leftover);
            c.send_text(&info).await;
            c.close(None).await;
        }
        Command::GetCaseStatus { case, agent } => {
            let id = shared.ids[case - 1].clone();
            let mut c = ControlConn::new(tcp, &hs.leftover);
            let answer = async {
                tokio::select! {
                    v = shared.wait_result(&agent, &id) => Some(v),
                    () = shared.stopped() => None,
                }
            };
            if let Some(Some(behavior)) = c.until(answer).await {
                let status = format!("{{\"behavior\": {}}}", py_str(behavior.as_str()));
                c.send_text(&status).await;
                c.close(None).await;
            }
        }
        Command::UpdateReports { agent, shutdown } => {
            // Reports are written as cases end; wait for the ones still being recorded.
            shared.settle(SETTLE_LIMIT).await;
            shared.write_html().await;
            if shared.verbose {
                println!("Updating reports, requested by peer {peer} (agent {agent})");
                for summary in shared.summaries() {
                    print!("{summary}");
                }
                println!("Reports are in {}", shared.report_dir().display());
            }
            ControlConn::new(tcp, &hs.leftover).close(None).await;
            if shutdown {
                if shared.verbose {
                    println!("Report generation complete; shutting down server.");
                }
                shared.request_stop();
            }
        }
        Command::StopServer => {
            if shared.verbose {
                println!("Shutting down server.");
            }
            shared.request_stop();
            ControlConn::new(tcp, &hs.leftover).close(None).await;
        }
        Command::Other(path) => {
            // Autobahn's direct command mode (JSON frame commands for its browser page) is
            // not offered: say so with a policy-violation close.
            eprintln!("wsharness: {peer}: unknown endpoint {path:?} (direct command mode is not supported)");
            ControlConn::new(tcp, &hs.leftover).close(Some(1008)).await;
        }
        Command::RunCase { case, agent } => {
            let who = Requester {
                peer,
                agent,
                started,
            };
            run_case(tcp, hs, &shared, player, case, who).await;
        }
    }
}

/// Who asked for a case: their address, agent name, and when the request arrived.
struct Requester {
    peer: SocketAddr,
    agent: String,
    started: String,
}

/// Plays case number `n` for the requester and records the result, whatever happens to the
/// player.
async fn run_case(
    tcp: Stream,
    hs: crate::handshake::ServerHandshake,
    shared: &Shared,
    player: CasePlayer,
    n: usize,
    who: Requester,
) {
    let Requester {
        peer,
        agent,
        started,
    } = who;
    let case = Arc::clone(&shared.cases[n - 1]);
    let id = case.id.to_string();
    if shared.excludes.is_excluded(&agent, &id) {
        if shared.verbose {
            println!("Skipping test case {id} for agent {agent} by test configuration!");
        }
        ControlConn::new(tcp, &hs.leftover).close(None).await;
        return;
    }
    if shared.verbose {
        println!("Running test case ID {id} for agent {agent} from peer {peer}");
    }
    let _running = shared.case_started();
    shared.begin_agent(&agent);
    let request_text = hs.clone();
    let play = tokio::spawn(player(PlayRequest {
        case: Arc::clone(&case),
        stream: tcp,
        handshake: hs,
        case_number: n,
        agent: agent.clone(),
    }));
    let abort = play.abort_handle();
    let limit = case_limit(&case);
    // A stop request (`/stopServer`, shutdownOnComplete, Ctrl-C) leaves the case a grace period,
    // then records it as cut short: no case a client ran goes unreported.
    let stopped = async {
        shared.stopped().await;
        tokio::time::sleep(super::SHUTDOWN_GRACE).await;
    };
    let outcome = tokio::select! {
        done = tokio::time::timeout(limit, play) => done.map_err(|_| format!("the case did not end within {} s", limit.as_secs())),
        () = stopped => Err("the server was stopped before the case ended".to_owned()),
    };
    let mut record = match outcome {
        Ok(Ok(record)) => record,
        Ok(Err(e)) => failed_record(
            &case,
            n,
            &agent,
            Some(&request_text),
            &format!("the case player failed: {e}"),
        ),
        Err(why) => {
            abort.abort();
            failed_record(&case, n, &agent, Some(&request_text), &why)
        }
    };
    // Autobahn stamps `started` when the request arrives (onConnect), before the 101.
    record.started = started;
    record.is_server = true;
    record.case = n;
    record.agent = agent;
    shared.record(&record);
}

/// A JSON string as Python's `json.dumps` writes it (ASCII only): the control endpoints answer
/// with Python's spacing, `{"behavior": "OK"}`, so their text equals Autobahn's.
fn py_str(s: &str) -> String {
    crate::report::json::to_python_json(&serde_json::Value::String(s.to_owned()))
}

/// Answers a request Autobahn's `onConnect` would reject: HTTP 500, then the connection closes.
async fn refuse(mut tcp: Stream, why: &str) {
    let body = format!("{why}\n");
    let response = format!(
        "HTTP/1.1 500 Internal Server Error\r\nServer: {SERVER_NAME}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(super::control::WRITE_TIMEOUT, async {
        let _ = tcp.write_all(response.as_bytes()).await;
        let _ = tcp.shutdown().await;
    })
    .await;
}
