//! Outgoing octets: the case's steps played as autobahn's `sendFrame`, `sendMessage`,
//! `sendCloseFrame`, `beginMessageFrame`/`sendMessageFrameData`, `continueLater`, `killAfter`
//! and `closeAfter`, and the 9.x echo checks.

use std::time::Duration;

use serde_json::{json, Value};

use sha1::{Digest, Sha1};

use crate::case::{encode_hex, EchoCheck, Step};
use crate::report::Verdict;
use crate::wire::{
    apply_mask, chop, encode_frame, encode_header, FrameSpec, OP_BINARY, OP_CONTINUATION, OP_TEXT,
};

use super::protocol::{EchoProgress, Fuzzer, Role, StreamFrame, Write, WsState};
use super::timers::TimerKind;
use super::wirelog::TxFrameRow;

/// One frame to send, as `sendFrame`'s arguments.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TxFrame<'a> {
    pub(crate) opcode: u8,
    pub(crate) fin: bool,
    pub(crate) rsv: u8,
    /// The payload as given, before repetition.
    pub(crate) payload: &'a [u8],
    /// Repeat the payload to this length (`payload_len`).
    pub(crate) repeat: Option<usize>,
    pub(crate) length_field: Option<u64>,
    /// `None` = the role's default.
    pub(crate) mask: Option<bool>,
    pub(crate) chopsize: Option<usize>,
    pub(crate) sync: bool,
}

impl<'a> TxFrame<'a> {
    /// A single unfragmented frame with defaults (close, ping, pong).
    pub(crate) fn control(opcode: u8, payload: &'a [u8]) -> Self {
        Self {
            opcode,
            fin: true,
            rsv: 0,
            payload,
            repeat: None,
            length_field: None,
            mask: None,
            chopsize: None,
            sync: false,
        }
    }
}

/// A timer delay as Autobahn's wire log prints it: an integer when it is one.
fn delay_value(seconds: f64) -> Value {
    if seconds.fract() == 0.0 && seconds.abs() < 1e15 {
        // Integral and small: the conversion is exact.
        json!(seconds as i64)
    } else {
        json!(seconds)
    }
}

/// `payload` repeated cyclically to exactly `n` octets (Autobahn's `payload_len`), copied a
/// slice at a time (section 9 repeats ten octets to 16 MiB).
fn repeat_to(payload: &[u8], n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    if payload.is_empty() {
        return out;
    }
    while out.len() < n {
        let take = payload.len().min(n - out.len());
        out.extend_from_slice(&payload[..take]);
    }
    out
}

fn after(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds).unwrap_or(Duration::ZERO)
}

