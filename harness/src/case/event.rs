//! Events: what the harness observes from the peer, compared in order against `expected`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::payload::{encode_hex, Payload, RawPayload};

/// One observed event. In JSON an object with exactly one key, e.g. `{"ping": {"hex": ""}}`.
///
/// Lists of events are compared exactly (same events, same order, same octets, same binary
/// flag), as Autobahn compares its pickled `received` list with each `expected` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// A complete data message received from the peer.
    Message(MessageEvent),
    /// A ping received from the peer, with its payload.
    Ping(Payload),
    /// A pong received from the peer, with its payload.
    Pong(Payload),
    /// A tagged [`Pause`](super::Pause) ended while the connection was still open.
    Timeout(String),
}

/// An expected message: `{"text": "..."}`, `{"hex": "...", "binary": true}`, optionally with
/// `"payload_len": N` to repeat the payload to N octets (the frame repetition rule).
///
/// Equality compares the expanded octets and the binary flag, so `{"text": "**"}` equals
/// `{"text": "*", "payload_len": 2}`.
#[derive(Debug, Clone, Default)]
pub struct MessageEvent {
    /// The message data as written.
    pub payload: Payload,
    /// `true` for a binary message, `false` for text. Default `false`.
    pub binary: bool,
    /// Repeat `payload` cyclically to exactly this many octets.
    pub payload_len: Option<usize>,
}

impl MessageEvent {
    /// A text message event.
    pub fn text(s: impl Into<String>) -> Self {
        Self {
            payload: Payload::text(s),
            binary: false,
            payload_len: None,
        }
    }

    /// The expected message octets after the repetition rule.
    pub fn payload_bytes(&self) -> Vec<u8> {
        self.payload.expand(self.payload_len)
    }

    /// Whether a received message equals this one (octets and binary flag).
    pub fn matches(&self, data: &[u8], binary: bool) -> bool {
        if binary != self.binary || data.len() != self.payload_len.unwrap_or(self.payload.len()) {
            return false;
        }
        let base = self.payload.as_slice();
        match self.payload_len {
            None => data == base,
            Some(_) if base.is_empty() => data.is_empty(),
            Some(_) => data.iter().zip(base.iter().cycle()).all(|(a, b)| a == b),
        }
    }
}

impl PartialEq for MessageEvent {
    fn eq(&self, other: &Self) -> bool {
        other.matches(&self.payload_bytes(), self.binary)
    }
}

impl Eq for MessageEvent {}

/// The JSON shape of a [`MessageEvent`].
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawMessageEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hex: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    binary: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payload_len: Option<usize>,
}

impl<'de> Deserialize<'de> for MessageEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawMessageEvent::deserialize(d)?;
        let payload = RawPayload {
            text: raw.text,
            hex: raw.hex,
        }
        .into_payload()
        .map_err(serde::de::Error::custom)?;
        Ok(Self {
            payload,
            binary: raw.binary,
            payload_len: raw.payload_len,
        })
    }
}

impl Serialize for MessageEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (text, hex) = match &self.payload {
            Payload::Text(t) => (Some(t.clone()), None),
            Payload::Hex(b) => (None, Some(encode_hex(b))),
        };
        RawMessageEvent {
            text,
            hex,
            binary: self.binary,
            payload_len: self.payload_len,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_event_form() {
        let events: Vec<Event> = serde_json::from_str(
            r#"[{"message": {"text": "Hello"}},
                {"message": {"hex": "ff", "binary": true}},
                {"message": {"text": "*", "payload_len": 4}},
                {"ping": {"hex": ""}}, {"pong": {"text": "x"}}, {"timeout": "A"}]"#,
        )
        .unwrap();
        assert_eq!(events.len(), 6);
        let Event::Message(m) = &events[2] else {
            panic!("not a message: {:?}", events[2])
        };
        assert_eq!(m.payload_bytes(), b"****");
        assert!(m.matches(b"****", false));
        assert!(!m.matches(b"****", true));
        assert!(!m.matches(b"***", false));
        assert!(!m.matches(b"**+*", false));
        let Event::Message(b) = &events[1] else {
            panic!("not a message: {:?}", events[1])
        };
        assert!(b.binary && b.matches(&[0xff], true));
    }

    #[test]
    fn rejects_unknown_keys_and_two_kinds() {
        for bad in [
            r#"{"message": {"text": "a", "bin": true}}"#,
            r#"{"ping": {"text": "a"}, "pong": {"text": "a"}}"#,
            r#"{"close": 1000}"#,
        ] {
            assert!(
                serde_json::from_str::<Event>(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }
}
