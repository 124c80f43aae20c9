//! The incremental validator against `std::str::from_utf8`, at every split point.

use super::*;

/// Valid and invalid inputs, most of them from Autobahn section 6.
fn samples() -> Vec<Vec<u8>> {
    let mut samples: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!".to_vec(),
        "κόσμε".as_bytes().to_vec(),
        b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited".to_vec(),
        b"\xf4\x90\x80\x80".to_vec(),
        b"\xf4\x8f\xbf\xbf".to_vec(),
        b"\xf0\x90\x80\x80\xf0\x9f\x98\x80".to_vec(),
        b"\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbd".to_vec(),
        b"\xed\xa0\x80".to_vec(),
        b"\xc0\xaf".to_vec(),
        b"\xe0\x80\xaf".to_vec(),
        b"\xf8\x88\x80\x80\x80".to_vec(),
        b"\x80".to_vec(),
        b"ab\xc2".to_vec(),
        b"ab\xe2\x82".to_vec(),
        b"ab\xf0\x9f\x98".to_vec(),
        b"\xe2\x82\xac\xe2\x82".to_vec(),
        b"\xfe".to_vec(),
        b"\xff".to_vec(),
        b"a\xc2b".to_vec(),
    ];
    // Long enough for simdutf8's vector path, with an error past the first block.
    let mut long = "héllo wörld ✓ 😀 ".repeat(20).into_bytes();
    samples.push(long.clone());
    long.extend_from_slice(b"\xf4\x90\x80\x80 tail");
    samples.push(long);
    samples
}

fn std_result(bytes: &[u8]) -> Result<(), u64> {
    std::str::from_utf8(bytes)
        .map(drop)
        .map_err(|e| e.valid_up_to() as u64)
}

fn feed_all(pieces: &[&[u8]]) -> Result<(), u64> {
    let mut v = Utf8Validator::new();
    for piece in pieces {
        v.feed(piece).map_err(|e| e.valid_up_to())?;
    }
    v.finish().map_err(|e| e.valid_up_to())
}

#[test]
fn agrees_with_std_at_every_split() {
    for bytes in samples() {
        let expected = std_result(&bytes);
        assert_eq!(feed_all(&[&bytes]), expected, "{bytes:x?} whole");
        for i in 0..=bytes.len() {
            assert_eq!(
                feed_all(&[&bytes[..i], &bytes[i..]]),
                expected,
                "{bytes:x?} split at {i}"
            );
            for j in i..=bytes.len().min(i + 6) {
                let pieces = [&bytes[..i], &bytes[i..j], &bytes[j..]];
                assert_eq!(feed_all(&pieces), expected, "{bytes:x?} split at {i}, {j}");
            }
        }
        let bytes_one_by_one: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(
            feed_all(&bytes_one_by_one),
            expected,
            "{bytes:x?} byte by byte"
        );
    }
}

#[test]
fn every_two_byte_sequence_agrees_with_std() {
    // Covers every lead byte with every second byte, split between the two and not.
    for a in 0..=255u8 {
        for b in 0..=255u8 {
            let bytes = [a, b];
            let mut whole = Utf8Validator::new();
            let mut split = Utf8Validator::new();
            let fed = whole.feed(&bytes).is_ok();
            let fed_split = split.feed(&bytes[..1]).is_ok() && split.feed(&bytes[1..]).is_ok();
            // A prefix is acceptable iff std says "incomplete" (error_len None) or valid.
            let std_ok = match std::str::from_utf8(&bytes) {
                Ok(_) => true,
                Err(e) => e.error_len().is_none(),
            };
            assert_eq!(fed, std_ok, "{a:02x} {b:02x}");
            assert_eq!(fed_split, std_ok, "{a:02x} | {b:02x}");
        }
    }
}

#[test]
fn fails_fast_on_the_first_invalid_byte() {
    // F4 90 cannot start any valid sequence (above U+10FFFF): rejected at the 90.
    let mut v = Utf8Validator::new();
    assert!(v.feed(b"ok \xf4").is_ok());
    assert_eq!(v.feed(b"\x90").map_err(|e| e.valid_up_to()), Err(3));
    // And it stays failed.
    assert!(v.feed(b"fine").is_err());
    assert!(v.finish().is_err());

    let mut v = Utf8Validator::new();
    assert_eq!(v.feed(b"\xf4\x90").map_err(|e| e.valid_up_to()), Err(0));

    // A surrogate: ED A0 is already invalid.
    let mut v = Utf8Validator::new();
    assert!(v.feed(b"\xed").is_ok());
    assert!(v.feed(b"\xa0").is_err());
}

#[test]
fn incomplete_sequence_is_fine_until_the_end() {
    let mut v = Utf8Validator::new();
    assert!(v.feed(b"x\xf0\x9f").is_ok());
    assert!(!v.is_complete());
    assert!(v.finish().is_err());
    assert!(v.feed(b"\x98").is_ok());
    assert!(v.feed(b"\x80").is_ok());
    assert!(v.is_complete());
    assert!(v.finish().is_ok());
}

#[test]
fn text_buffer_unmasks_validates_and_finishes() {
    let key = [1, 2, 3, 4];
    let text = "héllo wörld 😀".as_bytes();
    let mut masked = text.to_vec();
    crate::frame::apply_mask_scalar(&mut masked, key, 0);
    let mut buf = TextBuffer::with_capacity(0);
    for (i, piece) in masked.chunks(3).enumerate() {
        buf.extend(piece, Some(key), i * 3).expect("valid so far");
    }
    assert_eq!(buf.finish().as_deref(), Ok("héllo wörld 😀"));

    let mut buf = TextBuffer::with_capacity(0);
    assert!(buf.extend(b"ab\xf0\x9f", None, 0).is_ok());
    assert!(buf.finish().is_err(), "incomplete at the end");

    let mut buf = TextBuffer::with_capacity(0);
    assert!(buf.extend(b"\xff", None, 0).is_err());
    assert!(buf.extend(b"a", None, 0).is_err(), "stays failed");
    assert!(buf.finish().is_err());
}
