//! The fuzzer protocol: plays a case on a connection with Autobahn's timers and close
//! semantics, records what the peer does, and decides the verdicts by Autobahn's rules.
//!
//! The entry point for testing a server is [`run_case_against_server`]: connect (with TLS for
//! `wss://`), opening handshake, play, verdicts, one [`CaseRecord`]. It never panics and always returns a record.
//! [`run_case_against_client`] plays the same engine in the server role, for testing clients.
//! A case ends as soon as its connection ends; the timers of the case are maximums, and a
//! safety limit per case keeps a hung peer from wedging a run.
//!
//! Layout: `protocol` (state and closing handshake), `rx` (the peer's frames), `tx` (steps and
//! frames we send), `timers`, `wirelog` (rows and statistics), `utf8`, `io` (the tokio loop),
//! `verdict` (the rules), `record` (the report record).

pub(crate) mod clock;
mod datasets;
mod deflate;
mod io;
mod protocol;
mod record;
mod rx;
mod sched;
mod timers;
mod traffic;
mod tx;
mod utf8;
mod verdict;
mod wirelog;

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};

use crate::case::{Case, Step};
use crate::handshake::{
    client_handshake, client_request, ClientRequest, HandshakeFailure, ServerHandshake,
};
use crate::report::CaseRecord;
use crate::tls::{ClientTls, Stream};
use crate::wire::{encode_frame, FrameSpec, OP_CLOSE};

pub use protocol::{CloseFlags, Fuzzer, Observed, Role, Timeouts};
pub use verdict::{decide, events_match, Observation, Verdicts};

/// Everything the engine needs besides the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseContext {
    /// The number reported as `case` (the runner decides what it counts).
    pub case_number: usize,
    /// The agent name reported for the implementation under test.
    pub agent: String,
}

/// A server under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTarget {
    /// `ws://host:port/path` or `wss://host:port/path`.
    pub url: String,
    /// The `Origin` to send, if any.
    pub origin: Option<String>,
    /// Subprotocols to offer.
    pub protocols: Vec<String>,
    /// How to trust a `wss://` server (unused for `ws://`).
    pub tls: ClientTls,
}

/// Connects to the server, does the handshake, plays the case and decides the verdicts.
/// A failed connect or handshake gives behaviorClose FAILED ("The WebSocket opening handshake
/// was never completed!").
pub async fn run_case_against_server(
    case: &Case,
    target: &ServerTarget,
    ctx: &CaseContext,
) -> CaseRecord {
    run_case_against_server_with(case, target, ctx, Timeouts::default()).await
}

/// [`run_case_against_server`] with explicit protocol timeouts.
pub async fn run_case_against_server_with(
    case: &Case,
    target: &ServerTarget,
    ctx: &CaseContext,
    timeouts: Timeouts,
) -> CaseRecord {
    let mut fz = Fuzzer::new(case, Role::Client, timeouts);
    let t0 = Instant::now();
    let mut started = clock::utc_now_iso();
    let req = match client_request(&target.url, target.origin.as_deref(), &target.protocols) {
        Ok(r) => match &case.deflate {
            Some(d) => r.with_deflate_offers(&d.offers),
            None => r,
        },
        Err(reason) => return never_open(case, &mut fz, ctx, started, t0, fail(reason)),
    };
    let stream = match timeout(timeouts.open_handshake, TcpStream::connect(req.authority())).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            let reason = format!("could not connect to {}: {e}", req.authority());
            return never_open(case, &mut fz, ctx, started, t0, fail(reason));
        }
        Err(_) => {
            let mut f = fail(format!("could not connect to {} in time", req.authority()));
            f.timed_out = true;
            return never_open(case, &mut fz, ctx, started, t0, f);
        }
    };
    // Autobahn writes small frames and chops as separate segments (tcpNoDelay is on).
    let _ = stream.set_nodelay(true);
    // Autobahn stamps `started` when TCP is up (connectionMade), before any TLS handshake;
    // its opening-handshake timeout covers the TLS handshake too.
    started = clock::utc_now_iso();
    let deadline = Instant::now() + timeouts.open_handshake;
    let mut stream = match secure(stream, &req, &target.tls, timeouts.open_handshake).await {
        Ok(s) => s,
        Err(f) => return never_open(case, &mut fz, ctx, started, t0, f),
    };
    let left = deadline.saturating_duration_since(Instant::now());
    let hs = match client_handshake(&mut stream, &req, left).await {
        Ok(hs) => hs,
        Err(f) => return never_open(case, &mut fz, ctx, started, t0, f),
    };
    for w in &hs.writes {
        fz.log.tx_octets(w, false);
    }
    for r in &hs.reads {
        fz.log.rx_octets(r);
    }
    fz.count_preopen(&hs.writes, &hs.reads);
    if let Some(params) = hs.deflate {
        fz.enable_deflate(params);
    }
    // Autobahn measures `duration` from onOpen.
    let opened = Instant::now();
    io::drive(&mut fz, stream, &hs.leftover, safety_limit(case, &timeouts)).await;
    let duration_ms = millis(opened.elapsed());
    let verdicts = decide(case, &observation(&fz));
    record::build(
        case,
        &fz,
        record::RecordInput {
            ctx,
            started,
            duration_ms,
            http_request: Some(hs.request),
            http_response: Some(hs.response),
            verdicts,
        },
    )
}

