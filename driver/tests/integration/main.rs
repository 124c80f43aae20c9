//! Integration tests over real loopback TCP (127.0.0.1, port 0): the seed's API through
//! the tokio adapter, against itself, against hand-written frames, and against
//! tokio-tungstenite in both directions. One test binary, to keep link times down.

mod close;
mod echo;
mod handle;
mod interop;
mod negotiation;
mod support;
