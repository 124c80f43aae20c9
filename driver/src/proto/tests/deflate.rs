//! permessage-deflate in the connection: round trips at every window and takeover mode in both
//! directions, checked on the wire with an inflater of exactly the agreed window; RSV1 rules;
//! decompression bombs; bad data; UTF-8 failing fast inside compressed text.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};

use super::{events, raw_frame, KEY};
use crate::error::ProtocolError;
use crate::ext::deflate::{DeflateParams, Negotiated};
use crate::frame::{apply_mask_scalar, FrameHeader, OpCode};
use crate::proto::{Config, Connection, Event, Message, Role};

fn negotiated(params: DeflateParams) -> Negotiated {
    Negotiated {
        params,
        threshold: 0,
        level: 6,
    }
}

fn conn(role: Role, negotiated: &Negotiated, max_length: usize) -> Connection {
    let config = Config {
        max_length,
        ..Config::default()
    };
    let mut conn = Connection::with_seed(role, config, 11);
    conn.enable_deflate(negotiated);
    conn
}

/// A frame on the wire, unmasked, with its RSV bits.
#[derive(Debug)]
struct Wire {
    rsv: u8,
    opcode: OpCode,
    payload: Vec<u8>,
}

fn take_wire(conn: &mut Connection) -> (Vec<u8>, Vec<Wire>) {
    let bytes = conn.pending_transmit().to_vec();
    conn.consume_transmit(bytes.len());
    let mut frames = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let (header, len) = FrameHeader::parse(rest).unwrap().unwrap();
        let end = len + header.payload_len as usize;
        let mut payload = rest[len..end].to_vec();
        if let Some(key) = header.mask {
            apply_mask_scalar(&mut payload, key, 0);
        }
        frames.push(Wire {
            rsv: header.rsv,
            opcode: header.opcode,
            payload,
        });
        rest = &rest[end..];
    }
    (bytes, frames)
}

/// Text with repeats at distances of a few hundred bytes to several KiB, so that every window
/// size matters, and some noise.
fn sample(seed: u64, len: usize) -> String {
    let words = [
        "deflate ",
        "window ",
        "context ",
        "takeover ",
        "websocket ",
        "ünïcödé ",
    ];
    let mut state = seed | 1;
    let mut out = String::new();
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push_str(words[(state % words.len() as u64) as usize]);
        if state % 5 == 0 {
            out.push_str(&format!("{state:x}"));
        }
    }
    out
}

/// Inflates the payloads of compressed messages as a strict peer would: a window of exactly
/// `bits` (flate2 cannot inflate with 8, so 9 then), kept or reset between messages.
struct StrictPeer {
    inflater: Decompress,
    bits: u8,
    reset: bool,
}

impl StrictPeer {
    fn new(bits: u8, reset: bool) -> Self {
        let bits = bits.max(9);
        Self {
            inflater: Decompress::new_with_window_bits(false, bits),
            bits,
            reset,
        }
    }

    fn inflate(&mut self, compressed: &[u8]) -> Vec<u8> {
        let mut input = compressed.to_vec();
        input.extend_from_slice(&[0, 0, 0xff, 0xff]);
        let mut out = Vec::with_capacity(1 << 20);
        self.inflater
            .decompress_vec(&input, &mut out, FlushDecompress::Sync)
            .unwrap_or_else(|e| panic!("strict {}-bit inflate: {e}", self.bits));
        if self.reset {
            self.inflater = Decompress::new_with_window_bits(false, self.bits);
        }
        out
    }
}

/// Sends `messages` from `from` to `to` in 7-byte reads, and checks what arrives, what the wire
/// carried, and that a strict peer with the sender's window reads it.
fn send_all(from: &mut Connection, to: &mut Connection, messages: &[Message]) {
    let negotiated = *from.deflate().unwrap();
    let bits = negotiated.window_bits(from.role());
    let mut strict = StrictPeer::new(bits, negotiated.no_context_takeover(from.role()));
    for message in messages {
        match message {
            Message::Text(text) => from.send_text(text).unwrap(),
            Message::Binary(bytes) => from.send_binary(bytes).unwrap(),
        }
        let (bytes, frames) = take_wire(from);
        let [frame] = &frames[..] else {
            panic!("one frame per message: {frames:?}");
        };
        let original = match message {
            Message::Text(text) => text.as_bytes(),
            Message::Binary(bytes) => bytes,
        };
        if bits == 8 {
            // zlib has no 8-bit raw window: that direction goes uncompressed.
            assert_eq!(frame.rsv, 0);
            assert_eq!(frame.payload, original);
        } else {
            assert_eq!(frame.rsv, 0b100, "RSV1 on a compressed message");
            assert_eq!(strict.inflate(&frame.payload), original);
        }
        for piece in bytes.chunks(7) {
            to.handle_bytes(piece);
        }
        assert_eq!(events(to), [Event::Message(message.clone())]);
    }
}

