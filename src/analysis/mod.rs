//! The report's analyses (rapport.yaml `analyser`) → results keys.
//!
//! Analyses are grouped into estimation jobs by (population, group, propensity-score model). A
//! job's outcomes are split by their follow-up (kmatch drops persons with a missing outcome before
//! the propensity-score fit), and each resulting sample is estimated once for every method and
//! kernel any analysis asks of it ([`sample`]), with one bootstrap shared by all of them.
//! Descriptives, balance and the figures' series are computed here too ([`describe`]).
//!
//! The results come in parts that [`crate::cache`] stores separately: one per analysis
//! ([`analysis_parts`]), the descriptive numbers ([`description_part`]), the deliveries
//! ([`deliveries_part`]) and the data's own facts ([`data_part`]); [`assemble`] joins them into
//! the results of the build in a fixed order.

mod deliveries;
mod describe;
pub mod plan;
pub mod sample;

use crate::config::Config;
use crate::dataset::{AnalysisData, outcomes};
use crate::error::InputError;
use crate::estimators::{BandwidthRule, PsModel};
use crate::registers::Registers;
use crate::results::{Coefficient, Provenance, Results, key};
use crate::{calendar, locale};
use anyhow::{Context, Result};
use plan::{Analysis, Group, Population};
use sample::{SampleData, Variant};
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
        diskretion: config.analyse.diskretion,
    })
}

/// BLAKE3 fingerprint of the configuration, the code book and the chapter files.
pub fn config_fingerprint(config: &Config) -> String {
    let mut conf = blake3::Hasher::new();
    let mut files = vec![config.path.clone(), config.codebook_path()];
    files.extend(config.kapitler.iter().map(|c| config.chapter_path(c)));
    for path in files {
        if let Ok(bytes) = std::fs::read(&path) {
            conf.update(&(bytes.len() as u64).to_le_bytes());
            conf.update(&bytes);
        }
    }
    conf.finalize().to_hex().to_string()
}

/// A results store with nothing in it yet: the container of one cached part ([`crate::cache`]).
/// Parts other than [`data_part`] carry this blank provenance; [`assemble`] writes the real one.
pub fn empty_results() -> Results {
    Results {
        proveniens: Provenance {
            version: String::new(),
            commit: String::new(),
            datakilde: String::new(),
            data_fingeraftryk: String::new(),
            konfiguration_fingeraftryk: String::new(),
            seed: 0,
            bootstrap: 0,
            dream_til: String::new(),
            diskretion: 0,
        },
        befolkning: Vec::new(),
        estimater: BTreeMap::new(),
        tal: BTreeMap::new(),
        tekster: BTreeMap::new(),
        etiketter: BTreeMap::new(),
        pscore: Vec::new(),
        balance: BTreeMap::new(),
        figurer: BTreeMap::new(),
        diskretion: Vec::new(),
        diskretionslog: Vec::new(),
        advarsler: Vec::new(),
        ikke_estimeret: BTreeMap::new(),
    }
}

/// The bandwidth rule of the configuration (`analyse.baandbredde`).
pub fn bandwidth_rule(config: &Config) -> Result<BandwidthRule> {
    BandwidthRule::parse(&config.analyse.baandbredde).ok_or_else(|| {
        InputError::new(format!(
            "{}: analyse.baandbredde skal være cv, pm eller et positivt tal, ikke «{}»",
            config.path.display(),
            config.analyse.baandbredde
        ))
        .into()
    })
}

/// Checks the analyses of the configuration without data: methods, groups, populations, models,
/// kernels, the bandwidth rule, and that no id is used twice.
pub fn check(config: &Config) -> Result<Vec<Analysis>> {
    let analyses = plan::analyses(config)?;
    bandwidth_rule(config)?;
    let mut seen = BTreeSet::new();
    for a in &analyses {
        if !seen.insert(a.id.as_str()) {
            return Err(InputError::new(format!(
                "{}: analysen «{}» står mere end én gang under `analyser`; giv hver analyse sit eget id",
                config.path.display(),
                a.id
            ))
            .into());
        }
    }
    Ok(analyses)
}

