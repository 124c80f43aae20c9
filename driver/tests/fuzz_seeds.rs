//! Replays every committed fuzz seed (`corpus/fuzz/<target>/*.bin`) through the entry point its
//! fuzz target calls, on stable, so that each seed is a regression test: a crash found by fuzzing
//! is committed as a seed here, and `cargo test` fails until it is fixed.

use std::path::{Path, PathBuf};

use websocket_driver::{fuzzing, Event, Role};

// The structured input of the `connection_ops` target, compiled here from the same source file.
#[allow(dead_code, unreachable_pub)]
#[path = "../../fuzz/src/operation.rs"]
mod operation;

/// The seeds of `target`, sorted; panics if there are none, so a renamed folder cannot pass
/// silently.
fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable folder").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
        .into_iter()
        .map(|path| {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, data)
        })
        .collect()
}

/// Runs `check` on each seed, and reports every seed that panics (not only the first).
fn replay(target: &str, check: impl Fn(&Path, &[u8]) + std::panic::RefUnwindSafe) {
    let failed: Vec<String> = seeds(target)
        .into_iter()
        .filter(|(path, data)| std::panic::catch_unwind(|| check(path, data)).is_err())
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(failed.is_empty(), "seeds that fail: {failed:#?}");
}

/// The close code a hand-made seed's name promises (`violation-...-1002.chunk3.<hash>.bin`).
fn promised_code(path: &Path) -> Option<u16> {
    let name = path.file_name()?.to_str()?;
    let kind = name.split('.').next()?;
    kind.strip_prefix("violation-")?
        .rsplit('-')
        .next()?
        .parse()
        .ok()
}

/// Whether a seed came from fuzzing (`found.*`, `crash.*`) rather than by hand.
fn is_found_or_crash(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.starts_with("found.") || name.starts_with("crash.")
}

/// Frame seeds: the invariants, and for a violation seed, the close code in its name.
fn replay_frames(target: &str, role: Role) {
    replay(target, |path, data| {
        let events = fuzzing::parse_frames(role, data);
        if let Some(code) = promised_code(path) {
            let last = events.iter().rev().take(2).collect::<Vec<_>>();
            assert!(
                matches!(last[..], [Event::Close { code: c, .. }, Event::Error(_)] if *c == code),
                "{}: expected an error and a close with {code}, got {events:?}",
                path.display()
            );
        }
    });
}

#[test]
fn parse_frame_server() {
    replay_frames("parse_frame_server", Role::Server);
}

#[test]
fn parse_frame_client() {
    replay_frames("parse_frame_client", Role::Client);
}

#[test]
fn connection_ops() {
    use arbitrary::{Arbitrary, Unstructured};
    replay("connection_ops", |_, data| {
        // As `libfuzzer_sys::fuzz_target!` decodes it; an input too short to decode is skipped there too.
        if let Ok(input) = operation::Input::arbitrary_take_rest(Unstructured::new(data)) {
            if input.ops.len() <= operation::MAX_OPERATIONS {
                input.run();
            }
        }
    });
}

#[cfg(feature = "deflate")]
#[test]
fn inflate() {
    replay("inflate", |path, data| {
        let events = fuzzing::inflate(data);
        if let Some(code) = promised_code(path) {
            assert!(
                matches!(events.last(), Some(Event::Close { code: c, .. }) if *c == code),
                "{}: expected a close with {code}, got {events:?}",
                path.display()
            );
        } else if !is_found_or_crash(path) {
            // A hand-made seed that breaks no rule: one message.
            assert!(
                matches!(events[..], [Event::Message(_)]),
                "{}: expected one message, got {events:?}",
                path.display()
            );
        }
    });
}

#[test]
fn handshake_request() {
    replay("handshake_request", |_, data| {
        fuzzing::handshake_request(data)
    });
}

#[test]
fn handshake_response() {
    replay("handshake_response", |_, data| {
        fuzzing::handshake_response(data)
    });
}

#[test]
fn utf8() {
    replay("utf8", |_, data| fuzzing::utf8(data));
}