fn messages(seed: u64) -> Vec<Message> {
    vec![
        Message::Text(sample(seed, 3000)),
        Message::Binary(sample(seed + 1, 70_000).into_bytes()),
        Message::Text(sample(seed, 3000)),
        Message::Text(String::new()),
        Message::Binary(vec![0; 100_000]),
        Message::Text("x".into()),
    ]
}

#[test]
fn round_trips_at_every_window_and_takeover_mode_both_ways() {
    for bits in 8..=15 {
        for (server_reset, client_reset) in
            [(false, false), (true, true), (true, false), (false, true)]
        {
            let params = DeflateParams {
                server_no_context_takeover: server_reset,
                client_no_context_takeover: client_reset,
                server_max_window_bits: Some(bits),
                client_max_window_bits: Some(bits),
            };
            let agreed = negotiated(params);
            let mut client = conn(Role::Client, &agreed, 1 << 20);
            let mut server = conn(Role::Server, &agreed, 1 << 20);
            let seed = u64::from(bits) * 4;
            send_all(&mut client, &mut server, &messages(seed));
            send_all(&mut server, &mut client, &messages(seed + 2));
        }
    }
}

#[test]
fn context_takeover_shrinks_a_repeated_message_and_reset_does_not() {
    let text = sample(3, 2000);
    for reset in [false, true] {
        let agreed = negotiated(DeflateParams {
            server_no_context_takeover: reset,
            ..DeflateParams::default()
        });
        let mut server = conn(Role::Server, &agreed, 1 << 20);
        server.send_text(&text).unwrap();
        server.send_text(&text).unwrap();
        let (_, frames) = take_wire(&mut server);
        let (first, second) = (frames[0].payload.len(), frames[1].payload.len());
        if reset {
            assert_eq!(first, second);
        } else {
            assert!(second * 10 < first, "{second} vs {first}");
        }
    }
}

#[test]
fn short_messages_and_fragments_go_uncompressed() {
    let agreed = Negotiated {
        threshold: 100,
        ..negotiated(DeflateParams::default())
    };
    let mut server = conn(Role::Server, &agreed, 1 << 20);
    server.send_text(&"a".repeat(99)).unwrap();
    server.send_text(&"a".repeat(100)).unwrap();
    server
        .send_frame(OpCode::Text, "a".repeat(200).as_bytes(), false)
        .unwrap();
    server.send_frame(OpCode::Continuation, b"b", true).unwrap();
    server.send_ping(b"p").unwrap();
    let (_, frames) = take_wire(&mut server);
    let rsv: Vec<u8> = frames.iter().map(|f| f.rsv).collect();
    assert_eq!(rsv, [0, 0b100, 0, 0, 0]);
    assert_eq!(frames[0].payload.len(), 99);
    assert!(frames[1].payload.len() < 10);
}

/// Raw-deflates `data` as one message (sync flush, tail removed) with a fresh context.
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut compress = Compress::new(Compression::default(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 1024);
    loop {
        let consumed = compress.total_in() as usize;
        compress
            .compress_vec(&data[consumed..], &mut out, FlushCompress::Sync)
            .unwrap();
        if compress.total_in() as usize == data.len() && out.len() < out.capacity() {
            break;
        }
        out.reserve(out.capacity());
    }
    assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
    out.truncate(out.len() - 4);
    out
}

/// A compressed message from a client, cut into frames at `cuts`: RSV1 on the first only.
fn compressed_frames(opcode: OpCode, compressed: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(compressed.len());
    let mut out = Vec::new();
    for (i, pair) in bounds.windows(2).enumerate() {
        let fin = i + 2 == bounds.len();
        let (op, rsv) = if i == 0 {
            (opcode, 0b100)
        } else {
            (OpCode::Continuation, 0)
        };
        out.extend(raw_frame(
            fin,
            rsv,
            op,
            Some(KEY),
            &compressed[pair[0]..pair[1]],
        ));
    }
    out
}

