//! TLS for `wss://` (feature `tls`), with rustls and its `ring` provider: the client's
//! configuration ([`TlsConfig`], webpki roots by default), the server's
//! ([`server_config`], [`server_config_from_pem`]), and the handshakes in both roles with
//! rustls' reason in the error.
//!
//! The provider is named explicitly rather than taken from rustls' process default, so that
//! an application that links another provider (aws-lc-rs) does not make these calls panic.

use std::fmt;
use std::io;
use std::sync::{Arc, OnceLock};

use ::tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::{client, server, TlsAcceptor, TlsConnector};

use crate::error::Error;

use super::insecure::AcceptAnyCertificate;

/// The rustls this module is built on, to name its types (`RootCertStore`, `ClientConfig`,
/// `ServerConfig`, certificates and keys) at the same version.
pub use tokio_rustls::rustls;

/// The rustls configuration a client uses for `wss://`, in
/// [`Options::tls`](crate::ws::Options::tls).
///
/// Two configurations are equal when they are the same `Arc`, since rustls' configuration
/// cannot be compared field by field.
#[derive(Clone)]
pub struct TlsConfig(Arc<ClientConfig>);

impl TlsConfig {
    /// Uses `config` as it is.
    pub fn new(config: Arc<ClientConfig>) -> Self {
        Self(config)
    }

    /// Trusts exactly `roots`, with ALPN `http/1.1` and no client certificate.
    pub fn with_roots(roots: RootCertStore) -> Self {
        Self(Arc::new(client_config(roots)))
    }

    /// The default: the webpki roots (Mozilla's list), built once per process.
    pub fn webpki_roots() -> Self {
        static DEFAULT: OnceLock<Arc<ClientConfig>> = OnceLock::new();
        let config = DEFAULT.get_or_init(|| {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            Arc::new(client_config(roots))
        });
        Self(Arc::clone(config))
    }

    /// The platform's trusted roots (feature `native-roots`): the system store, or the files
    /// named by `SSL_CERT_FILE` and `SSL_CERT_DIR`. Certificates that do not load are
    /// skipped, as browsers do; fails with [`Error::Tls`] only if none loads.
    #[cfg(feature = "native-roots")]
    pub fn native_roots() -> Result<Self, Error> {
        let loaded = rustls_native_certs::load_native_certs();
        let mut roots = RootCertStore::empty();
        // Some stores hold certificates webpki cannot parse; one bad root must not cost all.
        let (_added, _skipped) = roots.add_parsable_certificates(loaded.certs);
        if roots.is_empty() {
            let why = loaded
                .errors
                .first()
                .map_or_else(|| "the store is empty".to_owned(), ToString::to_string);
            return Err(Error::Tls(rustls::Error::General(format!(
                "no platform root certificate: {why}"
            ))));
        }
        Ok(Self::with_roots(roots))
    }

    /// Trusts the certificates in `pem` (a CA file, or a self-signed server's certificate),
    /// and only those. Fails with [`Error::Tls`] if `pem` holds no certificate or one that
    /// cannot be a root.
    pub fn from_ca_pem(pem: &[u8]) -> Result<Self, Error> {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| pem_error("ca", &e))?;
            roots.add(cert).map_err(Error::Tls)?;
        }
        if roots.is_empty() {
            return Err(pem_error("ca", &"no certificate found"));
        }
        Ok(Self::with_roots(roots))
    }

    /// Accepts any server certificate, whoever issued it and whatever name it is for: for
    /// testing against a peer with a throwaway self-signed certificate (`--insecure`), never
    /// for real traffic. The handshake signatures are still checked.
    pub fn insecure() -> Self {
        let mut config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports rustls' default protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider())))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Self(Arc::new(config))
    }

    /// The rustls configuration.
    pub fn config(&self) -> &Arc<ClientConfig> {
        &self.0
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TlsConfig").field(&self.0).finish()
    }
}

impl PartialEq for TlsConfig {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for TlsConfig {}

/// The ring provider, shared by every configuration built here.
fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    Arc::clone(PROVIDER.get_or_init(|| Arc::new(ring::default_provider())))
}

