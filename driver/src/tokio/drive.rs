//! The connection task: drives one [`WebSocket`] over one transport (TCP, TLS over TCP, or
//! the I/O an HTTP server upgraded) until it closes.
//!
//! The loop polls the transport itself rather than awaiting `read`/`write` futures, so that
//! one step can wait on reading, writing and flushing the same stream at once; the step
//! holds the socket only by `&mut`, which keeps the task `Send` without asking listeners to
//! be `Sync`. Each turn: publish the state; stop once the connection says to close TCP and
//! everything is written and flushed; else wait for the first of readable, writable (when
//! output is pending), flushed (when written output may sit in a TLS buffer), a command
//! from a [`Handle`](super::Handle), or the connection's timer.

use std::cell::RefCell;
use std::future::{poll_fn, Future as _};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use ::tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use ::tokio::sync::mpsc::UnboundedReceiver;
use ::tokio::time::{sleep_until, timeout, Instant, Sleep};

use crate::ws::{Side, WebSocket};

use ::tokio::sync::watch;

use super::handle::{Command, Status, Task};

/// The size of the read buffer the connections of a thread share.
const READ_BUFFER: usize = 64 * 1024;

/// The buffer to read from the drain after shutting down: small, and only for that moment.
const DRAIN_BUFFER: usize = 4 * 1024;

thread_local! {
    /// One read buffer for all the connections a thread runs: each read is parsed (the frame
    /// layer copies what it keeps) before the task yields, so no connection needs a buffer of
    /// its own while it waits, and an idle connection holds none.
    static READ_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Stop reading while this much output waits, so a peer that sends faster than it reads
/// cannot make the transmit buffer grow without bound.
const HIGH_WATER: usize = 4 * 1024 * 1024;

/// After shutting down our side, how long to keep reading (and dropping) what the peer
/// still sends: closing a socket with unread input makes the kernel send a reset, which
/// can destroy our close frame before the peer reads it. Also bounds the shutdown itself,
/// which over TLS writes a `close_notify` that a stalled peer may never take.
const LINGER: Duration = Duration::from_secs(2);

/// What one turn waits for.
#[derive(Clone, Copy)]
struct Wants {
    read: bool,
    write: bool,
    flush: bool,
    commands: bool,
    timer: bool,
    /// Which of reading and commands goes first this turn, alternating, so that neither a
    /// peer that never stops sending nor a task that never stops queueing starves the other.
    commands_first: bool,
}

/// What happened in one turn.
enum Step {
    Read(io::Result<usize>),
    Wrote(io::Result<usize>),
    Flushed(io::Result<()>),
    Command(Option<Command>),
    Timer,
}

/// Runs the connection until it is closed and the transport shut down.
pub(super) async fn drive<IO, S>(mut stream: IO, mut ws: Box<WebSocket<S>>, task: Task)
where
    IO: AsyncRead + AsyncWrite + Unpin,
    S: Side,
{
    let mut read_open = true;
    let mut write_failed = false;
    // Bytes handed to the stream that a TLS layer (or an HTTP server's upgraded I/O) may
    // still hold in its own buffer until flushed.
    let mut unflushed = false;
    let Task { commands, status } = task;
    // Dropped once every handle is gone, which frees the channel (its first block of
    // commands is a few KiB, too much to keep for each idle connection of `serve`).
    let mut commands = Some(commands);
    let mut commands_first = false;
    // Once the connection says to close TCP, the last output gets LINGER to drain: a peer
    // that stopped reading must not keep the task alive.
    let mut flush_by: Option<Instant> = None;
    let timer = sleep_until(Instant::now());
    ::tokio::pin!(timer);
    loop {
        // The connection has no clock: it arms its closing timer from the latest time it
        // was given, so it gets the time on every turn (a cheap vDSO read).
        ws.handle_timeout(std::time::Instant::now());
        publish(&ws, &status, false);
        let pending = ws.pending_transmit().len();
        let closing = ws.should_close_tcp() || !read_open;
        if closing && flush_by.is_none() {
            flush_by = Some(Instant::now() + LINGER);
        }
        let flush_expired = flush_by.is_some_and(|at| Instant::now() >= at);
        let drained = pending == 0 && !unflushed;
        if write_failed || (closing && (drained || flush_expired)) {
            break;
        }
        let deadline = match (ws.poll_timeout().map(Instant::from_std), flush_by) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(deadline) = deadline {
            timer.as_mut().reset(deadline);
        }
        commands_first = !commands_first;
        let wants = Wants {
            read: read_open && pending < HIGH_WATER,
            write: pending > 0,
            flush: unflushed,
            commands: commands.is_some(),
            timer: deadline.is_some(),
            commands_first,
        };
        if !(wants.read || wants.write || wants.flush || wants.commands || wants.timer) {
            // Unreachable by the conditions above (an open read side or pending output
            // always wants something), but waiting on nothing would hang the task.
            break;
        }
        let step = poll_fn(|cx| {
            poll_step(
                cx,
                &mut stream,
                &mut ws,
                commands.as_mut(),
                timer.as_mut(),
                wants,
            )
        })
        .await;
        match step {
            Step::Read(Ok(0) | Err(_)) => {
                ws.handle_eof();
                read_open = false;
            }
            // Parsed as it was read (see `read_and_parse`).
            Step::Read(Ok(_)) => {}
            Step::Wrote(Ok(n)) if n > 0 => {
                ws.consume_transmit(n);
                unflushed = true;
            }
            // A write of nothing with bytes pending means the transport cannot take more.
            Step::Wrote(_) | Step::Flushed(Err(_)) => {
                ws.handle_eof();
                write_failed = true;
            }
            Step::Flushed(Ok(())) => unflushed = false,
            Step::Command(Some(command)) => apply(&mut ws, command),
            // Every handle is gone; the connection carries on by its listeners.
            Step::Command(None) => commands = None,
            // The next turn passes the time in.
            Step::Timer => {}
        }
    }
    shut_down(&mut stream, read_open).await;
    publish(&ws, &status, true);
}

/// Polls what this turn wants, writing first (pending output is what the peer waits for),
/// and returns the first that is ready.
fn poll_step<IO, S>(
    cx: &mut Context<'_>,
    stream: &mut IO,
    ws: &mut WebSocket<S>,
    commands: Option<&mut UnboundedReceiver<Command>>,
    timer: Pin<&mut Sleep>,
    wants: Wants,
) -> Poll<Step>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    S: Side,
{
    if wants.write {
        if let Poll::Ready(wrote) = Pin::new(&mut *stream).poll_write(cx, ws.pending_transmit()) {
            return Poll::Ready(Step::Wrote(wrote));
        }
    } else if wants.flush {
        // Only once everything is handed over: flushing between writes would cost a
        // round of system calls per write for nothing.
        if let Poll::Ready(flushed) = Pin::new(&mut *stream).poll_flush(cx) {
            return Poll::Ready(Step::Flushed(flushed));
        }
    }
    if wants.read && !wants.commands_first {
        if let Poll::Ready(step) = read_and_parse(cx, stream, ws) {
            return Poll::Ready(step);
        }
    }
    if let Some(commands) = commands.filter(|_| wants.commands) {
        if let Poll::Ready(command) = commands.poll_recv(cx) {
            return Poll::Ready(Step::Command(command));
        }
    }
    if wants.read && wants.commands_first {
        if let Poll::Ready(step) = read_and_parse(cx, stream, ws) {
            return Poll::Ready(step);
        }
    }
    if wants.timer && timer.poll(cx).is_ready() {
        return Poll::Ready(Step::Timer);
    }
    Poll::Pending
}

/// Polls one read into the thread's shared buffer and parses what it got before returning,
/// so that the buffer is free again for the next connection.
fn read_and_parse<IO, S>(cx: &mut Context<'_>, stream: &mut IO, ws: &mut WebSocket<S>) -> Poll<Step>
where
    IO: AsyncRead + Unpin,
    S: Side,
{
    READ_BUF.with(|shared| match shared.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < READ_BUFFER {
                buf.resize(READ_BUFFER, 0);
            }
            poll_read_into(cx, stream, ws, &mut buf)
        }
        // Only if a listener ran inside another connection's parse on this thread (it
        // cannot, listeners are synchronous): a buffer of its own rather than a panic.
        Err(_) => poll_read_into(cx, stream, ws, &mut vec![0; READ_BUFFER]),
    })
}

