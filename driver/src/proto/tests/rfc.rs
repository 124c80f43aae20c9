//! RFC 6455 section 5.7 examples through a whole connection.

use super::*;
use crate::proto::Message;

#[test]
fn client_receives_unmasked_hello() {
    let mut conn = client();
    conn.handle_bytes(&[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    assert_eq!(
        events(&mut conn),
        [Event::Message(Message::Text("Hello".into()))]
    );
}

#[test]
fn server_receives_masked_hello() {
    let mut conn = server();
    conn.handle_bytes(&[
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ]);
    assert_eq!(
        events(&mut conn),
        [Event::Message(Message::Text("Hello".into()))]
    );
}

#[test]
fn client_receives_fragmented_hello() {
    let mut conn = client();
    conn.handle_bytes(&[0x01, 0x03, 0x48, 0x65, 0x6c]);
    assert_eq!(events(&mut conn), []);
    conn.handle_bytes(&[0x80, 0x02, 0x6c, 0x6f]);
    assert_eq!(
        events(&mut conn),
        [Event::Message(Message::Text("Hello".into()))]
    );
}

#[test]
fn ping_hello_is_answered_with_pong_hello() {
    let mut conn = client();
    conn.handle_bytes(&[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    assert_eq!(events(&mut conn), [Event::Ping(b"Hello".to_vec())]);
    let out = written(&mut conn);
    assert_eq!(
        out,
        [Written {
            fin: true,
            opcode: OpCode::Pong,
            masked: true,
            payload: b"Hello".to_vec()
        }]
    );
}

#[test]
fn server_writes_the_rfc_bytes() {
    let mut conn = server();
    conn.send_text("Hello").expect("open");
    assert_eq!(
        conn.pending_transmit(),
        [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
    );
    conn.consume_transmit(7);
    conn.send_frame(OpCode::Text, b"Hel", false).expect("open");
    conn.send_frame(OpCode::Continuation, b"lo", true)
        .expect("open");
    assert_eq!(
        conn.pending_transmit(),
        [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]
    );
    conn.consume_transmit(9);
    conn.send_ping(b"Hello").expect("open");
    assert_eq!(
        conn.pending_transmit(),
        [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
    );
    conn.consume_transmit(7);
    assert_eq!(conn.bytes_written_total(), 23);
}

#[test]
fn server_writes_256_and_65536_byte_binary_headers() {
    let mut conn = server();
    conn.send_binary(&[0xab; 256]).expect("open");
    assert_eq!(conn.pending_transmit()[..4], [0x82, 0x7e, 0x01, 0x00]);
    assert_eq!(conn.pending_transmit().len(), 4 + 256);
    conn.consume_transmit(usize::MAX);
    conn.send_binary(&vec![0xcd; 65536]).expect("open");
    assert_eq!(
        conn.pending_transmit()[..10],
        [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]
    );
    assert_eq!(conn.pending_transmit().len(), 10 + 65536);
}

#[test]
fn server_receives_256_and_65536_byte_binary() {
    for len in [256, 65536] {
        let mut conn = server();
        let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        conn.handle_bytes(&frame_to(Role::Server, true, OpCode::Binary, &data));
        assert_eq!(events(&mut conn), [Event::Message(Message::Binary(data))]);
    }
}

#[test]
fn client_masks_every_frame_with_a_fresh_key() {
    let mut conn = client();
    conn.send_text("Hello").expect("open");
    conn.send_text("Hello").expect("open");
    let bytes = conn.pending_transmit().to_vec();
    let (first, len) = FrameHeader::parse(&bytes)
        .expect("valid")
        .expect("complete");
    let (second, _) = FrameHeader::parse(&bytes[len + 5..])
        .expect("valid")
        .expect("complete");
    assert!(first.mask.is_some() && second.mask.is_some());
    assert_ne!(first.mask, second.mask);
    let frames = written(&mut conn);
    assert!(frames.iter().all(|f| f.masked && f.payload == b"Hello"));
}

#[test]
fn seeded_clients_write_the_same_bytes() {
    let mut a = Connection::with_seed(Role::Client, Config::default(), 42);
    let mut b = Connection::with_seed(Role::Client, Config::default(), 42);
    for conn in [&mut a, &mut b] {
        conn.send_binary(b"payload").expect("open");
        conn.send_ping(b"p").expect("open");
    }
    assert_eq!(a.pending_transmit(), b.pending_transmit());
}
