//! A decompression bomb: 100 MiB of zeros in about 100 KiB of compressed frames closes with 1009,
//! and the connection never holds much more than `max_length`. Its own test binary, so that the
//! counting allocator sees this test alone.
#![cfg(feature = "deflate")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::{Compress, Compression, FlushCompress};
use websocket_driver::ext::deflate::{DeflateParams, Negotiated};
use websocket_driver::frame::{FrameHeader, OpCode};
use websocket_driver::{Config, Connection, Event, ProtocolError, Role};

/// Counts the bytes allocated now and the peak since the last reset.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: same layout, as `GlobalAlloc::alloc` requires of us.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// 1 MiB of zeros, raw-deflated with a sync flush (its `00 00 ff ff` kept, so copies join).
fn one_mib_of_zeros() -> Vec<u8> {
    let zeros = vec![0; 1 << 20];
    let mut compress = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(1 << 16);
    compress
        .compress_vec(&zeros, &mut out, FlushCompress::Sync)
        .unwrap();
    assert_eq!(compress.total_in(), 1 << 20);
    assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
    out
}

#[test]
fn a_100_mib_bomb_closes_with_1009_in_bounded_memory() {
    let piece = one_mib_of_zeros();
    let mut stream = piece.repeat(100);
    stream.truncate(stream.len() - 4); // the sender strips the last tail
    assert!(stream.len() < 200 * 1024, "{} bytes", stream.len());

    // Unmasked frames from a server to a client, in 64 KiB frames: the first with RSV1.
    let mut wire = Vec::new();
    let chunks: Vec<&[u8]> = stream.chunks(64 * 1024).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let opcode = if i == 0 {
            OpCode::Binary
        } else {
            OpCode::Continuation
        };
        let mut header = FrameHeader::new(i + 1 == chunks.len(), opcode, None, chunk.len() as u64);
        header.rsv = if i == 0 { 0b100 } else { 0 };
        header.encode(&mut wire);
        wire.extend_from_slice(chunk);
    }

    let max_length = 4 << 20;
    let config = Config {
        max_length,
        ..Config::default()
    };
    let mut client = Connection::with_seed(Role::Client, config, 1);
    client.enable_deflate(&Negotiated {
        params: DeflateParams::default(),
        threshold: 0,
        level: 6,
    });

    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    LARGEST.store(0, Ordering::Relaxed);
    for read in wire.chunks(16 * 1024) {
        client.handle_bytes(read);
    }
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let largest = LARGEST.load(Ordering::Relaxed);
    println!(
        "100 MiB bomb, max_length {max_length}: peak {peak} bytes, largest allocation {largest}"
    );

    let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
    assert_eq!(events[0], Event::Error(ProtocolError::MessageTooLong));
    assert!(
        matches!(&events[1], Event::Close { code: 1009, .. }),
        "{events:?}"
    );
    // No buffer is ever larger than max_length: growth stops at the limit.
    assert!(largest <= max_length, "an allocation of {largest} bytes");
    // The peak is the last growth of the message buffer (the old half and the new whole exist
    // together while it moves, as this allocator counts a realloc), the 16 KiB output chunk and
    // the events; never the 100 MiB.
    assert!(
        peak <= max_length + max_length / 2 + 256 * 1024,
        "peak {peak} bytes for max_length {max_length}"
    );
    assert!(peak >= max_length / 2, "the message did grow: peak {peak}");
}
