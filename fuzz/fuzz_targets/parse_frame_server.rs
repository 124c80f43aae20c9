#![cfg_attr(fuzzing, no_main)]
mod shim;
use websocket_driver::{fuzzing, Role};

// Bytes from a peer to a server: chunking invariance, well-formed events and output.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzzing::parse_frames(Role::Server, data);
});
shim_main!();
