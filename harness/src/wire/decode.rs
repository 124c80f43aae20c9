//! Reading frames: a push decoder that accepts anything and hides nothing (RFC 6455 section 5.2).
//!
//! [`Decoder`] yields a frame's header as soon as it is complete ([`Item::Head`]), then the
//! unmasked payload in the pieces in which it arrived ([`Item::Data`]), then [`Item::End`].
//! It never rejects a frame: reserved bits, reserved opcodes, non-minimal or absurd length
//! fields are all reported as they are, and the caller decides what they mean
//! ([`FrameHead::violations`]). It only ever buffers an incomplete header (at most 13 octets)
//! plus what the caller pushed and has not pulled yet, so a peer announcing a 2^63-octet frame
//! costs nothing until the octets actually arrive.

use super::encode::apply_mask;

/// A frame header exactly as the peer wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHead {
    /// The FIN bit.
    pub fin: bool,
    /// The three RSV bits as a number 0..=7 (4 = RSV1).
    pub rsv: u8,
    /// The 4-bit opcode, reserved values included.
    pub opcode: u8,
    /// The MASK bit.
    pub masked: bool,
    /// The masking key when the MASK bit is set.
    pub mask: Option<[u8; 4]>,
    /// The 7-bit length code of the second octet (126 and 127 announce extended lengths).
    pub len_code: u8,
    /// The payload length announced by the header (the extended length when there is one).
    pub payload_len: u64,
    /// Header size in octets (2 to 14).
    pub header_len: usize,
}

impl FrameHead {
    /// Whether the opcode is a control opcode (8 to 15).
    pub fn is_control(&self) -> bool {
        self.opcode > 7
    }

    /// Parses a header from the start of `buf`; `None` when `buf` does not hold a whole header.
    pub fn parse(buf: &[u8]) -> Option<Self> {
        let (&b0, rest) = buf.split_first()?;
        let &b1 = rest.first()?;
        let masked = b1 & 0x80 != 0;
        let len_code = b1 & 0x7f;
        let ext = match len_code {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let mask_len = if masked { 4 } else { 0 };
        let header_len = 2 + ext + mask_len;
        let head = buf.get(..header_len)?;
        let payload_len = match ext {
            2 => u64::from(u16::from_be_bytes([head[2], head[3]])),
            8 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&head[2..10]);
                u64::from_be_bytes(b)
            }
            _ => u64::from(len_code),
        };
        let mask = masked.then(|| {
            let k = &head[2 + ext..header_len];
            [k[0], k[1], k[2], k[3]]
        });
        Some(Self {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 0x07,
            opcode: b0 & 0x0f,
            masked,
            mask,
            len_code,
            payload_len,
            header_len,
        })
    }
}

/// One step of decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A complete frame header.
    Head(FrameHead),
    /// Payload octets of the current frame, unmasked, in arrival order. A frame with an empty
    /// payload yields exactly one empty `Data` (as Autobahn calls its data hook once for it).
    Data(Vec<u8>),
    /// The current frame's payload is complete.
    End,
}

/// The frame being read: its header and how many payload octets have been yielded.
#[derive(Debug, Clone, Copy)]
struct Current {
    head: FrameHead,
    done: u64,
    yielded_empty: bool,
}

/// A push decoder: [`push`](Self::push) octets, then call [`next_item`](Self::next_item) until
/// it returns `None` (more octets needed).
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    pos: usize,
    current: Option<Current>,
    octets_in: u64,
    frames: u64,
}

impl Decoder {
    /// A decoder at the start of a frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends octets received from the peer.
    pub fn push(&mut self, data: &[u8]) {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
        self.octets_in += data.len() as u64;
    }

    /// The next item, or `None` when more octets are needed.
    pub fn next_item(&mut self) -> Option<Item> {
        let avail = &self.buf[self.pos..];
        let Some(cur) = self.current.as_mut() else {
            let head = FrameHead::parse(avail)?;
            self.pos += head.header_len;
            self.current = Some(Current {
                head,
                done: 0,
                yielded_empty: false,
            });
            return Some(Item::Head(head));
        };
        let remaining = cur.head.payload_len - cur.done;
        if remaining == 0 {
            if cur.head.payload_len == 0 && !cur.yielded_empty {
                cur.yielded_empty = true;
                return Some(Item::Data(Vec::new()));
            }
            self.current = None;
            self.frames += 1;
            return Some(Item::End);
        }
        if avail.is_empty() {
            return None;
        }
        // `take` is at most `avail.len()`, so it fits in usize.
        let take = remaining.min(avail.len() as u64) as usize;
        let mut chunk = avail[..take].to_vec();
        if let Some(key) = cur.head.mask {
            apply_mask(key, cur.done, &mut chunk);
        }
        cur.done += take as u64;
        self.pos += take;
        Some(Item::Data(chunk))
    }

    /// The header of the frame being read, if a header has been read and its payload is not
    /// complete yet.
    pub fn current(&self) -> Option<&FrameHead> {
        self.current.as_ref().map(|c| &c.head)
    }

