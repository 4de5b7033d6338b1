//! Small weighted statistics shared by the estimators: moremata's
//! `mm_quantile` definition 2 (= Stata `summarize`) and weighted mean/variance
//! with Stata's frequency-weight divisor (Σw − 1).

/// Weighted quantile, moremata `mm_quantile` definition 2 (Stata `summarize`):
/// sort the values, take cumulative weights R_k and P = q·R; return the first
/// x_k with R_k ≥ P, or (x_k + x_{k+1})/2 if R_k == P exactly and k is not last.
/// `pairs` holds (value, weight) and is sorted in place. Returns NaN when empty.
pub(super) fn quantile_def2(pairs: &mut [(f64, f64)], q: f64) -> f64 {
    if pairs.is_empty() {
        return f64::NAN;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|&(_, w)| w).sum();
    let target = q * total;
    let mut cumulative = 0.0;
    for (k, &(x, w)) in pairs.iter().enumerate() {
        cumulative += w;
        if cumulative >= target {
            return match pairs.get(k + 1) {
                Some(&(next, _)) if cumulative == target => (x + next) / 2.0,
                _ => x,
            };
        }
    }
    pairs[pairs.len() - 1].0
}

/// Weighted mean and variance with divisor Σw − 1 (Stata fweight/normalised
/// aweight convention). Returns (NaN, NaN) without weight, variance NaN if Σw ≤ 1.
pub(super) fn mean_var(values: impl IntoIterator<Item = (f64, f64)>) -> (f64, f64) {
    let values: Vec<(f64, f64)> = values.into_iter().collect();
    let (sw, swx) = values
        .iter()
        .fold((0.0, 0.0), |(sw, swx), (x, w)| (sw + w, swx + w * x));
    if sw == 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = swx / sw;
    let ss: f64 = values
        .iter()
        .map(|&(x, w)| w * (x - mean) * (x - mean))
        .sum();
    let var = if sw > 1.0 { ss / (sw - 1.0) } else { f64::NAN };
    (mean, var)
}
