//! Bandwidth selection for the ATT direction (docs/spec/estimators.md §6).
//!
//! * `pm` (kmatch's default): h = factor × weighted q-quantile (Stata
//!   `summarize` definition) of the non-zero nearest-neighbour score distances
//!   of the treated (within stratum, pooled over strata), plus ε(h) and the
//!   smallest double.
//! * `cv` without an outcome: leave-one-control-out cross-validation of the
//!   mean-PS balance (kmatch `Kmatch_cvs`), multiplied by the large-bandwidth
//!   penalty max(1, (h/σ_p)^0.015), minimised by kmatch's 15-step
//!   up/down/bisection search starting at the pm bandwidth (factor 1.5),
//!   replicated literally including the DOWN-step comparison of M[i−1] with
//!   M[i−2] (§14.6).

use super::error::EstimError;
use super::kernel::Kernel;
use super::matching::{Donors, MatchingKind, MatchingSpec, targets, window_weights};
use super::stats::{mean_var, quantile_def2};
use super::units::Units;

const PM_QUANTILE: f64 = 0.90;
const PM_FACTOR: f64 = 1.5;
const CV_STEPS: usize = 15;
const CV_FACTOR: f64 = 1.5;
const CV_PENALTY_POWER: f64 = 0.015;
/// kmatch switches to direct re-averaging when a weight is this close to 1.
const NEAR_ONE: f64 = 1e-8;

/// Result of the cross-validation search: the chosen bandwidth and the
/// evaluated grid with its (penalised) MISE values (kmatch `e(cv)`).
#[derive(Debug, Clone, PartialEq)]
pub struct CvSearch {
    /// Grid value with the smallest MISE (ties: smaller h; NaN counts as +∞).
    pub bandwidth: f64,
    /// Evaluated bandwidths in search order.
    pub grid: Vec<f64>,
    /// Penalised MISE at each grid value (NaN if undefined).
    pub mise: Vec<f64>,
}

/// kmatch's default pm bandwidth (q = 0.90, factor 1.5).
pub fn pm_bandwidth(scores: &[f64], units: &Units) -> Result<f64, EstimError> {
    pm_bandwidth_with(scores, units, PM_QUANTILE, PM_FACTOR)
}

/// pm bandwidth with quantile `q` in (0, 1] and multiplier `factor`
/// (kmatch `bwidth(pm q factor)`). Returns the smallest double if no treated
/// unit has a positive nearest distance.
pub fn pm_bandwidth_with(
    scores: &[f64],
    units: &Units,
    q: f64,
    factor: f64,
) -> Result<f64, EstimError> {
    units.check_rows("scores", scores.len())?;
    if !(q > 0.0 && q <= 1.0 && factor > 0.0 && factor.is_finite()) {
        return Err(EstimError::InvalidArgument(format!(
            "pm-båndbredden kræver 0 < q ≤ 1 og faktor > 0 (fik q = {q}, faktor = {factor})"
        )));
    }
    let donors = Donors::new(scores, units);
    let distances: Vec<(f64, f64)> = targets(scores, units)
        .filter_map(|i| {
            let range = donors.stratum(units.stratum(i))?;
            Some((
                donors.nearest_distance(range, scores[i]),
                f64::from(units.freq(i)),
            ))
        })
        .collect();
    let h = if q == 1.0 {
        distances.iter().map(|&(d, _)| d).fold(0.0, f64::max) * factor
    } else {
        let mut positive: Vec<(f64, f64)> =
            distances.into_iter().filter(|&(d, _)| d > 0.0).collect();
        if positive.is_empty() {
            0.0
        } else {
            quantile_def2(&mut positive, q) * factor
        }
    };
    Ok(h + h.abs() * f64::EPSILON + f64::MIN_POSITIVE)
}

/// Cross-validated bandwidth (kmatch `bwidth(cv)` without outcome, ATT),
/// using the weights of `kernel`/`kind` (ridge weights for ridge matching).
pub fn cv_bandwidth(
    scores: &[f64],
    units: &Units,
    kernel: Kernel,
    kind: MatchingKind,
) -> Result<CvSearch, EstimError> {
    let start = pm_bandwidth(scores, units)?;
    let criterion = BalanceCv::new(scores, units)?;
    let mut grid = vec![f64::NAN; CV_STEPS];
    let mut mise = vec![f64::NAN; CV_STEPS];
    let mut search = Search::Up;
    for i in 0..CV_STEPS {
        let h = search.next(i, start, &mut grid, &mise);
        grid[i] = h.max(f64::MIN_POSITIVE);
        let spec = MatchingSpec {
            kernel,
            kind,
            bandwidth: h,
        };
        mise[i] = criterion.mise(&spec) * criterion.penalty(h);
    }
    let bandwidth = choose(&grid, &mise);
    Ok(CvSearch {
        bandwidth,
        grid,
        mise,
    })
}

/// State of kmatch's `Kmatch_cv_search` (indices are 0-based here).
enum Search {
    Up,
    Down {
        low: usize,
    },
    Bisect {
        best: usize,
        last: usize,
        low: usize,
    },
}

impl Search {
    /// The bandwidth to evaluate at step `i`, updating the state.
    fn next(&mut self, i: usize, start: f64, grid: &mut [f64], mise: &[f64]) -> f64 {
        if i == 0 {
            return start;
        }
        if i == 1 {
            return grid[0] * CV_FACTOR;
        }
        let improved = less(mise[i - 1], mise[i - 2]);
        match *self {
            Search::Up if improved => grid[i - 1] * CV_FACTOR,
            Search::Up if i == 2 => {
                *self = Search::Down { low: 0 };
                grid[0] / CV_FACTOR
            }
            Search::Up => self.bisect(i, i - 3, grid),
            Search::Down { .. } if improved => grid[i - 1] / CV_FACTOR,
            Search::Down { low } => {
                let low = if low == 0 { 0 } else { i - 3 };
                self.bisect(i, low, grid)
            }
            Search::Bisect { best, last, low } => {
                let (best, last, low) = if less(mise[i - 1], mise[best]) {
                    (i - 1, best, last)
                } else {
                    (best, low, i - 1)
                };
                *self = Search::Bisect { best, last, low };
                (grid[best] + grid[last]) / 2.0
            }
        }
    }

