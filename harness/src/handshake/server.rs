//! The server side of the opening handshake (RFC 6455 section 4.2), used when the harness
//! tests a client: read the request, answer 101, keep both texts for the report.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};

use super::accept::accept_key;
use super::deflate::{accept, parse_offers, DeflateParams};
use super::head::{read_head, Fields};
use super::HandshakeFailure;
use crate::case::DeflateAccept;

/// A completed server handshake.
#[derive(Debug, Clone, Default)]
pub struct ServerHandshake {
    /// The request head as received, blank line included.
    pub request: String,
    /// The response text as sent.
    pub response: String,
    /// The request path, without the query (`/runCase`).
    pub path: String,
    /// The query string without `?`, if any (`case=1&agent=x`).
    pub query: Option<String>,
    /// Request fields, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The subprotocol selected, if any.
    pub protocol: Option<String>,
    /// The permessage-deflate parameters agreed, if an offer was accepted.
    pub deflate: Option<DeflateParams>,
    /// Octets read after the request head: the first WebSocket frames.
    pub leftover: Vec<u8>,
    /// Every socket read, in order.
    pub reads: Vec<Vec<u8>>,
    /// Every socket write, in order.
    pub writes: Vec<Vec<u8>>,
}

/// Reads a client's opening handshake from `stream` and answers it within `timeout`.
/// The 101 names `server_name` in its `Server` field and selects the first of the client's
/// subprotocols that is in `protocols`. A bad request gets a 400 and an error.
pub async fn server_handshake<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    server_name: &str,
    protocols: &[String],
    timeout: Duration,
) -> Result<ServerHandshake, HandshakeFailure> {
    server_handshake_deflate(stream, server_name, protocols, &[], timeout).await
}

