//! The estimation core on the report's synthetic registers (all but the CI-sized Monte Carlo
//! ignored: they build the registers and the analysis data set through the library, which
//! takes tens of seconds).
//!
//! * `bootstrap_failures_on_the_report_samples` refits the propensity score in
//!   the report's bootstrap replicates (B = 100, `analyse.seed`) and tallies
//!   every failed fit by its error;
//! * `export_synthetic_fixture` writes `tests/fixtures/synthetic.csv`, the
//!   analysis sample pinned by `estimators_reference.rs` against
//!   `tests/reference/kmatch_formulas.R`;
//! * `monte_carlo_recovers_the_planted_att` (bench/estimators.sh) checks that
//!   methods (1)–(5) recover `sandhed.json`'s ATT over many synthetic seeds;
//!   `monte_carlo_in_ci_recovers_the_planted_att` is its 30-seed version in every `cargo test`.

use effektrapport::dataset::{self, AnalysisData};
use effektrapport::estimators::*;
use effektrapport::registers::{self, codes::CodeBook};
use effektrapport::synth::{self, SynthSpec};
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    let mut regs = registers::load(&dir, &codebook).expect("registers");
    let data = dataset::build(&mut regs, &codebook, ANALYSIS_SEED).expect("analysis data");
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
            let x = data.covariates.rows(&sample);
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

/// The five methods of the report with their full-sample pm bandwidths.
fn report_methods(scores: &[f64], treat: &[bool], strata: &[u32]) -> Vec<MethodSpec> {
    let units = Units::new(treat, None, Some(strata)).unwrap();
    let pooled = units.without_strata();
    let mut methods = Vec::new();
    for kind in [
        MatchingKind::Ridge {
            ridge: Kernel::Epan.default_ridge(),
        },
        MatchingKind::Kernel,
    ] {
        for exact in [false, true] {
            let u = if exact { units } else { pooled };
            let spec = MatchingSpec {
                kernel: Kernel::Epan,
                kind,
                bandwidth: pm_bandwidth(scores, &u).unwrap(),
            };
            methods.push(MethodSpec::Matching { spec, exact });
        }
    }
    methods.push(MethodSpec::Ipw);
    methods
}

/// One follow-up sample of the report: covariates, outcomes, treatment and
/// municipality strata of its rows.
struct SampleData {
    x: ndarray::Array2<f64>,
    y: ndarray::Array2<f64>,
    treat: Vec<bool>,
    strata: Vec<u32>,
}

impl SampleData {
    fn new(data: &AnalysisData, sample: &[usize], columns: &[usize]) -> SampleData {
        SampleData {
            x: data.covariates.rows(sample),
            y: data.outcomes.submatrix(sample, columns),
            treat: sample.iter().map(|&i| data.treated[i]).collect(),
            strata: sample.iter().map(|&i| data.municipality[i]).collect(),
        }
    }

    /// The bootstrap of `methods` with `b` replicates (`analyse.seed`),
    /// refitting the logit from `start` (cold if `None`).
    fn bootstrap(
        &self,
        names: &[String],
        methods: &[MethodSpec],
        b: usize,
        start: Option<&[f64]>,
    ) -> BootstrapResult {
        bootstrap(
            &BootstrapData {
                covariates: self.x.view(),
                covariate_names: names,
                treat: &self.treat,
                strata: Some(&self.strata),
                outcomes: self.y.view(),
                sample: None,
                model: PsModel::Logit,
                start,
            },
            methods,
            b,
            ANALYSIS_SEED,
        )
        .unwrap()
    }
}

