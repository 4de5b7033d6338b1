//! High-level API: one method on one sample, many outcomes
//! (`effektrapport estimate`). [`estimate`] fits the propensity score, selects
//! the bandwidth, computes the weights, the ATT of every outcome with its
//! analytic (or bootstrap) SE, and the covariate balance.
//!
//! The sample is the rows with finite covariates and finite values of **all**
//! outcomes (kmatch's `markout` before the PS fit). To use every person's data
//! for outcomes observed on different persons, call [`estimate`] once per
//! group of outcome columns with the same missingness.

use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use super::balance::balance;
use super::bandwidth::{cv_bandwidth, pm_bandwidth};
use super::bootstrap::{BootstrapData, BootstrapResult, MethodSpec, bootstrap};
use super::effects::{
    AttEstimate, SeKind, Weighting, att_estimates, p_value_normal, p_value_t, stars,
};
use super::error::EstimError;
use super::ipw::ipw_weights;
use super::kernel::Kernel;
use super::matching::{MatchingKind, MatchingSpec, kernel_match};
use super::propensity::{PsFit, PsModel, PsProblem};
use super::units::Units;

/// The ATT estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Ridge matching with the kernel's default ridge parameter.
    Ridge,
    /// Kernel matching.
    Kernel,
    /// Inverse probability weighting (no kernel, bandwidth or strata).
    Ipw,
}

/// How the bandwidth is chosen for kernel and ridge matching.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BandwidthRule {
    /// kmatch's default pair-matching rule (q = 0.90, factor 1.5).
    Pm,
    /// Mean-PS balance cross-validation (kmatch `bwidth(cv)`).
    Cv,
    /// A given bandwidth.
    Fixed(f64),
}

impl BandwidthRule {
    /// Parses `pm`, `cv` or a positive number (`analyse.baandbredde`, `--bandwidth`).
    pub fn parse(text: &str) -> Option<BandwidthRule> {
        match text {
            "pm" => Some(BandwidthRule::Pm),
            "cv" => Some(BandwidthRule::Cv),
            n => n
                .parse::<f64>()
                .ok()
                .filter(|h| *h > 0.0 && h.is_finite())
                .map(BandwidthRule::Fixed),
        }
    }
}

/// Everything [`estimate`] needs. Rows are persons; `covariates` is n × k
/// (no constant), `outcomes` is n × m (NaN = not observed).
#[derive(Debug, Clone)]
pub struct EstimateRequest {
    /// PS covariates, n × k.
    pub covariates: Array2<f64>,
    /// Names of the k covariates.
    pub covariate_names: Vec<String>,
    /// Treatment indicator, n.
    pub treatment: Vec<bool>,
    /// Outcomes, n × m.
    pub outcomes: Array2<f64>,
    /// Names of the m outcomes.
    pub outcome_names: Vec<String>,
    /// Exact-matching strata (n), or None.
    pub strata: Option<Vec<u32>>,
    /// Name of the exact-matching variable (reported as `exact`).
    pub exact_name: Option<String>,
    /// Estimator.
    pub method: Method,
    /// Kernel for kernel/ridge matching.
    pub kernel: Kernel,
    /// Bandwidth rule for kernel/ridge matching.
    pub bandwidth: BandwidthRule,
    /// PS model.
    pub pscore: PsModel,
    /// Number of bootstrap replicates, or None for analytic SEs.
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap draws.
    pub seed: u64,
}

/// Result of [`estimate`]; serializes to the `effektrapport estimate` JSON.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateReport {
    /// Sample size.
    pub n: u64,
    /// Treated in the sample.
    pub n_treated: u64,
    /// Controls in the sample.
    pub n_controls: u64,
    /// The fitted propensity-score model.
    pub pscore: PsFit,
    /// Estimator.
    pub method: Method,
    /// Kernel (null for IPW).
    pub kernel: Option<Kernel>,
    /// Bandwidth used (null for IPW).
    pub bandwidth: Option<f64>,
    /// Exact-matching variable (null if none).
    pub exact: Option<String>,
    /// One entry per outcome.
    pub outcomes: Vec<OutcomeReport>,
    /// One entry per covariate.
    pub balance: Vec<BalanceRow>,
}

