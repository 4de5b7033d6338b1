//! Bootstrap standard errors as kmatch `vce(bootstrap)` (docs/spec/estimators.md §10.2):
//! persons are resampled with replacement (plain, unstratified, like Stata's
//! `bootstrap`), the propensity score is re-estimated in every replicate (from
//! the full-sample coefficients, stopping where Stata's `ml` criteria are met,
//! as Stata's own refits do) and the bandwidths are held fixed at their
//! full-sample values. One PS fit per
//! replicate is shared by all requested methods; the ATTs of all methods and
//! outcomes come from one matrix product.
//!
//! Replicate b draws its persons from `ChaCha8Rng::seed_from_u64(seed)` on
//! stream b, so the draws (and results) do not depend on the number of
//! threads. A replicate fails for a method when the PS fit fails or no treated
//! unit is matched; failures are counted (Stata's `reject(e(k_omit))`), and
//! the SE is the SD (divisor B − 1) of the successful replicates.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::effects::{Weighting, att_points};
use super::error::EstimError;
use super::ipw::ipw_weights;
use super::matching::{Donors, MatchingSpec, kernel_match_with};
use super::propensity::{PsModel, PsProblem, PsWorkspace};
use super::units::Units;

/// One ATT method evaluated in every replicate (bandwidth fixed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MethodSpec {
    /// Kernel or ridge matching; `exact` restricts matching to the strata.
    Matching {
        /// Kernel, kind and (fixed) bandwidth.
        spec: MatchingSpec,
        /// Whether to match exactly within [`BootstrapData::strata`].
        exact: bool,
    },
    /// Inverse probability weighting.
    Ipw,
}

/// The sample to resample: covariates and outcomes of all rows, and the rows
/// that form the sample (`sample`; all rows if `None`). Outcomes must be
/// finite on the sample rows.
#[derive(Debug, Clone, Copy)]
pub struct BootstrapData<'a> {
    /// Covariates of the PS model (n × k).
    pub covariates: ArrayView2<'a, f64>,
    /// Covariate names (k).
    pub covariate_names: &'a [String],
    /// Treatment (n).
    pub treat: &'a [bool],
    /// Exact-matching strata (n), used by methods with `exact: true`.
    pub strata: Option<&'a [u32]>,
    /// Outcomes (n × m).
    pub outcomes: ArrayView2<'a, f64>,
    /// Rows in the sample (n); `None` = all rows.
    pub sample: Option<&'a [bool]>,
    /// PS model.
    pub model: PsModel,
    /// Warm start for the PS refits: the full-sample [`super::PsFit::coefficient_vector`].
    pub start: Option<&'a [f64]>,
}

/// Replicate estimates and bootstrap SEs, one entry per method.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapResult {
    /// Number of replicates B.
    pub replicates: usize,
    /// Per method: B × m replicate ATTs (rows of failed replicates are NaN).
    pub estimates: Vec<Array2<f64>>,
    /// Per method: number of failed replicates.
    pub failed: Vec<usize>,
    /// Per method: bootstrap SE of each outcome (NaN with < 2 successes).
    pub se: Vec<Array1<f64>>,
}

/// The sample rows copied into compact arrays once.
struct Compact {
    covariates: Array2<f64>,
    treat: Vec<bool>,
    strata: Option<Vec<u32>>,
    outcomes: Array2<f64>,
}

/// Draw counts (multiplicities) of the `n` sample persons in replicate `replicate`.
pub fn replicate_counts(n: usize, seed: u64, replicate: u64) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(replicate);
    let mut counts = vec![0u32; n];
    for _ in 0..n {
        counts[rng.random_range(0..n)] += 1;
    }
    counts
}

/// Runs `replicates` bootstrap replicates of all `methods` in parallel (rayon;
/// call inside `ThreadPool::install` to choose the pool).
pub fn bootstrap(
    data: &BootstrapData,
    methods: &[MethodSpec],
    replicates: usize,
    seed: u64,
) -> Result<BootstrapResult, EstimError> {
    bootstrap_with(data, methods, replicates, seed, &|| {})
}

/// [`bootstrap`], calling `replicate_done` (from the worker threads) as each replicate finishes,
/// for progress; the results do not depend on it.
pub fn bootstrap_with(
    data: &BootstrapData,
    methods: &[MethodSpec],
    replicates: usize,
    seed: u64,
    replicate_done: &(dyn Fn() + Sync),
) -> Result<BootstrapResult, EstimError> {
    if methods.is_empty() || replicates < 2 {
        return Err(EstimError::InvalidArgument(
            "bootstrap kræver mindst én metode og to replikationer".into(),
        ));
    }
    let needs_strata = methods
        .iter()
        .any(|m| matches!(m, MethodSpec::Matching { exact: true, .. }));
    if needs_strata && data.strata.is_none() {
        return Err(EstimError::InvalidArgument(
            "exact matching requested without strata".into(),
        ));
    }
    for method in methods {
        if let MethodSpec::Matching { spec, .. } = method {
            spec.check()?;
        }
    }
    let compact = compact(data)?;
    let n = compact.treat.len();
    let problem = PsProblem::new(
        compact.covariates.view(),
        data.covariate_names,
        &compact.treat,
        data.model,
    )?;
    let order = problem.column_order();
    let problem = match &order {
        Some(order) => problem.with_order(order),
        None => problem,
    };
    let m = compact.outcomes.ncols();
    let rows: Vec<Vec<f64>> = (0..replicates)
        .into_par_iter()
        .map_init(PsWorkspace::default, |ws, b| {
            let counts = replicate_counts(n, seed, b as u64);
            let atts = replicate(&problem, &compact, methods, data.start, &counts, ws);
            replicate_done();
            atts
        })
        .collect();
    let estimates: Vec<Array2<f64>> = (0..methods.len())
        .map(|t| Array2::from_shape_fn((replicates, m), |(b, j)| rows[b][t * m + j]))
        .collect();
    let failed = estimates
        .iter()
        .map(|e| {
            e.rows()
                .into_iter()
                .filter(|r| r.iter().any(|v| v.is_nan()))
                .count()
        })
        .collect();
    let se = estimates.iter().map(replicate_sd).collect();
    Ok(BootstrapResult {
        replicates,
        estimates,
        failed,
        se,
    })
}

