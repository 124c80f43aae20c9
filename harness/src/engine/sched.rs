//! When octets hit the socket: Twisted's write timing under Autobahn, reproduced.
//!
//! Autobahn writes an unsynced frame straight into Twisted's transport buffer, which is sent
//! once per reactor iteration. A synced write or a chop goes through a send queue instead: the
//! first queued item is moved to the buffer at once, and each later one a reactor iteration
//! later (`callLater(0.00001)`), while unsynced writes made meanwhile queue up behind them.
//! When the queue was started while handling received data (the case's `onOpen` runs there),
//! the buffer is only sent after the next timed call has already added the second item, so
//! the first two queued items leave together; when it was started from a timer, the buffer
//! goes out before that. Peers see the difference: in 3.3 (three synced frames) the first
//! two frames arrive together, in 3.4 (the same frames octet by octet) they do not.

use std::collections::VecDeque;

use super::protocol::Write;

/// Where the writes of one batch were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// While handling received octets (or the opening handshake's completion).
    Read,
    /// In a timer callback.
    Timer,
}

/// One socket write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Physical {
    pub(crate) data: Vec<u8>,
    /// Autobahn's reactor iteration passes before this write: the peer gets a moment.
    pub(crate) gap_before: bool,
}

/// Turns the writes of one batch into socket writes, appended to `pending`.
pub(crate) fn schedule(batch: Vec<Write>, phase: Phase, pending: &mut VecDeque<Physical>) {
    // Items that go into the transport buffer of the current iteration.
    let mut buffer: Vec<u8> = Vec::new();
    let mut separate: Vec<Vec<u8>> = Vec::new();
    let mut queued = 0usize;
    let together = match phase {
        Phase::Read => 2,
        Phase::Timer => 1,
    };
    for w in batch {
        if queued == 0 && !w.sync {
            buffer.extend_from_slice(&w.data);
        } else {
            queued += 1;
            if queued <= together {
                buffer.extend_from_slice(&w.data);
            } else {
                separate.push(w.data);
            }
        }
    }
    if !buffer.is_empty() {
        match pending.back_mut() {
            // Still unsent octets of an earlier batch: Twisted appends to its buffer.
            Some(back) if !back.data.is_empty() && separate.is_empty() && queued == 0 => {
                back.data.extend_from_slice(&buffer);
            }
            _ => pending.push_back(Physical {
                data: buffer,
                gap_before: false,
            }),
        }
    }
    for data in separate {
        pending.push_back(Physical {
            data,
            gap_before: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(data: &[u8], sync: bool) -> Write {
        Write {
            data: data.to_vec(),
            sync,
        }
    }

    fn shape(p: &VecDeque<Physical>) -> Vec<(Vec<u8>, bool)> {
        p.iter().map(|x| (x.data.clone(), x.gap_before)).collect()
    }

    #[test]
    fn unsynced_writes_leave_together() {
        let mut p = VecDeque::new();
        schedule(vec![w(b"a", false), w(b"b", false)], Phase::Read, &mut p);
        assert_eq!(shape(&p), [(b"ab".to_vec(), false)]);
    }

    #[test]
    fn first_two_queued_items_leave_together_when_started_from_a_read() {
        let mut p = VecDeque::new();
        schedule(
            vec![
                w(b"x", false),
                w(b"1", true),
                w(b"2", true),
                w(b"3", true),
                w(b"y", false),
            ],
            Phase::Read,
            &mut p,
        );
        assert_eq!(
            shape(&p),
            [
                (b"x12".to_vec(), false),
                (b"3".to_vec(), true),
                (b"y".to_vec(), true)
            ]
        );
    }

    #[test]
    fn each_queued_item_leaves_alone_when_started_from_a_timer() {
        let mut p = VecDeque::new();
        schedule(vec![w(b"1", true), w(b"2", true)], Phase::Timer, &mut p);
        assert_eq!(shape(&p), [(b"1".to_vec(), false), (b"2".to_vec(), true)]);
    }
}
