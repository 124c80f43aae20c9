//! Checking echoes as they arrive: every frame header and every payload octet, in whatever
//! pieces the socket delivers them, without buffering a message.
//!
//! A server may fragment its echo (RFC 6455 section 5.4 lets it), so a message is a data
//! frame of the sent opcode followed by continuation frames until FIN; anything else (a
//! control frame, a wrong opcode, a length that does not add up to the message size, a
//! differing octet) is an error that names the message and the octet.

use std::fmt;
use std::rc::Rc;

use super::pattern::{Pattern, SEQ_LEN};
use crate::wire::{FrameHead, OP_CLOSE, OP_CONTINUATION};

/// The longest frame header: 2 octets, 8 of extended length, 4 of masking key.
const MAX_HEADER: usize = 14;

/// An echo that is not the message sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoError {
    /// The connection's message number.
    pub seq: u64,
    /// What is wrong.
    pub what: String,
}

impl fmt::Display for EchoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "echo of message {}: {}", self.seq, self.what)
    }
}

impl std::error::Error for EchoError {}

/// Checks one connection's incoming octet stream against the messages sent, in order.
#[derive(Debug)]
pub struct EchoChecker {
    pattern: Rc<Pattern>,
    /// The start of a header split across reads.
    head: [u8; MAX_HEADER],
    head_len: usize,
    /// Payload octets left in the current frame; `None` between frames.
    frame_left: Option<u64>,
    frame_fin: bool,
    /// Payload octets of the current message checked so far; `None` between messages.
    message_at: Option<usize>,
    seq: u64,
    expected_seq: [u8; SEQ_LEN],
}

impl EchoChecker {
    /// A checker expecting message number 0 first.
    pub fn new(pattern: Rc<Pattern>) -> Self {
        let expected_seq = pattern.expected_seq(0);
        Self {
            pattern,
            head: [0; MAX_HEADER],
            head_len: 0,
            frame_left: None,
            frame_fin: false,
            message_at: None,
            seq: 0,
            expected_seq,
        }
    }

    /// Checks the next octets read; returns how many messages they completed.
    ///
    /// # Errors
    ///
    /// At the first octet that differs from the expected echo.
    pub fn feed(&mut self, mut input: &[u8]) -> Result<usize, EchoError> {
        let mut done = 0;
        while !input.is_empty() {
            match self.frame_left {
                Some(left) => {
                    let n = usize::try_from(left).map_or(input.len(), |l| l.min(input.len()));
                    let (payload, rest) = input.split_at(n);
                    input = rest;
                    self.check_payload(payload)?;
                    let left = left - n as u64;
                    self.frame_left = Some(left);
                    if left == 0 {
                        done += usize::from(self.end_frame());
                    }
                }
                None => {
                    input = self.take_header(input)?;
                    if self.frame_left == Some(0) {
                        done += usize::from(self.end_frame());
                    }
                }
            }
        }
        Ok(done)
    }

