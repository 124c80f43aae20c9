//! The server side of the opening handshake (RFC 6455 section 4.2).
//!
//! > When a client establishes a WebSocket connection, it sends its part of the opening
//! > handshake. The server must parse at least part of this handshake in order to obtain the
//! > necessary information to generate the server part of the handshake.
//!
//! Read the request with [`parse_request`](super::parse_request) (or build it with
//! [`Request::from_parts`]), then [`ServerHandshake::accept`] either gives the `101` response to
//! write, after which the connection speaks frames, or a [`Refusal`] to write before closing.
//!
//! > If the server chooses to accept the incoming connection, it MUST reply with a valid HTTP
//! > response indicating the following. [...] A Status-Line with a 101 response code as per
//! > RFC 2616 [...] An |Upgrade| header field with value "websocket" [...] A |Connection| header
//! > field with value "Upgrade" [...] A |Sec-WebSocket-Accept| header field.

#[cfg(feature = "deflate")]
use crate::ext::deflate::{accept_offers, DeflateConfig, Negotiated};

use super::headers::{header_values, list_values};
use super::write::{is_valid_header, push_header};
use super::{accept_key, is_valid_key, Refusal, RefusalReason, Request, VERSION};

/// What the application lets the server agree to: the seed's `accept-protocols` and
/// `additional-headers`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// The subprotocols we speak. The first protocol the *client* offered that is in this list is
    /// chosen; when none is, the response names no protocol (section 4.2.2: "the server MUST NOT
    /// send back a |Sec-WebSocket-Protocol| header field").
    pub accept_protocols: Vec<String>,
    /// Header fields added to the `101` response after the handshake's own. A pair whose name is
    /// not an HTTP token or whose value holds CR, LF or NUL is left out, so that the
    /// application's data can never split the response.
    pub additional_headers: Vec<(String, String)>,
}

/// An accepted handshake: the response to write and what was agreed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The complete `101 Switching Protocols` response head. Frames may follow it at once.
    pub response: Vec<u8>,
    /// The chosen subprotocol, also sent in the response, if any.
    pub protocol: Option<String>,
    /// The extensions the client offered (`Sec-WebSocket-Extensions` elements with their
    /// parameters, in order), whether accepted or not.
    pub extensions: Vec<String>,
    /// permessage-deflate as agreed, when [`ServerHandshake::accept_with_deflate`] accepted an
    /// offer (the response then names it); pass it to
    /// [`Connection::enable_deflate`](crate::Connection::enable_deflate).
    #[cfg(feature = "deflate")]
    pub deflate: Option<Negotiated>,
}

/// The server side of the opening handshake. It keeps no state: [`accept`](Self::accept) decides
/// from the request alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServerHandshake;

impl ServerHandshake {
    /// Checks an upgrade request against section 4.2.1 and answers it.
    ///
    /// The rules are checked in this order, and the first one broken is the [`Refusal`]'s reason:
    /// method `GET`; HTTP/1.1 or later; a `Host`; `Upgrade` lists `websocket`; `Connection` lists
    /// `Upgrade`; `Sec-WebSocket-Version` is `13` (else `426`); one `Sec-WebSocket-Key` that is
    /// the base64 of 16 bytes. The version comes before the key so that a client of an older
    /// draft, which sends other key headers, learns that we speak version 13.
    ///
    /// ```
    /// use websocket_driver::handshake::{Request, ServerHandshake, ServerOptions};
    /// let request = Request::from_parts("GET", "/chat", [
    ///     ("Host", "server.example.com"),
    ///     ("Upgrade", "websocket"),
    ///     ("Connection", "Upgrade"),
    ///     ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ///     ("Sec-WebSocket-Version", "13"),
    /// ]);
    /// let accepted = ServerHandshake::accept(&request, &ServerOptions::default()).unwrap();
    /// assert!(accepted.response.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    /// ```
    pub fn accept(request: &Request, options: &ServerOptions) -> Result<Accepted, Refusal> {
        Self::respond(request, options, |_| None)
    }

    /// As [`accept`](Self::accept), and accepts permessage-deflate by the policy in `deflate`
    /// (see [`accept_offers`]): the first valid offer is agreed, named in the response, and
    /// returned in [`Accepted::deflate`]. With `None`, or no acceptable offer, it is declined.
    #[cfg(feature = "deflate")]
    pub fn accept_with_deflate(
        request: &Request,
        options: &ServerOptions,
        deflate: Option<&DeflateConfig>,
    ) -> Result<Accepted, Refusal> {
        Self::respond(request, options, |offers| {
            deflate.and_then(|config| accept_offers(offers.iter().map(String::as_str), config))
        })
    }

