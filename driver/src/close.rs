//! The close frame's payload, RFC 6455 section 5.5.1.
//!
//! > If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in
//! > network byte order) representing a status code with value /code/ defined in Section 7.4.
//! > Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value /reason/.

use crate::error::{Error, ProtocolError};
use crate::frame::CloseCode;

/// The longest reason that fits a control frame next to its 2-byte code.
pub const MAX_REASON_LEN: usize = 123;

/// Validates a received close payload.
///
/// Returns `None` for an empty payload, else the code and the reason.
///
/// # Errors
///
/// [`ProtocolError::CloseFrameTooShort`] for a single byte, [`ProtocolError::InvalidCloseCode`] for
/// a code that may not appear on the wire, [`ProtocolError::InvalidUtf8InCloseReason`] for a reason
/// that is not UTF-8.
pub fn parse_close_payload(payload: &[u8]) -> Result<Option<(CloseCode, &str)>, ProtocolError> {
    match payload {
        [] => Ok(None),
        [_] => Err(ProtocolError::CloseFrameTooShort),
        [hi, lo, reason @ ..] => {
            let code = CloseCode(u16::from_be_bytes([*hi, *lo]));
            if !code.is_allowed_on_wire() {
                return Err(ProtocolError::InvalidCloseCode(code.0));
            }
            let reason =
                std::str::from_utf8(reason).map_err(|_| ProtocolError::InvalidUtf8InCloseReason)?;
            Ok(Some((code, reason)))
        }
    }
}

/// Checks a close code and reason we are asked to send.
///
/// # Errors
///
/// [`Error::InvalidCloseCode`] for a code that may not be sent, [`Error::CloseReasonTooLong`] for a
/// reason over [`MAX_REASON_LEN`] bytes.
pub fn check_outgoing(code: CloseCode, reason: &str) -> Result<(), Error> {
    if !code.is_allowed_on_wire() {
        return Err(Error::InvalidCloseCode(code.0));
    }
    if reason.len() > MAX_REASON_LEN {
        return Err(Error::CloseReasonTooLong(reason.len()));
    }
    Ok(())
}

/// Appends a close payload: the code in network byte order, then the reason.
pub fn encode_close_payload(code: CloseCode, reason: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(&code.0.to_be_bytes());
    out.extend_from_slice(reason.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_payload_has_no_code() {
        assert_eq!(parse_close_payload(&[]), Ok(None));
    }

    #[test]
    fn one_byte_is_too_short() {
        assert_eq!(
            parse_close_payload(&[0x03]),
            Err(ProtocolError::CloseFrameTooShort)
        );
    }

    #[test]
    fn code_and_reason() {
        assert_eq!(
            parse_close_payload(b"\x03\xe8bye"),
            Ok(Some((CloseCode::NORMAL, "bye")))
        );
        assert_eq!(
            parse_close_payload(b"\x0f\xa0"),
            Ok(Some((CloseCode(4000), "")))
        );
    }

    #[test]
    fn invalid_codes() {
        for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            let payload = code.to_be_bytes();
            assert_eq!(
                parse_close_payload(&payload),
                Err(ProtocolError::InvalidCloseCode(code))
            );
        }
    }

    #[test]
    fn invalid_reason() {
        assert_eq!(
            parse_close_payload(
                b"\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"
            ),
            Err(ProtocolError::InvalidUtf8InCloseReason)
        );
        assert_eq!(
            parse_close_payload(b"\x03\xe8\xf4\x90"),
            Err(ProtocolError::InvalidUtf8InCloseReason)
        );
    }

    #[test]
    fn outgoing_checks() {
        assert!(check_outgoing(CloseCode::NORMAL, "").is_ok());
        assert!(matches!(
            check_outgoing(CloseCode(1005), ""),
            Err(Error::InvalidCloseCode(1005))
        ));
        let long = "x".repeat(124);
        assert!(matches!(
            check_outgoing(CloseCode::NORMAL, &long),
            Err(Error::CloseReasonTooLong(124))
        ));
        let mut out = Vec::new();
        encode_close_payload(CloseCode::GOING_AWAY, "ok", &mut out);
        assert_eq!(out, b"\x03\xe9ok");
    }
}
