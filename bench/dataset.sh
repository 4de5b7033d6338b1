#!/usr/bin/env bash
# Benchmark: synthetic registers at national scale (`synth --scale X`, default 100) and the
# analysis dataset built on them, each with wall time and peak memory (/usr/bin/time -v).
# Usage: bench/dataset.sh [SCALE] [DIR]   (from the repository root)
# PROFILE=release uses the release profile; the default is the dev profile, whose dependencies
# (polars) are optimised as well (Cargo.toml), so a cold release build is not needed.
# Honours CARGO_TARGET_DIR. The test prints a fingerprint of the dataset: a change of the build
# that keeps every value the same keeps the fingerprint.
set -euo pipefail
scale="${1:-100}"
dir="${2:-${CARGO_TARGET_DIR:-target}/bench-data-$scale}"
profile="${PROFILE:-dev}"
flag=()
target="${CARGO_TARGET_DIR:-target}"
out="$target/debug"
if [ "$profile" = release ]; then flag=(--release); out="$target/release"; fi
cargo build "${flag[@]}" --quiet
test_bin=$(cargo test "${flag[@]}" --test suite --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*suite[^"]*"' | tail -1 | cut -d'"' -f4)
measure() {
  /usr/bin/time -v "$@" 2> >(grep -E "Elapsed \(wall clock\)|Maximum resident set size" >&2)
}
echo "== synth --scale $scale → $dir ($profile)"
rm -rf "$dir"
measure "$out/effektrapport" synth --out "$dir" --scale "$scale"
du -sh "$dir"
echo "== dataset build on $dir ($profile)"
EFFEKTRAPPORT_BENCH_DATA="$dir" measure "$test_bin" dataset_bench:: --ignored --nocapture --test-threads 1
