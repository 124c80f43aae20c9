//! The client side of the opening handshake (RFC 6455 section 4.1).
//!
//! > Once a connection to the server has been established (including a connection via a proxy or
//! > over a TLS-encrypted tunnel), the client MUST send an opening handshake to the server. The
//! > handshake consists of an HTTP Upgrade request, along with a list of required and optional
//! > header fields.
//!
//! [`ClientHandshake::new`] turns a `ws://` or `wss://` URL into that request, with a fresh random
//! key; [`ClientHandshake::parse_response`] then checks the server's answer:
//!
//! > If the response lacks a |Sec-WebSocket-Accept| header field or the |Sec-WebSocket-Accept|
//! > contains a value other than the base64-encoded SHA-1 of the concatenation of the
//! > |Sec-WebSocket-Key| (as a string, not base64-decoded) with the string "258EAFA5-E914-47DA-
//! > 95CA-C5AB0DC85B11" but ignoring any leading and trailing whitespace, the client MUST _Fail
//! > the WebSocket Connection_.
//!
//! TLS for `wss://` is the transport's business: this module only reports
//! [`is_secure`](ClientHandshake::is_secure), the host and the port to connect to.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::TryRngCore as _;
use url::{Host, Position, Url};

#[cfg(feature = "deflate")]
use crate::ext::deflate::{self, DeflateConfig, Negotiated};

use super::headers::{header_values, is_token, list_values};
use super::response::parse_response_head;
use super::write::is_valid_header;
use super::{accept_key, HandshakeError, Request, Response, VERSION};

/// What the client asks for: the seed's `make-client` options that concern the handshake.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// Subprotocols to offer in `Sec-WebSocket-Protocol`, most preferred first. Each must be an
    /// HTTP token, and unique.
    pub protocols: Vec<String>,
    /// Header fields added to the request after the handshake's own, e.g. `Origin` or
    /// `Authorization`. Each name must be an HTTP token and no value may hold CR, LF or NUL.
    pub additional_headers: Vec<(String, String)>,
}

/// The client side of the opening handshake: the request to send and what its answer must be.
#[derive(Clone, Debug)]
pub struct ClientHandshake {
    host: String,
    port: u16,
    secure: bool,
    key: String,
    expected_accept: String,
    protocols: Vec<String>,
    request: Request,
    request_bytes: Vec<u8>,
    /// The permessage-deflate offers sent, if any.
    #[cfg(feature = "deflate")]
    deflate: Option<DeflateConfig>,
}

