#![cfg_attr(fuzzing, no_main)]
mod shim;
use websocket_driver::fuzzing;

// A compressed message (permessage-deflate) in fragments: delivered exactly when zlib inflates it.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzzing::inflate(data);
});
shim_main!();