#[test]
#[ignore = "builds the synthetic registers; run with -- --ignored --nocapture"]
fn bootstrap_method_failures_on_the_report_samples() {
    let (data, _) = analysis_data(synth::DEFAULT_SEED);
    for (group, male) in [
        ("alle", None),
        ("maend", Some(true)),
        ("kvinder", Some(false)),
    ] {
        let rows = main_rows(&data, male);
        for (sample, columns) in outcome_classes(&data, &rows) {
            let d = SampleData::new(&data, &sample, &columns);
            let (treat, strata) = (&d.treat, &d.strata);
            let problem =
                PsProblem::new(d.x.view(), &data.covariate_names, treat, PsModel::Logit).unwrap();
            let full = problem.fit(None).unwrap();
            let scores = full.scores.to_vec();
            let methods = report_methods(&scores, treat, strata);
            let start = full.coefficient_vector();
            let boot = d.bootstrap(&data.covariate_names, &methods, 100, Some(&start));
            println!(
                "{group:8} n={:5} failed per method {:?}",
                sample.len(),
                boot.failed
            );
            for b in 0..100 {
                let bad: Vec<usize> = (0..methods.len())
                    .filter(|&t| boot.estimates[t].row(b).iter().any(|v| v.is_nan()))
                    .collect();
                if bad.is_empty() {
                    continue;
                }
                let counts = replicate_counts(sample.len(), ANALYSIS_SEED, b as u64);
                let s = problem
                    .replicate_scores(&counts, Some(&start), &mut PsWorkspace::default())
                    .unwrap()
                    .to_vec();
                let units = Units::new(treat, Some(&counts), Some(strata)).unwrap();
                for &t in &bad {
                    let why = match methods[t] {
                        MethodSpec::Matching { spec, exact } => {
                            let u = if exact { units } else { units.without_strata() };
                            kernel_match(&s, &u, &spec).map(|w| {
                                (
                                    w.n_treated_matched,
                                    att_points(d.y.view(), &u, &[&w])
                                        .map(|a| a.iter().filter(|v| v.is_nan()).count()),
                                )
                            })
                        }
                        MethodSpec::Ipw => ipw_weights(&s, &units.without_strata()).map(|w| {
                            (
                                w.n_treated_matched,
                                att_points(d.y.view(), &units, &[&w])
                                    .map(|a| a.iter().filter(|v| v.is_nan()).count()),
                            )
                        }),
                    };
                    let nan_treated = (0..treat.len())
                        .filter(|&i| treat[i] && counts[i] > 0 && s[i].is_nan())
                        .count();
                    println!(
                        "   replicate {b} method {t}: {why:?}; drawn treated with NaN score {nan_treated}"
                    );
                }
            }
        }
    }
}

/// Covariates of the synthetic fixture: a well-posed subset of the report's
/// propensity-score model (the benefit indicators of the week before start,
/// which separate, are left out so that glm's fit is the reference).
pub const FIXTURE_COVARIATES: [&str; 15] = [
    "mand",
    "alder",
    "enlig",
    "boern_0_5",
    "boern_6_11",
    "tyrkiet",
    "afrika",
    "aar_i_dk",
    "asyl",
    "skoleuddannelse",
    "akasse",
    "grad_1m_foer",
    "grad_12m_foer",
    "loen_aar_foer",
    "nulstillende_samtaler",
];
/// Outcomes of the synthetic fixture.
pub const FIXTURE_OUTCOMES: [&str; 2] = ["beskaeftigelse", "beskaeftigelse_m12"];

/// Writes `tests/fixtures/synthetic.csv`: the report's main analysis sample
/// (bundled synthetic registers, seed 2020; persons with both outcomes) with
/// treatment, municipality, the [`FIXTURE_COVARIATES`] and [`FIXTURE_OUTCOMES`].
#[test]
#[ignore = "writes tests/fixtures/synthetic.csv; run with -- --ignored"]
fn export_synthetic_fixture() {
    let (data, _) = analysis_data(synth::DEFAULT_SEED);
    let col = |names: &[String], name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name} not among {names:?}"))
    };
    let xs: Vec<usize> = FIXTURE_COVARIATES
        .iter()
        .map(|n| col(&data.covariate_names, n))
        .collect();
    let ys: Vec<usize> = FIXTURE_OUTCOMES
        .iter()
        .map(|n| col(&data.outcome_names, n))
        .collect();
    let rows: Vec<usize> = main_rows(&data, None)
        .into_iter()
        .filter(|&i| ys.iter().all(|&j| data.outcomes[[i, j]].is_finite()))
        .collect();
    let mut out = String::from("treat,kommune");
    for n in FIXTURE_COVARIATES.iter().chain(&FIXTURE_OUTCOMES) {
        out.push(',');
        out.push_str(n);
    }
    out.push('\n');
    for &i in &rows {
        out.push_str(&format!(
            "{},{}",
            u8::from(data.treated[i]),
            data.municipality[i]
        ));
        for &j in &xs {
            out.push_str(&format!(",{}", data.covariates[[i, j]]));
        }
        for &j in &ys {
            out.push_str(&format!(",{}", data.outcomes[[i, j]]));
        }
        out.push('\n');
    }
    let path = root().join("tests/fixtures/synthetic.csv");
    std::fs::write(&path, out).unwrap();
    println!("{} rows written to {}", rows.len(), path.display());
}

