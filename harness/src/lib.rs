//! websocket-harness: a conformance harness for WebSocket implementations.
pub mod case;
pub mod clients;
pub mod diffcmd;
pub mod engine;
pub mod handshake;
pub mod html;
pub mod junit;
pub mod ledger;
pub mod peers;
pub mod report;
pub mod reportcmd;
pub mod runner;
pub mod select;
pub mod selftest;
pub mod spec;
pub mod tls;
pub mod wire;