    /// Builds the response; `deflate` picks among the offered extensions.
    fn respond<F>(
        request: &Request,
        options: &ServerOptions,
        deflate: F,
    ) -> Result<Accepted, Refusal>
    where
        F: FnOnce(&[String]) -> Option<(Agreed, String)>,
    {
        let key = check(request).map_err(Refusal::new)?;
        let protocol = list_values(&request.headers, "Sec-WebSocket-Protocol")
            .find(|offered| options.accept_protocols.iter().any(|ours| ours == offered))
            .map(str::to_owned);
        let extensions: Vec<String> = list_values(&request.headers, "Sec-WebSocket-Extensions")
            .map(str::to_owned)
            .collect();
        let agreed = deflate(&extensions);

        let mut response = b"HTTP/1.1 101 Switching Protocols\r\n".to_vec();
        push_header(&mut response, "Upgrade", "websocket");
        push_header(&mut response, "Connection", "Upgrade");
        push_header(&mut response, "Sec-WebSocket-Accept", &accept_key(key));
        if let Some(protocol) = &protocol {
            push_header(&mut response, "Sec-WebSocket-Protocol", protocol);
        }
        if let Some((_, element)) = &agreed {
            push_header(&mut response, "Sec-WebSocket-Extensions", element);
        }
        for (name, value) in &options.additional_headers {
            if is_valid_header(name, value) {
                push_header(&mut response, name, value);
            }
        }
        response.extend_from_slice(b"\r\n");
        #[cfg(not(feature = "deflate"))]
        let _ = agreed;
        Ok(Accepted {
            response,
            protocol,
            extensions,
            #[cfg(feature = "deflate")]
            deflate: agreed.map(|(negotiated, _)| negotiated),
        })
    }
}

/// What an extension policy agreed: the connection's settings and the response element.
#[cfg(feature = "deflate")]
type Agreed = Negotiated;
/// Without the `deflate` feature no extension can be agreed.
#[cfg(not(feature = "deflate"))]
type Agreed = std::convert::Infallible;

