//! Propensity-score model (estimators.md §3): logit (kmatch's default) or
//! probit, fitted by Newton–Raphson with the observed information (Stata's
//! `logit`/`probit` default; for logit it equals IRLS/Fisher scoring), and the
//! predicted probability used as the matching score.
//!
//! Like Stata, before fitting:
//! * a covariate for which the rows with `x != 0` all have the same treatment
//!   status "predicts perfectly": it is dropped together with those rows, whose
//!   score is then missing (NaN) — they stay in the sample but cannot match;
//! * constant and collinear covariates are omitted (estimate 0, SE missing),
//!   detected by a sequential Cholesky (Gram–Schmidt) residual check of the
//!   weighted, centred cross-product matrix in input order;
//! * a remaining covariate that separates the groups on one side (e.g. every
//!   treated has `x = 1`) is quasi-complete separation: it is reported in
//!   [`PsFit::separation`] and the fit goes on (the coefficient drifts towards
//!   ±∞ as in Stata); complete univariate separation is an error, as in Stata.
//!
//! After the fit, observations with a fitted probability within 1e-12 of 0 or 1
//! are counted as "completely determined"; if no univariate culprit was found,
//! the covariates with |coefficient × SD| > 10 are reported as separating.
//!
//! Convergence: relative change of the log likelihood < 1e-13 or largest
//! coefficient step < 1e-10, at most 50 iterations (kmatch's `maxiter`).
//! Standard errors come from the inverse of the observed information matrix.

use nalgebra::{DMatrix, DVector};
use ndarray::{Array1, ArrayView1, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::erf::erfc;

use super::error::EstimError;

const MAX_ITERATIONS: usize = 50;
const LOGLIK_TOLERANCE: f64 = 1e-13;
const STEP_TOLERANCE: f64 = 1e-10;
const COLLINEARITY_TOLERANCE: f64 = 1e-12;
/// |x'b| beyond which the fitted probability is within 1e-12 of 0 or 1.
const DETERMINED_INDEX: f64 = 27.6;
/// |b|·SD(x) beyond which a covariate is reported as driving separation.
const SEPARATING_EFFECT: f64 = 10.0;
const MAX_HALVINGS: usize = 40;

/// The propensity-score model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PsModel {
    /// Logistic regression (kmatch's default `pscmd(logit)`).
    Logit,
    /// Probit regression.
    Probit,
}

/// One coefficient of the fitted model. Omitted coefficients have estimate 0
/// and SE NaN (serialized as `null`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// Covariate name, or `_cons` for the constant (always last, as in Stata).
    pub name: String,
    /// Estimated coefficient (0 when omitted).
    pub estimate: f64,
    /// Standard error from the inverse observed information (NaN when omitted).
    pub se: f64,
    /// Whether the covariate was dropped (collinear, constant or perfect predictor).
    pub omitted: bool,
}

/// A fitted propensity-score model. Serializes to
/// `{"model","converged","iterations","separation","coefficients"}`.
#[derive(Debug, Clone, Serialize)]
pub struct PsFit {
    /// Logit or probit.
    pub model: PsModel,
    /// Whether the Newton iterations met the convergence criterion.
    pub converged: bool,
    /// Number of Newton steps taken.
    pub iterations: usize,
    /// Covariates involved in (quasi-)separation or perfect prediction.
    pub separation: Vec<String>,
    /// Coefficients in input order, `_cons` last.
    pub coefficients: Vec<Coefficient>,
    /// Maximised log likelihood.
    #[serde(skip)]
    pub log_likelihood: f64,
    /// Predicted probabilities for every input row; NaN for rows outside the
    /// fit (weight 0, or dropped because a covariate predicts them perfectly).
    #[serde(skip)]
    pub scores: Array1<f64>,
    /// Observations used in the fit (sum of frequency weights).
    #[serde(skip)]
    pub n_used: u64,
    /// Human-readable notes in Stata's wording (dropped, omitted, separation).
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl PsFit {
    /// All coefficient estimates in [`PsFit::coefficients`] order (omitted = 0);
    /// usable as the warm start of a refit.
    pub fn coefficient_vector(&self) -> Vec<f64> {
        self.coefficients.iter().map(|c| c.estimate).collect()
    }

    /// A one-line message about separation, if any was detected.
    pub fn separation_message(&self) -> Option<String> {
        if self.separation.is_empty() {
            return None;
        }
        Some(format!(
            "propensity score: (quasi-)separation by {}: {}",
            self.separation.join(", "),
            self.notes.join("; ")
        ))
    }
}

/// Reusable buffers for repeated fits (bootstrap replicates): the compact
/// design matrix and its weighted copy are kept between calls.
#[derive(Debug, Default)]
pub struct PsWorkspace {
    design: Vec<f64>,
    scaled: Vec<f64>,
}

/// A propensity-score problem: covariates (n × k, no constant), their names,
/// treatment and model. Fit it with [`PsProblem::fit`] or, for repeated fits
/// with other frequency weights, [`PsProblem::fit_from`].
#[derive(Debug, Clone, Copy)]
pub struct PsProblem<'a> {
    x: ArrayView2<'a, f64>,
    names: &'a [String],
    treat: &'a [bool],
    model: PsModel,
}

