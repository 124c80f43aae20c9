//! The harness as a TLS client, for testing a `wss://` server.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use super::verify::AnyCertificate;
use super::{pem, provider, Stream, TlsError};

/// How the harness trusts a `wss://` server. The default verifies the certificate chain
/// against the webpki roots (Mozilla's list) and the name against the URL's host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ClientTls {
    /// A PEM file of further trusted roots (a private CA, or a self-signed server's own
    /// certificate), added to the webpki roots.
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate, whoever issued it and whatever name it is for (the
    /// handshake's signatures are still checked). For self-signed test peers only.
    pub insecure: bool,
    /// The name to send (SNI) and verify instead of the URL's host (Autobahn's `hostname`).
    pub server_name: Option<String>,
}

impl ClientTls {
    /// Builds the configuration once, so that an unreadable CA file is reported before a
    /// run rather than as a failure of every case.
    pub fn check(&self) -> Result<(), TlsError> {
        self.config().map(|_| ())
    }

    /// The rustls configuration, built once per (CA file, insecure) in the process: a run
    /// makes one connection per case, and parsing the roots each time would be waste.
    fn config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        type Cache = Mutex<HashMap<(Option<PathBuf>, bool), Arc<ClientConfig>>>;
        static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
        let key = (self.ca_file.clone(), self.insecure);
        let cache = CACHE.get_or_init(Cache::default);
        if let Some(config) = cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(Arc::clone(config));
        }
        let config = Arc::new(self.build()?);
        cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Arc::clone(&config));
        Ok(config)
    }

    fn build(&self) -> Result<ClientConfig, TlsError> {
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?;
        if self.insecure {
            return Ok(builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider())))
                .with_no_client_auth());
        }
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(path) = &self.ca_file {
            for cert in pem::certificates(path, "CA")? {
                roots.add(cert).map_err(|e| TlsError::Pem {
                    what: "CA",
                    path: path.clone(),
                    why: format!("not a usable root certificate: {e}"),
                })?;
            }
        }
        // No ALPN, as Autobahn's client: the upgrade is HTTP/1.1 whatever the server prefers.
        Ok(builder.with_root_certificates(roots).with_no_client_auth())
    }
}

/// The TLS handshake on `tcp`, connected to `host` (as in the URL; IPv6 in brackets) and
/// `port`, within `limit`. The server name, for SNI and verification, is `host` unless
/// `tls.server_name` says otherwise; an IP address is checked against the certificate's IP
/// addresses and sends no SNI.
pub async fn connect(
    tcp: TcpStream,
    host: &str,
    port: u16,
    tls: &ClientTls,
    limit: Duration,
) -> Result<Stream, TlsError> {
    let peer = format!("{host}:{port}");
    let name = tls.server_name.as_deref().unwrap_or(host);
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    let name =
        ServerName::try_from(name.to_owned()).map_err(|_| TlsError::Name(name.to_owned()))?;
    let connector = TlsConnector::from(tls.config()?);
    match tokio::time::timeout(limit, connector.connect(name, tcp)).await {
        Ok(Ok(stream)) => Ok(Stream::Tls(Box::new(tokio_rustls::TlsStream::Client(
            stream,
        )))),
        Ok(Err(e)) => Err(TlsError::from_handshake(peer, &e)),
        Err(_) => Err(TlsError::Timeout {
            peer,
            secs: limit.as_secs(),
        }),
    }
}
