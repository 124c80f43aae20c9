//! Python `websockets` (pinned in `peers/python/requirements.txt`), through
//! `peers/python/interop_peer.py` in the repository's `.venv`.

use crate::peer::{Peer, PeerConfig};
use crate::process::{self, Runtime};

/// The Python peer as a server on a free loopback port.
pub(crate) async fn server(config: &PeerConfig) -> Option<Peer> {
    process::server(Runtime::Python, config).await
}

/// The Python peer as a client of `url`.
pub(crate) async fn client(url: &str, config: &PeerConfig) -> Option<Peer> {
    process::client(Runtime::Python, url, config).await
}

interop_tests!(Python);
