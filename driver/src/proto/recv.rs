//! The receiving half of [`Connection`]: frames parsed straight from the caller's slice (RFC 6455
//! section 5.2), checked against the rules of sections 5.1 to 5.5, payloads unmasked into the
//! message being assembled (section 5.4), text validated as it arrives (section 8.1), and control
//! frames answered (sections 5.5.1 to 5.5.3).

use super::compression::RSV1;
use super::connection::{InFrame, InMessage, Reply, Sink, State};
use super::{Connection, Event, Message, Role};
use crate::close::parse_close_payload;
use crate::error::ProtocolError;
use crate::frame::mask::{apply_mask, extend_masked};
use crate::frame::{CloseCode, FrameHeader, OpCode, MAX_HEADER_LEN};
use crate::utf8::TextBuffer;

/// Up to this much of a data frame's announced length is reserved at its header; beyond it the
/// buffer grows as bytes arrive, so a header alone cannot make us allocate much.
const RESERVE_LIMIT: u64 = 1 << 20;

// ===== impl Connection: receiving =====

impl Connection {
    /// Bytes read from the socket, in any chunking. Complete frames are parsed in place; payloads go
    /// straight into the message being assembled; only the start of a header split across calls is
    /// carried over. Bytes after a close or a protocol error are ignored.
    pub fn handle_bytes(&mut self, bytes: &[u8]) {
        let mut input = bytes;
        while !input.is_empty() && self.is_reading() {
            match self.frame {
                Some(frame) => {
                    let n = usize::try_from(frame.remaining)
                        .map_or(input.len(), |r| r.min(input.len()));
                    let (payload, rest) = input.split_at(n);
                    input = rest;
                    self.recv_payload(payload);
                }
                None => input = self.recv_header(input),
            }
        }
    }

    fn is_reading(&self) -> bool {
        matches!(self.state, State::Open | State::CloseSent)
    }