/// The rows and columns that take part in the Newton iterations.
struct FitLayout {
    rows: Vec<usize>,
    kept: Vec<usize>,
    omitted: Vec<usize>,
    separation: Vec<String>,
    notes: Vec<String>,
}

struct NewtonOutcome {
    beta: Vec<f64>,
    covariance: DMatrix<f64>,
    eta: Array1<f64>,
    log_likelihood: f64,
    iterations: usize,
    converged: bool,
}

impl<'a> PsProblem<'a> {
    /// Checks that names and treatment match the covariate matrix.
    pub fn new(
        x: ArrayView2<'a, f64>,
        names: &'a [String],
        treat: &'a [bool],
        model: PsModel,
    ) -> Result<Self, EstimError> {
        if names.len() != x.ncols() {
            return Err(EstimError::LengthMismatch {
                what: "covariate names",
                expected: x.ncols(),
                got: names.len(),
            });
        }
        if treat.len() != x.nrows() {
            return Err(EstimError::LengthMismatch {
                what: "treatment",
                expected: x.nrows(),
                got: treat.len(),
            });
        }
        Ok(PsProblem {
            x,
            names,
            treat,
            model,
        })
    }

    /// Fits the model on the rows with positive frequency weight (all rows if `None`).
    pub fn fit(&self, freq: Option<&[u32]>) -> Result<PsFit, EstimError> {
        self.fit_from(freq, None, &mut PsWorkspace::default())
    }

    /// Fits the model with frequency weights, starting from `start` (a
    /// [`PsFit::coefficient_vector`], e.g. the full-sample fit) and reusing `ws`.
    pub fn fit_from(
        &self,
        freq: Option<&[u32]>,
        start: Option<&[f64]>,
        ws: &mut PsWorkspace,
    ) -> Result<PsFit, EstimError> {
        let k = self.x.ncols();
        if let Some(f) = freq
            && f.len() != self.treat.len()
        {
            return Err(EstimError::LengthMismatch {
                what: "frequency weights",
                expected: self.treat.len(),
                got: f.len(),
            });
        }
        if let Some(s) = start
            && s.len() != k + 1
        {
            return Err(EstimError::LengthMismatch {
                what: "starting coefficients",
                expected: k + 1,
                got: s.len(),
            });
        }
        let weight = |i: usize| f64::from(freq.map_or(1, |f| f[i]));
        let layout = self.layout(&weight)?;
        let p = layout.kept.len() + 1;
        let n = layout.rows.len();
        self.fill_design(&layout, &mut ws.design);
        let design = ArrayView2::from_shape((n, p), &ws.design[..n * p])
            .map_err(|e| EstimError::PsFit(e.to_string()))?;
        let y: Vec<bool> = layout.rows.iter().map(|&i| self.treat[i]).collect();
        let f: Vec<f64> = layout.rows.iter().map(|&i| weight(i)).collect();
        let beta0 = self.starting_values(&layout, start, &y, &f);
        let outcome = newton(self.model, design, &y, &f, beta0, &mut ws.scaled)?;
        Ok(self.assemble(layout, outcome, &f, design))
    }

