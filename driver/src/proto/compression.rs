//! permessage-deflate inside the connection, RFC 7692 sections 6 and 7.2: RSV1 marks the first
//! frame of a compressed message; its payload is inflated as the frames arrive, with `max_length`
//! checked on the inflated bytes before they are stored; whole messages we send are deflated
//! unless shorter than the threshold.
//!
//! > To send a message, the endpoint [...] sets the "Per-Message Compressed" bit of the first
//! > frame of the message (section 6.1). An endpoint MUST NOT set the "Per-Message Compressed" bit
//! > of control frames and non-first fragments of a data message.

#[cfg(feature = "deflate")]
pub(super) use enabled::DeflateState;

/// The frame header's RSV1 bit, as [`FrameHeader::rsv`](crate::frame::FrameHeader::rsv) holds it.
pub(super) const RSV1: u8 = 0b100;

/// Makes room for `additional` more bytes in `vec` without the capacity passing
/// `max(limit, len + additional)`: growth doubles as usual, but stops at the limit, so that an
/// inflated message never allocates more than `max_length`.
#[cfg(feature = "deflate")]
pub(crate) fn reserve_within(vec: &mut Vec<u8>, additional: usize, limit: usize) {
    let needed = vec.len().saturating_add(additional);
    if needed <= vec.capacity() {
        return;
    }
    let target = vec
        .capacity()
        .saturating_mul(2)
        .max(needed)
        .min(limit.max(needed));
    vec.reserve_exact(target - vec.len());
}

#[cfg(feature = "deflate")]
mod enabled {
    use super::{reserve_within, RSV1};
    use crate::error::ProtocolError;
    use crate::ext::deflate::{Compressor, Decompressor, InflateError, Negotiated};
    use crate::frame::mask::apply_mask;
    use crate::frame::OpCode;
    use crate::proto::connection::InMessage;
    use crate::proto::{Connection, Role};

    /// A compression buffer larger than this is freed after use.
    const SCRATCH_KEEP_CAPACITY: usize = 64 * 1024;

    /// Masked payload is unmasked into a stack buffer of this size before inflating.
    const UNMASK_CHUNK: usize = 4096;

    /// The extension's state in one connection.
    #[derive(Debug)]
    pub(in crate::proto) struct DeflateState {
        negotiated: Negotiated,
        /// `None` when our agreed window is 8 bits, which zlib cannot do: we send uncompressed.
        compressor: Option<Compressor>,
        decompressor: Decompressor,
        /// The peer resets its context after each message, so we may too.
        peer_resets: bool,
        /// The message being received is compressed.
        pub(in crate::proto) inflating: bool,
        /// Some of its compressed payload has arrived.
        fed: bool,
        /// Compressed output, kept between messages.
        scratch: Vec<u8>,
    }

    impl DeflateState {
        fn new(role: Role, negotiated: &Negotiated) -> Self {
            let peer = match role {
                Role::Server => Role::Client,
                Role::Client => Role::Server,
            };
            Self {
                negotiated: *negotiated,
                compressor: Compressor::new(
                    negotiated.level,
                    negotiated.window_bits(role),
                    negotiated.no_context_takeover(role),
                ),
                decompressor: Decompressor::new(),
                peer_resets: negotiated.no_context_takeover(peer),
                inflating: false,
                fed: false,
                scratch: Vec::new(),
            }
        }
    }

    impl Connection {
        /// Turns permessage-deflate on, with what the opening handshake agreed (from
        /// [`accept_offers`](crate::ext::deflate::accept_offers) or
        /// [`verify_response`](crate::ext::deflate::verify_response)). Call it right after
        /// [`Connection::new`], before any byte is handled or sent.
        pub fn enable_deflate(&mut self, negotiated: &Negotiated) {
            self.deflate = Some(Box::new(DeflateState::new(self.role, negotiated)));
        }

        /// What was agreed for permessage-deflate, if it is on.
        pub fn deflate(&self) -> Option<&Negotiated> {
            self.deflate.as_ref().map(|state| &state.negotiated)
        }

        pub(in crate::proto) fn deflate_enabled(&self) -> bool {
            self.deflate.is_some()
        }

        /// Whether the message being received is compressed.
        pub(in crate::proto) fn inflating(&self) -> bool {
            self.deflate.as_ref().is_some_and(|state| state.inflating)
        }

        /// A data message starts: compressed or not, as its first frame's RSV1 says.
        pub(in crate::proto) fn start_inflating(&mut self, compressed: bool) {
            if let Some(state) = &mut self.deflate {
                state.inflating = compressed;
                state.fed = false;
            }
        }

        /// Inflates the next piece of a compressed message's payload into the message, unmasking
        /// it first; `offset` is the mask phase.
        pub(in crate::proto) fn inflate_payload(
            &mut self,
            payload: &[u8],
            mask: Option<[u8; 4]>,
            offset: usize,
        ) -> Result<(), ProtocolError> {
            let Some(key) = mask else {
                return self.inflate_plain(payload);
            };
            let mut buf = [0; UNMASK_CHUNK];
            for (i, piece) in payload.chunks(UNMASK_CHUNK).enumerate() {
                let buf = &mut buf[..piece.len()];
                buf.copy_from_slice(piece);
                apply_mask(buf, key, offset.wrapping_add(i * UNMASK_CHUNK));
                self.inflate_plain(buf)?;
            }
            Ok(())
        }

