//! The fuzzer protocol's state: Autobahn's `FuzzingProtocol` on top of the autobahn 0.10.9
//! `WebSocketProtocol`, with `failByDrop = False` (as wstest forces it).
//!
//! [`Fuzzer`] is sans-IO: the I/O loop (`engine::io`) feeds it octets, timer expiries and the
//! end of the connection, and takes from it the octets to write and whether to close the
//! socket. Incoming frames are handled in `engine::rx`, outgoing ones in `engine::tx`.
//!
//! The closing state machine, as autobahn implements it:
//!
//! ```text
//!            send close (we start, or we fail the connection)      receive close
//!   OPEN ───────────────────────────────────────────────▶ CLOSING ──────────────▶ (wait for
//!    │                                                       │      server to drop TCP,
//!    │ receive close: reply 1000 ────────────────────────────┘      1 s, else drop)
//!    │                                                       │
//!    └──────── TCP lost / we drop ─────────▶ CLOSED ◀────────┘ TCP lost / we drop / timeouts
//! ```
//!
//! Failing the connection while OPEN sends a close frame; failing it again while CLOSING drops
//! TCP (so two violations in a row make the harness drop the connection, exactly as Autobahn).

use std::time::Duration;

use tokio::time::Instant;

use crate::case::Case;
use crate::handshake::DeflateParams;
use crate::wire::{Decoder, FrameHead};

use super::deflate::DeflateCodec;
use super::timers::{TimerKind, Timers};
use super::traffic::TrafficStats;
use super::utf8::{Utf8Status, Utf8Validator};
use super::wirelog::{PayloadPrefix, WireLog};

/// Which side of the connection the harness plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The harness is the client: it tests a server (Autobahn's fuzzingclient).
    Client,
    /// The harness is the server: it tests a client (Autobahn's fuzzingserver).
    Server,
}

/// Autobahn's protocol states, once the opening handshake is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WsState {
    Open,
    Closing,
    Closed,
}

/// How the harness closes the socket when it drops the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DropMode {
    /// Close at once, discarding unsent octets (Twisted `abortConnection`).
    Abort,
    /// Send what is queued, then close (Twisted `loseConnection`).
    Flush,
}

/// An event observed from the peer, as Autobahn records it in `received`.
///
/// Pings are not recorded: `FuzzingProtocol` does not override `onPing`, so the peer's pings
/// are only answered, never reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// A complete data message.
    Message {
        /// The message payload.
        data: Vec<u8>,
        /// Whether it was binary (first frame opcode 2).
        binary: bool,
    },
    /// A pong with its payload.
    Pong(Vec<u8>),
    /// A tagged pause ended while the connection was open.
    Timeout(String),
}

/// Autobahn's close bookkeeping (`closedByMe`, `wasClean`, ...), reported as is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseFlags {
    /// The harness sent the first close frame (not a reply).
    pub closed_by_me: bool,
    /// The harness failed the connection (a violation, a bad payload, or `kill_after`).
    pub failed_by_me: bool,
    /// The harness dropped TCP.
    pub dropped_by_me: bool,
    /// Close frames went both ways and the server dropped TCP.
    pub was_clean: bool,
    /// Why the close was not clean.
    pub was_not_clean_reason: Option<String>,
    /// The server kept TCP open after the closing handshake.
    pub was_server_connection_drop_timeout: bool,
    /// The opening handshake timed out.
    pub was_open_handshake_timeout: bool,
    /// The peer did not answer our close in time.
    pub was_close_handshake_timeout: bool,
    /// The code of the close frame we sent.
    pub local_close_code: Option<u16>,
    /// The reason octets of the close frame we sent.
    pub local_close_reason: Option<Vec<u8>>,
    /// The code of the peer's close frame.
    pub remote_close_code: Option<u16>,
    /// The reason of the peer's close frame.
    pub remote_close_reason: Option<String>,
}

/// Timeouts of the protocol layer (autobahn's defaults for a fuzzing client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening handshake (`openHandshakeTimeout`, 5 s).
    pub open_handshake: Duration,
    /// Waiting for the peer's close after ours (`closeHandshakeTimeout`, 1 s).
    pub close_handshake: Duration,
    /// Waiting for the server to drop TCP after the closing handshake
    /// (`serverConnectionDropTimeout`, 1 s).
    pub server_connection_drop: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            open_handshake: Duration::from_secs(5),
            close_handshake: Duration::from_secs(1),
            server_connection_drop: Duration::from_secs(1),
        }
    }
}

