//! The connection state machine: RFC 6455 section 5 (framing), section 7 (closing) and section 8
//! (error handling), with no I/O of its own.

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::compression::DeflateState;
use super::{Config, Event, ReadyState, Role};
use crate::error::ProtocolError;
use crate::frame::{CloseCode, OpCode, MAX_HEADER_LEN};
use crate::utf8::TextBuffer;

/// A transmit buffer larger than this is freed once flushed, so a burst does not pin memory.
const TX_KEEP_CAPACITY: usize = 16 * 1024;

/// One WebSocket connection after the opening handshake, as a sans-IO state machine: bytes and
/// time go in, events, bytes to write and deadlines come out. It never touches a socket or a clock.
///
/// # Calling order
///
/// 1. Create it with [`Connection::new`] once the handshake is done (then, with the `deflate`
///    feature, `enable_deflate` if the handshake agreed permessage-deflate), and call
///    [`handle_timeout`](Self::handle_timeout) with the current time. The connection has no
///    clock: it arms the closing timer from the latest time it was given, and a timer armed before
///    any time was given only starts at the next `handle_timeout`. The call is cheap and may be
///    made at any time (after every read, say).
/// 2. Feed every byte read from the socket to [`handle_bytes`](Self::handle_bytes) (any chunking),
///    and end of stream or a read error to [`handle_eof`](Self::handle_eof).
/// 3. Send with [`send_text`](Self::send_text), [`send_binary`](Self::send_binary),
///    [`send_frame`](Self::send_frame), [`send_ping`](Self::send_ping), [`close`](Self::close).
/// 4. After any of the above, drain [`poll_event`](Self::poll_event) until `None`; write
///    [`pending_transmit`](Self::pending_transmit) to the socket and report what was written with
///    [`consume_transmit`](Self::consume_transmit) (all frames queued are corked into this one buffer).
/// 5. When [`poll_timeout`](Self::poll_timeout) gives an instant, call
///    [`handle_timeout`](Self::handle_timeout) at or after it (an instant in the past means now).
/// 6. Once [`should_close_tcp`](Self::should_close_tcp) is true, flush what is pending if you can
///    and shut the socket down; the connection is finished.
///
/// # States (RFC 6455 section 7)
///
/// ```text
///          close()                    peer close
///   Open ----------> CloseSent ---------------------------+
///     |                  |  protocol error, EOF, timeout  |
///     |                  +------------------------------+ |
///     |  peer close, protocol error, EOF                v v
///     +--------------------------------------------> CloseQueued --[Close polled]--> Closed
/// ```
///
/// [`Event::Close`] is queued on entering `CloseQueued`, exactly once, and nothing more is read.
/// The close frame owed to the peer (the echo of its code, or the code of a protocol error) is
/// written when the application polls that event, so that it can still answer the messages that
/// arrived before it. Then a server closes TCP once its close frame is written; a client waits for
/// the server to close TCP, up to `close_timeout`.
pub struct Connection {
    pub(super) role: Role,
    pub(super) config: Config,
    /// Client masks; `None` for a server, which never masks (it skips the OS entropy call).
    pub(super) rng: Option<StdRng>,
    pub(super) state: State,

    /// The start of a header split across `handle_bytes` calls: the only bytes ever carried over.
    /// A fixed array, so an idle connection holds no heap memory for it.
    pub(super) header_buf: [u8; MAX_HEADER_LEN],
    pub(super) header_len: usize,
    /// The frame whose payload is arriving.
    pub(super) frame: Option<InFrame>,
    /// The data message being assembled across fragments.
    pub(super) message: Option<InMessage>,
    /// The payload of the control frame being received (at most 125 bytes, so no allocation).
    pub(super) control: [u8; 125],
    pub(super) control_len: usize,
    pub(super) events: VecDeque<Event>,

    pub(super) tx: Vec<u8>,
    /// How much of `tx` was already written.
    pub(super) tx_head: usize,
    pub(super) written_total: u64,

    /// The latest time passed to `handle_timeout`.
    pub(super) now: Option<Instant>,
    pub(super) timer: Timer,
    pub(super) eof: bool,
    pub(super) timed_out: bool,

    /// permessage-deflate, when negotiated (boxed: its zlib state is large and most connections
    /// do without it).
    pub(super) deflate: Option<Box<DeflateState>>,
}

/// Concise: the state and the sizes of the buffers, not their bytes.
impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("frame", &self.frame)
            .field("message_len", &self.message.as_ref().map(InMessage::len))
            .field("events", &self.events.len())
            .field("pending_transmit", &(self.tx.len() - self.tx_head))
            .field("bytes_written_total", &self.written_total)
            .field("timer", &self.timer)
            .field("deflate", &self.deflate.is_some())
            .finish_non_exhaustive()
    }
}