/// One Monte Carlo replication: a synthetic seed's truth, the five methods' ATTs and bootstrap
/// SEs, their failed replicates, and the regression-adjustment reference.
struct Replication {
    truth: f64,
    atts: Vec<f64>,
    se: Vec<f64>,
    failed: Vec<usize>,
    ols: f64,
}

/// Per method (1)–(5) over the replications: bias, its Monte Carlo SE, the SD of the ATTs,
/// the mean bootstrap SE and the share of normal 95% intervals that cover the truth.
struct MethodSummary {
    bias: f64,
    mcse: f64,
    sd_att: f64,
    mean_se: f64,
    coverage: f64,
}

/// Runs methods (1)–(5) on the main sample of `reps` synthetic seeds (from 1,000), outcome
/// `outcome`, logit PS, pm bandwidths, bootstrap SEs with `b` replicates, prints the table and
/// returns the summary per method.
fn monte_carlo(reps: usize, b: usize, outcome: &str) -> Vec<MethodSummary> {
    use rayon::prelude::*;
    let started = std::time::Instant::now();
    let rows: Vec<Replication> = (0..reps as u64)
        .into_par_iter()
        .map(|r| {
            let seed = 1_000 + r;
            let (data, dir) = analysis_data(seed);
            let truth_json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(dir.join("sandhed.json")).unwrap())
                    .unwrap();
            let truth = truth_json["effekter"][outcome]["alle"].as_f64().unwrap();
            let j = data
                .outcome_names
                .iter()
                .position(|n| *n == outcome)
                .unwrap();
            let sample = rows_with_outcome(&data, &main_rows(&data, None), j);
            let x = data.covariates.rows(&sample);
            let y = data.outcomes.submatrix(&sample, &[j]);
            let treat: Vec<bool> = sample.iter().map(|&i| data.treated[i]).collect();
            let strata: Vec<u32> = sample.iter().map(|&i| data.municipality[i]).collect();
            let problem =
                PsProblem::new(x.view(), &data.covariate_names, &treat, PsModel::Logit).unwrap();
            let fit = problem.fit(None).unwrap();
            let scores = fit.scores.to_vec();
            let methods = report_methods(&scores, &treat, &strata);
            let units = Units::new(&treat, None, Some(&strata)).unwrap();
            let atts: Vec<f64> = methods
                .iter()
                .map(|m| {
                    let w = match m {
                        MethodSpec::Matching { spec, exact } => {
                            let u = if *exact {
                                units
                            } else {
                                units.without_strata()
                            };
                            kernel_match(&scores, &u, spec).unwrap()
                        }
                        MethodSpec::Ipw => ipw_weights(&scores, &units.without_strata()).unwrap(),
                    };
                    att_estimates(y.view(), &units, &w).unwrap()[0].att
                })
                .collect();
            let ols = regression_adjustment(x.view(), y.column(0), &treat);
            let start = fit.coefficient_vector();
            let boot = bootstrap(
                &BootstrapData {
                    covariates: x.view(),
                    covariate_names: &data.covariate_names,
                    treat: &treat,
                    strata: Some(&strata),
                    outcomes: y.view(),
                    sample: None,
                    model: PsModel::Logit,
                    start: Some(&start),
                },
                &methods,
                b,
                seed,
            )
            .unwrap();
            let se: Vec<f64> = boot.se.iter().map(|s| s[0]).collect();
            let _ = std::fs::remove_dir_all(&dir);
            println!(
                "seed {seed}: truth {truth:.4} att {:?} se {:?} failed {:?} ({:.0} s)",
                atts.iter().map(|a| format!("{a:.4}")).collect::<Vec<_>>(),
                se.iter().map(|a| format!("{a:.4}")).collect::<Vec<_>>(),
                boot.failed,
                started.elapsed().as_secs_f64()
            );
            Replication {
                truth,
                atts,
                se,
                failed: boot.failed,
                ols,
            }
        })
        .collect();
    let r = rows.len() as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let sd = |v: &[f64]| {
        let m = mean(v);
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)).sqrt()
    };
    println!("\nMonte Carlo: {reps} replications, B = {b}, outcome {outcome}");
    println!(
        "method  mean truth  mean ATT     bias   MC SE(bias)  bias/MCSE  sd(ATT)  mean boot SE  coverage95  failed"
    );
    let mean_truth = mean(&rows.iter().map(|x| x.truth).collect::<Vec<_>>());
    let summaries: Vec<MethodSummary> = (0..5)
        .map(|t| {
            let err: Vec<f64> = rows.iter().map(|x| x.atts[t] - x.truth).collect();
            let atts: Vec<f64> = rows.iter().map(|x| x.atts[t]).collect();
            let covered = rows
                .iter()
                .filter(|x| (x.atts[t] - x.truth).abs() <= 1.959964 * x.se[t])
                .count() as f64
                / r;
            let summary = MethodSummary {
                bias: mean(&err),
                mcse: sd(&err) / r.sqrt(),
                sd_att: sd(&atts),
                mean_se: mean(&rows.iter().map(|x| x.se[t]).collect::<Vec<_>>()),
                coverage: covered,
            };
            let failed: usize = rows.iter().map(|x| x.failed[t]).sum();
            println!(
                "({})     {mean_truth:9.4} {:9.4} {:+9.4} {:11.4} {:+10.2} {:8.4} {:12.4} {:10.1}% {failed:7}",
                t + 1,
                mean(&atts),
                summary.bias,
                summary.mcse,
                summary.bias / summary.mcse,
                summary.sd_att,
                summary.mean_se,
                100.0 * summary.coverage
            );
            summary
        })
        .collect();
    let err: Vec<f64> = rows.iter().map(|x| x.ols - x.truth).collect();
    println!(
        "reference: regression adjustment (OLS of the outcome on the covariates among controls): bias {:+.4} (MC SE {:.4})",
        mean(&err),
        sd(&err) / r.sqrt()
    );
    println!("total {:.0} s", started.elapsed().as_secs_f64());
    summaries
}

