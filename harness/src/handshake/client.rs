//! The client side of the opening handshake (RFC 6455 section 4.1), checked like Autobahn's
//! client checks it, so a server fails the handshake here exactly when it fails there.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};

use super::accept::{accept_key, new_key};
use super::deflate::{
    offers_header, parse_extensions, parse_response, DeflateParams, PERMESSAGE_DEFLATE,
};
use super::head::{read_head, Fields};
use super::HandshakeFailure;
use crate::case::DeflateOffer;

/// An opening-handshake request, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    /// The request text as sent (request line, fields, blank line).
    pub text: String,
    /// The `Sec-WebSocket-Key` sent.
    pub key: String,
    /// Host name or address to connect to (IPv6 in brackets).
    pub host: String,
    /// TCP port to connect to.
    pub port: u16,
    /// Path and query (`/runCase?case=1`).
    pub resource: String,
    /// Subprotocols offered.
    pub protocols: Vec<String>,
    /// Whether permessage-deflate was offered (then the server may answer with it).
    pub deflate_offered: bool,
    /// Whether the URL is `wss://` (the connection is TLS).
    pub secure: bool,
}

impl ClientRequest {
    /// `host:port`, for connecting.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Adds `Sec-WebSocket-Extensions` with these permessage-deflate offers, in order (autobahn
    /// writes it just before `Sec-WebSocket-Version`). No offers = no field.
    pub fn with_deflate_offers(mut self, offers: &[DeflateOffer]) -> Self {
        if offers.is_empty() {
            return self;
        }
        let field = format!("Sec-WebSocket-Extensions: {}\r\n", offers_header(offers));
        match self.text.find("Sec-WebSocket-Version:") {
            Some(at) => self.text.insert_str(at, &field),
            None => self.text.push_str(&field),
        }
        self.deflate_offered = true;
        self
    }
}

/// Builds the request for a `ws://` or `wss://` URL, with the fields Autobahn's client sends
/// (Host always with the port, 443 included for `wss://`, `Upgrade: WebSocket`, no-cache
/// fields, version 13).
pub fn client_request(
    url: &str,
    origin: Option<&str>,
    protocols: &[String],
) -> Result<ClientRequest, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("invalid URL {url:?}: {e}"))?;
    let secure = match parsed.scheme() {
        "ws" => false,
        "wss" => true,
        other => {
            return Err(format!(
                "unsupported URL scheme {other:?} (ws:// and wss:// are supported)"
            ))
        }
    };
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("URL {url:?} has no host"))?
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let mut resource = parsed.path().to_owned();
    if resource.is_empty() {
        resource.push('/');
    }
    if let Some(q) = parsed.query() {
        resource.push('?');
        resource.push_str(q);
    }
    let key = new_key();
    let mut text = format!("GET {resource} HTTP/1.1\r\n");
    text += &format!("User-Agent: wsharness/{}\r\n", env!("CARGO_PKG_VERSION"));
    text += &format!("Host: {host}:{port}\r\n");
    text += "Upgrade: WebSocket\r\nConnection: Upgrade\r\n";
    text += "Pragma: no-cache\r\nCache-Control: no-cache\r\n";
    text += &format!("Sec-WebSocket-Key: {key}\r\n");
    if let Some(o) = origin {
        text += &format!("Origin: {o}\r\n");
    }
    if !protocols.is_empty() {
        text += &format!("Sec-WebSocket-Protocol: {}\r\n", protocols.join(","));
    }
    text += "Sec-WebSocket-Version: 13\r\n\r\n";
    Ok(ClientRequest {
        text,
        key,
        host,
        port,
        resource,
        protocols: protocols.to_vec(),
        deflate_offered: false,
        secure,
    })
}

/// A completed client handshake.
#[derive(Debug, Clone, Default)]
pub struct ClientHandshake {
    /// The request text as sent.
    pub request: String,
    /// The response head as received, blank line included.
    pub response: String,
    /// Response fields, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The `Server` field, if any (Autobahn names the agent after it when none is given).
    pub server: Option<String>,
    /// The subprotocol the server selected, if any.
    pub protocol: Option<String>,
    /// The permessage-deflate parameters agreed, if the server accepted an offer.
    pub deflate: Option<DeflateParams>,
    /// Octets read after the response head: the first WebSocket frames.
    pub leftover: Vec<u8>,
    /// Every socket read, in order.
    pub reads: Vec<Vec<u8>>,
    /// Every socket write, in order.
    pub writes: Vec<Vec<u8>>,
}

