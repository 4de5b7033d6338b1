//! Covariate balance before and after matching (kmatch `summarize`, ATT;
//! docs/spec/estimators.md §11).
//!
//! * Raw moments: all treated and all controls of the sample, weights f.
//! * Matched moments: matched treated with weights f; used controls with
//!   weights f·mw rescaled to sum to Σ f over the used controls.
//! * Means Σ W x / Σ W, variances Σ W (x − m)² / (Σ W − 1).
//! * Standardised difference (m_T − m_C)/√((V_T,raw + V_C,raw)/2), with the raw
//!   denominator before and after; variance ratio V_T/V_C.

use ndarray::ArrayView2;

use super::effects::Weighting;
use super::error::EstimError;
use super::stats::mean_var;
use super::units::Units;

/// Balance statistics of one covariate.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceStats {
    /// Covariate name.
    pub name: String,
    /// Raw treated mean.
    pub mean_treated: f64,
    /// Raw control mean.
    pub mean_control: f64,
    /// Matched treated mean.
    pub mean_treated_matched: f64,
    /// Weighted mean of the used controls.
    pub mean_control_matched: f64,
    /// Raw treated variance.
    pub var_treated: f64,
    /// Raw control variance.
    pub var_control: f64,
    /// Matched treated variance.
    pub var_treated_matched: f64,
    /// Weighted variance of the used controls.
    pub var_control_matched: f64,
    /// Standardised difference before matching.
    pub sdif_before: f64,
    /// Standardised difference after matching (raw pooled denominator).
    pub sdif_after: f64,
    /// Variance ratio treated/control before matching.
    pub vr_before: f64,
    /// Variance ratio treated/control after matching.
    pub vr_after: f64,
}

/// Balance of every covariate column of `x` (n × k) under `weighting`.
pub fn balance(
    x: ArrayView2<f64>,
    names: &[String],
    units: &Units,
    weighting: &Weighting,
) -> Result<Vec<BalanceStats>, EstimError> {
    units.check_rows("covariates", x.nrows())?;
    units.check_rows("weighting", weighting.control_weight.len())?;
    if names.len() != x.ncols() {
        return Err(EstimError::LengthMismatch {
            what: "kovariatnavnene",
            expected: x.ncols(),
            got: names.len(),
        });
    }
    let freq = |i: usize| f64::from(units.freq(i));
    let rows: Vec<usize> = units.rows().collect();
    let treated: Vec<(usize, f64)> = rows
        .iter()
        .filter(|&&i| units.is_treated(i))
        .map(|&i| (i, freq(i)))
        .collect();
    let controls: Vec<(usize, f64)> = rows
        .iter()
        .filter(|&&i| !units.is_treated(i))
        .map(|&i| (i, freq(i)))
        .collect();
    let matched: Vec<(usize, f64)> = treated
        .iter()
        .copied()
        .filter(|&(i, _)| weighting.treated_matched[i])
        .collect();
    let used: Vec<(usize, f64)> = controls
        .iter()
        .filter(|&&(j, _)| weighting.control_used[j])
        .map(|&(j, f)| (j, f * weighting.control_weight[j]))
        .collect();
    let used_units: f64 = controls
        .iter()
        .filter(|&&(j, _)| weighting.control_used[j])
        .map(|&(_, f)| f)
        .sum();
    let used_total: f64 = used.iter().map(|&(_, w)| w).sum();
    let used: Vec<(usize, f64)> = used
        .into_iter()
        .map(|(j, w)| (j, w * used_units / used_total))
        .collect();
    Ok(names
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let moments =
                |group: &[(usize, f64)]| mean_var(group.iter().map(|&(i, w)| (x[[i, c]], w)));
            let (mt, vt) = moments(&treated);
            let (mc, vc) = moments(&controls);
            let (mtm, vtm) = moments(&matched);
            let (mcm, vcm) = moments(&used);
            let pooled_sd = ((vt + vc) / 2.0).sqrt();
            BalanceStats {
                name: name.clone(),
                mean_treated: mt,
                mean_control: mc,
                mean_treated_matched: mtm,
                mean_control_matched: mcm,
                var_treated: vt,
                var_control: vc,
                var_treated_matched: vtm,
                var_control_matched: vcm,
                sdif_before: (mt - mc) / pooled_sd,
                sdif_after: (mtm - mcm) / pooled_sd,
                vr_before: vt / vc,
                vr_after: vtm / vcm,
            }
        })
        .collect())
}

/// Mean |standardised difference| before and after matching over the
/// covariates with a finite value (the averages quoted in the report).
pub fn mean_abs_sdif(stats: &[BalanceStats]) -> (f64, f64) {
    let mean_abs = |values: Vec<f64>| {
        let finite: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        finite.iter().map(|v| v.abs()).sum::<f64>() / finite.len() as f64
    };
    (
        mean_abs(stats.iter().map(|s| s.sdif_before).collect()),
        mean_abs(stats.iter().map(|s| s.sdif_after).collect()),
    )
}
