#!/usr/bin/env bash
# Benchmarks and Monte Carlo of the estimation core (issue 4), all in one run:
#  1. window-based kernel/ridge matching vs a brute-force all-pairs baseline at
#     2,000 / 20,000 / 200,000 controls (tests/suite/estimators_bench.rs);
#  2. B = 1,000 bootstrap of methods (1), (2), (5) on the report's synthetic
#     analysis sample with every outcome (BENCH_B to change B);
#  3. Monte Carlo over MC_REPS (default 50) synthetic seeds with B = MC_B
#     (default 200): bias and bootstrap-interval coverage of methods (1)–(5)
#     against sandhed.json (tests/suite/estimators_synthetic.rs); MC_OUTCOME picks the outcome
#     (default beskaeftigelse; e.g. beskaeftigelse_m0). A regression-adjustment (OLS) reference
#     row separates confounding in the synthetic data from the matching estimators' own bias.
# Usage (from the repository root): bench/estimators.sh [bench|bootstrap|mc|all]
# PROFILE=release uses the release profile; the default is the dev profile,
# whose dependencies are optimised (Cargo.toml).
set -euo pipefail
what="${1:-all}"
flag=()
if [ "${PROFILE:-dev}" = release ]; then flag=(--release); fi
run() { cargo test "${flag[@]}" --quiet --test suite -- --ignored --nocapture --test-threads 1 "$1::$2"; }
if [ "$what" = all ] || [ "$what" = bench ]; then
  echo "== window-based matching vs brute-force all-pairs baseline"
  run estimators_bench matching_against_brute_force
fi
if [ "$what" = all ] || [ "$what" = bootstrap ]; then
  echo "== bootstrap B=${BENCH_B:-1000}, methods (1), (2), (5), report sample, all outcomes"
  run estimators_synthetic bootstrap_timing_on_the_report_sample
fi
if [ "$what" = all ] || [ "$what" = mc ]; then
  echo "== Monte Carlo: ${MC_REPS:-50} synthetic seeds, B=${MC_B:-200}"
  run estimators_synthetic monte_carlo_recovers_the_planted_att
fi
