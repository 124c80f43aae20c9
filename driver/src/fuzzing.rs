//! Entry points for the fuzz targets in `fuzz/` and for `tests/fuzz_seeds.rs`, which replays the
//! committed seeds through them on stable. Not part of the public API.
//!
//! Each entry point takes untrusted bytes (or a sequence of operations), drives the sans-IO core
//! with them and **panics when an invariant breaks**, so a fuzzer reports more than crashes:
//!
//! - [`frame_header`]: the header parser consumes at most its input, asks for more only when fewer
//!   than [`MAX_HEADER_LEN`] bytes are given, and re-encoding what it parsed parses back the same;
//! - [`parse_frames`]: a [`Connection`] fed the bytes whole and fed them in pieces gives the same
//!   events and the same output; the events are well-formed ([`check_events`]); what it writes is
//!   well-formed for its role ([`check_transmit`]); after the close event nothing more happens;
//! - `inflate` (with the `deflate` feature): a compressed message in fragments is delivered exactly
//!   when flate2 itself inflates its payload within the limits, and fails with 1007 or 1009 otherwise;
//! - [`utf8`]: [`Utf8Validator`] fed in pieces agrees with [`std::str::from_utf8`] and fails on
//!   the very piece that holds the first byte no valid stream can contain;
//! - [`handshake_request`] and [`handshake_response`]: the head parsers consume at most their
//!   input, and the server's answer (`101` or a refusal) is well-formed HTTP that a client accepts;
//! - [`Pair`]: a connection under test driven operation by operation (bytes from the wire, sends,
//!   pings, close, time, end of stream), with a well-behaved peer reading all it writes.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::close::MAX_REASON_LEN;
use crate::error::ProtocolError;
use crate::frame::{CloseCode, FrameHeader, OpCode, MAX_HEADER_LEN};
use crate::handshake::{
    accept_key, parse_request, ClientHandshake, ClientOptions, ServerHandshake, ServerOptions,
    MAX_HEAD_BYTES,
};
use crate::utf8::Utf8Validator;
use crate::{Config, Connection, Event, Message, ReadyState, Role};

/// The message size limit the entry points configure: small, so that 1009 is within a fuzzer's reach.
pub const MAX_LENGTH: usize = 4096;

/// The configuration every entry point uses.
pub fn config() -> Config {
    Config {
        max_length: MAX_LENGTH,
        close_timeout: Duration::from_secs(5),
    }
}

/// Piece sizes for splitting an input, drawn from `seed`: 1 to 2^(seed % 9) bytes, so that small
/// seeds split byte by byte and large ones in big blocks.
pub fn pieces(seed: u8, data: &[u8]) -> Vec<&[u8]> {
    let max = 1usize << (seed % 9);
    // A xorshift generator: deterministic, so a crash replays with the same pieces.
    let mut state = u32::from(seed) | 0x9e37_0000;
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let len = (state as usize % max + 1).min(rest.len());
        let (piece, tail) = rest.split_at(len);
        out.push(piece);
        rest = tail;
    }
    out
}

// ===== frames =====

/// Parses one frame header from `data` and checks the parser's contract.
pub fn frame_header(data: &[u8]) {
    match FrameHeader::parse(data) {
        Ok(None) => assert!(
            data.len() < MAX_HEADER_LEN,
            "asked for more bytes with {} buffered",
            data.len()
        ),
        Ok(Some((header, consumed))) => {
            assert!(
                consumed <= data.len(),
                "consumed {consumed} of {}",
                data.len()
            );
            assert!(
                consumed >= header.encoded_len(),
                "consumed {consumed} < minimal encoding {}",
                header.encoded_len()
            );
            let mut encoded = Vec::new();
            header.encode(&mut encoded);
            assert_eq!(encoded.len(), header.encoded_len(), "encoded_len is wrong");
            let reparsed = FrameHeader::parse(&encoded);
            assert_eq!(
                reparsed,
                Ok(Some((header, encoded.len()))),
                "re-encoded header does not parse back"
            );
        }
        Err(error) => assert_eq!(
            error,
            ProtocolError::PayloadLengthMsbSet,
            "the header parser reports only this"
        ),
    }
}

