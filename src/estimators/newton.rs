//! Newton–Raphson for the propensity-score likelihood (docs/spec/estimators.md §3), with the
//! observed information and step halving, and the two stopping rules of [`newton`].
//!
//! The cost of a fit is the information matrix X'WX (n·p² multiply-adds, p ≈ 50 in the report)
//! once per iteration; everything else is O(n·p). Two things keep it near that floor:
//! * X'WX is one lower-triangular product by `faer` ([`gram`]), not a general matrix product;
//! * a bootstrap refit ([`Stop::Stata`]) does not compute the information at the iterate where
//!   it stops when a bound proves Stata's criterion g'H⁻¹g < 1e-5 there from the previous
//!   iterate's information (see [`decrement_bound`]); the fit then returns the same iterate
//!   it would have returned, one X'WX sooner.

use faer::linalg::matmul::triangular::{BlockStructure, matmul};
use faer::{Accum, Mat, MatRef, Par};
use nalgebra::{Cholesky, DMatrix, DVector, Dyn};
use ndarray::{Array1, ArrayView2};
use statrs::function::erf::erfc;

use super::error::EstimError;
use super::propensity::PsModel;

/// Most Newton steps of a fit (kmatch's `maxiter`).
const MAX_ITERATIONS: usize = 50;
const LOGLIK_TOLERANCE: f64 = 1e-13;
const STEP_TOLERANCE: f64 = 1e-10;
const MAX_HALVINGS: usize = 40;
/// Stata's `ml` default `nrtolerance()`: g'H⁻¹g at the current point.
const STATA_NRTOLERANCE: f64 = 1e-5;
/// Stata's `ml` default `ltolerance()`: `reldif` of successive log likelihoods.
const STATA_LTOLERANCE: f64 = 1e-7;
/// Stata's `ml` default `tolerance()`: `mreldif` of successive coefficient vectors.
const STATA_TOLERANCE: f64 = 1e-6;
/// [`pivot_ratio`] below which the information matrix counts as ill
/// conditioned (the likelihood is flat in some direction: separation).
pub(super) const ILL_CONDITIONED: f64 = 1e-10;
/// Loading on the near-null direction from which a covariate is named as
/// involved in quasi-complete separation.
const NULL_LOADING: f64 = 0.2;
/// [`pivot_ratio`] of the previous information from which [`decrement_bound`] is trusted.
const BOUND_CONDITIONING: f64 = ILL_CONDITIONED;

/// Where [`newton`] stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// At the tight rule (glm's numbers), or at Stata's point when the
    /// information turns ill conditioned (quasi-separation).
    Tight,
    /// Where Stata's `ml` criteria are first met (bootstrap replicates).
    Stata,
}

/// The starting point of [`newton`] and what to do when the information
/// there is already ill conditioned.
pub(super) enum Start {
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

/// The rows [`newton`] fits: compact row-major design, treatment, frequency weights.
#[derive(Clone, Copy)]
pub(super) struct NewtonRows<'a> {
    pub(super) design: ArrayView2<'a, f64>,
    pub(super) y: &'a [bool],
    pub(super) f: &'a [f64],
}

/// Where a fit ended.
pub(super) struct NewtonOutcome {
    pub(super) beta: Vec<f64>,
    /// Design columns spanning the near-null direction of the information
    /// when the fit stopped at Stata's criteria because of quasi-separation;
    /// empty otherwise.
    pub(super) separating: Vec<usize>,
    /// Inverse information (empty for [`Stop::Stata`] fits).
    pub(super) covariance: DMatrix<f64>,
    pub(super) eta: Array1<f64>,
    pub(super) log_likelihood: f64,
    pub(super) iterations: usize,
    pub(super) converged: bool,
}

/// Buffers kept between fits (bootstrap replicates): the weighted design and the
/// information weights of the current and the previous iterate.
#[derive(Debug, Default)]
pub(super) struct NewtonBuffers {
    scaled: Vec<f64>,
    weights: Vec<f64>,
    previous_weights: Vec<f64>,
}

/// Log-likelihood contribution of one unit at linear index `eta`, and (logit) the tail
/// e^−|eta| it is computed from, which [`unit_derivatives`] reuses: one `exp` per unit and
/// evaluation instead of two.
fn unit_loglik(model: PsModel, eta: f64, treated: bool) -> (f64, f64) {
    match model {
        PsModel::Logit => {
            // ln(1 + e^x) = max(x, 0) + ln(1 + e^−|x|), with x = ∓eta.
            let tail = (-eta.abs()).exp();
            let x = if treated { -eta } else { eta };
            (-(x.max(0.0) + tail.ln_1p()), tail)
        }
        PsModel::Probit => {
            let z = if treated { eta } else { -eta };
            (log_cdf_and_inverse_mills(z).0, f64::NAN)
        }
    }
}

