#!/usr/bin/env bash
# How the full report build grows with the size of the evaluation (issue 16).
#
#   bench/scale.sh            scales 1 and 10
#   bench/scale.sh 1 10 100   any list of scales (100: ~1.5 GB of registers, minutes per build)
#   BIN=path/to/effektrapport bench/scale.sh ...   times that binary (e.g. a baseline build)
#   BOOTSTRAPS="500 0" bench/scale.sh ...          the B values to run (default: 500 and 0)
#
# For each scale, `synth --scale S` writes the synthetic registers (the control population
# times S; the 412 participants stay), then the shipped report is built from them with
# B = 500 bootstrap replicates and with B = 0 (kmatch's analytic standard errors). Printed per
# build: the program's stage times, wall time and peak memory (/usr/bin/time), and the
# estimation time per treated person per replicate (per treated person for B = 0), so
# linear growth shows as a constant last column.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN="${CARGO_TARGET_DIR:-target}/release/effektrapport"
fi
scales=("$@")
[ ${#scales[@]} -eq 0 ] && scales=(1 10)
read -r -a bootstraps <<<"${BOOTSTRAPS:-500 0}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r report "$work/report"
treated=412
printf '%-6s %-5s %12s %12s %10s %12s %s\n' scale B estimation wall "peak MB" "µs/treat/rep" stages
for scale in "${scales[@]}"; do
    data="$work/data-$scale"
    "$BIN" synth --scale "$scale" --out "$data" >/dev/null 2>&1
    for b in "${bootstraps[@]}"; do
        sed "s/^\(  bootstrap:\).*/\1 $b/" report/rapport.yaml >"$work/report/rapport.yaml"
        out="$work/build-$scale-$b"
        log="$work/log-$scale-$b"
        /usr/bin/time -f "TIME %e %M" "$BIN" build --data "$data" --config "$work/report/rapport.yaml" \
            --out "$out" >"$log" 2>&1 || { cat "$log"; exit 1; }
        seconds() { awk -v stage="$1" '$0 ~ "^  " stage " " { print $(NF-1) }' "$log"; }
        estimation=$(seconds estimation)
        read -r wall peak < <(awk '/^TIME/ { print $2, $3 }' "$log")
        per=$(awk -v e="$estimation" -v b="$b" -v t="$treated" \
            'BEGIN { r = (b > 0 ? b : 1); printf "%.1f", e * 1e6 / (t * r) }')
        stages=$(awk '/^  [^ ].* [0-9.]+ s$/ { v = $(NF-1); sub(/^  /, ""); sub(/ +[0-9.]+ s$/, "");
            printf "%s %s; ", $0, v }' "$log")
        printf '%-6s %-5s %11ss %11ss %10d %12s %s\n' "$scale" "$b" "$estimation" "$wall" \
            $((peak / 1024)) "$per" "$stages"
    done
    rm -rf "$data"
done
