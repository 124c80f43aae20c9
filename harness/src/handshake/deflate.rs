//! Negotiating permessage-deflate (RFC 7692) in `Sec-WebSocket-Extensions`, in both roles,
//! the way autobahn 0.10.9 does it (`compress_deflate.py`, `_parseExtensionsHeader`), with its
//! error texts, so a peer fails or passes the handshake here exactly when it does there.

use crate::case::{DeflateAccept, DeflateOffer};

/// The extension's name.
pub const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

/// The window size used when none was agreed (zlib's `MAX_WBITS`).
pub const DEFAULT_WINDOW_BITS: u8 = 15;

/// The agreed parameters of a connection (autobahn `PerMessageDeflate`), window bits resolved
/// (15 where none was agreed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    /// The server resets its compressor after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after each message.
    pub client_no_context_takeover: bool,
    /// The server's LZ77 window, 8..=15.
    pub server_max_window_bits: u8,
    /// The client's LZ77 window, 8..=15.
    pub client_max_window_bits: u8,
}

/// One parameter value: `None` for a bare parameter (autobahn's `True`).
type Value = Option<String>;

/// One element of the header: the lowercased name and its parameters in order.
pub type Extension = (String, Vec<(String, Value)>);

/// Splits a `Sec-WebSocket-Extensions` value as autobahn does: on `,`, then `;`, then `=`,
/// names lowercased, one pair of surrounding quotes removed from values.
pub fn parse_extensions(header: &str) -> Vec<Extension> {
    let mut out = Vec::new();
    for e in header.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let mut parts = e.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default().to_ascii_lowercase();
        let params = parts
            .map(|p| {
                let mut kv = p.split('=').map(str::trim);
                let key = kv.next().unwrap_or_default().to_ascii_lowercase();
                let rest: Vec<&str> = kv.collect();
                if rest.is_empty() {
                    return (key, None);
                }
                let joined = rest.join("=");
                let v = joined.strip_prefix('"').unwrap_or(&joined);
                let v = v.strip_suffix('"').unwrap_or(v);
                (key, Some(v.to_owned()))
            })
            .collect();
        out.push((name, params));
    }
    out
}

/// The offer as autobahn's `PerMessageDeflateOffer.getExtensionString` writes it.
pub fn offer_string(o: &DeflateOffer) -> String {
    let mut s = PERMESSAGE_DEFLATE.to_owned();
    if o.accept_no_context_takeover {
        s += "; client_no_context_takeover";
    }
    if o.accept_max_window_bits {
        s += "; client_max_window_bits";
    }
    if o.request_no_context_takeover {
        s += "; server_no_context_takeover";
    }
    if o.request_max_window_bits != 0 {
        s += &format!("; server_max_window_bits={}", o.request_max_window_bits);
    }
    s
}

