//! The report's analyses: for each group (all, men, women) one propensity-score fit, the
//! matching methods on it, bootstrap standard errors, and every number stored under its results
//! key. Also the provenance stamp and the series behind the descriptive figures.

use crate::config::Config;
use crate::dataset::{AnalysisData, PROFILE_MONTHS, outcomes};
use crate::estimators::{
    self, BootstrapData, Kernel, MatchingSpec, MethodSpec, PsModel, PsProblem, Units,
    att_estimates, kernel_match, pm_bandwidth,
};
use crate::registers::Registers;
use crate::results::{Coefficient, Estimate, Provenance, Results, key};
use crate::{calendar, locale};
use anyhow::{Context, Result};
use ndarray::{Array2, Axis};
use std::collections::BTreeMap;

/// A matching method of the report, by its number in the tables.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    /// Number in the tables: (1) ridge, (2) ridge with exact matching on municipality.
    pub number: u8,
    /// Match only within the municipality.
    pub exact: bool,
}

/// The methods of the main tables.
pub const MAIN_METHODS: [Method; 2] = [
    Method {
        number: 1,
        exact: false,
    },
    Method {
        number: 2,
        exact: true,
    },
];

/// The provenance stamp of a build.
pub fn provenance(config: &Config, datakilde: &str, registers: &Registers) -> Result<Provenance> {
    let mut data = blake3::Hasher::new();
    for path in &registers.files {
        let bytes =
            std::fs::read(path).with_context(|| format!("kan ikke læse {}", path.display()))?;
        data.update(
            path.file_name()
                .map(|n| n.as_encoded_bytes())
                .unwrap_or_default(),
        );
        data.update(&(bytes.len() as u64).to_le_bytes());
        data.update(&bytes);
    }
    let mut conf = blake3::Hasher::new();
    let mut config_files = vec![
        config.root.join("rapport.yaml"),
        config.root.join("dream-koder.yaml"),
    ];
    config_files.extend(config.kapitler.iter().map(|c| config.chapter_path(c)));
    for path in config_files {
        if let Ok(bytes) = std::fs::read(&path) {
            conf.update(&(bytes.len() as u64).to_le_bytes());
            conf.update(&bytes);
        }
    }
    let (y, m) = calendar::month_parts(registers.dream.last_month());
    Ok(Provenance {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: env!("EFFEKTRAPPORT_COMMIT").to_string(),
        datakilde: datakilde.to_string(),
        data_fingeraftryk: data.finalize().to_hex().to_string(),
        konfiguration_fingeraftryk: conf.finalize().to_hex().to_string(),
        seed: config.analyse.seed,
        bootstrap: config.analyse.bootstrap,
        dream_til: format!("{y}-{m:02}"),
    })
}

/// Runs every analysis of the report.
pub fn run(config: &Config, data: &AnalysisData, proveniens: Provenance) -> Result<Results> {
    let mut results = Results {
        proveniens,
        befolkning: data.funnel.clone(),
        estimater: BTreeMap::new(),
        tal: BTreeMap::new(),
        tekster: BTreeMap::new(),
        pscore: Vec::new(),
        figurer: BTreeMap::new(),
        advarsler: Vec::new(),
    };
    let period = outcomes::main_period();
    let ((y0, m0), (y1, m1)) = (
        calendar::month_parts(*period.start()),
        calendar::month_parts(*period.end()),
    );
    let first = locale::maaned(y0, m0);
    let first_month = first.split(' ').next().unwrap_or_default().to_string();
    let hovedperiode = if y0 == y1 {
        format!("{first_month}–{}", locale::maaned(y1, m1))
    } else {
        format!("{first}–{}", locale::maaned(y1, m1))
    };
    results.tekster.insert("hovedperiode".into(), hovedperiode);
    let groups: [(&str, Box<dyn Fn(usize) -> bool>); 3] = [
        ("alle", Box::new(|_| true)),
        ("maend", Box::new(|i| data.male[i])),
        ("kvinder", Box::new(|i| !data.male[i])),
    ];
    for (group, member) in &groups {
        let rows: Vec<usize> = (0..data.len()).filter(|&i| member(i)).collect();
        let sample = Sample::select(data, &rows);
        let estimates = estimate_group(config, &sample, group, &mut results)
            .with_context(|| format!("estimationen for gruppen «{group}» fejlede"))?;
        for (method, outcome, estimate) in estimates {
            results
                .estimater
                .insert(key("tabel_4_1", group, method, &outcome), estimate);
        }
    }
    for (code, weeks) in &data.unknown_codes {
        results.advarsler.push(format!("DREAM-koden «{code}» findes ikke i kodebogen ({weeks} personuger); tilføj den i report/dream-koder.yaml"));
    }
    results
        .figurer
        .insert("figur_2_3".into(), employment_profile(data));
    Ok(results)
}

/// The rows of one group, as owned matrices.
struct Sample {
    x: Array2<f64>,
    names: Vec<String>,
    treat: Vec<bool>,
    strata: Vec<u32>,
    y: Array2<f64>,
    outcome_names: Vec<String>,
}