impl ClientHandshake {
    /// Builds the handshake for `url` with a random 16-byte key from the operating system.
    ///
    /// > The request MUST include a header field with the name |Sec-WebSocket-Key|. The value of
    /// > this header field MUST be a nonce consisting of a randomly selected 16-byte value
    ///
    /// The URL must be `ws://` or `wss://` (default ports 80 and 443) without a fragment; the
    /// `Host` header names the port only when it is not the default, and the request target is
    /// the path and query (`/` when the path is empty). User info in the URL is not sent.
    ///
    /// ```
    /// use websocket_driver::handshake::{ClientHandshake, ClientOptions};
    /// let client = ClientHandshake::new("ws://example.com:8080/chat?room=1", &ClientOptions::default())?;
    /// assert!(client.request_bytes().starts_with(b"GET /chat?room=1 HTTP/1.1\r\nHost: example.com:8080\r\n"));
    /// # Ok::<(), websocket_driver::handshake::HandshakeError>(())
    /// ```
    pub fn new(url: &str, options: &ClientOptions) -> Result<Self, HandshakeError> {
        let mut nonce = [0; 16];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| HandshakeError::RandomnessUnavailable)?;
        Self::with_key(url, options, nonce)
    }

    /// Like [`new`](Self::new), with the key's 16 bytes given: for tests and reproducible traces.
    /// A real client must use a fresh random key per connection.
    pub fn with_key(
        url: &str,
        options: &ClientOptions,
        nonce: [u8; 16],
    ) -> Result<Self, HandshakeError> {
        let url = Url::parse(url).map_err(|_| HandshakeError::InvalidUrl)?;
        let secure = match url.scheme() {
            "ws" => false,
            "wss" => true,
            _ => return Err(HandshakeError::UnsupportedScheme),
        };
        if url.fragment().is_some() {
            return Err(HandshakeError::UrlHasFragment);
        }
        // The address to connect to: an IPv6 literal without its brackets.
        let host = match url.host() {
            Some(Host::Domain(domain)) => domain.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(HandshakeError::InvalidUrl),
        };
        let port = url
            .port_or_known_default()
            .ok_or(HandshakeError::InvalidUrl)?;
        // `Url::port` is `None` for the scheme's default port, which the Host header leaves out.
        let authority = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(HandshakeError::InvalidUrl),
        };
        let target = match &url[Position::BeforePath..Position::AfterQuery] {
            "" => "/".to_owned(),
            target if target.starts_with('?') => format!("/{target}"),
            target => target.to_owned(),
        };

        check_protocols(&options.protocols)?;
        if !options
            .additional_headers
            .iter()
            .all(|(name, value)| is_valid_header(name, value))
        {
            return Err(HandshakeError::InvalidHeader);
        }

        let key = STANDARD.encode(nonce);
        let mut headers = vec![
            ("Host".to_owned(), authority),
            ("Upgrade".to_owned(), "websocket".to_owned()),
            ("Connection".to_owned(), "Upgrade".to_owned()),
            ("Sec-WebSocket-Key".to_owned(), key.clone()),
            ("Sec-WebSocket-Version".to_owned(), VERSION.to_owned()),
        ];
        if !options.protocols.is_empty() {
            headers.push((
                "Sec-WebSocket-Protocol".to_owned(),
                options.protocols.join(", "),
            ));
        }
        headers.extend(options.additional_headers.iter().cloned());
        let request = Request::from_parts("GET", target, headers);
        Ok(Self {
            host,
            port,
            secure,
            expected_accept: accept_key(&key),
            key,
            protocols: options.protocols.clone(),
            request_bytes: request.to_bytes(),
            request,
            #[cfg(feature = "deflate")]
            deflate: None,
        })
    }

    /// Offers permessage-deflate: adds `Sec-WebSocket-Extensions` with the offers of `config`
    /// (see [`offer_header`](deflate::offer_header)) to the request, so that the response may
    /// accept one of them. Call it before sending [`request_bytes`](Self::request_bytes).
    ///
    /// ```
    /// use websocket_driver::ext::deflate::DeflateConfig;
    /// use websocket_driver::handshake::{ClientHandshake, ClientOptions};
    /// let mut client = ClientHandshake::new("ws://example.com/", &ClientOptions::default())?;
    /// client.offer_deflate(DeflateConfig::new());
    /// let request = std::str::from_utf8(client.request_bytes()).unwrap();
    /// assert!(request.contains("\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
    /// # Ok::<(), websocket_driver::handshake::HandshakeError>(())
    /// ```
    #[cfg(feature = "deflate")]
    pub fn offer_deflate(&mut self, config: DeflateConfig) {
        self.request
            .headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case("Sec-WebSocket-Extensions"));
        self.request.headers.push((
            "Sec-WebSocket-Extensions".to_owned(),
            deflate::offer_header(&config),
        ));
        self.request_bytes = self.request.to_bytes();
        self.deflate = Some(config);
    }

    /// What a verified response agreed for permessage-deflate: `None` when it was not offered or
    /// the server declined it. Pass it to
    /// [`Connection::enable_deflate`](crate::Connection::enable_deflate).
    ///
    /// # Errors
    ///
    /// As [`parse_response`](Self::parse_response) for the extension header.
    #[cfg(feature = "deflate")]
    pub fn negotiated_deflate(
        &self,
        response: &Response,
    ) -> Result<Option<Negotiated>, HandshakeError> {
        self.check_extensions(response)
    }

    /// The request head to send.
    pub fn request_bytes(&self) -> &[u8] {
        &self.request_bytes
    }

    /// The request as a value (method, target, headers).
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The host to connect to: a domain, or an IP address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port to connect to: the URL's, else 80 for `ws://` and 443 for `wss://`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the URL is `wss://`, so that the transport must speak TLS.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The `Sec-WebSocket-Key` sent.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Parses and verifies the server's response from the start of `buf`.
    ///
    /// Returns `Ok(None)` while the head is incomplete, or the verified response and the length
    /// of its head: bytes after it are the server's first frames. The checks, in order (section
    /// 4.1, "the client MUST validate the server's response as follows"): status `101`; HTTP/1.1
    /// or later; `Upgrade` lists `websocket`; `Connection` lists `Upgrade`; one
    /// `Sec-WebSocket-Accept` that matches our key; no extension but permessage-deflate if we
    /// offered it, and then one element that answers an offer (RFC 7692 section 7.1); at most one
    /// subprotocol, and one that we offered.
    pub fn parse_response(&self, buf: &[u8]) -> Result<Option<(Response, usize)>, HandshakeError> {
        let Some((response, len)) = parse_response_head(buf)? else {
            return Ok(None);
        };
        self.verify(&response)?;
        Ok(Some((response, len)))
    }

    fn verify(&self, response: &Response) -> Result<(), HandshakeError> {
        if response.status != 101 {
            return Err(HandshakeError::StatusNot101(response.status));
        }
        if response.version < (1, 1) {
            return Err(HandshakeError::HttpVersionTooOld);
        }
        if !super::headers::has_token(&response.headers, "Upgrade", "websocket") {
            return Err(HandshakeError::UpgradeNotWebsocket);
        }
        if !super::headers::has_token(&response.headers, "Connection", "Upgrade") {
            return Err(HandshakeError::ConnectionNotUpgrade);
        }
        let mut accepts = header_values(&response.headers, "Sec-WebSocket-Accept");
        let Some(accept) = accepts.next() else {
            return Err(HandshakeError::MissingAccept);
        };
        if accepts.next().is_some() || accept.trim() != self.expected_accept {
            return Err(HandshakeError::AcceptMismatch);
        }
        self.check_extensions(response)?;
        let mut chosen = header_values(&response.headers, "Sec-WebSocket-Protocol");
        if let Some(protocol) = chosen.next() {
            let offered = self.protocols.iter().any(|p| p == protocol.trim());
            if chosen.next().is_some() || !offered {
                return Err(HandshakeError::ProtocolNotOffered);
            }
        }
        Ok(())
    }
}