fn server_with_deflate(max_length: usize) -> Connection {
    conn(
        Role::Server,
        &negotiated(DeflateParams::default()),
        max_length,
    )
}

#[test]
fn a_compressed_message_in_fragments_is_inflated_as_it_arrives() {
    let text = sample(9, 50_000);
    let compressed = deflate(text.as_bytes());
    let third = compressed.len() / 3;
    let bytes = compressed_frames(OpCode::Text, &compressed, &[1, third, 2 * third]);
    let mut server = server_with_deflate(1 << 20);
    for piece in bytes.chunks(1000) {
        server.handle_bytes(piece);
    }
    assert_eq!(events(&mut server), [Event::Message(Message::Text(text))]);
}

#[test]
fn a_stream_ended_with_a_final_block_resets_the_context() {
    let mut compress = Compress::new(Compression::default(), false);
    let mut first = Vec::with_capacity(1024);
    compress
        .compress_vec(b"hello hello hello", &mut first, FlushCompress::Finish)
        .unwrap();
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&compressed_frames(OpCode::Text, &first, &[]));
    server.handle_bytes(&compressed_frames(OpCode::Binary, &deflate(b"again"), &[]));
    assert_eq!(
        events(&mut server),
        [
            Event::Message(Message::Text("hello hello hello".into())),
            Event::Message(Message::Binary(b"again".to_vec())),
        ]
    );
}

fn assert_fails(conn: &mut Connection, error: ProtocolError, code: u16) {
    let events = events(conn);
    assert!(
        events.contains(&Event::Error(error)),
        "expected {error:?}: {events:?}"
    );
    assert!(
        matches!(events.last(), Some(Event::Close { code: c, .. }) if *c == code),
        "{events:?}"
    );
    let (_, frames) = take_wire(conn);
    let close = frames.last().expect("a close frame");
    assert_eq!(close.opcode, OpCode::Close);
    assert_eq!(
        u16::from_be_bytes([close.payload[0], close.payload[1]]),
        code
    );
}

#[test]
fn rsv1_on_a_continuation_fails_with_1002() {
    let compressed = deflate(sample(1, 500).as_bytes());
    let mut bytes = raw_frame(false, 0b100, OpCode::Text, Some(KEY), &compressed[..10]);
    bytes.extend(raw_frame(
        true,
        0b100,
        OpCode::Continuation,
        Some(KEY),
        &compressed[10..],
    ));
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&bytes);
    assert_fails(
        &mut server,
        ProtocolError::CompressedControlOrContinuation,
        1002,
    );

    // Also on the continuation of an uncompressed message.
    let mut bytes = raw_frame(false, 0, OpCode::Binary, Some(KEY), b"ab");
    bytes.extend(raw_frame(
        true,
        0b100,
        OpCode::Continuation,
        Some(KEY),
        b"cd",
    ));
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&bytes);
    assert_fails(
        &mut server,
        ProtocolError::CompressedControlOrContinuation,
        1002,
    );
}

#[test]
fn rsv1_on_a_control_frame_fails_with_1002() {
    for opcode in [OpCode::Ping, OpCode::Pong, OpCode::Close] {
        let mut server = server_with_deflate(1 << 20);
        server.handle_bytes(&raw_frame(true, 0b100, opcode, Some(KEY), b""));
        assert_fails(
            &mut server,
            ProtocolError::CompressedControlOrContinuation,
            1002,
        );
    }
}

#[test]
fn other_reserved_bits_and_rsv1_without_deflate_still_fail() {
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&raw_frame(true, 0b010, OpCode::Text, Some(KEY), b"a"));
    assert_fails(&mut server, ProtocolError::ReservedBitsSet, 1002);
    let mut plain = Connection::new(Role::Server, Config::default());
    plain.handle_bytes(&raw_frame(true, 0b100, OpCode::Text, Some(KEY), b"a"));
    assert_fails(&mut plain, ProtocolError::ReservedBitsSet, 1002);
}

#[test]
fn invalid_deflate_data_fails_with_1007() {
    // BTYPE 11 is reserved in RFC 1951: invalid from the first byte.
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&compressed_frames(OpCode::Binary, &[0xff, 0xff, 0xff], &[]));
    assert_fails(&mut server, ProtocolError::InvalidCompressedData, 1007);
    // Data after a final block, inside the same message.
    let mut compress = Compress::new(Compression::default(), false);
    let mut data = Vec::with_capacity(64);
    compress
        .compress_vec(b"done", &mut data, FlushCompress::Finish)
        .unwrap();
    data.extend_from_slice(&deflate(b"more"));
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&compressed_frames(OpCode::Binary, &data, &[]));
    assert_fails(&mut server, ProtocolError::InvalidCompressedData, 1007);
}