    /// Rows and columns of the fit: perfect predictors, collinearity, separation.
    fn layout(&self, weight: &dyn Fn(usize) -> f64) -> Result<FitLayout, EstimError> {
        let mut rows: Vec<usize> = (0..self.treat.len()).filter(|&i| weight(i) > 0.0).collect();
        if rows.is_empty() {
            return Err(EstimError::EmptySample);
        }
        if let Some(&i) = rows
            .iter()
            .find(|&&i| self.x.row(i).iter().any(|v| !v.is_finite()))
        {
            return Err(EstimError::NonFinite {
                what: "covariate",
                row: i,
            });
        }
        self.check_treatment_varies(&rows)?;
        let mut columns: Vec<usize> = (0..self.x.ncols()).collect();
        let mut separation = Vec::new();
        let mut notes = Vec::new();
        let mut omitted = self.drop_perfect_predictors(&mut rows, &mut columns, weight, &mut notes);
        separation.extend(omitted.iter().map(|&c| self.names[c].clone()));
        self.check_treatment_varies(&rows)?;
        let (kept, collinear) = self.collinearity(&rows, &columns, weight);
        for &c in &collinear {
            notes.push(format!("{} omitted because of collinearity", self.names[c]));
        }
        omitted.extend(collinear);
        for c in self.separating_covariates(&rows, &kept)? {
            notes.push(format!(
                "{} separates treated and controls on one side (quasi-complete separation)",
                self.names[c]
            ));
            separation.push(self.names[c].clone());
        }
        Ok(FitLayout {
            rows,
            kept,
            omitted,
            separation,
            notes,
        })
    }

    fn check_treatment_varies(&self, rows: &[usize]) -> Result<(), EstimError> {
        if !rows.iter().any(|&i| self.treat[i]) {
            return Err(EstimError::NoTreated);
        }
        if rows.iter().all(|&i| self.treat[i]) {
            return Err(EstimError::NoControls);
        }
        Ok(())
    }

    /// Stata's rule: if all rows with `x != 0` share one treatment status, `x`
    /// predicts perfectly; drop `x` and those rows. Repeats until stable.
    fn drop_perfect_predictors(
        &self,
        rows: &mut Vec<usize>,
        columns: &mut Vec<usize>,
        weight: &dyn Fn(usize) -> f64,
        notes: &mut Vec<String>,
    ) -> Vec<usize> {
        let mut dropped = Vec::new();
        while let Some(pos) = columns
            .iter()
            .position(|&c| self.perfect_prediction(rows, c).is_some())
        {
            let c = columns.remove(pos);
            let success = self.perfect_prediction(rows, c) == Some(true);
            let lost: f64 = rows
                .iter()
                .filter(|&&i| self.x[[i, c]] != 0.0)
                .map(|&i| weight(i))
                .sum();
            rows.retain(|&i| self.x[[i, c]] == 0.0);
            notes.push(format!(
                "{name} != 0 predicts {outcome} perfectly; {name} dropped and {lost} obs not used",
                name = self.names[c],
                outcome = if success { "success" } else { "failure" },
            ));
            dropped.push(c);
        }
        dropped
    }

    /// `Some(treated)` if every row with `x != 0` has treatment `treated` and
    /// some row has `x == 0`.
    fn perfect_prediction(&self, rows: &[usize], c: usize) -> Option<bool> {
        let mut status = None;
        let mut any_zero = false;
        for &i in rows {
            if self.x[[i, c]] == 0.0 {
                any_zero = true;
                continue;
            }
            match status {
                None => status = Some(self.treat[i]),
                Some(s) if s != self.treat[i] => return None,
                Some(_) => {}
            }
        }
        status.filter(|_| any_zero)
    }

