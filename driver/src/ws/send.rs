//! What [`WebSocket::send`](super::WebSocket::send) takes: the data ([`Data`], text or
//! bytes, borrowed or owned) and the seed's keyword arguments ([`SendOptions`]: `start`,
//! `end`, `type`, `code`, `callback`).

use std::borrow::Cow;
use std::fmt;

use crate::proto::Message;

/// The payload given to [`send`](super::WebSocket::send): text or bytes.
///
/// Converts from `&str`, `String`, `&[u8]`, `Vec<u8>`, byte arrays and [`Message`], so a
/// received message can be sent straight back (`ws.send(msg)`). Text is sent as a text
/// frame and bytes as a binary frame unless [`SendOptions::kind`] says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data<'a> {
    /// UTF-8 text.
    Text(Cow<'a, str>),
    /// Bytes.
    Binary(Cow<'a, [u8]>),
}

impl Data<'_> {
    /// The payload bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(t) => t.as_bytes(),
            Self::Binary(b) => b,
        }
    }

    /// Copies borrowed data so that it can be queued (for sends made while connecting,
    /// or sent to another task).
    pub fn into_owned(self) -> Data<'static> {
        match self {
            Self::Text(t) => Data::Text(Cow::Owned(t.into_owned())),
            Self::Binary(b) => Data::Binary(Cow::Owned(b.into_owned())),
        }
    }

    /// The frame type used when [`SendOptions::kind`] is unset.
    pub(crate) fn default_kind(&self) -> SendType {
        match self {
            Self::Text(_) => SendType::Text,
            Self::Binary(_) => SendType::Binary,
        }
    }
}

impl<'a> From<&'a str> for Data<'a> {
    fn from(s: &'a str) -> Self {
        Self::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Data<'a> {
    fn from(s: &'a String) -> Self {
        Self::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Data<'_> {
    fn from(s: String) -> Self {
        Self::Text(Cow::Owned(s))
    }
}

impl<'a> From<&'a [u8]> for Data<'a> {
    fn from(b: &'a [u8]) -> Self {
        Self::Binary(Cow::Borrowed(b))
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Data<'a> {
    fn from(b: &'a [u8; N]) -> Self {
        Self::Binary(Cow::Borrowed(b))
    }
}

impl<'a> From<&'a Vec<u8>> for Data<'a> {
    fn from(b: &'a Vec<u8>) -> Self {
        Self::Binary(Cow::Borrowed(b))
    }
}

impl From<Vec<u8>> for Data<'_> {
    fn from(b: Vec<u8>) -> Self {
        Self::Binary(Cow::Owned(b))
    }
}

impl From<Message> for Data<'_> {
    fn from(m: Message) -> Self {
        match m {
            Message::Text(t) => Self::Text(Cow::Owned(t)),
            Message::Binary(b) => Self::Binary(Cow::Owned(b)),
        }
    }
}

impl<'a> From<&'a Message> for Data<'a> {
    fn from(m: &'a Message) -> Self {
        match m {
            Message::Text(t) => Self::Text(Cow::Borrowed(t)),
            Message::Binary(b) => Self::Binary(Cow::Borrowed(b)),
        }
    }
}

/// The seed's `:type` argument: which frame [`send`](super::WebSocket::send) produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendType {
    /// A text message (the data must be valid UTF-8).
    Text,
    /// A binary message.
    Binary,
    /// A ping; the payload is at most 125 bytes.
    Ping,
    /// An unsolicited pong; the payload is at most 125 bytes.
    Pong,
    /// Starts the closing handshake with [`SendOptions::code`] and the data as reason.
    Close,
}

/// A callback run once, without arguments (a send completed, a pong arrived).
pub type Callback = Box<dyn FnOnce() + Send + 'static>;