fn poll_read_into<IO, S>(
    cx: &mut Context<'_>,
    stream: &mut IO,
    ws: &mut WebSocket<S>,
    buf: &mut [u8],
) -> Poll<Step>
where
    IO: AsyncRead + Unpin,
    S: Side,
{
    let mut read = ReadBuf::new(buf);
    let polled = Pin::new(stream).poll_read(cx, &mut read);
    polled.map(|result| {
        let n = read.filled().len();
        if result.is_ok() && n > 0 {
            ws.parse(read.filled());
        }
        Step::Read(result.map(|()| n))
    })
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
fn publish<S: Side>(ws: &WebSocket<S>, status: &watch::Sender<Status>, finished: bool) {
    let now = Status {
        ready_state: ws.ready_state(),
        opened: ws.has_opened(),
        close: ws.close_info().cloned(),
        finished,
    };
    status.send_if_modified(|status| {
        let changed = *status != now;
        if changed {
            *status = now;
        }
        changed
    });
}

/// Sends our FIN (after TLS's `close_notify`), then drains the peer's input until its FIN
/// or [`LINGER`], so that the socket closes without a reset.
async fn shut_down<IO>(stream: &mut IO, read_open: bool)
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    // The peer may already be gone, or have stopped reading; there is nothing left to tell
    // it either way.
    let _ = timeout(LINGER, stream.shutdown()).await;
    if !read_open {
        return;
    }
    let mut buf = vec![0; DRAIN_BUFFER];
    let drain = async {
        // Ends at the peer's FIN (0) or at an error (a reset, or TLS without close_notify).
        while let Ok(1..) = stream.read(&mut buf).await {}
    };
    let _ = timeout(LINGER, drain).await;
}
