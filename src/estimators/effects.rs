//! Treatment effects from a weighting (docs/spec/estimators.md §8, §10.1): the ATT, the
//! treated and counterfactual means, kmatch's analytic influence-function
//! standard error (weights treated as fixed, no adjustment variables), and
//! p-values and significance stars.
//!
//! For outcome Y:
//! * ATT = ȳ1 − ȳ0w with ȳ1 = Σ f Y / Σ f over matched treated and
//!   ȳ0w = Σ f·mw·Y / Σ f·mw over controls;
//! * IF_i = M_i T_i (Y_i − ȳ1)/N1 − mw_i C_i (Y_i − ȳ0w)/W0, and
//!   V = n/(n−1)·Σ f (IF − mean IF)² over all n sample units (matched or not).

use ndarray::{Array1, Array2, ArrayView2};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::error::EstimError;
use super::units::Units;

/// ATT weights of one method on one sample, from matching or IPW.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighting {
    /// Bandwidth used (None for IPW).
    pub bandwidth: Option<f64>,
    /// Per-unit control weight mw_j (kmatch `_KM_mw`); 0 for treated, unused
    /// and out-of-sample rows. A row of multiplicity f contributes f·mw_j.
    pub control_weight: Array1<f64>,
    /// Whether the control row is used as a match (kmatch nm_j > 0).
    pub control_used: Vec<bool>,
    /// Whether the treated row is matched (kmatch nc_i > 0) and enters the ATT.
    pub treated_matched: Vec<bool>,
    /// Treated units in the sample (sum of multiplicities).
    pub n_treated: u64,
    /// Matched treated units.
    pub n_treated_matched: u64,
    /// Control units in the sample.
    pub n_controls: u64,
    /// Control units used as matches.
    pub n_controls_used: u64,
}

/// ATT of one outcome with its analytic standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttEstimate {
    /// ATT = treated_mean − control_mean.
    pub att: f64,
    /// Mean outcome of the matched treated.
    pub treated_mean: f64,
    /// Weighted control mean (counterfactual mean of the matched treated).
    pub control_mean: f64,
    /// kmatch's analytic (influence-function) standard error.
    pub se: f64,
    /// Sample size n (degrees of freedom of the t test are n − 1).
    pub n: u64,
}

/// How a standard error was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SeKind {
    /// kmatch's analytic influence-function SE; p-value from t(n − 1).
    Analytic,
    /// SD of bootstrap replicate estimates; p-value from the normal distribution.
    Bootstrap,
}

impl Weighting {
    /// The sample as it is before matching: every treated unit matched and every control used
    /// with weight 1, so that its balance "after" equals the balance before matching.
    pub fn unmatched(units: &Units) -> Weighting {
        let n = units.n_rows();
        let mut treated_matched = vec![false; n];
        let mut control_used = vec![false; n];
        let (mut n_treated, mut n_controls) = (0, 0);
        for i in units.rows() {
            if units.is_treated(i) {
                treated_matched[i] = true;
                n_treated += u64::from(units.freq(i));
            } else {
                control_used[i] = true;
                n_controls += u64::from(units.freq(i));
            }
        }
        let control_weight = Array1::from_shape_fn(n, |i| if control_used[i] { 1.0 } else { 0.0 });
        Weighting {
            bandwidth: None,
            control_weight,
            control_used,
            treated_matched,
            n_treated,
            n_treated_matched: n_treated,
            n_controls,
            n_controls_used: n_controls,
        }
    }

    /// Per-row weight as a treated unit in the ATT (f for matched treated, else 0).
    fn treated_column(&self, units: &Units) -> Array1<f64> {
        Array1::from_shape_fn(units.n_rows(), |i| {
            if self.treated_matched[i] {
                f64::from(units.freq(i))
            } else {
                0.0
            }
        })
    }

    /// Per-row weight as a control (f·mw).
    fn control_column(&self, units: &Units) -> Array1<f64> {
        Array1::from_shape_fn(units.n_rows(), |i| {
            f64::from(units.freq(i)) * self.control_weight[i]
        })
    }

    fn check(&self, units: &Units) -> Result<(), EstimError> {
        units.check_rows("weighting", self.control_weight.len())?;
        units.check_rows("weighting", self.treated_matched.len())?;
        if self.n_treated_matched == 0 {
            return Err(EstimError::NoMatchedTreated);
        }
        Ok(())
    }
}