/// The ATT of one outcome.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeReport {
    /// Outcome name.
    pub name: String,
    /// ATT estimate.
    pub att: f64,
    /// Mean of the matched treated.
    pub treated_mean: f64,
    /// Counterfactual (weighted control) mean.
    pub control_mean: f64,
    /// Standard error.
    pub se: f64,
    /// Analytic or bootstrap.
    pub se_kind: SeKind,
    /// Two-sided p-value (t(n − 1) for analytic, normal for bootstrap).
    pub p: f64,
    /// Significance stars.
    pub stars: String,
    /// Matched treated units.
    pub n_treated_matched: u64,
    /// Controls used as matches.
    pub n_controls_used: u64,
    /// Failed bootstrap replicates (0 without bootstrap).
    pub bootstrap_failed: usize,
}

/// Balance of one covariate (raw means, SDIF and variance ratios).
#[derive(Debug, Clone, Serialize)]
pub struct BalanceRow {
    /// Covariate name.
    pub name: String,
    /// Raw treated mean.
    pub mean_treated: f64,
    /// Raw control mean.
    pub mean_control: f64,
    /// Standardised difference before matching.
    pub sdif_before: f64,
    /// Standardised difference after matching.
    pub sdif_after: f64,
    /// Variance ratio before matching.
    pub vr_before: f64,
    /// Variance ratio after matching.
    pub vr_after: f64,
}

/// The sample of a request, compacted to the complete rows.
struct SampleData {
    covariates: Array2<f64>,
    treat: Vec<bool>,
    strata: Option<Vec<u32>>,
    outcomes: Array2<f64>,
}

/// Runs one estimator on one sample (see the module docs).
pub fn estimate(req: &EstimateRequest) -> Result<EstimateReport, EstimError> {
    let sample = complete_rows(req)?;
    let strata = if req.method == Method::Ipw {
        None
    } else {
        sample.strata.as_deref()
    };
    let units = Units::new(&sample.treat, None, strata)?;
    let fit = PsProblem::new(
        sample.covariates.view(),
        &req.covariate_names,
        &sample.treat,
        req.pscore,
    )?
    .fit(None)?;
    let scores = fit.scores.to_vec();
    let (weighting, method) = weigh(req, &scores, &units)?;
    let estimates = att_estimates(sample.outcomes.view(), &units, &weighting)?;
    let boot = match req.bootstrap {
        Some(replicates) => {
            let start = fit.coefficient_vector();
            let data = BootstrapData {
                covariates: sample.covariates.view(),
                covariate_names: &req.covariate_names,
                treat: &sample.treat,
                strata,
                outcomes: sample.outcomes.view(),
                sample: None,
                model: req.pscore,
                start: Some(&start),
            };
            Some(bootstrap(&data, &[method], replicates, req.seed)?)
        }
        None => None,
    };
    let outcomes = outcome_reports(req, &estimates, &weighting, boot.as_ref());
    let balance = balance(
        sample.covariates.view(),
        &req.covariate_names,
        &units,
        &weighting,
    )?
    .into_iter()
    .map(|b| BalanceRow {
        name: b.name,
        mean_treated: b.mean_treated,
        mean_control: b.mean_control,
        sdif_before: b.sdif_before,
        sdif_after: b.sdif_after,
        vr_before: b.vr_before,
        vr_after: b.vr_after,
    })
    .collect();
    let matching = req.method != Method::Ipw;
    Ok(EstimateReport {
        n: units.n(),
        n_treated: weighting.n_treated,
        n_controls: weighting.n_controls,
        pscore: fit,
        method: req.method,
        kernel: matching.then_some(req.kernel),
        bandwidth: weighting.bandwidth,
        exact: strata.map(|_| req.exact_name.clone().unwrap_or_else(|| "strata".into())),
        outcomes,
        balance,
    })
}

