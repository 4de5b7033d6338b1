//! Kernel and ridge propensity-score matching weights, ATT direction
//! (docs/spec/estimators.md §5).
//!
//! For a treated unit i with score p_i, the window is the controls j of the
//! same stratum with |p_j − p_i| < h (strict; tested as p_i − p_j < h and
//! p_j − p_i < h). With a_ij = K((p_j − p_i)/h) and multiplicities f:
//! * kernel: w_ij = a_ij / Σ f a;
//! * ridge: w_ij = a_ij/W + a_ij·D_j·d/(S + r·h·|d|) with W = Σ f a,
//!   p̄ = Σ f a p / W, D_j = p_j − p̄, S = Σ f a D², d = p_i − p̄; if all scores
//!   in the window are equal (kmatch: one distinct donor row) the kernel
//!   weights are used.
//!
//! The control weight is mw_j = Σ_i f_i·w_ij. Treated units with an empty
//! window are unmatched and excluded from the ATT (on-support ATT).
//! Controls are sorted by (stratum, score) once, and each treated unit finds
//! its window by binary search, so the cost is O(n log n + Σ window sizes).

use ndarray::Array1;

use super::effects::Weighting;
use super::error::EstimError;
use super::kernel::Kernel;
use super::units::Units;

/// Kernel matching or ridge matching with ridge parameter r.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MatchingKind {
    /// Plain kernel weights normalised per treated unit.
    Kernel,
    /// Ridge matching (Frölich) with ridge parameter `ridge` (kmatch `ridge(#)`).
    Ridge {
        /// The ridge parameter r (kmatch default: [`Kernel::default_ridge`]).
        ridge: f64,
    },
}

/// One kernel/ridge matching method with its bandwidth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchingSpec {
    /// Kernel function.
    pub kernel: Kernel,
    /// Kernel or ridge matching.
    pub kind: MatchingKind,
    /// Bandwidth h (caliper of the strict window).
    pub bandwidth: f64,
}

impl MatchingSpec {
    /// Ridge matching with kmatch's default ridge parameter for `kernel`.
    pub fn ridge(kernel: Kernel, bandwidth: f64) -> Self {
        let kind = MatchingKind::Ridge {
            ridge: kernel.default_ridge(),
        };
        MatchingSpec {
            kernel,
            kind,
            bandwidth,
        }
    }

    /// Checks the bandwidth (positive, finite) and the ridge parameter (≥ 0, finite).
    pub fn check(&self) -> Result<(), EstimError> {
        if !(self.bandwidth > 0.0 && self.bandwidth.is_finite()) {
            return Err(EstimError::InvalidBandwidth(self.bandwidth));
        }
        if let MatchingKind::Ridge { ridge } = self.kind
            && !(ridge >= 0.0 && ridge.is_finite())
        {
            return Err(EstimError::InvalidArgument(format!(
                "ridge-parameteren {ridge} skal være ≥ 0"
            )));
        }
        Ok(())
    }

    /// Plain kernel matching.
    pub fn kernel(kernel: Kernel, bandwidth: f64) -> Self {
        MatchingSpec {
            kernel,
            kind: MatchingKind::Kernel,
            bandwidth,
        }
    }
}

/// Usable controls (weight > 0, finite score) sorted by (stratum, score).
#[derive(Debug)]
pub(super) struct Donors {
    /// Row of each sorted donor.
    pub rows: Vec<usize>,
    /// Score of each sorted donor.
    pub score: Vec<f64>,
    /// Multiplicity of each sorted donor.
    pub freq: Vec<f64>,
    /// (stratum, start, end) of each stratum's slice, sorted by stratum.
    strata: Vec<(u32, usize, usize)>,
}

