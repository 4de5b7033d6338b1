//! Propensity-score model (docs/spec/estimators.md §3): logit (kmatch's default) or
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
//! coefficient step < 1e-10, at most 50 iterations (kmatch's `maxiter`), as
//! long as the information matrix stays well conditioned. Under
//! quasi-complete separation it does not (the separating coefficients drift
//! towards ±∞); the fit then stops where Stata's `ml` default criteria were
//! first met (g'H⁻¹g < 1e-5 with a log-likelihood `reldif` < 1e-7 or a
//! coefficient `mreldif` < 1e-6), giving the large finite coefficients and
//! huge SEs Stata reports, instead of failing (see [`newton`]). A Newton step
//! at a point whose information is not positive definite is damped.
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
/// |x'b| beyond which the fitted probability is within 1e-5 of 0 or 1.
const QUASI_DETERMINED_INDEX: f64 = 11.5;
/// |b|·SD(x) beyond which a covariate is reported as driving separation.
const SEPARATING_EFFECT: f64 = 10.0;
const MAX_HALVINGS: usize = 40;
/// Stata's `ml` default `nrtolerance()`: g'H⁻¹g at the current point.
const STATA_NRTOLERANCE: f64 = 1e-5;
/// Stata's `ml` default `ltolerance()`: `reldif` of successive log likelihoods.
const STATA_LTOLERANCE: f64 = 1e-7;
/// Stata's `ml` default `tolerance()`: `mreldif` of successive coefficient vectors.
const STATA_TOLERANCE: f64 = 1e-6;
/// [`pivot_ratio`] below which the information matrix counts as ill
/// conditioned (quasi-complete separation) once Stata's criteria are met.
const ILL_CONDITIONED: f64 = 1e-10;
/// Loading on the near-null direction from which a covariate is named as
/// involved in quasi-complete separation.
const NULL_LOADING: f64 = 0.2;

/// Per covariate, over the rows of a fit (one row-major pass): the value
/// ranges of treated and controls and where the nonzero values lie, for the
/// checks of perfect prediction, constant columns and separation.
struct ColumnRanges {
    treated: Vec<(f64, f64)>,
    control: Vec<(f64, f64)>,
    any_zero: Vec<bool>,
    nonzero_treated: Vec<bool>,
    nonzero_control: Vec<bool>,
}

impl ColumnRanges {
    fn scan(x: ArrayView2<f64>, rows: &[usize], treat: &[bool]) -> ColumnRanges {
        let k = x.ncols();
        let empty = (f64::INFINITY, f64::NEG_INFINITY);
        let mut r = ColumnRanges {
            treated: vec![empty; k],
            control: vec![empty; k],
            any_zero: vec![false; k],
            nonzero_treated: vec![false; k],
            nonzero_control: vec![false; k],
        };
        for &i in rows {
            let (range, nonzero) = if treat[i] {
                (&mut r.treated, &mut r.nonzero_treated)
            } else {
                (&mut r.control, &mut r.nonzero_control)
            };
            for (c, &v) in x.row(i).iter().enumerate() {
                range[c] = (range[c].0.min(v), range[c].1.max(v));
                if v == 0.0 {
                    r.any_zero[c] = true;
                } else {
                    nonzero[c] = true;
                }
            }
        }
        r
    }

    /// Every row with `x != 0` has the same treatment status and some row has
    /// `x == 0` (Stata drops such a covariate with its nonzero rows).
    fn perfect_prediction(&self, c: usize) -> bool {
        self.any_zero[c] && self.nonzero_treated[c] != self.nonzero_control[c]
    }

    /// The column takes more than one value.
    fn varies(&self, c: usize) -> bool {
        let lo = self.treated[c].0.min(self.control[c].0);
        let hi = self.treated[c].1.max(self.control[c].1);
        lo < hi
    }
}