impl ClientHandshake {
    /// > If the response includes a |Sec-WebSocket-Extensions| header field and this header
    /// > field indicates the use of an extension that was not present in the client's handshake
    /// > (the server has indicated an extension not requested by the client), the client MUST
    /// > _Fail the WebSocket Connection_.
    #[cfg(feature = "deflate")]
    fn check_extensions(&self, response: &Response) -> Result<Option<Negotiated>, HandshakeError> {
        let mut accepted = Vec::new();
        for element in list_values(&response.headers, "Sec-WebSocket-Extensions") {
            let name = element.split(';').next().unwrap_or("").trim();
            if name != deflate::NAME || self.deflate.is_none() {
                return Err(HandshakeError::ExtensionNotOffered);
            }
            accepted.push(element);
        }
        match &self.deflate {
            Some(config) => deflate::verify_response(&accepted, config)
                .map_err(HandshakeError::InvalidDeflateResponse),
            None => Ok(None),
        }
    }

    /// Without the `deflate` feature we offer nothing, so any extension is one not offered.
    #[cfg(not(feature = "deflate"))]
    fn check_extensions(&self, response: &Response) -> Result<(), HandshakeError> {
        match list_values(&response.headers, "Sec-WebSocket-Extensions").next() {
            Some(_) => Err(HandshakeError::ExtensionNotOffered),
            None => Ok(()),
        }
    }
}

