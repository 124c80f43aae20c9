//! Steps: what the harness does on the wire, in order, once the connection is open.

use serde::{Deserialize, Serialize};

use super::payload::Payload;

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// One action of a case. In JSON an object with exactly one key naming the action,
/// e.g. `{"frame": {...}}` or `{"kill_after": 1.0}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Send one frame exactly as described, valid or not (Autobahn `sendFrame`).
    /// It bypasses the close state machine: a frame with opcode 8 does not count as
    /// "closed by me"; use [`Step::Close`] for that.
    Frame(Frame),
    /// Send a data message, split into frames of `fragment_size` (Autobahn `sendMessage`).
    Message(Message),
    /// Start (or repeat) the closing handshake through the close state machine
    /// (Autobahn `sendClose`/`sendCloseFrame`): marks the connection closed by the harness.
    Close(Close),
    /// Write octets to the socket as they are: no framing, no masking.
    Raw(Raw),
    /// Wait before the next step (Autobahn `continueLater`); see [`Pause`].
    Pause(Pause),
    /// Write only the header of a frame (Autobahn `beginMessageFrame`); its payload follows in
    /// later [`Step::FrameData`] steps, possibly with pauses between them, so a case can
    /// stall in the middle of one frame (6.4.3, 6.4.4). Added after the first version of the
    /// format; files without it are unaffected.
    FrameHeader(FrameHeader),
    /// Write the next payload octets of the frame begun by the last [`Step::FrameHeader`],
    /// masked with that header's key at the running offset (Autobahn `sendMessageFrameData`).
    FrameData(FrameData),
    /// Arm a timer: after this many seconds, drop the TCP connection if it is still up
    /// (Autobahn `killAfter`). Playing continues at once with the next step.
    KillAfter(f64),
    /// Arm a timer: after this many seconds, start the closing handshake with an empty close
    /// frame (no code, no reason) if the connection is still open: Autobahn's `closeAfter`
    /// calls `sendClose()` without arguments.
    /// Playing continues at once with the next step.
    CloseAfter(f64),
}

/// A single frame, written field by field so that a case can break any rule of RFC 6455.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    /// The 4-bit opcode, 0..=15, reserved values included (0 continuation, 1 text, 2 binary,
    /// 8 close, 9 ping, 10 pong).
    pub opcode: u8,
    /// The FIN bit. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub fin: bool,
    /// The three RSV bits as a number 0..=7 (4 = RSV1, 2 = RSV2, 1 = RSV3). Default 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rsv: u8,
    /// The application data before masking. Default empty.
    #[serde(default)]
    pub payload: Payload,
    /// Repeat `payload` cyclically to exactly this many octets (Autobahn `payload_len`).
    /// Needs a non-empty `payload`; at most 2^30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_len: Option<usize>,
    /// Write this value in the header's length field whatever the real payload length is,
    /// so a case can lie about the length. Absent = the true length. The payload octets
    /// are still written as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_field: Option<u64>,
    /// Masking: absent/`null` = the role's default (masked when the harness is the client,
    /// unmasked when it is the server); `true`/`false` force it either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<bool>,
    /// Split the TCP write of this frame into writes of this many octets (Autobahn `chopsize`).
    /// Absent = one write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chopsize: Option<usize>,
    /// Flush each write before the next one, so chops are not coalesced (Autobahn `sync`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub sync: bool,
}

impl Default for Frame {
    fn default() -> Self {
        Self {
            opcode: 1,
            fin: true,
            rsv: 0,
            payload: Payload::default(),
            payload_len: None,
            length_field: None,
            mask: None,
            chopsize: None,
            sync: false,
        }
    }
}

impl Frame {
    /// The payload octets after the `payload_len` repetition rule.
    pub fn payload_bytes(&self) -> Vec<u8> {
        self.payload.expand(self.payload_len)
    }

    /// The length of the payload after repetition, without building it.
    pub fn payload_size(&self) -> usize {
        self.payload_len.unwrap_or_else(|| self.payload.len())
    }
}

/// A data message sent the normal way: first frame text or binary, then continuations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// `true` for a binary message (opcode 2), `false` for text (opcode 1). Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub binary: bool,
    /// The message data. Default empty.
    #[serde(default)]
    pub payload: Payload,
    /// Repeat `payload` cyclically to exactly this many octets. Needs a non-empty `payload`;
    /// at most 2^30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_len: Option<usize>,
    /// Payload octets per frame; the last frame carries the rest. Absent = one frame
    /// (Autobahn `fragmentSize`, or `autoFragmentSize` in 10.1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment_size: Option<usize>,
    /// Flush after each frame of the message (Autobahn `sendMessage(sync=True)`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub sync: bool,
}

impl Message {
    /// The message octets after the `payload_len` repetition rule.
    pub fn payload_bytes(&self) -> Vec<u8> {
        self.payload.expand(self.payload_len)
    }