/// The derivative of a unit's log likelihood in eta, and minus its second
/// derivative (the observed-information weight); `tail` is e^−|eta| from [`unit_loglik`]
/// (logit).
fn unit_derivatives(model: PsModel, eta: f64, tail: f64, treated: bool) -> (f64, f64) {
    match model {
        PsModel::Logit => {
            // p = 1/(1 + e^−eta) from the tail (for eta ≥ 0 the very same operations). The weight
            // stays p(1 − p), which is exactly 0 where p rounds to 1, as Stata's `ml` has it: the
            // fits of quasi-separated designs depend on that.
            let p = if eta >= 0.0 {
                1.0 / (1.0 + tail)
            } else {
                tail / (1.0 + tail)
            };
            (f64::from(u8::from(treated)) - p, p * (1.0 - p))
        }
        PsModel::Probit => {
            let q = if treated { 1.0 } else { -1.0 };
            let z = q * eta;
            let (_, mills) = log_cdf_and_inverse_mills(z);
            (q * mills, mills * (z + mills))
        }
    }
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

/// The log likelihood at `eta`, and each unit's tail for [`unit_derivatives`].
fn log_likelihood(model: PsModel, eta: &Array1<f64>, y: &[bool], f: &[f64]) -> (f64, Vec<f64>) {
    let mut tails = Vec::with_capacity(eta.len());
    let mut sum = 0.0;
    for ((&e, &t), &w) in eta.iter().zip(y).zip(f) {
        let (loglik, tail) = unit_loglik(model, e, t);
        sum += w * loglik;
        tails.push(tail);
    }
    (sum, tails)
}

/// X'X of the row-major n × p matrix `rows`: the lower triangle by one `faer` product
/// (sequential, so the result does not depend on the thread count), mirrored.
pub(super) fn gram(rows: &[f64], n: usize, p: usize) -> DMatrix<f64> {
    let x = MatRef::from_row_major_slice(&rows[..n * p], n, p);
    let mut lower = Mat::<f64>::zeros(p, p);
    matmul(
        lower.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        x.transpose(),
        BlockStructure::Rectangular,
        x,
        BlockStructure::Rectangular,
        1.0,
        Par::Seq,
    );
    clear_upper_vector_state();
    DMatrix::from_fn(
        p,
        p,
        |a, b| {
            if a >= b { lower[(a, b)] } else { lower[(b, a)] }
        },
    )
}

/// `vzeroupper` after faer's AVX-512 kernels, which return with the upper halves of the vector
/// registers dirty: until they are cleared, every SSE instruction that follows (libm's `exp` and
/// `log1p`, most scalar floating point) runs about three times slower on this machine's AMD EPYC
/// (measured: 79 µs → 259 µs for 10,200 `exp` + `ln_1p` after one product).
fn clear_upper_vector_state() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX (checked above), and `vzeroupper` clears only the upper
        // lanes of the vector registers, which hold no live value between two Rust statements.
        unsafe { std::arch::x86_64::_mm256_zeroupper() }
    }
}

impl NewtonBuffers {
    /// The gradient at `eta`; keeps the information weights f·w of the rows in `self.weights`.
    fn gradient(&mut self, model: PsModel, rows: NewtonRows, at: &Iterate) -> DVector<f64> {
        let (eta, tails) = (&at.eta, &at.tails);
        let NewtonRows { design, y, f } = rows;
        let (n, p) = design.dim();
        let mut gradient = vec![0.0; p];
        self.weights.clear();
        for r in 0..n {
            let (s, w) = unit_derivatives(model, eta[r], tails[r], y[r]);
            let score = f[r] * s;
            self.weights.push(f[r] * w);
            let row = design.row(r);
            let row = row.as_slice().expect("row-major design");
            for (g, &x) in gradient.iter_mut().zip(row) {
                *g += score * x;
            }
        }
        DVector::from_vec(gradient)
    }

    /// The observed information Σ f·w·x x' from the weights of the last [`Self::gradient`].
    fn information(&mut self, design: ArrayView2<f64>) -> DMatrix<f64> {
        let (n, p) = design.dim();
        // Every element is overwritten below: resize without zeroing what is there.
        self.scaled.resize(n * p, 0.0);
        for (r, out) in self.scaled[..n * p].chunks_exact_mut(p).enumerate() {
            let root = self.weights[r].sqrt();
            let row = design.row(r);
            let row = row.as_slice().expect("row-major design");
            for (o, &x) in out.iter_mut().zip(row) {
                *o = root * x;
            }
        }
        gram(&self.scaled, n, p)
    }

    /// Keeps the current weights as the previous iterate's.
    fn advance(&mut self) {
        std::mem::swap(&mut self.weights, &mut self.previous_weights);
    }
}

