//! websocket-driver: an RFC 6455 WebSocket driver, server and client.
#![deny(missing_docs)]
