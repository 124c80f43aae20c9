//! The fuzzing server's TLS (testing a client over `wss://`): a certificate and key from PEM
//! files, as Autobahn's `--cert`/`--key` and spec keys `cert`/`key` take them.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use super::{pem, provider, Stream, TlsError};

/// A certificate chain and key to accept TLS connections with.
#[derive(Clone)]
pub struct ServerTls(TlsAcceptor);

impl ServerTls {
    /// Reads `cert` (the chain, server certificate first) and `key` (PKCS#8, PKCS#1 or SEC1).
    /// Fails if either file is unreadable or holds no PEM of its kind, or if the key does not
    /// fit the certificate.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let chain = pem::certificates(cert, "certificate")?;
        let key = pem::private_key(key)?;
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(TlsError::Config)?;
        // A client that offers ALPN (browsers do) gets HTTP/1.1, which the upgrade is.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self(TlsAcceptor::from(Arc::new(config))))
    }

    /// The TLS handshake with a client that connected from `peer`, within `limit`.
    pub async fn accept(
        &self,
        tcp: TcpStream,
        peer: SocketAddr,
        limit: Duration,
    ) -> Result<Stream, TlsError> {
        match tokio::time::timeout(limit, self.0.accept(tcp)).await {
            Ok(Ok(stream)) => Ok(Stream::Tls(Box::new(tokio_rustls::TlsStream::Server(
                stream,
            )))),
            Ok(Err(e)) => Err(TlsError::from_handshake(peer.to_string(), &e)),
            Err(_) => Err(TlsError::Timeout {
                peer: peer.to_string(),
                secs: limit.as_secs(),
            }),
        }
    }
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ServerTls").finish_non_exhaustive()
    }
}
