//! [`WebSocket`]: the seed's `ws` class, shared by [`Server`](super::Server) and
//! [`Client`](super::Client). It runs the opening handshake, then hands the frames to the
//! sans-IO [`Connection`] and turns its events into listener calls.

use std::marker::PhantomData;
use std::time::Instant;

use crate::error::ProtocolError;
use crate::proto::{Config, Connection, Event, Message, ReadyState};

use super::callbacks::{PingCallbacks, WriteCallbacks};
use super::listeners::{emit, Listeners};
use super::send::{self, Callback, Data, SendOptions, SendType};
use super::{Options, Side};

/// The close code reported when the transport closed before a close frame (RFC 6455
/// section 7.1.5: "If _The WebSocket Connection is Closed_ and no Close control frame was
/// received by the endpoint ..., _The WebSocket Connection Close Code_ is considered to
/// be 1006.").
const ABNORMAL_CLOSURE: u16 = 1006;

/// The close code reported when the opening handshake failed (faye and the seed report a
/// failed handshake as a protocol error).
const PROTOCOL_ERROR: u16 = 1002;

/// Where the opening handshake is.
pub(super) enum Phase {
    /// Made; `start_connection` has not been called.
    Idle,
    /// Client: the request is queued or sent; waiting for the server's 101.
    AwaitingResponse,
    /// The handshake is done; the frame layer decides the state.
    Open,
    /// The handshake failed, or the transport closed before it completed.
    Failed,
}

/// The side-specific handshake data.
pub(super) enum Handshake {
    /// The server's 101 response, built by `make_server`.
    Server { response: Vec<u8> },
    /// The client's request and, once sent, the response bytes received so far.
    Client {
        /// Builds the request and checks the response.
        handshake: Box<crate::handshake::ClientHandshake>,
        /// Response bytes received, until the head is complete.
        received: Vec<u8>,
    },
    /// Nothing left to do.
    Done,
}

/// A call made while connecting, run in order once the connection opens.
enum Queued {
    Send(Data<'static>, SendOptions),
    Ping(Vec<u8>, Option<Callback>),
    Close(Option<u16>, String),
}

/// A WebSocket connection, server or client (the seed's `ws` class): listeners, sends
/// and state on top of the sans-IO frame layer.
///
/// Made by [`make_server`](super::make_server) or [`make_client`](super::make_client);
/// see the [module docs](super) for the order in which the transport drives it.
pub struct WebSocket<S: Side> {
    conn: Connection,
    pub(super) phase: Phase,
    pub(super) handshake: Handshake,
    /// Handshake bytes, written before anything the frame layer queues.
    pub(super) out: Vec<u8>,
    /// Bytes of the frame layer's transmit buffer consumed so far: the stream offset that
    /// send callbacks wait for.
    consumed: u64,
    pub(super) protocol: Option<String>,
    pub(super) listeners: Listeners<S>,
    writes: WriteCallbacks,
    pings: PingCallbacks,
    queued: Vec<Queued>,
    /// Set while listeners run, so that a nested call does not dispatch events twice.
    dispatching: bool,
    /// The code and reason the `close` listener got, once it ran.
    close_info: Option<(u16, String)>,
    /// Why the client's handshake failed, if it did.
    pub(super) handshake_error: Option<crate::handshake::HandshakeError>,
    _side: PhantomData<fn() -> S>,
}

impl<S: Side> std::fmt::Debug for WebSocket<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("role", &S::ROLE)
            .field("ready_state", &self.ready_state())
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

// ===== construction (used by server.rs and client.rs) =====

impl<S: Side> WebSocket<S> {
    pub(super) fn with_handshake(options: &Options, handshake: Handshake) -> Self {
        let config = Config {
            max_length: options.max_length,
            close_timeout: options.close_timeout,
        };
        Self {
            conn: Connection::new(S::ROLE, config),
            phase: Phase::Idle,
            handshake,
            out: Vec::new(),
            consumed: 0,
            protocol: None,
            listeners: Listeners::default(),
            writes: WriteCallbacks::default(),
            pings: PingCallbacks::default(),
            queued: Vec::new(),
            dispatching: false,
            close_info: None,
            handshake_error: None,
            _side: PhantomData,
        }
    }

    /// The handshake is complete: run `open`, the calls queued meanwhile, and whatever the
    /// frame layer already has.
    pub(super) fn open(&mut self) {
        self.phase = Phase::Open;
        self.handshake = Handshake::Done;
        emit!(self, open);
        for call in std::mem::take(&mut self.queued) {
            match call {
                Queued::Send(data, options) => {
                    self.send_with(data, options);
                }
                Queued::Ping(payload, callback) => {
                    self.ping(payload, callback);
                }
                Queued::Close(code, reason) => {
                    self.close_with(code, &reason);
                }
            }
        }
        self.dispatch();
    }

