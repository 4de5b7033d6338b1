//! The report's analyses (rapport.yaml `analyser`) → results keys.
//!
//! Analyses are grouped into estimation jobs by (population, group, propensity-score model). A
//! job's outcomes are split by their follow-up (kmatch drops persons with a missing outcome before
//! the propensity-score fit), and each resulting sample is estimated once for every method and
//! kernel any analysis asks of it ([`sample`]), with one bootstrap shared by all of them.
//! Descriptives, balance and the figures' series are computed here too ([`describe`]).

mod deliveries;
mod describe;
pub mod plan;
pub mod sample;

use crate::config::Config;
use crate::dataset::{AnalysisData, outcomes};
use crate::error::InputError;
use crate::estimators::PsModel;
use crate::registers::Registers;
use crate::results::{Coefficient, Provenance, Results, key};
use crate::{calendar, locale};
use anyhow::{Context, Result};
use plan::{Analysis, Group, Population};
use sample::{BandwidthRule, KernelKey, SampleData, Variant};
use std::collections::{BTreeMap, BTreeSet};

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
    let (y, m) = calendar::month_parts(registers.dream.last_month());
    Ok(Provenance {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: env!("EFFEKTRAPPORT_COMMIT").to_string(),
        datakilde: datakilde.to_string(),
        data_fingeraftryk: data.finalize().to_hex().to_string(),
        konfiguration_fingeraftryk: config_fingerprint(config),
        seed: config.analyse.seed,
        bootstrap: config.analyse.bootstrap,
        dream_til: format!("{y}-{m:02}"),
    })
}

/// BLAKE3 fingerprint of the configuration, the code book and the chapter files.
pub fn config_fingerprint(config: &Config) -> String {
    let mut conf = blake3::Hasher::new();
    let mut files = vec![
        config.root.join("rapport.yaml"),
        config.root.join("dream-koder.yaml"),
    ];
    files.extend(config.kapitler.iter().map(|c| config.chapter_path(c)));
    for path in files {
        if let Ok(bytes) = std::fs::read(&path) {
            conf.update(&(bytes.len() as u64).to_le_bytes());
            conf.update(&bytes);
        }
    }
    conf.finalize().to_hex().to_string()
}

/// Runs every analysis of the report.
pub fn run(
    config: &Config,
    registers: &Registers,
    data: &AnalysisData,
    proveniens: Provenance,
) -> Result<Results> {
    let analyses = plan::analyses(config)?;
    let rule = BandwidthRule::parse(&config.analyse.baandbredde).ok_or_else(|| {
        InputError::new(format!(
            "analyse.baandbredde skal være cv, pm eller et positivt tal, ikke «{}»",
            config.analyse.baandbredde
        ))
    })?;
    let mut results = Results {
        proveniens,
        befolkning: data.funnel.clone(),
        estimater: BTreeMap::new(),
        tal: BTreeMap::new(),
        tekster: BTreeMap::new(),
        etiketter: BTreeMap::new(),
        pscore: Vec::new(),
        balance: BTreeMap::new(),
        figurer: BTreeMap::new(),
        diskretion: Vec::new(),
        advarsler: Vec::new(),
    };
    results.tekster.insert(
        "hovedperiode".into(),
        period_text(&results.proveniens.dream_til),
    );
    for (names, labels) in [
        (&data.covariate_names, &data.covariate_labels),
        (&data.descriptive_names, &data.descriptive_labels),
    ] {
        for (name, label) in names.iter().zip(labels.iter()) {
            results.etiketter.insert(name.clone(), label.clone());
        }
    }
    for analysis in &analyses {
        for outcome in &analysis.outcomes {
            if !data.outcome_names.contains(outcome) {
                return Err(InputError::new(format!(
                    "analysen «{}» nævner udfaldet «{outcome}», som analysedatasættet ikke har; udfaldene er: {}",
                    analysis.id,
                    data.outcome_names.join(", ")
                ))
                .into());
            }
        }
    }
    for (job, request) in jobs(&analyses) {
        run_job(config, data, rule, &job, &request, &analyses, &mut results)
            .with_context(|| format!("estimationen for {} fejlede", job.describe()))?;
    }
    describe::all(data, rule, &mut results)?;
    deliveries::tabulate(registers, config.analyse.diskretion, &mut results)?;
    for (code, weeks) in &data.unknown_codes {
        results.advarsler.push(format!(
            "DREAM-koden «{code}» findes ikke i kodebogen ({weeks} personuger); tilføj den i report/dream-koder.yaml"
        ));
    }
    Ok(results)
}

