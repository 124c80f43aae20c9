//! Negotiating permessage-deflate, RFC 7692 section 7.1.
//!
//! > A client MAY include multiple permessage-deflate offers [...]. The server [...] accepts the
//! > first offer it supports (section 5.1, "it is the server's choice").
//!
//! > A server MUST decline an extension negotiation offer for this extension if any of the
//! > following conditions are met: The negotiation offer contains an extension parameter not
//! > defined for use in an offer. The negotiation offer contains an extension parameter with an
//! > invalid value. The negotiation offer contains multiple extension parameters with the same
//! > name. The server doesn't support the offered configuration.
//!
//! > A client MUST _Fail the WebSocket Connection_ if the peer server accepted an extension
//! > negotiation offer for this extension with an extension negotiation response meeting any of
//! > the following conditions: The negotiation response contains an extension parameter not
//! > defined for use in a response. The negotiation response contains an extension parameter with
//! > an invalid value. The negotiation response contains multiple extension parameters with the
//! > same name. The client does not support the configuration that the response represents.
//!
//! [`offer_header`] writes a client's offers, [`accept_offers`] is the server's policy, and
//! [`verify_response`] checks the server's answer against what the client offered.

use std::fmt;

use super::{DeflateConfig, DeflateParams, Negotiated, MAX_WINDOW_BITS, MIN_WINDOW_BITS, NAME};
use crate::ext::{parse_extension, Extension};

/// Why a server's permessage-deflate response fails the handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeflateResponseError {
    /// The element does not follow the extension grammar of RFC 6455 section 9.1.
    Syntax,
    /// The response accepts permessage-deflate more than once.
    AcceptedTwice,
    /// A parameter that RFC 7692 does not define.
    UnknownParameter,
    /// A parameter appears twice.
    DuplicateParameter,
    /// A window bits value that is missing, or not a number from 8 to 15 without leading zeros.
    InvalidWindowBits,
    /// A `*_no_context_takeover` parameter with a value.
    UnexpectedValue,
    /// No offer allows this response: a window larger than offered, `client_max_window_bits` not
    /// offered, or a requested `server_no_context_takeover` or `server_max_window_bits` missing.
    NotOffered,
}

impl fmt::Display for DeflateResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "malformed extension element",
            Self::AcceptedTwice => "accepted more than once",
            Self::UnknownParameter => "unknown parameter",
            Self::DuplicateParameter => "duplicate parameter",
            Self::InvalidWindowBits => "window bits not from 8 to 15",
            Self::UnexpectedValue => "no_context_takeover with a value",
            Self::NotOffered => "parameters do not match any offer",
        })
    }
}

impl std::error::Error for DeflateResponseError {}

/// How `client_max_window_bits` appears in an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientBits {
    Absent,
    /// Without a value: in an offer, "the client supports the parameter".
    Bare,
    Bits(u8),
}

/// The parameters of one offer or response element, checked for names, duplicates and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Element {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    client_max_window_bits: ClientBits,
}

/// Parses `8` to `15`, the only forms RFC 7692 section 7.1.2 allows ("a decimal integer value
/// without leading zeroes between 8 to 15 inclusive").
fn window_bits(value: Option<&str>) -> Result<u8, DeflateResponseError> {
    let value = value.ok_or(DeflateResponseError::InvalidWindowBits)?;
    match value.parse::<u8>() {
        Ok(bits)
            if (MIN_WINDOW_BITS..=MAX_WINDOW_BITS).contains(&bits) && !value.starts_with('0') =>
        {
            Ok(bits)
        }
        _ => Err(DeflateResponseError::InvalidWindowBits),
    }
}