    /// Parses a header from the carried-over octets and `input`; returns what follows it.
    fn take_header<'a>(&mut self, input: &'a [u8]) -> Result<&'a [u8], EchoError> {
        let have = self.head_len;
        let take = (MAX_HEADER - have).min(input.len());
        self.head[have..have + take].copy_from_slice(&input[..take]);
        let Some(head) = FrameHead::parse(&self.head[..have + take]) else {
            self.head_len = have + take;
            return Ok(&input[take..]);
        };
        self.head_len = 0;
        self.begin_frame(&head)?;
        Ok(&input[head.header_len - have..])
    }

    fn begin_frame(&mut self, head: &FrameHead) -> Result<(), EchoError> {
        let at = self.message_at.unwrap_or(0);
        let want_opcode = if self.message_at.is_some() {
            OP_CONTINUATION
        } else {
            self.pattern.opcode
        };
        if head.opcode == OP_CLOSE {
            return Err(self.error(format!("the server sent a close frame at octet {at}")));
        }
        if head.opcode != want_opcode || head.rsv != 0 {
            return Err(self.error(format!(
                "frame with opcode {} and rsv {} where opcode {want_opcode} was due",
                head.opcode, head.rsv
            )));
        }
        let want_mask = self.pattern.raw.then(|| self.pattern.key());
        if head.mask != want_mask {
            return Err(self.error(format!(
                "frame masked with {:?}, expected {want_mask:?}",
                head.mask
            )));
        }
        let room = (self.pattern.size - at) as u64;
        if head.payload_len > room || (head.fin && head.payload_len != room) {
            return Err(self.error(format!(
                "frame of {} octets at octet {at} of a {}-octet message (fin {})",
                head.payload_len, self.pattern.size, head.fin
            )));
        }
        self.message_at = Some(at);
        self.frame_left = Some(head.payload_len);
        self.frame_fin = head.fin;
        Ok(())
    }

    /// Compares a piece of payload with the pattern at the message's current offset.
    fn check_payload(&mut self, payload: &[u8]) -> Result<(), EchoError> {
        let at = self.message_at.unwrap_or(0);
        let seq_len = self.pattern.seq_len();
        let numbered = seq_len.saturating_sub(at).min(payload.len());
        let (number, rest) = payload.split_at(numbered);
        if numbered > 0 && number != &self.expected_seq[at..at + numbered] {
            let got = String::from_utf8_lossy(number).into_owned();
            return Err(self.error(format!("message number octets {got:?} at octet {at}")));
        }
        let start = at + numbered;
        let want = self.pattern.expected(start, rest.len());
        if rest != want {
            let i = rest.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
            return Err(self.error(format!(
                "octet {} is {:#04x}, sent {:#04x}",
                start + i,
                rest[i],
                want[i]
            )));
        }
        self.message_at = Some(at + payload.len());
        Ok(())
    }

    /// The current frame is complete; returns whether it completed a message.
    fn end_frame(&mut self) -> bool {
        self.frame_left = None;
        if !self.frame_fin {
            return false;
        }
        self.message_at = None;
        self.seq += 1;
        self.expected_seq = self.pattern.expected_seq(self.seq);
        true
    }

    fn error(&self, what: String) -> EchoError {
        EchoError {
            seq: self.seq,
            what,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{encode_frame, FrameSpec};

    /// What a conforming server sends back for message `seq`, optionally in fragments.
    fn echo(pattern: &Pattern, seq: u64, fragments: &[usize]) -> Vec<u8> {
        let mut sent = pattern.frame().to_vec();
        pattern.patch(&mut sent, seq);
        let head = FrameHead::parse(&sent).expect("whole header");
        let mut payload = sent[head.header_len..].to_vec();
        crate::wire::apply_mask(pattern.key(), 0, &mut payload);
        let mut out = Vec::new();
        let mut at = 0;
        let mut cuts = fragments.to_vec();
        cuts.push(payload.len());
        for (i, &cut) in cuts.iter().enumerate() {
            out.extend(encode_frame(&FrameSpec {
                opcode: if i == 0 { pattern.opcode } else { 0 },
                fin: i == cuts.len() - 1,
                rsv: 0,
                mask: None,
                payload: &payload[at..cut],
                length_field: None,
            }));
            at = cut;
        }
        out
    }

    #[test]
    fn counts_echoes_in_any_chunking() {
        let pattern = Rc::new(Pattern::new(2, 300, false));
        let mut stream = Vec::new();
        for seq in 0..5 {
            stream.extend(echo(&pattern, seq, if seq == 2 { &[3, 150] } else { &[] }));
        }
        for chunk in [1, 2, 7, 13, 301, stream.len()] {
            let mut checker = EchoChecker::new(Rc::clone(&pattern));
            let done: usize = stream
                .chunks(chunk)
                .map(|c| checker.feed(c).expect("valid echo"))
                .sum();
            assert_eq!(done, 5, "chunk {chunk}");
        }
    }

    #[test]
    fn raw_echo_of_the_sent_frames_passes() {
        let pattern = Rc::new(Pattern::new(1, 16, true));
        let mut checker = EchoChecker::new(Rc::clone(&pattern));
        for seq in 0..3 {
            let mut frame = pattern.frame().to_vec();
            pattern.patch(&mut frame, seq);
            assert_eq!(checker.feed(&frame), Ok(1));
        }
    }

    #[test]
    fn reordered_corrupted_or_wrong_frames_fail() {
        let pattern = Rc::new(Pattern::new(2, 40, false));
        let out_of_order = EchoChecker::new(Rc::clone(&pattern)).feed(&echo(&pattern, 1, &[]));
        assert_eq!(out_of_order.map_err(|e| e.seq), Err(0));

        let mut corrupt = echo(&pattern, 0, &[]);
        corrupt[2 + 30] ^= 1;
        let err = EchoChecker::new(Rc::clone(&pattern))
            .feed(&corrupt)
            .expect_err("corrupt");
        assert!(err.what.contains("octet 30"), "{err}");

        let mut text = echo(&pattern, 0, &[]);
        text[0] = 0x81;
        assert!(EchoChecker::new(Rc::clone(&pattern)).feed(&text).is_err());

        let short = encode_frame(&FrameSpec {
            opcode: 2,
            fin: true,
            rsv: 0,
            mask: None,
            payload: &[b'a'; 39],
            length_field: None,
        });
        assert!(EchoChecker::new(Rc::clone(&pattern)).feed(&short).is_err());

        let close = [0x88, 0x02, 0x03, 0xe8];
        let err = EchoChecker::new(pattern).feed(&close).expect_err("close");
        assert!(err.what.contains("close"), "{err}");
    }
}
