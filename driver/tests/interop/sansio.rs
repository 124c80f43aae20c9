//! Our sans-IO core ([`Connection`] and the [`handshake`](websocket_driver::handshake) module)
//! over a plain `TcpStream`, for what the seed's API does not offer: sending one message in
//! several frames ([`Connection::send_frame`]).

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use websocket_driver::handshake::{
    parse_request, ClientHandshake, ClientOptions, ServerHandshake, ServerOptions,
};
use websocket_driver::{Config, Connection, Event, OpCode, Role};

use crate::peer::within;

/// One connection run by the core.
pub(crate) struct Sansio {
    stream: TcpStream,
    conn: Connection,
}

impl Sansio {
    /// Connects to `url` (`ws://127.0.0.1:PORT/...`) as a client.
    pub(crate) async fn connect(url: &str) -> Self {
        let handshake = ClientHandshake::new(url, &ClientOptions::default()).expect("a ws:// URL");
        let addr = format!("{}:{}", handshake.host(), handshake.port());
        let mut stream = within("connect", TcpStream::connect(addr))
            .await
            .expect("connect");
        stream
            .write_all(handshake.request_bytes())
            .await
            .expect("write the request");
        let mut buf = Vec::new();
        let used = loop {
            if let Some((response, used)) = handshake.parse_response(&buf).expect("a valid 101") {
                assert_eq!(response.status, 101);
                break used;
            }
            read_into(&mut stream, &mut buf, "the 101 response").await;
        };
        Self::open(stream, Role::Client, &buf[used..])
    }

    /// Accepts one connection on `listener` as a server.
    pub(crate) async fn accept(listener: &TcpListener) -> Self {
        let (mut stream, _) = within("a connection", listener.accept())
            .await
            .expect("accept");
        let mut buf = Vec::new();
        let (request, used) = loop {
            if let Some(parsed) = parse_request(&buf).expect("a valid upgrade request") {
                break parsed;
            }
            read_into(&mut stream, &mut buf, "the upgrade request").await;
        };
        let accepted = ServerHandshake::accept(&request, &ServerOptions::default())
            .unwrap_or_else(|refusal| panic!("refused: {refusal:?}"));
        stream
            .write_all(&accepted.response)
            .await
            .expect("write the response");
        Self::open(stream, Role::Server, &buf[used..])
    }

    fn open(stream: TcpStream, role: Role, early: &[u8]) -> Self {
        let mut conn = Connection::new(role, Config::default());
        conn.handle_bytes(early);
        Self { stream, conn }
    }

    /// Queues one frame as given.
    pub(crate) fn send_frame(&mut self, opcode: OpCode, payload: &[u8], fin: bool) {
        self.conn
            .send_frame(opcode, payload, fin)
            .expect("the frame is valid and the connection open");
    }

    /// Starts the closing handshake.
    pub(crate) fn close(&mut self, code: u16, reason: &str) {
        self.conn.close(Some(code), reason).expect("open");
    }

    /// Writes what is queued, then waits for the next event.
    pub(crate) async fn next_event(&mut self) -> Event {
        loop {
            let event = self.conn.poll_event();
            // Polling a close event queues the close frame we owe: write after polling.
            self.flush().await;
            if let Some(event) = event {
                return event;
            }
            self.read().await;
        }
    }

    /// After the close event: runs until the connection says to close TCP (a server at once, a
    /// client once the server has closed it, RFC 6455 section 7.1.1), then closes it.
    pub(crate) async fn finish(mut self) {
        loop {
            self.flush().await;
            if self.conn.should_close_tcp() {
                let _ = self.stream.shutdown().await;
                return;
            }
            self.read().await;
        }
    }

    async fn flush(&mut self) {
        let pending = self.conn.pending_transmit().len();
        if pending > 0 {
            let bytes = self.conn.pending_transmit().to_vec();
            self.stream.write_all(&bytes).await.expect("write");
            self.conn.consume_transmit(pending);
        }
    }

    async fn read(&mut self) {
        let mut chunk = vec![0; 64 * 1024];
        match within("the peer's frames", self.stream.read(&mut chunk)).await {
            Ok(0) | Err(_) => self.conn.handle_eof(),
            Ok(n) => self.conn.handle_bytes(&chunk[..n]),
        }
    }
}

async fn read_into(stream: &mut TcpStream, buf: &mut Vec<u8>, what: &str) {
    let mut chunk = [0; 4096];
    let n = within(what, stream.read(&mut chunk))
        .await
        .unwrap_or_else(|e| panic!("reading {what}: {e}"));
    assert!(n > 0, "the peer closed before {what}");
    buf.extend_from_slice(&chunk[..n]);
}
