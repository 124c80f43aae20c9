//! The sending half of [`Connection`]: data and control frames into the one transmit buffer,
//! masked with a fresh key per frame by a client (RFC 6455 section 5.3), and the start of the
//! closing handshake (section 7.1.2).

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use super::connection::{Sink, State};
use super::{Connection, Role};
use crate::close::{check_outgoing, encode_close_payload, MAX_REASON_LEN};
use crate::error::Error;
use crate::frame::mask::extend_masked;
use crate::frame::{CloseCode, FrameHeader, OpCode};

// ===== impl Connection: sending =====

impl Connection {
    /// Sends a text message in one frame.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once the closing handshake has started.
    pub fn send_text(&mut self, text: &str) -> Result<(), Error> {
        self.send_message(OpCode::Text, text.as_bytes())
    }

    /// Sends a binary message in one frame.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once the closing handshake has started.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), Error> {
        self.send_message(OpCode::Binary, data)
    }

    /// A whole message, compressed if permessage-deflate is on and it reaches the threshold.
    fn send_message(&mut self, opcode: OpCode, payload: &[u8]) -> Result<(), Error> {
        if !self.can_send() {
            return Err(Error::Closed);
        }
        self.queue_message(opcode, payload);
        Ok(())
    }

    /// Sends one frame as given: a fragment (`fin` false, then [`OpCode::Continuation`] frames), or
    /// a ping or pong. Ordering fragments correctly is the caller's job. Frames sent this way are
    /// never compressed (RSV1 clear), even with permessage-deflate on.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once the closing handshake has started; [`Error::CloseViaSendFrame`] for
    /// [`OpCode::Close`] (use [`close`](Self::close)); [`Error::ReservedOpcode`];
    /// [`Error::FragmentedControlFrame`] and [`Error::ControlPayloadTooLong`] for control frames
    /// that break section 5.5.
    pub fn send_frame(&mut self, opcode: OpCode, payload: &[u8], fin: bool) -> Result<(), Error> {
        match opcode {
            OpCode::Close => return Err(Error::CloseViaSendFrame),
            OpCode::Reserved(bits) => return Err(Error::ReservedOpcode(bits)),
            _ => {}
        }
        if opcode.is_control() {
            if !fin {
                return Err(Error::FragmentedControlFrame);
            }
            if payload.len() > 125 {
                return Err(Error::ControlPayloadTooLong(payload.len()));
            }
        }
        if !self.can_send() {
            return Err(Error::Closed);
        }
        self.queue_frame(opcode, fin, payload);
        Ok(())
    }

    /// Sends a ping.
    ///
    /// # Errors
    ///
    /// As [`send_frame`](Self::send_frame): closed, or a payload over 125 bytes.
    pub fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.send_frame(OpCode::Ping, payload, true)
    }

    /// Sends an unsolicited pong (section 5.5.3 allows them as a heartbeat).
    ///
    /// # Errors
    ///
    /// As [`send_frame`](Self::send_frame): closed, or a payload over 125 bytes.
    pub fn send_pong(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.send_frame(OpCode::Pong, payload, true)
    }

    /// Starts the closing handshake: sends a close frame with `code` (1000 when `None`) and
    /// `reason`. Data frames received from now on are dropped; the close event fires when the
    /// peer's close frame arrives, or with 1006 when it does not within `close_timeout`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] if the handshake has started already; [`Error::InvalidCloseCode`] and
    /// [`Error::CloseReasonTooLong`] for a code or reason that may not be sent.
    pub fn close(&mut self, code: Option<u16>, reason: &str) -> Result<(), Error> {
        if self.state != State::Open {
            return Err(Error::Closed);
        }
        let code = code.map_or(CloseCode::NORMAL, CloseCode);
        check_outgoing(code, reason)?;
        self.queue_close(code, reason);
        self.state = State::CloseSent;
        // A message in progress will never be delivered now.
        self.message = None;
        if let Some(frame) = &mut self.frame {
            if frame.sink == Sink::Message {
                frame.sink = Sink::Discard;
            }
        }
        self.arm_timer();
        Ok(())
    }

    /// Queues a close frame; a reason too long for a control frame is cut at a character boundary.
    pub(super) fn queue_close(&mut self, code: CloseCode, reason: &str) {
        let mut end = reason.len().min(MAX_REASON_LEN);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let mut payload = Vec::with_capacity(2 + end);
        encode_close_payload(code, &reason[..end], &mut payload);
        self.queue_frame(OpCode::Close, true, &payload);
    }

    /// Appends one frame to the transmit buffer; a client masks it with a fresh key.
    pub(super) fn queue_frame(&mut self, opcode: OpCode, fin: bool, payload: &[u8]) {
        self.queue_frame_with_rsv(opcode, fin, 0, payload);
    }

    /// As [`queue_frame`](Self::queue_frame), with RSV bits (RSV1 for a compressed message).
    pub(super) fn queue_frame_with_rsv(
        &mut self,
        opcode: OpCode,
        fin: bool,
        rsv: u8,
        payload: &[u8],
    ) {
        let mask = match self.role {
            Role::Client => Some(
                self.rng
                    .get_or_insert_with(StdRng::from_os_rng)
                    .next_u32()
                    .to_ne_bytes(),
            ),
            Role::Server => None,
        };
        let mut header = FrameHeader::new(fin, opcode, mask, payload.len() as u64);
        header.rsv = rsv;
        self.tx.reserve(header.encoded_len() + payload.len());
        header.encode(&mut self.tx);
        extend_masked(&mut self.tx, payload, mask, 0);
    }
}
