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

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::erf::erfc;

use super::columns::{ColumnOrder, ColumnRanges};
use super::error::EstimError;
use super::newton::{NewtonBuffers, NewtonOutcome, NewtonRows, Start, Stop, gram, newton};

const COLLINEARITY_TOLERANCE: f64 = 1e-12;
/// |x'b| beyond which the fitted probability is within 1e-12 of 0 or 1.
const DETERMINED_INDEX: f64 = 27.6;
/// |x'b| beyond which the fitted probability is within 1e-5 of 0 or 1.
const QUASI_DETERMINED_INDEX: f64 = 11.5;
/// |b|·SD(x) beyond which a covariate is reported as driving separation.
const SEPARATING_EFFECT: f64 = 10.0;

/// The compact design of a fit's rows, their treatment and frequency weights.
type FitRows<'b> = (ArrayView2<'b, f64>, Vec<bool>, Vec<f64>);

/// The propensity-score model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
            "propensity score: (kvasi-)separation ved {}: {}",
            self.separation.join(", "),
            self.notes.join("; ")
        ))
    }
}

/// Reusable buffers for repeated fits (bootstrap replicates): the compact
/// design matrix and the Newton iterations' buffers are kept between calls.
#[derive(Debug, Default)]
pub struct PsWorkspace {
    design: Vec<f64>,
    newton: NewtonBuffers,
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
    /// The columns sorted once for many refits ([`PsProblem::with_order`]).
    order: Option<&'a ColumnOrder>,
}

/// The rows and columns that take part in the Newton iterations.
struct FitLayout {
    rows: Vec<usize>,
    kept: Vec<usize>,
    omitted: Vec<usize>,
    separation: Vec<String>,
    notes: Vec<String>,
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
                what: "kovariatnavnene",
                expected: x.ncols(),
                got: names.len(),
            });
        }
        if treat.len() != x.nrows() {
            return Err(EstimError::LengthMismatch {
                what: "deltagelse",
                expected: x.nrows(),
                got: treat.len(),
            });
        }
        Ok(PsProblem {
            x,
            names,
            treat,
            model,
            order: None,
        })
    }

    /// The same problem with its columns sorted in `order` (from [`PsProblem::column_order`]),
    /// so that each refit on a subset of the rows (a bootstrap replicate) checks the columns
    /// in a few lookups instead of a pass over the rows.
    pub(super) fn with_order(self, order: &'a ColumnOrder) -> Self {
        PsProblem {
            order: Some(order),
            ..self
        }
    }

    /// The sorted columns for [`PsProblem::with_order`]; `None` if a covariate is not finite.
    pub(super) fn column_order(&self) -> Option<ColumnOrder> {
        ColumnOrder::new(self.x, self.treat)
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
                what: "frekvensvægtene",
                expected: self.treat.len(),
                got: f.len(),
            });
        }
        if let Some(s) = start
            && s.len() != k + 1
        {
            return Err(EstimError::LengthMismatch {
                what: "startkoefficienterne",
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
            newton(self.model, rows, beta, from, stop, &mut ws.newton)
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
    /// [`COLLINEARITY_TOLERANCE`], is far below [`super::newton::ILL_CONDITIONED`]), so the
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
            &mut ws.newton,
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
        let non_finite = |row| EstimError::NonFinite {
            what: "kovariaten",
            row,
        };
        let mut ranges = match self.order {
            Some(order) => order.ranges(self.x, &|i| weight(i) > 0.0),
            None => ColumnRanges::scan(self.x, &rows, self.treat).map_err(non_finite)?,
        };
        self.check_treatment_varies(&rows)?;
        let mut columns: Vec<usize> = (0..self.x.ncols()).collect();
        let mut separation = Vec::new();
        let mut notes = Vec::new();
        let mut omitted = Vec::new();
        if columns.iter().any(|&c| ranges.perfect_prediction(c)) {
            omitted = self.drop_perfect_predictors(&mut rows, &mut columns, weight, &mut notes);
            ranges = ColumnRanges::scan(self.x, &rows, self.treat).map_err(non_finite)?;
        }
        separation.extend(omitted.iter().map(|&c| self.names[c].clone()));
        self.check_treatment_varies(&rows)?;
        let (kept, collinear) = self.collinearity(&rows, &columns, weight, &ranges, collinearity);
        for &c in &collinear {
            notes.push(format!(
                "{} er udeladt på grund af kollinearitet",
                self.names[c]
            ));
        }
        omitted.extend(collinear);
        for c in self.separating_covariates(&ranges, &kept)? {
            notes.push(format!(
                "{} adskiller deltagere og kontrolpersoner på den ene side (kvasi-fuldstændig separation)",
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
                "{name} != 0 forudsiger {outcome} perfekt; {name} udelades, og {lost} personer bruges ikke",
                name = self.names[c],
                outcome = if success { "deltagelse" } else { "ikke-deltagelse" },
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
                row.push((cross[(j, l)] - dot) / factor[t][t]);
            }
            let residual = cross[(j, j)] - row.iter().map(|v| v * v).sum::<f64>();
            if residual > COLLINEARITY_TOLERANCE * cross[(j, j)] {
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
    ) -> nalgebra::DMatrix<f64> {
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
        let mut centred = Vec::with_capacity(rows.len() * columns.len());
        for &i in rows {
            let root = weight(i).sqrt();
            centred.extend(
                columns
                    .iter()
                    .zip(&means)
                    .map(|(&c, mean)| root * (self.x[[i, c]] - mean)),
            );
        }
        gram(&centred, rows.len(), columns.len())
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
                    "{} forudsiger deltagelse perfekt (fuldstændig separation)",
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
        let every_column = layout.kept.len() == self.x.ncols();
        for &i in &layout.rows {
            let row = self.x.row(i);
            match row.as_slice() {
                Some(row) if every_column => design.extend_from_slice(row),
                _ => design.extend(layout.kept.iter().map(|&c| row[c])),
            }
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
                "informationsmatricen er næsten singulær langs {}: stoppet, hvor Statas ml-konvergenskriterier var opfyldt (store koefficienter, meget store standardfejl)",
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
                format!("{determined} personer er fuldstændigt bestemt (forudsagt sandsynlighed højst 1e-5 fra 0 eller 1)")
            } else {
                format!("{determined} personer er fuldstændigt bestemt (forudsagt sandsynlighed 0 eller 1)")
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
}
