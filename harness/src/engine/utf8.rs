//! Incremental UTF-8 validation with fail-fast, as Autobahn validates incoming text.
//!
//! Autobahn runs a DFA over every chunk of a text message as it arrives and fails the
//! connection at the first octet that no valid continuation can follow (not at the end of the
//! message). [`Utf8Validator`] gives the same answers: it keeps at most three octets of an
//! unfinished code point between chunks and relies on `std::str::from_utf8`, whose error
//! reports distinguish "invalid here" from "valid so far but cut off".

/// Incremental validator state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Utf8Validator {
    /// Octets of an unfinished code point carried over from the previous chunk.
    pending: Vec<u8>,
    /// Once invalid, always invalid (as Autobahn's DFA stays in its reject state).
    rejected: bool,
    /// Octets of the message validated before the current chunk.
    consumed: usize,
}

/// The answer for one chunk: Autobahn's `(valid, endsOnCodePoint)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Utf8Status {
    /// Everything so far can still be the start of valid UTF-8.
    pub(crate) valid: bool,
    /// Everything so far is complete, valid UTF-8 (no code point cut off).
    pub(crate) ends_on_code_point: bool,
    /// Octet index in the message: where validation bailed out when invalid (the octet the
    /// DFA rejects), else the number of octets validated (Autobahn's `totalIndex`).
    pub(crate) index: usize,
}

impl Utf8Validator {
    /// Validates the next chunk of the message.
    pub(crate) fn validate(&mut self, chunk: &[u8]) -> Utf8Status {
        if self.rejected {
            return self.reject(0);
        }
        let start = self.consumed;
        let mut rest = chunk;
        if let Some(&lead) = self.pending.first() {
            // Finish the carried code point with just the octets it still needs.
            let carried = self.pending.len();
            let need = sequence_len(lead).saturating_sub(carried);
            let take = need.min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            match std::str::from_utf8(&self.pending) {
                Ok(_) => self.pending.clear(),
                Err(e) if e.error_len().is_none() => {
                    self.consumed += chunk.len();
                    return Utf8Status {
                        valid: true,
                        ends_on_code_point: false,
                        index: self.consumed,
                    };
                }
                Err(e) => {
                    // The pending octets started before this chunk.
                    let at = start - carried + bad_octet(&self.pending, &e);
                    return self.reject(at.saturating_sub(start));
                }
            }
        }
        let offset = chunk.len() - rest.len();
        self.consumed += chunk.len();
        match std::str::from_utf8(rest) {
            Ok(_) => Utf8Status {
                valid: true,
                ends_on_code_point: true,
                index: self.consumed,
            },
            Err(e) if e.error_len().is_none() => {
                self.pending = rest[e.valid_up_to()..].to_vec();
                Utf8Status {
                    valid: true,
                    ends_on_code_point: false,
                    index: self.consumed,
                }
            }
            Err(e) => {
                self.consumed = start;
                self.reject(offset + bad_octet(rest, &e))
            }
        }
    }

    /// Enters the reject state; `at` is the rejected octet's offset in the current chunk.
    fn reject(&mut self, at: usize) -> Utf8Status {
        self.rejected = true;
        Utf8Status {
            valid: false,
            ends_on_code_point: false,
            index: self.consumed + at,
        }
    }
}

/// The offset of the octet at which a DFA rejects `data`, given std's error: a valid lead
/// octet is rejected at the octet after its valid continuations, any other octet at itself.
fn bad_octet(data: &[u8], e: &std::str::Utf8Error) -> usize {
    let at = e.valid_up_to();
    match data.get(at) {
        Some(0xc2..=0xf4) => at + e.error_len().unwrap_or(0),
        _ => at,
    }
}

/// The length of the sequence a lead octet starts (only leads that can start a valid
/// sequence are ever carried over).
fn sequence_len(lead: u8) -> usize {
    match lead {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Whether Python 2's UTF-8 codec decodes `data`. It is stricter than nothing but laxer than
/// the validator: it accepts encoded surrogates (`ED A0..BF 80..BF`). Autobahn decodes a close
/// reason with it after validating; when the decode raises, Twisted drops the connection.
pub(crate) fn python2_decodes(data: &[u8]) -> bool {
    let mut rest = data;
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => return true,
            Err(e) => {
                rest = &rest[e.valid_up_to()..];
                match rest {
                    [0xed, 0xa0..=0xbf, 0x80..=0xbf, tail @ ..] => rest = tail,
                    _ => return false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_everywhere(data: &[u8]) -> Vec<(bool, bool)> {
        (0..=data.len())
            .map(|i| {
                let mut v = Utf8Validator::default();
                let a = v.validate(&data[..i]);
                let b = v.validate(&data[i..]);
                (a.valid && b.valid, b.ends_on_code_point && b.valid)
            })
            .collect()
    }

    #[test]
    fn agrees_with_std_at_every_split() {
        let samples: [&[u8]; 6] = [
            "κόσμε".as_bytes(),
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited",
            b"\xed\xa0\x80",
            b"\xf0\x90\x80",
            b"\xc0\xaf",
            "\u{10ffff}\u{ffff}a".as_bytes(),
        ];
        for s in samples {
            let whole = std::str::from_utf8(s).is_ok();
            for (valid, complete) in split_everywhere(s) {
                assert_eq!(valid && complete, whole, "{s:x?}");
            }
        }
    }

    #[test]
    fn fails_fast_on_the_octet_that_breaks_the_sequence() {
        let mut v = Utf8Validator::default();
        assert!(
            v.validate(b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")
                .valid
        );
        // F4 90 is already impossible (above U+10FFFF): rejected before the sequence ends.
        let s = v.validate(b"\xf4\x90");
        assert!(!s.valid);
        assert_eq!(s.index, 12, "Autobahn reports the index of 0x90");
        assert!(!v.validate(b"abc").valid, "stays rejected");
        let mut v = Utf8Validator::default();
        let s = v.validate(b"\xf4\x8f");
        assert!(s.valid && !s.ends_on_code_point);
        let s = v.validate(b"\xbf\xbf");
        assert!(s.valid && s.ends_on_code_point);
    }

    #[test]
    fn one_octet_at_a_time() {
        let data = "Hello-µ@ßöäüàá-UTF-8!!".as_bytes();
        let mut v = Utf8Validator::default();
        let mut last = None;
        for b in data {
            last = Some(v.validate(std::slice::from_ref(b)));
            assert!(last.is_some_and(|s| s.valid));
        }
        assert!(last.is_some_and(|s| s.ends_on_code_point));
    }

    #[test]
    fn python2_accepts_surrogates_only() {
        assert!(python2_decodes(b"ok \xed\xa0\x80 ok"));
        assert!(!python2_decodes(b"\xc0\xaf"));
        assert!(!python2_decodes(b"\xce"));
        assert!(python2_decodes(b""));
    }
}
