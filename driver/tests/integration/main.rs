//! Integration tests over real loopback TCP (127.0.0.1, port 0): the seed's API through
//! the tokio adapter, against itself, against hand-written frames, and against
//! tokio-tungstenite in both directions; over TLS, through a CONNECT proxy, and embedded in
//! hyper and axum (the examples, compiled in). One test binary, to keep link times down.

// The embedding examples, run in-process by `embed`; their `main` is not called here.
#[cfg(feature = "http")]
#[path = "../../examples/axum_echo.rs"]
#[allow(dead_code, unreachable_pub)]
mod axum_echo;
#[cfg(feature = "http")]
#[path = "../../examples/hyper_echo.rs"]
#[allow(dead_code, unreachable_pub)]
mod hyper_echo;

mod close;
mod echo;
#[cfg(feature = "http")]
mod embed;
mod handle;
mod interop;
mod negotiation;
#[cfg(feature = "tls")]
mod proxy;
mod support;
#[cfg(feature = "tls")]
mod tls;
