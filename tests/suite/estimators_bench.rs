//! Timing of the estimation core (ignored by default). Run in release mode:
//!
//! ```text
//! cargo test --release --test estimators_bench -- --ignored --nocapture
//! ```
//!
//! * `bootstrap_timing`: synthetic data shaped like the report's analysis
//!   sample (2,641 persons, 412 treated, 60 covariates, 12 municipalities,
//!   300 outcome columns), B = 1,000 replicates of ridge, ridge + exact and
//!   IPW, PS re-estimated in every replicate. Goal: ≤ 20 s on 2 cores.
//! * `matching_scales_linearly`: ridge matching with 2,000 vs 200,000 controls.

use std::time::Instant;

use effektrapport::estimators::*;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

const N: usize = 2_641;
const N_TREATED: usize = 412;
const K: usize = 60;
const M: usize = 300;
const STRATA: u32 = 12;

struct Synthetic {
    x: Array2<f64>,
    names: Vec<String>,
    treat: Vec<bool>,
    strata: Vec<u32>,
    y: Array2<f64>,
}

/// 40 standard-normal and 20 binary covariates; treatment for the 412 persons
/// with the highest latent logit index; outcomes = noise + 0.2·treatment.
fn synthetic(seed: u64) -> Synthetic {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((N, K), |(_, j)| {
        if j < 40 {
            rng.sample::<f64, _>(StandardNormal)
        } else {
            f64::from(u8::from(rng.random_bool(0.3)))
        }
    });
    let beta: Vec<f64> = (0..K)
        .map(|j| if j % 3 == 0 { 0.25 } else { 0.05 })
        .collect();
    let index: Vec<f64> = (0..N)
        .map(|i| {
            let u: f64 = rng.random_range(1e-12..1.0);
            (0..K).map(|j| x[[i, j]] * beta[j]).sum::<f64>() + (u / (1.0 - u)).ln()
        })
        .collect();
    let mut order: Vec<usize> = (0..N).collect();
    order.sort_by(|&a, &b| index[b].total_cmp(&index[a]));
    let mut treat = vec![false; N];
    order[..N_TREATED].iter().for_each(|&i| treat[i] = true);
    let strata = (0..N).map(|_| rng.random_range(0..STRATA)).collect();
    let y = Array2::from_shape_fn((N, M), |(i, _)| {
        rng.sample::<f64, _>(StandardNormal) + 0.2 * f64::from(u8::from(treat[i]))
    });
    Synthetic {
        x,
        names: (0..K).map(|j| format!("x{j}")).collect(),
        treat,
        strata,
        y,
    }
}

#[test]
#[ignore = "timing; run with --release -- --ignored --nocapture"]
fn bootstrap_timing() {
    let s = synthetic(1);
    let started = Instant::now();
    let fit = PsProblem::new(s.x.view(), &s.names, &s.treat, PsModel::Logit)
        .unwrap()
        .fit(None)
        .unwrap();
    let p = fit.scores.to_vec();
    let pooled = Units::new(&s.treat, None, None).unwrap();
    let exact = Units::new(&s.treat, None, Some(&s.strata)).unwrap();
    let h = pm_bandwidth(&p, &pooled).unwrap();
    let h_exact = pm_bandwidth(&p, &exact).unwrap();
    let cv = cv_bandwidth(
        &p,
        &exact,
        Kernel::Epan,
        MatchingKind::Ridge {
            ridge: Kernel::Epan.default_ridge(),
        },
    )
    .unwrap();
    println!(
        "full sample: PS fit + pm + cv(exact) in {:.3} s (h = {h:.5}, h_exact = {h_exact:.5}, cv = {:.5})",
        started.elapsed().as_secs_f64(),
        cv.bandwidth
    );
    let methods = [
        MethodSpec::Matching {
            spec: MatchingSpec::ridge(Kernel::Epan, h),
            exact: false,
        },
        MethodSpec::Matching {
            spec: MatchingSpec::ridge(Kernel::Epan, h_exact),
            exact: true,
        },
        MethodSpec::Ipw,
    ];
    let start = fit.coefficient_vector();
    let data = BootstrapData {
        covariates: s.x.view(),
        covariate_names: &s.names,
        treat: &s.treat,
        strata: Some(&s.strata),
        outcomes: s.y.view(),
        sample: None,
        model: PsModel::Logit,
        start: Some(&start),
    };
    let started = Instant::now();
    let result = bootstrap(&data, &methods, 1_000, 42).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "bootstrap B = 1000, n = {N}, k = {K}, m = {M}, 3 methods, {} threads: {seconds:.2} s; failed = {:?}; se[outcome 0] = {:.4} {:.4} {:.4}",
        rayon::current_num_threads(),
        result.failed,
        result.se[0][0],
        result.se[1][0],
        result.se[2][0]
    );
    assert!(result.failed.iter().all(|&f| f < 10));
}

