#![cfg_attr(fuzzing, no_main)]
mod shim;
use websocket_driver::fuzzing;

// A client's request: parsed, answered with a well-formed 101 or refusal.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::handshake_request(data));
shim_main!();