    /// The length of the message after repetition, without building it.
    pub fn payload_size(&self) -> usize {
        self.payload_len.unwrap_or_else(|| self.payload.len())
    }
}

/// The header of a frame whose payload is written later by [`FrameData`] steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameHeader {
    /// The 4-bit opcode, 0..=15.
    pub opcode: u8,
    /// The FIN bit. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub fin: bool,
    /// The three RSV bits as a number 0..=7. Default 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rsv: u8,
    /// The payload length written in the header; the following `frame_data` steps are
    /// expected to supply that many octets in total.
    pub length: u64,
    /// Masking as for [`Frame::mask`]: absent = the role's default. When masked, a fresh
    /// key is chosen here and used by the following `frame_data` steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<bool>,
}

/// Payload octets for the frame begun by the last [`FrameHeader`] step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameData {
    /// The octets before masking; masking continues at the offset where the previous
    /// `frame_data` step of the same frame stopped.
    pub payload: Payload,
    /// Flush the write before the next step.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sync: bool,
}

/// A close frame sent through the close state machine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    /// The status code, written as two octets in network byte order. Absent = no code.
    /// Any value 0..=65535 may be sent, invalid ones included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// The reason octets after the code; may be invalid UTF-8 or too long on purpose (they
    /// are never truncated). Without `code` they form the whole close payload, which lets a
    /// case send a malformed 1-octet close payload (7.3.2, Autobahn `sendCloseFrame` with a
    /// reason and no code). Both absent = an empty close payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Payload>,
}

impl Close {
    /// The close frame payload: the code in network byte order followed by the reason.
    pub fn payload_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(code) = self.code {
            out.extend_from_slice(&code.to_be_bytes());
        }
        if let Some(reason) = &self.reason {
            out.extend_from_slice(reason.as_slice());
        }
        out
    }
}

/// Octets written to the socket as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    /// The octets.
    pub bytes: Payload,
    /// Split the write into writes of this many octets. Absent = one write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chopsize: Option<usize>,
    /// Flush each write before the next one.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sync: bool,
}

/// A delay before the next step (Autobahn `continueLater`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// How long to wait, in seconds.
    pub seconds: f64,
    /// With a tag: when the delay ends and the connection is still open, append the event
    /// `{"timeout": tag}` and go on with the next step; if it is no longer open, play no
    /// further steps. Without a tag: go on with the next step unconditionally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_step_form_with_defaults() {
        let steps: Vec<Step> = serde_json::from_str(
            r#"[{"frame": {"opcode": 9}},
                {"frame": {"opcode": 1, "fin": false, "rsv": 4, "payload": {"text": "ab"},
                           "payload_len": 5, "length_field": 1, "mask": false, "chopsize": 1, "sync": true}},
                {"message": {"binary": true, "payload": {"hex": "fe"}, "payload_len": 3, "fragment_size": 2}},
                {"close": {"code": 1000, "reason": {"hex": "ff"}}}, {"close": {}},
                {"raw": {"bytes": {"hex": "8100"}, "chopsize": 1}},
                {"pause": {"seconds": 1, "record": "A"}}, {"kill_after": 0.5}, {"close_after": 3}]"#,
        )
        .unwrap();
        assert_eq!(steps.len(), 9);
        let Step::Frame(ping) = &steps[0] else {
            panic!("{:?}", steps[0])
        };
        assert!(ping.fin && ping.rsv == 0 && ping.payload.is_empty() && ping.mask.is_none());
        let Step::Frame(f) = &steps[1] else {
            panic!("{:?}", steps[1])
        };
        assert_eq!(f.payload_bytes(), b"ababa");
        assert_eq!(f.payload_size(), 5);
        assert_eq!(
            (f.fin, f.rsv, f.length_field, f.mask),
            (false, 4, Some(1), Some(false))
        );
        let Step::Message(m) = &steps[2] else {
            panic!("{:?}", steps[2])
        };
        assert_eq!(m.payload_bytes(), [0xfe; 3]);
        let Step::Close(c) = &steps[3] else {
            panic!("{:?}", steps[3])
        };
        assert_eq!(c.payload_bytes(), [0x03, 0xe8, 0xff]);
        let Step::Close(empty) = &steps[4] else {
            panic!("{:?}", steps[4])
        };
        assert!(empty.payload_bytes().is_empty());
        assert_eq!(steps[7], Step::KillAfter(0.5));
    }

    #[test]
    fn rejects_unknown_keys_and_two_actions() {
        for bad in [
            r#"{"frame": {"opcode": 1, "fn": true}}"#,
            r#"{"frame": {"opcode": 1}, "raw": {"bytes": {"hex": ""}}}"#,
            r#"{"sleep": 1.0}"#,
            r#"{"frame": {}}"#,
        ] {
            assert!(
                serde_json::from_str::<Step>(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }
}
