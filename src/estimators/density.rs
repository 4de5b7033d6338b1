//! Kernel densities of the propensity score for treated and controls, before
//! and after matching (the report's `kmatch density` figure; docs/spec/estimators.md §12).
//!
//! Not bit-exact kmatch (which bins the data via `_kdens`/`mm_density`), but
//! the same design: `epan2` kernel 0.75(1 − u²) on |u| < 1; one bandwidth for
//! all four curves, h = 0.9·min(sd, IQR/1.349)·n^(−1/5)·15^(1/5)/(1/(4π))^(1/10)
//! (≈ 1.9925·min(sd, IQR/1.349)·n^(−1/5)) from the pooled raw sample (weights
//! f, IQR from Stata-`summarize` quartiles; sd alone if the IQR is 0); each
//! curve evaluated exactly at 512 equally spaced points between its own
//! minimum and maximum; renormalisation boundary correction on [0, 1] (the
//! kernel mass inside [0, 1] at each point); matched controls weighted by
//! f·mw with negative weights set to 0; matched treated weighted by f.

use super::effects::Weighting;
use super::error::EstimError;
use super::stats::{mean_var, quantile_def2};
use super::units::Units;

const GRID_POINTS: usize = 512;

/// One density curve on its evaluation grid.
#[derive(Debug, Clone, PartialEq)]
pub struct DensityCurve {
    /// Evaluation points (512, equally spaced from the group's min to max).
    pub x: Vec<f64>,
    /// Estimated density at each point.
    pub density: Vec<f64>,
}

/// The four score densities of the report's figure and their common bandwidth.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreDensities {
    /// Kernel bandwidth shared by all curves.
    pub bandwidth: f64,
    /// All treated, before matching.
    pub treated_raw: DensityCurve,
    /// All controls, before matching.
    pub control_raw: DensityCurve,
    /// Matched treated.
    pub treated_matched: DensityCurve,
    /// Controls weighted by their matching weights.
    pub control_matched: DensityCurve,
}

/// Score densities before and after matching under `weighting`.
pub fn score_densities(
    scores: &[f64],
    units: &Units,
    weighting: &Weighting,
) -> Result<ScoreDensities, EstimError> {
    units.check_rows("scores", scores.len())?;
    units.check_rows("weighting", weighting.control_weight.len())?;
    let freq = |i: usize| f64::from(units.freq(i));
    let scored: Vec<usize> = units.rows().filter(|&i| scores[i].is_finite()).collect();
    let group = |keep: &dyn Fn(usize) -> Option<f64>| -> Vec<(f64, f64)> {
        scored
            .iter()
            .filter_map(|&i| keep(i).map(|w| (scores[i], w)))
            .collect()
    };
    let treated_raw = group(&|i| units.is_treated(i).then(|| freq(i)));
    let control_raw = group(&|i| (!units.is_treated(i)).then(|| freq(i)));
    let treated_matched = group(&|i| weighting.treated_matched[i].then(|| freq(i)));
    let control_matched = group(&|i| {
        weighting.control_used[i].then(|| (freq(i) * weighting.control_weight[i]).max(0.0))
    });
    let pooled: Vec<(f64, f64)> = treated_raw.iter().chain(&control_raw).copied().collect();
    let bandwidth = silverman_epan2(&pooled);
    if !(bandwidth > 0.0 && bandwidth.is_finite()) {
        return Err(EstimError::InvalidArgument(
            "tætheden af propensity score: scorerne varierer ikke".into(),
        ));
    }
    Ok(ScoreDensities {
        bandwidth,
        treated_raw: curve(&treated_raw, bandwidth),
        control_raw: curve(&control_raw, bandwidth),
        treated_matched: curve(&treated_matched, bandwidth),
        control_matched: curve(&control_matched, bandwidth),
    })
}

/// Silverman's rule scaled to the epan2 kernel's canonical bandwidth.
fn silverman_epan2(data: &[(f64, f64)]) -> f64 {
    let (_, var) = mean_var(data.iter().copied());
    let n: f64 = data.iter().map(|&(_, w)| w).sum();
    let mut sorted = data.to_vec();
    let iqr = quantile_def2(&mut sorted, 0.75) - quantile_def2(&mut sorted, 0.25);
    let spread = if iqr > 0.0 {
        var.sqrt().min(iqr / 1.349)
    } else {
        var.sqrt()
    };
    let canonical = 15f64.powf(0.2) / (1.0 / (4.0 * std::f64::consts::PI)).powf(0.1);
    0.9 * spread * n.powf(-0.2) * canonical
}

fn epan2_mass_below(u: f64) -> f64 {
    let u = u.clamp(-1.0, 1.0);
    0.75 * (u - u * u * u / 3.0) + 0.5
}

/// Weighted, boundary-renormalised kernel density on the group's own range.
fn curve(data: &[(f64, f64)], h: f64) -> DensityCurve {
    let total: f64 = data.iter().map(|&(_, w)| w).sum();
    if data.is_empty() || total <= 0.0 {
        return DensityCurve {
            x: Vec::new(),
            density: Vec::new(),
        };
    }
    let lo = data.iter().map(|&(x, _)| x).fold(f64::INFINITY, f64::min);
    let hi = data
        .iter()
        .map(|&(x, _)| x)
        .fold(f64::NEG_INFINITY, f64::max);
    let step = (hi - lo) / (GRID_POINTS - 1) as f64;
    let x: Vec<f64> = (0..GRID_POINTS).map(|k| lo + step * k as f64).collect();
    let density = x
        .iter()
        .map(|&at| {
            let sum: f64 = data
                .iter()
                .map(|&(xi, w)| {
                    let u = (at - xi) / h;
                    if u.abs() < 1.0 {
                        w * 0.75 * (1.0 - u * u)
                    } else {
                        0.0
                    }
                })
                .sum();
            let inside = epan2_mass_below((1.0 - at) / h) - epan2_mass_below((0.0 - at) / h);
            sum / (total * h * inside)
        })
        .collect();
    DensityCurve { x, density }
}