    /// Splits `columns` into kept and omitted (constant or collinear with the
    /// constant and earlier kept columns), in input order.
    fn collinearity(
        &self,
        rows: &[usize],
        columns: &[usize],
        weight: &dyn Fn(usize) -> f64,
    ) -> (Vec<usize>, Vec<usize>) {
        let (varying, mut omitted): (Vec<usize>, Vec<usize>) = columns
            .iter()
            .partition(|&&c| rows.iter().any(|&i| self.x[[i, c]] != self.x[[rows[0], c]]));
        let cross = self.centred_cross_product(rows, &varying, weight);
        let mut kept_pos: Vec<usize> = Vec::new();
        // Rows of the Cholesky factor, restricted to kept columns.
        let mut factor: Vec<Vec<f64>> = Vec::new();
        let mut kept = Vec::new();
        for (j, &c) in varying.iter().enumerate() {
            let mut row = Vec::with_capacity(kept_pos.len());
            for (t, &l) in kept_pos.iter().enumerate() {
                let dot: f64 = (0..t).map(|s| row[s] * factor[t][s]).sum();
                row.push((cross[[j, l]] - dot) / factor[t][t]);
            }
            let residual = cross[[j, j]] - row.iter().map(|v| v * v).sum::<f64>();
            if residual > COLLINEARITY_TOLERANCE * cross[[j, j]] {
                row.push(residual.sqrt());
                factor.push(row);
                kept_pos.push(j);
                kept.push(c);
            } else {
                omitted.push(c);
            }
        }
        omitted.sort_unstable();
        (kept, omitted)
    }

    /// Σ f (x − x̄)(x − x̄)' over `rows` for the given columns.
    fn centred_cross_product(
        &self,
        rows: &[usize],
        columns: &[usize],
        weight: &dyn Fn(usize) -> f64,
    ) -> ndarray::Array2<f64> {
        let total: f64 = rows.iter().map(|&i| weight(i)).sum();
        let means: Vec<f64> = columns
            .iter()
            .map(|&c| {
                rows.iter()
                    .map(|&i| weight(i) * self.x[[i, c]])
                    .sum::<f64>()
                    / total
            })
            .collect();
        let centred = ndarray::Array2::from_shape_fn((rows.len(), columns.len()), |(r, j)| {
            let i = rows[r];
            weight(i).sqrt() * (self.x[[i, columns[j]]] - means[j])
        });
        centred.t().dot(&centred)
    }