/// Feeds `data` to a [`Connection`] in `role`, whole and in the pieces its first byte picks, and
/// checks that both runs agree and that the events and output are well-formed. Returns the events.
pub fn parse_frames(role: Role, data: &[u8]) -> Vec<Event> {
    let Some((&seed, bytes)) = data.split_first() else {
        return Vec::new();
    };
    frame_header(bytes);
    let whole = feed(role, |_| {}, &[bytes]);
    let split = feed(role, |_| {}, &pieces(seed, bytes));
    assert_eq!(whole, split, "chunking changed the events or the output");
    whole.events
}

/// What a connection did with some input: its events and everything it wrote.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    events: Vec<Event>,
    transmit: Vec<u8>,
}

/// Feeds the pieces to a fresh connection (set up by `setup`), checking the invariants after each.
fn feed(role: Role, setup: impl Fn(&mut Connection), pieces: &[&[u8]]) -> Outcome {
    let mut conn = Connection::with_seed(role, config(), 1);
    setup(&mut conn);
    let mut events = Vec::new();
    for piece in pieces {
        let closed_before = events.iter().any(|e| matches!(e, Event::Close { .. }));
        let transmit_before = conn.pending_transmit().len();
        conn.handle_bytes(piece);
        let new: Vec<Event> = std::iter::from_fn(|| conn.poll_event()).collect();
        if closed_before {
            assert!(new.is_empty(), "events after the close event: {new:?}");
            assert_eq!(
                conn.pending_transmit().len(),
                transmit_before,
                "wrote after the close event"
            );
        }
        events.extend(new);
    }
    check_events(&events, &config());
    let transmit = conn.pending_transmit().to_vec();
    check_transmit(role, &events, &transmit);
    // Bytes from a peer alone end the connection only through a close or a protocol error.
    match events.last() {
        Some(Event::Close { code, .. }) => {
            assert_ne!(*code, CloseCode::ABNORMAL.0, "1006 without EOF or timeout");
            assert_eq!(conn.ready_state(), ReadyState::Closed);
        }
        _ => assert_eq!(conn.ready_state(), ReadyState::Open, "open until a close"),
    }
    Outcome { events, transmit }
}

/// Checks a connection's whole event stream: at most one close event and nothing after it; an
/// error directly followed by the close with its code; a peer's close code that may appear on the
/// wire; messages within `max_length`, control payloads within 125 bytes.
pub fn check_events(events: &[Event], config: &Config) {
    for (i, event) in events.iter().enumerate() {
        let next = events.get(i + 1);
        match event {
            Event::Message(Message::Text(text)) => assert!(
                text.len() <= config.max_length,
                "text message of {} bytes over max_length",
                text.len()
            ),
            Event::Message(Message::Binary(bytes)) => assert!(
                bytes.len() <= config.max_length,
                "binary message of {} bytes over max_length",
                bytes.len()
            ),
            Event::Ping(payload) | Event::Pong(payload) => {
                assert!(payload.len() <= 125, "control payload of {}", payload.len());
            }
            Event::Error(error) => {
                let code = error.close_code().0;
                assert!(
                    matches!(code, 1002 | 1007 | 1009),
                    "error {error} closes with {code}"
                );
                assert!(
                    matches!(next, Some(Event::Close { code: c, .. }) if *c == code),
                    "error {error} not followed by its close: {next:?}"
                );
            }
            Event::Close { code, .. } => {
                assert_eq!(i + 1, events.len(), "events after the close: {next:?}");
                let after_error = i > 0 && matches!(events[i - 1], Event::Error(_));
                assert!(
                    after_error
                        || *code == CloseCode::ABNORMAL.0
                        || CloseCode(*code).is_allowed_on_wire(),
                    "close code {code} is not one a peer may send"
                );
            }
        }
    }
}

/// Checks what a connection wrote in answer to `events` alone (nothing was sent by the
/// application): frames masked exactly when we are a client, a pong for each ping received before
/// the close, then at most one close frame, last, whose code is the close event's.
pub fn check_transmit(role: Role, events: &[Event], transmit: &[u8]) {
    let frames = split_frames(role, transmit);
    let mut expected = Vec::new();
    for event in events {
        match event {
            Event::Ping(payload) => expected.push((OpCode::Pong, payload.clone())),
            Event::Close { code, .. } if *code != CloseCode::ABNORMAL.0 => {
                let reason = match events.iter().rev().nth(1) {
                    Some(Event::Error(error)) => truncated(&error.to_string()).to_owned(),
                    _ => String::new(),
                };
                let mut payload = code.to_be_bytes().to_vec();
                payload.extend_from_slice(reason.as_bytes());
                expected.push((OpCode::Close, payload));
            }
            _ => {}
        }
    }
    assert_eq!(frames, expected, "written frames do not answer the events");
}

