//! Plain interop tests: our driver (the seed's API through the tokio adapter) against four
//! independent implementations, in both directions (our client with their server, their client
//! with our server): Python `websockets`, Node `ws`, tokio-tungstenite and fastwebsockets.
//!
//! Every peer plays the same script (see [`script`]): it echoes messages and obeys `cmd:` text
//! messages (ping us, send fragments, close with a code, close without one, drop TCP), and
//! reports what it saw (the agreed protocol and extensions, pongs, the close code it received).
//! The Python and Node peers are subprocesses (`peers/python/interop_peer.py`,
//! `peers/node/interop_peer.js`); the Rust peers run in-process. The scenarios in [`scenarios`]
//! are written once and run per peer and direction by the `interop_tests!` macro. Sending a
//! message in fragments, which the seed's API does not do, goes through the sans-IO core
//! ([`sansio`]).
//!
//! A missing Python venv or `node_modules` fails the tests with the command that installs it,
//! unless `WS_INTEROP_SKIP_MISSING=1`, which skips them with a line on stderr.

// First: its `interop_tests!` macro is used by the peer modules below.
#[macro_use]
mod scenarios;

mod fastws;
mod node;
mod ours;
mod peer;
mod process;
mod python;
mod sansio;
mod script;
mod tungstenite;