/// The whole header value for a list of offers.
pub fn offers_header(offers: &[DeflateOffer]) -> String {
    offers
        .iter()
        .map(offer_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn shown(v: &Value) -> String {
    v.clone().unwrap_or_else(|| "True".into())
}

fn illegal_value(v: &Value, p: &str) -> String {
    format!(
        "illegal extension parameter value '{}' for parameter '{p}' of extension '{PERMESSAGE_DEFLATE}'",
        shown(v)
    )
}

/// A window-bits value: an integer 8..=15 (a bare parameter is Python's `int(True)` = 1).
fn bits(v: &Value, p: &str) -> Result<u8, String> {
    v.as_deref()
        .and_then(|s| s.trim().parse::<u8>().ok())
        .filter(|b| (8..=15).contains(b))
        .ok_or_else(|| illegal_value(v, p))
}

fn bare(v: &Value, p: &str) -> Result<(), String> {
    match v {
        None => Ok(()),
        Some(_) => Err(illegal_value(v, p)),
    }
}

/// Parameters that may appear once each (autobahn rejects repeats).
fn check_repeats(params: &[(String, Value)]) -> Result<(), String> {
    for (i, (k, _)) in params.iter().enumerate() {
        if params[..i].iter().any(|(seen, _)| seen == k) {
            return Err(format!(
                "multiple occurrence of extension parameter '{k}' for extension '{PERMESSAGE_DEFLATE}'"
            ));
        }
    }
    Ok(())
}

/// Client role: the server's response parameters (`PerMessageDeflateResponse.parse`) as the
/// agreed parameters; an error text fails the handshake.
pub fn parse_response(params: &[(String, Value)]) -> Result<DeflateParams, String> {
    check_repeats(params)?;
    let mut p = DeflateParams {
        server_no_context_takeover: false,
        client_no_context_takeover: false,
        server_max_window_bits: DEFAULT_WINDOW_BITS,
        client_max_window_bits: DEFAULT_WINDOW_BITS,
    };
    for (k, v) in params {
        match k.as_str() {
            "client_max_window_bits" => p.client_max_window_bits = bits(v, k)?,
            "server_max_window_bits" => p.server_max_window_bits = bits(v, k)?,
            "client_no_context_takeover" => {
                bare(v, k)?;
                p.client_no_context_takeover = true;
            }
            "server_no_context_takeover" => {
                bare(v, k)?;
                p.server_no_context_takeover = true;
            }
            _ => {
                return Err(format!(
                    "illegal extension parameter '{k}' for extension '{PERMESSAGE_DEFLATE}'"
                ))
            }
        }
    }
    Ok(p)
}

/// Server role: a client's offer as autobahn's `PerMessageDeflateOffer.parse` reads it.
pub fn parse_offer(params: &[(String, Value)]) -> Result<DeflateOffer, String> {
    check_repeats(params)?;
    let mut o = DeflateOffer {
        // autobahn's parser starts from "accepts no context takeover" whatever is sent.
        accept_no_context_takeover: true,
        accept_max_window_bits: false,
        request_no_context_takeover: false,
        request_max_window_bits: 0,
    };
    for (k, v) in params {
        match k.as_str() {
            "client_max_window_bits" => {
                if v.is_some() {
                    bits(v, k)?;
                }
                o.accept_max_window_bits = true;
            }
            "client_no_context_takeover" => bare(v, k)?,
            "server_max_window_bits" => o.request_max_window_bits = bits(v, k)?,
            "server_no_context_takeover" => {
                bare(v, k)?;
                o.request_no_context_takeover = true;
            }
            _ => {
                return Err(format!(
                    "illegal extension parameter '{k}' for extension '{PERMESSAGE_DEFLATE}'"
                ))
            }
        }
    }
    Ok(o)
}

/// Server role: the offers in a request's `Sec-WebSocket-Extensions` value (other extensions
/// are ignored, as autobahn ignores them); an error text fails the handshake.
pub fn parse_offers(header: &str) -> Result<Vec<DeflateOffer>, String> {
    parse_extensions(header)
        .iter()
        .filter(|(name, _)| name == PERMESSAGE_DEFLATE)
        .map(|(_, params)| parse_offer(params))
        .collect()
}

/// Server role: the first rule that some offer satisfies, applied to the first such offer
/// (the `acceptN` functions of `case13_x_x`). Returns the response value and the parameters.
pub fn accept(offers: &[DeflateOffer], rules: &[DeflateAccept]) -> Option<(String, DeflateParams)> {
    for rule in rules {
        let fits = |o: &&DeflateOffer| {
            (!rule.request_no_context_takeover || o.accept_no_context_takeover)
                && (rule.request_max_window_bits == 0 || o.accept_max_window_bits)
        };
        if let Some(offer) = offers.iter().find(fits) {
            let mut s = PERMESSAGE_DEFLATE.to_owned();
            if offer.request_no_context_takeover {
                s += "; server_no_context_takeover";
            }
            if offer.request_max_window_bits != 0 {
                s += &format!("; server_max_window_bits={}", offer.request_max_window_bits);
            }
            if rule.request_no_context_takeover {
                s += "; client_no_context_takeover";
            }
            if rule.request_max_window_bits != 0 {
                s += &format!("; client_max_window_bits={}", rule.request_max_window_bits);
            }
            let or_default = |b: u8| if b == 0 { DEFAULT_WINDOW_BITS } else { b };
            let params = DeflateParams {
                server_no_context_takeover: offer.request_no_context_takeover,
                client_no_context_takeover: rule.request_no_context_takeover,
                server_max_window_bits: or_default(offer.request_max_window_bits),
                client_max_window_bits: or_default(rule.request_max_window_bits),
            };
            return Some((s, params));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_are_written_as_autobahn_writes_them() {
        assert_eq!(
            offer_string(&DeflateOffer::default()),
            "permessage-deflate; client_no_context_takeover; client_max_window_bits"
        );
        let o = DeflateOffer {
            request_no_context_takeover: true,
            request_max_window_bits: 9,
            ..DeflateOffer::default()
        };
        assert_eq!(
            offers_header(&[o, DeflateOffer::default()]),
            "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9, permessage-deflate; client_no_context_takeover; client_max_window_bits"
        );
    }

    #[test]
    fn responses_parse_with_autobahn_errors() {
        let ext = parse_extensions(
            r#"permessage-deflate; client_max_window_bits="9"; Server_No_Context_Takeover"#,
        );
        assert_eq!(ext.len(), 1);
        let p = parse_response(&ext[0].1).unwrap();
        assert_eq!(p.client_max_window_bits, 9);
        assert!(p.server_no_context_takeover && !p.client_no_context_takeover);
        assert_eq!(p.server_max_window_bits, 15);
        for (bad, needle) in [
            ("permessage-deflate; client_max_window_bits", "value 'True'"),
            (
                "permessage-deflate; server_max_window_bits=16",
                "value '16'",
            ),
            (
                "permessage-deflate; server_no_context_takeover=1",
                "value '1'",
            ),
            ("permessage-deflate; foo", "parameter 'foo'"),
            (
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "multiple",
            ),
        ] {
            let err = parse_response(&parse_extensions(bad)[0].1).unwrap_err();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn server_accepts_by_the_first_rule_that_fits() {
        let offers = parse_offers(
            "x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits",
        )
        .unwrap();
        assert_eq!(offers.len(), 2);
        // (True, 9) needs client_max_window_bits: the second offer.
        let rules = [
            DeflateAccept {
                request_no_context_takeover: true,
                request_max_window_bits: 9,
            },
            DeflateAccept::default(),
        ];
        let (s, p) = accept(&offers, &rules).unwrap();
        assert_eq!(
            s,
            "permessage-deflate; client_no_context_takeover; client_max_window_bits=9"
        );
        assert_eq!(
            (p.client_max_window_bits, p.server_max_window_bits),
            (9, 15)
        );
        // Only the default rule fits the first offer alone.
        let (s, p) = accept(&offers[..1], &rules).unwrap();
        assert_eq!(s, "permessage-deflate; server_max_window_bits=10");
        assert_eq!(p.server_max_window_bits, 10);
        assert!(accept(&offers[..1], &rules[..1]).is_none());
        assert!(parse_offers("permessage-deflate; server_max_window_bits").is_err());
    }
}
