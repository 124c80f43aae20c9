#!/usr/bin/env bash
# Fuzz smoke test, for .ci/run: builds every target (on stable through the shim, and with
# cargo-fuzz on nightly), then runs each for a bounded time starting from the committed seeds.
#
#   fuzz/smoke.sh [SECONDS_PER_TARGET]     (default 60)
#
# A crash, panic, broken invariant or single allocation over 64 MB (the entry points configure
# limits of a few KiB, so that is a bug that trusted a length field) fails the script; the panic,
# the reproducer (the input's Debug form) and the failing input in hex are printed, and the input
# stays in fuzz/artifacts/<target>/. Per target it prints one summary line: runs, exec/s and the final
# libFuzzer `cov:` figure.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz: installing the nightly toolchain (cargo-fuzz needs -Z sanitizer flags)"
    rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

echo "fuzz: building the targets on stable (shim main, replays inputs without libFuzzer)"
cargo build --bins --quiet
echo "fuzz: building the targets with cargo-fuzz"
cargo +nightly fuzz build -O

mkdir -p artifacts
failed=0
summary=()
for target in $(cargo +nightly fuzz list); do
    # New inputs go to fuzz/corpus/<target> (ignored by git); the committed seeds are read only.
    mkdir -p "corpus/$target"
    log="artifacts/$target.smoke.log"
    echo "fuzz: $target for ${secs}s"
    if cargo +nightly fuzz run -O "$target" "corpus/$target" "../corpus/fuzz/$target" -- \
        -max_total_time="$secs" -print_final_stats=1 -malloc_limit_mb=64 >"$log" 2>&1; then
        runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | awk '{print $2, $5}')
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
        set -- $runs
        summary+=("$(printf '%-20s runs %-10s exec/s %-8s cov %s' "$target" "$1" "$(( $1 / ($2 > 0 ? $2 : 1) ))" "$cov")")
    else
        failed=1
        echo "::error:: fuzz target $target failed"
        # The panic (or sanitizer report), then cargo-fuzz's reproducer section.
        grep -m1 -A12 -E "panicked at|ERROR: (AddressSanitizer|libFuzzer)" "$log" || tail -n 40 "$log"
        sed -n '/^Failing input:/,/^Minimize test case/p' "$log"
        for input in $(grep -oE "artifacts/$target/[a-z]+-[0-9a-f]{40}" "$log" | sort -u); do
            [ -f "$input" ] || continue
            echo "--- failing input fuzz/$input (hex):"
            od -An -tx1 -v "$input" | head -n 40
            echo "--- replay on stable: cd fuzz && cargo run --bin $target -- $input"
            echo "--- keep it as a regression seed (cargo test replays it):"
            echo "    cp fuzz/$input corpus/fuzz/$target/crash.$(sha1sum "$input" | cut -c1-16).bin"
        done
        summary+=("$(printf '%-20s FAILED (see above)' "$target")")
    fi
done

echo
echo "fuzz summary (${secs}s per target):"
printf '  %s\n' "${summary[@]}"
exit "$failed"
