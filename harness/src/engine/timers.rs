//! The case's timers: Autobahn's `callLater` calls, fired in deadline order.

use tokio::time::Instant;

/// What a timer does when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// `continueLater`: resume playing the steps at `next` (a pause ended).
    Continue {
        /// Index of the step after the pause.
        next: usize,
        /// The pause's tag, recorded as a `timeout` event if the connection is still open.
        tag: Option<String>,
    },
    /// `killAfter`: fail the connection (Autobahn sends a 1001 close, or drops if closing).
    Kill,
    /// `closeAfter`: start the closing handshake.
    CloseAfter,
    /// `closeHandshakeTimeout`: the peer did not answer our close in time.
    CloseHandshake,
    /// `serverConnectionDropTimeout`: the server did not drop TCP after the closing handshake.
    ServerDrop,
}

/// Pending timers. Ties fire in the order they were set, as in Twisted's reactor.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    pending: Vec<(Instant, u64, TimerKind)>,
    seq: u64,
}

impl Timers {
    /// Sets a timer.
    pub(crate) fn set(&mut self, at: Instant, kind: TimerKind) {
        self.seq += 1;
        self.pending.push((at, self.seq, kind));
    }

    /// Cancels every pending timer of this kind.
    pub(crate) fn cancel(&mut self, kind: &TimerKind) {
        self.pending.retain(|(_, _, k)| k != kind);
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.pending.iter().map(|(at, _, _)| *at).min()
    }

    /// Removes and returns the earliest timer due at `now`, if any.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<TimerKind> {
        let (i, _) = self
            .pending
            .iter()
            .enumerate()
            .filter(|(_, (at, _, _))| *at <= now)
            .min_by_key(|(_, (at, seq, _))| (*at, *seq))?;
        Some(self.pending.remove(i).2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fires_in_deadline_then_insertion_order() {
        let t0 = Instant::now();
        let mut t = Timers::default();
        t.set(t0 + Duration::from_secs(2), TimerKind::Kill);
        t.set(t0 + Duration::from_secs(1), TimerKind::CloseAfter);
        t.set(t0 + Duration::from_secs(1), TimerKind::CloseHandshake);
        assert_eq!(t.next_deadline(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(t.pop_due(t0), None);
        let later = t0 + Duration::from_secs(5);
        assert_eq!(t.pop_due(later), Some(TimerKind::CloseAfter));
        t.cancel(&TimerKind::CloseHandshake);
        assert_eq!(t.pop_due(later), Some(TimerKind::Kill));
        assert_eq!(t.pop_due(later), None);
    }
}