    /// Octets pushed and not yet consumed (an incomplete header, or payload not yet pulled).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Total octets pushed so far.
    pub fn octets_in(&self) -> u64 {
        self.octets_in
    }

    /// Frames completed so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }
}

/// A whole frame: header and unmasked payload (possibly truncated, see [`FrameCollector`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedFrame {
    /// The header as written by the peer.
    pub head: FrameHead,
    /// The unmasked payload, at most the collector's cap.
    pub payload: Vec<u8>,
    /// Whether payload octets beyond the cap were dropped.
    pub truncated: bool,
}

/// Assembles [`Item`]s into whole frames, keeping at most `cap` payload octets per frame so
/// that memory stays bounded whatever length the peer announces.
#[derive(Debug)]
pub struct FrameCollector {
    decoder: Decoder,
    cap: usize,
    partial: Option<DecodedFrame>,
}

impl FrameCollector {
    /// A collector keeping at most `cap` payload octets of each frame.
    pub fn new(cap: usize) -> Self {
        Self {
            decoder: Decoder::new(),
            cap,
            partial: None,
        }
    }

    /// Pushes octets and returns the frames they complete.
    pub fn push(&mut self, data: &[u8]) -> Vec<DecodedFrame> {
        self.decoder.push(data);
        let mut out = Vec::new();
        while let Some(item) = self.decoder.next_item() {
            match item {
                Item::Head(head) => {
                    self.partial = Some(DecodedFrame {
                        head,
                        payload: Vec::new(),
                        truncated: false,
                    })
                }
                Item::Data(d) => {
                    if let Some(f) = self.partial.as_mut() {
                        let room = self.cap.saturating_sub(f.payload.len());
                        f.truncated |= d.len() > room;
                        f.payload.extend_from_slice(&d[..d.len().min(room)]);
                    }
                }
                Item::End => out.extend(self.partial.take()),
            }
        }
        out
    }

    /// The header of a frame whose payload is still incomplete.
    pub fn pending(&self) -> Option<&FrameHead> {
        self.decoder.current()
    }

    /// The underlying decoder (octet and frame counts).
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }
}

#[cfg(test)]
mod tests {
    use super::super::encode::{encode_frame, FrameSpec};
    use super::*;

    fn frame(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
        encode_frame(&FrameSpec {
            opcode,
            fin: true,
            rsv: 0,
            mask,
            payload,
            length_field: None,
        })
    }

    #[test]
    fn yields_header_data_end_and_unmasks() {
        let mut d = Decoder::new();
        d.push(&frame(1, b"Hello", Some([1, 2, 3, 4])));
        let Some(Item::Head(h)) = d.next_item() else {
            panic!("no head")
        };
        assert_eq!(
            (h.opcode, h.fin, h.masked, h.payload_len, h.header_len),
            (1, true, true, 5, 6)
        );
        assert_eq!(d.next_item(), Some(Item::Data(b"Hello".to_vec())));
        assert_eq!(d.next_item(), Some(Item::End));
        assert_eq!(d.next_item(), None);
        assert_eq!(d.frames(), 1);
    }

    #[test]
    fn empty_payload_yields_one_empty_data() {
        let mut d = Decoder::new();
        d.push(&frame(9, b"", None));
        assert!(matches!(d.next_item(), Some(Item::Head(_))));
        assert_eq!(d.next_item(), Some(Item::Data(Vec::new())));
        assert_eq!(d.next_item(), Some(Item::End));
        assert_eq!(d.next_item(), None);
    }

    #[test]
    fn byte_by_byte_gives_the_same_payload() {
        let bytes = frame(2, &[7u8; 300], Some([9, 8, 7, 6]));
        let mut d = Decoder::new();
        let mut payload = Vec::new();
        let mut ends = 0;
        for b in &bytes {
            d.push(std::slice::from_ref(b));
            while let Some(item) = d.next_item() {
                match item {
                    Item::Head(h) => assert_eq!((h.len_code, h.payload_len), (126, 300)),
                    Item::Data(c) => payload.extend(c),
                    Item::End => ends += 1,
                }
            }
        }
        assert_eq!(payload, vec![7u8; 300]);
        assert_eq!(ends, 1);
        assert_eq!(d.octets_in(), bytes.len() as u64);
    }

    #[test]
    fn huge_announced_length_allocates_nothing() {
        let mut d = Decoder::new();
        let mut bytes = vec![0x82, 127];
        bytes.extend_from_slice(&u64::MAX.to_be_bytes());
        bytes.extend_from_slice(b"xy");
        d.push(&bytes);
        let Some(Item::Head(h)) = d.next_item() else {
            panic!("no head")
        };
        assert_eq!(h.payload_len, u64::MAX);
        assert_eq!(d.next_item(), Some(Item::Data(b"xy".to_vec())));
        assert_eq!(d.next_item(), None);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn collector_caps_payload() {
        let mut c = FrameCollector::new(4);
        let frames = c.push(&frame(1, b"abcdefgh", None));
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].payload, b"abcd");
        assert!(frames[0].truncated);
    }
}
