//! Node `ws` (pinned in `peers/node/package.json`), through `peers/node/interop_peer.js` with
//! the `node_modules` of `npm ci`.

use crate::peer::{Peer, PeerConfig};
use crate::process::{self, Runtime};

/// The Node peer as a server on a free loopback port.
pub(crate) async fn server(config: &PeerConfig) -> Option<Peer> {
    process::server(Runtime::Node, config).await
}

/// The Node peer as a client of `url`.
pub(crate) async fn client(url: &str, config: &PeerConfig) -> Option<Peer> {
    process::client(Runtime::Node, url, config).await
}

interop_tests!(Node);