/// The information at the previous iterate H₀ and its Cholesky factor.
struct PreviousInformation {
    information: DMatrix<f64>,
    factor: Cholesky<f64, Dyn>,
}

/// An upper bound of g'H⁻¹g at the current iterate from the previous iterate's information
/// H₀ = Σ fᵢw⁰ᵢxᵢxᵢ'. The weights are positive; let S be the rows whose weight fell below half
/// of its previous value (under quasi-separation: the separated rows, whose weights shrink by
/// about e⁻¹ per iteration) and r ≥ ½ the least share kept by the others. Then
/// H ⪰ r·Σ_{i∉S} fᵢw⁰ᵢxᵢxᵢ' + Σ_{i∈S} fᵢwᵢxᵢxᵢ' ⪰ r·M with M = H₀ − Σ_{i∈S} fᵢ(w⁰ᵢ − wᵢ)xᵢxᵢ'
/// (the information with the rows of S at their current weights), so g'H⁻¹g ≤ g'M⁻¹g / r:
/// O(p²) when S is empty, a product over the rows of S otherwise. `None` when no useful bound
/// follows (S holds half the rows, or M is not positive definite).
fn decrement_bound(
    previous: &PreviousInformation,
    gradient: &DVector<f64>,
    weights: &[f64],
    previous_weights: &[f64],
    design: ArrayView2<f64>,
) -> Option<f64> {
    if weights.len() != previous_weights.len() {
        return None;
    }
    let mut ratio = 1.0_f64;
    let mut fallen = Vec::new();
    for (i, (&w, &w0)) in weights.iter().zip(previous_weights).enumerate() {
        if w.is_nan() || w < 0.0 {
            return None;
        }
        if w0 > 0.0 {
            let kept = w / w0;
            if kept < 0.5 {
                fallen.push(i);
            } else {
                ratio = ratio.min(kept);
            }
        }
    }
    if fallen.len() > weights.len() / 2 {
        return None;
    }
    let quadratic = if fallen.is_empty() {
        gradient.dot(&previous.factor.solve(gradient))
    } else {
        let p = gradient.len();
        let mut scaled = Vec::with_capacity(fallen.len() * p);
        for &i in &fallen {
            let root = (previous_weights[i] - weights[i]).sqrt();
            scaled.extend(design.row(i).iter().map(|x| root * x));
        }
        let reduced = &previous.information - gram(&scaled, fallen.len(), p);
        let factor = reduced.cholesky()?;
        gradient.dot(&factor.solve(gradient))
    };
    let bound = quadratic / ratio;
    bound.is_finite().then_some(bound)
}

/// One iterate of the Newton iterations.
#[derive(Clone)]
struct Iterate {
    beta: Array1<f64>,
    eta: Array1<f64>,
    loglik: f64,
    /// Each unit's e^−|eta| (logit), from the log likelihood, for the derivatives.
    tails: Vec<f64>,
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

    /// A Stata-criteria stop of a bootstrap refit: no covariance.
    fn replicate(iterate: Iterate, iterations: usize) -> NewtonOutcome {
        Candidate {
            iterate,
            information: DMatrix::zeros(0, 0),
            covariance: DMatrix::zeros(0, 0),
            iterations,
        }
        .outcome(true, Vec::new())
    }
}

/// Stata's `reldif(a, b)`: |a − b| / (|b| + 1).
fn reldif(a: f64, b: f64) -> f64 {
    (a - b).abs() / (b.abs() + 1.0)
}

/// Stata's change criteria between successive iterates: log-likelihood `reldif` or
/// coefficient `mreldif` small enough.
fn small_change(current: &Iterate, previous: &Iterate) -> bool {
    let coefficient_change = current
        .beta
        .iter()
        .zip(&previous.beta)
        .map(|(&b, &a)| reldif(b, a))
        .fold(0.0_f64, f64::max);
    reldif(current.loglik, previous.loglik) < STATA_LTOLERANCE
        || coefficient_change < STATA_TOLERANCE
}

