//! Support for the fuzz targets: the structured input of `connection_ops`.
//!
//! The invariants live in `websocket_driver::fuzzing`; this crate only adds what needs
//! `arbitrary`, which the driver does not depend on.

pub mod operation;
