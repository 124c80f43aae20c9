#![cfg_attr(fuzzing, no_main)]
mod shim;
use websocket_driver::fuzzing;

// A server's response to our client: only a correct 101 is accepted.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::handshake_response(data));
shim_main!();
