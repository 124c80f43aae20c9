//! One element of a `Sec-WebSocket-Extensions` list, RFC 6455 section 9.1:
//!
//! ```text
//! extension = extension-token *( ";" extension-param )
//! extension-token = registered-token
//! registered-token = token
//! extension-param = token [ "=" (token | quoted-string) ]
//!     ;When using the quoted-string syntax variant, the value
//!     ;after quoted-string unescaping MUST conform to the
//!     ;'token' ABNF.
//! ```
//!
//! Splitting the list at top-level commas is [`split_list`](crate::handshake::headers::split_list);
//! this module parses one element into its name and parameters, unquoting values.

use std::fmt;

use crate::handshake::headers::is_token;

/// A parsed extension element: its name and its parameters in order, each with its value (unquoted)
/// if it has one. Names keep the case they were sent in; RFC 7692 compares them exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// The extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// The parameters in order, e.g. `("client_max_window_bits", Some("10"))`.
    pub params: Vec<(String, Option<String>)>,
}

/// Why an extension element does not follow the grammar of RFC 6455 section 9.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtensionSyntaxError {
    /// The extension name is empty or not a token.
    InvalidName,
    /// A parameter name is empty or not a token.
    InvalidParamName,
    /// A parameter value is neither a token nor a quoted string holding a token.
    InvalidParamValue,
}

impl fmt::Display for ExtensionSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidName => "extension name is not a token",
            Self::InvalidParamName => "extension parameter name is not a token",
            Self::InvalidParamValue => "extension parameter value is not a token",
        })
    }
}

impl std::error::Error for ExtensionSyntaxError {}

/// Parses one element of the list, e.g. `permessage-deflate; client_max_window_bits="10"`.
///
/// # Errors
///
/// When a name or value breaks the grammar above.
///
/// ```
/// use websocket_driver::ext::parse_extension;
/// let ext = parse_extension(r#"permessage-deflate; server_no_context_takeover; client_max_window_bits="10""#)?;
/// assert_eq!(ext.name, "permessage-deflate");
/// assert_eq!(ext.params[0], ("server_no_context_takeover".to_owned(), None));
/// assert_eq!(ext.params[1], ("client_max_window_bits".to_owned(), Some("10".to_owned())));
/// # Ok::<(), websocket_driver::ext::ExtensionSyntaxError>(())
/// ```
pub fn parse_extension(element: &str) -> Result<Extension, ExtensionSyntaxError> {
    let mut parts = split_params(element);
    let name = parts.next().unwrap_or("").trim();
    if !is_token(name) {
        return Err(ExtensionSyntaxError::InvalidName);
    }
    let mut params = Vec::new();
    for part in parts {
        let (key, value) = match part.split_once('=') {
            Some((key, value)) => (key.trim(), Some(parse_value(value.trim())?)),
            None => (part.trim(), None),
        };
        if !is_token(key) {
            return Err(ExtensionSyntaxError::InvalidParamName);
        }
        params.push((key.to_owned(), value));
    }
    Ok(Extension {
        name: name.to_owned(),
        params,
    })
}

/// A token, or a quoted string whose unescaped content is a token.
fn parse_value(value: &str) -> Result<String, ExtensionSyntaxError> {
    let unquoted = match value.strip_prefix('"') {
        Some(rest) => {
            let inner = rest
                .strip_suffix('"')
                .ok_or(ExtensionSyntaxError::InvalidParamValue)?;
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => out.push(
                        chars
                            .next()
                            .ok_or(ExtensionSyntaxError::InvalidParamValue)?,
                    ),
                    '"' => return Err(ExtensionSyntaxError::InvalidParamValue),
                    c => out.push(c),
                }
            }
            out
        }
        None => value.to_owned(),
    };
    if is_token(&unquoted) {
        Ok(unquoted)
    } else {
        Err(ExtensionSyntaxError::InvalidParamValue)
    }
}

/// Splits at semicolons outside quoted strings.
fn split_params(element: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(element);
    std::iter::from_fn(move || {
        let current = rest?;
        let mut quoted = false;
        let mut escaped = false;
        for (i, b) in current.bytes().enumerate() {
            match b {
                _ if escaped => escaped = false,
                b'\\' if quoted => escaped = true,
                b'"' => quoted = !quoted,
                b';' if !quoted => {
                    rest = Some(&current[i + 1..]);
                    return Some(&current[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(element: &str) -> Vec<(String, Option<String>)> {
        parse_extension(element).unwrap().params
    }

    #[test]
    fn name_alone_and_with_spaces() {
        let ext = parse_extension("  permessage-deflate  ").unwrap();
        assert_eq!(ext.name, "permessage-deflate");
        assert!(ext.params.is_empty());
        assert_eq!(
            params("x ; a ; b = 9 ;c=\"1\\0\""),
            [
                ("a".to_owned(), None),
                ("b".to_owned(), Some("9".to_owned())),
                ("c".to_owned(), Some("10".to_owned())),
            ]
        );
    }

    #[test]
    fn quoted_semicolon_does_not_split_but_is_no_token() {
        assert_eq!(
            parse_extension(r#"x; a="1;2""#),
            Err(ExtensionSyntaxError::InvalidParamValue)
        );
    }

    #[test]
    fn syntax_errors() {
        let cases = [
            ("", ExtensionSyntaxError::InvalidName),
            ("; a", ExtensionSyntaxError::InvalidName),
            ("a b", ExtensionSyntaxError::InvalidName),
            ("x; ", ExtensionSyntaxError::InvalidParamName),
            ("x; a b", ExtensionSyntaxError::InvalidParamName),
            ("x; =1", ExtensionSyntaxError::InvalidParamName),
            ("x; a=", ExtensionSyntaxError::InvalidParamValue),
            ("x; a=\"1", ExtensionSyntaxError::InvalidParamValue),
            ("x; a=\"\"", ExtensionSyntaxError::InvalidParamValue),
            ("x; a=1 2", ExtensionSyntaxError::InvalidParamValue),
            ("x; a=\"1\"2\"", ExtensionSyntaxError::InvalidParamValue),
        ];
        for (element, error) in cases {
            assert_eq!(parse_extension(element), Err(error), "{element:?}");
        }
    }

    #[test]
    fn messages() {
        assert_eq!(
            ExtensionSyntaxError::InvalidName.to_string(),
            "extension name is not a token"
        );
        assert_eq!(
            ExtensionSyntaxError::InvalidParamName.to_string(),
            "extension parameter name is not a token"
        );
        assert_eq!(
            ExtensionSyntaxError::InvalidParamValue.to_string(),
            "extension parameter value is not a token"
        );
    }
}