/// The data part of the results: the provenance of the data (fingerprint, DREAM's last month),
/// the population funnel, the variables' labels, the main outcome period and unknown DREAM codes.
pub fn data_part(
    config: &Config,
    datakilde: &str,
    registers: &Registers,
    data: &AnalysisData,
) -> Result<Results> {
    let mut results = empty_results();
    results.proveniens = provenance(config, datakilde, registers)?;
    results.befolkning = describe::published_funnel(&data.funnel, config.analyse.diskretion).0;
    results.tekster.insert(
        "hovedperiode".into(),
        period_text(&results.proveniens.dream_til),
    );
    results.etiketter = labels(data);
    for (code, weeks) in &data.unknown_codes {
        results.advarsler.push(format!(
            "DREAM-koden «{code}» findes ikke i kodebogen ({weeks} personuger); tilføj den i report/dream-koder.yaml"
        ));
    }
    Ok(results)
}

/// The descriptive part: funnel counts, Tabel 3.1, balance, densities and the profile figures'
/// series ([`describe`]). Depends on the data and the bandwidth rule only.
pub fn description_part(config: &Config, data: &AnalysisData) -> Result<Results> {
    let mut results = empty_results();
    describe::all(
        data,
        bandwidth_rule(config)?,
        config.analyse.diskretion,
        &mut results,
    )?;
    Ok(results)
}

/// The deliveries part (Tabel 2.1 under disclosure control). Depends on the registers and
/// `analyse.diskretion` only.
pub fn deliveries_part(config: &Config, registers: &Registers) -> Result<Results> {
    let mut results = empty_results();
    deliveries::tabulate(registers, config.analyse.diskretion, &mut results)?;
    Ok(results)
}

/// The Danish labels of the covariates and descriptive variables.
fn labels(data: &AnalysisData) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    for (names, texts) in [
        (&data.covariate_names, &data.covariate_labels),
        (&data.descriptive_names, &data.descriptive_labels),
    ] {
        for (name, label) in names.iter().zip(texts.iter()) {
            labels.insert(name.clone(), label.clone());
        }
    }
    labels
}

/// Runs the analyses of the configuration numbered `wanted` (indices into `config.analyser`) and
/// returns each one's results, by index.
///
/// Only the estimation jobs these analyses need are run, and in a job only their outcomes and
/// methods. Each analysis's part is built from its own outcomes and methods alone (its estimates,
/// bandwidths and warnings), and every estimate depends only on its own sample, method and
/// outcome (one propensity fit and one bootstrap, seeded by `analyse.seed`, per sample), so an
/// analysis gives the same results whether it runs alone or together with others. This is what
/// lets [`crate::cache`] store and serve each analysis on its own.
pub fn analysis_parts(
    config: &Config,
    data: &AnalysisData,
    wanted: &[usize],
) -> Result<BTreeMap<usize, Results>> {
    analysis_parts_with(config, data, wanted, &Untracked)
}

/// Receives the progress of the estimation, from any thread, in units of work: one unit is one
/// person in one propensity-score fit with its matching (a sample of n persons with B bootstrap
/// replicates is n·(B + 1) units), so every unit takes about the same time and the time left can
/// be told from the units done.
pub trait Tracker: Sync {
    /// The work of the whole estimation, before it starts.
    fn total(&self, units: u64);
    /// A job (a group of persons and a propensity-score model) starts.
    fn job(&self, what: &str);
    /// `units` more units are done.
    fn done(&self, units: u64);
}

/// No progress reported.
pub struct Untracked;

impl Tracker for Untracked {
    fn total(&self, _: u64) {}
    fn job(&self, _: &str) {}
    fn done(&self, _: u64) {}
}