#[test]
fn a_bomb_closes_with_1009_before_storing_more_than_max_length() {
    // 8 MiB of zeros as 8 independent 1 MiB streams: a few KiB on the wire.
    let piece = deflate(&vec![0; 1 << 20]);
    let bomb: Vec<u8> = with_tails(&piece, 8);
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let max_length = 100_000;
    let mut server = server_with_deflate(max_length);
    let bytes = compressed_frames(OpCode::Binary, &bomb, &[]);
    for piece in bytes.chunks(512) {
        server.handle_bytes(piece);
        if let Some(message) = &server.message {
            let super::super::connection::InMessage::Binary(buf) = message else {
                panic!("binary");
            };
            assert!(buf.capacity() <= max_length, "{}", buf.capacity());
        }
    }
    assert_fails(&mut server, ProtocolError::MessageTooLong, 1009);
    // The failure came with the first chunk past the limit, long before the frame ended.
    assert!(server.message.is_none());

    // Exactly at the limit is fine.
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&compressed_frames(OpCode::Binary, &piece, &[]));
    assert_eq!(
        events(&mut server),
        [Event::Message(Message::Binary(vec![0; 1 << 20]))]
    );
}

/// `n` copies of a sync-flushed stream: each but the last keeps its `00 00 ff ff`, so the copies
/// join into one valid stream.
fn with_tails(piece: &[u8], n: usize) -> Vec<u8> {
    let mut with_tail = piece.to_vec();
    with_tail.extend_from_slice(&[0, 0, 0xff, 0xff]);
    let mut out = with_tail.repeat(n - 1);
    out.extend_from_slice(piece);
    out
}

#[test]
fn a_bomb_spread_over_fragments_counts_all_of_them() {
    let piece = deflate(&vec![b'a'; 60_000]);
    let mut with_tail = piece.clone();
    with_tail.extend_from_slice(&[0, 0, 0xff, 0xff]);
    let mut bytes = raw_frame(false, 0b100, OpCode::Text, Some(KEY), &with_tail);
    bytes.extend(raw_frame(
        false,
        0,
        OpCode::Continuation,
        Some(KEY),
        &with_tail,
    ));
    bytes.extend(raw_frame(true, 0, OpCode::Continuation, Some(KEY), &piece));
    let mut server = server_with_deflate(150_000);
    server.handle_bytes(&bytes);
    assert_fails(&mut server, ProtocolError::MessageTooLong, 1009);
    // Two of them fit, and join into one message.
    let mut bytes = raw_frame(false, 0b100, OpCode::Text, Some(KEY), &with_tail);
    bytes.extend(raw_frame(true, 0, OpCode::Continuation, Some(KEY), &piece));
    let mut server = server_with_deflate(150_000);
    server.handle_bytes(&bytes);
    assert_eq!(
        events(&mut server),
        [Event::Message(Message::Text("a".repeat(120_000)))]
    );
}

#[test]
fn invalid_utf8_in_compressed_text_fails_fast() {
    let mut text = b"ok \xff".to_vec();
    text.extend(sample(5, 200_000).into_bytes());
    let compressed = deflate(&text);
    let bytes = compressed_frames(OpCode::Text, &compressed, &[]);
    let mut server = server_with_deflate(1 << 20);
    // The first few hundred bytes of the frame carry the bad byte; the rest never comes.
    server.handle_bytes(&bytes[..400]);
    assert_fails(&mut server, ProtocolError::InvalidUtf8, 1007);
}

#[test]
fn a_client_reads_unmasked_compressed_frames() {
    let agreed = negotiated(DeflateParams::default());
    let mut client = conn(Role::Client, &agreed, 1 << 20);
    let compressed = deflate(b"from the server");
    client.handle_bytes(&raw_frame(true, 0b100, OpCode::Text, None, &compressed));
    assert_eq!(
        events(&mut client),
        [Event::Message(Message::Text("from the server".into()))]
    );
}