/// Checks the offered subprotocols: tokens, each offered once (section 4.1).
fn check_protocols(protocols: &[String]) -> Result<(), HandshakeError> {
    for (i, protocol) in protocols.iter().enumerate() {
        if !is_token(protocol) || protocols[..i].contains(protocol) {
            return Err(HandshakeError::InvalidProtocol);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nonce of RFC 6455 section 1.2, whose accept value the RFC gives.
    const NONCE: [u8; 16] = *b"the sample nonce";
    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    fn client(url: &str, protocols: &[&str]) -> ClientHandshake {
        let options = ClientOptions {
            protocols: protocols.iter().map(|p| (*p).to_owned()).collect(),
            ..ClientOptions::default()
        };
        ClientHandshake::with_key(url, &options, NONCE).unwrap()
    }

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    const OK: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";

    fn response(extra: &str) -> Vec<u8> {
        format!("{OK}{extra}\r\n").into_bytes()
    }

    #[test]
    fn request_for_a_url_with_port_path_and_query() {
        let options = ClientOptions {
            protocols: vec!["chat".into(), "superchat".into()],
            additional_headers: vec![("Origin".into(), "http://example.com".into())],
        };
        let hs =
            ClientHandshake::with_key("ws://example.com:9001/a/b?c=d&e", &options, NONCE).unwrap();
        assert_eq!(
            text(hs.request_bytes()),
            "GET /a/b?c=d&e HTTP/1.1\r\n\
             Host: example.com:9001\r\n\
             Upgrade: websocket\r\n\
             Connection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: chat, superchat\r\n\
             Origin: http://example.com\r\n\
             \r\n"
        );
        assert_eq!(
            (hs.host(), hs.port(), hs.is_secure()),
            ("example.com", 9001, false)
        );
        assert_eq!(hs.request().target, "/a/b?c=d&e");
    }

    #[test]
    fn default_ports_and_empty_path() {
        let hs = client("wss://example.com", &[]);
        assert_eq!((hs.port(), hs.is_secure()), (443, true));
        assert!(text(hs.request_bytes()).starts_with("GET / HTTP/1.1\r\nHost: example.com\r\n"));

        let hs = client("ws://example.com?x=1", &[]);
        assert_eq!(hs.port(), 80);
        assert!(text(hs.request_bytes()).starts_with("GET /?x=1 HTTP/1.1\r\nHost: example.com\r\n"));

        // An explicit default port is left out of Host; a non-default one for wss is kept.
        let hs = client("ws://example.com:80/", &[]);
        assert!(text(hs.request_bytes()).contains("\r\nHost: example.com\r\n"));
        let hs = client("wss://example.com:80/", &[]);
        assert_eq!(hs.port(), 80);
        assert!(text(hs.request_bytes()).contains("\r\nHost: example.com:80\r\n"));
    }

    #[test]
    fn ip_hosts() {
        let hs = client("ws://127.0.0.1:9001", &[]);
        assert_eq!((hs.host(), hs.port()), ("127.0.0.1", 9001));
        let hs = client("ws://[::1]:9001/", &[]);
        assert_eq!(hs.host(), "::1");
        assert!(text(hs.request_bytes()).contains("\r\nHost: [::1]:9001\r\n"));
    }

    #[test]
    fn random_keys_are_valid_and_fresh() {
        let a = ClientHandshake::new("ws://h/", &ClientOptions::default()).unwrap();
        let b = ClientHandshake::new("ws://h/", &ClientOptions::default()).unwrap();
        assert!(crate::handshake::is_valid_key(a.key()), "{}", a.key());
        assert_ne!(a.key(), b.key());
    }

    #[test]
    fn bad_urls_and_options() {
        let default = ClientOptions::default();
        let new = |url: &str, options: &ClientOptions| {
            ClientHandshake::with_key(url, options, NONCE).unwrap_err()
        };
        assert_eq!(
            new("http://h/", &default),
            HandshakeError::UnsupportedScheme
        );
        assert_eq!(
            new("wss+x://h/", &default),
            HandshakeError::UnsupportedScheme
        );
        assert_eq!(
            new("ws://h/#frag", &default),
            HandshakeError::UrlHasFragment
        );
        assert_eq!(new("not a url", &default), HandshakeError::InvalidUrl);
        assert_eq!(new("ws://", &default), HandshakeError::InvalidUrl);
        let protocols = |list: &[&str]| ClientOptions {
            protocols: list.iter().map(|p| (*p).to_owned()).collect(),
            ..ClientOptions::default()
        };
        assert_eq!(
            new("ws://h/", &protocols(&["a b"])),
            HandshakeError::InvalidProtocol
        );
        assert_eq!(
            new("ws://h/", &protocols(&[""])),
            HandshakeError::InvalidProtocol
        );
        assert_eq!(
            new("ws://h/", &protocols(&["a", "a"])),
            HandshakeError::InvalidProtocol
        );
        let header = ClientOptions {
            additional_headers: vec![("X".into(), "a\r\nb: c".into())],
            ..ClientOptions::default()
        };
        assert_eq!(new("ws://h/", &header), HandshakeError::InvalidHeader);
    }

    #[test]
    fn accepts_a_valid_response_and_returns_the_leftover() {
        let hs = client("ws://h/", &["chat"]);
        let mut bytes = response("Sec-WebSocket-Protocol: chat\r\n");
        let head = bytes.len();
        bytes.extend_from_slice(b"\x81\x02hi");
        let (response, len) = hs.parse_response(&bytes).unwrap().unwrap();
        assert_eq!(len, head);
        assert_eq!(&bytes[len..], b"\x81\x02hi");
        assert_eq!(response.protocol(), Some("chat"));
    }

    #[test]
    fn tokens_in_any_case_and_no_protocol_are_fine() {
        let hs = client("ws://h/", &["chat"]);
        let bytes = format!(
            "HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, UPGRADE\r\n\
             sec-websocket-accept:  {ACCEPT} \r\n\r\n"
        );
        let (response, _) = hs.parse_response(bytes.as_bytes()).unwrap().unwrap();
        assert_eq!(response.protocol(), None);
    }

    #[test]
    fn each_broken_rule_gives_its_error() {
        let hs = client("ws://h/", &["chat"]);
        let check = |bytes: &[u8]| hs.parse_response(bytes).unwrap_err();
        let without = |name: &str| {
            let kept: String = OK
                .split_inclusive("\r\n")
                .filter(|line| !line.starts_with(name))
                .collect();
            format!("{kept}\r\n").into_bytes()
        };
        assert_eq!(
            check(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            HandshakeError::StatusNot101(200)
        );
        assert_eq!(
            check(format!("{}\r\n", OK.replace("HTTP/1.1", "HTTP/1.0")).as_bytes()),
            HandshakeError::HttpVersionTooOld,
        );
        assert_eq!(
            check(&without("Upgrade")),
            HandshakeError::UpgradeNotWebsocket
        );
        assert_eq!(
            check(&without("Connection")),
            HandshakeError::ConnectionNotUpgrade
        );
        assert_eq!(
            check(&without("Sec-WebSocket-Accept")),
            HandshakeError::MissingAccept
        );
        let wrong = OK.replace(ACCEPT, "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(
            check(format!("{wrong}\r\n").as_bytes()),
            HandshakeError::AcceptMismatch
        );
        assert_eq!(
            check(&response(&format!("Sec-WebSocket-Accept: {ACCEPT}\r\n"))),
            HandshakeError::AcceptMismatch,
            "two accept fields"
        );
        assert_eq!(
            check(&response("Sec-WebSocket-Protocol: superchat\r\n")),
            HandshakeError::ProtocolNotOffered
        );
        assert_eq!(
            check(&response("Sec-WebSocket-Protocol: chat, chat\r\n")),
            HandshakeError::ProtocolNotOffered
        );
        assert_eq!(
            check(&response(
                "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n"
            )),
            HandshakeError::ProtocolNotOffered
        );
        assert_eq!(
            check(&response(
                "Sec-WebSocket-Extensions: permessage-deflate\r\n"
            )),
            HandshakeError::ExtensionNotOffered
        );
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn offers_deflate_and_reads_what_was_agreed() {
        use crate::ext::deflate::{DeflateConfig, DeflateParams, DeflateResponseError};
        let mut hs = client("ws://h/", &[]);
        let config = DeflateConfig::new()
            .params(DeflateParams::new().server_no_context_takeover(true))
            .fallback(DeflateParams::new());
        hs.offer_deflate(config.clone());
        // Offering twice replaces the header rather than repeating it.
        hs.offer_deflate(config);
        let request = text(hs.request_bytes()).to_owned();
        assert!(
            request.ends_with(
                "\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; \
                 client_max_window_bits, permessage-deflate; client_max_window_bits\r\n\r\n"
            ),
            "{request}"
        );
        assert_eq!(request.matches("Extensions").count(), 1);

        let bytes =
            response("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9\r\n");
        let (parsed, _) = hs.parse_response(&bytes).unwrap().unwrap();
        let agreed = hs.negotiated_deflate(&parsed).unwrap().unwrap();
        assert_eq!(agreed.params.client_max_window_bits, Some(9));
        assert!(!agreed.params.server_no_context_takeover);

        let declined = response("");
        let (parsed, _) = hs.parse_response(&declined).unwrap().unwrap();
        assert_eq!(hs.negotiated_deflate(&parsed), Ok(None));

        let bad =
            response("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16\r\n");
        assert_eq!(
            hs.parse_response(&bad).unwrap_err(),
            HandshakeError::InvalidDeflateResponse(DeflateResponseError::InvalidWindowBits)
        );
        let other = response("Sec-WebSocket-Extensions: permessage-deflate, x-foo\r\n");
        assert_eq!(
            hs.parse_response(&other).unwrap_err(),
            HandshakeError::ExtensionNotOffered
        );
    }

    #[test]
    fn protocol_chosen_when_none_was_offered_is_an_error() {
        let hs = client("ws://h/", &[]);
        let error = hs
            .parse_response(&response("Sec-WebSocket-Protocol: chat\r\n"))
            .unwrap_err();
        assert_eq!(error, HandshakeError::ProtocolNotOffered);
    }

    #[test]
    fn partial_response_needs_more_at_every_split() {
        let hs = client("ws://h/", &[]);
        let bytes = response("");
        for split in 0..bytes.len() {
            assert_eq!(
                hs.parse_response(&bytes[..split]),
                Ok(None),
                "split at {split}"
            );
        }
        assert!(hs.parse_response(&bytes).unwrap().is_some());
    }
}
