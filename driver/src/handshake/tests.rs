//! Cross-cutting tests of the opening handshake: the RFC's own examples end to end, client
//! against server, and incremental input.

use super::*;

/// The client handshake of RFC 6455 section 1.2 (repeated in section 4.1's examples).
const RFC_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\n\
Sec-WebSocket-Version: 13\r\n\
\r\n";

#[test]
fn rfc_accept_key_example() {
    // Section 1.3: "the server would append the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    // [...] The server would then take the SHA-1 hash of this, giving the value 0xb3 0x7a 0x4f
    // [...] This value is then base64-encoded [...] to give the value
    // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=""
    assert_eq!(
        accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    // "minus any leading and trailing whitespace"
    assert_eq!(
        accept_key(" dGhlIHNhbXBsZSBub25jZQ==\t"),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert_ne!(
        accept_key("dGhlIHNhbXBsZSBub25jZR=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn key_validity() {
    assert!(is_valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
    assert!(!is_valid_key("dGhlIHNhbXBsZSBub25jZQ"), "unpadded");
    assert!(!is_valid_key("dGhlIHNhbXBsZSBub25jZSE="), "17 bytes");
    assert!(!is_valid_key("dGhlIHNhbXBsZSBub25j"), "15 bytes");
    assert!(!is_valid_key(""));
    assert!(!is_valid_key("!!!!!!!!!!!!!!!!!!!!!!=="));
}

#[test]
fn rfc_example_request_gets_the_rfc_example_response() {
    let (request, len) = parse_request(RFC_REQUEST).unwrap().unwrap();
    assert_eq!(len, RFC_REQUEST.len());
    let options = ServerOptions {
        accept_protocols: vec!["chat".into()],
        ..ServerOptions::default()
    };
    let accepted = ServerHandshake::accept(&request, &options).unwrap();
    // Section 1.2's server handshake.
    assert_eq!(
        std::str::from_utf8(&accepted.response).unwrap(),
        "HTTP/1.1 101 Switching Protocols\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
         Sec-WebSocket-Protocol: chat\r\n\
         \r\n"
    );
    assert_eq!(accepted.protocol.as_deref(), Some("chat"));
}

#[test]
fn http_1_0_request_from_the_wire_is_refused_with_400() {
    let bytes = String::from_utf8(RFC_REQUEST.to_vec())
        .unwrap()
        .replacen("HTTP/1.1", "HTTP/1.0", 1);
    let (request, _) = parse_request(bytes.as_bytes()).unwrap().unwrap();
    let refusal = ServerHandshake::accept(&request, &ServerOptions::default()).unwrap_err();
    assert_eq!(refusal.reason(), RefusalReason::HttpVersionTooOld);
    assert_eq!(refusal.status(), 400);
}

#[test]
fn partial_request_needs_more_at_every_split() {
    for split in 0..RFC_REQUEST.len() {
        assert_eq!(
            parse_request(&RFC_REQUEST[..split]),
            Ok(None),
            "split at {split}"
        );
    }
}

#[test]
fn leftover_frame_bytes_after_the_request_are_not_consumed() {
    let mut bytes = RFC_REQUEST.to_vec();
    bytes.extend_from_slice(b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58");
    let (_, len) = parse_request(&bytes).unwrap().unwrap();
    assert_eq!(
        &bytes[len..],
        b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"
    );
}

#[test]
fn client_and_server_agree() {
    let options = ClientOptions {
        protocols: vec!["v2.chat".into(), "chat".into()],
        additional_headers: vec![("Origin".into(), "http://example.com".into())],
    };
    let client = ClientHandshake::new("ws://127.0.0.1:9001/chat?x=1", &options).unwrap();
    let (request, _) = parse_request(client.request_bytes()).unwrap().unwrap();
    assert_eq!(request.target, "/chat?x=1");
    let server = ServerOptions {
        accept_protocols: vec!["chat".into(), "v2.chat".into()],
        additional_headers: vec![("X-Served-By".into(), "test".into())],
    };
    let accepted = ServerHandshake::accept(&request, &server).unwrap();
    // The client's preference wins: v2.chat was offered first.
    assert_eq!(accepted.protocol.as_deref(), Some("v2.chat"));
    let (response, len) = client.parse_response(&accepted.response).unwrap().unwrap();
    assert_eq!(len, accepted.response.len());
    assert_eq!(response.protocol(), Some("v2.chat"));
    assert_eq!(response.header("x-served-by"), Some("test"));
}

#[test]
fn another_clients_key_is_a_mismatch() {
    let options = ClientOptions::default();
    let ours = ClientHandshake::new("ws://h/", &options).unwrap();
    let theirs = ClientHandshake::new("ws://h/", &options).unwrap();
    let (request, _) = parse_request(theirs.request_bytes()).unwrap().unwrap();
    let accepted = ServerHandshake::accept(&request, &ServerOptions::default()).unwrap();
    assert_eq!(
        ours.parse_response(&accepted.response),
        Err(HandshakeError::AcceptMismatch)
    );
}

#[test]
fn garbage_never_panics() {
    // A cheap deterministic sweep: every prefix of byte soup around the interesting characters.
    let soup: Vec<u8> = (0..2048u32)
        .map(|i| b"GET / HTTP/1.1\r\n:\0\xff a"[(i.wrapping_mul(2654435761) >> 7) as usize % 21])
        .collect();
    for end in 0..soup.len() {
        let _ = parse_request(&soup[..end]);
    }
    let client = ClientHandshake::new("ws://h/", &ClientOptions::default()).unwrap();
    for end in 0..soup.len() {
        let _ = client.parse_response(&soup[..end]);
    }
}