/// The seed's keyword arguments of `send`: a byte range, the frame type, the close code
/// and a callback run once the frame has been written.
///
/// ```
/// use websocket_driver::ws::{SendOptions, SendType};
/// let opts = SendOptions::new().range(0, 5).kind(SendType::Binary).callback(|| println!("written"));
/// assert_eq!(opts.start, 0);
/// ```
#[derive(Default)]
pub struct SendOptions {
    /// First byte of the data to send. Default 0.
    pub start: usize,
    /// One past the last byte to send; `None` means the end of the data. For text both
    /// ends must fall on character boundaries.
    pub end: Option<usize>,
    /// The frame type; `None` picks text for text data and binary for bytes.
    pub kind: Option<SendType>,
    /// The close code, for [`SendType::Close`] only; `None` sends 1000.
    pub code: Option<u16>,
    /// Run once the whole frame has left the transmit buffer (it was handed to the
    /// transport). Never run if the connection closes first.
    pub callback: Option<Callback>,
}

impl SendOptions {
    /// No range, type from the data, no callback.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends only `data[start..end]`.
    #[must_use]
    pub fn range(mut self, start: usize, end: usize) -> Self {
        self.start = start;
        self.end = Some(end);
        self
    }

    /// Sets the frame type.
    #[must_use]
    pub fn kind(mut self, kind: SendType) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Sets the close code (with [`SendType::Close`]).
    #[must_use]
    pub fn code(mut self, code: u16) -> Self {
        self.code = Some(code);
        self
    }

    /// Sets the callback run once the frame is written.
    #[must_use]
    pub fn callback(mut self, f: impl FnOnce() + Send + 'static) -> Self {
        self.callback = Some(Box::new(f));
        self
    }
}

impl fmt::Debug for SendOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendOptions")
            .field("start", &self.start)
            .field("end", &self.end)
            .field("kind", &self.kind)
            .field("code", &self.code)
            .field("callback", &self.callback.as_ref().map(|_| "FnOnce"))
            .finish()
    }
}

/// Cuts `data` to `start..end`, or `None` when the range is out of bounds, reversed, or
/// splits a UTF-8 character of text.
pub(crate) fn slice<'d>(data: &'d Data<'_>, start: usize, end: Option<usize>) -> Option<&'d [u8]> {
    let bytes = data.as_bytes();
    let end = end.unwrap_or(bytes.len());
    if start > end || end > bytes.len() {
        return None;
    }
    if let Data::Text(t) = data {
        if !t.is_char_boundary(start) || !t.is_char_boundary(end) {
            return None;
        }
    }
    Some(&bytes[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_pick_the_type() {
        assert_eq!(Data::from("a").default_kind(), SendType::Text);
        assert_eq!(Data::from(String::from("a")).default_kind(), SendType::Text);
        assert_eq!(Data::from(&b"a"[..]).default_kind(), SendType::Binary);
        assert_eq!(Data::from(vec![1u8]).default_kind(), SendType::Binary);
        assert_eq!(
            Data::from(Message::Text("x".into())),
            Data::Text("x".into())
        );
        assert_eq!(Data::from(&Message::Binary(vec![7])).as_bytes(), [7]);
    }

    #[test]
    fn slice_checks_bounds_and_char_boundaries() {
        let text = Data::from("héllo");
        assert_eq!(slice(&text, 0, None), Some("héllo".as_bytes()));
        assert_eq!(slice(&text, 3, Some(6)), Some(&b"llo"[..]));
        assert_eq!(slice(&text, 2, None), None, "inside the two bytes of é");
        assert_eq!(slice(&text, 4, Some(3)), None, "reversed");
        assert_eq!(slice(&text, 0, Some(7)), None, "past the end");
        let bin = Data::from(vec![0xc3u8, 0xa9]);
        assert_eq!(
            slice(&bin, 1, None),
            Some(&[0xa9u8][..]),
            "bytes may be cut anywhere"
        );
    }

    #[test]
    fn options_debug_hides_the_closure() {
        let o = SendOptions::new().code(1001).callback(|| {});
        let s = format!("{o:?}");
        assert!(s.contains("1001") && s.contains("FnOnce"), "{s}");
    }
}