    /// The handshake failed or the transport closed first: the connection is closed
    /// without ever opening, and `close` runs once.
    pub(super) fn fail(&mut self, code: u16, reason: &str) {
        self.phase = Phase::Failed;
        self.handshake = Handshake::Done;
        self.queued.clear();
        self.close_info = Some((code, reason.to_owned()));
        emit!(self, close, code, reason);
    }

    /// Turns permessage-deflate on in the frame layer, as the handshake agreed.
    #[cfg(feature = "deflate")]
    pub(super) fn enable_deflate(&mut self, negotiated: &crate::ext::deflate::Negotiated) {
        self.conn.enable_deflate(negotiated);
    }

    /// Feeds bytes to the frame layer once the handshake is done.
    pub(super) fn feed_frames(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.conn.handle_bytes(bytes);
        }
        self.dispatch();
    }
}

// ===== the seed's API =====

impl<S: Side> WebSocket<S> {
    /// Sets the `open` listener: called when the connection becomes open (for a server
    /// in [`start_connection`](Self::start_connection), for a client when the server's
    /// 101 arrives).
    pub fn on_open(&mut self, listener: impl FnMut(&mut Self) + Send + 'static) {
        self.listeners.open = Some(Box::new(listener));
    }

    /// Sets the `message` listener: called with each complete message,
    /// [`Message::Text`] or [`Message::Binary`].
    pub fn on_message(&mut self, listener: impl FnMut(&mut Self, Message) + Send + 'static) {
        self.listeners.message = Some(Box::new(listener));
    }

    /// Sets the `error` listener: called when the peer breaks the protocol, just before
    /// the connection closes with the code the error maps to (1002, 1007 or 1009).
    pub fn on_error(&mut self, listener: impl FnMut(&mut Self, ProtocolError) + Send + 'static) {
        self.listeners.error = Some(Box::new(listener));
    }

    /// Sets the `close` listener: called exactly once, with the close code and reason,
    /// when the connection is closed (1006 if the transport was lost without a close
    /// frame; 1002 if the opening handshake failed).
    pub fn on_close(&mut self, listener: impl FnMut(&mut Self, u16, &str) + Send + 'static) {
        self.listeners.close = Some(Box::new(listener));
    }