/// Splits written bytes into (opcode, unmasked payload), checking the masking rule of `role`.
fn split_frames(role: Role, mut bytes: &[u8]) -> Vec<(OpCode, Vec<u8>)> {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let parsed = FrameHeader::parse(bytes);
        let Ok(Some((header, len))) = parsed else {
            panic!("wrote a bad or partial frame header: {parsed:?}");
        };
        assert_eq!(
            header.mask.is_some(),
            role == Role::Client,
            "{role:?} wrote a frame with the wrong masking"
        );
        assert_eq!(header.encoded_len(), len, "wrote a non-minimal length");
        assert_eq!(header.rsv, 0, "wrote RSV bits");
        let end = usize::try_from(header.payload_len)
            .ok()
            .and_then(|n| n.checked_add(len))
            .filter(|&end| end <= bytes.len());
        let Some(end) = end else {
            panic!("wrote a frame longer than the output");
        };
        let mut payload = bytes[len..end].to_vec();
        if let Some(key) = header.mask {
            crate::frame::apply_mask_scalar(&mut payload, key, 0);
        }
        frames.push((header.opcode, payload));
        bytes = &bytes[end..];
    }
    frames
}

/// A close reason as it fits a close frame: cut at a character boundary within 123 bytes.
fn truncated(reason: &str) -> &str {
    let mut end = reason.len().min(MAX_REASON_LEN);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    &reason[..end]
}

// ===== permessage-deflate =====

/// Sends `data` (after two bytes of settings) as the compressed payload of one message, in
/// fragments, to a connection with permessage-deflate on, and checks the outcome against a plain
/// zlib inflate of the same payload: a message is delivered exactly when that inflate succeeds
/// within `max_length` (and, for text, gives UTF-8), and it holds the same bytes. Returns the events.
///
/// The first byte: bit 0 client role, bit 1 text, bit 2 and 3 the client's and the server's
/// `no_context_takeover`. The second: the fragmenting and chunking seed.
#[cfg(feature = "deflate")]
pub fn inflate(data: &[u8]) -> Vec<Event> {
    use crate::ext::deflate::{DeflateParams, Negotiated};

    let [flags, seed, payload @ ..] = data else {
        return Vec::new();
    };
    let role = if flags & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    };
    let opcode = if flags & 2 == 0 {
        OpCode::Binary
    } else {
        OpCode::Text
    };
    let negotiated = Negotiated {
        params: DeflateParams::new()
            .client_no_context_takeover(flags & 4 != 0)
            .server_no_context_takeover(flags & 8 != 0),
        threshold: 0,
        level: 6,
    };
    let mask = (role == Role::Server).then_some([0x37, 0xfa, 0x21, 0x3d]);
    let mut fragments = pieces(*seed, payload);
    if fragments.is_empty() {
        fragments.push(&[]);
    }
    let mut wire = Vec::new();
    for (i, fragment) in fragments.iter().enumerate() {
        let op = if i == 0 { opcode } else { OpCode::Continuation };
        let mut header =
            FrameHeader::new(i + 1 == fragments.len(), op, mask, fragment.len() as u64);
        // RSV1 on the first frame only: "Per-Message Compressed" (RFC 7692 section 6.1).
        header.rsv = if i == 0 { 0b100 } else { 0 };
        header.encode(&mut wire);
        let start = wire.len();
        wire.extend_from_slice(fragment);
        if let Some(key) = mask {
            crate::frame::apply_mask(&mut wire[start..], key, 0);
        }
    }
    let setup = |conn: &mut Connection| conn.enable_deflate(&negotiated);
    let whole = feed(role, setup, &[&wire]);
    let split = feed(role, setup, &pieces(seed.rotate_left(4), &wire));
    assert_eq!(whole, split, "chunking changed the events or the output");

    let expected = reference_inflate(payload, MAX_LENGTH)
        .filter(|bytes| opcode == OpCode::Binary || std::str::from_utf8(bytes).is_ok());
    match (whole.events.as_slice(), expected) {
        ([Event::Message(Message::Binary(got))], Some(want)) => {
            assert!(
                opcode == OpCode::Binary && *got == want,
                "inflated other bytes"
            )
        }
        ([Event::Message(Message::Text(got))], Some(want)) => {
            assert!(
                opcode == OpCode::Text && got.as_bytes() == want,
                "inflated other text"
            )
        }
        ([Event::Error(error), Event::Close { .. }], None) => assert!(
            matches!(
                error,
                ProtocolError::MessageTooLong
                    | ProtocolError::InvalidUtf8
                    | ProtocolError::InvalidCompressedData
            ),
            "a compressed message failed with {error}"
        ),
        (events, expected) => panic!("events {events:?}, zlib says {expected:?}"),
    }
    whole.events
}

