//! websocket-harness: a conformance harness for WebSocket implementations.
pub mod report;
pub mod case;
pub mod wire;
pub mod handshake;
pub mod select;
pub mod spec;
pub mod ledger;
pub mod diffcmd;
pub mod clients;
pub mod engine;
pub mod html;
pub mod junit;
pub mod reportcmd;
pub mod runner;
pub mod selftest;