/// Checks the rules of section 4.2.1 in order and returns the key.
fn check(request: &Request) -> Result<&str, RefusalReason> {
    if request.method != "GET" {
        return Err(RefusalReason::MethodNotGet);
    }
    if request.version < (1, 1) {
        return Err(RefusalReason::HttpVersionTooOld);
    }
    if request.header("Host").is_none_or(str::is_empty) {
        return Err(RefusalReason::MissingHost);
    }
    if !request.has_token("Upgrade", "websocket") {
        return Err(RefusalReason::UpgradeNotWebsocket);
    }
    if !request.has_token("Connection", "Upgrade") {
        return Err(RefusalReason::ConnectionNotUpgrade);
    }
    match request.header("Sec-WebSocket-Version") {
        None => return Err(RefusalReason::MissingVersion),
        Some(VERSION) => {}
        Some(_) => return Err(RefusalReason::UnsupportedVersion),
    }
    let mut keys = header_values(&request.headers, "Sec-WebSocket-Key");
    let Some(key) = keys.next() else {
        return Err(RefusalReason::MissingKey);
    };
    // Two key fields would leave the accept value ambiguous.
    if keys.next().is_some() || !is_valid_key(key) {
        return Err(RefusalReason::InvalidKey);
    }
    Ok(key.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

    /// A change that breaks one rule of an otherwise valid request.
    type Edit = fn(&mut Request);

    fn valid_headers() -> Vec<(String, String)> {
        [
            ("Host", "server.example.com"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", KEY),
            ("Sec-WebSocket-Version", "13"),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
    }

    fn request_with(edit: impl FnOnce(&mut Request)) -> Request {
        let mut request = Request::from_parts("GET", "/chat", valid_headers());
        edit(&mut request);
        request
    }

    fn set(request: &mut Request, name: &str, value: Option<&str>) {
        request
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            request.headers.push((name.to_owned(), value.to_owned()));
        }
    }

    fn refusal(request: &Request) -> RefusalReason {
        ServerHandshake::accept(request, &ServerOptions::default())
            .expect_err("request should be refused")
            .reason()
    }

    fn accept(request: &Request, options: &ServerOptions) -> Accepted {
        ServerHandshake::accept(request, options).expect("request should be accepted")
    }

    #[test]
    fn refuses_each_broken_rule() {
        let cases: [(RefusalReason, Edit); 13] = [
            (RefusalReason::MethodNotGet, |r| r.method = "POST".into()),
            (RefusalReason::MethodNotGet, |r| r.method = "get".into()),
            (RefusalReason::HttpVersionTooOld, |r| r.version = (1, 0)),
            (RefusalReason::MissingHost, |r| set(r, "Host", None)),
            (RefusalReason::UpgradeNotWebsocket, |r| {
                set(r, "Upgrade", None)
            }),
            (RefusalReason::UpgradeNotWebsocket, |r| {
                set(r, "Upgrade", Some("h2c"))
            }),
            (RefusalReason::ConnectionNotUpgrade, |r| {
                set(r, "Connection", None)
            }),
            (RefusalReason::ConnectionNotUpgrade, |r| {
                set(r, "Connection", Some("keep-alive"))
            }),
            (RefusalReason::MissingKey, |r| {
                set(r, "Sec-WebSocket-Key", None)
            }),
            (
                RefusalReason::InvalidKey,
                // Valid base64 of 15 bytes, not 16.
                |r| set(r, "Sec-WebSocket-Key", Some("dGhlIHNhbXBsZSBub25jZQ")),
            ),
            (RefusalReason::InvalidKey, |r| {
                set(r, "Sec-WebSocket-Key", Some("not base64 at all!!!!!!!"))
            }),
            (RefusalReason::InvalidKey, |r| {
                r.headers.push(("Sec-WebSocket-Key".into(), KEY.into()))
            }),
            (RefusalReason::MissingVersion, |r| {
                set(r, "Sec-WebSocket-Version", None)
            }),
        ];
        for (expected, edit) in cases {
            let request = request_with(edit);
            assert_eq!(refusal(&request), expected, "{request:?}");
        }
    }

    #[test]
    fn refusal_is_400_with_the_reason() {
        let request = request_with(|r| r.version = (1, 0));
        let refused = ServerHandshake::accept(&request, &ServerOptions::default()).unwrap_err();
        assert_eq!(refused.status(), 400);
        let text = String::from_utf8(refused.into_response_bytes()).unwrap();
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        assert!(
            text.ends_with("\r\n\r\nhttp version is older than 1.1\n"),
            "{text}"
        );
    }

    #[test]
    fn version_8_gets_426_naming_13() {
        let request = request_with(|r| set(r, "Sec-WebSocket-Version", Some("8")));
        let refused = ServerHandshake::accept(&request, &ServerOptions::default()).unwrap_err();
        assert_eq!(refused.reason(), RefusalReason::UnsupportedVersion);
        assert_eq!(refused.status(), 426);
        let text = String::from_utf8(refused.into_response_bytes()).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nSec-WebSocket-Version: 13\r\n"), "{text}");
    }

    #[test]
    fn version_is_checked_before_the_key() {
        // A hixie-76 style request: no Sec-WebSocket-Key, no version 13.
        let request = request_with(|r| {
            set(r, "Sec-WebSocket-Key", None);
            set(r, "Sec-WebSocket-Version", None);
        });
        assert_eq!(refusal(&request), RefusalReason::MissingVersion);
    }

    #[test]
    fn accepts_tokens_in_any_case_and_in_lists() {
        let request = request_with(|r| {
            set(r, "Upgrade", Some("WebSocket"));
            set(r, "Connection", Some("keep-alive, upgrade"));
            set(r, "Sec-WebSocket-Key", Some(" dGhlIHNhbXBsZSBub25jZQ== "));
        });
        let accepted = accept(&request, &ServerOptions::default());
        let text = String::from_utf8(accepted.response).unwrap();
        assert!(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    }

    #[test]
    fn response_is_exact() {
        let options = ServerOptions {
            accept_protocols: vec!["chat".into()],
            additional_headers: vec![("X-Server".into(), "ws".into())],
        };
        let request = request_with(|r| set(r, "Sec-WebSocket-Protocol", Some("chat")));
        let accepted = accept(&request, &options);
        assert_eq!(
            accepted.response,
            b"HTTP/1.1 101 Switching Protocols\r\n\
              Upgrade: websocket\r\n\
              Connection: Upgrade\r\n\
              Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
              Sec-WebSocket-Protocol: chat\r\n\
              X-Server: ws\r\n\
              \r\n"
        );
    }

    #[test]
    fn chooses_the_first_protocol_the_client_offered_that_we_accept() {
        let options = ServerOptions {
            accept_protocols: vec!["superchat".into(), "chat".into()],
            ..ServerOptions::default()
        };
        let request = request_with(|r| {
            r.headers
                .push(("Sec-WebSocket-Protocol".into(), "v1, chat".into()));
            r.headers
                .push(("Sec-WebSocket-Protocol".into(), "superchat".into()));
        });
        let accepted = accept(&request, &options);
        assert_eq!(accepted.protocol.as_deref(), Some("chat"));
        let text = String::from_utf8(accepted.response).unwrap();
        assert!(
            text.contains("\r\nSec-WebSocket-Protocol: chat\r\n"),
            "{text}"
        );
    }

    #[test]
    fn no_protocol_header_when_none_is_accepted() {
        let options = ServerOptions {
            accept_protocols: vec!["chat".into()],
            ..ServerOptions::default()
        };
        // Protocol names are compared exactly: "Chat" is not "chat".
        let request = request_with(|r| set(r, "Sec-WebSocket-Protocol", Some("v1, Chat")));
        let accepted = accept(&request, &options);
        assert_eq!(accepted.protocol, None);
        let text = String::from_utf8(accepted.response).unwrap();
        assert!(
            !text.to_ascii_lowercase().contains("sec-websocket-protocol"),
            "{text}"
        );
    }

    #[test]
    fn keeps_the_offered_extensions_and_accepts_none() {
        let request = request_with(|r| {
            set(
                r,
                "Sec-WebSocket-Extensions",
                Some("permessage-deflate; client_max_window_bits, x-webkit-deflate-frame"),
            );
        });
        let accepted = accept(&request, &ServerOptions::default());
        assert_eq!(
            accepted.extensions,
            [
                "permessage-deflate; client_max_window_bits",
                "x-webkit-deflate-frame"
            ]
        );
        let text = String::from_utf8(accepted.response).unwrap();
        assert!(!text.to_ascii_lowercase().contains("extensions"), "{text}");
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn accepts_the_first_valid_deflate_offer_and_names_it() {
        use crate::ext::deflate::{DeflateConfig, DeflateParams};
        let request = request_with(|r| {
            set(
                r,
                "Sec-WebSocket-Extensions",
                Some(
                    "permessage-deflate; server_max_window_bits=20, \
                     permessage-deflate; server_max_window_bits=10; client_max_window_bits",
                ),
            );
        });
        let config = DeflateConfig::new().params(DeflateParams::new().client_max_window_bits(12));
        let accepted = ServerHandshake::accept_with_deflate(
            &request,
            &ServerOptions::default(),
            Some(&config),
        )
        .unwrap();
        let text = String::from_utf8(accepted.response).unwrap();
        assert!(
            text.ends_with(
                "\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; \
                 client_max_window_bits=12\r\n\r\n"
            ),
            "{text}"
        );
        let agreed = accepted.deflate.unwrap();
        assert_eq!(agreed.params.server_max_window_bits, Some(10));
        assert_eq!(agreed.params.client_max_window_bits, Some(12));
        assert_eq!(accepted.extensions.len(), 2);

        // Declined: no usable offer, or deflate not enabled.
        for (offer, config) in [
            ("permessage-deflate; foo", Some(&config)),
            ("permessage-deflate", None),
        ] {
            let request = request_with(|r| set(r, "Sec-WebSocket-Extensions", Some(offer)));
            let accepted =
                ServerHandshake::accept_with_deflate(&request, &ServerOptions::default(), config)
                    .unwrap();
            assert_eq!(accepted.deflate, None);
            let text = String::from_utf8(accepted.response).unwrap();
            assert!(!text.contains("Extensions"), "{text}");
        }
    }

    #[test]
    fn leaves_out_additional_headers_that_would_split_the_response() {
        let options = ServerOptions {
            additional_headers: vec![
                ("X-Bad".into(), "a\r\nSet-Cookie: evil".into()),
                ("Bad Name".into(), "v".into()),
                ("X-Good".into(), "fine".into()),
            ],
            ..ServerOptions::default()
        };
        let accepted = accept(&request_with(|_| {}), &options);
        let text = String::from_utf8(accepted.response).unwrap();
        assert!(text.ends_with("\r\nX-Good: fine\r\n\r\n"), "{text}");
        assert!(
            !text.contains("evil") && !text.contains("Bad Name"),
            "{text}"
        );
    }
}