#[test]
#[ignore = "timing; run with --release -- --ignored --nocapture"]
fn matching_scales_linearly() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for n_controls in [2_000usize, 20_000, 200_000] {
        let n = n_controls + 500;
        let treat: Vec<bool> = (0..n).map(|i| i < 500).collect();
        let p: Vec<f64> = (0..n)
            .map(|i| {
                if treat[i] {
                    rng.random_range(0.2..0.8)
                } else {
                    rng.random_range(0.0..1.0)
                }
            })
            .collect();
        let units = Units::new(&treat, None, None).unwrap();
        let started = Instant::now();
        let h = pm_bandwidth(&p, &units).unwrap();
        let w = kernel_match(&p, &units, &MatchingSpec::ridge(Kernel::Epan, h)).unwrap();
        println!(
            "{n_controls:>7} controls: pm + ridge matching {:.4} s (h = {h:.2e}, used {})",
            started.elapsed().as_secs_f64(),
            w.n_controls_used
        );
    }
}

/// Baseline: brute-force all-pairs kernel/ridge matching (every treated unit
/// scans every control; kmatch's formulas, §5), returning the control weights.
fn brute_force_weights(p: &[f64], treat: &[bool], h: f64, ridge: Option<f64>) -> Vec<f64> {
    let controls: Vec<usize> = (0..p.len()).filter(|&j| !treat[j]).collect();
    let mut mw = vec![0.0; p.len()];
    let mut a = Vec::new();
    for i in (0..p.len()).filter(|&i| treat[i]) {
        a.clear();
        for &j in &controls {
            let u = (p[j] - p[i]) / h;
            if (p[i] - p[j]) < h && (p[j] - p[i]) < h {
                a.push((j, 0.75 * (1.0 - u * u)));
            }
        }
        if a.is_empty() {
            continue;
        }
        let w_sum: f64 = a.iter().map(|x| x.1).sum();
        let pbar = a.iter().map(|&(j, w)| w * p[j]).sum::<f64>() / w_sum;
        let s: f64 = a.iter().map(|&(j, w)| w * (p[j] - pbar).powi(2)).sum();
        let d = p[i] - pbar;
        for &(j, w) in &a {
            mw[j] += match ridge {
                Some(r) if a.len() > 1 => w / w_sum + w * (p[j] - pbar) * d / (s + r * h * d.abs()),
                _ => w / w_sum,
            };
        }
    }
    mw
}

/// Window-based matching (the crate) against the brute-force all-pairs
/// baseline, same data and bandwidth, 500 treated and 2,000 / 20,000 /
/// 200,000 controls; the weights must agree.
#[test]
#[ignore = "timing; run with -- --ignored --nocapture (bench/estimators.sh)"]
fn matching_against_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    println!("controls  method  window (s)  brute force (s)  speed-up  max |Δw|");
    for n_controls in [2_000usize, 20_000, 200_000] {
        let n = n_controls + 500;
        let treat: Vec<bool> = (0..n).map(|i| i < 500).collect();
        let p: Vec<f64> = (0..n)
            .map(|i| {
                if treat[i] {
                    rng.random_range(0.2..0.8)
                } else {
                    rng.random_range(0.0..1.0)
                }
            })
            .collect();
        let units = Units::new(&treat, None, None).unwrap();
        // A fixed bandwidth (the pm rule shrinks it with n): 0.02.
        let h = 0.02;
        for (name, spec, ridge) in [
            ("kernel", MatchingSpec::kernel(Kernel::Epan, h), None),
            (
                "ridge",
                MatchingSpec::ridge(Kernel::Epan, h),
                Some(5.0 / 16.0),
            ),
        ] {
            let started = Instant::now();
            let w = kernel_match(&p, &units, &spec).unwrap();
            let window = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let brute = brute_force_weights(&p, &treat, h, ridge);
            let all_pairs = started.elapsed().as_secs_f64();
            let diff = w
                .control_weight
                .iter()
                .zip(&brute)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            println!(
                "{n_controls:>8}  {name:6}  {window:10.4}  {all_pairs:15.4}  {:8.1}  {diff:.1e}",
                all_pairs / window
            );
            assert!(diff < 1e-9);
        }
    }
}
