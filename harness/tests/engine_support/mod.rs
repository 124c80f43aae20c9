//! Small echo servers for the engine tests, each breaking (at most) one rule, built on plain
//! tokio TCP with the harness's own handshake and frame codec.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use websocket_harness::case::{Case, CaseId};
use websocket_harness::engine::{run_case_against_server, CaseContext, ServerTarget};
use websocket_harness::handshake::server_handshake;
use websocket_harness::report::CaseRecord;
use websocket_harness::wire::{encode_frame, DecodedFrame, FrameCollector, FrameSpec};

/// How a test server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// A conforming echo server: echoes messages, answers pings, fails bad input with the
    /// right code, answers a close with 1000 and then drops TCP.
    Good,
    /// Echoes, but never sends a close and never drops TCP (ignores close frames and errors).
    NeverCloses,
    /// Echoes, but drops TCP instead of sending a close (on a close or an error).
    DropsInsteadOfClose,
    /// Echoes, but closes with a wrong code: 1001 in reply to a close, 1000 on errors.
    WrongCloseCode,
    /// Reads and closes correctly, but echoes nothing.
    NoEcho,
    /// Answers the opening handshake with 404.
    RejectsHandshake,
}

/// Starts a server on 127.0.0.1 and returns its URL.
pub async fn start(behavior: Behavior) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handle(stream, behavior));
        }
    });
    format!("ws://{addr}/")
}

fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    encode_frame(&FrameSpec {
        opcode,
        fin: true,
        rsv: 0,
        mask: None,
        payload,
        length_field: None,
    })
}

fn close(code: u16) -> Vec<u8> {
    frame(8, &code.to_be_bytes())
}

enum Next {
    Continue,
    /// Sent a close: wait for the client's close, then drop.
    Closing,
    Drop,
}

async fn handle(mut s: TcpStream, b: Behavior) {
    if b == Behavior::RejectsHandshake {
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).await;
        let _ = s
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    let Ok(hs) = server_handshake(&mut s, "TestServer/1.0", &[], Duration::from_secs(5)).await
    else {
        return;
    };
    let mut frames = FrameCollector::new(1 << 25);
    let mut message: Option<(u8, Vec<u8>)> = None;
    let mut input = hs.leftover;
    let mut buf = vec![0u8; 65536];
    let mut closing = false;
    loop {
        for f in frames.push(&input) {
            if closing {
                if f.head.opcode == 8 {
                    return;
                }
                continue;
            }
            match on_frame(&mut s, b, &f, &mut message).await {
                Next::Continue => {}
                Next::Closing => closing = true,
                Next::Drop => return,
            }
        }
        let read = tokio::time::timeout(Duration::from_secs(30), s.read(&mut buf)).await;
        match read {
            Ok(Ok(n)) if n > 0 => input = buf[..n].to_vec(),
            _ => return,
        }
    }
}

/// Fails the connection with `code`, the way the behavior does it.
async fn fail(s: &mut TcpStream, b: Behavior, code: u16) -> Next {
    match b {
        Behavior::NeverCloses => Next::Continue,
        Behavior::DropsInsteadOfClose => Next::Drop,
        Behavior::WrongCloseCode => {
            let _ = s
                .write_all(&close(if code == 1000 { 1001 } else { 1000 }))
                .await;
            Next::Closing
        }
        _ => {
            let _ = s.write_all(&close(code)).await;
            Next::Closing
        }
    }
}

async fn on_frame(
    s: &mut TcpStream,
    b: Behavior,
    f: &DecodedFrame,
    message: &mut Option<(u8, Vec<u8>)>,
) -> Next {
    let h = f.head;
    if h.rsv != 0 || matches!(h.opcode, 3..=7 | 11..=15) || !h.masked {
        return fail(s, b, 1002).await;
    }
    if h.opcode >= 8 && (!h.fin || h.payload_len > 125) {
        return fail(s, b, 1002).await;
    }
    match h.opcode {
        8 => {
            // The client's close is in: after failing, the closing handshake is complete.
            let after_close = |n| match n {
                Next::Closing => Next::Drop,
                other => other,
            };
            if f.payload.len() == 1 {
                return after_close(fail(s, b, 1002).await);
            }
            if f.payload.len() >= 2 {
                let code = u16::from_be_bytes([f.payload[0], f.payload[1]]);
                let valid = matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999);
                if !valid {
                    return after_close(fail(s, b, 1002).await);
                }
                if std::str::from_utf8(&f.payload[2..]).is_err() {
                    return after_close(fail(s, b, 1007).await);
                }
            }
            match b {
                Behavior::NeverCloses => Next::Continue,
                Behavior::DropsInsteadOfClose => Next::Drop,
                Behavior::WrongCloseCode => {
                    let _ = s.write_all(&close(1001)).await;
                    Next::Drop
                }
                _ => {
                    let _ = s.write_all(&close(1000)).await;
                    Next::Drop
                }
            }
        }
        9 => {
            let _ = s.write_all(&frame(10, &f.payload)).await;
            Next::Continue
        }
        10 => Next::Continue,
        0..=2 => {
            match (h.opcode, message.as_mut()) {
                (0, Some((_, data))) => data.extend_from_slice(&f.payload),
                (1 | 2, None) => *message = Some((h.opcode, f.payload.clone())),
                _ => return fail(s, b, 1002).await,
            }
            if !h.fin {
                return Next::Continue;
            }
            let Some((op, data)) = message.take() else {
                return Next::Continue;
            };
            if op == 1 && std::str::from_utf8(&data).is_err() {
                return fail(s, b, 1007).await;
            }
            if b != Behavior::NoEcho {
                let _ = s.write_all(&frame(op, &data)).await;
            }
            Next::Continue
        }
        _ => Next::Continue,
    }
}

/// Loads a case of the committed corpus.
pub fn corpus_case(id: &str) -> Case {
    let id: CaseId = id.parse().expect("case id");
    let section = id
        .to_string()
        .split('.')
        .next()
        .unwrap_or_default()
        .to_owned();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/cases")
        .join(section)
        .join(format!("{id}.json"));
    Case::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `case` against a fresh server with `behavior`.
pub async fn run(behavior: Behavior, case: &Case) -> CaseRecord {
    let url = start(behavior).await;
    let target = ServerTarget {
        url,
        origin: None,
        protocols: Vec::new(),
        tls: Default::default(),
    };
    let ctx = CaseContext {
        case_number: 1,
        agent: "TestServer".into(),
    };
    run_case_against_server(case, &target, &ctx).await
}
