#!/usr/bin/env bash
# Adds to the committed seeds of a target the inputs of the local corpus (fuzz/corpus/<target>)
# that reach coverage features the seeds do not (a greedy set cover: few files), named
# found.<hash>.bin. Hand-made seeds are kept as they are.
#
#   fuzz/keep.sh <target>
set -euo pipefail
cd "$(dirname "$0")"
target="$1"
seeds="../corpus/fuzz/$target"
mkdir -p "$seeds" "corpus/$target"
before=$(mktemp)
ls "$seeds" | sort >"$before"
cargo +nightly fuzz run -O "$target" "$seeds" "corpus/$target" -- -set_cover_merge=1 >/dev/null 2>&1 || {
    echo "keep: merge failed for $target" >&2
    exit 1
}
# libFuzzer names merged files by their sha1; give them the <kind>.<hash>.bin form.
for file in $(ls "$seeds" | sort | comm -13 "$before" -); do
    case "$file" in
        *.bin) ;;
        *) mv "$seeds/$file" "$seeds/found.${file:0:16}.bin" ;;
    esac
done
rm -f "$before"
echo "keep: $target has $(ls "$seeds" | wc -l) seeds"