impl Fuzzer<'_> {
    /// Whether frames are masked when a step does not say (masked when the harness is the client).
    fn default_mask(&self) -> bool {
        self.role == Role::Client
    }

    fn mask_key(&self, mask: Option<bool>) -> Option<[u8; 4]> {
        mask.unwrap_or(self.default_mask())
            .then(rand::random::<[u8; 4]>)
    }

    /// Autobahn `sendFrame`: builds the frame, logs a TF row, counts it, and writes it. Like
    /// autobahn it does not look at the protocol state, so a case can send anything anytime.
    pub(crate) fn send_frame(&mut self, f: &TxFrame<'_>) {
        let expanded;
        let payload = match f.repeat {
            Some(n) => {
                expanded = repeat_to(f.payload, n);
                &expanded[..]
            }
            None => f.payload,
        };
        let mask = self.mask_key(f.mask);
        if f.opcode <= 2 {
            self.traffic.outgoing_websocket_frames += 1;
        }
        let bytes = encode_frame(&FrameSpec {
            opcode: f.opcode,
            fin: f.fin,
            rsv: f.rsv,
            mask,
            payload,
            length_field: f.length_field,
        });
        self.log.tx_frame(&TxFrameRow {
            payload: f.payload,
            opcode: f.opcode,
            fin: f.fin,
            rsv: f.rsv,
            mask,
            repeat: f.repeat,
            chopsize: f.chopsize,
            sync: f.sync,
        });
        self.send_data(&bytes, f.sync, f.chopsize);
    }

    /// Autobahn `sendData`: one write, or one write per chop (chopped writes count as synced).
    pub(crate) fn send_data(&mut self, data: &[u8], sync: bool, chopsize: Option<usize>) {
        if self.state == WsState::Closed {
            return;
        }
        if self.state == WsState::Open {
            self.traffic.outgoing_octets_wire_level += data.len() as u64;
        }
        let size = chopsize.unwrap_or(0);
        let sync = sync || size > 0;
        for piece in chop(data, size) {
            // Autobahn logs a write when it reaches the transport: at once, unless it waits in
            // the send queue (every synced write but the first of a burst, and whatever comes
            // after one); those are logged when the I/O loop takes the burst.
            if self.queued_tx.is_empty() && (!sync || !self.queue_started) {
                self.log.tx_octets(piece, sync);
                self.queue_started |= sync;
            } else {
                self.queued_tx
                    .push((piece.len(), piece[..piece.len().min(64)].to_vec(), sync));
            }
            self.out.push(Write {
                data: piece.to_vec(),
                sync,
            });
        }
    }

    /// Autobahn `sendMessage`: only while open; split into `fragment_size` frames, with
    /// autobahn's loop (a payload that is an exact multiple of the size ends with an empty
    /// final frame).
    fn send_message(
        &mut self,
        payload: &[u8],
        binary: bool,
        fragment_size: Option<usize>,
        sync: bool,
    ) {
        if self.state != WsState::Open {
            return;
        }
        // Autobahn `sendMessageHybi`: count, compress the whole message when deflate was
        // agreed (RSV1 on the first frame only), then fragment what goes on the wire.
        self.traffic.outgoing_websocket_messages += 1;
        self.traffic.outgoing_octets_app_level += payload.len() as u64;
        let compressed;
        let (payload, first_rsv) = match self.deflate.as_mut() {
            Some(codec) => {
                compressed = codec.compress(payload);
                (&compressed[..], 4)
            }
            None => (payload, 0),
        };
        self.traffic.outgoing_octets_websocket_level += payload.len() as u64;
        let opcode = if binary { OP_BINARY } else { OP_TEXT };
        let frame = |opcode, fin, payload| TxFrame {
            opcode,
            fin,
            sync,
            rsv: if opcode == OP_CONTINUATION {
                0
            } else {
                first_rsv
            },
            ..TxFrame::control(opcode, payload)
        };
        match fragment_size {
            Some(size) if size > 0 && payload.len() > size => {
                let mut i = 0;
                let mut first = true;
                loop {
                    let j = i + size;
                    let done = j > payload.len();
                    let piece = &payload[i.min(payload.len())..j.min(payload.len())];
                    let op = if first { opcode } else { OP_CONTINUATION };
                    self.send_frame(&frame(op, done, piece));
                    first = false;
                    if done {
                        break;
                    }
                    i = j;
                }
            }
            _ => self.send_frame(&frame(opcode, true, payload)),
        }
    }

    /// The opening handshake completed: Autobahn `onOpen`, then the case's `onOpen`.
    pub(crate) fn on_open(&mut self) {
        self.state = WsState::Open;
        self.connection_was_open = true;
        if self.case.deflate.is_some() && self.deflate.is_none() {
            // Autobahn `case12_x_x.onOpen`: the peer declined permessage-deflate.
            self.log.set_enabled(false);
            self.echo_verdict = Some((
                Verdict::Unimplemented,
                "Actual events differ from any expected.".into(),
            ));
            self.echo = Some(EchoProgress {
                sent: 0,
                expected: Vec::new(),
                done: true,
                dataset: None,
                offset: 0,
            });
            self.send_close_frame(Some(1000), None, false);
            return;
        }
        if let Some(echo) = &self.case.echo_check {
            self.start_echo(echo);
        }
        if !self.case.wirelog && self.echo.is_none() {
            self.log.enabled = false;
        }
        self.play_steps(0);
        if let Some(echo) = &self.case.echo_check {
            self.log.row(json!(["TI", delay_value(echo.timeout)]));
            self.timers
                .set(self.now + after(echo.timeout), TimerKind::CloseAfter);
            self.send_echo_step(echo);
        }
    }

    /// Plays steps from index `from` until a pause or the end.
    pub(crate) fn play_steps(&mut self, from: usize) {
        let case = self.case;
        for (i, step) in case.steps.iter().enumerate().skip(from) {
            match step {
                Step::Pause(p) => {
                    self.log
                        .row(json!(["CT", delay_value(p.seconds), p.record]));
                    let next = TimerKind::Continue {
                        next: i + 1,
                        tag: p.record.clone(),
                    };
                    self.timers.set(self.now + after(p.seconds), next);
                    return;
                }
                other => self.play_step(other),
            }
        }
    }

    fn play_step(&mut self, step: &Step) {
        match step {
            Step::Frame(f) => {
                let payload = f.payload.as_slice();
                self.send_frame(&TxFrame {
                    opcode: f.opcode,
                    fin: f.fin,
                    rsv: f.rsv,
                    payload,
                    repeat: f.payload_len,
                    length_field: f.length_field,
                    mask: f.mask,
                    chopsize: f.chopsize,
                    sync: f.sync,
                });
            }
            Step::Message(m) => {
                let payload = m.payload_bytes();
                self.send_message(&payload, m.binary, m.fragment_size, m.sync);
            }
            Step::Close(c) => {
                let reason = c.reason.as_ref().map(|r| r.as_slice());
                self.send_close_frame(c.code, reason, false);
            }
            Step::Raw(r) => self.send_data(r.bytes.as_slice(), r.sync, r.chopsize),
            Step::FrameHeader(h) => {
                // Autobahn `beginMessageFrame`: only while open; no TF row, not counted.
                if self.state == WsState::Open {
                    let mask = self.mask_key(h.mask);
                    let header = encode_header(h.fin, h.rsv, h.opcode, mask, h.length);
                    self.send_data(&header, false, None);
                    self.stream_frame = Some(StreamFrame {
                        mask,
                        length: h.length,
                        done: 0,
                    });
                }
            }
            Step::FrameData(d) => {
                // Autobahn `sendMessageFrameData`: only while open; never past the header's length.
                if self.state == WsState::Open {
                    if let Some(mut sf) = self.stream_frame {
                        let room = sf.length.saturating_sub(sf.done);
                        let bytes = d.payload.as_slice();
                        // `take` is at most `bytes.len()`, so it fits in usize.
                        let take = room.min(bytes.len() as u64) as usize;
                        let mut piece = bytes[..take].to_vec();
                        if let Some(key) = sf.mask {
                            apply_mask(key, sf.done, &mut piece);
                        }
                        sf.done += take as u64;
                        self.stream_frame = Some(sf);
                        self.send_data(&piece, d.sync, None);
                    }
                }
            }
            Step::KillAfter(s) => {
                self.log.row(json!(["KL", delay_value(*s)]));
                self.timers.set(self.now + after(*s), TimerKind::Kill);
            }
            Step::CloseAfter(s) => {
                self.log.row(json!(["TI", delay_value(*s)]));
                self.timers.set(self.now + after(*s), TimerKind::CloseAfter);
            }
            Step::Pause(_) => {}
        }
    }

    fn start_echo(&mut self, echo: &EchoCheck) {
        let expected = match echo.send.as_ref() {
            Step::Frame(f) => f.payload_bytes(),
            Step::Message(m) => m.payload_bytes(),
            _ => Vec::new(),
        };
        self.echo = Some(EchoProgress {
            sent: 0,
            expected,
            done: false,
            dataset: echo.dataset.as_ref().map(super::datasets::generate),
            offset: 0,
        });
        let secs = delay_value(echo.timeout);
        let result = if echo.count > 1 {
            format!("Case did not finish within {secs} seconds.")
        } else {
            format!("Did not receive message within {secs} seconds.")
        };
        self.echo_verdict = Some((Verdict::Failed, result));
        // 9.1 to 9.6 switch the log off by assignment (no WLM row), 9.7 and 9.8 with
        // `enableWirelog(False)` (a WLM row).
        if echo.count > 1 {
            self.log.set_enabled(false);
        } else {
            self.log.enabled = false;
        }
    }

    fn send_echo_step(&mut self, echo: &EchoCheck) {
        if let Some(p) = self.echo.as_mut() {
            p.sent += 1;
        }
        let next = self.echo.as_mut().and_then(|p| {
            let set = p.dataset.as_ref()?;
            // Autobahn `sendOne`: the next `length` octets, wrapping around the data set.
            let msg: Vec<u8> = set
                .iter()
                .cycle()
                .skip(p.offset)
                .take(echo.length)
                .copied()
                .collect();
            p.offset = (p.offset + echo.length) % set.len().max(1);
            p.expected.clone_from(&msg);
            Some(msg)
        });
        match (next, echo.send.as_ref()) {
            (Some(msg), Step::Message(m)) => {
                self.send_message(&msg, m.binary, m.fragment_size, m.sync);
            }
            (_, step) => self.play_step(step),
        }
    }

    /// A message during an echo check (the 9.x cases' `onMessage`).
    pub(crate) fn on_echo(&mut self, data: &[u8], binary: bool) {
        let Some(echo) = self.case.echo_check.as_ref() else {
            return;
        };
        let Some(progress) = self.echo.as_ref() else {
            return;
        };
        if progress.done {
            return;
        }
        let kind = |b: bool| if b { "binary" } else { "text" };
        let python_bool = |b: bool| if b { "True" } else { "False" };
        let single = echo.count <= 1;
        let failure = if echo.dataset.is_some() {
            compression_echo_failure(echo, &progress.expected, data, binary)
        } else if binary != echo.binary {
            Some(if single {
                format!(
                    "Expected {} message with payload, but got {}.",
                    kind(echo.binary),
                    kind(binary)
                )
            } else {
                format!(
                    "Echo'ed message type or length differs from what I sent (got binary = {}, payload length = {}).",
                    python_bool(binary),
                    data.len()
                )
            })
        } else if data.len() != echo.length {
            Some(if single {
                format!(
                    "Expected {} message with payload of length {}, but got {}.",
                    kind(echo.binary),
                    echo.length,
                    data.len()
                )
            } else {
                format!(
                    "Echo'ed message type or length differs from what I sent (got binary = {}, payload length = {}).",
                    python_bool(binary),
                    data.len()
                )
            })
        } else if progress.expected.len() == data.len() && progress.expected != data {
            // Stricter than Autobahn ("FIXME: check actual content"): the content must match too.
            Some(format!(
                "Echo'ed {} message of length {} differs in content from what I sent.",
                kind(binary),
                data.len()
            ))
        } else {
            None
        };
        let finished = match failure {
            Some(reason) => {
                self.echo_verdict = Some((Verdict::Failed, reason));
                true
            }
            None if progress.sent < echo.count => {
                self.send_echo_step(echo);
                false
            }
            None => {
                let result = if single {
                    format!(
                        "Received {} message of length {}.",
                        kind(binary),
                        data.len()
                    )
                } else {
                    "Ok, received all echo'ed messages in time.".to_owned()
                };
                if self.case.deflate.is_some() {
                    self.traffic_report = Some(self.traffic);
                }
                self.echo_verdict = Some((Verdict::Ok, result));
                true
            }
        };
        if finished {
            if let Some(p) = self.echo.as_mut() {
                p.done = true;
            }
            if single {
                self.log.enabled = true;
            } else {
                self.log.set_enabled(true);
            }
            self.send_close_frame(Some(1000), None, false);
        }
    }
}

/// The failure of one echo in sections 12 and 13, in `case12_x_x.onMessage`'s words
/// (type, then length, then the SHA-1 of the content).
fn compression_echo_failure(
    echo: &EchoCheck,
    expected: &[u8],
    data: &[u8],
    binary: bool,
) -> Option<String> {
    let python_bool = |b: bool| if b { "True" } else { "False" };
    if binary != echo.binary {
        return Some(format!(
            "Echo'ed message type differs from what I sent (got binary {}, expected binary {}).",
            python_bool(binary),
            python_bool(echo.binary)
        ));
    }
    // Autobahn counts characters of text messages; our text data sets are ASCII, so octets.
    let length = if binary {
        data.len()
    } else {
        String::from_utf8_lossy(data).chars().count()
    };
    if length != echo.length {
        return Some(format!(
            "Echo'ed message length differs from what I sent (got length {length}, expected length {}).",
            echo.length
        ));
    }
    let got = Sha1::digest(data);
    let want = Sha1::digest(expected);
    (got != want).then(|| {
        format!(
            "Echo'ed message contents differs from what I sent (got SHA1 {}, expected SHA1 {}).",
            encode_hex(&got),
            encode_hex(&want)
        )
    })
}
