//! Micro-benchmarks of the receive path's building blocks (divan):
//!
//! - `frame_header`: parsing a 2-, 4- and 14-octet frame header;
//! - `unmask`: unmasking in place, and unmasking while copying (`extend_masked`, the receive
//!   path's one copy), in GB/s beside a plain `memcpy` of the same size;
//! - `utf8`: incremental validation of ASCII and of mixed-script text, in GB/s;
//! - `handshake`: parsing an opening-handshake request, and building the server's answer.
//!
//! `cargo bench -p websocket-driver --bench micro` runs them; CI only builds them
//! (`cargo bench --no-run`), timing on shared runners means nothing.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use websocket_driver::frame::mask::{apply_mask, extend_masked};
use websocket_driver::frame::FrameHeader;
use websocket_driver::handshake::parse_request;
use websocket_driver::utf8::Utf8Validator;
use websocket_driver::ws::{make_server, Options};

fn main() {
    divan::main();
}

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// Payload sizes: a chat message, a page, a socket read, a large message.
const SIZES: &[usize] = &[64, 1024, 16 * 1024, 1024 * 1024];

mod frame_header {
    use super::*;

    /// A masked binary frame header with each of the three length forms.
    fn header(len: u64) -> Vec<u8> {
        let mut out = Vec::new();
        FrameHeader::new(true, websocket_driver::OpCode::Binary, Some(KEY), len).encode(&mut out);
        out.extend_from_slice(&[0; 16]);
        out
    }

    #[divan::bench(args = [16, 1024, 1 << 20])]
    fn parse(bencher: Bencher, len: u64) {
        let bytes = header(len);
        bencher.bench(|| FrameHeader::parse(black_box(&bytes)));
    }
}

mod unmask {
    use super::*;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7) as u8).collect()
    }

    /// XOR in place, 8 octets at a time.
    #[divan::bench(args = SIZES)]
    fn in_place(bencher: Bencher, len: usize) {
        let mut buf = data(len);
        bencher
            .counter(BytesCount::new(len))
            .bench_local(|| apply_mask(black_box(&mut buf), KEY, 0));
    }

    /// Copy from the read buffer into the message and unmask (what receiving does).
    #[divan::bench(args = SIZES)]
    fn copy_and_unmask(bencher: Bencher, len: usize) {
        let src = data(len);
        let mut dst = Vec::with_capacity(len);
        bencher.counter(BytesCount::new(len)).bench_local(|| {
            dst.clear();
            extend_masked(&mut dst, black_box(&src), Some(KEY), 0);
        });
    }

    /// The floor: the same copy without unmasking.
    #[divan::bench(args = SIZES)]
    fn memcpy(bencher: Bencher, len: usize) {
        let src = data(len);
        let mut dst = Vec::with_capacity(len);
        bencher.counter(BytesCount::new(len)).bench_local(|| {
            dst.clear();
            dst.extend_from_slice(black_box(&src));
        });
    }
}

mod utf8 {
    use super::*;

    fn ascii(len: usize) -> Vec<u8> {
        (0..len).map(|i| b' ' + (i % 90) as u8).collect()
    }

    /// Latin, Greek, CJK and emoji: 1- to 4-octet characters.
    fn mixed(len: usize) -> Vec<u8> {
        let unit = "héllo κόσμε 世界 🎉 ".as_bytes();
        let mut out: Vec<u8> = unit.iter().copied().cycle().take(len + 8).collect();
        while std::str::from_utf8(&out).is_err() {
            out.pop();
        }
        out
    }

    #[divan::bench(args = SIZES)]
    fn validate_ascii(bencher: Bencher, len: usize) {
        let text = ascii(len);
        bencher
            .counter(BytesCount::new(len))
            .bench_local(|| Utf8Validator::new().feed(black_box(&text)));
    }

    #[divan::bench(args = SIZES)]
    fn validate_mixed(bencher: Bencher, len: usize) {
        let text = mixed(len);
        bencher
            .counter(BytesCount::new(text.len()))
            .bench_local(|| Utf8Validator::new().feed(black_box(&text)));
    }

    /// The standard library's validator, for comparison.
    #[divan::bench(args = SIZES)]
    fn std_mixed(bencher: Bencher, len: usize) {
        let text = mixed(len);
        bencher
            .counter(BytesCount::new(text.len()))
            .bench_local(|| std::str::from_utf8(black_box(&text)).is_ok());
    }
}

mod handshake {
    use super::*;

    const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
        Host: server.example.com\r\n\
        Upgrade: websocket\r\n\
        Connection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Origin: http://example.com\r\n\
        Sec-WebSocket-Protocol: chat, superchat\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";

    /// The request head only (httparse plus our checks of the fields).
    #[divan::bench]
    fn parse(bencher: Bencher) {
        bencher.bench(|| parse_request(black_box(REQUEST)));
    }

    /// Parse, then accept: the 101 response with its SHA-1 accept key.
    #[divan::bench]
    fn parse_and_accept(bencher: Bencher) {
        bencher.bench(|| {
            let Ok(Some((request, _))) = parse_request(black_box(REQUEST)) else {
                unreachable!("the sample request is valid");
            };
            make_server(&request, Options::new()).is_ok()
        });
    }
}