/// A client configuration trusting `roots`. ALPN says `http/1.1` because the upgrade is an
/// HTTP/1.1 request: a server that also speaks h2 must not pick it for this connection.
fn client_config(roots: RootCertStore) -> ClientConfig {
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        // Fails only for a provider without the default versions' cipher suites; ring's
        // default provider has them all, whatever the input.
        .expect("ring supports rustls' default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// A server configuration presenting `cert_chain` (the server's certificate first, then its
/// intermediates) with `key`, for [`serve_tls`](super::serve_tls). ALPN offers `http/1.1`.
///
/// Fails with [`Error::Tls`] if the key is not usable or does not match the certificate.
pub fn server_config(
    cert_chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, Error> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(Error::Tls)?
        .with_no_client_auth()
        .with_single_cert(cert_chain, key)
        .map_err(Error::Tls)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// [`server_config`] from PEM: `cert_pem` holds the chain (server certificate first), and
/// `key_pem` the private key (PKCS#8, PKCS#1 or SEC1), as files such as `cert.pem` and
/// `key.pem` hold them.
pub fn server_config_from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ServerConfig>, Error> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error("certificate", &e))?;
    if chain.is_empty() {
        return Err(pem_error("certificate", &"no certificate found"));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| pem_error("key", &e))?;
    server_config(chain, key)
}

/// A PEM that does not parse, as the rustls error for it.
fn pem_error(what: &str, why: &dyn fmt::Display) -> Error {
    Error::Tls(rustls::Error::General(format!("bad {what} pem: {why}")))
}

/// The client's TLS handshake over `io` (a TCP stream, a proxy's tunnel), with `host` for
/// SNI and for verifying the certificate's name (an IP address is checked against the
/// certificate's IP addresses, and sends no SNI). What [`connect`](super::connect) does
/// for `wss://`; public for clients that bring their own transport.
pub async fn connect<IO>(
    io: IO,
    host: &str,
    config: &TlsConfig,
) -> Result<client::TlsStream<IO>, Error>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| Error::Handshake(format!("{host:?} is not a valid tls server name")))?;
    TlsConnector::from(Arc::clone(&config.0))
        .connect(name, io)
        .await
        .map_err(handshake_error)
}

/// The server's TLS handshake over an accepted `io`, with `config` from [`server_config`].
/// What [`serve_tls`](super::serve_tls) does for each connection.
pub async fn accept<IO>(io: IO, config: &Arc<ServerConfig>) -> Result<server::TlsStream<IO>, Error>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    TlsAcceptor::from(Arc::clone(config))
        .accept(io)
        .await
        .map_err(handshake_error)
}

/// tokio-rustls reports rustls' errors inside an `io::Error`; this takes them back out, so
/// that a rejected certificate and a failed handshake say so. Other I/O errors (the peer
/// closed, a reset) stay [`Error::Io`].
fn handshake_error(error: io::Error) -> Error {
    let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return Error::Io(error);
    };
    match tls {
        rustls::Error::InvalidCertificate(certificate) => Error::Certificate(certificate.clone()),
        other => Error::Tls(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustls_errors_come_out_of_io_errors() {
        let bad = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert!(matches!(
            handshake_error(bad),
            Error::Certificate(rustls::CertificateError::UnknownIssuer)
        ));
        let alert = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure),
        );
        let error = handshake_error(alert);
        assert!(matches!(error, Error::Tls(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            "tls handshake failed: received fatal alert: HandshakeFailure"
        );
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        assert!(matches!(handshake_error(eof), Error::Io(_)));
    }

    #[test]
    fn configurations_compare_by_identity() {
        let a = TlsConfig::webpki_roots();
        assert_eq!(a, TlsConfig::webpki_roots(), "the default is built once");
        assert_ne!(a, TlsConfig::with_roots(RootCertStore::empty()));
        assert_eq!(a.config().alpn_protocols, [b"http/1.1".to_vec()]);
        assert_eq!(
            TlsConfig::insecure().config().alpn_protocols,
            [b"http/1.1".to_vec()]
        );
    }

    #[cfg(feature = "native-roots")]
    #[test]
    fn native_roots_follow_ssl_cert_file_and_dir() {
        // The only test that reads these variables, so changing them here races with none.
        let saved: Vec<_> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
            .into_iter()
            .map(|name| (name, std::env::var_os(name)))
            .collect();
        let dir = std::env::temp_dir().join(format!("wsd-roots-{}", std::process::id()));
        let empty_dir = dir.join("none");
        std::fs::create_dir_all(&empty_dir).unwrap();
        let file = dir.join("ca.pem");
        let ca = rcgen::generate_simple_self_signed(vec!["ca.test".to_owned()]).unwrap();
        std::fs::write(&file, ca.cert.pem()).unwrap();
        std::env::set_var("SSL_CERT_DIR", &empty_dir);

        std::env::set_var("SSL_CERT_FILE", &file);
        let loaded = TlsConfig::native_roots();
        std::fs::write(&file, "").unwrap();
        let none = TlsConfig::native_roots();

        for (name, value) in saved {
            match value {
                Some(value) => std::env::set_var(name, value),
                None => std::env::remove_var(name),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        // rustls shows the number of roots in the verifier's Debug form, and nowhere else.
        let loaded = format!("{:?}", loaded.unwrap().config());
        assert!(loaded.contains("(1 roots)"), "{loaded}");
        let error = none.unwrap_err().to_string();
        assert!(error.contains("no platform root certificate"), "{error}");
    }

    #[test]
    fn a_ca_file_must_hold_a_certificate() {
        let error = TlsConfig::from_ca_pem(b"# nothing\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "tls handshake failed: unexpected error: bad ca pem: no certificate found"
        );
    }

    #[test]
    fn bad_pem_is_a_tls_error() {
        let error = server_config_from_pem(b"", b"").unwrap_err();
        assert_eq!(
            error.to_string(),
            "tls handshake failed: unexpected error: bad certificate pem: no certificate found"
        );
    }
}
