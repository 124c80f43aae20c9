//! Client-to-server masking, RFC 6455 section 5.3.
//!
//! > Octet i of the transformed data ("transformed-octet-i") is the XOR of octet i of the original
//! > data ("original-octet-i") with octet at index i modulo 4 of the masking key ("masking-key-octet-j").
//!
//! Masking is its own inverse. The fast path XORs eight bytes at a time with a 64-bit key built from
//! the 4-byte key rotated by the running `offset`, so a payload can be unmasked piece by piece as it
//! arrives from the socket.

/// Bytes per block when copying and unmasking together: small enough that the copied block is still
/// in L1 cache when it is XORed, so the two passes cost about one trip through memory.
const FUSED_BLOCK: usize = 4096;

/// The key as it applies to a buffer that starts `offset` bytes into the payload.
fn rotated(key: [u8; 4], offset: usize) -> [u8; 4] {
    let r = offset % 4;
    [key[r], key[(r + 1) % 4], key[(r + 2) % 4], key[(r + 3) % 4]]
}

/// Loads eight bytes; `chunk` comes from `chunks_exact(8)`, so the copy never panics.
fn load(chunk: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    u64::from_ne_bytes(word)
}

/// XORs `buf` with `key`, where `buf` starts `offset` bytes into the masked payload.
///
/// Works a 64-bit word at a time (the compiler widens the loop to SIMD where it can); only the
/// last 0..7 bytes go one by one.
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let key = rotated(key, offset);
    let word = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut chunks = buf.chunks_exact_mut(8);
    for chunk in &mut chunks {
        chunk.copy_from_slice(&(load(chunk) ^ word).to_ne_bytes());
    }
    // The chunks covered a multiple of 8 bytes, so the key phase is unchanged for the remainder.
    for (i, byte) in chunks.into_remainder().iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

/// The byte-by-byte reference implementation, kept for tests and as the definition.
pub fn apply_mask_scalar(buf: &mut [u8], key: [u8; 4], offset: usize) {
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte ^= key[(offset + i) % 4];
    }
}

/// Appends `src` to `dst`, masked or unmasked with `key` from `offset` (or copied as is for `None`).
///
/// This is the receive path's one copy: from the caller's slice straight into the message buffer.
/// It copies and XORs a cache-sized block at a time.
pub fn extend_masked(dst: &mut Vec<u8>, src: &[u8], key: Option<[u8; 4]>, offset: usize) {
    let Some(key) = key else {
        dst.extend_from_slice(src);
        return;
    };
    dst.reserve(src.len());
    let mut offset = offset;
    for block in src.chunks(FUSED_BLOCK) {
        let start = dst.len();
        dst.extend_from_slice(block);
        apply_mask(&mut dst[start..], key, offset);
        offset = offset.wrapping_add(block.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 + 7) as u8).collect()
    }

    #[test]
    fn fast_equals_scalar_at_every_alignment_offset_and_length() {
        let backing = sample(128);
        for align in 0..8 {
            for offset in 0..8 {
                for len in 0..100 {
                    let mut fast = backing.clone();
                    let mut slow = backing.clone();
                    apply_mask(&mut fast[align..align + len], KEY, offset);
                    apply_mask_scalar(&mut slow[align..align + len], KEY, offset);
                    assert_eq!(fast, slow, "align {align} offset {offset} len {len}");
                }
            }
        }
    }

    #[test]
    fn masking_twice_is_identity() {
        for len in 0..100 {
            let original = sample(len);
            let mut buf = original.clone();
            apply_mask(&mut buf, KEY, 3);
            if len > 0 {
                assert_ne!(buf, original, "len {len}: masking changed nothing");
            }
            apply_mask(&mut buf, KEY, 3);
            assert_eq!(buf, original, "len {len}");
        }
    }

    #[test]
    fn streaming_with_running_offset_equals_one_pass() {
        let original = sample(5000);
        let mut whole = original.clone();
        apply_mask_scalar(&mut whole, KEY, 0);
        for split in [0, 1, 3, 7, 8, 9, 4095, 4097] {
            let mut out = Vec::new();
            extend_masked(&mut out, &original[..split], Some(KEY), 0);
            extend_masked(&mut out, &original[split..], Some(KEY), split);
            assert_eq!(out, whole, "split {split}");
        }
    }

    #[test]
    fn rfc_masked_hello() {
        // Section 5.7: "Hello" masked with 37 fa 21 3d.
        let mut buf = b"Hello".to_vec();
        apply_mask(&mut buf, KEY, 0);
        assert_eq!(buf, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }
}