#[test]
fn a_ping_between_compressed_fragments_is_answered_and_the_message_completes() {
    let text = sample(21, 20_000);
    let compressed = deflate(text.as_bytes());
    let half = compressed.len() / 2;
    let mut bytes = raw_frame(false, 0b100, OpCode::Text, Some(KEY), &compressed[..half]);
    bytes.extend(raw_frame(true, 0, OpCode::Ping, Some(KEY), b"p"));
    bytes.extend(raw_frame(
        true,
        0,
        OpCode::Continuation,
        Some(KEY),
        &compressed[half..],
    ));
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&bytes);
    assert_eq!(
        events(&mut server),
        [
            Event::Ping(b"p".to_vec()),
            Event::Message(Message::Text(text)),
        ]
    );
    let (_, frames) = take_wire(&mut server);
    assert_eq!(frames[0].opcode, OpCode::Pong);
    assert_eq!(frames[0].rsv, 0);
}

#[test]
fn garbage_in_compressed_frames_never_panics_and_closes_once() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..500 {
        let len = (next() % 400) as usize;
        let mut payload: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Some rounds start with a valid stored-block header, to get past the first byte.
        if round % 3 == 0 && payload.len() > 5 {
            payload[..5].copy_from_slice(&[0x00, 0x05, 0x00, 0xfa, 0xff]);
        }
        let opcode = if round % 2 == 0 {
            OpCode::Text
        } else {
            OpCode::Binary
        };
        let cut = (next() as usize) % (payload.len() + 1);
        let bytes = compressed_frames(opcode, &payload, &[cut]);
        let mut server = server_with_deflate(1000);
        for piece in bytes.chunks(1 + (next() % 50) as usize) {
            server.handle_bytes(piece);
        }
        server.handle_eof();
        let closes = events(&mut server)
            .iter()
            .filter(|e| matches!(e, Event::Close { .. }))
            .count();
        assert_eq!(closes, 1, "round {round}");
    }
}

#[test]
fn an_empty_compressed_payload_is_an_empty_message_and_the_next_one_inflates() {
    let mut server = server_with_deflate(1 << 20);
    server.handle_bytes(&raw_frame(true, 0b100, OpCode::Text, Some(KEY), b""));
    server.handle_bytes(&compressed_frames(OpCode::Text, &[0x00], &[]));
    server.handle_bytes(&compressed_frames(OpCode::Text, &deflate(b"next"), &[]));
    assert_eq!(
        events(&mut server),
        [
            Event::Message(Message::Text(String::new())),
            Event::Message(Message::Text(String::new())),
            Event::Message(Message::Text("next".into())),
        ]
    );
}

/// The events for `bytes` fed whole and fed one byte at a time, which must be the same.
fn same_whole_and_bytewise(max_length: usize, bytes: &[u8]) -> Vec<Event> {
    let mut whole = server_with_deflate(max_length);
    whole.handle_bytes(bytes);
    let mut bytewise = server_with_deflate(max_length);
    for byte in bytes {
        bytewise.handle_bytes(std::slice::from_ref(byte));
    }
    let events_whole = events(&mut whole);
    assert_eq!(events_whole, events(&mut bytewise));
    events_whole
}

#[test]
fn output_decoded_before_corrupt_data_is_checked_first_however_chunked() {
    // 3a 00 inflates to the byte C0 (never valid UTF-8), then ff is an invalid code (fuzz seed
    // crash.1bbcc637): the UTF-8 failure comes first in the stream, so it is the verdict.
    let events = same_whole_and_bytewise(
        1 << 20,
        &compressed_frames(OpCode::Text, &[0x3a, 0x00, 0xff], &[]),
    );
    assert_eq!(events[0], Event::Error(ProtocolError::InvalidUtf8));
}

#[test]
fn bad_utf8_before_the_limit_wins_over_the_limit_however_chunked() {
    let mut text = b"ok \xff".to_vec();
    text.extend(std::iter::repeat_n(b'a', 50_000));
    let bytes = compressed_frames(OpCode::Text, &deflate(&text), &[]);
    let events = same_whole_and_bytewise(1000, &bytes);
    assert_eq!(events[0], Event::Error(ProtocolError::InvalidUtf8));
    // Valid text over the limit is too long, at the same point however chunked.
    let bytes = compressed_frames(OpCode::Text, &deflate(&[b'a'; 50_000]), &[]);
    let events = same_whole_and_bytewise(1000, &bytes);
    assert_eq!(events[0], Event::Error(ProtocolError::MessageTooLong));
}
