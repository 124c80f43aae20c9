//! Incremental UTF-8 (RFC 6455 section 8.1): fed in two pieces split at any point, or in many
//! pieces, the validator agrees with `std::str::from_utf8` and fails on the piece that holds the
//! first byte no valid stream can contain.

use proptest::prelude::*;
use websocket_driver::utf8::Utf8Validator;

/// Text that is valid, valid with one byte changed, cut short, or plain bytes.
fn utf8ish() -> impl Strategy<Value = Vec<u8>> {
    let text = ".{0,40}".prop_map(String::into_bytes);
    prop_oneof![
        2 => text.clone(),
        2 => (text.clone(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(mut b, i, v)| {
            if !b.is_empty() {
                let i = i.index(b.len());
                b[i] = v;
            }
            b
        }),
        1 => (text, any::<prop::sample::Index>()).prop_map(|(b, i)| b[..i.index(b.len() + 1)].to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
        1 => prop::collection::vec(prop::sample::select(vec![0x80u8, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0x90, 0xa0, b'a']), 0..12),
    ]
}

/// The index of the first byte at which the stream stops being a prefix of valid UTF-8.
fn first_bad_byte(bytes: &[u8]) -> Option<usize> {
    let error = std::str::from_utf8(bytes).err()?;
    error.error_len()?;
    (error.valid_up_to()..bytes.len())
        .find(|&k| std::str::from_utf8(&bytes[..=k]).is_err_and(|e| e.error_len().is_some()))
}

/// Feeds the pieces; returns the byte range of the piece that failed, and the final verdict.
fn validate(pieces: &[&[u8]]) -> (Option<(usize, usize)>, Result<(), u64>) {
    let mut validator = Utf8Validator::new();
    let mut start = 0;
    for piece in pieces {
        if let Err(error) = validator.feed(piece) {
            return (Some((start, start + piece.len())), Err(error.valid_up_to()));
        }
        start += piece.len();
    }
    (None, validator.finish().map_err(|e| e.valid_up_to()))
}

fn check(bytes: &[u8], pieces: &[&[u8]]) -> Result<(), TestCaseError> {
    let std = std::str::from_utf8(bytes);
    let (failed_in, verdict) = validate(pieces);
    prop_assert_eq!(
        verdict.is_ok(),
        std.is_ok(),
        "verdict differs from std on {:x?}",
        bytes
    );
    if let Err(e) = std {
        prop_assert_eq!(verdict, Err(e.valid_up_to() as u64), "valid_up_to differs");
    }
    match (first_bad_byte(bytes), failed_in) {
        (None, None) => {}
        (Some(k), Some((start, end))) => prop_assert!(
            (start..end).contains(&k),
            "failed on bytes {}..{}, the first bad byte is {} in {:x?}",
            start,
            end,
            k,
            bytes
        ),
        (bad, failed) => prop_assert!(
            false,
            "first bad byte {:?}, failed in piece {:?} for {:x?}",
            bad,
            failed,
            bytes
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::support::config("proptest-regressions/utf8.txt"))]

    #[test]
    fn agrees_with_std_at_every_split_point(bytes in utf8ish()) {
        for cut in 0..=bytes.len() {
            let (head, tail) = bytes.split_at(cut);
            check(&bytes, &[head, tail])?;
        }
        check(&bytes, &bytes.chunks(1).collect::<Vec<_>>())?;
    }

    #[test]
    fn agrees_with_std_in_any_pieces(bytes in utf8ish(), sizes in crate::support::piece_sizes()) {
        check(&bytes, &crate::support::split(&bytes, &sizes))?;
    }
}
