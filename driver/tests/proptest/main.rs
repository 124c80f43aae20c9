//! Property tests of the sans-IO core, in the server role and the client role: the invariants that
//! RFC 6455 makes easy to state (frame round trips, chunking invariance, masking, incremental
//! UTF-8, message exchange between two connections, and garbage input). One test binary, built
//! from modules, to keep link times down. Failing cases are kept in `proptest-regressions/`.

mod alloc;
mod chunking;
#[cfg(feature = "deflate")]
mod deflate;
mod frames;
mod garbage;
mod mask;
mod messages;
mod support;
mod utf8;