fn compact(data: &BootstrapData) -> Result<Compact, EstimError> {
    let n = data.treat.len();
    let check = |what, got: usize| {
        if got == n {
            Ok(())
        } else {
            Err(EstimError::LengthMismatch {
                what,
                expected: n,
                got,
            })
        }
    };
    check("covariates", data.covariates.nrows())?;
    check("outcomes", data.outcomes.nrows())?;
    if let Some(s) = data.strata {
        check("exact-matching strata", s.len())?;
    }
    if let Some(s) = data.sample {
        check("sample mask", s.len())?;
    }
    let rows: Vec<usize> = (0..n)
        .filter(|&i| data.sample.is_none_or(|s| s[i]))
        .collect();
    if rows.is_empty() {
        return Err(EstimError::EmptySample);
    }
    if let Some(&i) = rows
        .iter()
        .find(|&&i| data.outcomes.row(i).iter().any(|y| !y.is_finite()))
    {
        return Err(EstimError::NonFinite {
            what: "udfaldet",
            row: i,
        });
    }
    Ok(Compact {
        covariates: data.covariates.select(Axis(0), &rows),
        treat: rows.iter().map(|&i| data.treat[i]).collect(),
        strata: data.strata.map(|s| rows.iter().map(|&i| s[i]).collect()),
        outcomes: data.outcomes.select(Axis(0), &rows),
    })
}

/// ATTs of all methods (method-major, m per method) in one replicate; NaN
/// for methods that failed.
fn replicate(
    problem: &PsProblem,
    data: &Compact,
    methods: &[MethodSpec],
    start: Option<&[f64]>,
    counts: &[u32],
    ws: &mut PsWorkspace,
) -> Vec<f64> {
    let m = data.outcomes.ncols();
    let mut out = vec![f64::NAN; methods.len() * m];
    let Ok(scores) = problem.replicate_scores(counts, start, ws) else {
        return out;
    };
    let scores = scores.as_slice().unwrap_or(&[]);
    // The controls sorted by score once per strata choice (pooled, exact), for every method.
    let mut donors: [Option<Donors>; 2] = [None, None];
    let weightings: Vec<Option<Weighting>> = methods
        .iter()
        .map(|method| weigh(method, scores, data, counts, &mut donors))
        .collect();
    let good: Vec<(usize, &Weighting)> = weightings
        .iter()
        .enumerate()
        .filter_map(|(t, w)| w.as_ref().map(|w| (t, w)))
        .collect();
    let Ok(units) = Units::new(&data.treat, Some(counts), None) else {
        return out;
    };
    let refs: Vec<&Weighting> = good.iter().map(|&(_, w)| w).collect();
    if let Ok(atts) = att_points(data.outcomes.view(), &units, &refs) {
        for (col, &(t, _)) in good.iter().enumerate() {
            for j in 0..m {
                out[t * m + j] = atts[[j, col]];
            }
        }
    }
    out
}

/// The weighting of one method, or None if it failed (no matched treated); `donors` keeps the
/// sorted controls of the pooled and the exact-matching units between methods.
fn weigh(
    method: &MethodSpec,
    scores: &[f64],
    data: &Compact,
    counts: &[u32],
    donors: &mut [Option<Donors>; 2],
) -> Option<Weighting> {
    let weighting = match method {
        MethodSpec::Matching { spec, exact } => {
            let strata = if *exact { data.strata.as_deref() } else { None };
            let units = Units::new(&data.treat, Some(counts), strata).ok()?;
            let sorted =
                donors[usize::from(*exact)].get_or_insert_with(|| Donors::new(scores, &units));
            kernel_match_with(scores, &units, spec, sorted).ok()?
        }
        MethodSpec::Ipw => {
            let units = Units::new(&data.treat, Some(counts), None).ok()?;
            ipw_weights(scores, &units).ok()?
        }
    };
    (weighting.n_treated_matched > 0).then_some(weighting)
}

/// SD (divisor B − 1) of each column over the successful (non-NaN) replicates.
fn replicate_sd(estimates: &Array2<f64>) -> Array1<f64> {
    estimates
        .columns()
        .into_iter()
        .map(|column| {
            let ok: Vec<f64> = column.iter().copied().filter(|v| !v.is_nan()).collect();
            if ok.len() < 2 {
                return f64::NAN;
            }
            let mean = ok.iter().sum::<f64>() / ok.len() as f64;
            (ok.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (ok.len() - 1) as f64).sqrt()
        })
        .collect()
}
