//! The options shared by [`make_server`](super::make_server) and
//! [`make_client`](super::make_client): the seed's keyword arguments `max-length`,
//! `accept-protocols` and `additional-headers`, plus the protocols a client offers.

use std::time::Duration;

#[cfg(feature = "deflate")]
use crate::ext::deflate::DeflateConfig;

/// The default `max_length`: `#x3ffffff` bytes, as in the seed.
pub const DEFAULT_MAX_LENGTH: usize = 0x3ff_ffff;

/// How long a closing handshake may take before the TCP connection is dropped anyway.
pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Options for a [`Server`](super::Server) or a [`Client`](super::Client).
///
/// Built with chained calls from [`Options::new`] (or `Default`):
///
/// ```
/// use websocket_driver::ws::Options;
/// let options = Options::new()
///     .max_length(1 << 20)
///     .accept_protocols(["chat", "superchat"])
///     .additional_header("Server", "example");
/// assert_eq!(options.max_length, 1 << 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The largest message accepted, in bytes, counted over all its fragments as they
    /// arrive. A bigger message closes the connection with code 1009. Default `0x3ffffff`.
    pub max_length: usize,
    /// Server: the subprotocols this server speaks. The first protocol the client offers
    /// (in the client's order) that is in this list is agreed upon. Default: none.
    pub accept_protocols: Vec<String>,
    /// Client: the subprotocols offered in `Sec-WebSocket-Protocol`, in order of
    /// preference. Default: none.
    pub protocols: Vec<String>,
    /// Extra HTTP headers sent with the handshake (the server's 101 response or the
    /// client's request), in order. Default: none.
    pub additional_headers: Vec<(String, String)>,
    /// How long to wait for the peer's part of the closing handshake before the TCP
    /// connection is dropped. Default 5 s.
    pub close_timeout: Duration,
    /// permessage-deflate (RFC 7692): a client offers it, a server accepts an offer by this
    /// policy. Default: off.
    #[cfg(feature = "deflate")]
    pub deflate: Option<DeflateConfig>,
    /// Client, `wss://`: the TLS configuration (trusted roots, client certificate). Default:
    /// the webpki roots (Mozilla's), SNI on, ALPN `http/1.1`.
    #[cfg(feature = "tls")]
    pub tls: Option<crate::tokio::tls::TlsConfig>,
    /// Client: an HTTP proxy to tunnel through with `CONNECT`, as
    /// `http://[user:password@]host[:port]`; the credentials go in
    /// `Proxy-Authorization: Basic`. Default: none (connect directly).
    pub proxy: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_length: DEFAULT_MAX_LENGTH,
            accept_protocols: Vec::new(),
            protocols: Vec::new(),
            additional_headers: Vec::new(),
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
            #[cfg(feature = "deflate")]
            deflate: None,
            #[cfg(feature = "tls")]
            tls: None,
            proxy: None,
        }
    }
}

impl Options {
    /// The defaults: `max_length` `0x3ffffff`, no protocols, no extra headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the largest message accepted, in bytes.
    #[must_use]
    pub fn max_length(mut self, max_length: usize) -> Self {
        self.max_length = max_length;
        self
    }

    /// Sets the subprotocols a server accepts.
    #[must_use]
    pub fn accept_protocols<I, P>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.accept_protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the subprotocols a client offers, in order of preference.
    #[must_use]
    pub fn protocols<I, P>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Adds one HTTP header to the handshake.
    #[must_use]
    pub fn additional_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.additional_headers.push((name.into(), value.into()));
        self
    }

    /// Sets how long a closing handshake may take.
    #[must_use]
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// Turns permessage-deflate on with `config` (`DeflateConfig::default()` for the defaults).
    #[cfg(feature = "deflate")]
    #[must_use]
    pub fn deflate(mut self, config: DeflateConfig) -> Self {
        self.deflate = Some(config);
        self
    }

    /// Trusts exactly these roots for `wss://` (a self-signed or private CA), instead of the
    /// webpki roots.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls_roots(mut self, roots: tokio_rustls::rustls::RootCertStore) -> Self {
        self.tls = Some(crate::tokio::tls::TlsConfig::with_roots(roots));
        self
    }

    /// Uses this rustls client configuration for `wss://` (client certificates, a custom
    /// verifier); its ALPN and other settings are used as they are.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls_config(
        mut self,
        config: std::sync::Arc<tokio_rustls::rustls::ClientConfig>,
    ) -> Self {
        self.tls = Some(crate::tokio::tls::TlsConfig::new(config));
        self
    }

    /// Uses `tls` for `wss://`: e.g. [`TlsConfig::from_ca_pem`](crate::tokio::tls::TlsConfig::from_ca_pem)
    /// for a CA file, or [`TlsConfig::insecure`](crate::tokio::tls::TlsConfig::insecure) for a test
    /// peer's throwaway certificate.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls(mut self, tls: crate::tokio::tls::TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Connects through the HTTP proxy at `url` (`http://[user:password@]host[:port]`).
    #[must_use]
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_seed() {
        let o = Options::default();
        assert_eq!(o.max_length, 0x3ffffff);
        assert!(o.accept_protocols.is_empty() && o.protocols.is_empty());
        assert!(o.additional_headers.is_empty());
        assert_eq!(o.proxy, None);
    }

    #[test]
    fn builder_sets_every_field() {
        let o = Options::new()
            .max_length(10)
            .accept_protocols(["a", "b"])
            .protocols(vec![String::from("c")])
            .additional_header("X-A", "1")
            .additional_header("X-B", "2")
            .close_timeout(Duration::from_millis(50))
            .proxy("http://p:3128");
        assert_eq!(o.max_length, 10);
        assert_eq!(o.accept_protocols, ["a", "b"]);
        assert_eq!(o.protocols, ["c"]);
        assert_eq!(
            o.additional_headers,
            [("X-A".into(), "1".into()), ("X-B".into(), "2".into())]
        );
        assert_eq!(o.close_timeout, Duration::from_millis(50));
        assert_eq!(o.proxy.as_deref(), Some("http://p:3128"));
    }
}