/// The Monte Carlo in every `cargo test` (issue 16): 30 synthetic seeds, B = 100, outcome
/// `beskaeftigelse` (planted ATT about 0.068; about 30 s in the dev profile). Each method's bias
/// must lie within 3.5 Monte Carlo SEs of 0 (an MC SE is 0.004–0.007 here, so a systematic error
/// of 1.5–2.5 percentage points fails), at least 23 of the 30 normal 95% bootstrap intervals
/// must cover the truth (fewer has probability below 1e-4 at the nominal 95%), and the mean
/// bootstrap SE must be within a factor 0.6–1.7 of the SD of the ATTs over the seeds (an SE off
/// by a factor of two fails).
#[test]
fn monte_carlo_in_ci_recovers_the_planted_att() {
    for (t, s) in monte_carlo(30, 100, "beskaeftigelse").iter().enumerate() {
        let method = t + 1;
        assert!(
            (s.bias / s.mcse).abs() < 3.5,
            "method ({method}): bias {:+.4} is {:.1} MC SEs from 0",
            s.bias,
            s.bias / s.mcse
        );
        assert!(
            s.coverage >= 23.0 / 30.0,
            "method ({method}): coverage {:.0}%",
            100.0 * s.coverage
        );
        let ratio = s.mean_se / s.sd_att;
        assert!(
            (0.6..=1.7).contains(&ratio),
            "method ({method}): mean bootstrap SE / SD of the ATTs = {ratio:.2}"
        );
    }
}

/// The full Monte Carlo check (issue 4): over `MC_REPS` (default 50) synthetic seeds with
/// B = `MC_B` (default 200) and outcome `MC_OUTCOME` (default `beskaeftigelse`), the bias of
/// methods (1)–(5) against `sandhed.json`'s planted ATT (`effekter.<outcome>.alle`) within 3 MC
/// SEs and the coverage of the normal 95% bootstrap intervals within 90–98%. Run by
/// `bench/estimators.sh`.
#[test]
#[ignore = "Monte Carlo over synthetic registers (minutes); run via bench/estimators.sh"]
fn monte_carlo_recovers_the_planted_att() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let outcome = std::env::var("MC_OUTCOME").unwrap_or_else(|_| "beskaeftigelse".into());
    let summaries = monte_carlo(env("MC_REPS", 50), env("MC_B", 200), &outcome);
    let ok = summaries
        .iter()
        .all(|s| (s.bias / s.mcse).abs() < 3.0 && (0.90..=0.98).contains(&s.coverage));
    assert!(ok, "bias beyond 3 MC SEs or coverage outside 90-98%");
}

