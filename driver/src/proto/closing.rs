//! The closing handshake, RFC 6455 section 7: failing the connection (7.1.7), answering the
//! peer's close (5.5.1), the timer that keeps a silent peer from holding the connection open, and
//! when the transport should go (7.1.1).

use std::time::Instant;

use super::connection::{Reply, State, Timer};
use super::{Connection, Event};
use crate::error::ProtocolError;
use crate::frame::CloseCode;

// ===== impl Connection: closing =====

impl Connection {
    /// When to call [`handle_timeout`](Self::handle_timeout) next, if a timer is running.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.should_close_tcp() {
            return None;
        }
        match self.timer {
            Timer::Off => None,
            // Armed before any time was known (`handle_timeout` never called): it starts at the
            // next `handle_timeout`, which is why the calling order asks for one at the start.
            Timer::Pending => None,
            Timer::At(at) => Some(at),
        }
    }

    /// The time is `now`: starts a pending timer, or gives up on the peer when the closing timer ran
    /// out (the close event fires with 1006 if it has not yet).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        match self.timer {
            Timer::Off => {}
            Timer::Pending => self.timer = Timer::At(now + self.config.close_timeout),
            Timer::At(at) if now >= at => {
                self.timer = Timer::Off;
                self.timed_out = true;
                self.finish_close(CloseCode::ABNORMAL.0, String::new(), true);
                // Whatever we owe goes into the transmit buffer, for a last flush.
                self.send_reply();
            }
            Timer::At(_) => {}
        }
    }

    /// The peer closed TCP, or reading from it failed. The close event fires with 1006 if it has not yet.
    pub fn handle_eof(&mut self) {
        self.eof = true;
        self.finish_close(CloseCode::ABNORMAL.0, String::new(), true);
    }

    /// Whether the transport should be shut down now.
    pub fn should_close_tcp(&self) -> bool {
        self.eof
            || self.timed_out
            || (matches!(
                self.state,
                State::Closed {
                    close_tcp_when_flushed: true
                }
            ) && self.tx_head == self.tx.len())
    }

    /// Whether data may still be sent: open, or a close is owed but not yet sent.
    pub(super) fn can_send(&self) -> bool {
        matches!(
            self.state,
            State::Open | State::CloseQueued { reply: Some(_), .. }
        )
    }

    /// Whether the close event has been queued.
    fn close_event_queued(&self) -> bool {
        matches!(self.state, State::CloseQueued { .. } | State::Closed { .. })
    }

    /// Fails the connection (section 7.1.7): reports the error, owes a close frame with its code
    /// unless one was sent, and stops reading.
    pub(super) fn fail(&mut self, error: ProtocolError) {
        if self.close_event_queued() {
            return;
        }
        self.events.push_back(Event::Error(error));
        let reply = (self.state == State::Open).then_some(Reply::Fail(error));
        self.queue_close_event(error.close_code().0, error.to_string(), reply, true);
    }

    /// The close event with nothing owed to the peer (TCP is gone, or we gave up on it).
    pub(super) fn finish_close(&mut self, code: u16, reason: String, close_tcp_when_flushed: bool) {
        self.queue_close_event(code, reason, None, close_tcp_when_flushed);
    }

    /// Queues the close event, once; stops reading and frees the receive state.
    pub(super) fn queue_close_event(
        &mut self,
        code: u16,
        reason: String,
        reply: Option<Reply>,
        close_tcp_when_flushed: bool,
    ) {
        if self.close_event_queued() {
            return;
        }
        self.state = State::CloseQueued {
            reply,
            close_tcp_when_flushed,
        };
        self.frame = None;
        self.message = None;
        self.header_len = 0;
        self.events.push_back(Event::Close { code, reason });
        self.arm_timer();
    }

    /// Sends the close frame owed, if any, and enters `Closed`.
    pub(super) fn send_reply(&mut self) {
        let State::CloseQueued {
            reply,
            close_tcp_when_flushed,
        } = self.state
        else {
            return;
        };
        match reply {
            Some(Reply::Echo(code)) => self.queue_close(code, ""),
            Some(Reply::Fail(error)) => self.queue_close(error.close_code(), &error.to_string()),
            None => {}
        }
        self.state = State::Closed {
            close_tcp_when_flushed,
        };
    }

    /// Starts the closing timer unless it runs already.
    pub(super) fn arm_timer(&mut self) {
        if self.timer == Timer::Off {
            self.timer = match self.now {
                Some(now) => Timer::At(now + self.config.close_timeout),
                None => Timer::Pending,
            };
        }
    }
}
