//! The connection task: drives one [`WebSocket`] over one [`TcpStream`] until it closes.
//!
//! The loop waits on socket readiness rather than on `read`/`write` futures, so that the
//! socket is never borrowed across an `.await`; that keeps the task `Send` without
//! asking listeners to be `Sync`. Each turn: publish the state; stop once the connection
//! says to close TCP and everything is written; else wait for the first of readable,
//! writable (when output is pending), a command from a [`Handle`](super::Handle), or the
//! connection's timer.

use std::io::ErrorKind;
use std::time::Duration;

use ::tokio::io::AsyncWriteExt as _;
use ::tokio::net::TcpStream;
use ::tokio::time::{sleep_until, timeout, Instant};

use crate::ws::{Side, WebSocket};

use super::handle::{Command, Status, Task};

/// The size of the one read buffer each connection reuses.
const READ_BUFFER: usize = 64 * 1024;

/// Stop reading while this much output waits, so a peer that sends faster than it reads
/// cannot make the transmit buffer grow without bound.
const HIGH_WATER: usize = 4 * 1024 * 1024;

/// After shutting down our side, how long to keep reading (and dropping) what the peer
/// still sends: closing a socket with unread input makes the kernel send a reset, which
/// can destroy our close frame before the peer reads it.
const LINGER: Duration = Duration::from_secs(2);

/// Runs the connection until it is closed and the TCP connection shut down.
pub(super) async fn drive<S: Side>(mut stream: TcpStream, mut ws: WebSocket<S>, mut task: Task) {
    let mut buf = vec![0; READ_BUFFER];
    let mut read_open = true;
    let mut write_failed = false;
    let mut commands_open = true;
    // Once the connection says to close TCP, the last output gets LINGER to drain: a peer
    // that stopped reading must not keep the task alive.
    let mut flush_by: Option<Instant> = None;
    loop {
        // The connection has no clock: it arms its closing timer from the latest time it
        // was given, so it gets the time on every turn (a cheap vDSO read).
        ws.handle_timeout(std::time::Instant::now());
        publish(&ws, &task, false);
        let pending = ws.pending_transmit().len();
        let closing = ws.should_close_tcp() || !read_open;
        if closing && flush_by.is_none() {
            flush_by = Some(Instant::now() + LINGER);
        }
        let flush_expired = flush_by.is_some_and(|at| Instant::now() >= at);
        if write_failed || (closing && (pending == 0 || flush_expired)) {
            break;
        }
        let deadline = match (ws.poll_timeout().map(Instant::from_std), flush_by) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        ::tokio::select! {
            ready = stream.readable(), if read_open && pending < HIGH_WATER => {
                read_open = ready.is_ok() && read(&stream, &mut buf, &mut ws);
            }
            ready = stream.writable(), if pending > 0 => {
                write_failed = ready.is_err() || !write(&stream, &mut ws);
            }
            command = task.commands.recv(), if commands_open => match command {
                Some(command) => apply(&mut ws, command),
                // Every handle is gone; the connection carries on by its listeners.
                None => commands_open = false,
            },
            // The next turn passes the time in.
            () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {}
            // Unreachable by the conditions above (an open read side or pending output
            // always enables a branch), but a select with every branch off would panic.
            else => break,
        }
    }
    shut_down(&mut stream, &mut buf, read_open).await;
    publish(&ws, &task, true);
}

/// Reads what is available and feeds it to the socket. Returns false at end of input
/// (after telling the socket).
fn read<S: Side>(stream: &TcpStream, buf: &mut [u8], ws: &mut WebSocket<S>) -> bool {
    match stream.try_read(buf) {
        Ok(0) => {
            ws.handle_eof();
            false
        }
        Ok(n) => {
            ws.parse(&buf[..n]);
            true
        }
        Err(e) if e.kind() == ErrorKind::WouldBlock => true,
        Err(_) => {
            ws.handle_eof();
            false
        }
    }
}

/// Writes as much pending output as the socket takes, in one write. Returns false if
/// the transport failed (after telling the socket).
fn write<S: Side>(stream: &TcpStream, ws: &mut WebSocket<S>) -> bool {
    match stream.try_write(ws.pending_transmit()) {
        Ok(n) => {
            ws.consume_transmit(n);
            true
        }
        Err(e) if e.kind() == ErrorKind::WouldBlock => true,
        Err(_) => {
            ws.handle_eof();
            false
        }
    }
}

/// Applies a command from a [`Handle`](super::Handle).
fn apply<S: Side>(ws: &mut WebSocket<S>, command: Command) {
    match command {
        Command::Send(data, options) => {
            ws.send_with(data, options);
        }
        Command::Ping(payload, Some(callback)) => {
            ws.send_ping_with(&payload, callback);
        }
        Command::Ping(payload, None) => {
            ws.send_ping(&payload);
        }
        Command::Close(code, reason) => {
            ws.close_with(code, &reason);
        }
    }
}

/// Publishes the socket's state to the handles, if it changed; `finished` once the TCP
/// connection is shut down.
fn publish<S: Side>(ws: &WebSocket<S>, task: &Task, finished: bool) {
    let now = Status {
        ready_state: ws.ready_state(),
        opened: ws.has_opened(),
        close: ws.close_info().cloned(),
        finished,
    };
    task.status.send_if_modified(|status| {
        let changed = *status != now;
        if changed {
            *status = now;
        }
        changed
    });
}

/// Sends our FIN, then drains the peer's input until its FIN or [`LINGER`], so that the
/// socket closes without a reset.
async fn shut_down(stream: &mut TcpStream, buf: &mut [u8], read_open: bool) {
    // The peer may already be gone; there is nothing left to tell it either way.
    let _ = stream.shutdown().await;
    if !read_open {
        return;
    }
    let drain = async {
        loop {
            if stream.readable().await.is_err() {
                return;
            }
            match stream.try_read(buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
    };
    let _ = timeout(LINGER, drain).await;
}
