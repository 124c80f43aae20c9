#![cfg_attr(fuzzing, no_main)]
mod shim;
use websocket_driver::fuzzing;

// The incremental validator against std, split at the points the first byte picks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::utf8(data));
shim_main!();