fn parse_element(ext: &Extension) -> Result<Element, DeflateResponseError> {
    let mut element = Element {
        server_no_context_takeover: false,
        client_no_context_takeover: false,
        server_max_window_bits: None,
        client_max_window_bits: ClientBits::Absent,
    };
    let mut seen = [false; 4];
    for (name, value) in &ext.params {
        let value = value.as_deref();
        let index = match name.as_str() {
            "server_no_context_takeover" => 0,
            "client_no_context_takeover" => 1,
            "server_max_window_bits" => 2,
            "client_max_window_bits" => 3,
            _ => return Err(DeflateResponseError::UnknownParameter),
        };
        if std::mem::replace(&mut seen[index], true) {
            return Err(DeflateResponseError::DuplicateParameter);
        }
        match index {
            0 | 1 if value.is_some() => return Err(DeflateResponseError::UnexpectedValue),
            0 => element.server_no_context_takeover = true,
            1 => element.client_no_context_takeover = true,
            2 => element.server_max_window_bits = Some(window_bits(value)?),
            _ => {
                element.client_max_window_bits = match value {
                    None => ClientBits::Bare,
                    Some(_) => ClientBits::Bits(window_bits(value)?),
                }
            }
        }
    }
    Ok(element)
}

/// `permessage-deflate` with `params`; `client_max_window_bits` as given by `client_bits`.
fn format_element(params: &DeflateParams, client_bits: ClientBits) -> String {
    let mut out = NAME.to_owned();
    if params.server_no_context_takeover {
        out.push_str("; server_no_context_takeover");
    }
    if params.client_no_context_takeover {
        out.push_str("; client_no_context_takeover");
    }
    if let Some(bits) = params.server_max_window_bits {
        out.push_str(&format!("; server_max_window_bits={bits}"));
    }
    match client_bits {
        ClientBits::Absent => {}
        ClientBits::Bare => out.push_str("; client_max_window_bits"),
        ClientBits::Bits(bits) => out.push_str(&format!("; client_max_window_bits={bits}")),
    }
    out
}

