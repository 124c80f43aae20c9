#!/usr/bin/env bash
# Builds the benchmarks without timing them (timings on a shared CI runner mean nothing):
# the driver's micro-benchmarks (driver/benches, divan), the bench echo servers (bench/, its own
# workspace) and the load generator (`wsharness bench`, in the harness). The measured runs are
# `bench/run` on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo bench -p websocket-driver --bench micro --no-run --locked
cargo build --release --locked --manifest-path bench/Cargo.toml
cargo clippy --locked --manifest-path bench/Cargo.toml --all-targets -- -D warnings
cargo fmt --manifest-path bench/Cargo.toml -- --check
bash -n bench/run
python3 -c "import ast; ast.parse(open('bench/summarize.py').read())"
# The load generator's smoke test: a short run against our echo server, every echo checked.
cargo build --release --locked -p websocket-harness
bench/target/release/driver_echo 0 >/tmp/bench-build-echo.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening on" /tmp/bench-build-echo.log && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' /tmp/bench-build-echo.log)
target/release/wsharness bench "$url" -c 4 -d 4 -s 1KiB --warmup 0.1 --messages 2000 --server-pid "$pid"
