#!/usr/bin/env bash
# CI for issue 10: the harness over TLS, and the embedding examples under the harness corpus.
#
# 1. Sections 1-10 (301 cases) over wss:// in both roles, every verdict equal to the driver's
#    ledgers: `wsharness test-server wss://` against the driver's TLS echo server (--ca-file
#    with a certificate made by the test), and `wsharness test-client --tls-cert/--tls-key`
#    with the driver's client over wss (the ignored test `full_corpus_over_wss`, in release).
# 2. examples/hyper_echo.rs and examples/axum_echo.rs (permessage-deflate on, WS_DEFLATE=1, as
#    the ledger's driver has it), each started on a free port and tested with
#    `wsharness test-server`, each run diffed against reports/expected/websocket-driver-server.json.
#    hyper_echo runs every case (517); axum_echo leaves out sections 12 and 13 by default
#    (AXUM_EXCLUDE='12.*,13.*'), which take minutes per run and exercise the same code after
#    the upgrade (serve_upgraded, the driver's deflate) as under hyper. HYPER_EXCLUDE and
#    AXUM_EXCLUDE take Autobahn patterns; AXUM_EXCLUDE= runs all 517 under axum too.
#
# Runs from the repository root; every process it starts is stopped by its PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
start=$(date +%s)
step() { printf '\n=== %s (at %ss)\n' "$*" "$(($(date +%s) - start))"; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tls-embed.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    rm -rf "$scratch"
}
trap cleanup EXIT

step "sections 1-10 over wss, both roles, equal to the driver's ledgers"
cargo test --release --locked -p websocket-harness --test tls -- --ignored --nocapture full_corpus_over_wss

step "build wsharness and the hyper and axum examples (release)"
cargo build --release --locked -p websocket-harness
cargo build --release --locked -p websocket-driver --example hyper_echo --example axum_echo
target=${CARGO_TARGET_DIR:-target}
wsharness=$target/release/wsharness
ledger=reports/expected/websocket-driver-server.json
declare -A exclude=([hyper_echo]=${HYPER_EXCLUDE-} [axum_echo]=${AXUM_EXCLUDE-12.*,13.*})

for example in hyper_echo axum_echo; do
    skip=(); [ -n "${exclude[$example]}" ] && skip=(--exclude "${exclude[$example]}")
    step "$example under the corpus (excluding: ${exclude[$example]:-nothing}), diffed against $ledger"
    log=$scratch/$example.out
    WS_DEFLATE=1 "$target/release/examples/$example" 127.0.0.1:0 >"$log" 2>&1 &
    pids+=("$!")
    url=
    for _ in $(seq 1 100); do
        url=$(sed -n 's/^listening on \(ws:\/\/[^ ]*\).*/\1/p' "$log" | head -n 1)
        [ -n "$url" ] && break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "$example did not print its address:" >&2
        cat "$log" >&2
        exit 1
    fi
    t0=$(date +%s)
    "$wsharness" test-server "$url" --agent "$example" "${skip[@]}" --no-progress \
        --out "$scratch/$example"
    echo "$example: test-server took $(($(date +%s) - t0)) s"
    "$wsharness" diff "$ledger" "$scratch/$example/index.json" "${skip[@]}"
    kill "${pids[-1]}" 2>/dev/null || true
done

step "done in $(($(date +%s) - start)) s"