    /// Kept covariates whose treated range lies entirely on one side of the
    /// control range. Complete (strict) separation is an error, as in Stata.
    fn separating_covariates(
        &self,
        rows: &[usize],
        kept: &[usize],
    ) -> Result<Vec<usize>, EstimError> {
        let mut found = Vec::new();
        for &c in kept {
            let range = |treated: bool| {
                rows.iter()
                    .filter(|&&i| self.treat[i] == treated)
                    .map(|&i| self.x[[i, c]])
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                        (lo.min(v), hi.max(v))
                    })
            };
            let (t_lo, t_hi) = range(true);
            let (c_lo, c_hi) = range(false);
            if t_lo > c_hi || t_hi < c_lo {
                return Err(EstimError::PsFit(format!(
                    "{} predicts treatment perfectly (complete separation)",
                    self.names[c]
                )));
            }
            if t_lo >= c_hi || t_hi <= c_lo {
                found.push(c);
            }
        }
        Ok(found)
    }

    /// Row-major compact design: kept covariates of the fit rows, then 1.
    fn fill_design(&self, layout: &FitLayout, design: &mut Vec<f64>) {
        design.clear();
        for &i in &layout.rows {
            design.extend(layout.kept.iter().map(|&c| self.x[[i, c]]));
            design.push(1.0);
        }
    }

    /// Warm start from `start` if given, else the constant-only solution.
    fn starting_values(
        &self,
        layout: &FitLayout,
        start: Option<&[f64]>,
        y: &[bool],
        f: &[f64],
    ) -> Vec<f64> {
        let k = self.x.ncols();
        if let Some(s) = start {
            let mut beta: Vec<f64> = layout.kept.iter().map(|&c| s[c]).collect();
            beta.push(s[k]);
            if beta.iter().all(|b| b.is_finite()) {
                return beta;
            }
        }
        let total: f64 = f.iter().sum();
        let share = y
            .iter()
            .zip(f)
            .filter(|(t, _)| **t)
            .map(|(_, w)| w)
            .sum::<f64>()
            / total;
        let mut beta = vec![0.0; layout.kept.len()];
        beta.push(match self.model {
            PsModel::Logit => (share / (1.0 - share)).ln(),
            PsModel::Probit => Normal::standard().inverse_cdf(share),
        });
        beta
    }

    fn assemble(
        &self,
        layout: FitLayout,
        outcome: NewtonOutcome,
        f: &[f64],
        design: ArrayView2<f64>,
    ) -> PsFit {
        let k = self.x.ncols();
        let mut coefficients: Vec<Coefficient> = self
            .names
            .iter()
            .map(|name| Coefficient {
                name: name.clone(),
                estimate: 0.0,
                se: f64::NAN,
                omitted: true,
            })
            .collect();
        coefficients.push(Coefficient {
            name: "_cons".into(),
            estimate: 0.0,
            se: f64::NAN,
            omitted: false,
        });
        let positions = layout.kept.iter().copied().chain(std::iter::once(k));
        for (j, c) in positions.enumerate() {
            coefficients[c].estimate = outcome.beta[j];
            coefficients[c].se = outcome.covariance[(j, j)].sqrt();
            coefficients[c].omitted = false;
        }
        debug_assert!(layout.omitted.iter().all(|&c| coefficients[c].omitted));
        let mut scores = Array1::from_elem(self.treat.len(), f64::NAN);
        for (r, &i) in layout.rows.iter().enumerate() {
            scores[i] = self.model.probability(outcome.eta[r]);
        }
        let mut separation = layout.separation;
        let mut notes = layout.notes;
        let determined: f64 = outcome
            .eta
            .iter()
            .zip(f)
            .filter(|(eta, _)| eta.abs() > DETERMINED_INDEX)
            .map(|(_, w)| w)
            .sum();
        if determined > 0.0 {
            notes.push(format!(
                "{determined} obs completely determined (fitted probability 0 or 1)"
            ));
            if separation.is_empty() {
                separation = self.large_effects(&layout.kept, &outcome.beta, f, design);
            }
        }
        PsFit {
            model: self.model,
            converged: outcome.converged,
            iterations: outcome.iterations,
            separation,
            coefficients,
            log_likelihood: outcome.log_likelihood,
            scores,
            n_used: f.iter().sum::<f64>() as u64,
            notes,
        }
    }

    /// Kept covariates with |b|·SD(x) above [`SEPARATING_EFFECT`].
    fn large_effects(
        &self,
        kept: &[usize],
        beta: &[f64],
        f: &[f64],
        design: ArrayView2<f64>,
    ) -> Vec<String> {
        let total: f64 = f.iter().sum();
        kept.iter()
            .enumerate()
            .filter(|&(j, _)| {
                let column = design.column(j);
                let mean = column.iter().zip(f).map(|(x, w)| x * w).sum::<f64>() / total;
                let var = column
                    .iter()
                    .zip(f)
                    .map(|(x, w)| w * (x - mean).powi(2))
                    .sum::<f64>()
                    / total;
                (beta[j] * var.sqrt()).abs() > SEPARATING_EFFECT
            })
            .map(|(_, &c)| self.names[c].clone())
            .collect()
    }
}

impl PsModel {
    /// Predicted probability at linear index `eta`.
    pub fn probability(self, eta: f64) -> f64 {
        match self {
            PsModel::Logit => 1.0 / (1.0 + (-eta).exp()),
            PsModel::Probit => 0.5 * erfc(-eta / std::f64::consts::SQRT_2),
        }
    }

    /// Log-likelihood contribution, its derivative in eta, and minus its
    /// second derivative (the observed-information weight) for one unit.
    fn unit_parts(self, eta: f64, treated: bool) -> (f64, f64, f64) {
        match self {
            PsModel::Logit => {
                let p = self.probability(eta);
                let loglik = if treated {
                    -softplus(-eta)
                } else {
                    -softplus(eta)
                };
                (loglik, f64::from(u8::from(treated)) - p, p * (1.0 - p))
            }
            PsModel::Probit => {
                let q = if treated { 1.0 } else { -1.0 };
                let z = q * eta;
                let (log_cdf, mills) = log_cdf_and_inverse_mills(z);
                (log_cdf, q * mills, mills * (z + mills))
            }
        }
    }
}

/// ln(1 + e^x) without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// (ln Φ(z), φ(z)/Φ(z)), with the Mills-ratio series far in the lower tail.
fn log_cdf_and_inverse_mills(z: f64) -> (f64, f64) {
    let log_pdf = -0.5 * z * z - 0.5 * (2.0 * std::f64::consts::PI).ln();
    if z > -30.0 {
        let cdf = 0.5 * erfc(-z / std::f64::consts::SQRT_2);
        return (cdf.ln(), (log_pdf.exp()) / cdf);
    }
    let x2 = z * z;
    let ratio = (1.0 - 1.0 / x2 + 3.0 / x2.powi(2) - 15.0 / x2.powi(3) + 105.0 / x2.powi(4)) / -z;
    (log_pdf + ratio.ln(), 1.0 / ratio)
}

