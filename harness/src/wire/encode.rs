//! Writing frames: any field value, valid or not (RFC 6455 section 5.2).

/// Everything that goes into one frame's octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameSpec<'a> {
    /// The opcode; only the low 4 bits are written.
    pub opcode: u8,
    /// The FIN bit.
    pub fin: bool,
    /// The RSV bits as a number; only the low 3 bits are written (4 = RSV1).
    pub rsv: u8,
    /// The masking key, or `None` for an unmasked frame.
    pub mask: Option<[u8; 4]>,
    /// The payload before masking.
    pub payload: &'a [u8],
    /// The value written in the length field; `None` writes the true payload length.
    /// Lets a case lie about the length.
    pub length_field: Option<u64>,
}

/// The header octets: FIN/RSV/opcode, MASK/length (7, 7+16 or 7+64 bits, always the shortest
/// form, as Autobahn writes it), then the masking key when there is one.
pub fn encode_header(fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, len: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(14);
    out.push(u8::from(fin) << 7 | (rsv & 0x07) << 4 | (opcode & 0x0f));
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    if len <= 125 {
        // Fits: checked just above.
        out.push(mask_bit | len as u8);
    } else if let Ok(short) = u16::try_from(len) {
        out.push(mask_bit | 126);
        out.extend_from_slice(&short.to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&len.to_be_bytes());
    }
    if let Some(key) = mask {
        out.extend_from_slice(&key);
    }
    out
}

/// The octets of a whole frame: header, then the payload masked with `spec.mask`.
pub fn encode_frame(spec: &FrameSpec<'_>) -> Vec<u8> {
    let len = spec.length_field.unwrap_or(spec.payload.len() as u64);
    let mut out = encode_header(spec.fin, spec.rsv, spec.opcode, spec.mask, len);
    let start = out.len();
    out.extend_from_slice(spec.payload);
    if let Some(key) = spec.mask {
        apply_mask(key, 0, &mut out[start..]);
    }
    out
}

/// XORs `data` with `key` (section 5.3), as if `data` started at payload offset `offset`.
/// Masking twice with the same key and offset restores the data.
pub fn apply_mask(key: [u8; 4], offset: u64, data: &mut [u8]) {
    // The offset only matters modulo 4, so the cast cannot lose anything that matters.
    let shift = (offset % 4) as usize;
    let rotated = [
        key[shift],
        key[(shift + 1) % 4],
        key[(shift + 2) % 4],
        key[(shift + 3) % 4],
    ];
    // Eight octets at a time (megabyte payloads are common in section 9), then the tail.
    let wide = u64::from_ne_bytes([
        rotated[0], rotated[1], rotated[2], rotated[3], rotated[0], rotated[1], rotated[2],
        rotated[3],
    ]);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(word) ^ wide).to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= rotated[i % 4];
    }
}

/// Splits `data` into writes of `size` octets (the last one shorter), as Autobahn's `chopsize`.
/// A `size` of 0 means one write. Empty data gives one empty write, so a write always happens.
pub fn chop(data: &[u8], size: usize) -> Vec<&[u8]> {
    if size == 0 || data.is_empty() {
        return vec![data];
    }
    data.chunks(size).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_uses_the_shortest_length_form() {
        assert_eq!(encode_header(true, 0, 1, None, 0), [0x81, 0x00]);
        assert_eq!(encode_header(true, 0, 1, None, 125), [0x81, 125]);
        assert_eq!(encode_header(false, 0, 2, None, 126), [0x02, 126, 0, 126]);
        assert_eq!(
            encode_header(true, 0, 2, None, 65535),
            [0x82, 126, 0xff, 0xff]
        );
        assert_eq!(
            encode_header(true, 0, 2, None, 65536),
            [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]
        );
        assert_eq!(
            encode_header(true, 7, 15, Some([1, 2, 3, 4]), 1),
            [0xff, 0x81, 1, 2, 3, 4]
        );
    }

    #[test]
    fn masking_is_an_involution_at_any_offset() {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let orig: Vec<u8> = (0..=255).collect();
        for offset in 0..8 {
            let mut d = orig.clone();
            apply_mask(key, offset, &mut d);
            assert_ne!(d, orig);
            apply_mask(key, offset, &mut d);
            assert_eq!(d, orig);
        }
        // Masking in two pieces at the running offset equals masking in one.
        let mut whole = orig.clone();
        apply_mask(key, 0, &mut whole);
        let mut parts = orig.clone();
        let (a, b) = parts.split_at_mut(7);
        apply_mask(key, 0, a);
        apply_mask(key, 7, b);
        assert_eq!(parts, whole);
    }

    #[test]
    fn fast_mask_equals_the_definition_at_every_alignment() {
        let key = [0xa1, 0x02, 0xf3, 0x44];
        let orig: Vec<u8> = (0..100u8).collect();
        for offset in 0..4u64 {
            for start in 0..9 {
                let mut fast = orig[start..].to_vec();
                apply_mask(key, offset, &mut fast);
                let slow: Vec<u8> = orig[start..]
                    .iter()
                    .enumerate()
                    .map(|(i, b)| b ^ key[(i + offset as usize) % 4])
                    .collect();
                assert_eq!(fast, slow, "offset {offset} start {start}");
            }
        }
    }

    #[test]
    fn rfc_example_masked_hello() {
        // RFC 6455 section 5.7: a single-frame masked text message "Hello".
        let f = encode_frame(&FrameSpec {
            opcode: 1,
            fin: true,
            rsv: 0,
            mask: Some([0x37, 0xfa, 0x21, 0x3d]),
            payload: b"Hello",
            length_field: None,
        });
        assert_eq!(
            f,
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
    }

    #[test]
    fn lying_length_field_is_written_as_given() {
        let f = encode_frame(&FrameSpec {
            opcode: 1,
            fin: true,
            rsv: 0,
            mask: None,
            payload: b"abc",
            length_field: Some(1 << 63),
        });
        assert_eq!(&f[..2], [0x81, 127]);
        assert_eq!(&f[2..10], (1u64 << 63).to_be_bytes());
        assert_eq!(&f[10..], b"abc");
    }

    #[test]
    fn chops() {
        assert_eq!(chop(b"abcde", 2), vec![&b"ab"[..], b"cd", b"e"]);
        assert_eq!(chop(b"abcde", 0), vec![&b"abcde"[..]]);
        assert_eq!(chop(b"", 3), vec![&b""[..]]);
    }
}