impl Sample {
    fn select(data: &AnalysisData, rows: &[usize]) -> Sample {
        Sample {
            x: data.covariates.select(Axis(0), rows),
            names: data.covariate_names.clone(),
            treat: rows.iter().map(|&i| data.treated[i]).collect(),
            strata: rows.iter().map(|&i| data.municipality[i]).collect(),
            y: data.outcomes.select(Axis(0), rows),
            outcome_names: data.outcome_names.clone(),
        }
    }
}

/// One PS fit, the main methods, and bootstrap SEs for one group.
fn estimate_group(
    config: &Config,
    s: &Sample,
    group: &str,
    results: &mut Results,
) -> Result<Vec<(u8, String, Estimate)>> {
    let problem = PsProblem::new(s.x.view(), &s.names, &s.treat, PsModel::Logit)?;
    let fit = problem.fit(None)?;
    if let Some(message) = fit.separation_message() {
        results.advarsler.push(format!("{group}: {message}"));
    }
    if group == "alle" {
        results.pscore = fit
            .coefficients
            .iter()
            .map(|c| Coefficient {
                navn: c.name.clone(),
                est: c.estimate,
                se: (!c.omitted).then_some(c.se),
                udeladt: c.omitted,
            })
            .collect();
        let omitted: Vec<&str> = fit
            .coefficients
            .iter()
            .filter(|c| c.omitted)
            .map(|c| c.name.as_str())
            .collect();
        if !omitted.is_empty() {
            results.advarsler.push(format!(
                "propensity score: udeladt pga. kollinearitet: {}",
                omitted.join(", ")
            ));
        }
    }
    let scores = fit.scores.to_vec();
    let units = Units::new(&s.treat, None, Some(&s.strata))?;
    let mut specs = Vec::new();
    let mut points = Vec::new();
    for method in MAIN_METHODS {
        let u = if method.exact {
            units
        } else {
            units.without_strata()
        };
        let h = pm_bandwidth(&scores, &u)?;
        let spec = MatchingSpec::ridge(Kernel::Epan, h);
        let weighting = kernel_match(&scores, &u, &spec)?;
        let atts = att_estimates(s.y.view(), &u, &weighting)?;
        results
            .tal
            .insert(format!("baandbredde.{group}.m{}", method.number), h);
        specs.push(MethodSpec::Matching {
            spec,
            exact: method.exact,
        });
        points.push((method, weighting.n_treated_matched as usize, atts));
    }
    let boot = if config.analyse.bootstrap >= 2 {
        let data = BootstrapData {
            covariates: s.x.view(),
            covariate_names: &s.names,
            treat: &s.treat,
            strata: Some(&s.strata),
            outcomes: s.y.view(),
            sample: None,
            model: PsModel::Logit,
            start: Some(&fit.coefficient_vector()),
        };
        let b =
            estimators::bootstrap(&data, &specs, config.analyse.bootstrap, config.analyse.seed)?;
        for (t, failed) in b.failed.iter().enumerate() {
            if *failed > 0 {
                results.advarsler.push(format!(
                    "{group}, metode ({}): {failed} bootstrap-replikationer fejlede",
                    MAIN_METHODS[t].number
                ));
            }
        }
        Some(b)
    } else {
        None
    };
    let mut out = Vec::new();
    for (t, (method, matched, atts)) in points.into_iter().enumerate() {
        for (j, att) in atts.iter().enumerate() {
            let (se, p) = match &boot {
                Some(b) => {
                    let se = b.se[t][j];
                    (se, estimators::p_value_normal(att.att, se))
                }
                None => (
                    att.se,
                    estimators::p_value_t(att.att, att.se, att.n as f64 - 1.0),
                ),
            };
            out.push((
                method.number,
                s.outcome_names[j].clone(),
                Estimate {
                    est: att.att,
                    se,
                    p,
                    stjerner: estimators::stars(p).to_string(),
                    kontrolniveau: att.control_mean,
                    rel: locale::rel_effekt(att.att, att.control_mean),
                    n: s.treat.len(),
                    n_behandlede: matched,
                },
            ));
        }
    }
    Ok(out)
}

/// Figur 2.3's series: participants' mean employment rate by month relative to start, by sex.
fn employment_profile(data: &AnalysisData) -> BTreeMap<String, Vec<[f64; 2]>> {
    let mut series = BTreeMap::new();
    for (name, male) in [("maend", true), ("kvinder", false)] {
        let rows: Vec<usize> = (0..data.len())
            .filter(|&i| data.treated[i] && data.male[i] == male)
            .collect();
        let points = (0..data.employment_profile.ncols())
            .filter_map(|k| {
                let values: Vec<f64> = rows
                    .iter()
                    .map(|&i| data.employment_profile[[i, k]])
                    .filter(|v| v.is_finite())
                    .collect();
                (!values.is_empty()).then(|| {
                    [
                        k as f64 - PROFILE_MONTHS as f64,
                        values.iter().sum::<f64>() / values.len() as f64,
                    ]
                })
            })
            .collect();
        series.insert(name.to_string(), points);
    }
    series
}