    /// Sends `data` as one message: text for text data, binary for bytes. Returns
    /// whether it was queued (false once the connection is closing or closed). Calls made
    /// while connecting are queued and run, in order, once the connection opens.
    pub fn send<'a>(&mut self, data: impl Into<Data<'a>>) -> bool {
        self.send_with(data, SendOptions::default())
    }

    /// The seed's `send` with its keyword arguments: a range, a type (text, binary, ping,
    /// pong, close with a code) and a callback run once the frame is written.
    ///
    /// Returns false, sending nothing, when the connection is closing or closed, the
    /// range is out of bounds or splits a character of text, text is not UTF-8, or a
    /// control frame payload is over 125 bytes.
    pub fn send_with<'a>(&mut self, data: impl Into<Data<'a>>, options: SendOptions) -> bool {
        let data = data.into();
        match self.phase {
            Phase::Idle | Phase::AwaitingResponse => {
                self.queued.push(Queued::Send(data.into_owned(), options));
                return true;
            }
            Phase::Failed => return false,
            Phase::Open => {}
        }
        let Some(bytes) = send::slice(&data, options.start, options.end) else {
            return false;
        };
        let kind = options.kind.unwrap_or_else(|| data.default_kind());
        let sent = match kind {
            SendType::Text => match std::str::from_utf8(bytes) {
                Ok(text) => self.conn.send_text(text).is_ok(),
                Err(_) => false,
            },
            SendType::Binary => self.conn.send_binary(bytes).is_ok(),
            SendType::Ping => self.conn.send_ping(bytes).is_ok(),
            SendType::Pong => self.conn.send_pong(bytes).is_ok(),
            SendType::Close => match std::str::from_utf8(bytes) {
                Ok(reason) => self
                    .conn
                    .close(Some(options.code.unwrap_or(1000)), reason)
                    .is_ok(),
                Err(_) => false,
            },
        };
        if sent {
            if let Some(callback) = options.callback {
                self.writes.push(self.queued_end(), callback);
            }
        }
        self.dispatch();
        sent
    }

    /// Sends a text message (the seed's `send-text`).
    pub fn send_text(&mut self, text: &str) -> bool {
        self.send_with(text, SendOptions::new().kind(SendType::Text))
    }

    /// Sends `text[start..end]` or with a callback (the seed's `send-text` with keywords).
    pub fn send_text_with(&mut self, text: &str, options: SendOptions) -> bool {
        self.send_with(text, options.kind(SendType::Text))
    }

    /// Sends a binary message (the seed's `send-binary`).
    pub fn send_binary(&mut self, data: &[u8]) -> bool {
        self.send_with(data, SendOptions::new().kind(SendType::Binary))
    }

    /// Sends `data[start..end]` or with a callback (the seed's `send-binary` with keywords).
    pub fn send_binary_with(&mut self, data: &[u8], options: SendOptions) -> bool {
        self.send_with(data, options.kind(SendType::Binary))
    }

    /// Sends a ping with `message` as payload (at most 125 bytes).
    pub fn send_ping(&mut self, message: &[u8]) -> bool {
        self.ping(message.to_vec(), None)
    }

    /// Sends a ping; `callback` runs when the pong with the same payload arrives.
    pub fn send_ping_with(
        &mut self,
        message: &[u8],
        callback: impl FnOnce() + Send + 'static,
    ) -> bool {
        self.ping(message.to_vec(), Some(Box::new(callback)))
    }

    /// Starts the closing handshake with 1000 (the seed's `close-connection`). Returns
    /// false if the connection is already closing or closed.
    pub fn close_connection(&mut self) -> bool {
        self.close_with(None, "")
    }

    /// Starts the closing handshake with `code` (1000 if `None`) and `reason` (at most
    /// 123 bytes). Returns false if it is already closing or closed, or the code may not
    /// be sent (RFC 6455 section 7.4).
    pub fn close_with(&mut self, code: Option<u16>, reason: &str) -> bool {
        match self.phase {
            Phase::Idle | Phase::AwaitingResponse => {
                self.queued.push(Queued::Close(code, reason.to_owned()));
                true
            }
            Phase::Failed => false,
            Phase::Open => {
                let closed = self.conn.close(Some(code.unwrap_or(1000)), reason).is_ok();
                self.dispatch();
                closed
            }
        }
    }

    /// The protocol version, `"hybi-13"` (RFC 6455 is the last of the hybi drafts, 13).
    pub fn version(&self) -> &'static str {
        "hybi-13"
    }

    /// The subprotocol agreed in the opening handshake, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// The connection state: connecting until the handshake is done, then open, closing
    /// (a close frame was sent or received) and closed.
    pub fn ready_state(&self) -> ReadyState {
        match self.phase {
            Phase::Idle | Phase::AwaitingResponse => ReadyState::Connecting,
            Phase::Open => self.conn.ready_state(),
            Phase::Failed => ReadyState::Closed,
        }
    }

    fn ping(&mut self, payload: Vec<u8>, callback: Option<Callback>) -> bool {
        match self.phase {
            Phase::Idle | Phase::AwaitingResponse => {
                self.queued.push(Queued::Ping(payload, callback));
                return true;
            }
            Phase::Failed => return false,
            Phase::Open => {}
        }
        let sent = self.conn.send_ping(&payload).is_ok();
        if let (true, Some(callback)) = (sent, callback) {
            self.pings.push(payload, callback);
        }
        self.dispatch();
        sent
    }

    /// Whether the opening handshake completed (the connection may have closed since).
    #[cfg(feature = "tokio")]
    pub(crate) fn has_opened(&self) -> bool {
        matches!(self.phase, Phase::Open)
    }

    /// The code and reason of the close, once the `close` listener has run.
    #[cfg(feature = "tokio")]
    pub(crate) fn close_info(&self) -> Option<&(u16, String)> {
        self.close_info.as_ref()
    }

    /// The stream offset just past everything queued so far.
    fn queued_end(&self) -> u64 {
        self.consumed + self.conn.pending_transmit().len() as u64
    }
}

// ===== the transport's side =====

impl<S: Side> WebSocket<S> {
    /// Feeds bytes read from the transport: the rest of the handshake, then frames. Runs
    /// the listeners for what they complete.
    pub fn parse(&mut self, bytes: &[u8]) {
        match self.phase {
            Phase::Open => self.feed_frames(bytes),
            Phase::Idle | Phase::AwaitingResponse => self.parse_handshake(bytes),
            Phase::Failed => {}
        }
    }

    /// Everything queued for the transport: the handshake, then frames. Write it, then
    /// call [`consume_transmit`](Self::consume_transmit). Empty until
    /// [`start_connection`](Self::start_connection).
    pub fn pending_transmit(&self) -> &[u8] {
        if !self.out.is_empty() {
            return &self.out;
        }
        match self.phase {
            Phase::Open => self.conn.pending_transmit(),
            // A failed server handshake still writes its refusal, kept in `out`.
            Phase::Idle | Phase::AwaitingResponse | Phase::Failed => &[],
        }
    }