/// The compact design of a fit's rows, their treatment and frequency weights.
type FitRows<'b> = (ArrayView2<'b, f64>, Vec<bool>, Vec<f64>);

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
    /// Design columns spanning the near-null direction of the information
    /// when the fit stopped at Stata's criteria because of quasi-separation;
    /// empty otherwise.
    separating: Vec<usize>,
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
        let (layout, outcome, f) = self.solve(freq, start, ws, Stop::Tight)?;
        let (n, p) = (layout.rows.len(), layout.kept.len() + 1);
        let design = ArrayView2::from_shape((n, p), &ws.design[..n * p])
            .map_err(|e| EstimError::PsFit(e.to_string()))?;
        Ok(self.assemble(layout, outcome, &f, design))
    }

    /// The scores of a bootstrap replicate (frequency weights `freq`, warm
    /// start `start`): the fit stops where Stata's `ml` criteria are first met,
    /// as each of kmatch's replicates does, without the tight refinement,
    /// covariance or separation diagnostics of [`PsProblem::fit_from`]. NaN for
    /// rows outside the fit.
    pub fn replicate_scores(
        &self,
        freq: &[u32],
        start: Option<&[f64]>,
        ws: &mut PsWorkspace,
    ) -> Result<Array1<f64>, EstimError> {
        let (layout, outcome, _) = self.solve(Some(freq), start, ws, Stop::Stata)?;
        let mut scores = Array1::from_elem(self.treat.len(), f64::NAN);
        for (r, &i) in layout.rows.iter().enumerate() {
            scores[i] = self.model.probability(outcome.eta[r]);
        }
        Ok(scores)
    }

    /// Checks the arguments and runs Newton: the warm fast path if it applies,
    /// else the full layout (collinearity included) from the warm start with
    /// a cold restart, or cold. The design stays in `ws.design`.
    fn solve(
        &self,
        freq: Option<&[u32]>,
        start: Option<&[f64]>,
        ws: &mut PsWorkspace,
        stop: Stop,
    ) -> Result<(FitLayout, NewtonOutcome, Vec<f64>), EstimError> {
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
        if let Some(start) = start
            && let Some(solved) = self.fit_warm(&weight, start, ws, stop)?
        {
            return Ok(solved);
        }
        let layout = self.layout(&weight, true)?;
        let (design, y, f) = self.prepare(&layout, &weight, &mut ws.design)?;
        let mut run = |beta: Vec<f64>, from: Start| {
            let rows = NewtonRows {
                design,
                y: &y,
                f: &f,
            };
            newton(self.model, rows, beta, from, stop, &mut ws.scaled)
        };
        let cold = self.starting_values(&layout, None, &y, &f);
        let outcome = match start {
            None => run(cold, Start::Cold)?,
            Some(_) => {
                let warm = self.starting_values(&layout, start, &y, &f);
                match run(warm, Start::WarmOrCold(cold.clone())) {
                    Ok(outcome) => outcome,
                    Err(_) => run(cold, Start::Cold)?,
                }
            }
        };
        Ok((layout, outcome, f))
    }

    /// The fast path of a refit near a known solution (bootstrap replicates):
    /// Newton from the warm start without the collinearity check, which costs
    /// as much as a Newton iteration. A well-conditioned information matrix at
    /// the start proves the design has full rank (the check's tolerance,
    /// [`COLLINEARITY_TOLERANCE`], is far below [`ILL_CONDITIONED`]), so the
    /// check would have omitted nothing. Returns `None` (the caller takes the
    /// full path) for anything unusual: dropped or constant covariates, an
    /// ill-conditioned start, a failed fit.
    fn fit_warm(
        &self,
        weight: &dyn Fn(usize) -> f64,
        start: &[f64],
        ws: &mut PsWorkspace,
        stop: Stop,
    ) -> Result<Option<(FitLayout, NewtonOutcome, Vec<f64>)>, EstimError> {
        let layout = self.layout(weight, false)?;
        if !layout.omitted.is_empty() {
            return Ok(None);
        }
        let (design, y, f) = self.prepare(&layout, weight, &mut ws.design)?;
        let warm = self.starting_values(&layout, Some(start), &y, &f);
        let rows = NewtonRows {
            design,
            y: &y,
            f: &f,
        };
        let outcome = newton(
            self.model,
            rows,
            warm,
            Start::WarmOrGiveUp,
            stop,
            &mut ws.scaled,
        );
        Ok(outcome.ok().map(|outcome| (layout, outcome, f)))
    }

    /// Rows and columns of the fit: perfect predictors, collinearity (unless
    /// `collinearity` is false: constant columns are still dropped), separation.
    fn layout(
        &self,
        weight: &dyn Fn(usize) -> f64,
        collinearity: bool,
    ) -> Result<FitLayout, EstimError> {
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
        let mut ranges = ColumnRanges::scan(self.x, &rows, self.treat);
        let mut omitted = Vec::new();
        if columns.iter().any(|&c| ranges.perfect_prediction(c)) {
            omitted = self.drop_perfect_predictors(&mut rows, &mut columns, weight, &mut notes);
            ranges = ColumnRanges::scan(self.x, &rows, self.treat);
        }
        separation.extend(omitted.iter().map(|&c| self.names[c].clone()));
        self.check_treatment_varies(&rows)?;
        let (kept, collinear) = self.collinearity(&rows, &columns, weight, &ranges, collinearity);
        for &c in &collinear {
            notes.push(format!("{} omitted because of collinearity", self.names[c]));
        }
        omitted.extend(collinear);
        for c in self.separating_covariates(&ranges, &kept)? {
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
    /// constant and earlier kept columns), in input order. With `check` false
    /// only constant columns are omitted.
    fn collinearity(
        &self,
        rows: &[usize],
        columns: &[usize],
        weight: &dyn Fn(usize) -> f64,
        ranges: &ColumnRanges,
        check: bool,
    ) -> (Vec<usize>, Vec<usize>) {
        let (varying, mut omitted): (Vec<usize>, Vec<usize>) =
            columns.iter().partition(|&&c| ranges.varies(c));
        if !check {
            return (varying, omitted);
        }
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
        ranges: &ColumnRanges,
        kept: &[usize],
    ) -> Result<Vec<usize>, EstimError> {
        let mut found = Vec::new();
        for &c in kept {
            let (t_lo, t_hi) = ranges.treated[c];
            let (c_lo, c_hi) = ranges.control[c];
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

    /// The compact design (in `buffer`), treatment and frequency weights of
    /// the rows of a fit.
    fn prepare<'b>(
        &self,
        layout: &FitLayout,
        weight: &dyn Fn(usize) -> f64,
        buffer: &'b mut Vec<f64>,
    ) -> Result<FitRows<'b>, EstimError> {
        let (n, p) = (layout.rows.len(), layout.kept.len() + 1);
        self.fill_design(layout, buffer);
        let design = ArrayView2::from_shape((n, p), &buffer[..n * p])
            .map_err(|e| EstimError::PsFit(e.to_string()))?;
        let y = layout.rows.iter().map(|&i| self.treat[i]).collect();
        let f = layout.rows.iter().map(|&i| weight(i)).collect();
        Ok((design, y, f))
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
        let quasi_separated = !outcome.separating.is_empty();
        // Where the fit stopped at Stata's criteria the separated observations
        // have |x'b| ≈ 15, not ∞: count those within 1e-5 of 0 or 1.
        let threshold = if quasi_separated {
            QUASI_DETERMINED_INDEX
        } else {
            DETERMINED_INDEX
        };
        let determined: f64 = outcome
            .eta
            .iter()
            .zip(f)
            .filter(|(eta, _)| eta.abs() > threshold)
            .map(|(_, w)| w)
            .sum();
        if quasi_separated {
            let names: Vec<String> = outcome
                .separating
                .iter()
                .map(|&j| self.names[layout.kept[j]].clone())
                .collect();
            notes.push(format!(
                "information matrix near-singular along {}: stopped where Stata's ml convergence criteria were met (large coefficients, huge SEs)",
                names.join(" + ")
            ));
            for name in names {
                if !separation.contains(&name) {
                    separation.push(name);
                }
            }
        }
        if determined > 0.0 {
            notes.push(if quasi_separated {
                format!("{determined} obs completely determined (fitted probability within 1e-5 of 0 or 1)")
            } else {
                format!("{determined} obs completely determined (fitted probability 0 or 1)")
            });
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
    // Every element is overwritten below: resize without zeroing what is there.
    scaled.resize(n * p, 0.0);
    let mut weighted = ArrayViewMut2::from_shape((n, p), &mut scaled[..n * p]).expect("n*p buffer");
    let mut gradient = Array1::<f64>::zeros(p);
    for r in 0..n {
        let (_, s, w) = model.unit_parts(eta[r], y[r]);
        let score = f[r] * s;
        let root = (f[r] * w).sqrt();
        let row = design.row(r);
        gradient.zip_mut_with(&row, |g, &x| *g += score * x);
        weighted
            .row_mut(r)
            .zip_mut_with(&row, |out, &x| *out = root * x);
    }
    let information = weighted.t().dot(&weighted);
    (
        DVector::from_iterator(p, gradient.iter().copied()),
        DMatrix::from_fn(p, p, |a, b| information[[a, b]]),
    )
}

/// One iterate of the Newton iterations.
#[derive(Clone)]
struct Iterate {
    beta: Array1<f64>,
    eta: Array1<f64>,
    loglik: f64,
}

/// A point the fit may stop at, with its covariance.
struct Candidate {
    iterate: Iterate,
    information: DMatrix<f64>,
    covariance: DMatrix<f64>,
    iterations: usize,
}

impl Candidate {
    fn outcome(self, converged: bool, separating: Vec<usize>) -> NewtonOutcome {
        NewtonOutcome {
            beta: self.iterate.beta.to_vec(),
            separating,
            covariance: self.covariance,
            eta: self.iterate.eta,
            log_likelihood: self.iterate.loglik,
            iterations: self.iterations,
            converged,
        }
    }
}

/// Stata's `reldif(a, b)`: |a − b| / (|b| + 1).
fn reldif(a: f64, b: f64) -> f64 {
    (a - b).abs() / (b.abs() + 1.0)
}

/// Smallest squared pivot of the Cholesky factor relative to the diagonal of
/// the information: the least share of a parameter's information not
/// explained by the earlier ones (1 for orthogonal parameters, → 0 as the
/// information matrix becomes singular). A cheap conditioning measure.
fn pivot_ratio(factor: &nalgebra::Cholesky<f64, nalgebra::Dyn>, information: &DMatrix<f64>) -> f64 {
    let l = factor.l_dirty();
    (0..information.nrows())
        .map(|j| l[(j, j)].powi(2) / information[(j, j)])
        .fold(f64::INFINITY, f64::min)
}

/// The covariates (design columns except the constant, which is last) with a
/// loading of at least [`NULL_LOADING`] on the eigenvector of the smallest
/// eigenvalue of the information scaled to unit diagonal: the direction in
/// which the likelihood keeps rising under quasi-complete separation.
fn null_direction(information: &DMatrix<f64>) -> Vec<usize> {
    let p = information.nrows();
    let root: Vec<f64> = (0..p).map(|j| information[(j, j)].sqrt()).collect();
    let scaled = DMatrix::from_fn(p, p, |a, b| information[(a, b)] / (root[a] * root[b]));
    let eigen = nalgebra::SymmetricEigen::new(scaled);
    let smallest = eigen.eigenvalues.imin();
    let vector = eigen.eigenvectors.column(smallest);
    (0..p - 1)
        .filter(|&j| vector[j].abs() >= NULL_LOADING)
        .collect()
}

/// Newton step from an information matrix that is not positive definite (at
/// a point far from the optimum): Levenberg–Marquardt damping of the
/// diagonal, increased until the Cholesky succeeds (Stata takes a modified
/// step in non-concave regions too).
fn damped_step(information: &DMatrix<f64>, gradient: &DVector<f64>) -> Option<DVector<f64>> {
    let scale = information
        .diagonal()
        .iter()
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut lambda = 1e-10;
    while lambda <= 1e6 {
        let mut damped = information.clone();
        for j in 0..damped.nrows() {
            damped[(j, j)] += lambda * damped[(j, j)].abs().max(1e-12 * scale);
        }
        if let Some(factor) = damped.cholesky() {
            return Some(factor.solve(gradient));
        }
        lambda *= 100.0;
    }
    None
}

/// Newton–Raphson with step halving.
///
/// Two stopping rules are tracked:
/// * the tight rule (relative log-likelihood change < [`LOGLIK_TOLERANCE`] or
///   largest step < [`STEP_TOLERANCE`]), which gives glm's numbers on a
///   well-posed problem;
/// * Stata's `ml` defaults ([R] maximize): g'H⁻¹g < [`STATA_NRTOLERANCE`] and
///   either the log-likelihood `reldif` < [`STATA_LTOLERANCE`] or the
///   coefficient `mreldif` < [`STATA_TOLERANCE`]; the first iterate that meets
///   them is where Stata's `logit`/`probit` stops.
///
/// The iterations go on to the tight rule while the information matrix stays
/// well conditioned. Under quasi-complete separation the coefficients of the
/// separating direction drift towards ±∞ and the information in that
/// direction vanishes (p(1 − p) → 0); once its [`pivot_ratio`] falls below
/// [`ILL_CONDITIONED`] (or its Cholesky fails), the fit returns the point
/// where Stata's criteria were met: large finite coefficients with huge SEs,
/// as Stata reports them (≈ 15 with SE ≈ 372 in the published logit).
///
/// `beta0` is the starting point; see [`Start`] for what happens when the
/// information there is already ill conditioned.
/// Where [`newton`] stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// At the tight rule (glm's numbers), or at Stata's point when the
    /// information turns ill conditioned (quasi-separation).
    Tight,
    /// Where Stata's `ml` criteria are first met (bootstrap replicates).
    Stata,
}

/// The starting point of [`newton`] and what to do when the information
/// there is already ill conditioned.
enum Start {
    /// `beta0` is the constant-only solution.
    Cold,
    /// `beta0` is a warm start; restart from this constant-only solution if
    /// the information at `beta0` is ill conditioned (as Stata's cold start
    /// would stop elsewhere in a separated region).
    WarmOrCold(Vec<f64>),
    /// `beta0` is a warm start on a design not checked for collinearity:
    /// fail if the information at `beta0` is ill conditioned.
    WarmOrGiveUp,
}

/// The rows [`newton`] fits: compact design, treatment, frequency weights.
#[derive(Clone, Copy)]
struct NewtonRows<'a> {
    design: ArrayView2<'a, f64>,
    y: &'a [bool],
    f: &'a [f64],
}

fn newton(
    model: PsModel,
    rows: NewtonRows,
    beta0: Vec<f64>,
    start: Start,
    stop: Stop,
    scaled: &mut Vec<f64>,
) -> Result<NewtonOutcome, EstimError> {
    let NewtonRows { design, y, f } = rows;
    let (mut cold, give_up) = match start {
        Start::Cold => (None, false),
        Start::WarmOrCold(cold) => (Some(cold), false),
        Start::WarmOrGiveUp => (None, true),
    };
    let singular = || EstimError::PsFit("information matrix is not positive definite".into());
    let evaluate = |beta: Array1<f64>| {
        let eta = design.dot(&beta);
        let loglik = log_likelihood(model, eta.view(), y, f);
        Iterate { beta, eta, loglik }
    };
    let mut current = evaluate(Array1::from(beta0));
    if !current.loglik.is_finite() {
        let p = current.beta.len();
        current = evaluate(Array1::zeros(p));
    }
    let mut previous: Option<Iterate> = None;
    let mut largest_step = f64::INFINITY;
    let mut stata: Option<Candidate> = None;
    let mut iterations = 0;
    loop {
        let (gradient, information) =
            score_and_information(model, design, current.eta.view(), y, f, scaled);
        let factor = information.clone().cholesky();
        // A warm start deep in a separated region (information already
        // ill conditioned) would stop somewhere else than Stata's cold start
        // from the constant-only model: start cold instead.
        if iterations == 0
            && (cold.is_some() || give_up)
            && factor
                .as_ref()
                .is_none_or(|factor| pivot_ratio(factor, &information) < ILL_CONDITIONED)
        {
            match cold.take() {
                Some(cold) => current = evaluate(Array1::from(cold)),
                None => return Err(EstimError::PsFit("ill-conditioned warm start".into())),
            }
            continue;
        }
        let step = match &factor {
            Some(factor) => Some(factor.solve(&gradient)),
            None => None,
        };
        let tight = previous.as_ref().is_some_and(|prev| {
            let change =
                (current.loglik - prev.loglik).abs() / prev.loglik.abs().max(f64::MIN_POSITIVE);
            change < LOGLIK_TOLERANCE || largest_step < STEP_TOLERANCE
        });
        if let (Some(factor), Some(step), Some(prev), None) = (&factor, &step, &previous, &stata) {
            let decrement = gradient.dot(step);
            let coefficient_change = current
                .beta
                .iter()
                .zip(&prev.beta)
                .map(|(&b, &a)| reldif(b, a))
                .fold(0.0_f64, f64::max);
            if decrement < STATA_NRTOLERANCE
                && (reldif(current.loglik, prev.loglik) < STATA_LTOLERANCE
                    || coefficient_change < STATA_TOLERANCE)
            {
                if stop == Stop::Stata {
                    return Ok(Candidate {
                        iterate: current,
                        information: DMatrix::zeros(0, 0),
                        covariance: DMatrix::zeros(0, 0),
                        iterations,
                    }
                    .outcome(true, Vec::new()));
                }
                stata = Some(Candidate {
                    iterate: current.clone(),
                    information: information.clone(),
                    covariance: factor.inverse(),
                    iterations,
                });
            }
        }
        let ill_conditioned = match &factor {
            None => true,
            Some(factor) => stata.is_some() && pivot_ratio(factor, &information) < ILL_CONDITIONED,
        };
        if ill_conditioned && let Some(candidate) = stata {
            let separating = null_direction(&candidate.information);
            return Ok(candidate.outcome(true, separating));
        }
        if let (true, Some(factor)) = (tight || iterations == MAX_ITERATIONS, &factor) {
            if !current.beta.iter().all(|b| b.is_finite()) {
                return Err(EstimError::PsFit("coefficients diverged".into()));
            }
            return Ok(Candidate {
                iterate: current,
                information: DMatrix::zeros(0, 0),
                covariance: factor.inverse(),
                iterations,
            }
            .outcome(tight, Vec::new()));
        }
        if iterations == MAX_ITERATIONS {
            return Err(singular());
        }
        let step = match step {
            Some(step) => step,
            None => damped_step(&information, &gradient).ok_or_else(singular)?,
        };
        let step = Array1::from_iter(step.iter().copied());
        iterations += 1;
        let (mut scale, mut halvings) = (1.0, 0);
        let next = loop {
            let candidate = evaluate(&current.beta + &(&step * scale));
            let acceptable = candidate.loglik >= current.loglik - 1e-12 * current.loglik.abs();
            if acceptable || halvings == MAX_HALVINGS {
                break candidate;
            }
            scale /= 2.0;
            halvings += 1;
        };
        largest_step = step.iter().fold(0.0_f64, |m, s| m.max((s * scale).abs()));
        previous = Some(std::mem::replace(&mut current, next));
    }
}
