#!/usr/bin/env bash
# The cost of one bootstrap replicate of `effektrapport estimate` on the Dehejia–Wahba NSW treated
# + CPS controls (185 + 15,992 rows, tests/fixtures/nsw_cps.csv; 12 covariates, ridge matching,
# fixed bandwidth 0.0081, outcomes re78 and u78): the wall time of B = REPS + 2 replicates minus
# that of B = 2, divided by REPS (default 2,000), best of RUNS (default 3) runs.
#
#   bench/nsw.sh                              the current release build
#   BASE=path/to/old/effektrapport bench/nsw.sh   also a baseline binary, in the same run
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
current="${CARGO_TARGET_DIR:-target}/release/effektrapport"
reps="${REPS:-2000}"
runs="${RUNS:-3}"
data=tests/fixtures/nsw_cps.csv
covariates=age,agesq,educ,educsq,marr,nodegree,black,hisp,re74,re75,u74,u75
wall() {
    local bin=$1 b=$2 best=""
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$bin" estimate --data "$data" --treatment treat --covariates "$covariates" \
            --outcomes re78,u78 --method ridge --bandwidth 0.0081 --bootstrap "$b" >/dev/null 2>&1
        t1=$(date +%s.%N)
        best=$(awk -v a="$best" -v t0="$t0" -v t1="$t1" \
            'BEGIN { t = t1 - t0; print (a == "" || t < a) ? t : a }')
    done
    echo "$best"
}
report() {
    local name=$1 bin=$2 small large
    small=$(wall "$bin" 2)
    large=$(wall "$bin" $((reps + 2)))
    awk -v n="$name" -v s="$small" -v l="$large" -v r="$reps" \
        'BEGIN { printf "%-10s B=2 %.2f s, B=%d %.2f s: %.3f ms per replicate\n", n, s, r + 2, l, (l - s) * 1000 / r }'
}
[ -n "${BASE:-}" ] && report baseline "$BASE"
report current "$current"
