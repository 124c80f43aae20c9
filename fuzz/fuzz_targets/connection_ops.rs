#![cfg_attr(fuzzing, no_main)]
mod shim;
use libfuzzer_sys::Corpus;
use websocket_driver_fuzz::operation::{Input, MAX_OPERATIONS};

// A connection driven by operations, its output read by a well-behaved peer.
libfuzzer_sys::fuzz_target!(|input: Input| -> Corpus {
    if input.ops.len() > MAX_OPERATIONS {
        return Corpus::Reject;
    }
    input.run();
    Corpus::Keep
});
shim_main!();
