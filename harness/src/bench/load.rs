//! One connection's load loop: keep `depth` messages in flight, check every echo, and send
//! one new message for each echo completed.
//!
//! The loop costs the load generator little per message: the frames are copies of one
//! pre-masked frame (one per pipeline slot, so sending only rewrites a message number), all
//! the messages one read makes due go out in one vectored write, the read buffer is reused,
//! and the clock is read once per read and once per write batch rather than per message.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::rc::Rc;
use std::time::Instant;

use anyhow::bail;
use hdrhistogram::Histogram;
use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::sync::Notify;

use super::pattern::Pattern;
use super::verify::EchoChecker;

/// The read buffer of each connection.
const READ_BUFFER: usize = 256 * 1024;

/// The most frames handed to one `writev` (well under any system's `IOV_MAX`).
const MAX_IOV: usize = 64;

/// Where the run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Load runs, nothing is counted.
    Warmup,
    /// Load runs, echoes and their latency are counted.
    Measure,
    /// The connections stop.
    Stop,
}

/// What all connections of a run share (one thread, so plain cells).
#[derive(Debug)]
pub(super) struct Shared {
    /// Where the run is.
    pub(super) phase: Cell<Phase>,
    /// Echoes completed while measuring.
    pub(super) messages: Cell<u64>,
    /// Stop once this many echoes were measured, if set.
    pub(super) target: Option<u64>,
    /// Wakes the run when the target is reached or a connection failed.
    pub(super) wake: Notify,
    /// Round-trip times of the measured echoes, in nanoseconds.
    pub(super) latency: RefCell<Histogram<u64>>,
    /// The first connection failure.
    pub(super) error: RefCell<Option<String>>,
}

impl Shared {
    /// A run in warmup, stopping after `target` measured echoes if given.
    pub(super) fn new(target: Option<u64>) -> anyhow::Result<Self> {
        // 1 ns to 100 s at 3 significant digits.
        let latency = Histogram::new_with_bounds(1, 100_000_000_000, 3)?;
        Ok(Self {
            phase: Cell::new(Phase::Warmup),
            messages: Cell::new(0),
            target,
            wake: Notify::new(),
            latency: RefCell::new(latency),
            error: RefCell::new(None),
        })
    }

    /// Records a connection's failure (the first one wins) and stops the run.
    pub(super) fn fail(&self, error: String) {
        self.error.borrow_mut().get_or_insert(error);
        self.phase.set(Phase::Stop);
        self.wake.notify_one();
    }

    /// Counts `sent.len()` echoes completed at `now`, if measuring.
    fn complete(&self, now: Instant, sent: impl Iterator<Item = Instant>) {
        if self.phase.get() != Phase::Measure {
            sent.for_each(drop);
            return;
        }
        let mut latency = self.latency.borrow_mut();
        let mut n = 0;
        for at in sent {
            let ns = now.saturating_duration_since(at).as_nanos();
            latency.saturating_record(u64::try_from(ns).unwrap_or(u64::MAX));
            n += 1;
        }
        let total = self.messages.get() + n;
        self.messages.set(total);
        if self.target.is_some_and(|t| total >= t) {
            self.phase.set(Phase::Stop);
            self.wake.notify_one();
        }
    }
}

/// The frames of one connection waiting to be written.
struct Outbox {
    /// One frame per pipeline slot; message `n` goes out from slot `n % depth`, which is free
    /// again once message `n`'s echo arrived (so it was written long before).
    slots: Vec<Vec<u8>>,
    /// Slots to write, with how much of each is written already.
    queue: VecDeque<(usize, usize)>,
    /// When each message in flight was queued, oldest first.
    sent_at: VecDeque<Instant>,
    next_seq: u64,
}

impl Outbox {
    fn new(pattern: &Pattern, depth: usize) -> Self {
        Self {
            slots: (0..depth).map(|_| pattern.frame().to_vec()).collect(),
            queue: VecDeque::with_capacity(depth),
            sent_at: VecDeque::with_capacity(depth),
            next_seq: 0,
        }
    }

    /// Queues the next `n` messages, stamped `now`.
    fn push(&mut self, pattern: &Pattern, n: usize, now: Instant) {
        for _ in 0..n {
            let slot = (self.next_seq % self.slots.len() as u64) as usize;
            pattern.patch(&mut self.slots[slot], self.next_seq);
            self.queue.push_back((slot, 0));
            self.sent_at.push_back(now);
            self.next_seq += 1;
        }
    }

    /// Writes as much as the socket takes without waiting.
    fn write(&mut self, stream: &TcpStream) -> io::Result<()> {
        while !self.queue.is_empty() {
            let mut iov = [IoSlice::new(&[]); MAX_IOV];
            let mut count = 0;
            for (&(slot, done), io) in self.queue.iter().zip(iov.iter_mut()) {
                *io = IoSlice::new(&self.slots[slot][done..]);
                count += 1;
            }
            let mut written = match stream.try_write_vectored(&iov[..count]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            };
            while let Some((slot, done)) = self.queue.front_mut() {
                let left = self.slots[*slot].len() - *done;
                if written < left {
                    *done += written;
                    break;
                }
                written -= left;
                self.queue.pop_front();
            }
        }
        Ok(())
    }
}

/// Runs one connection until the run stops; `leftover` holds octets read with the
/// handshake response (the first echoes cannot be among them, but a broken server's
/// octets could).
///
/// # Errors
///
/// A wrong echo, or the server closing or resetting the connection.
pub(super) async fn drive(
    stream: TcpStream,
    leftover: &[u8],
    pattern: Rc<Pattern>,
    depth: usize,
    shared: Rc<Shared>,
) -> anyhow::Result<()> {
    let mut checker = EchoChecker::new(Rc::clone(&pattern));
    let mut outbox = Outbox::new(&pattern, depth);
    let mut buf = vec![0u8; READ_BUFFER];
    if checker.feed(leftover)? > 0 {
        bail!("the server echoed before anything was sent");
    }
    outbox.push(&pattern, depth, Instant::now());
    loop {
        if shared.phase.get() == Phase::Stop {
            return Ok(());
        }
        outbox.write(&stream)?;
        let interest = if outbox.queue.is_empty() {
            Interest::READABLE
        } else {
            Interest::READABLE | Interest::WRITABLE
        };
        let ready = stream.ready(interest).await?;
        if !ready.is_readable() {
            continue;
        }
        let n = match stream.try_read(&mut buf) {
            Ok(0) => bail!(
                "the server closed the connection after {} echoes",
                outbox.next_seq - outbox.sent_at.len() as u64
            ),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e.into()),
        };
        let done = checker.feed(&buf[..n])?;
        if done > outbox.sent_at.len() {
            // Only possible with payloads too short to carry a message number.
            bail!("more echoes than messages sent");
        }
        if done > 0 {
            let now = Instant::now();
            shared.complete(now, outbox.sent_at.drain(..done));
            outbox.push(&pattern, done, now);
        }
    }
}