/// Validates the request and keeps the rows with finite covariates and outcomes.
fn complete_rows(req: &EstimateRequest) -> Result<SampleData, EstimError> {
    let n = req.treatment.len();
    let check = |what, expected: usize, got: usize| {
        if got == expected {
            Ok(())
        } else {
            Err(EstimError::LengthMismatch {
                what,
                expected,
                got,
            })
        }
    };
    check("covariate rows", n, req.covariates.nrows())?;
    check("outcome rows", n, req.outcomes.nrows())?;
    check(
        "covariate names",
        req.covariates.ncols(),
        req.covariate_names.len(),
    )?;
    check(
        "outcome names",
        req.outcomes.ncols(),
        req.outcome_names.len(),
    )?;
    if let Some(s) = &req.strata {
        check("exact-matching strata", n, s.len())?;
    }
    if req.outcomes.ncols() == 0 {
        return Err(EstimError::InvalidArgument("ingen udfaldsvariable".into()));
    }
    let finite = |row: ndarray::ArrayView1<f64>| row.iter().all(|v| v.is_finite());
    let rows: Vec<usize> = (0..n)
        .filter(|&i| finite(req.covariates.row(i)) && finite(req.outcomes.row(i)))
        .collect();
    if rows.is_empty() {
        return Err(EstimError::EmptySample);
    }
    let treat: Vec<bool> = rows.iter().map(|&i| req.treatment[i]).collect();
    if !treat.iter().any(|&t| t) {
        return Err(EstimError::NoTreated);
    }
    if treat.iter().all(|&t| t) {
        return Err(EstimError::NoControls);
    }
    Ok(SampleData {
        covariates: req.covariates.select(Axis(0), &rows),
        strata: req
            .strata
            .as_ref()
            .map(|s| rows.iter().map(|&i| s[i]).collect()),
        outcomes: req.outcomes.select(Axis(0), &rows),
        treat,
    })
}

/// Bandwidth and weights of the requested method.
fn weigh(
    req: &EstimateRequest,
    scores: &[f64],
    units: &Units,
) -> Result<(Weighting, MethodSpec), EstimError> {
    let kind = match req.method {
        Method::Ipw => return Ok((ipw_weights(scores, units)?, MethodSpec::Ipw)),
        Method::Ridge => MatchingKind::Ridge {
            ridge: req.kernel.default_ridge(),
        },
        Method::Kernel => MatchingKind::Kernel,
    };
    let bandwidth = match req.bandwidth {
        BandwidthRule::Pm => pm_bandwidth(scores, units)?,
        BandwidthRule::Cv => cv_bandwidth(scores, units, req.kernel, kind)?.bandwidth,
        BandwidthRule::Fixed(h) => h,
    };
    let spec = MatchingSpec {
        kernel: req.kernel,
        kind,
        bandwidth,
    };
    let exact = units.has_strata();
    Ok((
        kernel_match(scores, units, &spec)?,
        MethodSpec::Matching { spec, exact },
    ))
}

fn outcome_reports(
    req: &EstimateRequest,
    estimates: &[AttEstimate],
    weighting: &Weighting,
    boot: Option<&BootstrapResult>,
) -> Vec<OutcomeReport> {
    estimates
        .iter()
        .enumerate()
        .map(|(j, e)| {
            let (se, se_kind, p, failed) = match boot {
                Some(b) => {
                    let se = b.se[0][j];
                    (
                        se,
                        SeKind::Bootstrap,
                        p_value_normal(e.att, se),
                        b.failed[0],
                    )
                }
                None => (
                    e.se,
                    SeKind::Analytic,
                    p_value_t(e.att, e.se, e.n as f64 - 1.0),
                    0,
                ),
            };
            OutcomeReport {
                name: req.outcome_names[j].clone(),
                att: e.att,
                treated_mean: e.treated_mean,
                control_mean: e.control_mean,
                se,
                se_kind,
                p,
                stars: stars(p).to_string(),
                n_treated_matched: weighting.n_treated_matched,
                n_controls_used: weighting.n_controls_used,
                bootstrap_failed: failed,
            }
        })
        .collect()
}
