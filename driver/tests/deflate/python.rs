//! Interop with Python `websockets` (its own permessage-deflate, on zlib): our client against
//! `peers/python/echo_server.py` with `WS_DEFLATE=1`, and its client against our server, each with
//! default and restrictive parameters. Skipped, with a message on stderr, when
//! `/work/main/.venv` (CI installs it from `peers/python/requirements.txt`) is missing.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use websocket_driver::ext::deflate::{DeflateConfig, DeflateParams};
use websocket_driver::handshake::parse_request;
use websocket_driver::ws::{make_client, make_server, Message, Options, Side, WebSocket};

use crate::wire::all_data_compressed;

const LIMIT: Duration = Duration::from_secs(30);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
}

/// The venv's Python, or `None` after saying on stderr (uncaptured) why the test is skipped.
fn python(test: &str) -> Option<PathBuf> {
    let python = repo().join(".venv/bin/python");
    let usable = Command::new(&python)
        .args(["-c", "import websockets"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if usable {
        return Some(python);
    }
    // Written to the real stderr, which the test harness does not capture.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: no Python with `websockets` at {} \
         (python3 -m venv .venv && .venv/bin/pip install -r peers/python/requirements.txt)",
        python.display()
    );
    None
}

/// Runs `ws` over `stream` until it is done; returns every byte read.
fn drive<S: Side>(ws: &mut WebSocket<S>, stream: &mut TcpStream) -> Vec<u8> {
    let start = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut received = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        assert!(start.elapsed() < LIMIT, "the connection did not finish");
        ws.handle_timeout(Instant::now());
        let pending = ws.pending_transmit().to_vec();
        if !pending.is_empty() {
            stream.write_all(&pending).unwrap();
            ws.consume_transmit(pending.len());
            continue;
        }
        if ws.should_close_tcp() {
            return received;
        }
        match stream.read(&mut buf) {
            Ok(0) => ws.handle_eof(),
            Ok(n) => {
                received.extend_from_slice(&buf[..n]);
                ws.parse(&buf[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => ws.handle_eof(),
        }
    }
}

/// Text and binary messages of several sizes, with repeats for context takeover to find.
fn messages() -> Vec<Message> {
    vec![
        Message::Text("hello websocket ".repeat(1000)),
        Message::Binary((0..=255u8).cycle().take(300_000).collect()),
        Message::Text("hello websocket ".repeat(1000)),
        Message::Text("é∂ƒ".repeat(5000)),
        Message::Binary(b"short".to_vec()),
    ]
}

/// Kills the child on drop, so that a failing assertion leaves no server behind.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn our_client_against_their_server(config: DeflateConfig) {
    let Some(python) = python("our_client_against_python_websockets") else {
        return;
    };
    let mut server = Reaped(
        Command::new(python)
            .arg(repo().join("peers/python/echo_server.py"))
            .arg("127.0.0.1:0")
            .env("WS_DEFLATE", "1")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start echo_server.py"),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();

    let sent = messages();
    let got = Arc::new(Mutex::new(Vec::new()));
    let mut ws = make_client(&url, Options::new().deflate(config)).unwrap();
    let (to_send, sink, expected) = (sent.clone(), Arc::clone(&got), sent.len());
    ws.on_open(move |ws| {
        for message in &to_send {
            ws.send(message.clone());
        }
    });
    ws.on_message(move |ws, message| {
        let mut got = sink.lock().unwrap();
        got.push(message);
        if got.len() == expected {
            ws.close_connection();
        }
    });
    let mut stream = TcpStream::connect(url.trim_start_matches("ws://")).unwrap();
    ws.start_connection();
    let received = drive(&mut ws, &mut stream);
    assert_eq!(*got.lock().unwrap(), sent);
    let head = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let response = String::from_utf8_lossy(&received[..head]);
    assert!(response.contains("permessage-deflate"), "{response}");
    assert!(
        all_data_compressed(&received[head + 4..]),
        "websockets compresses every message"
    );
}

#[test]
fn our_client_against_python_websockets_defaults() {
    our_client_against_their_server(DeflateConfig::new().threshold(0));
}

#[test]
fn our_client_against_python_websockets_restricted() {
    let params = DeflateParams::new()
        .server_no_context_takeover(true)
        .client_no_context_takeover(true)
        .server_max_window_bits(9)
        .client_max_window_bits(10);
    our_client_against_their_server(DeflateConfig::new().params(params).threshold(0));
}

/// Their client: sends each message, checks the echo, prints the agreed extension.
const CLIENT: &str = r#"
import sys
from websockets.sync.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
if sys.argv[2] == "strict":
    factory = ClientPerMessageDeflateFactory(
        server_no_context_takeover=True, client_no_context_takeover=True,
        server_max_window_bits=9, client_max_window_bits=11)
    options = dict(compression=None, extensions=[factory])
else:
    options = dict(compression="deflate")
messages = ["hello websocket " * 1000, bytes(range(256)) * 1200, "hello websocket " * 1000,
            "é∂ƒ" * 5000, b"short", ""]
with connect(sys.argv[1], max_size=None, **options) as ws:
    for message in messages:
        ws.send(message)
        echo = ws.recv()
        assert echo == message, (len(echo), len(message))
    print(ws.response.headers.get("Sec-WebSocket-Extensions"))
"#;

fn their_client_against_our_server(mode: &str, expected_response: &str) {
    let Some(python) = python("python_websockets_against_our_server") else {
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut head = Vec::new();
        let mut buf = [0; 4096];
        let (request, len) = loop {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "the client left before its request");
            head.extend_from_slice(&buf[..n]);
            if let Some(parsed) = parse_request(&head).unwrap() {
                break parsed;
            }
        };
        let options = Options::new().deflate(DeflateConfig::new());
        let mut ws = make_server(&request, options).unwrap();
        ws.on_message(|ws, message| {
            ws.send(message);
        });
        ws.start_connection();
        ws.parse(&head[len..]);
        let mut received = head[len..].to_vec();
        received.extend(drive(&mut ws, &mut stream));
        received
    });
    let output = Command::new(python)
        .args(["-c", CLIENT, &url, mode])
        .output()
        .expect("run the Python client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "python client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.trim(), expected_response);
    let received = server.join().unwrap();
    assert!(
        all_data_compressed(&received),
        "websockets compresses every message"
    );
}

#[test]
fn python_websockets_against_our_server_defaults() {
    their_client_against_our_server("default", "permessage-deflate");
}

#[test]
fn python_websockets_against_our_server_restricted() {
    their_client_against_our_server(
        "strict",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
         server_max_window_bits=9; client_max_window_bits=11",
    );
}
