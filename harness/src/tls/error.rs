//! What can go wrong with TLS, worded for the person running the harness.

use std::io;
use std::path::PathBuf;

use tokio_rustls::rustls;

/// A TLS setup or handshake error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A certificate, key or CA file could not be read.
    // The reason is in the message and not a `source`, so that `{:#}` does not say it twice.
    #[error("cannot read the {what} file {}: {error}", path.display())]
    File {
        /// `certificate`, `key` or `CA`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// A certificate, key or CA file holds no usable PEM.
    #[error("the {what} file {}: {why}", path.display())]
    Pem {
        /// `certificate`, `key` or `CA`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// rustls refused the configuration (a key that does not match the certificate, say).
    #[error("TLS configuration: {0}")]
    Config(rustls::Error),
    /// The URL's host cannot be a TLS server name.
    #[error("{0:?} is not a valid TLS server name")]
    Name(String),
    /// The server's certificate was rejected by the verifier.
    #[error(
        "TLS handshake with {peer} failed: the server's certificate was rejected: {error}; {}",
        certificate_hint(error)
    )]
    Certificate {
        /// `host:port`.
        peer: String,
        /// rustls' reason (unknown issuer, wrong name, expired...).
        error: rustls::CertificateError,
    },
    /// The handshake failed for another reason (the peer does not speak TLS, an alert, a reset).
    #[error("TLS handshake with {peer} failed: {reason}")]
    Handshake {
        /// `host:port` or the client's address.
        peer: String,
        /// rustls' or the socket's reason.
        reason: String,
    },
    /// The handshake did not finish in time.
    #[error("TLS handshake with {peer} did not finish within {secs} s")]
    Timeout {
        /// `host:port` or the client's address.
        peer: String,
        /// The limit.
        secs: u64,
    },
}

/// What to do about a rejected certificate.
fn certificate_hint(error: &rustls::CertificateError) -> &'static str {
    use rustls::CertificateError as E;
    match error {
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "connect by a name it is made out for (or give the spec's hostname), \
             or skip verification with --insecure"
        }
        _ => "trust its issuer with --ca-file PEM, or skip verification with --insecure",
    }
}

impl TlsError {
    /// Sorts a handshake's `io::Error`: tokio-rustls carries rustls' errors inside it.
    pub(super) fn from_handshake(peer: String, error: &io::Error) -> Self {
        let tls = error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        match tls {
            Some(rustls::Error::InvalidCertificate(error)) => Self::Certificate {
                peer,
                error: error.clone(),
            },
            // What a plain HTTP server's answer to a ClientHello looks like to rustls.
            Some(e @ rustls::Error::InvalidMessage(_)) => Self::Handshake {
                peer,
                reason: format!("{e} (does the peer speak TLS?)"),
            },
            Some(e) => Self::Handshake {
                peer,
                reason: e.to_string(),
            },
            None if error.kind() == io::ErrorKind::UnexpectedEof => Self::Handshake {
                peer,
                reason: "the peer closed the connection (does it speak TLS?)".to_owned(),
            },
            None => Self::Handshake {
                peer,
                reason: error.to_string(),
            },
        }
    }

    /// Whether the error is a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustls_reasons_come_out_of_io_errors() {
        let peer = || "127.0.0.1:1".to_owned();
        let bad = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let e = TlsError::from_handshake(peer(), &bad);
        assert!(matches!(e, TlsError::Certificate { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("rejected: UnknownIssuer; trust its issuer with --ca-file"),
            "{text}"
        );
        assert!(text.contains("--insecure"), "{text}");
        let name = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName),
        );
        let text = TlsError::from_handshake(peer(), &name).to_string();
        assert!(text.contains("made out for"), "{text}");

        let plain = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
        );
        let text = TlsError::from_handshake(peer(), &plain).to_string();
        assert!(text.contains("does the peer speak TLS?"), "{text}");

        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        let text = TlsError::from_handshake(peer(), &eof).to_string();
        assert!(
            text.starts_with("TLS handshake with 127.0.0.1:1 failed: the peer closed"),
            "{text}"
        );
    }
}
