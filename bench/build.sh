#!/usr/bin/env bash
# Benchmark of the whole report build, as a new user runs it, with its stage breakdown, and of the
# rebuilds the results cache is for.
#
#   bench/build.sh                        builds the release binary, then times the builds below
#   BIN=path/to/effektrapport bench/build.sh   times that binary instead
#
# On a copy of report/ (the shipped config, B = 500) in a temporary folder:
#   1. cold build: synthetic registers generated, every part estimated, figures, PDF
#   2. rebuild with nothing changed: every part from the cache
#   3. prose-only rebuild: a sentence appended to a chapter (nothing estimated)
#   4. one analysis changed: Tabel 5.4's kernel uniform → epan (only that analysis estimated)
# The program prints each stage's time and which parts it computed; /usr/bin/time adds wall time
# and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN="${CARGO_TARGET_DIR:-target}/release/effektrapport"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r report "$work/report"
config="$work/report/rapport.yaml"
out="$work/build"
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "wall %e s, peak memory %M KiB")
build() {
    "${timer[@]}" "$BIN" build --config "$config" --out "$out" 2>&1 | grep -v '^  bemærk:'
}
echo "== 1. cold build (synthetic registers generated, every estimate, figures, PDF)"
build
echo "== 2. rebuild, nothing changed"
build
echo "== 3. prose-only rebuild (a sentence appended to kapitler/resume.md)"
echo "Denne sætning er tilføjet af bench/build.sh." >>"$work/report/kapitler/resume.md"
build
echo "== 4. one analysis changed (Tabel 5.4: kerne uniform → epan)"
grep -q 'kerne: uniform' "$config"
sed -i 's/kerne: uniform/kerne: epan/' "$config"
build