/// Inflates a message's payload as RFC 7692 section 7.2.2 says, with flate2 directly: append
/// `00 00 ff ff` unless the data ended with a final block; nothing may follow a final block.
/// `None` for invalid data or an output over `limit`.
#[cfg(feature = "deflate")]
fn reference_inflate(payload: &[u8], limit: usize) -> Option<Vec<u8>> {
    use flate2::{Decompress, FlushDecompress, Status};

    let mut zlib = Decompress::new_with_window_bits(false, 15);
    let mut out = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    for part in [payload, &crate::ext::deflate::TAIL[..]] {
        let mut input = part;
        loop {
            let (in0, out0) = (zlib.total_in(), zlib.total_out());
            let status = zlib
                .decompress(input, &mut buf, FlushDecompress::None)
                .ok()?;
            let consumed = usize::try_from(zlib.total_in() - in0).ok()?;
            let produced = usize::try_from(zlib.total_out() - out0).ok()?;
            input = &input[consumed..];
            out.extend_from_slice(&buf[..produced]);
            if out.len() > limit {
                return None;
            }
            if status == Status::StreamEnd {
                // The tail is only added to a stream that did not end; after the end, nothing.
                return (input.is_empty()).then_some(out);
            }
            if input.is_empty() && produced < buf.len() {
                break;
            }
            if consumed == 0 && produced == 0 {
                return None;
            }
        }
    }
    Some(out)
}

// ===== UTF-8 =====

/// Validates `data` (after its first byte, which picks the pieces) with [`Utf8Validator`] and
/// checks it against [`std::str::from_utf8`].
pub fn utf8(data: &[u8]) {
    let Some((&seed, bytes)) = data.split_first() else {
        return;
    };
    // The first byte that no valid stream can contain, if any.
    let std_result = std::str::from_utf8(bytes);
    let offender = std_result.err().and_then(|e| {
        e.error_len()?;
        (e.valid_up_to()..bytes.len())
            .find(|&k| std::str::from_utf8(&bytes[..=k]).is_err_and(|e| e.error_len().is_some()))
    });
    let mut validator = Utf8Validator::new();
    let mut start = 0;
    let mut failed = None;
    for piece in pieces(seed, bytes) {
        let end = start + piece.len();
        if let Err(error) = validator.feed(piece) {
            failed = Some((start, end, error));
            break;
        }
        start = end;
    }
    match (std_result, offender, failed) {
        (Ok(_), _, None) => assert!(validator.finish().is_ok(), "valid text did not finish"),
        (Err(e), None, None) => {
            let error = validator.finish().expect_err("truncated text finished");
            assert_eq!(error.valid_up_to(), e.valid_up_to() as u64, "valid_up_to");
        }
        (Err(e), Some(k), Some((start, end, error))) => {
            assert!(
                (start..end).contains(&k),
                "failed on bytes {start}..{end}, the first bad byte is {k}"
            );
            assert_eq!(error.valid_up_to(), e.valid_up_to() as u64, "valid_up_to");
        }
        (std, offender, ours) => {
            panic!("std says {std:?} (bad byte {offender:?}), the validator {ours:?}")
        }
    }
}

// ===== handshake =====

