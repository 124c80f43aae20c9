//! [`Handle`]: sends on a connection from any task. Each call becomes a command on an
//! unbounded channel into the connection's task, which applies it to its socket; the
//! task publishes the connection's state back on a watch channel.

use ::tokio::sync::{mpsc, watch};

use crate::ws::{Callback, Data, ReadyState, SendOptions};

/// A call on the socket, made from another task.
pub(super) enum Command {
    Send(Data<'static>, SendOptions),
    Ping(Vec<u8>, Option<Callback>),
    Close(Option<u16>, String),
}

/// What the connection task publishes after each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Status {
    pub(super) ready_state: ReadyState,
    /// Whether the opening handshake completed (even if the connection closed since).
    pub(super) opened: bool,
    /// The code and reason, once the connection has closed.
    pub(super) close: Option<(u16, String)>,
    /// Whether the task has ended: the TCP connection is shut down too.
    pub(super) finished: bool,
}

/// A cloneable handle on one connection: send on it, close it, or wait for it to close,
/// from any task.
///
/// Sends are queued to the connection's task; the methods return false only when that
/// task has ended. Whether the socket accepted the frame (it may be closing) is not
/// reported back; use a [`SendOptions::callback`] to learn that it was written.
#[derive(Debug, Clone)]
pub struct Handle {
    commands: mpsc::UnboundedSender<Command>,
    status: watch::Receiver<Status>,
}

/// The connection task's ends of a handle's channels.
pub(super) struct Task {
    pub(super) commands: mpsc::UnboundedReceiver<Command>,
    pub(super) status: watch::Sender<Status>,
}

impl Handle {
    /// A handle and the task's ends of its channels.
    pub(super) fn channel() -> (Self, Task) {
        let (commands_tx, commands_rx) = mpsc::unbounded_channel();
        let (status_tx, status_rx) = watch::channel(Status {
            ready_state: ReadyState::Connecting,
            opened: false,
            close: None,
            finished: false,
        });
        (
            Self {
                commands: commands_tx,
                status: status_rx,
            },
            Task {
                commands: commands_rx,
                status: status_tx,
            },
        )
    }

    /// Sends a message: text for text data, binary for bytes (the socket's
    /// [`send`](crate::ws::WebSocket::send)).
    pub fn send<'a>(&self, data: impl Into<Data<'a>>) -> bool {
        self.send_with(data, SendOptions::default())
    }

    /// Sends with the seed's keyword arguments (the socket's
    /// [`send_with`](crate::ws::WebSocket::send_with)).
    pub fn send_with<'a>(&self, data: impl Into<Data<'a>>, options: SendOptions) -> bool {
        self.command(Command::Send(data.into().into_owned(), options))
    }

    /// Sends a ping with `message` as payload (at most 125 bytes).
    pub fn send_ping(&self, message: &[u8]) -> bool {
        self.command(Command::Ping(message.to_vec(), None))
    }

    /// Sends a ping; `callback` runs when the pong with the same payload arrives.
    pub fn send_ping_with(&self, message: &[u8], callback: impl FnOnce() + Send + 'static) -> bool {
        self.command(Command::Ping(message.to_vec(), Some(Box::new(callback))))
    }

    /// Starts the closing handshake with 1000.
    pub fn close_connection(&self) -> bool {
        self.close_with(None, "")
    }

    /// Starts the closing handshake with `code` and `reason`.
    pub fn close_with(&self, code: Option<u16>, reason: &str) -> bool {
        self.command(Command::Close(code, reason.to_owned()))
    }

    /// The connection's state as last published by its task.
    pub fn ready_state(&self) -> ReadyState {
        self.status.borrow().ready_state
    }

    /// Waits until the connection has opened (true) or closed without opening (false).
    pub async fn opened(&self) -> bool {
        let mut status = self.status.clone();
        let settled = status.wait_for(|s| s.opened || s.close.is_some()).await;
        settled.is_ok_and(|s| s.opened)
    }

    /// Waits until the connection has closed and its TCP connection is shut down, and
    /// gives the close code and reason (1006 if the task ended without a close).
    ///
    /// A client's close completes when the server closes TCP (RFC 6455 section 7.1.1), so
    /// this can return a little after the `close` listener ran.
    pub async fn closed(&self) -> (u16, String) {
        let mut status = self.status.clone();
        // An error means the task is gone; its last status is still there to read.
        let _ = status.wait_for(|s| s.finished).await;
        let close = status.borrow().close.clone();
        close.unwrap_or((1006, String::new()))
    }

    fn command(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }
}