/// [`server_handshake`] for a compression case (sections 12 and 13): the client's
/// permessage-deflate offers are accepted by the first of `deflate` that fits (the case's
/// accept rules; none = decline every offer, as [`server_handshake`] does). A malformed offer
/// gets a 400, as in autobahn.
pub async fn server_handshake_deflate<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    server_name: &str,
    protocols: &[String],
    deflate: &[DeflateAccept],
    timeout: Duration,
) -> Result<ServerHandshake, HandshakeFailure> {
    let deadline = Instant::now() + timeout;
    let mut fail = HandshakeFailure::default();
    let (head, leftover) = match read_head(stream, deadline, &mut fail.reads).await {
        Ok(v) => v,
        Err(e) => {
            fail.reason = e.reason;
            fail.timed_out = e.timed_out;
            return Err(fail);
        }
    };
    let request = String::from_utf8_lossy(&head).into_owned();
    fail.request = Some(request.clone());
    let outcome = check_request(&head, protocols, deflate);
    let response = match &outcome {
        Ok(ok) => {
            let mut r = String::from("HTTP/1.1 101 Switching Protocols\r\n");
            r += &format!("Server: {server_name}\r\n");
            r += "Upgrade: WebSocket\r\nConnection: Upgrade\r\n";
            if let Some(p) = &ok.protocol {
                r += &format!("Sec-WebSocket-Protocol: {p}\r\n");
            }
            if let Some((ext, _)) = &ok.deflate {
                r += &format!("Sec-WebSocket-Extensions: {ext}\r\n");
            }
            r += &format!("Sec-WebSocket-Accept: {}\r\n\r\n", accept_key(&ok.key));
            r
        }
        Err(_) => format!(
            "HTTP/1.1 400 Bad Request\r\nServer: {server_name}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    };
    fail.writes.push(response.as_bytes().to_vec());
    fail.response = Some(response.clone());
    let write = timeout_at(deadline, stream.write_all(response.as_bytes())).await;
    let ok = match outcome {
        Ok(ok) => ok,
        Err(reason) => {
            fail.reason = reason;
            return Err(fail);
        }
    };
    match write {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            fail.reason = format!("could not send the opening handshake reply: {e}");
            return Err(fail);
        }
        Err(_) => {
            fail.reason = "peer did not finish (in time) the opening handshake".into();
            fail.timed_out = true;
            return Err(fail);
        }
    }
    Ok(ServerHandshake {
        request,
        response,
        path: ok.path,
        query: ok.query,
        headers: ok.fields.into_vec(),
        protocol: ok.protocol,
        deflate: ok.deflate.map(|(_, p)| p),
        leftover,
        reads: fail.reads,
        writes: fail.writes,
    })
}

/// What a valid request tells the server.
struct GoodRequest {
    key: String,
    path: String,
    query: Option<String>,
    fields: Fields,
    protocol: Option<String>,
    /// The response's extension value and the agreed parameters.
    deflate: Option<(String, DeflateParams)>,
}

/// The checks of RFC 6455 section 4.2.1.
fn check_request(
    head: &[u8],
    protocols: &[String],
    deflate: &[DeflateAccept],
) -> Result<GoodRequest, String> {
    let mut storage = [httparse::EMPTY_HEADER; 100];
    let mut req = httparse::Request::new(&mut storage);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(_) => return Err("bad HTTP request line".into()),
    }
    if req.method != Some("GET") {
        return Err(format!(
            "HTTP method {:?} is not GET",
            req.method.unwrap_or_default()
        ));
    }
    if req.version != Some(1) {
        return Err("HTTP version is not 1.1".into());
    }
    let target = req.path.unwrap_or("/");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target.to_owned(), None),
    };
    let fields = Fields::new(req.headers);
    if !fields
        .get("upgrade")
        .is_some_and(|u| u.trim().eq_ignore_ascii_case("websocket"))
    {
        return Err("HTTP Upgrade header missing or not 'websocket'".into());
    }
    if !fields.has_token("connection", "upgrade") {
        return Err("HTTP Connection header does not include 'upgrade'".into());
    }
    if fields
        .get("sec-websocket-version")
        .as_deref()
        .map(str::trim)
        != Some("13")
    {
        return Err("Sec-WebSocket-Version is not 13".into());
    }
    let key = fields
        .get("sec-websocket-key")
        .map(|k| k.trim().to_owned())
        .unwrap_or_default();
    if fields.count("sec-websocket-key") != 1 || key.is_empty() {
        return Err("Sec-WebSocket-Key missing or repeated".into());
    }
    let offered = fields.get("sec-websocket-protocol").unwrap_or_default();
    let protocol = offered
        .split(',')
        .map(str::trim)
        .find(|p| protocols.iter().any(|q| q == p))
        .map(str::to_owned);
    let mut agreed = None;
    if !deflate.is_empty() {
        let offers = match fields.get("sec-websocket-extensions") {
            Some(h) => parse_offers(&h)?,
            None => Vec::new(),
        };
        agreed = accept(&offers, deflate);
    }
    Ok(GoodRequest {
        key,
        path,
        query,
        fields,
        protocol,
        deflate: agreed,
    })
}

#[cfg(test)]
mod tests {
    use super::super::client::{client_handshake, client_request};
    use super::*;

    #[tokio::test]
    async fn client_and_server_handshakes_agree() {
        let (mut c, mut s) = tokio::io::duplex(4096);
        let server = tokio::spawn(async move {
            server_handshake(
                &mut s,
                "TestServer/1",
                &["b".into()],
                Duration::from_secs(2),
            )
            .await
        });
        let req = client_request(
            "ws://127.0.0.1:9/runCase?case=2&agent=me",
            None,
            &["a".into(), "b".into()],
        )
        .expect("url");
        let client = client_handshake(&mut c, &req, Duration::from_secs(2))
            .await
            .expect("client side");
        let server = server.await.expect("join").expect("server side");
        assert_eq!(server.path, "/runCase");
        assert_eq!(server.query.as_deref(), Some("case=2&agent=me"));
        assert_eq!(client.server.as_deref(), Some("TestServer/1"));
        assert_eq!(client.protocol.as_deref(), Some("b"));
        assert_eq!(server.request, req.text);
        assert_eq!(client.response, server.response);
    }

    #[tokio::test]
    async fn a_bad_request_gets_400() {
        let (mut c, mut s) = tokio::io::duplex(4096);
        let server = tokio::spawn(async move {
            server_handshake(&mut s, "T", &[], Duration::from_secs(2)).await
        });
        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let err = server.await.expect("join").expect_err("must fail");
        assert!(err.response.is_some_and(|r| r.starts_with("HTTP/1.1 400")));
    }
}
