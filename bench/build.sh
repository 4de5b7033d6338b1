#!/usr/bin/env bash
# Benchmark of the whole report build, as a new user runs it, with its stage breakdown.
#
#   bench/build.sh            cold build (synthetic data generated anew) and a warm rebuild
#
# The warm rebuild (registers already generated) is the baseline the cold build is compared with in
# the same run; the program prints each stage's time. Needs only cargo; /usr/bin/time adds peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/effektrapport
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "wall %e s, peak memory %M KiB")
echo "== cold build (synthetic registers generated, every estimate, figures, PDF)"
"${timer[@]}" "$bin" build --out "$out"
echo "== warm rebuild (same output folder: registers reused)"
"${timer[@]}" "$bin" build --out "$out"