/// Sends `req` on `stream` and reads and checks the response within `timeout`.
pub async fn client_handshake<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    req: &ClientRequest,
    timeout: Duration,
) -> Result<ClientHandshake, HandshakeFailure> {
    let deadline = Instant::now() + timeout;
    let mut fail = HandshakeFailure {
        request: Some(req.text.clone()),
        writes: vec![req.text.as_bytes().to_vec()],
        ..HandshakeFailure::default()
    };
    match timeout_at(deadline, stream.write_all(req.text.as_bytes())).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            fail.reason = format!("could not send the opening handshake: {e}");
            return Err(fail);
        }
        Err(_) => {
            fail.reason = "peer did not finish (in time) the opening handshake".into();
            fail.timed_out = true;
            return Err(fail);
        }
    }
    let (head, leftover) = match read_head(stream, deadline, &mut fail.reads).await {
        Ok(v) => v,
        Err(e) => {
            fail.reason = e.reason;
            fail.timed_out = e.timed_out;
            return Err(fail);
        }
    };
    let response = String::from_utf8_lossy(&head).into_owned();
    fail.response = Some(response.clone());
    match check_response(&head, req) {
        Ok((fields, protocol, deflate)) => {
            let server = fields.get("server");
            Ok(ClientHandshake {
                request: req.text.clone(),
                response,
                headers: fields.into_vec(),
                server,
                protocol,
                deflate,
                leftover,
                reads: fail.reads,
                writes: fail.writes,
            })
        }
        Err(reason) => {
            fail.reason = reason;
            Err(fail)
        }
    }
}

/// What a good response agrees to: fields, subprotocol and permessage-deflate parameters.
type Agreed = (Fields, Option<String>, Option<DeflateParams>);