/// The most octets of one incoming message the harness keeps. Autobahn has no limit; a
/// bigger message fails the connection with 1009 instead of growing memory without bound.
/// The largest message of the corpus is 16 MiB (9.1.6).
pub(crate) const MAX_MESSAGE: u64 = 64 * 1024 * 1024;

/// The most events the harness records. No expected list comes near it; a peer flooding
/// pongs must not grow memory without bound.
pub(crate) const MAX_EVENTS: usize = 1 << 16;

/// Incoming message and frame state (autobahn's `inside_message`, `message_data`, ...).
#[derive(Debug, Default)]
pub(crate) struct RxState {
    pub(crate) decoder: Decoder,
    pub(crate) inside_message: bool,
    pub(crate) message_binary: bool,
    pub(crate) message: Vec<u8>,
    /// Sum of the announced frame lengths of the current message.
    pub(crate) message_announced: u64,
    pub(crate) utf8: Option<Utf8Validator>,
    pub(crate) utf8_last: Option<Utf8Status>,
    pub(crate) frame: Option<RxFrame>,
    /// The current message has RSV1 set on its first frame and is being inflated.
    pub(crate) compressed: bool,
}

/// The frame being received.
#[derive(Debug)]
pub(crate) struct RxFrame {
    pub(crate) head: FrameHead,
    /// What the RF row shows: for data frames the octets kept while not failed, for control
    /// frames everything.
    pub(crate) logged: PayloadPrefix,
    /// A control frame's payload (at most [`MAX_CONTROL`] octets kept).
    pub(crate) control: Vec<u8>,
}

/// Control frames may announce anything; the harness keeps this much of their payload.
pub(crate) const MAX_CONTROL: usize = 64 * 1024;

/// One write handed to the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Write {
    pub(crate) data: Vec<u8>,
    /// A synced write (Autobahn `sync`, or a chop): it goes out on its own, and the peer gets
    /// a moment before the next one, as Autobahn re-enters its reactor after each.
    pub(crate) sync: bool,
}

/// A frame being written piece by piece (`frame_header` / `frame_data` steps).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StreamFrame {
    pub(crate) mask: Option<[u8; 4]>,
    pub(crate) length: u64,
    pub(crate) done: u64,
}

/// Progress of a 9.x echo check.
#[derive(Debug, Clone)]
pub(crate) struct EchoProgress {
    /// Round trips started.
    pub(crate) sent: u32,
    /// The payload each echo must equal.
    pub(crate) expected: Vec<u8>,
    /// The check is decided (the harness has closed).
    pub(crate) done: bool,
    /// Sections 12 and 13: the data set the messages are cut from.
    pub(crate) dataset: Option<Vec<u8>>,
    /// Where the next message starts in `dataset`.
    pub(crate) offset: usize,
}

/// One connection playing one case.
#[derive(Debug)]
pub struct Fuzzer<'c> {
    pub(crate) case: &'c Case,
    pub(crate) role: Role,
    pub(crate) timeouts: Timeouts,
    pub(crate) now: Instant,
    pub(crate) state: WsState,
    pub(crate) flags: CloseFlags,
    pub(crate) connection_was_open: bool,
    pub(crate) received: Vec<Observed>,
    pub(crate) log: WireLog,
    pub(crate) timers: Timers,
    /// Writes handed to the transport, in order, not yet taken by the I/O loop.
    pub(crate) out: Vec<Write>,
    /// A synced write of the current burst already reached the transport (Autobahn's send
    /// queue is running): later writes of the burst wait in the queue.
    pub(crate) queue_started: bool,
    /// TO rows of writes waiting in Autobahn's send queue: length, first octets, sync.
    pub(crate) queued_tx: Vec<(usize, Vec<u8>, bool)>,
    /// Set when the harness closes the socket.
    pub(crate) drop_mode: Option<DropMode>,
    pub(crate) rx: RxState,
    pub(crate) stream_frame: Option<StreamFrame>,
    pub(crate) echo: Option<EchoProgress>,
    /// `behavior` and `result` as an echo check decided them.
    pub(crate) echo_verdict: Option<(crate::report::Verdict, String)>,
    /// permessage-deflate, when the opening handshake agreed to it.
    pub(crate) deflate: Option<DeflateCodec>,
    /// Autobahn's running traffic counters.
    pub(crate) traffic: TrafficStats,
    /// The counters as a compression case copied them when it passed (Autobahn
    /// `self.trafficStats = copy.deepcopy(self.p.trafficStats)`); reported as `trafficStats`.
    pub(crate) traffic_report: Option<TrafficStats>,
}

