//! Writing handshake heads (RFC 6455 sections 4.1 and 4.2.2) as HTTP/1.1 bytes.
//!
//! > The handshake from the client looks as follows: [...] The handshake from the server looks
//! > as follows: [...] The leading line from the client follows the Request-Line format.
//!
//! Every line ends in CRLF and the head ends with an empty line. Header names and values given by
//! the application are checked first, because a CR or LF in them would let one header smuggle
//! in others (response splitting).

use super::headers::is_token;

/// Whether `name: value` can be written as one header line: the name is an HTTP token and the value
/// holds no CR, LF or NUL.
pub(super) fn is_valid_header(name: &str, value: &str) -> bool {
    is_token(name) && !value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0))
}

/// Appends `name: value\r\n`; the caller has checked the pair with [`is_valid_header`] or knows
/// it to be valid.
pub(super) fn push_header(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_header_injection() {
        assert!(is_valid_header("X-Ok", "any value; with \"quotes\""));
        assert!(!is_valid_header("X-Bad", "a\r\nSet-Cookie: x"));
        assert!(!is_valid_header("X-Bad", "a\nb"));
        assert!(!is_valid_header("X-Bad", "a\0b"));
        assert!(!is_valid_header("X Bad", "v"));
        assert!(!is_valid_header("", "v"));
    }

    #[test]
    fn push_header_writes_one_crlf_line() {
        let mut out = Vec::new();
        push_header(&mut out, "Upgrade", "websocket");
        assert_eq!(out, b"Upgrade: websocket\r\n");
    }
}
