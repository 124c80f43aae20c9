//! Bounds on the size of a handshake head, so that a peer cannot make us buffer without end.
//!
//! RFC 6455 section 4 sets no limit, and HTTP leaves it to the implementation (RFC 9110 section
//! 5.4: "A server that receives a request header field line, field value, or set of fields larger
//! than it wishes to process MUST respond with an appropriate 4xx (Client Error) status code").
//! Browsers send well under 2 KiB of headers for an upgrade; the bounds leave ample room for
//! cookies.

use super::HandshakeError;

/// The most header fields a request or response head may have.
pub const MAX_HEADERS: usize = 64;

/// The most bytes a request or response head may take, from the request line up to and including
/// the empty line that ends it.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Runs an httparse parser over at most [`MAX_HEAD_BYTES`] of `buf` and maps its outcome.
///
/// Parsing only the bounded prefix keeps the work per call constant however much the caller has
/// buffered. `Ok(None)` means "need more bytes" and is only possible while fewer than
/// [`MAX_HEAD_BYTES`] are buffered.
pub(super) fn parse_bounded<'b>(
    buf: &'b [u8],
    parse: impl FnOnce(&'b [u8]) -> httparse::Result<usize>,
) -> Result<Option<usize>, HandshakeError> {
    let window = &buf[..buf.len().min(MAX_HEAD_BYTES)];
    match parse(window) {
        Ok(httparse::Status::Complete(len)) => Ok(Some(len)),
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD_BYTES => {
            Err(HandshakeError::HeadTooLarge)
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(HandshakeError::TooManyHeaders),
        Err(error) => Err(HandshakeError::MalformedHttp(describe(error))),
    }
}

/// Our own wording of an httparse error, so that httparse's type stays out of our public API.
fn describe(error: httparse::Error) -> &'static str {
    match error {
        httparse::Error::HeaderName => "invalid header name",
        httparse::Error::HeaderValue => "invalid header value",
        httparse::Error::NewLine => "invalid line ending",
        httparse::Error::Status => "invalid status code",
        httparse::Error::Token => "invalid method or token",
        httparse::Error::TooManyHeaders => "too many headers",
        httparse::Error::Version => "invalid http version",
    }
}

/// Copies httparse's borrowed headers into owned pairs. Values that are not UTF-8 (legal in HTTP,
/// e.g. Latin-1 in a cookie) are converted lossily: every header this crate interprets is ASCII,
/// and a replacement character can never make an invalid key or token valid.
pub(super) fn owned_headers(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            (
                h.name.to_owned(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect()
}
