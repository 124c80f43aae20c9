//! Shared helpers: a server on an ephemeral port, a timeout on every wait, an event
//! recorder for listeners, and a raw client that writes frames by hand.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use websocket_driver::tokio::serve;
use websocket_driver::ws::{Options, Server, Side, WebSocket};

/// Fails the test instead of hanging when something never happens.
pub(crate) async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(10), future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out: {what}"),
    }
}

/// Serves on 127.0.0.1, an ephemeral port, for the rest of the test.
pub(crate) async fn server<F>(options: Options, setup: F) -> SocketAddr
where
    F: Fn(&mut Server) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, options, setup));
    addr
}

/// An echo server whose listeners also report to the returned recorder.
pub(crate) async fn echo_server(options: Options) -> (SocketAddr, Events) {
    let (events, reporter) = Events::new();
    let addr = server(options, move |ws| {
        reporter.attach(ws, "server");
        let r = reporter.clone();
        ws.on_message(move |ws, message| {
            r.push(format!("server message {}", describe(&message)));
            ws.send(message);
        });
    })
    .await;
    (addr, events)
}

/// A short description of a message: its type and length, and the text if short.
pub(crate) fn describe(message: &websocket_driver::Message) -> String {
    match message {
        websocket_driver::Message::Text(t) if t.len() <= 32 => format!("text {t:?}"),
        websocket_driver::Message::Text(t) => format!("text of {} bytes", t.len()),
        websocket_driver::Message::Binary(b) => format!("binary of {} bytes", b.len()),
    }
}

/// What listeners saw, in order, across tasks.
pub(crate) struct Events(mpsc::UnboundedReceiver<String>);

/// The listeners' end of [`Events`].
#[derive(Clone)]
pub(crate) struct Reporter(mpsc::UnboundedSender<String>);

impl Events {
    pub(crate) fn new() -> (Self, Reporter) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self(rx), Reporter(tx))
    }

    /// The next event.
    pub(crate) async fn next(&mut self) -> String {
        within("the next event", self.0.recv())
            .await
            .expect("reporters gone")
    }

    /// Waits for an event with this prefix, skipping others, and returns it.
    pub(crate) async fn wait_for(&mut self, prefix: &str) -> String {
        loop {
            let event = self.next().await;
            if event.starts_with(prefix) {
                return event;
            }
        }
    }

    /// The events already reported, without waiting.
    pub(crate) fn drain(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(event) = self.0.try_recv() {
            out.push(event);
        }
        out
    }
}

impl Reporter {
    pub(crate) fn push(&self, event: impl Into<String>) {
        // The test may be over and the receiver gone; nothing to report to then.
        let _ = self.0.send(event.into());
    }

    /// Sets all four listeners of `ws` to report as `who`.
    pub(crate) fn attach<S: Side>(&self, ws: &mut WebSocket<S>, who: &'static str) {
        let r = self.clone();
        ws.on_open(move |ws| r.push(format!("{who} open {:?}", ws.protocol())));
        let r = self.clone();
        ws.on_message(move |_, m| r.push(format!("{who} message {}", describe(&m))));
        let r = self.clone();
        ws.on_error(move |_, e| r.push(format!("{who} error {e}")));
        let r = self.clone();
        ws.on_close(move |_, code, reason| r.push(format!("{who} close {code} {reason}")));
    }
}

/// A client that speaks the handshake and then writes whatever frames a test wants,
/// valid or not, and reads the server's frames back.
pub(crate) struct Raw {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// A frame as read back: FIN, opcode, payload.
pub(crate) type Frame = (bool, u8, Vec<u8>);

impl Raw {
    /// Connects and completes the handshake; panics unless the server answers 101.
    pub(crate) async fn connect(addr: SocketAddr) -> Self {
        let (raw, head) = Self::request(addr, "Sec-WebSocket-Version: 13\r\n").await;
        assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
        raw
    }

    /// Sends a request with the usual headers plus `extra`, and returns the response head.
    pub(crate) async fn request(addr: SocketAddr, extra: &str) -> (Self, String) {
        let mut stream = within("connect", TcpStream::connect(addr)).await.unwrap();
        let request = format!(
            "GET /raw HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Self {
            stream,
            buf: Vec::new(),
        };
        let head = loop {
            if let Some(end) = raw.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head: Vec<u8> = raw.buf.drain(..end + 4).collect();
                break String::from_utf8(head).unwrap();
            }
            if !raw.fill().await {
                break String::from_utf8_lossy(&raw.buf).into_owned();
            }
        };
        (raw, head)
    }

    /// Writes raw bytes.
    pub(crate) async fn write(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// Writes one frame, masked with a fixed key unless `masked` is false.
    pub(crate) async fn send(&mut self, fin: bool, opcode: u8, payload: &[u8], masked: bool) {
        let bytes = encode(fin, opcode, payload, masked);
        self.write(&bytes).await;
    }

    /// Reads the next frame; `None` at end of stream.
    pub(crate) async fn frame(&mut self) -> Option<Frame> {
        loop {
            if let Some((frame, len)) = decode(&self.buf) {
                self.buf.drain(..len);
                return Some(frame);
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// Reads until the server closes the stream; returns whether it did (rather than reset).
    pub(crate) async fn eof(&mut self) -> bool {
        let mut chunk = [0; 4096];
        loop {
            match within("end of stream", self.stream.read(&mut chunk)).await {
                Ok(0) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    }

    /// Drops the connection without a close frame.
    pub(crate) fn abort(self) {
        drop(self.stream);
    }

    async fn fill(&mut self) -> bool {
        let mut chunk = [0; 4096];
        match within("server bytes", self.stream.read(&mut chunk)).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }
}

/// Encodes a frame (RFC 6455 section 5.2).
pub(crate) fn encode(fin: bool, opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let mut out = vec![(u8::from(fin) << 7) | opcode];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= 0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// Decodes an unmasked frame from the start of `buf`, with its length.
fn decode(buf: &[u8]) -> Option<(Frame, usize)> {
    let (&b0, &b1) = (buf.first()?, buf.get(1)?);
    assert_eq!(b1 & 0x80, 0, "server frames are not masked");
    let (len, at) = match b1 & 0x7f {
        126 => (
            u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?) as usize,
            4,
        ),
        127 => (
            u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let payload = buf.get(at..at + len)?.to_vec();
    Some(((b0 & 0x80 != 0, b0 & 0x0f, payload), at + len))
}

/// The code of a close frame's payload.
pub(crate) fn close_code(payload: &[u8]) -> u16 {
    u16::from_be_bytes([payload[0], payload[1]])
}

/// Connects our client to `addr` with its listeners reporting as "client".
pub(crate) async fn client(
    addr: SocketAddr,
    options: Options,
) -> (websocket_driver::tokio::Handle, Events) {
    let (events, reporter) = Events::new();
    let url = format!("ws://{addr}/echo");
    let handle = within(
        "connect",
        websocket_driver::tokio::connect(&url, options, move |ws| reporter.attach(ws, "client")),
    )
    .await
    .expect("connect");
    (handle, events)
}