/// Plays a case against a client whose opening handshake the caller has already completed
/// with [`server_handshake`](crate::handshake::server_handshake) (Autobahn's fuzzingserver
/// role): the harness is the server, sends unmasked frames, requires masked ones, and drops
/// TCP itself once the closing handshake is done. `stream` is the connection after the
/// handshake; the handshake's leftover octets are processed first.
pub async fn run_case_against_client<S>(
    case: &Case,
    stream: S,
    handshake: &ServerHandshake,
    ctx: &CaseContext,
    timeouts: Timeouts,
) -> CaseRecord
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut fz = Fuzzer::new(case, Role::Server, timeouts);
    let started = clock::utc_now_iso();
    for r in &handshake.reads {
        fz.log.rx_octets(r);
    }
    for w in &handshake.writes {
        fz.log.tx_octets(w, false);
    }
    fz.count_preopen(&handshake.writes, &handshake.reads);
    if let Some(params) = handshake.deflate {
        fz.enable_deflate(params);
    }
    let opened = Instant::now();
    io::drive(
        &mut fz,
        stream,
        &handshake.leftover,
        safety_limit(case, &timeouts),
    )
    .await;
    let duration_ms = millis(opened.elapsed());
    let verdicts = decide(case, &observation(&fz));
    record::build(
        case,
        &fz,
        record::RecordInput {
            ctx,
            started,
            duration_ms,
            http_request: Some(handshake.request.clone()),
            http_response: Some(handshake.response.clone()),
            verdicts,
        },
    )
}

/// Connects and completes the opening handshake only, to learn the `Server` field of the
/// 101 (Autobahn names the agent after it when none is given). Closes politely afterwards.
pub async fn probe_server_agent(target: &ServerTarget) -> Option<String> {
    let req = client_request(&target.url, target.origin.as_deref(), &target.protocols).ok()?;
    let limit = Timeouts::default().open_handshake;
    let stream = timeout(limit, TcpStream::connect(req.authority()))
        .await
        .ok()?
        .ok()?;
    let mut stream = secure(stream, &req, &target.tls, limit).await.ok()?;
    let hs = client_handshake(&mut stream, &req, limit).await.ok()?;
    let close = encode_frame(&FrameSpec {
        opcode: OP_CLOSE,
        fin: true,
        rsv: 0,
        mask: Some(rand::random()),
        payload: &1000u16.to_be_bytes(),
        length_field: None,
    });
    let _ = timeout(Duration::from_secs(1), stream.write_all(&close)).await;
    hs.server
}

/// The connection for `req`: `tcp` as it is for `ws://`, with the TLS handshake done for
/// `wss://`. A failed TLS handshake is a failed opening handshake whose reason names the cause.
async fn secure(
    tcp: TcpStream,
    req: &ClientRequest,
    tls: &ClientTls,
    limit: Duration,
) -> Result<Stream, HandshakeFailure> {
    if !req.secure {
        return Ok(Stream::Plain(tcp));
    }
    crate::tls::connect(tcp, &req.host, req.port, tls, limit)
        .await
        .map_err(|e| HandshakeFailure {
            timed_out: e.is_timeout(),
            ..fail(e.to_string())
        })
}