/// ATT, means and analytic SE for every outcome column. `outcomes` is n × m
/// and must be finite on the sample rows (weight > 0); other rows are ignored.
pub fn att_estimates(
    outcomes: ArrayView2<f64>,
    units: &Units,
    weighting: &Weighting,
) -> Result<Vec<AttEstimate>, EstimError> {
    units.check_rows("outcomes", outcomes.nrows())?;
    weighting.check(units)?;
    if let Some(i) = units
        .rows()
        .find(|&i| outcomes.row(i).iter().any(|y| !y.is_finite()))
    {
        return Err(EstimError::NonFinite {
            what: "udfaldet",
            row: i,
        });
    }
    let treated = weighting.treated_column(units);
    let control = weighting.control_column(units);
    let (n1, w0) = (treated.sum(), control.sum());
    let rows: Vec<usize> = units.rows().collect();
    let m = outcomes.ncols();
    let (mut sum1, mut sum0) = (Array1::<f64>::zeros(m), Array1::<f64>::zeros(m));
    for &i in &rows {
        sum1.scaled_add(treated[i], &outcomes.row(i));
        sum0.scaled_add(control[i], &outcomes.row(i));
    }
    let (mean1, mean0) = (sum1 / n1, sum0 / w0);
    let n = units.n();
    let influence = |i: usize, j: usize| {
        let y = outcomes[[i, j]];
        if units.is_treated(i) {
            if weighting.treated_matched[i] {
                (y - mean1[j]) / n1
            } else {
                0.0
            }
        } else {
            -weighting.control_weight[i] * (y - mean0[j]) / w0
        }
    };
    Ok((0..m)
        .map(|j| {
            let freq = |i: usize| f64::from(units.freq(i));
            let mean_if = rows.iter().map(|&i| freq(i) * influence(i, j)).sum::<f64>() / n as f64;
            let ss: f64 = rows
                .iter()
                .map(|&i| freq(i) * (influence(i, j) - mean_if).powi(2))
                .sum();
            let variance = n as f64 / (n as f64 - 1.0) * ss;
            AttEstimate {
                att: mean1[j] - mean0[j],
                treated_mean: mean1[j],
                control_mean: mean0[j],
                se: variance.sqrt(),
                n,
            }
        })
        .collect())
}

/// Point ATTs of several weightings at once (m × k matrix, column per
/// weighting), computed as one matrix product Yᵀ·W. `outcomes` must be finite
/// on **all** rows (rows of weight 0 still enter the product with weight 0).
pub fn att_points(
    outcomes: ArrayView2<f64>,
    units: &Units,
    weightings: &[&Weighting],
) -> Result<Array2<f64>, EstimError> {
    units.check_rows("outcomes", outcomes.nrows())?;
    let mut columns = Array2::<f64>::zeros((units.n_rows(), 2 * weightings.len()));
    for (t, w) in weightings.iter().enumerate() {
        w.check(units)?;
        columns.column_mut(2 * t).assign(&w.treated_column(units));
        columns
            .column_mut(2 * t + 1)
            .assign(&w.control_column(units));
    }
    let totals = columns.sum_axis(ndarray::Axis(0));
    let sums = outcomes.t().dot(&columns);
    Ok(Array2::from_shape_fn(
        (outcomes.ncols(), weightings.len()),
        |(j, t)| sums[[j, 2 * t]] / totals[2 * t] - sums[[j, 2 * t + 1]] / totals[2 * t + 1],
    ))
}

/// Two-sided p-value of `estimate / se` under t(df) (analytic SEs, df = n − 1).
pub fn p_value_t(estimate: f64, se: f64, df: f64) -> f64 {
    let z = (estimate / se).abs();
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) if z.is_finite() => 2.0 * t.sf(z),
        _ => f64::NAN,
    }
}

/// Two-sided p-value of `estimate / se` under N(0, 1) (bootstrap SEs).
pub fn p_value_normal(estimate: f64, se: f64) -> f64 {
    let z = (estimate / se).abs();
    if !z.is_finite() {
        return f64::NAN;
    }
    2.0 * Normal::standard().sf(z)
}

/// Significance stars of the report: `#` p < 0.10, `*` p < 0.05, `**` p < 0.01,
/// `***` p < 0.001, empty otherwise (and for a missing p).
pub fn stars(p: f64) -> &'static str {
    match p {
        p if p < 0.001 => "***",
        p if p < 0.01 => "**",
        p if p < 0.05 => "*",
        p if p < 0.10 => "#",
        _ => "",
    }
}
