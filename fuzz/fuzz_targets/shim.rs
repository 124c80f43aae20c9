//! A `main` for building the targets without libFuzzer (stable, no `--cfg fuzzing`): it runs each
//! file named on the command line, or each file in a named folder, through the target once.

#[cfg(not(fuzzing))]
use std::path::Path;
#[cfg(not(fuzzing))]
use std::{env, fs};

#[cfg(not(fuzzing))]
extern "C" {
    // Defined by `libfuzzer_sys::fuzz_target!`: runs the target on one input.
    #[allow(improper_ctypes)]
    fn rust_fuzzer_test_input(input: &[u8]) -> i32;
}

/// Replays the inputs named by the arguments.
#[cfg(not(fuzzing))]
pub fn main() {
    let mut count = 0usize;
    for arg in env::args_os().skip(1) {
        let path = Path::new(&arg);
        let mut files: Vec<_> = match fs::read_dir(path) {
            Ok(dir) => dir.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => vec![path.to_path_buf()],
        };
        files.sort();
        for file in files {
            let input = fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            eprintln!("replaying {}", file.display());
            // SAFETY: the function is the target's entry point; it takes any byte slice.
            unsafe { rust_fuzzer_test_input(&input) };
            count += 1;
        }
    }
    println!("replayed {count} inputs");
}

/// Defines `main` from the shim unless libFuzzer provides one.
#[macro_export]
macro_rules! shim_main {
    () => {
        #[cfg(not(fuzzing))]
        fn main() {
            shim::main();
        }
    };
}
