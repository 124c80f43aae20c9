//! Masking (RFC 6455 section 5.3): the word-at-a-time path equals the byte-by-byte definition at
//! every alignment, offset and length, and masking twice is the identity.

use proptest::prelude::*;
use websocket_driver::frame::{apply_mask, apply_mask_scalar};

/// A buffer, and a window in it: the start sets the alignment, so all eight are reached.
fn window() -> impl Strategy<Value = (Vec<u8>, usize, usize)> {
    prop::collection::vec(any::<u8>(), 0..600).prop_flat_map(|buf| {
        let len = buf.len();
        (Just(buf), 0..=len).prop_flat_map(|(buf, start)| {
            let rest = buf.len() - start;
            (Just(buf), Just(start), 0..=rest)
        })
    })
}

proptest! {
    #![proptest_config(crate::support::config("proptest-regressions/mask.txt"))]

    #[test]
    fn fast_equals_scalar((buf, start, len) in window(), key in any::<[u8; 4]>(), offset in any::<usize>()) {
        let mut fast = buf.clone();
        let mut slow = buf.clone();
        apply_mask(&mut fast[start..start + len], key, offset);
        apply_mask_scalar(&mut slow[start..start + len], key, offset);
        prop_assert_eq!(&fast, &slow, "start {} len {} offset {}", start, len, offset);
        prop_assert_eq!(&fast[..start], &buf[..start], "bytes before the window changed");
        prop_assert_eq!(&fast[start + len..], &buf[start + len..], "bytes after the window changed");
    }

    #[test]
    fn masking_twice_is_identity(buf in prop::collection::vec(any::<u8>(), 0..600), key in any::<[u8; 4]>(), offset in any::<usize>()) {
        let mut twice = buf.clone();
        apply_mask(&mut twice, key, offset);
        apply_mask(&mut twice, key, offset);
        prop_assert_eq!(twice, buf, "mask(mask(x)) != x");
    }

    #[test]
    fn masking_in_pieces_equals_one_pass(buf in prop::collection::vec(any::<u8>(), 0..600), key in any::<[u8; 4]>(), cut in any::<prop::sample::Index>()) {
        let cut = cut.index(buf.len() + 1);
        let mut whole = buf.clone();
        apply_mask_scalar(&mut whole, key, 0);
        let mut pieces = buf.clone();
        let (head, tail) = pieces.split_at_mut(cut);
        apply_mask(head, key, 0);
        apply_mask(tail, key, cut);
        prop_assert_eq!(pieces, whole, "the running offset must continue the key phase (cut {})", cut);
    }
}