fn log_likelihood(model: PsModel, eta: ArrayView1<f64>, y: &[bool], f: &[f64]) -> f64 {
    eta.iter()
        .zip(y)
        .zip(f)
        .map(|((&e, &t), &w)| w * model.unit_parts(e, t).0)
        .sum()
}

/// Gradient and observed information at the index `eta`.
fn score_and_information(
    model: PsModel,
    design: ArrayView2<f64>,
    eta: ArrayView1<f64>,
    y: &[bool],
    f: &[f64],
    scaled: &mut Vec<f64>,
) -> (DVector<f64>, DMatrix<f64>) {
    let (n, p) = design.dim();
    let mut score = Array1::zeros(n);
    scaled.clear();
    scaled.resize(n * p, 0.0);
    let mut weighted = ArrayViewMut2::from_shape((n, p), &mut scaled[..]).expect("n*p buffer");
    for r in 0..n {
        let (_, s, w) = model.unit_parts(eta[r], y[r]);
        score[r] = f[r] * s;
        let root = (f[r] * w).sqrt();
        weighted
            .row_mut(r)
            .zip_mut_with(&design.row(r), |out, &x| *out = root * x);
    }
    let gradient = design.t().dot(&score);
    let information = weighted.t().dot(&weighted);
    (
        DVector::from_iterator(p, gradient.iter().copied()),
        DMatrix::from_fn(p, p, |a, b| information[[a, b]]),
    )
}

/// Newton–Raphson with step halving.
fn newton(
    model: PsModel,
    design: ArrayView2<f64>,
    y: &[bool],
    f: &[f64],
    beta0: Vec<f64>,
    scaled: &mut Vec<f64>,
) -> Result<NewtonOutcome, EstimError> {
    let singular = || EstimError::PsFit("information matrix is not positive definite".into());
    let mut beta = Array1::from(beta0);
    let mut eta = design.dot(&beta);
    let mut loglik = log_likelihood(model, eta.view(), y, f);
    if !loglik.is_finite() {
        beta.fill(0.0);
        eta = design.dot(&beta);
        loglik = log_likelihood(model, eta.view(), y, f);
    }
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS && !converged {
        let (gradient, information) =
            score_and_information(model, design, eta.view(), y, f, scaled);
        let step = information
            .cholesky()
            .ok_or_else(singular)?
            .solve(&gradient);
        let step = Array1::from_iter(step.iter().copied());
        iterations += 1;
        let (mut scale, mut halvings) = (1.0, 0);
        let (new_beta, new_eta, new_loglik) = loop {
            let candidate = &beta + &(&step * scale);
            let candidate_eta = design.dot(&candidate);
            let candidate_loglik = log_likelihood(model, candidate_eta.view(), y, f);
            let acceptable = candidate_loglik >= loglik - 1e-12 * loglik.abs();
            if acceptable || halvings == MAX_HALVINGS {
                break (candidate, candidate_eta, candidate_loglik);
            }
            scale /= 2.0;
            halvings += 1;
        };
        let change = (new_loglik - loglik).abs() / loglik.abs().max(f64::MIN_POSITIVE);
        let largest_step = step.iter().fold(0.0_f64, |m, s| m.max((s * scale).abs()));
        converged = change < LOGLIK_TOLERANCE || largest_step < STEP_TOLERANCE;
        beta = new_beta;
        eta = new_eta;
        loglik = new_loglik;
    }
    if !beta.iter().all(|b| b.is_finite()) {
        return Err(EstimError::PsFit("coefficients diverged".into()));
    }
    let (_, information) = score_and_information(model, design, eta.view(), y, f, scaled);
    let covariance = information.cholesky().ok_or_else(singular)?.inverse();
    Ok(NewtonOutcome {
        beta: beta.to_vec(),
        covariance,
        eta,
        log_likelihood: loglik,
        iterations,
        converged,
    })
}