impl<'c> Fuzzer<'c> {
    /// A fuzzer for `case` in `role`, before the opening handshake completes.
    pub fn new(case: &'c Case, role: Role, timeouts: Timeouts) -> Self {
        Self {
            case,
            role,
            timeouts,
            now: Instant::now(),
            state: WsState::Open,
            flags: CloseFlags::default(),
            connection_was_open: false,
            received: Vec::new(),
            log: WireLog::default(),
            timers: Timers::default(),
            out: Vec::new(),
            queue_started: false,
            queued_tx: Vec::new(),
            drop_mode: None,
            rx: RxState::default(),
            stream_frame: None,
            echo: None,
            echo_verdict: None,
            deflate: None,
            traffic: TrafficStats::default(),
            traffic_report: None,
        }
    }

    /// Turns permessage-deflate on with the parameters the opening handshake agreed.
    pub(crate) fn enable_deflate(&mut self, params: DeflateParams) {
        self.deflate = Some(DeflateCodec::new(params, self.role == Role::Server));
    }

    /// Counts the opening handshake's octets (Autobahn's `preopen` counters).
    pub(crate) fn count_preopen(&mut self, sent: &[Vec<u8>], received: &[Vec<u8>]) {
        let total = |v: &[Vec<u8>]| v.iter().map(|b| b.len() as u64).sum::<u64>();
        self.traffic.preopen_outgoing_octets_wire_level += total(sent);
        self.traffic.preopen_incoming_octets_wire_level += total(received);
    }

    /// Whether the connection is over for the protocol (no more octets are processed).
    pub(crate) fn is_closed(&self) -> bool {
        self.state == WsState::Closed
    }

    /// The earliest pending timer.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// Takes the writes made since the last call, in order.
    pub(crate) fn take_writes(&mut self) -> Vec<Write> {
        for (len, prefix, sync) in std::mem::take(&mut self.queued_tx) {
            self.log.tx_octets_logged(len, &prefix, sync);
        }
        self.queue_started = false;
        std::mem::take(&mut self.out)
    }

    /// Fires every timer due at `self.now`, in order, while the connection lasts.
    pub(crate) fn fire_due_timers(&mut self) {
        while let Some(kind) = self.timers.pop_due(self.now) {
            self.on_timer(kind);
        }
    }

    fn on_timer(&mut self, kind: TimerKind) {
        if self.state == WsState::Closed {
            // Every Autobahn timer callback checks this first: the connection is gone.
            return;
        }
        match kind {
            TimerKind::Continue { next, tag } => {
                self.log.row(serde_json::json!(["CTE", tag]));
                match tag {
                    Some(tag) if self.state == WsState::Open => {
                        // Appended directly, without the finishWhenDone check (as the cases do).
                        self.record(Observed::Timeout(tag));
                        self.play_steps(next);
                    }
                    Some(_) => {}
                    None => self.play_steps(next),
                }
            }
            TimerKind::Kill => {
                self.log.row(serde_json::json!(["KLE"]));
                self.fail_connection(1001, "Going Away");
            }
            TimerKind::CloseAfter => {
                self.log.row(serde_json::json!(["TIE"]));
                // `closeAfter` calls `sendClose()` without arguments: an empty close payload.
                self.send_close_frame(None, None, false);
            }
            TimerKind::CloseHandshake => {
                self.flags.was_clean = false;
                self.flags.was_not_clean_reason =
                    Some("peer did not respond (in time) in closing handshake".into());
                self.flags.was_close_handshake_timeout = true;
                self.drop_connection(DropMode::Abort);
            }
            TimerKind::ServerDrop => {
                self.flags.was_clean = false;
                self.flags.was_not_clean_reason =
                    Some("server did not drop TCP connection (in time)".into());
                self.flags.was_server_connection_drop_timeout = true;
                self.drop_connection(DropMode::Abort);
            }
        }
    }

    /// Records an observed event (up to [`MAX_EVENTS`]).
    pub(crate) fn record(&mut self, event: Observed) {
        if self.received.len() < MAX_EVENTS {
            self.received.push(event);
        }
    }

