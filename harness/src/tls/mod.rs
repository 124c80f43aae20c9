//! TLS for `wss://` in both roles, with rustls and its `ring` provider.
//!
//! Testing a server ([`ClientTls`]): the harness connects with SNI from the URL's host and
//! verifies the certificate against the webpki roots, plus the roots of a CA file
//! (`--ca-file`), or not at all (`--insecure`, for self-signed test peers). Testing a client
//! ([`ServerTls`]): the fuzzing server presents a certificate and key from PEM files
//! (`--tls-cert`/`--tls-key`, or the spec's `cert` and `key`, as Autobahn names them).
//! Either way the case runs on a [`Stream`], plain or TLS, and the engine does not know which.
//!
//! Autobahn's own client verifies nothing unless its spec names a `hostname`; verifying by
//! default is safer, and a self-signed peer needs one flag.

mod client;
mod error;
mod pem;
mod server;
mod stream;
mod verify;

use std::sync::{Arc, OnceLock};

use tokio_rustls::rustls::crypto::{ring, CryptoProvider};

pub use client::{connect, ClientTls};
pub use error::TlsError;
pub use server::ServerTls;
pub use stream::Stream;

/// The ring provider, named explicitly rather than taken from rustls' process default, so
/// that a build that also links aws-lc-rs cannot make configuration building panic.
fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    Arc::clone(PROVIDER.get_or_init(|| Arc::new(ring::default_provider())))
}