/// Parses `data` as a client's request, answers it, and checks the answer: a `101` that a client
/// with the same key accepts, or a `400`/`426` refusal whose body its `Content-Length` counts.
pub fn handshake_request(data: &[u8]) {
    let parsed = parse_request(data);
    let Ok(Some((request, consumed))) = parsed else {
        if parsed == Ok(None) {
            assert!(
                data.len() < MAX_HEAD_BYTES,
                "waits with {} bytes",
                data.len()
            );
        }
        return;
    };
    assert!(
        consumed <= data.len().min(MAX_HEAD_BYTES),
        "consumed {consumed}"
    );
    assert_eq!(
        parse_request(&data[..consumed]),
        Ok(Some((request.clone(), consumed))),
        "the head alone parses differently"
    );
    let options = ServerOptions {
        accept_protocols: vec!["chat".to_owned(), "superchat".to_owned()],
        additional_headers: vec![("X-Fuzz".to_owned(), "1".to_owned())],
    };
    match ServerHandshake::accept(&request, &options) {
        Ok(accepted) => {
            let key = request.header("Sec-WebSocket-Key").unwrap_or_default();
            let head = check_http_response(&accepted.response, 101);
            assert_eq!(
                head.len(),
                accepted.response.len(),
                "bytes after the 101 head"
            );
            let accept = header(&head, "Sec-WebSocket-Accept");
            assert_eq!(
                accept.as_deref(),
                Some(accept_key(key).as_str()),
                "accept key"
            );
            answer_to_client(key, &request, &accepted.response);
        }
        Err(refusal) => {
            let status = refusal.status();
            assert!(matches!(status, 400 | 426), "refused with {status}");
            let bytes = refusal.response_bytes();
            let head = check_http_response(bytes, status);
            let body = &bytes[head.len()..];
            let length = header(&head, "Content-Length");
            assert_eq!(length, Some(body.len().to_string()), "content-length");
        }
    }
}

/// A client that sent `request`'s key and protocols must accept the server's `response`.
fn answer_to_client(key: &str, request: &crate::handshake::Request, response: &[u8]) {
    use base64::Engine as _;
    let nonce = base64::engine::general_purpose::STANDARD
        .decode(key.trim())
        .ok()
        .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok());
    let Some(nonce) = nonce else {
        panic!("accepted a key that is not 16 bytes in base64: {key:?}");
    };
    let protocols =
        crate::handshake::headers::list_values(&request.headers, "Sec-WebSocket-Protocol")
            .map(str::to_owned)
            .collect();
    let options = ClientOptions {
        protocols,
        additional_headers: Vec::new(),
    };
    // A client could not have offered protocols that are not tokens; nothing to check then.
    let Ok(client) = ClientHandshake::with_key("ws://example.com/", &options, nonce) else {
        return;
    };
    let verdict = client.parse_response(response);
    assert!(
        matches!(verdict, Ok(Some((_, n))) if n == response.len()),
        "the client rejects our 101: {verdict:?}"
    );
}

/// Parses an HTTP/1.1 response head with httparse itself (not our wrapper) and checks its status;
/// returns the head's bytes.
fn check_http_response(bytes: &[u8], status: u16) -> Vec<u8> {
    let mut slots = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut slots);
    let parsed = response.parse(bytes);
    let Ok(httparse::Status::Complete(len)) = parsed else {
        panic!("our response is not complete HTTP: {parsed:?}");
    };
    assert_eq!(response.version, Some(1), "not HTTP/1.1");
    assert_eq!(response.code, Some(status), "status");
    assert!(
        bytes[..len].ends_with(b"\r\n\r\n"),
        "head not ended by CRLF CRLF"
    );
    bytes[..len].to_vec()
}

/// The value of header `name` in a head that [`check_http_response`] accepted.
fn header(head: &[u8], name: &str) -> Option<String> {
    let mut slots = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut slots);
    response.parse(head).ok()?;
    let value = response
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))?;
    Some(String::from_utf8_lossy(value.value).into_owned())
}

/// The nonce of [`handshake_response`]'s client: the one of RFC 6455 section 1.3's example.
const NONCE: [u8; 16] = *b"the sample nonce";

