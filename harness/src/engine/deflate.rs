//! The harness's permessage-deflate codec (RFC 7692 section 7.2) with autobahn 0.10.9's
//! choices: zlib level 6 (`Z_DEFAULT_COMPRESSION`), memLevel 8, raw deflate, a sync flush
//! per message with the trailing `00 00 ff ff` removed, and a fresh compressor or
//! decompressor per message where no context takeover was agreed.
//!
//! Inflating is bounded: output is produced in slices and the message fails as soon as it
//! passes a limit, so a decompression bomb never grows memory beyond it.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use crate::handshake::DeflateParams;

/// The empty stored block that ends every compressed message on the wire (RFC 7692 7.2.2).
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Inflated octets produced per step; the limit is checked after each.
const SLICE: usize = 64 * 1024;

/// zlib has no raw 8-bit window for deflating; 9 is what zlib itself substitutes.
fn deflate_bits(bits: u8) -> u8 {
    bits.clamp(9, 15)
}

/// Why an incoming compressed message could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InflateError {
    /// The inflated message would pass the limit.
    TooBig,
    /// The octets are not a valid raw deflate stream.
    Corrupt(String),
}

/// One connection's compressor and decompressor.
pub(crate) struct DeflateCodec {
    params: DeflateParams,
    /// Whether the harness is the server (then it compresses with the server's parameters).
    is_server: bool,
    compressor: Option<Compress>,
    decompressor: Option<Decompress>,
}

impl std::fmt::Debug for DeflateCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeflateCodec")
            .field("params", &self.params)
            .field("is_server", &self.is_server)
            .finish_non_exhaustive()
    }
}

impl DeflateCodec {
    /// A codec for the agreed `params`, in the harness's role.
    pub(crate) fn new(params: DeflateParams, is_server: bool) -> Self {
        Self {
            params,
            is_server,
            compressor: None,
            decompressor: None,
        }
    }

    /// (no context takeover, window bits) of what the harness sends.
    fn own(&self) -> (bool, u8) {
        let p = &self.params;
        if self.is_server {
            (p.server_no_context_takeover, p.server_max_window_bits)
        } else {
            (p.client_no_context_takeover, p.client_max_window_bits)
        }
    }

    /// (no context takeover, window bits) of what the peer sends.
    fn peer(&self) -> (bool, u8) {
        let p = &self.params;
        if self.is_server {
            (p.client_no_context_takeover, p.client_max_window_bits)
        } else {
            (p.server_no_context_takeover, p.server_max_window_bits)
        }
    }

