//! The results store: every printed number under a stable key, written as `resultater.json`.
//!
//! Keys of effect estimates are `<tabel>.<gruppe>.m<metode>.<udfald>`, e.g.
//! `tabel_4_1.alle.m2.beskaeftigelse` (docs/resultater.md). Everything after estimation
//! (tables, prose, figures, diff, status notes) reads from here, never from the estimators.

use crate::dataset::FunnelStep;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One effect estimate as printed in a table cell.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Estimate {
    /// The ATT (share points: 0.05 = 5 percentage points).
    #[serde(deserialize_with = "f64_or_nan")]
    pub est: f64,
    /// Standard error (bootstrap when `analyse.bootstrap` ≥ 2, otherwise analytic).
    #[serde(deserialize_with = "f64_or_nan")]
    pub se: f64,
    /// Two-sided p-value.
    #[serde(deserialize_with = "f64_or_nan")]
    pub p: f64,
    /// Significance stars: `#` p < 0.10, `*` < 0.05, `**` < 0.01, `***` < 0.001.
    pub stjerner: String,
    /// The matched control group's level (the counterfactual mean of the treated).
    #[serde(deserialize_with = "f64_or_nan")]
    pub kontrolniveau: f64,
    /// Relative effect, est / kontrolniveau (printed only when p < 0.10).
    pub rel: Option<f64>,
    /// Persons in the estimation sample.
    pub n: usize,
    /// Treated persons with a match (on support).
    pub n_behandlede: usize,
}

/// Where the numbers come from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// Program version.
    pub version: String,
    /// Git commit the program was built from ("ukendt" outside a git checkout).
    pub commit: String,
    /// Data source: the folder read, or the synthetic registers with their seed.
    pub datakilde: String,
    /// BLAKE3 fingerprint of the input files (names and contents).
    pub data_fingeraftryk: String,
    /// BLAKE3 fingerprint of the configuration and chapter files.
    pub konfiguration_fingeraftryk: String,
    /// Seed of the bootstrap and placebo dates.
    pub seed: u64,
    /// Bootstrap replicates (0 = analytic standard errors).
    pub bootstrap: usize,
    /// Last month covered by DREAM (`YYYY-MM`).
    pub dream_til: String,
    /// The output-control threshold the numbers were published under (`analyse.diskretion`).
    #[serde(default = "crate::config::default_discretion")]
    pub diskretion: usize,
}

/// A coefficient of the propensity-score model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Coefficient {
    /// Covariate.
    pub navn: String,
    /// Estimate (0 when omitted).
    #[serde(deserialize_with = "f64_or_nan")]
    pub est: f64,
    /// Standard error (`null` when omitted).
    pub se: Option<f64>,
    /// Omitted because of collinearity.
    pub udeladt: bool,
}

/// Balance of one variable: means and standardized differences (SDIF, in percent of the pooled
/// raw standard deviation, as kmatch's `summarize`) and variance ratios before and after matching
/// with methods (1) and (2).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BalanceRow {
    /// Variable.
    pub navn: String,
    /// Mean among the treated.
    #[serde(deserialize_with = "f64_or_nan")]
    pub deltagere: f64,
    /// Mean among all controls (before matching).
    #[serde(deserialize_with = "f64_or_nan")]
    pub kontrol: f64,
    /// Standardized difference before matching.
    #[serde(deserialize_with = "f64_or_nan")]
    pub sdif_foer: f64,
    /// Standardized difference after matching with method (1).
    #[serde(deserialize_with = "f64_or_nan")]
    pub sdif_m1: f64,
    /// Standardized difference after matching with method (2).
    #[serde(deserialize_with = "f64_or_nan")]
    pub sdif_m2: f64,
    /// Variance ratio before matching.
    #[serde(deserialize_with = "f64_or_nan")]
    pub vr_foer: f64,
    /// Variance ratio after method (1).
    #[serde(deserialize_with = "f64_or_nan")]
    pub vr_m1: f64,
    /// Variance ratio after method (2).
    #[serde(deserialize_with = "f64_or_nan")]
    pub vr_m2: f64,
}

impl BalanceRow {
    /// The row with every number hidden (NaN, printed "–") for output control: its name stays.
    pub fn hidden(self) -> BalanceRow {
        BalanceRow {
            navn: self.navn,
            deltagere: f64::NAN,
            kontrol: f64::NAN,
            sdif_foer: f64::NAN,
            sdif_m1: f64::NAN,
            sdif_m2: f64::NAN,
            vr_foer: f64::NAN,
            vr_m1: f64::NAN,
            vr_m2: f64::NAN,
        }
    }
}