/// B = 1,000 bootstrap of methods (1), (2) and (5) on the report's real
/// synthetic analysis sample (main sample, everybody) with every outcome: one
/// bootstrap per group of outcomes with the same follow-up (as the report
/// runs it), PS re-estimated in every replicate. Run by bench/estimators.sh.
#[test]
#[ignore = "timing; run via bench/estimators.sh"]
fn bootstrap_timing_on_the_report_sample() {
    let b = std::env::var("BENCH_B")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let (data, _) = analysis_data(synth::DEFAULT_SEED);
    let rows = main_rows(&data, None);
    let classes = outcome_classes(&data, &rows);
    // Baseline in the same run: every replicate fitted by Newton from the
    // constant-only model (no warm start), with fewer
    // replicates (BENCH_BASELINE_B, default B / 10) since it is slower.
    let baseline_b = std::env::var("BENCH_BASELINE_B")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or((b / 10).max(2));
    let run = |b: usize, warm: bool| {
        let started = std::time::Instant::now();
        let mut failed = [0usize; 3];
        let mut columns_total = 0;
        for (sample, columns) in &classes {
            let d = SampleData::new(&data, sample, columns);
            let problem =
                PsProblem::new(d.x.view(), &data.covariate_names, &d.treat, PsModel::Logit)
                    .unwrap();
            let fit = problem.fit(None).unwrap();
            let all = report_methods(&fit.scores.to_vec(), &d.treat, &d.strata);
            let methods = [all[0], all[1], all[4]];
            let start = fit.coefficient_vector();
            let boot = d.bootstrap(
                &data.covariate_names,
                &methods,
                b,
                warm.then_some(&start[..]),
            );
            for (f, g) in failed.iter_mut().zip(&boot.failed) {
                *f += g;
            }
            columns_total += columns.len();
        }
        (started.elapsed().as_secs_f64(), failed, columns_total)
    };
    let per_replicate = |secs: f64, b: usize| 1e3 * secs / (b as f64 * classes.len() as f64);
    let (base_secs, _, _) = run(baseline_b, false);
    let (secs, failed, columns_total) = run(b, true);
    println!(
        "report sample: {} persons, {} covariates, {columns_total} outcomes in {} follow-up groups; methods (1), (2), (5); {} threads",
        rows.len(),
        data.covariate_names.len(),
        classes.len(),
        rayon::current_num_threads()
    );
    println!(
        "baseline (cold Newton per replicate): B = {baseline_b}: {base_secs:.1} s ({:.2} ms per replicate and group; B = {b} would take {:.0} s)",
        per_replicate(base_secs, baseline_b),
        per_replicate(base_secs, baseline_b) * (b * classes.len()) as f64 / 1e3
    );
    println!(
        "warm-started refits: B = {b}: {secs:.1} s ({:.2} ms per replicate and group); failed replicates {failed:?}",
        per_replicate(secs, b)
    );
}

/// ATT by regression adjustment: OLS of `y` on the covariates (and a constant)
/// among controls, the treated's mean residual. A reference in the Monte Carlo
/// that does not smooth over the score: it separates confounding in the
/// synthetic data from the matching estimators' own bias.
fn regression_adjustment(
    x: ndarray::ArrayView2<f64>,
    y: ndarray::ArrayView1<f64>,
    treat: &[bool],
) -> f64 {
    let design = |rows: &[usize]| {
        nalgebra::DMatrix::from_fn(rows.len(), x.ncols() + 1, |r, c| {
            if c == x.ncols() { 1.0 } else { x[[rows[r], c]] }
        })
    };
    let controls: Vec<usize> = (0..treat.len()).filter(|&i| !treat[i]).collect();
    let treated: Vec<usize> = (0..treat.len()).filter(|&i| treat[i]).collect();
    let yc = nalgebra::DVector::from_iterator(controls.len(), controls.iter().map(|&i| y[i]));
    let beta = design(&controls)
        .svd(true, true)
        .solve(&yc, 1e-10)
        .expect("least squares");
    let fitted = design(&treated) * beta;
    treated
        .iter()
        .zip(fitted.iter())
        .map(|(&i, f)| y[i] - f)
        .sum::<f64>()
        / treated.len() as f64
}
