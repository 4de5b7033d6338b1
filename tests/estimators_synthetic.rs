//! The estimation core on the report's synthetic registers (all ignored: they
//! build the registers and the analysis data set through the library, which
//! takes tens of seconds).
//!
//! * `bootstrap_failures_on_the_report_samples` refits the propensity score in
//!   the report's bootstrap replicates (B = 100, `analyse.seed`) and tallies
//!   every failed fit by its error;
//! * `export_synthetic_fixture` writes `tests/fixtures/synthetic.csv`, the
//!   analysis sample pinned by `estimators_reference.rs` against
//!   `tests/reference/kmatch_formulas.R`;
//! * `monte_carlo_recovers_the_planted_att` (bench/estimators.sh) checks that
//!   methods (1)–(5) recover `sandhed.json`'s ATT over many synthetic seeds.

use effektrapport::dataset::{self, AnalysisData};
use effektrapport::estimators::*;
use effektrapport::registers::{self, codes::CodeBook};
use effektrapport::synth::{self, SynthSpec};
use ndarray::Axis;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ANALYSIS_SEED: u64 = synth::DEFAULT_ANALYSIS_SEED;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes the synthetic registers of `seed` into a temporary folder (once) and
/// builds the analysis data set as `src/pipeline.rs` does.
fn analysis_data(seed: u64) -> (AnalysisData, PathBuf) {
    let dir = std::env::temp_dir().join(format!("effektrapport-estimators-synth-{seed}"));
    if !dir.join("sandhed.json").exists() {
        let spec = SynthSpec {
            seed,
            ..SynthSpec::default()
        };
        synth::write(&spec, &dir).expect("synthetic registers");
    }
    let codebook = CodeBook::load(&root().join("report/dream-koder.yaml")).expect("code book");
    let regs = registers::load(&dir, &codebook).expect("registers");
    let data = dataset::build(&regs, &codebook, ANALYSIS_SEED).expect("analysis data");
    (data, dir)
}

/// Main-sample rows of a group (`None` = everybody, `Some(true)` = men).
fn main_rows(data: &AnalysisData, male: Option<bool>) -> Vec<usize> {
    (0..data.len())
        .filter(|&i| data.main_sample[i] && male.is_none_or(|m| data.male[i] == m))
        .collect()
}

fn rows_with_outcome(data: &AnalysisData, rows: &[usize], j: usize) -> Vec<usize> {
    rows.iter()
        .copied()
        .filter(|&i| data.outcomes[[i, j]].is_finite())
        .collect()
}

/// Distinct samples (rows with every outcome of a missingness class) of a group.
fn outcome_classes(data: &AnalysisData, rows: &[usize]) -> BTreeMap<Vec<usize>, Vec<usize>> {
    let mut classes: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for j in 0..data.outcome_names.len() {
        classes
            .entry(rows_with_outcome(data, rows, j))
            .or_default()
            .push(j);
    }
    classes
}

#[test]
#[ignore = "builds the synthetic registers; run with -- --ignored --nocapture"]
fn bootstrap_failures_on_the_report_samples() {
    let (data, _) = analysis_data(synth::DEFAULT_SEED);
    let mut total_failed = 0;
    for (group, male) in [
        ("alle", None),
        ("maend", Some(true)),
        ("kvinder", Some(false)),
    ] {
        let rows = main_rows(&data, male);
        for (sample, columns) in outcome_classes(&data, &rows) {
            if sample.len() < 20 {
                continue;
            }
            let x = data.covariates.select(Axis(0), &sample);
            let treat: Vec<bool> = sample.iter().map(|&i| data.treated[i]).collect();
            let problem =
                PsProblem::new(x.view(), &data.covariate_names, &treat, PsModel::Logit).unwrap();
            let full = problem.fit(None).expect("full-sample fit");
            let start = full.coefficient_vector();
            let mut errors: BTreeMap<String, usize> = BTreeMap::new();
            let mut unconverged = 0;
            let mut ws = PsWorkspace::default();
            for b in 0..100 {
                let counts = replicate_counts(sample.len(), ANALYSIS_SEED, b);
                match problem.fit_from(Some(&counts), Some(&start), &mut ws) {
                    Ok(fit) => unconverged += usize::from(!fit.converged),
                    Err(e) => *errors.entry(e.to_string()).or_default() += 1,
                }
            }
            let failed: usize = errors.values().sum();
            let largest = full
                .coefficients
                .iter()
                .filter(|c| !c.omitted)
                .max_by(|a, b| a.estimate.abs().total_cmp(&b.estimate.abs()))
                .unwrap();
            total_failed += failed;
            println!(
                "{group:8} n={:5} outcomes={:3} full: it={} conv={} sep={:?} largest {} = {:.3} (SE {:.1}) | failed {failed}/100, unconverged {unconverged}: {errors:?}",
                sample.len(),
                columns.len(),
                full.iterations,
                full.converged,
                full.separation,
                largest.name,
                largest.estimate,
                largest.se,
            );
            if columns.len() > 100 {
                println!("    notes: {:?}", full.notes);
            }
        }
    }
    println!("total failed PS fits: {total_failed}");
}
