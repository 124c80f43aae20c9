//! Pending callbacks: send callbacks keyed by transmit offset, ping callbacks keyed by
//! payload.
//!
//! A send callback fires when the last byte of its frame has been consumed from the
//! transmit buffer, so it is tracked as the absolute stream offset just past that frame.
//! Frames are queued in order, so offsets only grow and a queue suffices. A ping callback
//! fires when a pong with the same payload arrives (RFC 6455 section 5.5.3: the pong
//! echoes the ping's "Application data").

use std::collections::VecDeque;

use super::send::Callback;

/// Send callbacks waiting for their frame to leave the transmit buffer.
#[derive(Default)]
pub(crate) struct WriteCallbacks {
    /// `(end offset, callback)`, offsets non-decreasing.
    queue: VecDeque<(u64, Callback)>,
}

impl WriteCallbacks {
    /// Registers `callback` to run once the stream offset `end` has been written.
    pub(crate) fn push(&mut self, end: u64, callback: Callback) {
        self.queue.push_back((end, callback));
    }

    /// Removes and returns the callbacks whose frames end at or before `written`.
    pub(crate) fn take_done(&mut self, written: u64) -> Vec<Callback> {
        let n = self
            .queue
            .iter()
            .take_while(|(end, _)| *end <= written)
            .count();
        self.queue.drain(..n).map(|(_, cb)| cb).collect()
    }

    /// How many callbacks wait.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}

/// Ping callbacks waiting for the matching pong.
#[derive(Default)]
pub(crate) struct PingCallbacks {
    waiting: Vec<(Vec<u8>, Callback)>,
}

impl PingCallbacks {
    /// Registers `callback` for the pong echoing `payload`.
    pub(crate) fn push(&mut self, payload: Vec<u8>, callback: Callback) {
        self.waiting.push((payload, callback));
    }

    /// Removes and returns the callbacks of every ping with this payload: a pong answers
    /// all pings with its payload, since the peer may answer only the latest one
    /// (RFC 6455 section 5.5.3).
    pub(crate) fn take_matching(&mut self, payload: &[u8]) -> Vec<Callback> {
        let mut done = Vec::new();
        let mut i = 0;
        while i < self.waiting.len() {
            if self.waiting[i].0 == payload {
                done.push(self.waiting.remove(i).1);
            } else {
                i += 1;
            }
        }
        done
    }

    /// Drops every pending callback.
    pub(crate) fn clear(&mut self) {
        self.waiting.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn counter() -> (Arc<AtomicUsize>, impl Fn(usize) -> Callback) {
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        (hits, move |bit| {
            let h = h.clone();
            Box::new(move || {
                h.fetch_add(bit, Ordering::SeqCst);
            })
        })
    }

    #[test]
    fn write_callbacks_fire_in_order_once_their_offset_is_written() {
        let (hits, cb) = counter();
        let mut w = WriteCallbacks::default();
        w.push(10, cb(1));
        w.push(10, cb(2));
        w.push(25, cb(4));
        assert!(w.take_done(9).is_empty());
        for f in w.take_done(10) {
            f();
        }
        assert_eq!(hits.load(Ordering::SeqCst), 3);
        assert_eq!(w.len(), 1);
        for f in w.take_done(100) {
            f();
        }
        assert_eq!(hits.load(Ordering::SeqCst), 7);
        assert!(w.take_done(1000).is_empty());
    }

    #[test]
    fn ping_callbacks_match_the_payload() {
        let (hits, cb) = counter();
        let mut p = PingCallbacks::default();
        p.push(b"a".to_vec(), cb(1));
        p.push(b"b".to_vec(), cb(2));
        p.push(b"a".to_vec(), cb(4));
        assert!(p.take_matching(b"c").is_empty());
        for f in p.take_matching(b"a") {
            f();
        }
        assert_eq!(hits.load(Ordering::SeqCst), 5);
        p.clear();
        assert!(p.take_matching(b"b").is_empty());
    }
}
