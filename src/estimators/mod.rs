//! Estimation core: reproduces Ben Jann's Stata `kmatch` ATT estimators
//! (kernel and ridge propensity-score matching, optionally with exact matching
//! on strata, and inverse probability weighting), as specified in
//! `docs/spec/estimators.md`.
//!
//! The module is self-contained: it uses only `ndarray`, `nalgebra`, `faer`, `statrs`,
//! `rayon`, `rand`, `rand_chacha`, `serde` and `thiserror`.
//!
//! # Layers
//!
//! * [`estimate`] takes an [`EstimateRequest`] (one method, many outcomes) and
//!   returns an [`EstimateReport`] that serializes to the JSON printed by
//!   `effektrapport estimate`.
//! * The lower-level pieces let the report fit one propensity score per sample
//!   and run several methods on it:
//!   [`PsProblem`] (logit/probit fit), [`pm_bandwidth`] / [`cv_bandwidth`],
//!   [`kernel_match`] (kernel and ridge matching, optional exact strata),
//!   [`ipw_weights`], [`att_estimates`] (ATT with kmatch's analytic SE),
//!   [`balance`], [`score_densities`] and [`bootstrap`] (PS re-estimated in every
//!   replicate, bandwidth fixed, several methods per replicate).
//!
//! # Samples
//!
//! Every lower-level function works on one sample described by [`Units`]:
//! treatment indicators, optional frequency weights (multiplicities; a row
//! with weight 0 is not in the sample, so a row mask is a 0/1 weight vector and
//! a bootstrap replicate is a vector of draw counts) and optional
//! exact-matching strata. Outcomes must be complete (finite) on the rows of
//! the sample: like kmatch, which drops units with a missing outcome *before*
//! the propensity-score fit, a caller with outcomes observed on different
//! persons runs the whole pipeline once per sample (one row mask per group of
//! outcome columns with the same missingness).

mod api;
mod balance;
mod bandwidth;
mod bootstrap;
mod columns;
mod density;
mod effects;
mod error;
mod ipw;
mod kernel;
mod matching;
mod newton;
mod propensity;
mod stats;
mod units;

pub use api::{
    BalanceRow, BandwidthRule, EstimateReport, EstimateRequest, Method, OutcomeReport, estimate,
};
pub use balance::{BalanceStats, balance, mean_abs_sdif};
pub use bandwidth::{CvSearch, cv_bandwidth, pm_bandwidth, pm_bandwidth_with};
pub use bootstrap::{
    BootstrapData, BootstrapResult, MethodSpec, bootstrap, bootstrap_with, replicate_counts,
};
pub use density::{DensityCurve, ScoreDensities, score_densities};
pub use effects::{
    AttEstimate, SeKind, Weighting, att_estimates, att_points, p_value_normal, p_value_t, stars,
};
pub use error::EstimError;
pub use ipw::ipw_weights;
pub use kernel::Kernel;
pub use matching::{MatchingKind, MatchingSpec, kernel_match};
pub use propensity::{Coefficient, PsFit, PsModel, PsProblem, PsWorkspace};
pub use units::Units;
