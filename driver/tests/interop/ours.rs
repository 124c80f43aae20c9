//! Our side: the driver's seed API through the tokio adapter, as a server
//! ([`serve_with_handle`]) or a client ([`connect`]), with its listeners reporting [`Ev`]ents.

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use websocket_driver::tokio::{connect, serve_with_handle, Handle};
use websocket_driver::ws::{Message, Options, Side, WebSocket};

use crate::peer::{within, AbortOnDrop, STEP};

/// What our socket's listeners saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ev {
    /// `open`, with the agreed subprotocol.
    Open(Option<String>),
    /// `message`.
    Message(Message),
    /// `error`, as text.
    Error(String),
    /// `close`, with the code and reason.
    Close(u16, String),
}

/// Our socket's events, in order.
#[derive(Debug)]
pub(crate) struct Ours(mpsc::UnboundedReceiver<Ev>);

impl Ours {
    /// The next event.
    pub(crate) async fn next(&mut self, what: &str) -> Ev {
        match tokio::time::timeout(STEP, self.0.recv()).await {
            Ok(Some(ev)) => ev,
            Ok(None) => panic!("our socket is gone, waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what} on our side"),
        }
    }

    /// Asserts that the next event is a message equal to `expected`.
    pub(crate) async fn message(&mut self, expected: &Message) {
        match self.next("a message").await {
            Ev::Message(m) if &m == expected => {}
            Ev::Message(m) => panic!(
                "got a different message: {} instead of {}",
                describe(&m),
                describe(expected)
            ),
            other => panic!("expected {}, got {other:?}", describe(expected)),
        }
    }

    /// Asserts that the next event is `close` with `code` and `reason`.
    pub(crate) async fn close(&mut self, code: u16, reason: &str) {
        let ev = self.next("close").await;
        assert_eq!(ev, Ev::Close(code, reason.to_owned()));
    }
}

/// A message's type and length, and its text when short: for failure messages, which must not
/// print 16 MiB.
pub(crate) fn describe(message: &Message) -> String {
    match message {
        Message::Text(t) if t.len() <= 40 => format!("text {t:?}"),
        Message::Text(t) => format!("text of {} bytes", t.len()),
        Message::Binary(b) if b.len() <= 16 => format!("binary {b:?}"),
        Message::Binary(b) => format!("binary of {} bytes", b.len()),
    }
}

/// Sets the four listeners of `ws` to report on `tx`.
fn attach<S: Side>(ws: &mut WebSocket<S>, tx: &mpsc::UnboundedSender<Ev>) {
    let t = tx.clone();
    ws.on_open(move |ws| {
        let _ = t.send(Ev::Open(ws.protocol().map(str::to_owned)));
    });
    let t = tx.clone();
    ws.on_message(move |_, m| {
        let _ = t.send(Ev::Message(m));
    });
    let t = tx.clone();
    ws.on_error(move |_, e| {
        let _ = t.send(Ev::Error(e.to_string()));
    });
    let t = tx.clone();
    ws.on_close(move |_, code, reason| {
        let _ = t.send(Ev::Close(code, reason.to_owned()));
    });
}

/// Our server on a free loopback port: the port, each connection's handle and events, and the
/// accept loop, stopped when dropped.
pub(crate) async fn server(
    options: Options,
) -> (u16, mpsc::UnboundedReceiver<(Handle, Ours)>, AbortOnDrop) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("local address").port();
    let (conn_tx, conn_rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let _ = serve_with_handle(listener, options, move |ws, handle| {
            let (tx, rx) = mpsc::unbounded_channel();
            attach(ws, &tx);
            let _ = conn_tx.send((handle, Ours(rx)));
        })
        .await;
    });
    (port, conn_rx, AbortOnDrop(task))
}

/// Our client connected to `url`, or the error `connect` gave with the events seen so far.
pub(crate) async fn client(url: &str, options: Options) -> Result<(Handle, Ours), (String, Ours)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let connected = within(
        "our client's connect",
        connect(url, options, |ws| attach(ws, &tx)),
    )
    .await;
    match connected {
        Ok(handle) => Ok((handle, Ours(rx))),
        Err(e) => Err((e.to_string(), Ours(rx))),
    }
}