/// Autobahn's client checks, in its order and with its wording.
fn check_response(head: &[u8], req: &ClientRequest) -> Result<Agreed, String> {
    let mut storage = [httparse::EMPTY_HEADER; 100];
    let mut resp = httparse::Response::new(&mut storage);
    let status = resp.parse(head);
    let first_line =
        String::from_utf8_lossy(head.split(|&b| b == b'\r').next().unwrap_or_default())
            .into_owned();
    match status {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(_) => {
            return Err(format!("Bad HTTP response status line '{first_line}'"));
        }
    }
    if resp.version != Some(1) {
        let version = first_line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        return Err(format!("Unsupported HTTP version ('{version}')"));
    }
    let code = resp.code.unwrap_or(0);
    if code != 101 {
        let reason = resp
            .reason
            .filter(|r| !r.is_empty())
            .map(|r| format!(" - {r}"))
            .unwrap_or_default();
        return Err(format!(
            "WebSocket connection upgrade failed ({code}{reason})"
        ));
    }
    let fields = Fields::new(resp.headers);
    let Some(upgrade) = fields.get("upgrade") else {
        return Err("HTTP Upgrade header missing".into());
    };
    if !upgrade.trim().eq_ignore_ascii_case("websocket") {
        return Err(format!(
            "HTTP Upgrade header different from 'websocket' (case-insensitive) : {upgrade}"
        ));
    }
    let Some(connection) = fields.get("connection") else {
        return Err("HTTP Connection header missing".into());
    };
    if !fields.has_token("connection", "upgrade") {
        return Err(format!(
            "HTTP Connection header does not include 'upgrade' value (case-insensitive) : {connection}"
        ));
    }
    let Some(got) = fields.get("sec-websocket-accept") else {
        return Err("HTTP Sec-WebSocket-Accept header missing in opening handshake reply".into());
    };
    if fields.count("sec-websocket-accept") > 1 {
        return Err(
            "HTTP Sec-WebSocket-Accept header appears more than once in opening handshake reply"
                .into(),
        );
    }
    let want = accept_key(&req.key);
    if got.trim() != want {
        return Err(format!(
            "HTTP Sec-WebSocket-Accept bogus value : expected {want} / got {}",
            got.trim()
        ));
    }
    let mut deflate = None;
    if let Some(ext) = fields.get("sec-websocket-extensions") {
        if fields.count("sec-websocket-extensions") > 1 {
            return Err(
                "HTTP Sec-WebSocket-Extensions header appears more than once in opening handshake reply"
                    .into(),
            );
        }
        // Only permessage-deflate, and only when offered, may be accepted (autobahn checks
        // each element in order and stops at the first fault).
        for (name, params) in parse_extensions(&ext) {
            if name == PERMESSAGE_DEFLATE && req.deflate_offered {
                if deflate.is_some() {
                    return Err("multiple occurrence of a permessage-compress extension".into());
                }
                deflate = Some(parse_response(&params)?);
            } else {
                return Err(format!(
                    "server wants to use extension '{name}' we did not request, haven't implemented or did not enable"
                ));
            }
        }
    }
    let mut protocol = None;
    if let Some(p) = fields.get("sec-websocket-protocol") {
        if fields.count("sec-websocket-protocol") > 1 {
            return Err(
                "HTTP Sec-WebSocket-Protocol header appears more than once in opening handshake reply"
                    .into(),
            );
        }
        let p = p.trim().to_owned();
        if !p.is_empty() {
            if !req.protocols.contains(&p) {
                return Err(format!(
                    "subprotocol selected by server ({p}) not in subprotocol list requested by client ({:?})",
                    req.protocols
                ));
            }
            protocol = Some(p);
        }
    }
    Ok((fields, protocol, deflate))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> ClientRequest {
        client_request(
            "ws://127.0.0.1:9001/runCase?case=3&agent=x",
            Some("http://o"),
            &["chat".into()],
        )
        .expect("valid url")
    }

    fn response(accept: &str, extra: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{extra}\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn request_has_autobahns_fields() {
        let r = req();
        assert!(r
            .text
            .starts_with("GET /runCase?case=3&agent=x HTTP/1.1\r\n"));
        for field in [
            "Host: 127.0.0.1:9001\r\n",
            "Upgrade: WebSocket\r\n",
            "Connection: Upgrade\r\n",
            "Origin: http://o\r\n",
            "Sec-WebSocket-Protocol: chat\r\n",
            "Sec-WebSocket-Version: 13\r\n",
        ] {
            assert!(r.text.contains(field), "missing {field:?} in {}", r.text);
        }
        assert!(r.text.ends_with("\r\n\r\n"));
        assert_eq!(r.authority(), "127.0.0.1:9001");
        assert!(!r.secure);
        assert!(client_request("http://h/", None, &[]).is_err());
        // Autobahn writes the port in Host for wss:// too, the default 443 included.
        let tls = client_request("wss://example.test/x", None, &[]).expect("wss");
        assert!(tls.secure);
        assert_eq!(tls.authority(), "example.test:443");
        assert!(
            tls.text.contains("Host: example.test:443\r\n"),
            "{}",
            tls.text
        );
        assert_eq!(
            client_request("ws://h", None, &[]).map(|r| r.resource).ok(),
            Some("/".into())
        );
    }

    #[test]
    fn deflate_is_offered_and_its_response_checked() {
        let offers = [
            DeflateOffer {
                request_no_context_takeover: true,
                request_max_window_bits: 9,
                ..DeflateOffer::default()
            },
            DeflateOffer::default(),
        ];
        let r = req().with_deflate_offers(&offers);
        assert!(r.text.contains(
            "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9, permessage-deflate; client_no_context_takeover; client_max_window_bits\r\nSec-WebSocket-Version: 13\r\n"
        ), "{}", r.text);
        let good = accept_key(&r.key);
        let ext = |v: &str| format!("Sec-WebSocket-Extensions: {v}\r\n");
        let (_, _, d) = check_response(
            &response(
                &good,
                &ext("permessage-deflate; server_max_window_bits=9; client_no_context_takeover"),
            ),
            &r,
        )
        .expect("accepted offer");
        let d = d.expect("deflate agreed");
        assert_eq!(
            (d.server_max_window_bits, d.client_max_window_bits),
            (9, 15)
        );
        assert!(d.client_no_context_takeover && !d.server_no_context_takeover);
        for (bad, needle) in [
            (
                "permessage-deflate, permessage-deflate",
                "multiple occurrence",
            ),
            (
                "permessage-deflate; client_max_window_bits=7",
                "illegal extension parameter value '7'",
            ),
            (
                "permessage-deflate; mystery",
                "illegal extension parameter 'mystery'",
            ),
            ("x-webkit-deflate-frame", "we did not request"),
        ] {
            let err = check_response(&response(&good, &ext(bad)), &r).expect_err(bad);
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn accepts_a_good_response_and_rejects_bad_ones() {
        let r = req();
        let good = accept_key(&r.key);
        let (_, proto, deflate) =
            check_response(&response(&good, "Sec-WebSocket-Protocol: chat\r\n"), &r)
                .expect("good response");
        assert_eq!(proto.as_deref(), Some("chat"));
        assert_eq!(deflate, None);
        let bad = [
            (response("AAAA", ""), "bogus value"),
            (
                response(&good, "Sec-WebSocket-Protocol: other\r\n"),
                "subprotocol",
            ),
            (
                response(&good, "Sec-WebSocket-Extensions: permessage-deflate\r\n"),
                "extension",
            ),
            (
                b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
                "upgrade failed (200 - OK)",
            ),
            (
                b"HTTP/1.0 101 X\r\n\r\n".to_vec(),
                "Unsupported HTTP version",
            ),
            (b"garbage\r\n\r\n".to_vec(), "Bad HTTP response status line"),
        ];
        for (resp, want) in bad {
            let err = check_response(&resp, &r).expect_err("must fail");
            assert!(err.contains(want), "{err:?} should contain {want:?}");
        }
    }
}