    /// Marks the first `n` bytes of [`pending_transmit`](Self::pending_transmit) as
    /// written, and runs the callbacks of the frames now fully written.
    pub fn consume_transmit(&mut self, n: usize) {
        let from_out = n.min(self.out.len());
        self.out.drain(..from_out);
        let rest = n - from_out;
        if rest > 0 && matches!(self.phase, Phase::Open) {
            let rest = rest.min(self.conn.pending_transmit().len());
            self.conn.consume_transmit(rest);
            self.consumed += rest as u64;
        }
        for callback in self.writes.take_done(self.consumed) {
            callback();
        }
        self.dispatch();
    }

    /// The peer closed the transport, or it failed: the connection is closed (with 1006
    /// unless the closing handshake had completed).
    pub fn handle_eof(&mut self) {
        match self.phase {
            Phase::Open => {
                self.conn.handle_eof();
                self.dispatch();
            }
            Phase::Idle | Phase::AwaitingResponse => self.fail(ABNORMAL_CLOSURE, ""),
            Phase::Failed => {}
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Open => self.conn.poll_timeout(),
            _ => None,
        }
    }

    /// Tells the connection the time is `now`. Call it regularly (after each read, say)
    /// and when [`poll_timeout`](Self::poll_timeout) passes: the closing timer is armed
    /// from the latest time given, and a closing handshake that took too long ends.
    pub fn handle_timeout(&mut self, now: Instant) {
        if matches!(self.phase, Phase::Open) {
            self.conn.handle_timeout(now);
            self.dispatch();
        }
    }

    /// Whether the transport should be closed now, once
    /// [`pending_transmit`](Self::pending_transmit) has been written.
    pub fn should_close_tcp(&self) -> bool {
        match self.phase {
            Phase::Open => self.conn.should_close_tcp(),
            Phase::Failed => true,
            Phase::Idle | Phase::AwaitingResponse => false,
        }
    }

    /// Runs the listeners for the frame layer's events, unless already doing so further
    /// up the stack (a listener that sends must not recurse into dispatch).
    fn dispatch(&mut self) {
        if self.dispatching || !matches!(self.phase, Phase::Open) {
            return;
        }
        self.dispatching = true;
        while let Some(event) = self.conn.poll_event() {
            match event {
                Event::Message(message) => emit!(self, message, message),
                Event::Pong(payload) => {
                    for callback in self.pings.take_matching(&payload) {
                        callback();
                    }
                }
                Event::Error(error) => emit!(self, error, error),
                Event::Close { code, reason } => {
                    self.pings.clear();
                    self.close_info = Some((code, reason.clone()));
                    emit!(self, close, code, &reason);
                }
                // Pings are answered by the frame layer.
                _ => {}
            }
        }
        self.dispatching = false;
    }
}

impl<S: Side> WebSocket<S> {
    /// Bytes before the connection opens: a client reads the server's response; a server
    /// has no handshake input, so bytes before `start_connection` go straight to the
    /// frame layer, whose events wait until the connection opens.
    fn parse_handshake(&mut self, bytes: &[u8]) {
        match self.handshake {
            Handshake::Client { .. } => self.parse_response(bytes),
            Handshake::Server { .. } | Handshake::Done => {
                if !bytes.is_empty() {
                    self.conn.handle_bytes(bytes);
                }
            }
        }
    }

    /// Reads the server's response: once its head is complete and verified, the
    /// connection opens and the bytes after the head are frames. A response that fails
    /// verification closes the connection (1002, the reason the error's text).
    fn parse_response(&mut self, bytes: &[u8]) {
        let Handshake::Client {
            handshake,
            received,
        } = &mut self.handshake
        else {
            return;
        };
        // The head parser bounds its size, so this buffer cannot grow past that bound
        // plus one read.
        received.extend_from_slice(bytes);
        match handshake.parse_response(received) {
            Ok(None) => {}
            Ok(Some((response, len))) => {
                #[cfg(feature = "deflate")]
                match handshake.negotiated_deflate(&response) {
                    Ok(Some(negotiated)) => self.conn.enable_deflate(&negotiated),
                    Ok(None) => {}
                    // Already checked by `parse_response`; kept so that a mismatch cannot pass.
                    Err(error) => {
                        self.handshake_error = Some(error);
                        self.fail(PROTOCOL_ERROR, &error.to_string());
                        return;
                    }
                }
                let Handshake::Client { received, .. } = &mut self.handshake else {
                    return;
                };
                let rest = received.split_off(len);
                self.protocol = response.protocol().map(str::to_owned);
                self.open();
                self.feed_frames(&rest);
            }
            Err(error) => {
                self.handshake_error = Some(error);
                self.fail(PROTOCOL_ERROR, &error.to_string());
            }
        }
    }
}