    /// The harness's own limit on case duration was reached: drop, as a hung peer must not
    /// wedge a run.
    pub(crate) fn safety_timeout(&mut self, limit: Duration) {
        if self.state != WsState::Closed {
            self.flags.was_clean = false;
            self.flags.was_not_clean_reason = Some(format!(
                "harness safety timeout: the case did not end within {} s",
                limit.as_secs()
            ));
            self.drop_connection(DropMode::Abort);
        }
    }

    /// Autobahn `failConnection(code, reason)` with `failByDrop = False`: send a close frame
    /// while open, drop TCP when already closing.
    pub(crate) fn fail_connection(&mut self, code: u16, reason: &str) {
        if self.state == WsState::Closed {
            return;
        }
        self.flags.failed_by_me = true;
        if self.state == WsState::Closing {
            self.drop_connection(DropMode::Flush);
        } else {
            let bytes = reason.as_bytes();
            // Autobahn truncates the reason to 123 octets (125 minus the code).
            let reason = &bytes[..bytes.len().min(123)];
            self.send_close_frame(Some(code), Some(reason), false);
        }
    }

    /// A framing violation by the peer: fail with 1002.
    pub(crate) fn protocol_violation(&mut self, reason: &str) {
        self.fail_connection(1002, reason);
    }

    /// Invalid payload from the peer (bad UTF-8): fail with 1007.
    pub(crate) fn invalid_payload(&mut self, reason: &str) {
        self.fail_connection(1007, reason);
    }

    /// Autobahn `sendCloseFrame`: only while open; moves to CLOSING, records what was sent,
    /// and when we start the handshake, waits at most `close_handshake` for the answer.
    pub(crate) fn send_close_frame(
        &mut self,
        code: Option<u16>,
        reason: Option<&[u8]>,
        is_reply: bool,
    ) {
        if self.state != WsState::Open {
            return;
        }
        let mut payload = Vec::new();
        if let Some(code) = code {
            payload.extend_from_slice(&code.to_be_bytes());
        }
        if let Some(reason) = reason {
            payload.extend_from_slice(reason);
        }
        self.send_frame(&super::tx::TxFrame::control(
            crate::wire::OP_CLOSE,
            &payload,
        ));
        self.state = WsState::Closing;
        self.flags.closed_by_me = !is_reply;
        self.flags.local_close_code = code;
        self.flags.local_close_reason = reason.map(<[u8]>::to_vec);
        if self.flags.closed_by_me {
            let at = self.now + self.timeouts.close_handshake;
            self.timers.set(at, TimerKind::CloseHandshake);
        }
    }

    /// Autobahn `dropConnection`: the harness closes TCP.
    pub(crate) fn drop_connection(&mut self, mode: DropMode) {
        if self.state != WsState::Closed {
            self.flags.dropped_by_me = true;
            self.state = WsState::Closed;
            self.drop_mode = Some(mode);
        }
    }

    /// The connection ended because processing raised (Autobahn: an exception in
    /// `dataReceived` makes Twisted close the socket): closed, but not "dropped by me".
    pub(crate) fn lose_connection_by_error(&mut self) {
        if self.state != WsState::Closed {
            self.state = WsState::Closed;
            self.drop_mode = Some(DropMode::Abort);
        }
    }

    /// Autobahn `connectionLost`: TCP is gone; settles `wasNotCleanReason`.
    pub(crate) fn connection_lost(&mut self) {
        self.state = WsState::Closed;
        if !self.flags.was_clean
            && !self.flags.dropped_by_me
            && self.flags.was_not_clean_reason.is_none()
        {
            self.flags.was_not_clean_reason = Some(
                "peer dropped the TCP connection without previous WebSocket closing handshake"
                    .into(),
            );
        }
    }

    /// Autobahn `Case.finishWhenDone`: when the events equal every expected list (vacuously
    /// true when there is none), start the closing handshake with the first accepted code.
    pub(crate) fn finish_when_done(&mut self) {
        let done = self
            .case
            .expected
            .values()
            .all(|events| super::verdict::events_match(events, &self.received));
        let ec = &self.case.expected_close;
        if done && ec.closed_by_me && !self.case.suppress_close {
            let code = ec.close_code.first().copied();
            self.send_close_frame(code, None, false);
        }
    }
}
