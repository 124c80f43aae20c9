//! Payloads: bytes written in a case file as UTF-8 text or as hex, optionally repeated to a length.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes as written in a case file: `{"text": "..."}` (UTF-8) or `{"hex": "cebae1bd"}` (any bytes).
///
/// Text is the readable form; hex carries anything else (invalid UTF-8, binary data).
/// Both hold the bytes exactly: text is not normalised or escaped. Equality compares the
/// octets, so `{"text": "a"}` equals `{"hex": "61"}`.
#[derive(Debug, Clone)]
pub enum Payload {
    /// UTF-8 text, `{"text": "..."}`.
    Text(String),
    /// Arbitrary octets, `{"hex": "..."}` (two lowercase or uppercase hex digits per octet).
    Hex(Vec<u8>),
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Payload {}

impl Default for Payload {
    fn default() -> Self {
        Self::Text(String::new())
    }
}

impl Payload {
    /// A text payload.
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// A payload of arbitrary octets (written as hex).
    pub fn hex(bytes: impl Into<Vec<u8>>) -> Self {
        Self::Hex(bytes.into())
    }

    /// The octets as written, without repetition.
    pub fn bytes(&self) -> Vec<u8> {
        self.as_slice().to_vec()
    }

    /// The octets as written, borrowed.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Self::Text(s) => s.as_bytes(),
            Self::Hex(b) => b,
        }
    }

    /// Number of octets as written (before any repetition).
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True when there are no octets.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// The octets expanded by the repetition rule shared by frames, messages and events:
    /// with `payload_len = Some(n)` the payload is repeated cyclically and cut to exactly `n`
    /// octets (Autobahn's `payload_len`); with `None` it is returned as written.
    ///
    /// An empty payload cannot be repeated: `Case::load` rejects a `payload_len` above 0 with an
    /// empty payload, and here it yields `n` zero-length repetitions, i.e. an empty vector.
    pub fn expand(&self, payload_len: Option<usize>) -> Vec<u8> {
        let base = self.as_slice();
        match payload_len {
            None => base.to_vec(),
            Some(_) if base.is_empty() => Vec::new(),
            Some(n) => base.iter().copied().cycle().take(n).collect(),
        }
    }
}

/// The JSON shape of a payload: exactly one of `text` and `hex`.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPayload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) hex: Option<String>,
}

impl RawPayload {
    /// Checks that exactly one form is present and decodes hex.
    pub(crate) fn into_payload(self) -> Result<Payload, String> {
        match (self.text, self.hex) {
            (Some(t), None) => Ok(Payload::Text(t)),
            (None, Some(h)) => decode_hex(&h).map(Payload::Hex),
            (Some(_), Some(_)) => Err("a payload has both \"text\" and \"hex\"; give one".into()),
            (None, None) => Err("a payload needs \"text\" or \"hex\"".into()),
        }
    }

    pub(crate) fn from_payload(p: &Payload) -> Self {
        match p {
            Payload::Text(t) => Self {
                text: Some(t.clone()),
                hex: None,
            },
            Payload::Hex(b) => Self {
                text: None,
                hex: Some(encode_hex(b)),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawPayload::deserialize(d)?
            .into_payload()
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RawPayload::from_payload(self).serialize(s)
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(t) => write!(f, "{t:?}"),
            Self::Hex(b) => write!(f, "0x{}", encode_hex(b)),
        }
    }
}

/// Lowercase hex of `bytes`.
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Decodes hex digits (either case, no separators) into octets.
pub fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let digits = s.as_bytes();
    if digits.len() % 2 != 0 {
        return Err(format!(
            "hex payload has an odd number of digits ({})",
            digits.len()
        ));
    }
    digits
        .chunks_exact(2)
        .enumerate()
        .map(|(i, pair)| match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
            _ => Err(format!(
                "hex payload has a non-hex digit at offset {}",
                i * 2
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_cyclically_and_cuts() {
        let p = Payload::text("abc");
        assert_eq!(p.expand(None), b"abc");
        assert_eq!(p.expand(Some(7)), b"abcabca");
        assert_eq!(p.expand(Some(2)), b"ab");
        assert_eq!(p.expand(Some(0)), b"");
        assert_eq!(Payload::hex(vec![0xfe]).expand(Some(3)), [0xfe, 0xfe, 0xfe]);
    }

    #[test]
    fn parses_both_forms_and_rejects_bad_ones() {
        let t: Payload = serde_json::from_str(r#"{"text": "κόσμε"}"#).unwrap();
        assert_eq!(t.bytes(), "κόσμε".as_bytes());
        let h: Payload = serde_json::from_str(r#"{"hex": "CEba00ff"}"#).unwrap();
        assert_eq!(h.bytes(), [0xce, 0xba, 0x00, 0xff]);
        for bad in [
            r#"{"hex": "abc"}"#,
            r#"{"hex": "zz"}"#,
            r#"{}"#,
            r#"{"text": "a", "hex": "61"}"#,
            r#"{"txt": "a"}"#,
        ] {
            assert!(
                serde_json::from_str::<Payload>(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn equality_is_on_octets() {
        assert_eq!(Payload::text("a"), Payload::hex(vec![0x61]));
        assert_ne!(Payload::text("a"), Payload::text("b"));
        assert_eq!(Payload::text(""), Payload::hex(vec![]));
    }

    #[test]
    fn hex_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_hex(&encode_hex(&all)).unwrap(), all);
        let json = serde_json::to_string(&Payload::hex(vec![0xf4, 0x90])).unwrap();
        assert_eq!(json, r#"{"hex":"f490"}"#);
    }
}
