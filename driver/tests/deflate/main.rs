//! permessage-deflate through the seed's API: negotiation and bad responses in memory, and
//! interop with Python `websockets` over loopback TCP in both directions.
#![cfg(feature = "deflate")]

mod handshake;
mod python;
mod wire;
