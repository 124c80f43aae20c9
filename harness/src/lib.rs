//! websocket-harness: a conformance harness for WebSocket implementations.
pub mod report;
pub mod case;