impl Donors {
    pub fn new(scores: &[f64], units: &Units) -> Self {
        // The sort key (stratum, score, row) packed into one integer whose order is that of
        // the triple (the score's bits mapped as `f64::total_cmp` orders them), so the sort
        // compares integers instead of looking up three arrays; the triple is unique, so an
        // unstable sort gives one order.
        let key = |i: usize| -> u128 {
            let bits = scores[i].to_bits();
            let score = if bits >> 63 == 1 {
                !bits
            } else {
                bits | 1 << 63
            };
            (u128::from(units.stratum(i)) << 96) | (u128::from(score) << 32) | i as u128
        };
        let mut keys: Vec<u128> = Vec::with_capacity(scores.len());
        keys.extend(
            (units.rows())
                .filter(|&i| !units.is_treated(i) && scores[i].is_finite())
                .map(|i| {
                    debug_assert!(u32::try_from(i).is_ok(), "row index fits the key");
                    key(i)
                }),
        );
        keys.sort_unstable();
        let rows: Vec<usize> = keys.iter().map(|&k| (k as u32) as usize).collect();
        let mut strata: Vec<(u32, usize, usize)> = Vec::new();
        for (k, &i) in rows.iter().enumerate() {
            match strata.last_mut() {
                Some(last) if last.0 == units.stratum(i) => last.2 = k + 1,
                _ => strata.push((units.stratum(i), k, k + 1)),
            }
        }
        Donors {
            score: rows.iter().map(|&i| scores[i]).collect(),
            freq: rows.iter().map(|&i| f64::from(units.freq(i))).collect(),
            rows,
            strata,
        }
    }

    /// Number of sorted donors.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The slice [start, end) of donors in stratum `s`, if it has any.
    pub fn stratum(&self, s: u32) -> Option<(usize, usize)> {
        self.strata
            .binary_search_by_key(&s, |&(id, _, _)| id)
            .ok()
            .map(|k| (self.strata[k].1, self.strata[k].2))
    }

    /// Donors within the strict window |p_j − p| < h of stratum slice `range`.
    pub fn window(&self, (start, end): (usize, usize), p: f64, h: f64) -> (usize, usize) {
        let slice = &self.score[start..end];
        // First donor with p − p_j < h (the predicate is false before it).
        let lo = slice.partition_point(|&pj| (p - pj) >= h);
        let hi = lo + slice[lo..].partition_point(|&pj| (pj - p) < h);
        (start + lo, start + hi)
    }

    /// Smallest |p_j − p| in stratum slice `range` (which must be non-empty).
    pub fn nearest_distance(&self, (start, end): (usize, usize), p: f64) -> f64 {
        let slice = &self.score[start..end];
        let pos = slice.partition_point(|&pj| pj < p);
        let below = pos.checked_sub(1).map(|k| (p - slice[k]).abs());
        let above = slice.get(pos).map(|&pj| (pj - p).abs());
        below.into_iter().chain(above).fold(f64::INFINITY, f64::min)
    }
}

/// Treated rows in the sample with a finite score.
pub(super) fn targets<'a>(scores: &'a [f64], units: &'a Units) -> impl Iterator<Item = usize> + 'a {
    units
        .rows()
        .filter(move |&i| units.is_treated(i) && scores[i].is_finite())
}

/// Per-unit weights w_ij of the donors of one window (scores `ps` sorted,
/// multiplicities `fs`), written to `out`.
pub(super) fn window_weights(
    spec: &MatchingSpec,
    p_i: f64,
    ps: &[f64],
    fs: &[f64],
    out: &mut Vec<f64>,
) {
    let h = spec.bandwidth;
    out.clear();
    out.extend(ps.iter().map(|&pj| spec.kernel.weight((pj - p_i) / h)));
    let distinct_scores = ps.first() != ps.last();
    match spec.kind {
        MatchingKind::Ridge { ridge } if distinct_scores => {
            ridge_weights(p_i, ps, fs, h, ridge, out)
        }
        _ => {
            let total: f64 = out.iter().zip(fs).map(|(a, f)| a * f).sum();
            out.iter_mut().for_each(|a| *a /= total);
        }
    }
}

