//! The client's HTTP proxy: a `CONNECT` tunnel (RFC 9110 section 9.3.6) to the WebSocket
//! server, with basic authentication (RFC 7617) from the proxy URL's user and password.
//!
//! The tunnel carries whatever the URL asks for: the upgrade request for `ws://`, TLS (to
//! the server, not to the proxy) for `wss://`.

use ::tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use ::tokio::net::TcpStream;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use percent_encoding::percent_decode_str;

use crate::error::Error;
use crate::handshake::{MAX_HEADERS, MAX_HEAD_BYTES};

/// An HTTP proxy, from [`Options::proxy`](crate::ws::Options::proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Proxy {
    host: String,
    port: u16,
    /// The `Proxy-Authorization` value, when the URL has a user.
    authorization: Option<String>,
}

impl Proxy {
    /// Reads `http://[user[:password]@]host[:port]` (port 80 by default). The user and
    /// password may be percent-encoded, as URLs require for `@`, `:` and `/` in them.
    pub(super) fn parse(url: &str) -> Result<Self, Error> {
        let parsed = url::Url::parse(url)
            .map_err(|e| Error::Proxy(format!("bad proxy url {url:?}: {e}")))?;
        if parsed.scheme() != "http" {
            return Err(Error::Proxy(format!(
                "proxy url scheme {:?}: only http:// proxies are supported",
                parsed.scheme()
            )));
        }
        let host = match parsed.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => return Err(Error::Proxy(format!("no host in the proxy url {url:?}"))),
        };
        let authorization = (!parsed.username().is_empty()).then(|| {
            let user = percent_decode_str(parsed.username()).decode_utf8_lossy();
            let password = percent_decode_str(parsed.password().unwrap_or("")).decode_utf8_lossy();
            format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
        });
        Ok(Self {
            host,
            port: parsed.port_or_known_default().unwrap_or(80),
            authorization,
        })
    }

    /// Connects to the proxy and asks it for a tunnel to `host:port`. Returns the stream
    /// once the proxy answered 2xx; what is written on it then goes to `host:port`.
    pub(super) async fn tunnel(&self, host: &str, port: u16) -> Result<TcpStream, Error> {
        let mut stream = TcpStream::connect((self.host.as_str(), self.port)).await?;
        stream.set_nodelay(true)?;
        stream.write_all(&self.request(host, port)).await?;
        let mut head = Vec::with_capacity(256);
        let mut chunk = [0; 1024];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(Error::Proxy(
                    "the proxy closed the connection before answering".into(),
                ));
            }
            head.extend_from_slice(&chunk[..n]);
            let Some((status, reason, len)) = parse_response(&head)? else {
                continue;
            };
            if !(200..300).contains(&status) {
                return Err(Error::ProxyRefused(status, reason));
            }
            // Both TLS and the upgrade request start with the client, so a proxy that sends
            // more before we do is not tunnelling.
            if head.len() > len {
                return Err(Error::Proxy(
                    "the proxy sent data after its response to CONNECT".into(),
                ));
            }
            return Ok(stream);
        }
    }

    /// The `CONNECT` request for `host:port`.
    fn request(&self, host: &str, port: u16) -> Vec<u8> {
        // An IPv6 address is bracketed in an authority (RFC 3986 section 3.2.2).
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(authorization) = &self.authorization {
            request.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
        }
        request.push_str("\r\n");
        request.into_bytes()
    }
}

/// Parses the proxy's response head: `None` while incomplete, else the status, reason and
/// the head's length. The head is bounded like the WebSocket server's.
fn parse_response(head: &[u8]) -> Result<Option<(u16, String, usize)>, Error> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut slots);
    match response.parse(head) {
        Ok(httparse::Status::Complete(len)) => {
            let status = response.code.unwrap_or(0);
            let reason = response.reason.unwrap_or("").to_owned();
            Ok(Some((status, reason, len)))
        }
        Ok(httparse::Status::Partial) if head.len() < MAX_HEAD_BYTES => Ok(None),
        Ok(httparse::Status::Partial) => Err(Error::Proxy(format!(
            "the proxy's response head is over {MAX_HEAD_BYTES} bytes"
        ))),
        Err(e) => Err(Error::Proxy(format!("malformed proxy response: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    #[test]
    fn reads_host_port_and_credentials() {
        let proxy = Proxy::parse("http://al%40ice:p%3Ass@proxy.example:3128").unwrap();
        assert_eq!((proxy.host.as_str(), proxy.port), ("proxy.example", 3128));
        // base64("al@ice:p:ss")
        assert_eq!(
            proxy.authorization.as_deref(),
            Some("Basic YWxAaWNlOnA6c3M=")
        );
        assert_eq!(
            text(&proxy.request("example.com", 443)),
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
             Proxy-Authorization: Basic YWxAaWNlOnA6c3M=\r\n\r\n"
        );

        let plain = Proxy::parse("http://[::1]").unwrap();
        assert_eq!((plain.host.as_str(), plain.port), ("::1", 80));
        assert_eq!(plain.authorization, None);
        assert_eq!(
            text(&plain.request("::1", 9001)),
            "CONNECT [::1]:9001 HTTP/1.1\r\nHost: [::1]:9001\r\n\r\n"
        );
    }

    #[test]
    fn refuses_unusable_urls() {
        for (url, why) in [
            ("https://p:1", "only http:// proxies"),
            ("socks5://p:1", "only http:// proxies"),
            ("not a url", "bad proxy url"),
        ] {
            let error = Proxy::parse(url).unwrap_err().to_string();
            assert!(error.contains(why), "{url}: {error}");
        }
    }

    #[test]
    fn parses_the_answer_and_bounds_it() {
        assert_eq!(
            parse_response(b"HTTP/1.1 200 Connection est").unwrap(),
            None
        );
        assert_eq!(
            parse_response(b"HTTP/1.1 407 Proxy Authentication Required\r\nA: b\r\n\r\nbody")
                .unwrap(),
            Some((407, "Proxy Authentication Required".into(), 52))
        );
        assert!(parse_response(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        let huge = vec![b'H'; MAX_HEAD_BYTES];
        let mut endless = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        endless.extend_from_slice(&huge);
        assert!(parse_response(&endless).is_err());
    }
}