/// Where the connection is in the closing handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    /// Messages flow both ways.
    Open,
    /// We sent a close frame and await the peer's; incoming data frames are dropped.
    CloseSent,
    /// The close event is queued but not yet polled; nothing more is read. The application may
    /// still answer the events queued before it (echo a message that arrived just before a bad
    /// frame, as Autobahn expects); `reply` goes out when the close event is polled.
    CloseQueued {
        /// The close frame still to send, `None` when ours went out already.
        reply: Option<Reply>,
        /// As in `Closed`.
        close_tcp_when_flushed: bool,
    },
    /// The close event was polled; nothing more is read or sent.
    Closed {
        /// Shut TCP down as soon as the transmit buffer is empty (a server, or after a failure);
        /// otherwise (a client after a clean close) wait for the server to do it.
        close_tcp_when_flushed: bool,
    },
}

/// The close frame we owe the peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reply {
    /// Echo the peer's close code (section 5.5.1).
    Echo(CloseCode),
    /// Fail the connection with the error's code (section 7.1.7).
    Fail(ProtocolError),
}

/// The closing timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Timer {
    Off,
    /// Armed before any time was known: starts at the next `handle_timeout`.
    Pending,
    At(Instant),
}

/// The frame being received.
#[derive(Clone, Copy, Debug)]
pub(super) struct InFrame {
    pub(super) opcode: OpCode,
    pub(super) fin: bool,
    pub(super) mask: Option<[u8; 4]>,
    pub(super) remaining: u64,
    /// Payload bytes already received, modulo 4 is the mask phase.
    pub(super) offset: usize,
    pub(super) sink: Sink,
}

/// Where a frame's payload goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sink {
    Message,
    Control,
    Discard,
}

/// A data message being assembled.
#[derive(Debug)]
pub(super) enum InMessage {
    Text(TextBuffer),
    Binary(Vec<u8>),
}

impl InMessage {
    pub(super) fn len(&self) -> usize {
        match self {
            Self::Text(text) => text.len(),
            Self::Binary(bytes) => bytes.len(),
        }
    }
}

// ===== impl Connection: construction and outputs =====

impl Connection {
    /// A connection in the open state; a client draws its masking keys from an OS-seeded `StdRng`.
    pub fn new(role: Role, config: Config) -> Self {
        let rng = match role {
            Role::Client => Some(StdRng::from_os_rng()),
            Role::Server => None,
        };
        Self::with_rng(role, config, rng)
    }

    /// Like [`Connection::new`], with masking keys from a `StdRng` seeded with `seed`, so that the
    /// bytes a client writes are reproducible (tests, fuzzing).
    pub fn with_seed(role: Role, config: Config, seed: u64) -> Self {
        Self::with_rng(role, config, Some(StdRng::seed_from_u64(seed)))
    }

    fn with_rng(role: Role, config: Config, rng: Option<StdRng>) -> Self {
        Self {
            role,
            config,
            rng,
            state: State::Open,
            header_buf: [0; MAX_HEADER_LEN],
            header_len: 0,
            frame: None,
            message: None,
            control: [0; 125],
            control_len: 0,
            events: VecDeque::new(),
            tx: Vec::new(),
            tx_head: 0,
            written_total: 0,
            now: None,
            timer: Timer::Off,
            eof: false,
            timed_out: false,
            deflate: None,
        }
    }

    /// Which end this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The next event, in the order things happened.
    ///
    /// Polling [`Event::Close`] sends the close frame the connection owes (an echo, or the code of
    /// a protocol error): until then the application may still answer the events before it.
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        if let Some(Event::Close { .. }) = event {
            self.send_reply();
        }
        event
    }

    /// Everything queued for the wire and not yet written: all frames, corked into one buffer.
    pub fn pending_transmit(&self) -> &[u8] {
        &self.tx[self.tx_head..]
    }

    /// Records that the first `n` bytes of [`pending_transmit`](Self::pending_transmit) were written.
    /// `n` larger than what is pending counts as all of it.
    pub fn consume_transmit(&mut self, n: usize) {
        let n = n.min(self.tx.len() - self.tx_head);
        self.tx_head += n;
        self.written_total += n as u64;
        if self.tx_head == self.tx.len() {
            if self.tx.capacity() > TX_KEEP_CAPACITY {
                self.tx = Vec::new();
            } else {
                self.tx.clear();
            }
            self.tx_head = 0;
        } else if self.tx_head > TX_KEEP_CAPACITY && self.tx_head * 2 > self.tx.len() {
            // A partial write of a large buffer: move the rest down once, not per write.
            self.tx.drain(..self.tx_head);
            self.tx_head = 0;
        }
    }

    /// The total number of bytes reported written with [`consume_transmit`](Self::consume_transmit).
    /// A frame is on the wire once this reaches `bytes_written_total() + pending_transmit().len()`
    /// as measured right after queuing it.
    pub fn bytes_written_total(&self) -> u64 {
        self.written_total
    }

    /// The seed's `ready-state`.
    pub fn ready_state(&self) -> ReadyState {
        match self.state {
            // Until the close event is polled, the application may still send as if open.
            State::Open | State::CloseQueued { reply: Some(_), .. } => ReadyState::Open,
            State::CloseSent | State::CloseQueued { reply: None, .. } => ReadyState::Closing,
            State::Closed { .. } => ReadyState::Closed,
        }
    }
}