/// Connects to the server as a case would, TLS handshake included, and hangs up: for telling
/// an unreachable server or a rejected certificate once, before a run, instead of in every case.
pub async fn check_connect(target: &ServerTarget, limit: Duration) -> Result<(), String> {
    let req = client_request(&target.url, target.origin.as_deref(), &target.protocols)?;
    let authority = req.authority();
    let tcp = match timeout(limit, TcpStream::connect(&authority)).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => return Err(format!("cannot connect to {authority}: {e}")),
        Err(_) => return Err(format!("cannot connect to {authority}: timed out")),
    };
    let mut stream = secure(tcp, &req, &target.tls, limit)
        .await
        .map_err(|f| f.reason)?;
    let _ = timeout(Duration::from_secs(1), stream.shutdown()).await;
    Ok(())
}

/// The verdict inputs from a finished connection.
fn observation(fz: &Fuzzer<'_>) -> Observation {
    Observation {
        received: fz.received.clone(),
        connection_was_open: fz.connection_was_open,
        closed_by_me: fz.flags.closed_by_me,
        dropped_by_me: fz.flags.dropped_by_me,
        was_clean: fz.flags.was_clean,
        remote_close_code: fz.flags.remote_close_code,
        is_server: fz.role == Role::Server,
        tx_frames: fz.log.tx_frames.clone(),
        echo: fz.echo_verdict.clone(),
    }
}

fn fail(reason: String) -> HandshakeFailure {
    HandshakeFailure {
        reason,
        ..HandshakeFailure::default()
    }
}

/// The record of a case whose connection never opened.
fn never_open(
    case: &Case,
    fz: &mut Fuzzer<'_>,
    ctx: &CaseContext,
    started: String,
    t0: Instant,
    f: HandshakeFailure,
) -> CaseRecord {
    for w in &f.writes {
        fz.log.tx_octets(w, false);
    }
    for r in &f.reads {
        fz.log.rx_octets(r);
    }
    // Autobahn drops the connection itself when the response is bad or late; a peer that
    // closes (or a connection that never came up) is not "dropped by me".
    fz.flags.dropped_by_me = f.timed_out || f.response.is_some();
    fz.flags.was_open_handshake_timeout = f.timed_out;
    fz.flags.was_not_clean_reason = Some(f.reason);
    let verdicts = decide(case, &observation(fz));
    record::build(
        case,
        fz,
        record::RecordInput {
            ctx,
            started,
            duration_ms: millis(t0.elapsed()),
            http_request: f.request,
            http_response: f.response,
            verdicts,
        },
    )
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The longest a case may take: every timer it sets, the protocol timeouts, and a margin.
/// Cases end long before this unless the peer hangs.
fn safety_limit(case: &Case, t: &Timeouts) -> Duration {
    let steps: f64 = case
        .steps
        .iter()
        .map(|s| match s {
            Step::Pause(p) => p.seconds,
            Step::KillAfter(s) | Step::CloseAfter(s) => *s,
            _ => 0.0,
        })
        .sum();
    let echo = case.echo_check.as_ref().map_or(0.0, |e| e.timeout);
    let timers = Duration::try_from_secs_f64(steps + echo).unwrap_or(Duration::ZERO);
    timers + t.close_handshake + t.server_connection_drop + Duration::from_secs(10)
}

#[cfg(test)]
mod deflate_tests;
#[cfg(test)]
mod tests;

/// Whether a case's verdict can depend on how fast the peer reads: it writes in chops or
/// synced pieces, and Autobahn's NON-STRICT/OK distinction then rests on whether the peer
/// handled one piece before the next arrived (3.4, 4.1.5, 4.2.5 with octet-wise writes).
/// Autobahn runs one case at a time; a runner that runs cases concurrently should run these
/// alone, so that a loaded peer does not change their verdicts.
pub fn is_timing_sensitive(case: &Case) -> bool {
    case.steps.iter().any(|s| match s {
        Step::Frame(f) => f.chopsize.is_some() || f.sync,
        Step::Message(m) => m.sync,
        Step::Raw(r) => r.chopsize.is_some() || r.sync,
        Step::FrameData(d) => d.sync,
        _ => false,
    })
}
