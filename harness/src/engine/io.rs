//! The I/O loop: one task per case that reads, writes and fires timers concurrently, and
//! ends as soon as the connection is over (not at a fixed timer).
//!
//! Reading never waits for writing: a peer that echoes while we are still sending megabytes
//! must not deadlock against us.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{sleep_until, timeout, Instant};

use super::protocol::{DropMode, Fuzzer};
use super::sched::{schedule, Phase, Physical};

/// Size of one socket read (Twisted reads up to 64 KiB at a time too).
const READ_SIZE: usize = 64 * 1024;

/// The most unsent octets the harness queues. A peer that stops reading while it keeps
/// sending (a ping flood answered with pongs) is treated as no longer reading beyond that.
const MAX_PENDING: usize = 256 * 1024 * 1024;

/// How long a flushing drop may take to send what is queued.
const FLUSH_LIMIT: Duration = Duration::from_secs(1);

/// The pause before a write that Autobahn makes one reactor iteration after the previous one
/// (see `sched`). Measured on Autobahn writing chops to a sink: the first two leave together,
/// then one every 25 to 35 µs.
const REACTOR_GAP: Duration = Duration::from_micros(30);

/// Waits until `until` by spinning: a Tokio timer is too coarse (1 ms) and a thread sleep
/// overshoots by tens of microseconds. The waits are that short.
fn spin_until(until: Instant) {
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

enum Wake {
    Read(std::io::Result<usize>),
    Wrote(std::io::Result<usize>),
    Timer,
}

/// Runs the open connection: plays the case, processes the peer's octets (`leftover` first:
/// they came with the handshake response and are already logged), until the connection ends
/// or `limit` passes.
pub(crate) async fn drive<S>(fz: &mut Fuzzer<'_>, stream: S, leftover: &[u8], limit: Duration)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut rd, mut wr) = tokio::io::split(stream);
    let hard_deadline = Instant::now() + limit;
    let mut pending: VecDeque<Physical> = VecDeque::new();
    let mut offset = 0usize;
    let mut pending_bytes = 0usize;
    let mut gate: Option<Instant> = None;
    let mut can_write = true;
    let mut buf = vec![0u8; READ_SIZE];

    fz.now = Instant::now();
    fz.on_open();
    if !leftover.is_empty() {
        fz.process(leftover);
    }
    let mut phase = Phase::Read;
    loop {
        let batch = fz.take_writes();
        pending_bytes += batch.iter().map(|w| w.data.len()).sum::<usize>();
        schedule(batch, phase, &mut pending);
        if !can_write || pending_bytes > MAX_PENDING {
            can_write = false;
            pending.clear();
            pending_bytes = 0;
        }
        if let Some(mode) = fz.drop_mode {
            if mode == DropMode::Flush && can_write {
                let _ = timeout(FLUSH_LIMIT, flush(&mut wr, &mut pending, offset)).await;
            }
            break;
        }
        if fz.is_closed() {
            break;
        }
        let deadline = fz
            .next_deadline()
            .map_or(hard_deadline, |d| d.min(hard_deadline));
        let wake = {
            let chunk = pending.front().map(|c| &c.data[offset..]);
            // Wait for the reactor gap only before a write that starts a new iteration.
            let wait_until =
                gate.filter(|_| offset == 0 && pending.front().is_some_and(|p| p.gap_before));
            tokio::select! {
                r = rd.read(&mut buf) => Wake::Read(r),
                w = async {
                    if let Some(g) = wait_until {
                        spin_until(g);
                    }
                    match chunk {
                        Some(c) => wr.write(c).await,
                        None => std::future::pending().await,
                    }
                }, if chunk.is_some() => Wake::Wrote(w),
                () = sleep_until(deadline) => Wake::Timer,
            }
        };
        fz.now = Instant::now();
        match wake {
            Wake::Read(Ok(0)) | Wake::Read(Err(_)) => {
                fz.connection_lost();
                break;
            }
            Wake::Read(Ok(n)) => {
                phase = Phase::Read;
                fz.on_data(&buf[..n]);
            }
            Wake::Wrote(Ok(n)) if n > 0 => {
                offset += n;
                pending_bytes = pending_bytes.saturating_sub(n);
                if pending.front().is_some_and(|c| offset >= c.data.len()) {
                    gate = Some(Instant::now() + REACTOR_GAP);
                    pending.pop_front();
                    offset = 0;
                }
            }
            Wake::Wrote(_) => {
                // The peer no longer reads; keep reading until it closes.
                can_write = false;
                pending.clear();
                pending_bytes = 0;
                offset = 0;
            }
            Wake::Timer => {
                phase = Phase::Timer;
                if fz.now >= hard_deadline {
                    fz.safety_timeout(limit);
                } else {
                    fz.fire_due_timers();
                }
            }
        }
    }
    fz.connection_lost();
    let _ = timeout(FLUSH_LIMIT, wr.shutdown()).await;
}

async fn flush<W: AsyncWrite + Unpin>(wr: &mut W, pending: &mut VecDeque<Physical>, offset: usize) {
    let mut offset = offset;
    while let Some(chunk) = pending.pop_front() {
        let rest = &chunk.data[offset.min(chunk.data.len())..];
        if wr.write_all(rest).await.is_err() {
            return;
        }
        offset = 0;
    }
    let _ = wr.flush().await;
}
