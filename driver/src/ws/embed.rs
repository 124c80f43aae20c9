//! Embedding in an HTTP server built on the `http` crate (hyper, axum; feature `http`): the
//! seed's `make-server env` with the request such a server gives a handler, and the
//! responses to hand back to it.
//!
//! The HTTP server writes the response, so the socket must not: [`Server::http_response`]
//! gives the 101, and the connection then opens with
//! [`start_upgraded`](Server::start_upgraded) on the upgraded I/O (what
//! [`serve_upgraded`](crate::tokio::serve_upgraded) does).

use std::borrow::Cow;

use http::{HeaderName, HeaderValue, Version};

use crate::handshake::{Refusal, Request, MAX_HEADERS};

use super::server::UpgradeRequest;
use super::socket::Handshake;
use super::Server;

impl<B> UpgradeRequest for http::Request<B> {
    fn to_request(&self) -> Cow<'_, Request> {
        Cow::Owned(from_http(
            self.method(),
            self.uri(),
            self.version(),
            self.headers(),
        ))
    }
}

impl UpgradeRequest for http::request::Parts {
    fn to_request(&self) -> Cow<'_, Request> {
        Cow::Owned(from_http(
            &self.method,
            &self.uri,
            self.version,
            &self.headers,
        ))
    }
}

/// The request head as the handshake reads it. A header value that is not UTF-8 is kept
/// lossily, as [`parse_request`](crate::handshake::parse_request) does.
fn from_http(
    method: &http::Method,
    uri: &http::Uri,
    version: Version,
    headers: &http::HeaderMap,
) -> Request {
    let version = match version {
        Version::HTTP_09 => (0, 9),
        Version::HTTP_10 => (1, 0),
        Version::HTTP_11 => (1, 1),
        Version::HTTP_2 => (2, 0),
        _ => (3, 0),
    };
    let mut fields: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    // An absolute-form target carries the host in the URI rather than in a Host header.
    if !headers.contains_key(http::header::HOST) {
        if let Some(authority) = uri.authority() {
            fields.push(("host".to_owned(), authority.as_str().to_owned()));
        }
    }
    Request {
        method: method.as_str().to_owned(),
        target: uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |target| target.as_str().to_owned()),
        version,
        headers: fields,
    }
}

impl Server {
    /// The `101 Switching Protocols` response for the HTTP server to send, with
    /// `Sec-WebSocket-Accept`, the agreed subprotocol and extensions, and
    /// [`Options::additional_headers`](super::Options::additional_headers). The connection
    /// then runs on the upgraded I/O with
    /// [`serve_upgraded`](crate::tokio::serve_upgraded), which does not send it again.
    ///
    /// Once the connection has started the response is gone; this then gives a
    /// `500 Internal Server Error`, so that a misplaced call fails the client's handshake
    /// rather than leaving it waiting.
    pub fn http_response(&self) -> http::Response<()> {
        match &self.handshake {
            Handshake::Server { response } => to_http(response).0,
            _ => {
                let mut response = http::Response::new(());
                *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
                response
            }
        }
    }
}

impl Refusal {
    /// The refusal as a response for an HTTP server to send: `400 Bad Request`, or
    /// `426 Upgrade Required` with `Sec-WebSocket-Version: 13`, and the reason as the
    /// body.
    pub fn http_response(&self) -> http::Response<String> {
        let (head, body) = to_http(self.response_bytes());
        head.map(|()| body)
    }
}

/// Converts a response this crate serialized into an `http::Response` and its body.
/// `Content-Length` is left to the HTTP server, which frames the body itself.
fn to_http(bytes: &[u8]) -> (http::Response<()>, String) {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut slots);
    let mut response = http::Response::new(());
    // These bytes come from our own handshake code; a parse failure would be a bug there,
    // answered with a 500 rather than a panic.
    let Ok(httparse::Status::Complete(len)) = parsed.parse(bytes) else {
        *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        return (response, String::new());
    };
    *response.status_mut() = parsed
        .code
        .and_then(|code| http::StatusCode::from_u16(code).ok())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    for header in parsed.headers.iter() {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(header.name.as_bytes()),
            HeaderValue::from_bytes(header.value),
        ) else {
            continue;
        };
        if name != http::header::CONTENT_LENGTH {
            response.headers_mut().append(name, value);
        }
    }
    let body = String::from_utf8_lossy(&bytes[len..]).into_owned();
    (response, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::{make_server, Options};

    fn upgrade(version: &str) -> http::Request<()> {
        http::Request::builder()
            .uri("/chat?room=1")
            .header("Host", "example.com")
            .header("Upgrade", "websocket")
            .header("Connection", "keep-alive, Upgrade")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("Sec-WebSocket-Version", version)
            .header("Sec-WebSocket-Protocol", "chat, superchat")
            .body(())
            .unwrap()
    }

    #[test]
    fn accepts_an_http_request_and_gives_the_101() {
        let request = upgrade("13");
        let options = Options::new()
            .accept_protocols(["superchat"])
            .additional_header("Server", "test");
        let mut ws = make_server(&request, options.clone()).unwrap();
        assert_eq!(ws.protocol(), Some("superchat"));
        let response = ws.http_response();
        assert_eq!(response.status(), 101);
        let header = |name| response.headers().get(name).unwrap().to_str().unwrap();
        assert_eq!(
            header("sec-websocket-accept"),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(header("sec-websocket-protocol"), "superchat");
        assert_eq!(header("upgrade"), "websocket");
        assert_eq!(header("server"), "test");

        // The parts, as a framework that split the request gives them, read the same.
        let (parts, ()) = request.into_parts();
        assert!(make_server(&parts, options).is_ok());

        // Opened on the upgraded I/O: nothing is written, and the 101 is gone.
        assert!(ws.start_upgraded());
        assert!(ws.pending_transmit().is_empty());
        assert!(!ws.start_upgraded());
        assert_eq!(ws.http_response().status(), 500);
    }

    #[test]
    fn a_refusal_becomes_an_http_response() {
        let refusal = make_server(&upgrade("8"), Options::default()).unwrap_err();
        let response = refusal.http_response();
        assert_eq!(response.status(), 426);
        assert_eq!(response.headers()["sec-websocket-version"], "13");
        assert!(response.headers().get("content-length").is_none());
        assert_eq!(response.body().len(), {
            let bytes = refusal.response_bytes();
            let head = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            bytes.len() - head
        });

        let post = http::Request::post("/").body(()).unwrap();
        let response = make_server(&post, Options::default())
            .unwrap_err()
            .http_response();
        assert_eq!(response.status(), 400);
    }

    #[test]
    fn host_may_come_from_an_absolute_uri() {
        let mut request = upgrade("13");
        request.headers_mut().remove("host");
        assert!(make_server(&request, Options::default()).is_err());
        *request.uri_mut() = "http://example.com/chat".parse().unwrap();
        let converted = request.to_request();
        assert_eq!(converted.header("host"), Some("example.com"));
        assert_eq!(converted.target, "/chat");
        assert!(make_server(&request, Options::default()).is_ok());
    }
}