/// "januar–juli 2019": the main outcome period as far as DREAM (ending `dream_til`, `YYYY-MM`) covers it.
fn period_text(dream_til: &str) -> String {
    let last = dream_til
        .split_once('-')
        .and_then(|(y, m)| Some(calendar::month_no(y.parse().ok()?, m.parse().ok()?)))
        .unwrap_or(i32::MAX);
    let period = outcomes::main_period_until(last);
    let ((y0, m0), (y1, m1)) = (
        calendar::month_parts(*period.start()),
        calendar::month_parts(*period.end()),
    );
    let last = locale::maaned(y1, m1);
    if y0 == y1 {
        format!("{}–{last}", locale::maaned_navn(m0).unwrap_or_default())
    } else {
        format!("{}–{last}", locale::maaned(y0, m0))
    }
}

/// An estimation job: the persons (population and group) and the propensity-score model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Job {
    population: Population,
    group: Group,
    pscore: PsModelKey,
}

impl Job {
    fn describe(&self) -> String {
        let population = match self.population {
            Population::Main => "hovedpopulationen",
            Population::Unrestricted => "den ubegrænsede population",
        };
        let model = match self.pscore {
            PsModelKey::Logit => "logit",
            PsModelKey::Probit => "probit",
        };
        format!("gruppen «{}» i {population} ({model})", self.group.key())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PsModelKey {
    Logit,
    Probit,
}

impl PsModelKey {
    fn of(model: PsModel) -> Self {
        match model {
            PsModel::Probit => PsModelKey::Probit,
            _ => PsModelKey::Logit,
        }
    }

    fn model(self) -> PsModel {
        match self {
            PsModelKey::Logit => PsModel::Logit,
            PsModelKey::Probit => PsModel::Probit,
        }
    }
}

/// What a job must estimate: its outcomes.
#[derive(Default)]
struct Request {
    outcomes: BTreeSet<String>,
}

fn jobs(analyses: &[Analysis]) -> BTreeMap<Job, Request> {
    let mut jobs: BTreeMap<Job, Request> = BTreeMap::new();
    for a in analyses {
        for &group in &a.groups {
            let job = Job {
                population: a.population,
                group,
                pscore: PsModelKey::of(a.pscore),
            };
            jobs.entry(job)
                .or_default()
                .outcomes
                .extend(a.outcomes.iter().cloned());
        }
    }
    jobs
}

/// The rows of a job's population and group.
fn job_rows(data: &AnalysisData, job: &Job) -> Vec<usize> {
    let june = calendar::month_no(2018, 6);
    let march = calendar::month_no(2018, 3);
    (0..data.len())
        .filter(|&i| job.population == Population::Unrestricted || data.main_sample[i])
        .filter(|&i| match job.group {
            Group::Alle => true,
            Group::Maend => data.male[i],
            Group::Kvinder => !data.male[i],
            Group::Start2018Juni => data.start_month[i] <= june,
            Group::Start2018Marts => data.start_month[i] <= march,
        })
        .collect()
}

fn run_job(
    config: &Config,
    data: &AnalysisData,
    rule: BandwidthRule,
    job: &Job,
    request: &Request,
    analyses: &[Analysis],
    results: &mut Results,
) -> Result<()> {
    let rows = job_rows(data, job);
    // Outcomes grouped by the persons who have them (their follow-up).
    let mut classes: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for outcome in &request.outcomes {
        let j = data
            .outcome_names
            .iter()
            .position(|o| o == outcome)
            .expect("checked above");
        let present: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| data.outcomes[[i, j]].is_finite())
            .collect();
        classes.entry(present).or_default().push(j);
    }
    let of_job = |a: &&Analysis| {
        a.population == job.population
            && a.groups.contains(&job.group)
            && PsModelKey::of(a.pscore) == job.pscore
    };
    for (sample_rows, columns) in classes {
        let treated = sample_rows.iter().filter(|&&i| data.treated[i]).count();
        if treated == 0 || treated == sample_rows.len() {
            let names: Vec<&str> = columns
                .iter()
                .take(3)
                .map(|&j| data.outcome_names[j].as_str())
                .collect();
            results.advarsler.push(format!(
                "{}: ingen deltagere eller ingen kontrolpersoner har opfølgning på {} …; disse udfald estimeres ikke",
                job.describe(),
                names.join(", ")
            ));
            continue;
        }
        // Only the variants that some analysis needs for an outcome of this sample.
        let names: Vec<&String> = columns.iter().map(|&j| &data.outcome_names[j]).collect();
        let variants: Vec<Variant> = analyses
            .iter()
            .filter(of_job)
            .filter(|a| a.outcomes.iter().any(|o| names.contains(&o)))
            .flat_map(|a| {
                a.methods.iter().map(|&method| Variant {
                    method,
                    kernel: KernelKey::of(a.kernel),
                })
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let x = sample::rows_of(&data.covariates, &sample_rows);
        let y = data
            .outcomes
            .select(ndarray::Axis(0), &sample_rows)
            .select(ndarray::Axis(1), &columns);
        let treat: Vec<bool> = sample_rows.iter().map(|&i| data.treated[i]).collect();
        let strata: Vec<u32> = sample_rows.iter().map(|&i| data.municipality[i]).collect();
        let sample = SampleData {
            x: x.view(),
            names: &data.covariate_names,
            treat: &treat,
            strata: &strata,
            y: y.view(),
        };
        let result = sample::estimate(
            &sample,
            job.pscore.model(),
            &variants,
            rule,
            config.analyse.bootstrap,
            config.analyse.seed,
        )?;
        note_fit(job, &result.fit, sample_rows.len() == rows.len(), results);
        let most_failed = result.failed.iter().copied().max().unwrap_or(0);
        if most_failed > 0 {
            let line = format!(
                "{}: op til {most_failed} af {} bootstrap-replikationer kunne ikke estimeres og indgår ikke i standardfejlen",
                job.describe(),
                config.analyse.bootstrap
            );
            if !results.advarsler.contains(&line) {
                results.advarsler.push(line);
            }
        }
        for analysis in analyses.iter().filter(of_job) {
            for v in &result.variants {
                if !analysis.methods.contains(&v.variant.method)
                    || KernelKey::of(analysis.kernel) != v.variant.kernel
                {
                    continue;
                }
                for (k, &j) in columns.iter().enumerate() {
                    let outcome = &data.outcome_names[j];
                    if !analysis.outcomes.contains(outcome) {
                        continue;
                    }
                    let key = key(
                        &analysis.id,
                        job.group.key(),
                        v.variant.method.number,
                        outcome,
                    );
                    results.estimater.insert(key, v.estimates[k].clone());
                    if let (Some(h), true) = (v.bandwidth, outcome == &analysis.outcomes[0]) {
                        results.tal.insert(
                            format!(
                                "{}.{}.m{}.baandbredde",
                                analysis.id,
                                job.group.key(),
                                v.variant.method.number
                            ),
                            h,
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

/// Records the propensity-score model of the main sample and any separation or omission.
fn note_fit(job: &Job, fit: &crate::estimators::PsFit, complete: bool, results: &mut Results) {
    let main = complete
        && job.population == Population::Main
        && job.group == Group::Alle
        && job.pscore == PsModelKey::Logit;
    // Reported once per job, for the sample with complete follow-up.
    if let (Some(message), true) = (fit.separation_message(), complete) {
        results
            .advarsler
            .push(format!("{}: {message}", job.describe()));
    }
    if main && results.pscore.is_empty() {
        let label = |name: &str| {
            results
                .etiketter
                .get(name)
                .cloned()
                .unwrap_or_else(|| name.to_string())
        };
        let separated: Vec<String> = fit.separation.iter().map(|n| label(n)).collect();
        let omitted: Vec<String> = fit
            .coefficients
            .iter()
            .filter(|c| c.omitted)
            .map(|c| label(&c.name))
            .collect();
        results
            .tekster
            .insert("pscore.separation".into(), separated.join(", "));
        results
            .tekster
            .insert("pscore.udeladt".into(), omitted.join(", "));
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
    }
}