/// Smallest squared pivot of the Cholesky factor relative to the diagonal of
/// the information: the least share of a parameter's information not
/// explained by the earlier ones (1 for orthogonal parameters, → 0 as the
/// information matrix becomes singular). A cheap conditioning measure.
fn pivot_ratio(factor: &Cholesky<f64, Dyn>, information: &DMatrix<f64>) -> f64 {
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
pub(super) fn newton(
    model: PsModel,
    rows: NewtonRows,
    beta0: Vec<f64>,
    start: Start,
    stop: Stop,
    buffers: &mut NewtonBuffers,
) -> Result<NewtonOutcome, EstimError> {
    let NewtonRows { design, y, f } = rows;
    let (mut cold, give_up) = match start {
        Start::Cold => (None, false),
        Start::WarmOrCold(cold) => (Some(cold), false),
        Start::WarmOrGiveUp => (None, true),
    };
    let singular = || EstimError::PsFit("informationsmatricen er ikke positivt definit".into());
    let evaluate = |beta: Array1<f64>| {
        let eta = design.dot(&beta);
        let (loglik, tails) = log_likelihood(model, &eta, y, f);
        Iterate {
            beta,
            eta,
            loglik,
            tails,
        }
    };
    let mut current = evaluate(Array1::from(beta0));
    if !current.loglik.is_finite() {
        let p = current.beta.len();
        current = evaluate(Array1::zeros(p));
    }
    let mut previous: Option<Iterate> = None;
    // The information at `previous` with its Cholesky factor, for [`decrement_bound`].
    let mut previous_information: Option<PreviousInformation> = None;
    let mut largest_step = f64::INFINITY;
    let mut stata: Option<Candidate> = None;
    let mut iterations = 0;
    loop {
        let gradient = buffers.gradient(model, rows, &current);
        if stop == Stop::Stata
            && let (Some(prev), Some(held)) = (&previous, &previous_information)
            && small_change(&current, prev)
            && decrement_bound(
                held,
                &gradient,
                &buffers.weights,
                &buffers.previous_weights,
                design,
            )
            .is_some_and(|bound| bound < 0.5 * STATA_NRTOLERANCE)
        {
            return Ok(Candidate::replicate(current, iterations));
        }
        let information = buffers.information(design);
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
                None => return Err(EstimError::PsFit("dårligt konditioneret startpunkt".into())),
            }
            continue;
        }
        let step = factor.as_ref().map(|factor| factor.solve(&gradient));
        let tight = previous.as_ref().is_some_and(|prev| {
            let change =
                (current.loglik - prev.loglik).abs() / prev.loglik.abs().max(f64::MIN_POSITIVE);
            change < LOGLIK_TOLERANCE || largest_step < STEP_TOLERANCE
        });
        if let (Some(factor), Some(step), Some(prev), None) = (&factor, &step, &previous, &stata)
            && gradient.dot(step) < STATA_NRTOLERANCE
            && small_change(&current, prev)
        {
            if stop == Stop::Stata {
                return Ok(Candidate::replicate(current, iterations));
            }
            stata = Some(Candidate {
                iterate: current.clone(),
                information: information.clone(),
                covariance: factor.inverse(),
                iterations,
            });
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
                return Err(EstimError::PsFit("koefficienterne divergerer".into()));
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
        previous_information = factor
            .filter(|factor| pivot_ratio(factor, &information) >= BOUND_CONDITIONING)
            .map(|factor| PreviousInformation {
                information,
                factor,
            });
        buffers.advance();
        previous = Some(std::mem::replace(&mut current, next));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// The bound is never below the decrement it stands for, whatever the weights did, and
    /// it is found when a few weights collapse (the separated rows of a quasi-separated fit).
    #[test]
    fn the_decrement_bound_holds_when_weights_fall() {
        let (n, p) = (40, 3);
        let x = Array2::from_shape_fn((n, p), |(i, j)| {
            if j == p - 1 {
                1.0
            } else {
                ((i * (j + 3)) % 7) as f64 - 3.0 + 0.1 * i as f64
            }
        });
        let previous_weights: Vec<f64> = (0..n).map(|i| 0.05 + 0.2 * ((i % 5) as f64)).collect();
        let information = |w: &[f64]| {
            let mut rows = Vec::with_capacity(n * p);
            for (i, &wi) in w.iter().enumerate() {
                rows.extend(x.row(i).iter().map(|v| wi.sqrt() * v));
            }
            gram(&rows, n, p)
        };
        let h0 = information(&previous_weights);
        let previous = PreviousInformation {
            factor: h0.clone().cholesky().expect("positive definite"),
            information: h0,
        };
        let gradient = DVector::from_vec(vec![0.3, -0.2, 0.1]);
        for (case, shrink) in [0.9, 0.6, 0.3, 0.01].into_iter().enumerate() {
            // Every fourth row loses most of its weight; the others keep `max(shrink, 0.55)`.
            let weights: Vec<f64> = previous_weights
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i % 4 == 0 {
                        w * shrink
                    } else {
                        w * shrink.max(0.55)
                    }
                })
                .collect();
            let h = information(&weights);
            let exact = gradient.dot(&h.cholesky().expect("positive definite").solve(&gradient));
            let bound =
                decrement_bound(&previous, &gradient, &weights, &previous_weights, x.view())
                    .expect("a bound");
            assert!(
                bound >= exact * (1.0 - 1e-12),
                "case {case}: bound {bound} < {exact}"
            );
        }
        // A weight that is not a number gives no bound.
        let mut weights = previous_weights.clone();
        weights[3] = f64::NAN;
        assert!(
            decrement_bound(&previous, &gradient, &weights, &previous_weights, x.view()).is_none()
        );
    }
}