/// [`analysis_parts`], reporting progress to `tracker`.
pub fn analysis_parts_with(
    config: &Config,
    data: &AnalysisData,
    wanted: &[usize],
    tracker: &dyn Tracker,
) -> Result<BTreeMap<usize, Results>> {
    let analyses = check(config)?;
    let rule = bandwidth_rule(config)?;
    let chosen: Vec<(usize, &Analysis)> = wanted
        .iter()
        .filter_map(|&i| analyses.get(i).map(|a| (i, a)))
        .collect();
    for (_, analysis) in &chosen {
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
    let labels = labels(data);
    let mut parts: BTreeMap<usize, Results> = chosen
        .iter()
        .map(|&(i, _)| {
            let mut part = empty_results();
            // The labels name separated covariates in the propensity-score texts.
            part.etiketter.clone_from(&labels);
            (i, part)
        })
        .collect();
    let planned: Vec<(Job, Vec<Sample>)> = jobs(chosen.iter().map(|&(_, a)| a))
        .into_iter()
        .map(|(job, request)| {
            let samples = samples(data, &job, &request, &analyses_of(&job, &chosen));
            (job, samples)
        })
        .collect();
    let fits = fits_per_sample(config);
    tracker.total(
        planned
            .iter()
            .flat_map(|(_, samples)| samples)
            .map(|sample| sample.work(fits))
            .sum(),
    );
    for (job, samples) in planned {
        tracker.job(&job.describe());
        run_job(
            config, data, rule, &job, samples, &chosen, &mut parts, tracker,
        )
        .with_context(|| format!("estimationen for {} fejlede", job.describe()))?;
    }
    for part in parts.values_mut() {
        // The labels belong to the data part.
        part.etiketter.clear();
    }
    Ok(parts)
}

/// The parts of a build's results, as computed or read from the cache.
pub struct Parts {
    /// [`data_part`].
    pub data: Results,
    /// [`description_part`].
    pub description: Results,
    /// [`deliveries_part`].
    pub deliveries: Results,
    /// One part per analysis, in the order of `config.analyser`.
    pub analyses: Vec<Results>,
}

/// The results of the build from its parts. The order is fixed (analyses in the configuration's
/// order, then the descriptive numbers, the deliveries and the data), so the same parts give the
/// same `resultater.json` whether they were computed in this build or read from the cache.
pub fn assemble(config: &Config, datakilde: &str, parts: Parts) -> Results {
    let Parts {
        data,
        description,
        deliveries,
        analyses,
    } = parts;
    let mut results = empty_results();
    results.proveniens = Provenance {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: env!("EFFEKTRAPPORT_COMMIT").to_string(),
        datakilde: datakilde.to_string(),
        data_fingeraftryk: data.proveniens.data_fingeraftryk.clone(),
        konfiguration_fingeraftryk: config_fingerprint(config),
        seed: config.analyse.seed,
        bootstrap: config.analyse.bootstrap,
        dream_til: data.proveniens.dream_til.clone(),
        diskretion: config.analyse.diskretion,
    };
    results.befolkning = data.befolkning.clone();
    results.etiketter = data.etiketter.clone();
    let mut warnings = Vec::new();
    for part in analyses.into_iter().chain([description, deliveries, data]) {
        results.estimater.extend(part.estimater);
        results.tal.extend(part.tal);
        results.tekster.extend(part.tekster);
        // Labels a part defines for its own rows (Tabel 2.1's municipalities).
        results.etiketter.extend(part.etiketter);
        if results.pscore.is_empty() {
            // The same fit (main sample, logit) in every analysis that has it.
            results.pscore = part.pscore;
        }
        results.balance.extend(part.balance);
        results.figurer.extend(part.figurer);
        results.diskretion.extend(part.diskretion);
        results.diskretionslog.extend(part.diskretionslog);
        results.ikke_estimeret.extend(part.ikke_estimeret);
        warnings.extend(part.advarsler);
    }
    for warning in warnings {
        if !results.advarsler.contains(&warning) {
            results.advarsler.push(warning);
        }
    }
    results
}

/// Runs every analysis of the report, without the cache.
pub fn run(
    config: &Config,
    registers: &Registers,
    data: &AnalysisData,
    datakilde: &str,
) -> Result<Results> {
    let all: Vec<usize> = (0..config.analyser.len()).collect();
    let analyses = analysis_parts(config, data, &all)?.into_values().collect();
    Ok(assemble(
        config,
        datakilde,
        Parts {
            data: data_part(config, datakilde, registers, data)?,
            description: description_part(config, data)?,
            deliveries: deliveries_part(config, registers)?,
            analyses,
        },
    ))
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
    pscore: PsModel,
}

impl Job {
    fn describe(&self) -> String {
        let population = match self.population {
            Population::Main => "hovedpopulationen",
            Population::Unrestricted => "den ubegrænsede population",
        };
        let model = match self.pscore {
            PsModel::Logit => "logit",
            PsModel::Probit => "probit",
        };
        format!("gruppen «{}» i {population} ({model})", self.group.key())
    }
}

/// What a job must estimate: its outcomes.
#[derive(Default)]
struct Request {
    outcomes: BTreeSet<String>,
}

fn jobs<'a>(analyses: impl IntoIterator<Item = &'a Analysis>) -> BTreeMap<Job, Request> {
    let mut jobs: BTreeMap<Job, Request> = BTreeMap::new();
    for a in analyses {
        for &group in &a.groups {
            let job = Job {
                population: a.population,
                group,
                pscore: a.pscore,
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

/// The propensity-score fits of a sample: the point estimate's and one per bootstrap replicate
/// (none with analytic SEs, B < 2).
fn fits_per_sample(config: &Config) -> u64 {
    match config.analyse.bootstrap {
        b if b >= 2 => b as u64 + 1,
        _ => 1,
    }
}

/// One sample of a job: the persons with follow-up on a group of its outcomes, those outcomes'
/// columns, and the method variants that the job's analyses need for them.
struct Sample {
    rows: Vec<usize>,
    columns: Vec<usize>,
    variants: Vec<Variant>,
}

/// The work of one variant relative to a propensity-score refit, per person and fit (measured
/// at scale 10: a refit costs about as much as the matching of five variants).
const FIT_WORK: u64 = 5;

impl Sample {
    /// The sample's estimation work in [`Tracker`] units: persons × fits × (the refit and
    /// each variant's matching).
    fn work(&self, fits: u64) -> u64 {
        self.rows.len() as u64 * fits * (FIT_WORK + self.variants.len() as u64)
    }
}

/// The analyses among `analyses` that belong to `job`.
fn analyses_of<'a>(job: &Job, analyses: &[(usize, &'a Analysis)]) -> Vec<(usize, &'a Analysis)> {
    analyses
        .iter()
        .copied()
        .filter(|(_, a)| {
            a.population == job.population
                && a.groups.contains(&job.group)
                && a.pscore == job.pscore
        })
        .collect()
}

/// The samples of a job: its outcomes grouped by the persons who have them (their follow-up),
/// each with the variants that the analyses `of_job` need for its outcomes.
fn samples(
    data: &AnalysisData,
    job: &Job,
    request: &Request,
    of_job: &[(usize, &Analysis)],
) -> Vec<Sample> {
    let rows = job_rows(data, job);
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
    classes
        .into_iter()
        .map(|(rows, columns)| {
            let variants = of_job
                .iter()
                .filter(|(_, a)| {
                    columns
                        .iter()
                        .any(|&j| a.outcomes.contains(&data.outcome_names[j]))
                })
                .flat_map(|(_, a)| variants_of(a))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            Sample {
                rows,
                columns,
                variants,
            }
        })
        .collect()
}

/// Runs one job (its `samples`) for the analyses in `analyses` that belong to it, into their
/// parts.
#[allow(clippy::too_many_arguments)]
fn run_job(
    config: &Config,
    data: &AnalysisData,
    rule: BandwidthRule,
    job: &Job,
    samples: Vec<Sample>,
    analyses: &[(usize, &Analysis)],
    parts: &mut BTreeMap<usize, Results>,
    tracker: &dyn Tracker,
) -> Result<()> {
    let rows = job_rows(data, job);
    let of_job = analyses_of(job, analyses);
    for sample in samples {
        let work = sample.work(fits_per_sample(config));
        let Sample {
            rows: sample_rows,
            columns,
            variants,
        } = sample;
        let names: Vec<&String> = columns.iter().map(|&j| &data.outcome_names[j]).collect();
        // The analyses with an outcome in this sample, and those outcomes.
        let members: Vec<(usize, &Analysis, Vec<&String>)> = of_job
            .iter()
            .map(|&(i, a)| {
                let own: Vec<&String> = names
                    .iter()
                    .copied()
                    .filter(|n| a.outcomes.contains(n))
                    .collect();
                (i, a, own)
            })
            .filter(|(_, _, own)| !own.is_empty())
            .collect();
        let treated = sample_rows.iter().filter(|&&i| data.treated[i]).count();
        if treated == 0 || treated == sample_rows.len() {
            tracker.done(work);
            let reason = "ingen deltagere eller ingen kontrolpersoner har opfølgning på udfaldet";
            for (i, analysis, own) in &members {
                not_estimated(part(parts, *i), analysis, job, own, None, reason);
            }
            continue;
        }
        let x = data.covariates.rows(&sample_rows);
        let y = data.outcomes.submatrix(&sample_rows, &columns);
        let treat: Vec<bool> = sample_rows.iter().map(|&i| data.treated[i]).collect();
        let strata: Vec<u32> = sample_rows.iter().map(|&i| data.municipality[i]).collect();
        let sample = SampleData {
            x: x.view(),
            names: &data.covariate_names,
            treat: &treat,
            strata: &strata,
            y: y.view(),
        };
        let estimated = sample::estimate(
            &sample,
            job.pscore,
            &variants,
            rule,
            config.analyse.bootstrap,
            config.analyse.seed,
            &|| tracker.done(work / fits_per_sample(config)),
        );
        let result = match estimated {
            Ok(result) => result,
            Err(e) => {
                // The sample's propensity-score fit failed: its cells are not estimated, the
                // rest of the report goes on.
                let reason = format!("{e:#}");
                for (i, analysis, own) in &members {
                    not_estimated(part(parts, *i), analysis, job, own, None, &reason);
                }
                continue;
            }
        };
        let complete = sample_rows.len() == rows.len();
        let threshold = config.analyse.diskretion;
        for (i, analysis, own) in &members {
            let results = part(parts, *i);
            note_fit(job, &result.fit, complete, results);
            for (variant, reason) in &result.not_estimated {
                if variants_of(analysis).contains(variant) {
                    not_estimated(results, analysis, job, own, Some(variant), reason);
                }
            }
            let mine = variants_of(analysis);
            let most_failed = result
                .variants
                .iter()
                .zip(&result.failed)
                .filter(|(v, _)| mine.contains(&v.variant))
                .map(|(_, &failed)| failed)
                .max()
                .unwrap_or(0);
            if most_failed > 0 {
                push_unique(
                    &mut results.advarsler,
                    format!(
                        "{}, {}: op til {most_failed} af {} bootstrap-replikationer kunne ikke estimeres og indgår ikke i standardfejlen",
                        analysis.id,
                        job.describe(),
                        config.analyse.bootstrap
                    ),
                );
            }
            for v in result.variants.iter().filter(|v| mine.contains(&v.variant)) {
                let (matched, used) = (
                    v.weighting.n_treated_matched as usize,
                    v.weighting.n_controls_used as usize,
                );
                if matched < threshold || used < threshold {
                    // Output control: an effect rests on its matched participants and the
                    // controls they are compared with.
                    hide_estimates(
                        results,
                        analysis,
                        job,
                        own,
                        &v.variant,
                        (matched, used),
                        threshold,
                    );
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

/// The method variants (method and kernel) of an analysis.
fn variants_of(analysis: &Analysis) -> BTreeSet<Variant> {
    analysis
        .methods
        .iter()
        .map(|&method| Variant {
            method,
            kernel: analysis.kernel,
        })
        .collect()
}

/// The keys of `analysis`'s estimates in `job` for the outcomes `own`, by its variants (or
/// `only` that one).
fn estimate_keys(
    analysis: &Analysis,
    job: &Job,
    own: &[&String],
    only: Option<&Variant>,
) -> Vec<String> {
    let variants = variants_of(analysis);
    let chosen = variants.iter().filter(|v| only.is_none_or(|o| o == *v));
    chosen
        .flat_map(|v| {
            own.iter()
                .map(move |outcome| key(&analysis.id, job.group.key(), v.method.number, outcome))
        })
        .collect()
}

/// Records that `analysis`'s estimates for the outcomes `own` (of `only` one variant, or all)
/// could not be estimated: each key with the reason, and one warning for the reader.
fn not_estimated(
    results: &mut Results,
    analysis: &Analysis,
    job: &Job,
    own: &[&String],
    only: Option<&Variant>,
    reason: &str,
) {
    for k in estimate_keys(analysis, job, own, only) {
        results
            .ikke_estimeret
            .insert(k, format!("ikke estimeret: {reason}"));
    }
    let method = only.map_or(String::new(), |v| format!(", metode ({})", v.method.number));
    push_unique(
        &mut results.advarsler,
        format!(
            "{}, {}{method}: {} ikke estimeret ({reason}); {} viser –",
            analysis.id,
            job.describe(),
            match own.len() {
                1 => "1 estimat er".to_string(),
                n => format!("{n} estimater er"),
            },
            if own.len() == 1 { "cellen" } else { "cellerne" }
        ),
    );
}

/// Hides `analysis`'s estimates of `variant` for the outcomes `own` under output control: the
/// sample has fewer than `threshold` matched participants or used controls (`counts`).
fn hide_estimates(
    results: &mut Results,
    analysis: &Analysis,
    job: &Job,
    own: &[&String],
    variant: &Variant,
    counts: (usize, usize),
    threshold: usize,
) {
    let (matched, used) = counts;
    for k in estimate_keys(analysis, job, own, Some(variant)) {
        results.ikke_estimeret.insert(
            k.clone(),
            format!("skjult af diskretionshensyn (færre end {threshold} matchede deltagere eller anvendte kontrolpersoner)"),
        );
        results.diskretion.push(k.clone());
        results
            .diskretionslog
            .push(crate::diskretion::Suppressed::primary(
                k,
                matched.min(used),
                None,
            ));
    }
}

/// The part of analysis `i`.
fn part(parts: &mut BTreeMap<usize, Results>, i: usize) -> &mut Results {
    parts.entry(i).or_insert_with(empty_results)
}

fn push_unique(list: &mut Vec<String>, line: String) {
    if !list.contains(&line) {
        list.push(line);
    }
}

/// Records the propensity-score model of the main sample and any separation or omission.
fn note_fit(job: &Job, fit: &crate::estimators::PsFit, complete: bool, results: &mut Results) {
    let main = complete
        && job.population == Population::Main
        && job.group == Group::Alle
        && job.pscore == PsModel::Logit;
    // Reported once per job, for the sample with complete follow-up.
    if let (Some(message), true) = (fit.separation_message(), complete) {
        push_unique(
            &mut results.advarsler,
            format!("{}: {message}", job.describe()),
        );
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