/// Parses `data` as a server's response to a client that offered protocol `chat`, and checks that
/// only a `101` with the right accept key and at most the offered protocol is accepted.
pub fn handshake_response(data: &[u8]) {
    let options = ClientOptions {
        protocols: vec!["chat".to_owned()],
        additional_headers: Vec::new(),
    };
    let Ok(client) = ClientHandshake::with_key("ws://example.com/chat", &options, NONCE) else {
        panic!("the fixed client handshake is valid");
    };
    match client.parse_response(data) {
        Ok(None) => assert!(
            data.len() < MAX_HEAD_BYTES,
            "waits with {} bytes",
            data.len()
        ),
        Ok(Some((response, consumed))) => {
            assert!(
                consumed <= data.len().min(MAX_HEAD_BYTES),
                "consumed {consumed}"
            );
            assert_eq!(response.status, 101, "accepted status {}", response.status);
            let accept = response.header("Sec-WebSocket-Accept").map(str::trim);
            assert_eq!(
                accept,
                Some(accept_key(client.key()).as_str()),
                "accept key"
            );
            assert!(
                matches!(response.protocol(), None | Some("chat")),
                "accepted protocol {:?}",
                response.protocol()
            );
            assert_eq!(
                client.parse_response(&data[..consumed]),
                Ok(Some((response, consumed))),
                "the head alone parses differently"
            );
        }
        Err(_) => {}
    }
}

// ===== a connection driven by operations =====

/// A connection under test and a well-behaved peer that reads everything it writes.
///
/// Bytes from the wire ([`recv`](Self::recv)) go to the connection only: they may be anything. What
/// the connection writes goes to the peer, which must never see a protocol error and must receive
/// exactly what was sent, in order: messages, pings, pongs answering received pings, one close.
/// After each operation the invariants are checked.
#[derive(Debug)]
pub struct Pair {
    conn: Connection,
    peer: Connection,
    now: Instant,
    /// Every event the connection reported.
    events: Vec<Event>,
    /// What the peer has yet to receive.
    expected: VecDeque<Event>,
    /// The connection's state is `Open`: it may send and answers pings.
    open: bool,
}

impl Pair {
    /// A connection in `role`, and its peer.
    pub fn new(role: Role) -> Self {
        let peer_role = match role {
            Role::Server => Role::Client,
            Role::Client => Role::Server,
        };
        let now = Instant::now();
        let mut conn = Connection::with_seed(role, config(), 1);
        // The peer takes messages of any size: it checks what we write, not our limits.
        let mut peer = Connection::with_seed(peer_role, Config::default(), 2);
        conn.handle_timeout(now);
        peer.handle_timeout(now);
        Self {
            conn,
            peer,
            now,
            events: Vec::new(),
            expected: VecDeque::new(),
            open: true,
        }
    }

    /// Bytes from the wire.
    pub fn recv(&mut self, bytes: &[u8]) {
        self.conn.handle_bytes(bytes);
        self.step();
    }

    /// A frame from the peer, masked as the rules want: `opcode` and `rsv` are taken from their low
    /// 4 and 3 bits, anything else is as given (so it may still break a rule).
    pub fn recv_frame(&mut self, fin: bool, rsv: u8, opcode: u8, payload: &[u8]) {
        let mask = (self.conn.role() == Role::Server).then_some([0x37, 0xfa, 0x21, 0x3d]);
        let mut header =
            FrameHeader::new(fin, OpCode::from_bits(opcode), mask, payload.len() as u64);
        header.rsv = rsv & 0x07;
        let mut frame = Vec::with_capacity(header.encoded_len() + payload.len());
        header.encode(&mut frame);
        let start = frame.len();
        frame.extend_from_slice(payload);
        if let Some(key) = mask {
            crate::frame::apply_mask(&mut frame[start..], key, 0);
        }
        self.recv(&frame);
    }

    /// Sends a text message.
    pub fn send_text(&mut self, text: &str) {
        let result = self.conn.send_text(text);
        self.sent(
            result.is_ok(),
            Event::Message(Message::Text(text.to_owned())),
        );
    }

    /// Sends a binary message.
    pub fn send_binary(&mut self, data: &[u8]) {
        let result = self.conn.send_binary(data);
        self.sent(
            result.is_ok(),
            Event::Message(Message::Binary(data.to_vec())),
        );
    }

    /// Sends a ping (payloads over 125 bytes must be refused).
    pub fn ping(&mut self, payload: &[u8]) {
        let result = self.conn.send_ping(payload);
        if payload.len() > 125 {
            assert!(result.is_err(), "sent a ping of {} bytes", payload.len());
            return self.step();
        }
        self.sent(result.is_ok(), Event::Ping(payload.to_vec()));
    }

