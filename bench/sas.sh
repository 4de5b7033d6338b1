#!/usr/bin/env bash
# Benchmark: reading the registers as SAS datasets against reading them as parquet, at national
# scale, in the same run, with the analysis dataset built from each (its fingerprint must agree).
#
#   bench/sas.sh [SCALE] [DIR]          SCALE default 100; DIR default $CARGO_TARGET_DIR/bench-sas-SCALE
#   PROFILE=release bench/sas.sh 100    (the figures in the README are from the release profile)
#
# 1. `effektrapport synth --scale SCALE` writes the parquet registers into DIR/parquet (kept when
#    they are already there);
# 2. bench/sas-registers.sh writes the same registers as SAS datasets (Windows-1252, DATE9.) into
#    DIR/sas (kept when already there); set SAS_COMPRESS=1 for RLE-compressed files;
# 3. the dataset benchmark (tests/suite/dataset_bench.rs) reads and builds from each folder, printing
#    the time to read the registers, the dataset fingerprint and the peak memory; the script ends
#    with the ratio of the SAS reading time to the parquet one (goal: at most 1.5) and whether
#    the peak stayed within 4 GiB.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-100}"
target="${CARGO_TARGET_DIR:-target}"
dir="${2:-$target/bench-sas-$scale}"
profile="${PROFILE:-dev}"
flag=()
out="$target/debug"
if [ "$profile" = release ]; then flag=(--release); out="$target/release"; fi
cargo build "${flag[@]}" --quiet
test_bin=$(cargo test "${flag[@]}" --test suite --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*suite[^"]*"' | tail -1 | cut -d'"' -f4)
if [ ! -f "$dir/parquet/dream.parquet" ]; then
  echo "== synth --scale $scale → $dir/parquet"
  "$out/effektrapport" synth --out "$dir/parquet" --scale "$scale" 2>&1 | tail -1
fi
if [ ! -f "$dir/sas/dream.sas7bdat" ]; then
  echo "== bench/sas-registers.sh → $dir/sas"
  compress=()
  [ "${SAS_COMPRESS:-0}" = 1 ] && compress=(--compress)
  /usr/bin/time -f "   converted in %e s, peak %M KiB" \
    bench/sas-registers.sh "${compress[@]}" "$dir/parquet" "$dir/sas" >/dev/null
fi
du -sh "$dir/parquet" "$dir/sas"
run() {
  echo "== $1: reading the registers and building the dataset ($profile)"
  EFFEKTRAPPORT_BENCH_DATA="$dir/$1" /usr/bin/time -f "peak %M KiB" \
    "$test_bin" dataset_bench:: --ignored --nocapture --test-threads 1 2>&1 \
    | grep -E "registers read|fingerprint|goal|^peak" | tee "$dir/$1.log"
}
run parquet
run sas
read_s() { grep -o 'registers read [0-9.]*' "$dir/$1.log" | grep -o '[0-9.]*$'; }
peak_kib() { grep -o '^peak [0-9]*' "$dir/$1.log" | grep -o '[0-9]*$'; }
fp() { grep -o 'fingerprint [0-9a-f]*' "$dir/$1.log"; }
p=$(read_s parquet)
s=$(read_s sas)
ratio=$(awk -v s="$s" -v p="$p" 'BEGIN { printf "%.2f", s / p }')
peak=$(peak_kib sas)
echo "== SAS reading $s s against parquet $p s: ratio $ratio (goal ≤ 1.5: $(awk -v r="$ratio" 'BEGIN { print (r <= 1.5) ? "met" : "MISSED" }'))"
echo "== SAS peak $(awk -v k="$peak" 'BEGIN { printf "%.2f GB", k * 1024 / 1e9 }') (goal ≤ 4 GiB: $(awk -v k="$peak" 'BEGIN { print (k <= 4194304) ? "met" : "MISSED" }'))"
if [ "$(fp parquet)" = "$(fp sas)" ]; then
  echo "== same dataset from both: $(fp sas)"
else
  echo "== DIFFERENT datasets: parquet $(fp parquet), sas $(fp sas)"
  exit 1
fi