    /// Parses a header from `input` (after any carried-over start), and returns what follows it.
    fn recv_header<'a>(&mut self, input: &'a [u8]) -> &'a [u8] {
        let have = self.header_len;
        let parsed = if have == 0 {
            FrameHeader::parse(input)
        } else {
            let take = (MAX_HEADER_LEN - have).min(input.len());
            self.header_buf[have..have + take].copy_from_slice(&input[..take]);
            FrameHeader::parse(&self.header_buf[..have + take])
        };
        match parsed {
            Ok(Some((header, len))) => {
                self.header_len = 0;
                self.begin_frame(header);
                &input[len - have..]
            }
            Ok(None) => {
                // Incomplete: at most 13 bytes in all, so everything left fits the carry buffer.
                let take = input.len().min(MAX_HEADER_LEN - have);
                self.header_buf[have..have + take].copy_from_slice(&input[..take]);
                self.header_len = have + take;
                &input[take..]
            }
            Err(error) => {
                self.fail(error);
                &[]
            }
        }
    }

    /// Checks a header against the rules and decides where its payload goes.
    fn begin_frame(&mut self, header: FrameHeader) {
        match self.check_header(&header) {
            Ok(sink) => {
                self.frame = Some(InFrame {
                    opcode: header.opcode,
                    fin: header.fin,
                    mask: header.mask,
                    remaining: header.payload_len,
                    offset: 0,
                    sink,
                });
                if header.payload_len == 0 {
                    self.end_frame();
                }
            }
            Err(error) => self.fail(error),
        }
    }

    fn check_header(&mut self, header: &FrameHeader) -> Result<Sink, ProtocolError> {
        // RSV1 means "compressed" once permessage-deflate is agreed (RFC 7692 section 6).
        let compressed = header.rsv & RSV1 != 0;
        if header.rsv & !RSV1 != 0 || (compressed && !self.deflate_enabled()) {
            return Err(ProtocolError::ReservedBitsSet);
        }
        if let OpCode::Reserved(bits) = header.opcode {
            return Err(ProtocolError::ReservedOpcode(bits));
        }
        match (self.role, header.mask.is_some()) {
            (Role::Server, false) => return Err(ProtocolError::UnmaskedFrameFromClient),
            (Role::Client, true) => return Err(ProtocolError::MaskedFrameFromServer),
            _ => {}
        }
        if compressed && (header.opcode.is_control() || header.opcode == OpCode::Continuation) {
            return Err(ProtocolError::CompressedControlOrContinuation);
        }
        if header.opcode.is_control() {
            if !header.fin {
                return Err(ProtocolError::FragmentedControlFrame);
            }
            if header.payload_len > 125 {
                return Err(ProtocolError::ControlFrameTooLong);
            }
            self.control_len = 0;
            return Ok(Sink::Control);
        }
        if self.state == State::CloseSent {
            // Section 7.1.2: after our close, data is no longer delivered; only the peer's close matters.
            return Ok(Sink::Discard);
        }
        let so_far = match (&self.message, header.opcode) {
            (None, OpCode::Continuation) => return Err(ProtocolError::UnexpectedContinuation),
            (Some(_), OpCode::Text | OpCode::Binary) => {
                return Err(ProtocolError::DataFrameInsideFragmentedMessage)
            }
            (Some(message), _) => message.len(),
            (None, _) => 0,
        };
        if matches!(header.opcode, OpCode::Text | OpCode::Binary) {
            self.start_inflating(compressed);
        }
        // Decided from the header, before any of the payload is buffered. A compressed payload
        // says nothing about the inflated size, which is checked as it is inflated instead.
        let inflating = self.inflating();
        let room = self.config.max_length.saturating_sub(so_far) as u64;
        if header.payload_len > room && !inflating {
            return Err(ProtocolError::MessageTooLong);
        }
        let reserve = if inflating {
            0
        } else {
            header.payload_len.min(RESERVE_LIMIT) as usize
        };
        match header.opcode {
            OpCode::Text => {
                self.message = Some(InMessage::Text(TextBuffer::with_capacity(reserve)))
            }
            OpCode::Binary => self.message = Some(InMessage::Binary(Vec::with_capacity(reserve))),
            _ => {}
        }
        Ok(Sink::Message)
    }

    /// Takes the next piece of the current frame's payload (no more than it has left).
    fn recv_payload(&mut self, payload: &[u8]) {
        let Some(frame) = &mut self.frame else {
            return;
        };
        let (mask, offset, sink) = (frame.mask, frame.offset, frame.sink);
        frame.offset = frame.offset.wrapping_add(payload.len());
        frame.remaining -= payload.len() as u64;
        let done = frame.remaining == 0;
        if sink == Sink::Message && self.inflating() {
            if let Err(error) = self.inflate_payload(payload, mask, offset) {
                // Fails fast too: a bomb at the first chunk past max_length, bad text at its byte.
                self.fail(error);
                return;
            }
            if done {
                self.end_frame();
            }
            return;
        }
        match (sink, &mut self.message) {
            (Sink::Message, Some(InMessage::Text(text))) => {
                if text.extend(payload, mask, offset).is_err() {
                    // Fails fast: mid-frame, at the first byte that cannot start valid UTF-8.
                    self.fail(ProtocolError::InvalidUtf8);
                    return;
                }
            }
            (Sink::Message, Some(InMessage::Binary(bytes))) => {
                extend_masked(bytes, payload, mask, offset)
            }
            (Sink::Control, _) => {
                let start = self.control_len;
                let buf = &mut self.control[start..start + payload.len()];
                buf.copy_from_slice(payload);
                if let Some(key) = mask {
                    apply_mask(buf, key, offset);
                }
                self.control_len += payload.len();
            }
            (Sink::Message | Sink::Discard, _) => {}
        }
        if done {
            self.end_frame();
        }
    }

    /// The current frame is complete: deliver a finished message, or act on a control frame.
    fn end_frame(&mut self) {
        let Some(frame) = self.frame.take() else {
            return;
        };
        if frame.sink == Sink::Message && frame.fin && self.inflating() {
            if let Err(error) = self.finish_inflating() {
                self.fail(error);
                return;
            }
        }
        match frame.sink {
            Sink::Message if frame.fin => match self.message.take() {
                Some(InMessage::Text(text)) => match text.finish() {
                    Ok(text) => self.events.push_back(Event::Message(Message::Text(text))),
                    Err(_) => self.fail(ProtocolError::InvalidUtf8),
                },
                Some(InMessage::Binary(bytes)) => self
                    .events
                    .push_back(Event::Message(Message::Binary(bytes))),
                None => {}
            },
            Sink::Message | Sink::Discard => {}
            Sink::Control => self.end_control(frame.opcode),
        }
    }

    fn end_control(&mut self, opcode: OpCode) {
        let payload = &self.control[..self.control_len];
        match opcode {
            OpCode::Ping => {
                let payload = payload.to_vec();
                // Section 5.5.2: answer with a pong of the same payload, unless we are closing.
                if self.state == State::Open {
                    self.queue_frame(OpCode::Pong, true, &payload);
                }
                self.events.push_back(Event::Ping(payload));
            }
            OpCode::Pong => {
                let payload = payload.to_vec();
                self.events.push_back(Event::Pong(payload));
            }
            OpCode::Close => self.recv_close(),
            _ => {}
        }
    }

    /// The peer's close frame (section 5.5.1): validate it, and queue the close event; the echo of
    /// its code (unless we sent a close already) goes out when the event is polled.
    fn recv_close(&mut self) {
        let payload = self.control;
        match parse_close_payload(&payload[..self.control_len]) {
            Err(error) => self.fail(error),
            Ok(parsed) => {
                let (code, reason) = parsed.unwrap_or((CloseCode::NORMAL, ""));
                let reply = (self.state == State::Open).then_some(Reply::Echo(code));
                // A server closes TCP first (section 7.1.1); a client waits for it, up to the timeout.
                let server = self.role.is_server();
                self.queue_close_event(code.0, reason.to_owned(), reply, server);
            }
        }
    }
}
