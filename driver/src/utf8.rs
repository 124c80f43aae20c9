//! Incremental UTF-8 validation for text messages, RFC 6455 sections 5.6 and 8.1.
//!
//! > When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not,
//! > in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.
//!
//! A text message arrives in pieces (fragments, and TCP reads inside a fragment), and a character may
//! be split between two pieces. [`Utf8Validator`] validates each piece as it comes, with `simdutf8`
//! for the bulk and an exact carry of the 1 to 3 bytes of a split character. It fails on the first
//! byte that no valid stream can contain: `F4 90` is rejected as soon as the `90` arrives, without
//! waiting for the rest of the sequence.

use std::fmt;

use crate::frame::mask::extend_masked;

/// Where validation failed: the index, in the whole stream fed so far, of the first byte of the
/// sequence that is invalid. It equals [`std::str::Utf8Error::valid_up_to`] for the same bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utf8Error {
    valid_up_to: u64,
}

impl Utf8Error {
    /// The number of bytes of the stream that form complete valid characters before the error.
    pub fn valid_up_to(&self) -> u64 {
        self.valid_up_to
    }
}

impl fmt::Display for Utf8Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid utf-8 sequence at byte {}", self.valid_up_to)
    }
}

impl std::error::Error for Utf8Error {}

/// Validates a UTF-8 stream fed in pieces. Once it reported an error, it keeps reporting it.
#[derive(Clone, Debug, Default)]
pub struct Utf8Validator {
    /// The start of a character split across pieces: always a valid prefix, 1 to 3 bytes.
    pending: [u8; 4],
    pending_len: u8,
    /// Bytes of complete, valid characters seen so far.
    valid: u64,
    failed: bool,
}

/// The length of the sequence a valid lead byte starts.
fn sequence_len(lead: u8) -> usize {
    match lead {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        _ => 2,
    }
}

impl Utf8Validator {
    /// A validator at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Validates the next piece of the stream.
    ///
    /// # Errors
    ///
    /// When the stream so far cannot be the start of valid UTF-8; a piece ending in an incomplete
    /// but valid prefix of a character is fine.
    pub fn feed(&mut self, piece: &[u8]) -> Result<(), Utf8Error> {
        if self.failed {
            return Err(self.error());
        }
        let mut rest = piece;
        if self.pending_len > 0 {
            let have = usize::from(self.pending_len);
            let need = sequence_len(self.pending[0]);
            let take = (need - have).min(rest.len());
            self.pending[have..have + take].copy_from_slice(&rest[..take]);
            match std::str::from_utf8(&self.pending[..have + take]) {
                Ok(_) => {
                    self.valid += need as u64;
                    self.pending_len = 0;
                    rest = &rest[take..];
                }
                Err(e) if e.error_len().is_none() => {
                    // Still a valid prefix, and `rest` is used up.
                    self.pending_len += take as u8;
                    return Ok(());
                }
                Err(_) => return Err(self.fail()),
            }
        }
        match simdutf8::compat::from_utf8(rest) {
            Ok(_) => self.valid += rest.len() as u64,
            Err(e) => {
                let good = e.valid_up_to();
                self.valid += good as u64;
                if e.error_len().is_some() {
                    return Err(self.fail());
                }
                // An incomplete sequence at the end: at most 3 bytes, and a valid prefix.
                let tail = &rest[good..];
                self.pending[..tail.len()].copy_from_slice(tail);
                self.pending_len = tail.len() as u8;
            }
        }
        Ok(())
    }

    /// Checks that the stream ends on a character boundary.
    ///
    /// # Errors
    ///
    /// When the last character is incomplete, or an earlier piece failed.
    pub fn finish(&self) -> Result<(), Utf8Error> {
        if self.failed || self.pending_len > 0 {
            Err(self.error())
        } else {
            Ok(())
        }
    }

    /// Whether the stream so far ends between characters.
    pub fn is_complete(&self) -> bool {
        !self.failed && self.pending_len == 0
    }

    fn error(&self) -> Utf8Error {
        Utf8Error {
            valid_up_to: self.valid,
        }
    }

    fn fail(&mut self) -> Utf8Error {
        self.failed = true;
        self.error()
    }
}

/// A text message being assembled: bytes appended only through validation, so a finished buffer is
/// known to be UTF-8 without a second pass.
#[derive(Debug, Default)]
pub(crate) struct TextBuffer {
    bytes: Vec<u8>,
    validator: Utf8Validator,
}

impl TextBuffer {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(capacity),
            validator: Utf8Validator::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Appends `src`, unmasked with `key` from `offset`, and validates what was appended.
    pub(crate) fn extend(
        &mut self,
        src: &[u8],
        key: Option<[u8; 4]>,
        offset: usize,
    ) -> Result<(), Utf8Error> {
        let start = self.bytes.len();
        extend_masked(&mut self.bytes, src, key, offset);
        self.validator.feed(&self.bytes[start..])
    }

    /// Makes room for `additional` more bytes without the capacity passing `limit` (an inflated
    /// message must never allocate beyond `max_length`).
    #[cfg(feature = "deflate")]
    pub(crate) fn reserve_within(&mut self, additional: usize, limit: usize) {
        crate::proto::reserve_within(&mut self.bytes, additional, limit);
    }

    /// The finished message.
    #[allow(unsafe_code)]
    pub(crate) fn finish(self) -> Result<String, Utf8Error> {
        self.validator.finish()?;
        debug_assert!(std::str::from_utf8(&self.bytes).is_ok());
        // SAFETY: `bytes` only grows in `extend`, which feeds every appended byte, in order, to
        // `validator`; the validator has seen no error (it stays failed after one) and ends on a
        // character boundary, so the whole buffer is valid UTF-8.
        Ok(unsafe { String::from_utf8_unchecked(self.bytes) })
    }
}

#[cfg(test)]
mod tests;