    /// Compresses one whole message (autobahn `startCompressMessage`, `compressMessageData`,
    /// `endCompressMessage`).
    pub(crate) fn compress(&mut self, data: &[u8]) -> Vec<u8> {
        let (reset, bits) = self.own();
        if reset || self.compressor.is_none() {
            self.compressor = Some(Compress::new_with_window_bits(
                Compression::new(6),
                false,
                deflate_bits(bits),
            ));
        }
        let Some(c) = self.compressor.as_mut() else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        let start = c.total_in();
        loop {
            // Never past `data.len()`: total_in only counts what was fed.
            let done =
                usize::try_from(c.total_in() - start).map_or(data.len(), |d| d.min(data.len()));
            out.reserve(1024.max(out.len() / 2));
            if c.compress_vec(&data[done..], &mut out, FlushCompress::Sync)
                .is_err()
            {
                break;
            }
            // zlib: a sync flush is complete once all input is in and output space is left.
            if c.total_in() - start == data.len() as u64 && out.len() < out.capacity() {
                break;
            }
        }
        if out.ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        }
        out
    }

    /// Starts inflating a compressed message (autobahn `startDecompressMessage`).
    pub(crate) fn start_inflate(&mut self) {
        let (reset, bits) = self.peer();
        if reset || self.decompressor.is_none() {
            // A window at least as big as the peer's reads its stream; zlib-rs wants 9..=15.
            self.decompressor = Some(Decompress::new_with_window_bits(false, bits.clamp(9, 15)));
        }
    }

    /// Inflates `data` of the current message, appending to `out`, which must not pass
    /// `limit` octets in total.
    pub(crate) fn inflate(
        &mut self,
        data: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), InflateError> {
        let Some(d) = self.decompressor.as_mut() else {
            return Err(InflateError::Corrupt("no decompressor".into()));
        };
        let mut fed = 0usize;
        let mut buf = vec![0u8; SLICE];
        loop {
            let (in0, out0) = (d.total_in(), d.total_out());
            let status = d
                .decompress(&data[fed..], &mut buf, FlushDecompress::None)
                .map_err(|e| InflateError::Corrupt(e.to_string()))?;
            // Bounded by `data.len()` and by `SLICE`.
            let used = usize::try_from(d.total_in() - in0).unwrap_or(0);
            let made = usize::try_from(d.total_out() - out0).unwrap_or(0);
            fed += used;
            if out.len() + made > limit {
                return Err(InflateError::TooBig);
            }
            out.extend_from_slice(&buf[..made]);
            if status == Status::StreamEnd {
                // A final block inside a message: zlib (and so autobahn) ignores what follows.
                return Ok(());
            }
            if (fed >= data.len() && made < SLICE) || (used == 0 && made == 0) {
                return Ok(());
            }
        }
    }

    /// Ends a compressed message: the tail the sender removed (autobahn
    /// `endDecompressMessage`).
    pub(crate) fn end_inflate(
        &mut self,
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), InflateError> {
        self.inflate(&TAIL, out, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(nct: bool, bits: u8) -> DeflateParams {
        DeflateParams {
            server_no_context_takeover: nct,
            client_no_context_takeover: nct,
            server_max_window_bits: bits,
            client_max_window_bits: bits,
        }
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| b"the quick brown fox "[i % 20] ^ (i / 997) as u8)
            .collect()
    }

    #[test]
    fn round_trips_at_every_window_and_takeover_mode() {
        for bits in 8..=15 {
            for nct in [false, true] {
                let mut client = DeflateCodec::new(params(nct, bits), false);
                let mut server = DeflateCodec::new(params(nct, bits), true);
                for size in [0, 1, 100, 5000, 200_000] {
                    let msg = data(size);
                    let wire = client.compress(&msg);
                    assert!(!wire.ends_with(&TAIL) || wire.is_empty() || size == 0);
                    server.start_inflate();
                    let mut out = Vec::new();
                    // Fed in odd pieces, as frames arrive.
                    for piece in wire.chunks(777) {
                        server.inflate(piece, &mut out, 1 << 20).unwrap();
                    }
                    server.end_inflate(&mut out, 1 << 20).unwrap();
                    assert_eq!(out, msg, "bits {bits} nct {nct} size {size}");
                }
            }
        }
    }

    #[test]
    fn context_takeover_shrinks_repeats() {
        let mut keep = DeflateCodec::new(params(false, 15), false);
        let mut reset = DeflateCodec::new(params(true, 15), false);
        // Letters from an LCG: little redundancy inside one message, all of it across two.
        let mut x = 1u32;
        let msg: Vec<u8> = (0..3000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                b'a' + (x >> 16) as u8 % 26
            })
            .collect();
        let (a1, a2) = (keep.compress(&msg), keep.compress(&msg));
        let (b1, b2) = (reset.compress(&msg), reset.compress(&msg));
        assert!(a2.len() < a1.len() / 4, "{} vs {}", a2.len(), a1.len());
        assert_eq!(b1, b2);
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let mut c = DeflateCodec::new(params(false, 15), false);
        let bomb = c.compress(&vec![0u8; 8 << 20]);
        assert!(bomb.len() < 16 << 10);
        let mut d = DeflateCodec::new(params(false, 15), true);
        d.start_inflate();
        let mut out = Vec::new();
        assert_eq!(
            d.inflate(&bomb, &mut out, 1 << 20),
            Err(InflateError::TooBig)
        );
        assert!(out.len() <= 1 << 20 && out.capacity() <= 2 << 20);
        let mut d = DeflateCodec::new(params(false, 15), true);
        d.start_inflate();
        assert!(matches!(
            d.inflate(&[0xff, 0xff, 0xff, 0xff], &mut Vec::new(), 100),
            Err(InflateError::Corrupt(_))
        ));
    }
}