    /// Starts the closing handshake with `code` (codes not allowed on the wire must be refused).
    pub fn close(&mut self, code: u16) {
        let result = self.conn.close(Some(code), "");
        let allowed = CloseCode(code).is_allowed_on_wire();
        assert_eq!(
            result.is_ok(),
            self.open && allowed,
            "close({code}) while open={}: {result:?}",
            self.open
        );
        if result.is_ok() {
            self.open = false;
            self.expected.push_back(Event::Close {
                code,
                reason: String::new(),
            });
            assert!(self.conn.poll_timeout().is_some(), "no timer after close()");
        }
        self.step();
    }

    /// `ms` milliseconds pass.
    pub fn tick(&mut self, ms: u64) {
        self.now += Duration::from_millis(ms);
        let due = self.conn.poll_timeout().is_some_and(|at| at <= self.now);
        self.conn.handle_timeout(self.now);
        self.peer.handle_timeout(self.now);
        self.step();
        if due {
            assert!(self.closed(), "timer ran out without a close event");
            assert!(self.conn.should_close_tcp(), "timer ran out, TCP kept open");
        }
    }

    /// The peer closed TCP.
    pub fn eof(&mut self) {
        self.conn.handle_eof();
        self.step();
        assert!(self.closed(), "no close event after EOF");
        assert!(self.conn.should_close_tcp(), "EOF, TCP kept open");
    }

    /// Whether the close event has fired.
    pub fn closed(&self) -> bool {
        self.events.iter().any(|e| matches!(e, Event::Close { .. }))
    }

    /// Everything the connection reported.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    fn sent(&mut self, ok: bool, event: Event) {
        assert_eq!(ok, self.open, "send while open={} gave ok={ok}", self.open);
        if ok {
            self.expected.push_back(event);
        }
        self.step();
    }

    /// Drains the connection's events, predicts what the peer receives, delivers the output to
    /// the peer and checks both.
    fn step(&mut self) {
        let was_closed = self.closed();
        let new: Vec<Event> = std::iter::from_fn(|| self.conn.poll_event()).collect();
        assert!(
            !was_closed || new.is_empty(),
            "events after the close: {new:?}"
        );
        for (i, event) in new.iter().enumerate() {
            match event {
                Event::Ping(payload) if self.open => {
                    self.expected.push_back(Event::Pong(payload.clone()));
                }
                Event::Close { code, reason } => {
                    let error = i.checked_sub(1).and_then(|j| match &new[j] {
                        Event::Error(error) => Some(error),
                        _ => None,
                    });
                    // The answer: the error's code and text, the peer's code echoed, or nothing
                    // for 1006 (EOF, timeout), or when our close went out already.
                    if self.open && *code != CloseCode::ABNORMAL.0 {
                        let reason = if error.is_some() {
                            truncated(reason).to_owned()
                        } else {
                            String::new()
                        };
                        self.expected.push_back(Event::Close {
                            code: *code,
                            reason,
                        });
                    }
                    self.open = false;
                }
                _ => {}
            }
        }
        self.events.extend(new);
        check_events(&self.events, &config());
        assert_eq!(
            self.conn.ready_state() == ReadyState::Closed,
            self.closed(),
            "ready state {:?}",
            self.conn.ready_state()
        );
        assert_eq!(self.conn.ready_state() == ReadyState::Open, self.open);
        if self.open {
            assert_eq!(self.conn.poll_timeout(), None, "a timer while open");
        }
        if self.closed() {
            assert!(
                self.conn.should_close_tcp() || self.conn.poll_timeout().is_some(),
                "closed, but neither closing TCP nor waiting with a timer"
            );
        }

        let bytes = self.conn.pending_transmit().to_vec();
        self.conn.consume_transmit(bytes.len());
        assert!(self.conn.pending_transmit().is_empty(), "consumed all");
        self.peer.handle_bytes(&bytes);
        while let Some(event) = self.peer.poll_event() {
            assert!(!matches!(event, Event::Error(_)), "the peer saw {event:?}");
            let expected = self.expected.pop_front();
            assert_eq!(Some(&event), expected.as_ref(), "the peer received");
        }
        // The peer's answers (pongs, its close) are not fed back: the wire into `conn` is `recv`'s.
        self.peer.consume_transmit(usize::MAX);
        assert!(
            self.expected.is_empty(),
            "the peer has not received {:?}",
            self.expected
        );
    }
}