        fn inflate_plain(&mut self, input: &[u8]) -> Result<(), ProtocolError> {
            let limit = self.config.max_length;
            let (Some(state), message) = (self.deflate.as_deref_mut(), &mut self.message) else {
                return Ok(());
            };
            state.fed |= !input.is_empty();
            let mut error = None;
            let result = state
                .decompressor
                .inflate(input, |out| append(message, out, limit, &mut error));
            inflate_result(result, error)
        }

        /// The compressed message's last frame is in: inflate the tail the sender removed, and
        /// reset the context if the peer does not keep it.
        pub(in crate::proto) fn finish_inflating(&mut self) -> Result<(), ProtocolError> {
            let limit = self.config.max_length;
            let (Some(state), message) = (self.deflate.as_deref_mut(), &mut self.message) else {
                return Ok(());
            };
            state.inflating = false;
            if !state.fed {
                // An empty payload with RSV1 is no DEFLATE data at all (an empty message deflates
                // to at least 0x00); inflating the tail alone would leave zlib inside a stored
                // block header and garble the next message, so it is taken as an empty message.
                if state.peer_resets {
                    state.decompressor.reset();
                }
                return Ok(());
            }
            let mut error = None;
            let result = state.decompressor.finish(state.peer_resets, |out| {
                append(message, out, limit, &mut error)
            });
            inflate_result(result, error)
        }

        /// Queues a whole data message: compressed with RSV1 set when the extension is on and the
        /// message is long enough, else as one plain frame.
        pub(in crate::proto) fn queue_message(&mut self, opcode: OpCode, payload: &[u8]) {
            if let Some(state) = self.deflate.as_deref_mut() {
                if let (Some(compressor), true) = (
                    state.compressor.as_mut(),
                    payload.len() >= state.negotiated.threshold,
                ) {
                    let mut out = std::mem::take(&mut state.scratch);
                    out.clear();
                    // On error the compressor has reset itself; the message goes uncompressed.
                    let compressed = compressor.compress(payload, &mut out).is_ok();
                    if compressed {
                        self.queue_frame_with_rsv(opcode, true, RSV1, &out);
                    }
                    if out.capacity() <= SCRATCH_KEEP_CAPACITY {
                        if let Some(state) = self.deflate.as_deref_mut() {
                            state.scratch = out;
                        }
                    }
                    if compressed {
                        return;
                    }
                }
            }
            self.queue_frame(opcode, true, payload);
        }
    }

    /// Appends inflated bytes to the message, checking `max_length` before storing them and
    /// UTF-8 as they are stored; records why it refused.
    fn append(
        message: &mut Option<InMessage>,
        out: &[u8],
        limit: usize,
        error: &mut Option<ProtocolError>,
    ) -> bool {
        let Some(message) = message else {
            return true;
        };
        // What fits is stored (and validated) before the rest is refused, so that bad UTF-8
        // before the limit is reported as such however the output was chunked.
        let room = limit.saturating_sub(message.len());
        let (fits, over) = out.split_at(out.len().min(room));
        match message {
            InMessage::Text(text) => {
                text.reserve_within(fits.len(), limit);
                if text.extend(fits, None, 0).is_err() {
                    *error = Some(ProtocolError::InvalidUtf8);
                    return false;
                }
            }
            InMessage::Binary(bytes) => {
                reserve_within(bytes, fits.len(), limit);
                bytes.extend_from_slice(fits);
            }
        }
        if !over.is_empty() {
            *error = Some(ProtocolError::MessageTooLong);
            return false;
        }
        true
    }

    fn inflate_result(
        result: Result<(), InflateError>,
        error: Option<ProtocolError>,
    ) -> Result<(), ProtocolError> {
        match result {
            Ok(()) => Ok(()),
            Err(InflateError::Stopped) => {
                Err(error.unwrap_or(ProtocolError::InvalidCompressedData))
            }
            Err(InflateError::Corrupt) => Err(ProtocolError::InvalidCompressedData),
        }
    }
}

/// Without the `deflate` feature nothing is ever negotiated: the same calls, doing nothing.
#[cfg(not(feature = "deflate"))]
mod disabled {
    use crate::error::ProtocolError;
    use crate::frame::OpCode;
    use crate::proto::Connection;

    /// No extension state exists without the feature.
    #[derive(Debug)]
    pub(in crate::proto) enum DeflateState {}

    impl Connection {
        pub(in crate::proto) fn deflate_enabled(&self) -> bool {
            false
        }

        pub(in crate::proto) fn inflating(&self) -> bool {
            false
        }

        pub(in crate::proto) fn start_inflating(&mut self, _compressed: bool) {}

        pub(in crate::proto) fn inflate_payload(
            &mut self,
            _payload: &[u8],
            _mask: Option<[u8; 4]>,
            _offset: usize,
        ) -> Result<(), ProtocolError> {
            Ok(())
        }

        pub(in crate::proto) fn finish_inflating(&mut self) -> Result<(), ProtocolError> {
            Ok(())
        }

        pub(in crate::proto) fn queue_message(&mut self, opcode: OpCode, payload: &[u8]) {
            self.queue_frame(opcode, true, payload);
        }
    }
}

#[cfg(not(feature = "deflate"))]
pub(super) use disabled::DeflateState;
