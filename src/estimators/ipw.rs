//! Inverse probability weighting for the ATT (docs/spec/estimators.md §9, kmatch `ipw`).
//!
//! Units with a score in [0, 1] form the IPW sample. A control gets the raw
//! weight v_j = p_j/(1 − p_j), rescaled so that Σ_C f·mw = Σ_T f (the treated
//! total of the IPW sample); rescaling changes neither the ATT nor the SE.
//! Every treated unit in the IPW sample is "matched"; every control is used.
//! Strata are ignored.

use ndarray::Array1;

use super::effects::Weighting;
use super::error::EstimError;
use super::matching::summarise;
use super::units::Units;

/// IPW ATT weights. A control with score 1 has an infinite weight: error.
pub fn ipw_weights(scores: &[f64], units: &Units) -> Result<Weighting, EstimError> {
    units.check_rows("scores", scores.len())?;
    let in_sample = |i: usize| units.freq(i) > 0 && (0.0..=1.0).contains(&scores[i]);
    let n = units.n_rows();
    let mut raw = Array1::zeros(n);
    for j in (0..n).filter(|&j| in_sample(j) && !units.is_treated(j)) {
        if scores[j] >= 1.0 {
            return Err(EstimError::InvalidArgument(format!(
                "kontrolpersonen i række {j} har propensity score 1: dens IPW-vægt er uendelig"
            )));
        }
        raw[j] = scores[j] / (1.0 - scores[j]);
    }
    let control_used: Vec<bool> = (0..n)
        .map(|j| in_sample(j) && !units.is_treated(j))
        .collect();
    let any_control = control_used.iter().any(|&u| u);
    let treated_matched: Vec<bool> = (0..n)
        .map(|i| any_control && in_sample(i) && units.is_treated(i))
        .collect();
    let freq = |i: usize| f64::from(units.freq(i));
    let treated_total: f64 = (0..n).filter(|&i| treated_matched[i]).map(freq).sum();
    let control_total: f64 = (0..n).map(|j| freq(j) * raw[j]).sum();
    let control_weight = if control_total > 0.0 {
        raw * (treated_total / control_total)
    } else {
        raw
    };
    Ok(summarise(
        units,
        None,
        control_weight,
        control_used,
        treated_matched,
    ))
}
