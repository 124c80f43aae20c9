//! Incoming octets: autobahn's `processDataHybi`, `onFrameBegin/Data/End`,
//! `processControlFrame` and `onCloseFrame`, with `failByDrop = False`.
//!
//! Every header is checked as it completes; each violation fails the connection (the first
//! sends a close frame, a second one drops TCP) and processing goes on, because autobahn skips
//! nothing when it does not fail by dropping. Messages completed after the harness failed the
//! connection are not delivered; pongs still are.

use crate::wire::{Item, Sender, Violation, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT};

use super::deflate::InflateError;
use super::protocol::{
    DropMode, Fuzzer, Observed, Role, RxFrame, WsState, MAX_CONTROL, MAX_MESSAGE,
};
use super::timers::TimerKind;
use super::utf8::{python2_decodes, Utf8Validator};
use super::wirelog::PayloadPrefix;

/// Close codes a peer may send (autobahn `CLOSE_STATUS_CODES_ALLOWED`), below 3000.
const ALLOWED_CODES: [u16; 9] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011];

impl Fuzzer<'_> {
    /// Octets read from the socket: logged, then processed while the connection lasts.
    pub(crate) fn on_data(&mut self, data: &[u8]) {
        self.log.rx_octets(data);
        if self.state == WsState::Open {
            self.traffic.incoming_octets_wire_level += data.len() as u64;
        }
        self.process(data);
    }

    /// Octets already logged (read together with the handshake response), processed now.
    pub(crate) fn process(&mut self, data: &[u8]) {
        if self.state == WsState::Closed {
            return;
        }
        self.rx.decoder.push(data);
        while self.state != WsState::Closed {
            let Some(item) = self.rx.decoder.next_item() else {
                break;
            };
            match item {
                Item::Head(head) => self.on_frame_begin(head),
                Item::Data(chunk) => self.on_frame_data(&chunk),
                Item::End => self.on_frame_end(),
            }
        }
    }

    fn on_frame_begin(&mut self, head: crate::wire::FrameHead) {
        let sender = match self.role {
            Role::Client => Sender::Server,
            Role::Server => Sender::Client,
        };
        let mut violations: Vec<String> = Vec::new();
        let compress_bit = self.deflate.is_some() && head.rsv == 4;
        for violation in head.violations(sender, self.rx.inside_message) {
            // With permessage-deflate, RSV1 alone is the compress bit, not a violation.
            if !(compress_bit && matches!(violation, Violation::ReservedBitsSet(_))) {
                violations.push(violation.to_string());
            }
        }
        if compress_bit && head.is_control() {
            violations.push("received compressed control frame [permessage-deflate]".into());
        } else if compress_bit && self.rx.inside_message {
            violations.push(
                "received continuation data frame with compress bit set [permessage-deflate]"
                    .into(),
            );
        }
        for violation in violations {
            self.protocol_violation(&violation);
            if self.state == WsState::Closed {
                return;
            }
        }
        self.rx.frame = Some(RxFrame {
            head,
            logged: PayloadPrefix::default(),
            control: Vec::new(),
        });
        if head.is_control() {
            return;
        }
        if !self.rx.inside_message {
            self.rx.inside_message = true;
            self.rx.message_binary = head.opcode == OP_BINARY;
            self.rx.message.clear();
            self.rx.message_announced = 0;
            self.rx.utf8 = (head.opcode == OP_TEXT).then(Utf8Validator::default);
            self.rx.utf8_last = None;
            self.rx.compressed = compress_bit;
            if let (true, Some(codec)) = (compress_bit, self.deflate.as_mut()) {
                codec.start_inflate();
            }
        }
        self.rx.message_announced = self.rx.message_announced.saturating_add(head.payload_len);
        if !self.flags.failed_by_me && self.rx.message_announced > MAX_MESSAGE {
            // Autobahn's own limit check (maxMessagePayloadSize), with our bound.
            self.fail_connection(
                1009,
                &format!("message exceeds payload limit of {MAX_MESSAGE} octets"),
            );
        }
    }

    fn on_frame_data(&mut self, chunk: &[u8]) {
        let Some(frame) = self.rx.frame.as_mut() else {
            return;
        };
        if frame.head.is_control() {
            let room = MAX_CONTROL.saturating_sub(frame.control.len());
            frame
                .control
                .extend_from_slice(&chunk[..chunk.len().min(room)]);
            frame.logged.push(chunk);
            return;
        }
        if self.rx.compressed {
            if self.flags.failed_by_me {
                // Nothing more is delivered; don't inflate what may be a bomb.
                return;
            }
            let mut plain = Vec::new();
            if self.inflate(Some(chunk), &mut plain) {
                self.on_message_data(chunk.len(), &plain);
            }
        } else {
            self.on_message_data(chunk.len(), chunk);
        }
    }

    /// Inflates octets of a compressed message into `plain`; false when the connection
    /// failed instead (too big: 1009 with our bound; corrupt: autobahn's zlib raises and
    /// Twisted closes the connection).
    /// `None` ends the message.
    fn inflate(&mut self, chunk: Option<&[u8]>, plain: &mut Vec<u8>) -> bool {
        let limit = usize::try_from(MAX_MESSAGE)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.rx.message.len());
        let outcome = match (self.deflate.as_mut(), chunk) {
            (Some(codec), None) => codec.end_inflate(plain, limit),
            (Some(codec), Some(chunk)) => codec.inflate(chunk, plain, limit),
            (None, _) => Ok(()),
        };
        match outcome {
            Ok(()) => true,
            Err(InflateError::TooBig) => {
                self.fail_connection(
                    1009,
                    &format!("message exceeds payload limit of {MAX_MESSAGE} octets"),
                );
                false
            }
            Err(InflateError::Corrupt(_)) => {
                self.lose_connection_by_error();
                false
            }
        }
    }

    /// Message octets after inflating (`wire_len` of them arrived in the frame).
    fn on_message_data(&mut self, wire_len: usize, chunk: &[u8]) {
        if self.state == WsState::Open {
            self.traffic.incoming_octets_websocket_level += wire_len as u64;
            self.traffic.incoming_octets_app_level += chunk.len() as u64;
        }
        if let Some(v) = self.rx.utf8.as_mut() {
            let status = v.validate(chunk);
            self.rx.utf8_last = Some(status);
            if !status.valid {
                self.invalid_payload(&format!(
                    "encountered invalid UTF-8 while processing text message at payload octet index {}",
                    status.index
                ));
                if self.state == WsState::Closed {
                    return;
                }
            }
        }
        if !self.flags.failed_by_me {
            self.rx.message.extend_from_slice(chunk);
            if let Some(frame) = self.rx.frame.as_mut() {
                frame.logged.push(chunk);
            }
        }
    }

    fn on_frame_end(&mut self) {
        let Some(frame) = self.rx.frame.take() else {
            return;
        };
        let h = frame.head;
        self.log.rx_frame(
            frame.logged.len,
            &frame.logged.prefix,
            h.opcode,
            h.fin,
            h.rsv,
            h.mask,
        );
        if h.is_control() {
            self.on_control_frame(h.opcode, frame.control);
            return;
        }
        if self.state == WsState::Open {
            self.traffic.incoming_websocket_frames += 1;
        }
        if !h.fin {
            return;
        }
        if self.rx.compressed && !self.flags.failed_by_me {
            // The tail the sender removed (RFC 7692 7.2.2); it yields nothing in practice.
            let mut plain = Vec::new();
            if !self.inflate(None, &mut plain) {
                return;
            }
            if !plain.is_empty() {
                self.on_message_data(0, &plain);
                if self.state == WsState::Closed {
                    return;
                }
            }
        }
        if self.rx.utf8.is_some() {
            let last = self.rx.utf8_last.unwrap_or(super::utf8::Utf8Status {
                valid: true,
                ends_on_code_point: true,
                index: 0,
            });
            if !last.ends_on_code_point {
                self.invalid_payload(&format!(
                    "UTF-8 text message payload ended within Unicode code point at payload octet index {}",
                    last.index
                ));
                if self.state == WsState::Closed {
                    return;
                }
            }
        }
        self.rx.inside_message = false;
        if self.state == WsState::Open {
            self.traffic.incoming_websocket_messages += 1;
        }
        if !self.flags.failed_by_me {
            let data = std::mem::take(&mut self.rx.message);
            let binary = self.rx.message_binary;
            self.on_message(data, binary);
        }
    }

    /// A complete message from the peer (Autobahn `onMessage`).
    fn on_message(&mut self, data: Vec<u8>, binary: bool) {
        if self.case.echo_check.is_some() {
            self.on_echo(&data, binary);
        } else {
            self.record(Observed::Message { data, binary });
            self.finish_when_done();
        }
    }

    fn on_control_frame(&mut self, opcode: u8, payload: Vec<u8>) {
        match opcode {
            OP_CLOSE => {
                let code =
                    (payload.len() > 1).then(|| u16::from_be_bytes([payload[0], payload[1]]));
                let reason = (payload.len() > 2).then(|| &payload[2..]);
                self.on_close_frame(code, reason);
            }
            // Autobahn `onPing`: answer while open, record nothing.
            OP_PING if self.state == WsState::Open => {
                self.send_frame(&super::tx::TxFrame::control(OP_PONG, &payload));
            }
            OP_PONG => {
                self.record(Observed::Pong(payload));
                self.finish_when_done();
            }
            // Reserved control opcodes: already failed at the header.
            _ => {}
        }
    }

    /// Autobahn `onCloseFrame`.
    fn on_close_frame(&mut self, code: Option<u16>, reason: Option<&[u8]>) {
        self.flags.remote_close_code = code;
        if let Some(code) = code {
            if code < 1000 || (code <= 2999 && !ALLOWED_CODES.contains(&code)) || code >= 5000 {
                self.protocol_violation(&format!("invalid close code {code}"));
            }
        }
        match reason {
            None => self.flags.remote_close_reason = None,
            Some(raw) => {
                if std::str::from_utf8(raw).is_err() {
                    self.invalid_payload("invalid close reason (non-UTF-8 payload)");
                }
                if !python2_decodes(raw) {
                    // Autobahn then decodes the reason anyway; the decode raises, and Twisted
                    // closes the connection under it.
                    self.lose_connection_by_error();
                    return;
                }
                self.flags.remote_close_reason = Some(String::from_utf8_lossy(raw).into_owned());
            }
        }
        match self.state {
            WsState::Closing => {
                // The answer to our close.
                self.timers.cancel(&TimerKind::CloseHandshake);
                self.flags.was_clean = true;
                match self.role {
                    Role::Server => self.drop_connection(DropMode::Abort),
                    Role::Client => {
                        let at = self.now + self.timeouts.server_connection_drop;
                        self.timers.set(at, TimerKind::ServerDrop);
                    }
                }
            }
            WsState::Open => {
                // The peer starts the closing handshake: answer with 1000 (echoCloseCodeReason
                // is off), and as a client wait for the server to drop TCP.
                self.flags.was_clean = true;
                self.send_close_frame(Some(1000), None, true);
                if self.role == Role::Server {
                    self.drop_connection(DropMode::Flush);
                }
            }
            WsState::Closed => self.flags.was_clean = false,
        }
    }
}
