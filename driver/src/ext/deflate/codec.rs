//! The compressor and decompressor of one connection, RFC 7692 sections 7.2.1 and 7.2.2.
//!
//! > 1. Compress all the octets of the payload of the message using DEFLATE.
//! > 2. If the resulting data does not end with an empty DEFLATE block with no compression (the
//! >    "BTYPE" bits are set to 00), append an empty DEFLATE block with no compression to the tail
//! >    end.
//! > 3. Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end.
//!
//! > 1. Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message.
//! > 2. Decompress the resulting data using DEFLATE.
//!
//! Inflating works in fixed chunks handed to a sink as they come, so a caller that counts them can
//! stop a decompression bomb before it holds more than its limit.

use std::fmt;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::MAX_WINDOW_BITS;

/// The empty stored block a sync flush ends with: removed by the sender, appended by the receiver.
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// The most inflated bytes handed to the sink at a time.
const CHUNK: usize = 16 * 1024;

/// Deflates messages with a sync flush, keeping or resetting the context between them.
pub struct Compressor {
    inner: Compress,
    no_context_takeover: bool,
}

impl fmt::Debug for Compressor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compressor")
            .field("no_context_takeover", &self.no_context_takeover)
            .finish_non_exhaustive()
    }
}

impl Compressor {
    /// A raw-deflate compressor with a window of 2^`window_bits` bytes. zlib has no 8-bit raw
    /// window, so `None` for 8 (send uncompressed then, see the [module docs](super)); values
    /// above 15 are taken as 15.
    pub fn new(level: u32, window_bits: u8, no_context_takeover: bool) -> Option<Self> {
        if window_bits < 9 {
            return None;
        }
        let bits = window_bits.min(MAX_WINDOW_BITS);
        Some(Self {
            inner: Compress::new_with_window_bits(Compression::new(level.min(9)), false, bits),
            no_context_takeover,
        })
    }

    /// Appends the compressed form of one whole message to `out`, without the final `00 00 ff ff`.
    ///
    /// # Errors
    ///
    /// When zlib reports an error (not expected with a valid state); the context is then reset, so
    /// the caller may send this message uncompressed and go on.
    pub fn compress(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), CompressError> {
        let start = out.len();
        let result = self.deflate_sync(payload, out);
        if result.is_err() {
            out.truncate(start);
            self.inner.reset();
            return result;
        }
        if out.len() == start {
            // Nothing new since the last flush (an empty message): zlib writes nothing. One
            // empty stored block, minus its tail, is the byte 0x00 (RFC 7692 section 7.2.3.6).
            out.push(0x00);
        } else if out[start..].ends_with(&TAIL) {
            // A sync flush ends in the empty stored block; strip it (step 3).
            out.truncate(out.len() - TAIL.len());
        } else {
            // Not expected from zlib; the message can still go uncompressed after a reset.
            out.truncate(start);
            self.inner.reset();
            return Err(CompressError);
        }
        if self.no_context_takeover {
            self.inner.reset();
        }
        Ok(())
    }

    fn deflate_sync(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), CompressError> {
        let mut input = payload;
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(input.len() / 2 + 1024);
            }
            let before = self.inner.total_in();
            self.inner
                .compress_vec(input, out, FlushCompress::Sync)
                .map_err(|_| CompressError)?;
            let consumed = (self.inner.total_in() - before) as usize;
            input = &input[consumed..];
            // The flush is complete once all input is taken and zlib left output space unused.
            if input.is_empty() && out.len() < out.capacity() {
                return Ok(());
            }
        }
    }
}

/// zlib failed to compress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompressError;

/// Why inflating stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InflateError {
    /// The data is not valid DEFLATE, or continues after the final block.
    Corrupt,
    /// The sink refused a chunk (the message grew too long, or is not UTF-8).
    Stopped,
}

/// Inflates messages as their frames arrive, with a 32 KiB window whatever was agreed (a larger
/// window reads any stream a smaller one does).
pub struct Decompressor {
    inner: Decompress,
    /// The current message's stream has ended with a final block (BFINAL set).
    finished: bool,
    buf: Box<[u8; CHUNK]>,
}

impl fmt::Debug for Decompressor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decompressor")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl Default for Decompressor {
    fn default() -> Self {
        Self::new()
    }
}

impl Decompressor {
    /// A raw-inflate decompressor with a 15-bit window.
    pub fn new() -> Self {
        Self {
            inner: Decompress::new_with_window_bits(false, MAX_WINDOW_BITS),
            finished: false,
            buf: Box::new([0; CHUNK]),
        }
    }

    /// Inflates the next piece of a message's compressed payload, handing the output to `sink` in
    /// chunks of at most 16 KiB as it is produced. `sink` returns false to stop.
    ///
    /// # Errors
    ///
    /// [`InflateError::Corrupt`] for invalid data, [`InflateError::Stopped`] when `sink` refused.
    pub fn inflate(
        &mut self,
        mut input: &[u8],
        mut sink: impl FnMut(&[u8]) -> bool,
    ) -> Result<(), InflateError> {
        if self.finished {
            // Nothing may follow the final block inside a message.
            return if input.is_empty() {
                Ok(())
            } else {
                Err(InflateError::Corrupt)
            };
        }
        loop {
            let (in_before, out_before) = (self.inner.total_in(), self.inner.total_out());
            let result = self
                .inner
                .decompress(input, &mut self.buf[..], FlushDecompress::None);
            let consumed = (self.inner.total_in() - in_before) as usize;
            let produced = (self.inner.total_out() - out_before) as usize;
            input = &input[consumed..];
            // The output decoded before an error goes to the sink first, so that the verdict
            // (too long, bad UTF-8, or corrupt) is the same however the input was chunked.
            if produced > 0 && !sink(&self.buf[..produced]) {
                return Err(InflateError::Stopped);
            }
            let status = result.map_err(|_| InflateError::Corrupt)?;
            if status == Status::StreamEnd {
                self.finished = true;
                return if input.is_empty() {
                    Ok(())
                } else {
                    Err(InflateError::Corrupt)
                };
            }
            if consumed == 0 && produced == 0 {
                // No progress with room to write: all input is taken and nothing is pending, or
                // the stream is stuck, which valid data never is.
                return if input.is_empty() {
                    Ok(())
                } else {
                    Err(InflateError::Corrupt)
                };
            }
            if input.is_empty() && produced < CHUNK {
                return Ok(());
            }
        }
    }

    /// Ends a message: inflates the `00 00 ff ff` the sender removed, then resets the context if
    /// the peer does not keep it, or if its stream ended with a final block.
    ///
    /// # Errors
    ///
    /// As [`inflate`](Self::inflate).
    pub fn finish(
        &mut self,
        reset: bool,
        sink: impl FnMut(&[u8]) -> bool,
    ) -> Result<(), InflateError> {
        let result = if self.finished {
            Ok(())
        } else {
            self.inflate(&TAIL, sink)
        };
        if reset || self.finished {
            self.reset();
        }
        result
    }

    /// Forgets the context: the next message starts a new stream.
    pub fn reset(&mut self) {
        self.inner.reset(false);
        self.finished = false;
    }
}
