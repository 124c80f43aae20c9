//! [`Listen`]: what [`serve`](super::serve) accepts connections on, a bound
//! [`TcpListener`] or an address to bind.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use ::tokio::net::TcpListener;

/// Something to serve on: a [`TcpListener`] already bound (to learn its port before
/// serving, say), or an address such as `"127.0.0.1:5000"` or a [`SocketAddr`].
pub trait Listen {
    /// The listener, bound if it was an address.
    fn listen(self) -> impl Future<Output = io::Result<TcpListener>> + Send;
}

impl Listen for TcpListener {
    async fn listen(self) -> io::Result<Self> {
        Ok(self)
    }
}

impl Listen for SocketAddr {
    async fn listen(self) -> io::Result<TcpListener> {
        TcpListener::bind(self).await
    }
}

impl Listen for &str {
    async fn listen(self) -> io::Result<TcpListener> {
        TcpListener::bind(self).await
    }
}

impl Listen for String {
    async fn listen(self) -> io::Result<TcpListener> {
        TcpListener::bind(self.as_str()).await
    }
}
