//! The script every peer plays, shared by the in-process Rust peers (the Python and Node peers
//! implement the same in their own language): echo messages, obey `cmd:` text messages, and
//! report in the same lines.

/// What a `cmd:` text message asks the peer to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cmd {
    /// Send a ping with this payload and report "pong PAYLOAD" when the pong arrives.
    Ping(String),
    /// Send [`FRAGMENTED_TEXT`] and [`FRAGMENTED_BINARY`], one frame per part.
    Fragments,
    /// Start the closing handshake with this code and reason.
    Close(u16, String),
    /// Start the closing handshake with an empty close frame.
    CloseEmpty,
    /// Drop TCP without a close frame, and report "dropped".
    Drop,
}

/// The parts of the fragmented text message the peers send.
pub(crate) const FRAGMENTED_TEXT: [&str; 3] = ["frag", "ment", "ed ✓"];

/// The parts of the fragmented binary message the peers send.
pub(crate) const FRAGMENTED_BINARY: [&[u8]; 3] = [&[0, 1], &[2], &[3]];

/// The command in a text message, if it is one.
pub(crate) fn command(text: &str) -> Option<Cmd> {
    let rest = text.strip_prefix("cmd:")?;
    let (verb, arg) = rest.split_once(' ').unwrap_or((rest, ""));
    Some(match verb {
        "ping" => Cmd::Ping(arg.to_owned()),
        "fragments" => Cmd::Fragments,
        "close" => {
            let (code, reason) = arg.split_once(' ').unwrap_or((arg, ""));
            Cmd::Close(code.parse().ok()?, reason.to_owned())
        }
        "close-empty" => Cmd::CloseEmpty,
        "drop" => Cmd::Drop,
        _ => return None,
    })
}

/// A server's choice among the protocols a client offered (its `Sec-WebSocket-Protocol`):
/// the first offered one the server speaks.
pub(crate) fn choose(offered: Option<&str>, speaks: &[String]) -> Option<String> {
    offered?
        .split(',')
        .map(str::trim)
        .find(|p| speaks.iter().any(|s| s == p))
        .map(str::to_owned)
}

/// The "open PROTOCOL EXTENSIONS" line.
pub(crate) fn open_line(protocol: Option<&str>, extensions: Option<&str>) -> String {
    format!(
        "open {} {}",
        protocol.unwrap_or("-"),
        extensions.unwrap_or("-")
    )
}

/// The "close CODE REASON" line, with the code and reason received.
pub(crate) fn close_line(code: u16, reason: &str) -> String {
    format!("close {code} {reason}").trim_end().to_owned()
}

/// The code and reason of a received close frame's payload (1005 for an empty one).
pub(crate) fn close_payload(payload: &[u8]) -> (u16, String) {
    match payload {
        [hi, lo, reason @ ..] => (
            u16::from_be_bytes([*hi, *lo]),
            String::from_utf8_lossy(reason).into_owned(),
        ),
        _ => (1005, String::new()),
    }
}
