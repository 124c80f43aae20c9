//! The seed's event listeners (`on :open`, `:message`, `:error`, `:close`), one slot each.
//!
//! Each listener receives the socket itself, so it can send (`ws.send(msg)` in a message
//! listener echoes). To lend the socket mutably to a listener stored inside it, the
//! listener is taken out of its slot for the call and put back afterwards, unless the
//! call installed a new one.

use crate::error::ProtocolError;
use crate::proto::Message;

use super::{Side, WebSocket};

/// A listener for `open`.
pub type OpenListener<S> = Box<dyn FnMut(&mut WebSocket<S>) + Send + 'static>;
/// A listener for `message`.
pub type MessageListener<S> = Box<dyn FnMut(&mut WebSocket<S>, Message) + Send + 'static>;
/// A listener for `error`.
pub type ErrorListener<S> = Box<dyn FnMut(&mut WebSocket<S>, ProtocolError) + Send + 'static>;
/// A listener for `close`, given the close code and reason.
pub type CloseListener<S> = Box<dyn FnMut(&mut WebSocket<S>, u16, &str) + Send + 'static>;

/// The listener slots of one socket.
pub(crate) struct Listeners<S: Side> {
    pub(crate) open: Option<OpenListener<S>>,
    pub(crate) message: Option<MessageListener<S>>,
    pub(crate) error: Option<ErrorListener<S>>,
    pub(crate) close: Option<CloseListener<S>>,
}

impl<S: Side> Default for Listeners<S> {
    fn default() -> Self {
        Self {
            open: None,
            message: None,
            error: None,
            close: None,
        }
    }
}

/// Calls the listener in `slot` (if any) with the socket, then puts it back unless the
/// call replaced it. A macro rather than a function because each slot has its own type.
macro_rules! emit {
    ($ws:expr, $slot:ident $(, $arg:expr)*) => {{
        if let Some(mut listener) = $ws.listeners.$slot.take() {
            listener($ws $(, $arg)*);
            if $ws.listeners.$slot.is_none() {
                $ws.listeners.$slot = Some(listener);
            }
        }
    }};
}
pub(crate) use emit;