/// Frölich's ridge weights (kmatch `Kmatch_Ridge`), in place on the raw kernel weights: the
/// window's moments in one pass, taken about the treated unit's score p_i (|p − p_i| < h, so
/// nothing cancels), then the weights.
fn ridge_weights(p_i: f64, ps: &[f64], fs: &[f64], h: f64, ridge: f64, a: &mut [f64]) {
    let (mut total, mut first, mut second) = (0.0, 0.0, 0.0);
    for ((&a, &f), &p) in a.iter().zip(fs).zip(ps) {
        let (fa, d) = (f * a, p - p_i);
        total += fa;
        first += fa * d;
        second += fa * d * d;
    }
    let shift = first / total;
    let mean = p_i + shift;
    // Σ f a (p − p̄)² = Σ f a (d − shift)².
    let spread = second - first * shift;
    let d = -shift;
    let factor = d / (spread + ridge * h * d.abs());
    for (w, &p) in a.iter_mut().zip(ps) {
        *w = *w / total + *w * (p - mean) * factor;
    }
}

/// Kernel or ridge matching weights for the ATT (docs/spec/estimators.md §5).
///
/// `scores` has one entry per row (NaN = no score: the unit cannot match or be
/// matched). Strata in `units` restrict matching to the same stratum.
pub fn kernel_match(
    scores: &[f64],
    units: &Units,
    spec: &MatchingSpec,
) -> Result<Weighting, EstimError> {
    units.check_rows("scores", scores.len())?;
    spec.check()?;
    kernel_match_with(scores, units, spec, &Donors::new(scores, units))
}

/// [`kernel_match`] with the sorted donors given (shared by the methods of a bootstrap
/// replicate with the same strata); the arguments are checked by the caller.
pub(super) fn kernel_match_with(
    scores: &[f64],
    units: &Units,
    spec: &MatchingSpec,
    donors: &Donors,
) -> Result<Weighting, EstimError> {
    let mut sorted_weight = vec![0.0; donors.len()];
    let mut used = vec![false; donors.len()];
    let mut treated_matched = vec![false; units.n_rows()];
    let mut w = Vec::new();
    for i in targets(scores, units) {
        let Some(range) = donors.stratum(units.stratum(i)) else {
            continue;
        };
        let (lo, hi) = donors.window(range, scores[i], spec.bandwidth);
        if lo == hi {
            continue;
        }
        window_weights(
            spec,
            scores[i],
            &donors.score[lo..hi],
            &donors.freq[lo..hi],
            &mut w,
        );
        let omega = f64::from(units.freq(i));
        for (k, wk) in (lo..hi).zip(&w) {
            sorted_weight[k] += omega * wk;
            used[k] = true;
        }
        treated_matched[i] = true;
    }
    let mut control_weight = Array1::zeros(units.n_rows());
    let mut control_used = vec![false; units.n_rows()];
    for (k, &row) in donors.rows.iter().enumerate() {
        control_weight[row] = sorted_weight[k];
        control_used[row] = used[k];
    }
    Ok(summarise(
        units,
        Some(spec.bandwidth),
        control_weight,
        control_used,
        treated_matched,
    ))
}

/// Builds a [`Weighting`] with its unit counts.
pub(super) fn summarise(
    units: &Units,
    bandwidth: Option<f64>,
    control_weight: Array1<f64>,
    control_used: Vec<bool>,
    treated_matched: Vec<bool>,
) -> Weighting {
    // One pass over the sample for the four counts.
    let (mut treated, mut matched, mut controls, mut used) = (0, 0, 0, 0);
    for i in units.rows() {
        let f = u64::from(units.freq(i));
        if units.is_treated(i) {
            treated += f;
            matched += if treated_matched[i] { f } else { 0 };
        } else {
            controls += f;
            used += if control_used[i] { f } else { 0 };
        }
    }
    Weighting {
        bandwidth,
        n_treated: treated,
        n_treated_matched: matched,
        n_controls: controls,
        n_controls_used: used,
        control_weight,
        control_used,
        treated_matched,
    }
}