/// Everything the report prints.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Results {
    /// Provenance stamp.
    pub proveniens: Provenance,
    /// The population funnel, step by step.
    pub befolkning: Vec<FunnelStep>,
    /// Effect estimates by key.
    pub estimater: BTreeMap<String, Estimate>,
    /// Other printed numbers by key (bandwidths, counts, averages), e.g. `pscore.baandbredde`.
    #[serde(deserialize_with = "map_f64_or_nan")]
    pub tal: BTreeMap<String, f64>,
    /// Computed text labels by key, e.g. `hovedperiode` → "januar–juli 2019".
    pub tekster: BTreeMap<String, String>,
    /// Danish labels of the covariates and descriptive variables, by variable name.
    pub etiketter: BTreeMap<String, String>,
    /// Propensity-score model of the main sample.
    pub pscore: Vec<Coefficient>,
    /// Balance of the descriptive variables before and after matching, by group (`alle`, `maend`, `kvinder`).
    pub balance: BTreeMap<String, Vec<BalanceRow>>,
    /// Series behind the figures, by figure id and series name.
    #[serde(deserialize_with = "series_or_nan")]
    pub figurer: BTreeMap<String, BTreeMap<String, Vec<[f64; 2]>>>,
    /// Results keys left out for discretion (cells resting on 1–4 persons, and their complements).
    pub diskretion: Vec<String>,
    /// The output-control log: each hidden cell with its rule and counts. Kept in the results
    /// cache and written to `diskretion.json` for the reviewer, never to `resultater.json`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diskretionslog: Vec<crate::diskretion::Suppressed>,
    /// Warnings a reader of the report should know about (separation, omitted covariates, unknown DREAM codes).
    pub advarsler: Vec<String>,
    /// Effect estimates that are not published, by key, with the reason a reader is given: the
    /// estimation failed (no matched participant, a propensity-score fit that did not converge)
    /// or the cell rests on too few persons. Tables print "–" with the reason in their note.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ikke_estimeret: BTreeMap<String, String>,
}

impl Results {
    /// The estimate under `key`, if any.
    pub fn estimate(&self, key: &str) -> Option<&Estimate> {
        self.estimater.get(key)
    }

    /// The estimate under `key` as a table or figure shows it: the estimate, or why it is not
    /// published; `None` when the results do not know the key at all.
    pub fn published(&self, key: &str) -> Option<Published<'_>> {
        match (self.estimater.get(key), self.ikke_estimeret.get(key)) {
            (Some(e), _) => Some(Published::Estimate(e)),
            (None, Some(reason)) => Some(Published::Missing(reason)),
            (None, None) => None,
        }
    }

    /// Serialises to pretty JSON (deterministic: keys are sorted), as `resultater.json`: without
    /// the output-control log, whose counts stay on the server.
    pub fn to_json(&self) -> anyhow::Result<String> {
        if self.diskretionslog.is_empty() {
            return Ok(serde_json::to_string_pretty(self)?);
        }
        let mut published = self.clone();
        published.diskretionslog.clear();
        Ok(serde_json::to_string_pretty(&published)?)
    }
}

/// Reads a number that may have been written as `null` (JSON has no NaN; serde_json writes NaN,
/// e.g. an undefined standardized difference of a constant variable, as `null`).
fn f64_or_nan<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

/// A map of numbers, any of which may have been written as `null` (NaN), as [`f64_or_nan`].
fn map_f64_or_nan<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, f64>, D::Error> {
    let map = BTreeMap::<String, Option<f64>>::deserialize(deserializer)?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or(f64::NAN)))
        .collect())
}

/// Figure series whose coordinates may have been written as `null` (NaN), as [`f64_or_nan`].
#[allow(clippy::type_complexity)]
fn series_or_nan<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, BTreeMap<String, Vec<[f64; 2]>>>, D::Error> {
    let raw =
        BTreeMap::<String, BTreeMap<String, Vec<[Option<f64>; 2]>>>::deserialize(deserializer)?;
    let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    Ok(raw
        .into_iter()
        .map(|(figure, series)| {
            let series = series
                .into_iter()
                .map(|(name, points)| {
                    let points = points.into_iter().map(|[x, y]| [nan(x), nan(y)]).collect();
                    (name, points)
                })
                .collect();
            (figure, series)
        })
        .collect())
}

/// An effect estimate's cell: the estimate, or the reason it is not published.
#[derive(Debug, Clone, Copy)]
pub enum Published<'a> {
    /// Estimated and published.
    Estimate(&'a Estimate),
    /// Not estimated or hidden, with the reason (`Results::ikke_estimeret`).
    Missing(&'a str),
}

/// The key of an effect estimate: `<tabel>.<gruppe>.m<metode>.<udfald>`.
pub fn key(table: &str, group: &str, method: u8, outcome: &str) -> String {
    format!("{table}.{group}.m{method}.{outcome}")
}
