//! Estimation on one sample: one propensity-score fit shared by every method variant, matching
//! weights per variant, analytic estimates, and one bootstrap for all variants together.

use super::plan::Method;
use crate::estimators::{
    self, BandwidthRule, BootstrapData, Kernel, MatchingKind, MatchingSpec, MethodSpec, PsFit,
    PsModel, PsProblem, Units, Weighting, att_estimates, cv_bandwidth, ipw_weights, kernel_match,
    pm_bandwidth,
};
use crate::locale;
use crate::results::Estimate;
use anyhow::{Context, Result};
use ndarray::ArrayView2;
use rayon::prelude::*;

/// A method with its kernel: the unit of estimation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variant {
    /// The method.
    pub method: Method,
    /// The kernel (ignored by IPW).
    pub kernel: Kernel,
}

/// One sample's data: covariates, treatment, strata and complete outcomes.
pub struct SampleData<'a> {
    /// Covariates (n × k).
    pub x: ArrayView2<'a, f64>,
    /// Covariate names.
    pub names: &'a [String],
    /// Treatment.
    pub treat: &'a [bool],
    /// Municipality strata.
    pub strata: &'a [u32],
    /// Outcomes (n × m), finite.
    pub y: ArrayView2<'a, f64>,
}

/// The estimates of one variant on one sample.
pub struct VariantResult {
    /// The variant.
    pub variant: Variant,
    /// Bandwidth (None for IPW).
    pub bandwidth: Option<f64>,
    /// The weighting (for balance and densities).
    pub weighting: Weighting,
    /// One estimate per outcome column.
    pub estimates: Vec<Estimate>,
}

/// The result of one sample.
pub struct SampleResult {
    /// The propensity-score fit.
    pub fit: PsFit,
    /// Per variant.
    pub variants: Vec<VariantResult>,
    /// Failed bootstrap replicates per variant.
    pub failed: Vec<usize>,
    /// The variants that could not be estimated on this sample, with the reason.
    pub not_estimated: Vec<(Variant, String)>,
}

/// Estimates every variant on the sample with bootstrap SEs (`replicates` ≥ 2) or analytic SEs,
/// calling `fit_done` after the point estimates and after each bootstrap replicate (progress).
///
/// A propensity-score fit that fails or does not converge is an error (no variant can be
/// estimated); a variant that cannot be estimated (no participant with a control within the
/// bandwidth, a control with score 1 under IPW) is listed in
/// [`SampleResult::not_estimated`] and the others go on.
pub fn estimate(
    data: &SampleData,
    model: PsModel,
    variants: &[Variant],
    rule: BandwidthRule,
    replicates: usize,
    seed: u64,
    fit_done: &(dyn Fn() + Sync),
) -> Result<SampleResult> {
    let problem = PsProblem::new(data.x, data.names, data.treat, model)?;
    let fit = problem
        .fit(None)
        .context("propensity score-modellen kan ikke estimeres")?;
    if !fit.converged {
        anyhow::bail!(
            "propensity score-modellen konvergerede ikke efter {} iterationer",
            fit.iterations
        );
    }
    let scores = fit.scores.to_vec();
    let units = Units::new(data.treat, None, Some(data.strata))?;
    // The variants are independent (each its own bandwidth search and weights): run them in
    // parallel, collected in their order.
    let estimated: Vec<Result<(VariantResult, MethodSpec)>> = variants
        .par_iter()
        .map(|&variant| estimate_variant(data, &scores, &units, variant, rule))
        .collect();
    let (mut results, mut specs, mut not_estimated) = (Vec::new(), Vec::new(), Vec::new());
    for (&variant, outcome) in variants.iter().zip(estimated) {
        match outcome {
            Ok((result, spec)) => {
                results.push(result);
                specs.push(spec);
            }
            Err(e) => not_estimated.push((variant, format!("{e:#}"))),
        }
    }
    fit_done();
    let mut failed = vec![0; results.len()];
    if replicates >= 2 && specs.is_empty() {
        // Nothing to bootstrap; the replicates count as done.
        (0..replicates).for_each(|_| fit_done());
    } else if replicates >= 2 {
        let boot = estimators::bootstrap_with(
            &BootstrapData {
                covariates: data.x,
                covariate_names: data.names,
                treat: data.treat,
                strata: Some(data.strata),
                outcomes: data.y,
                sample: None,
                model,
                start: Some(&fit.coefficient_vector()),
            },
            &specs,
            replicates,
            seed,
            fit_done,
        )?;
        failed.clone_from(&boot.failed);
        for (t, result) in results.iter_mut().enumerate() {
            for (j, e) in result.estimates.iter_mut().enumerate() {
                e.se = boot.se[t][j];
                e.p = estimators::p_value_normal(e.est, e.se);
                e.stjerner = estimators::stars(e.p).to_string();
            }
        }
    }
    Ok(SampleResult {
        fit,
        variants: results,
        failed,
        not_estimated,
    })
}

/// One variant's bandwidth, weights and analytic estimates on the sample.
fn estimate_variant(
    data: &SampleData,
    scores: &[f64],
    units: &Units,
    variant: Variant,
    rule: BandwidthRule,
) -> Result<(VariantResult, MethodSpec)> {
    let u = if variant.method.exact {
        *units
    } else {
        units.without_strata()
    };
    let (weighting, spec) = match variant.method.kind {
        estimators::Method::Ipw => (ipw_weights(scores, &u)?, MethodSpec::Ipw),
        kind => {
            let matching_kind = match kind {
                estimators::Method::Ridge => MatchingKind::Ridge {
                    ridge: variant.kernel.default_ridge(),
                },
                _ => MatchingKind::Kernel,
            };
            let kernel = variant.kernel;
            let h = match rule {
                BandwidthRule::Pm => pm_bandwidth(scores, &u)?,
                BandwidthRule::Cv => cv_bandwidth(scores, &u, kernel, matching_kind)?.bandwidth,
                BandwidthRule::Fixed(h) => h,
            };
            let spec = MatchingSpec {
                kernel,
                kind: matching_kind,
                bandwidth: h,
            };
            (
                kernel_match(scores, &u, &spec)?,
                MethodSpec::Matching {
                    spec,
                    exact: variant.method.exact,
                },
            )
        }
    };
    let atts = att_estimates(data.y, &u, &weighting)?;
    let n = data.treat.len();
    let matched = weighting.n_treated_matched as usize;
    let estimates = atts
        .iter()
        .map(|a| {
            let p = estimators::p_value_t(a.att, a.se, a.n as f64 - 1.0);
            Estimate {
                est: a.att,
                se: a.se,
                p,
                stjerner: estimators::stars(p).to_string(),
                kontrolniveau: a.control_mean,
                rel: locale::rel_effekt(a.att, a.control_mean),
                n,
                n_behandlede: matched,
            }
        })
        .collect();
    Ok((
        VariantResult {
            variant,
            bandwidth: weighting.bandwidth,
            weighting,
            estimates,
        },
        spec,
    ))
}
