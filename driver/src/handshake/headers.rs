//! Reading the handshake's header fields: case-insensitive names, comma-separated lists and
//! case-insensitive tokens.
//!
//! RFC 6455 section 4.1 compares the upgrade headers by token, ignoring case:
//!
//! > If the response lacks a |Connection| header field or the |Connection| header field doesn't
//! > contain a token that is an ASCII case-insensitive match for the value "Upgrade", the client
//! > MUST _Fail the WebSocket Connection_.
//!
//! and HTTP (RFC 9110 section 5.3) lets a list-valued field be split over several lines, which
//! means the same as one line with the values joined by commas. `Connection: keep-alive, Upgrade`
//! (as Firefox sends it) therefore contains the token `Upgrade`.

/// The values of every header field named `name`, compared ignoring ASCII case, in order.
pub fn header_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The value of the first header field named `name` (ignoring ASCII case), trimmed.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// The elements of a comma-separated list value, trimmed, with empty elements skipped.
///
/// A comma inside a double-quoted string (with `\` escapes) does not split, so that extension
/// parameters such as `foo; bar="a,b"` stay whole.
pub fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = value;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let end = top_level_comma(rest).unwrap_or(rest.len());
        let element = rest[..end].trim();
        rest = rest.get(end + 1..).unwrap_or("");
        if !element.is_empty() {
            return Some(element);
        }
    })
}

/// The byte offset of the first comma outside a quoted string.
fn top_level_comma(value: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, b) in value.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b',' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// The list elements of every header field named `name`, as if their values were joined by commas.
pub fn list_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    header_values(headers, name).flat_map(split_list)
}

/// Whether a header field named `name` lists `token`, ignoring ASCII case in both.
pub fn has_token(headers: &[(String, String)], name: &str, token: &str) -> bool {
    list_values(headers, name).any(|element| element.eq_ignore_ascii_case(token))
}

/// Whether `s` is a non-empty HTTP token (RFC 9110 section 5.6.2), the syntax of header names and
/// of subprotocol names (RFC 6455 section 4.1).
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn split_list_trims_and_skips_empty_elements() {
        let items: Vec<_> = split_list(" a ,b,, c,").collect();
        assert_eq!(items, ["a", "b", "c"]);
        assert_eq!(split_list("").count(), 0);
        assert_eq!(split_list(" , ,").count(), 0);
    }

    #[test]
    fn split_list_keeps_quoted_commas() {
        let items: Vec<_> = split_list(r#"x; a="1,2", y; b="q\",", z"#).collect();
        assert_eq!(items, [r#"x; a="1,2""#, r#"y; b="q\",""#, "z"]);
        // An unterminated quote swallows the rest rather than panicking.
        let items: Vec<_> = split_list(r#"x; a="1,2"#).collect();
        assert_eq!(items, [r#"x; a="1,2"#]);
    }

    #[test]
    fn tokens_match_ignoring_case_across_repeated_fields() {
        let h = headers(&[
            ("connection", "keep-alive"),
            ("CONNECTION", "upgrade"),
            ("Upgrade", "WebSocket"),
        ]);
        assert!(has_token(&h, "Connection", "Upgrade"));
        assert!(has_token(&h, "upgrade", "websocket"));
        assert!(!has_token(&h, "Connection", "close"));
        assert!(!has_token(&h, "Host", "upgrade"));
    }

    #[test]
    fn token_is_not_a_substring_match() {
        let h = headers(&[
            ("Connection", "Upgrade-Insecure"),
            ("Upgrade", "websocketx"),
        ]);
        assert!(!has_token(&h, "Connection", "upgrade"));
        assert!(!has_token(&h, "Upgrade", "websocket"));
    }

    #[test]
    fn header_value_finds_the_first_field_trimmed() {
        let h = headers(&[("Host", " a "), ("host", "b")]);
        assert_eq!(header_value(&h, "HOST"), Some("a"));
        assert_eq!(header_value(&h, "Origin"), None);
        assert_eq!(header_values(&h, "host").count(), 2);
    }

    #[test]
    fn is_token_follows_rfc_9110() {
        assert!(is_token("chat.v2+json"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a,b"));
        assert!(!is_token("é"));
    }
}