/// The value of a client's `Sec-WebSocket-Extensions`: every offer, first to last. Each offers
/// `client_max_window_bits` (bare when no value is set), since we can deflate with any window.
///
/// ```
/// use websocket_driver::ext::deflate::{offer_header, DeflateConfig, DeflateParams};
/// let config = DeflateConfig::new()
///     .params(DeflateParams::new().server_no_context_takeover(true).client_max_window_bits(10))
///     .fallback(DeflateParams::new());
/// assert_eq!(
///     offer_header(&config),
///     "permessage-deflate; server_no_context_takeover; client_max_window_bits=10, \
///      permessage-deflate; client_max_window_bits"
/// );
/// ```
pub fn offer_header(config: &DeflateConfig) -> String {
    config
        .offers()
        .map(|offer| {
            let bits = offer
                .client_max_window_bits
                .map_or(ClientBits::Bare, ClientBits::Bits);
            format_element(offer, bits)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The server's choice among the client's offers (the elements of its `Sec-WebSocket-Extensions`,
/// in order): the first permessage-deflate offer that is valid, shaped by the policy in
/// `config.params`. Returns what was agreed and the response element, or `None` to decline.
///
/// The policy: each `*_no_context_takeover` is agreed if the client asked for it or the policy
/// sets it; `server_max_window_bits` is the smaller of the client's request and our cap (sent
/// whenever either exists, unless it is our 15); `client_max_window_bits` is sent only if the
/// client offered the parameter, as the smaller of its value and our cap. A client that cannot
/// limit its window is accepted even under a cap: we inflate with 15 bits anyway.
///
/// ```
/// use websocket_driver::ext::deflate::{accept_offers, DeflateConfig};
/// let offers = ["x-webkit-deflate-frame", "permessage-deflate; server_max_window_bits=16",
///               "permessage-deflate; client_max_window_bits; server_max_window_bits=10"];
/// let (agreed, response) = accept_offers(offers, &DeflateConfig::new()).unwrap();
/// assert_eq!(response, "permessage-deflate; server_max_window_bits=10");
/// assert_eq!(agreed.params.server_max_window_bits, Some(10));
/// ```
pub fn accept_offers<'a>(
    offers: impl IntoIterator<Item = &'a str>,
    config: &DeflateConfig,
) -> Option<(Negotiated, String)> {
    let policy = &config.params;
    offers.into_iter().find_map(|offer| {
        let ext = parse_extension(offer).ok()?;
        if ext.name != NAME {
            return None;
        }
        let offer = parse_element(&ext).ok()?;
        let cap_server = policy.server_max_window_bits.unwrap_or(MAX_WINDOW_BITS);
        let cap_client = policy.client_max_window_bits.unwrap_or(MAX_WINDOW_BITS);
        let server_max_window_bits = match offer.server_max_window_bits {
            Some(asked) => Some(asked.min(cap_server)),
            None => (cap_server < MAX_WINDOW_BITS).then_some(cap_server),
        };
        let client_bits = match offer.client_max_window_bits {
            ClientBits::Absent => ClientBits::Absent,
            ClientBits::Bare => policy
                .client_max_window_bits
                .map_or(ClientBits::Absent, ClientBits::Bits),
            ClientBits::Bits(offered) => ClientBits::Bits(offered.min(cap_client)),
        };
        let params = DeflateParams {
            server_no_context_takeover: offer.server_no_context_takeover
                || policy.server_no_context_takeover,
            client_no_context_takeover: offer.client_no_context_takeover
                || policy.client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits: match client_bits {
                ClientBits::Bits(bits) => Some(bits),
                _ => None,
            },
        };
        let response = format_element(&params, client_bits);
        Some((negotiated(params, config), response))
    })
}

/// Checks the server's permessage-deflate elements against the offers in `config`, and returns what
/// was agreed: `None` when the server declined (no element).
///
/// # Errors
///
/// [`DeflateResponseError`] for an element that breaks the grammar or RFC 7692's rules, for a
/// second element, or for one that answers none of the offers.
pub fn verify_response(
    elements: &[&str],
    config: &DeflateConfig,
) -> Result<Option<Negotiated>, DeflateResponseError> {
    let [element] = elements else {
        return match elements {
            [] => Ok(None),
            _ => Err(DeflateResponseError::AcceptedTwice),
        };
    };
    let ext = parse_extension(element).map_err(|_| DeflateResponseError::Syntax)?;
    let response = parse_element(&ext)?;
    let client_bits = match response.client_max_window_bits {
        // "the response MUST have a value" for client_max_window_bits.
        ClientBits::Bare => return Err(DeflateResponseError::InvalidWindowBits),
        ClientBits::Absent => None,
        ClientBits::Bits(bits) => Some(bits),
    };
    let matches = |offer: &&DeflateParams| {
        let server_ok = match offer.server_max_window_bits {
            Some(asked) => response
                .server_max_window_bits
                .is_some_and(|bits| bits <= asked),
            None => true,
        };
        let client_ok = match (client_bits, offer.client_max_window_bits) {
            (Some(bits), Some(ours)) => bits <= ours,
            _ => true,
        };
        (!offer.server_no_context_takeover || response.server_no_context_takeover)
            && server_ok
            && client_ok
    };
    let offer = config
        .offers()
        .find(matches)
        .ok_or(DeflateResponseError::NotOffered)?;
    let params = DeflateParams {
        server_no_context_takeover: response.server_no_context_takeover,
        // Our own offer of it is a promise we keep whatever the server says.
        client_no_context_takeover: response.client_no_context_takeover
            || offer.client_no_context_takeover,
        server_max_window_bits: response.server_max_window_bits,
        // Without a value in the response, the limit we offered still holds for us.
        client_max_window_bits: client_bits.or(offer.client_max_window_bits),
    };
    Ok(Some(negotiated(params, config)))
}

fn negotiated(params: DeflateParams, config: &DeflateConfig) -> Negotiated {
    Negotiated {
        params,
        threshold: config.threshold,
        level: config.level,
    }
}