    fn bisect(&mut self, i: usize, low: usize, grid: &[f64]) -> f64 {
        let (best, last) = (i - 2, i - 1);
        *self = Search::Bisect { best, last, low };
        (grid[best] + grid[last]) / 2.0
    }
}

/// `a < b` with NaN (Stata's missing) ordered above every number.
fn less(a: f64, b: f64) -> bool {
    !a.is_nan() && (b.is_nan() || a < b)
}

/// Grid value with the smallest MISE; ties go to the smaller h; NaN = +∞;
/// all NaN → largest grid value.
fn choose(grid: &[f64], mise: &[f64]) -> f64 {
    let finite = grid.iter().zip(mise).filter(|(_, m)| !m.is_nan());
    match finite.min_by(|a, b| a.1.total_cmp(b.1).then(a.0.total_cmp(b.0))) {
        Some((&h, _)) => h,
        None => grid.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// The mean-PS balance criterion of kmatch's `Kmatch_cvs` for one sample.
struct BalanceCv<'a> {
    scores: &'a [f64],
    units: &'a Units<'a>,
    donors: Donors,
    /// Weighted mean score of all treated with a score (M̄).
    treated_mean: f64,
    /// SD of the score over treated and controls (σ_p).
    score_sd: f64,
    /// Rows of the controls in the sample (with or without a score).
    control_rows: Vec<usize>,
}

impl<'a> BalanceCv<'a> {
    fn new(scores: &'a [f64], units: &'a Units<'a>) -> Result<Self, EstimError> {
        units.check_rows("scores", scores.len())?;
        let freq = |i: usize| f64::from(units.freq(i));
        let treated_mean = mean_var(targets(scores, units).map(|i| (scores[i], freq(i)))).0;
        let with_score = units.rows().filter(|&i| scores[i].is_finite());
        let score_sd = mean_var(with_score.map(|i| (scores[i], freq(i)))).1.sqrt();
        let control_rows = units.rows().filter(|&i| !units.is_treated(i)).collect();
        Ok(BalanceCv {
            scores,
            units,
            donors: Donors::new(scores, units),
            treated_mean,
            score_sd,
            control_rows,
        })
    }

    /// Large-bandwidth penalty max(1, (h/σ_p)^0.015).
    fn penalty(&self, h: f64) -> f64 {
        (h / self.score_sd).powf(CV_PENALTY_POWER).max(1.0)
    }

    /// MISE(h) = Σ_j f_j (M̄ − M_{−j})² / Σ_j f_j over all control units.
    fn mise(&self, spec: &MatchingSpec) -> f64 {
        let units = self.units;
        let donors = &self.donors;
        // Per sorted donor: Σ ω Δ (removed from the numerator) and Σ ω of the
        // targets that drop out when the donor is removed (from the denominator).
        let mut removed = vec![0.0; donors.len()];
        let mut dropped = vec![0.0; donors.len()];
        let (mut numerator, mut denominator) = (0.0, 0.0);
        let mut w = Vec::new();
        for i in targets(self.scores, units) {
            let Some(range) = donors.stratum(units.stratum(i)) else {
                continue;
            };
            let (lo, hi) = donors.window(range, self.scores[i], spec.bandwidth);
            if lo == hi {
                continue;
            }
            let (ps, fs) = (&donors.score[lo..hi], &donors.freq[lo..hi]);
            window_weights(spec, self.scores[i], ps, fs, &mut w);
            let matched_mean = weighted_mean(ps, fs, &w, None);
            let omega = f64::from(units.freq(i));
            numerator += omega * matched_mean;
            denominator += omega;
            if hi - lo == 1 && fs[0] == 1.0 {
                dropped[lo] += omega;
                removed[lo] += omega * ps[0];
                continue;
            }
            let near_one = w.iter().any(|&wk| (1.0 - wk).abs() < NEAR_ONE);
            for k in 0..hi - lo {
                let change = if near_one {
                    matched_mean - weighted_mean(ps, fs, &w, Some(k))
                } else {
                    w[k] * (ps[k] - matched_mean) / (1.0 - w[k])
                };
                removed[lo + k] += omega * change;
            }
        }
        let mut sorted_position = vec![None; units.n_rows()];
        for (k, &row) in donors.rows.iter().enumerate() {
            sorted_position[row] = Some(k);
        }
        let (mut sum, mut total) = (0.0, 0.0);
        for &j in &self.control_rows {
            let (r, d) = sorted_position[j].map_or((0.0, 0.0), |k| (removed[k], dropped[k]));
            let loo_mean = (numerator - r) / (denominator - d);
            if loo_mean.is_finite() {
                let f = f64::from(units.freq(j));
                sum += f * (self.treated_mean - loo_mean).powi(2);
                total += f;
            }
        }
        sum / total
    }
}

/// Σ f w p / Σ f w over a window, optionally with one unit of donor `minus` removed.
fn weighted_mean(ps: &[f64], fs: &[f64], w: &[f64], minus: Option<usize>) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for k in 0..ps.len() {
        let f = if minus == Some(k) { fs[k] - 1.0 } else { fs[k] };
        num += ps[k] * w[k] * f;
        den += w[k] * f;
    }
    num / den
}
