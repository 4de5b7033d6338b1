//! The analysis dataset: the population funnel, (placebo) start dates, covariates measured before
//! start and outcomes after it, as ndarray matrices with column names for the estimators.
//!
//! Steps: participants (start January 2017 – October 2018) and the population get start dates
//! (controls a [`placebo`] date); a polars join attaches each person's BEF record for the start
//! year; the funnel keeps 19–63-year-old non-Western immigrants in the evaluation municipalities
//! who are active on the labour market the week before start (the unrestricted population, the
//! rows of [`AnalysisData`]), then those on a public benefit that week, then drops Skanderborg's
//! residents (the main sample). Each step's counts are kept for the report. The variables are
//! defined in [`covariates`] and [`outcomes`]; the registers' facts are gathered in [`lookups`].

pub mod columns;
pub mod countries;
pub mod covariates;
pub mod coverage;
pub mod education;
pub mod lookups;
pub mod outcomes;
pub mod placebo;

use crate::calendar;
use crate::municipalities;
use crate::registers::{Registers, codes::CodeBook};
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use columns::Columns;
use ndarray::{Array2, ArrayViewMut2, Axis};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One step of the population funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// What the step requires (Danish).
    pub label: String,
    /// Participants left.
    pub treated: usize,
    /// Controls left.
    pub controls: usize,
}

/// The analysis population as matrices: one row per person of the unrestricted population
/// (funnel step 1), sorted by participation (participants first) and person id.
#[derive(Debug, Clone)]
pub struct AnalysisData {
    /// Participant (true) or control.
    pub treated: Vec<bool>,
    /// Man (true) or woman.
    pub male: Vec<bool>,
    /// Municipality of residence, as an index into `municipality_names` (exact-matching stratum;
    /// Skanderborg has its own index).
    pub municipality: Vec<u32>,
    /// Municipality names, by index.
    pub municipality_names: Vec<String>,
    /// Month of the (placebo) start, as a running month number (start-date subsamples, Tabel 4.3).
    pub start_month: Vec<calendar::MonthNo>,
    /// (Placebo) start date.
    pub start_date: Vec<NaiveDate>,
    /// Whether the row belongs to the main sample (last funnel step). Rows outside it belong only
    /// to the unrestricted population of the robustness analysis (Tabel 5.1).
    pub main_sample: Vec<bool>,
    /// Propensity-score covariates (n × k), Bilagstabel 2.1.
    pub covariates: Columns,
    /// Names of the covariates (ASCII snake case).
    pub covariate_names: Vec<String>,
    /// Danish labels of the covariates.
    pub covariate_labels: Vec<String>,
    /// Variables of the descriptive and balance tables (Tabel 3.1, Bilagstabel 2.2), n × d; a
    /// variable that is also a covariate shares its storage with it.
    pub descriptives: Columns,
    /// Names of the descriptive variables.
    pub descriptive_names: Vec<String>,
    /// Danish labels of the descriptive variables.
    pub descriptive_labels: Vec<String>,
    /// Outcomes (n × m); NaN where the person has no follow-up for that outcome.
    pub outcomes: Columns,
    /// Names of the outcomes (the results keys), see [`outcomes::names`].
    pub outcome_names: Vec<String>,
    /// Employment rate in the months −12..=12 around the start month (n × 25; NaN outside DREAM).
    pub employment_profile: Columns,
    /// In IGU (from the IGU start date, no dropout) in the months −12..=12 around the start month
    /// (n × 25; NaN outside the IGU register's coverage), Figur 2.4.
    pub igu_profile: Columns,
    /// The population funnel: the delivered participants, everyone with a (placebo) start in the
    /// twelve municipalities, then the three steps of the report.
    pub funnel: Vec<FunnelStep>,
    /// DREAM codes the code book does not know, with person-weeks.
    pub unknown_codes: BTreeMap<String, usize>,
}

impl AnalysisData {
    /// Number of persons.
    pub fn len(&self) -> usize {
        self.treated.len()
    }

    /// Whether the sample is empty.
    pub fn is_empty(&self) -> bool {
        self.treated.is_empty()
    }
}

/// A person with a (placebo) start date and the BEF record of the start year.
struct Candidate {
    pnr: String,
    treated: bool,
    start: NaiveDate,
    kom: i64,
    male: bool,
    birth: NaiveDate,
    origin: i64,
    partner: Option<String>,
}

/// Months before and after the start month in the profiles (Figur 2.3, 2.4).
pub const PROFILE_MONTHS: usize = 12;

/// First and last start date of the evaluation's participants.
pub fn evaluation_window() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2017, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2018, 10, 31).expect("date"),
    )
}

/// Builds the analysis dataset from checked registers; `seed` draws the controls' placebo dates.
/// The registers read only for per-person facts are freed once the facts are collected
/// ([`Registers::release_person_facts`]); the participants, BEF, DREAM and IGU stay.
pub fn build(registers: &mut Registers, codebook: &CodeBook, seed: u64) -> Result<AnalysisData> {
    coverage::check(
        &registers.dream,
        &coverage::needs(coverage::starts(registers)?),
    )?;
    let dream = &registers.dream;
    let permanent = codebook.mask("permanent_udenfor");
    let benefit = codebook.mask("offentlig_forsoergelse");
    let code_before = |pnr: &str, start: NaiveDate| -> u16 {
        let week = calendar::week_of(start) - 1;
        match (dream.row_of.get(pnr), dream.week_col(week)) {
            (Some(&r), Some(col)) => dream.codes[[r, col]],
            _ => 0,
        }
    };
    let in_mask = |mask: &[bool], code: u16| mask.get(usize::from(code)).copied().unwrap_or(false);
    let population = candidates(registers, seed, |pnr, start| {
        !in_mask(&permanent, code_before(pnr, start))
    })
    .context("kan ikke samle deltagere og befolkning")?;
    let counts = |people: &[&Candidate]| {
        (
            people.iter().filter(|c| c.treated).count(),
            people.iter().filter(|c| !c.treated).count(),
        )
    };
    let (treated, controls) = population.in_municipalities;
    let mut funnel = vec![
        FunnelStep {
            label: "Deltagere leveret af kommunerne".into(),
            treated: population.delivered,
            controls: 0,
        },
        FunnelStep {
            label: "Bosat i en af de 12 kommuner (deltagere med start januar 2017 – oktober 2018)"
                .into(),
            treated,
            controls,
        },
    ];
    let mut push = |label: &str, people: &[&Candidate]| {
        let (treated, controls) = counts(people);
        funnel.push(FunnelStep {
            label: label.to_string(),
            treated,
            controls,
        });
    };
    let step1: Vec<&Candidate> = population.active.iter().collect();
    push(
        "19–63-årige ikke-vestlige indvandrere, aktive på arbejdsmarkedet ugen før start",
        &step1,
    );
    let step2: Vec<bool> = step1
        .iter()
        .map(|c| in_mask(&benefit, code_before(&c.pnr, c.start)))
        .collect();
    let on_benefit: Vec<&Candidate> = step1
        .iter()
        .zip(&step2)
        .filter(|(_, b)| **b)
        .map(|(c, _)| *c)
        .collect();
    push("… og på offentlig forsørgelse ugen før start", &on_benefit);
    let skanderborg = municipalities::by_name("Skanderborg").map(|m| m.kom);
    let main: Vec<bool> = step1
        .iter()
        .zip(&step2)
        .map(|(c, b)| *b && Some(c.kom) != skanderborg)
        .collect();
    let sample: Vec<&Candidate> = step1
        .iter()
        .zip(&main)
        .filter(|(_, m)| **m)
        .map(|(c, _)| *c)
        .collect();
    push("… og ikke bosat i Skanderborg", &sample);
    if counts(&sample).0 == 0 || counts(&sample).1 == 0 {
        return crate::error::input_error(
            "analysepopulationen har ingen deltagere eller ingen kontrolpersoner efter afgrænsningen; kontrollér deltagerfilen og BEF",
        );
    }
    let lookups = {
        let ids: Vec<&str> = step1.iter().map(|c| c.pnr.as_str()).collect();
        let partners: Vec<Option<&str>> = step1.iter().map(|c| c.partner.as_deref()).collect();
        let starts: Vec<NaiveDate> = step1.iter().map(|c| c.start).collect();
        lookups::Lookups::collect(registers, &ids, &starts, &partners)?
    };
    registers.release_person_facts();
    assemble(&step1, main, &lookups, registers, codebook, funnel)
}

/// Who gets a (placebo) start date (funnel step 0) and who of them is in the unrestricted
/// population (step 1).
struct Population {
    /// Participants delivered by the municipalities.
    delivered: usize,
    /// Participants and controls with a (placebo) start while living in one of the twelve
    /// municipalities.
    in_municipalities: (usize, usize),
    /// Those of them who are 19–63-year-old non-Western immigrants, active on the labour market
    /// the week before start: participants first, each group by person id.
    active: Vec<Candidate>,
}

/// Start dates for participants and placebo dates for everyone else, joined (polars) with the
/// BEF record of the start year; `active(id, start)` says whether a person is active on the
/// labour market the week before `start` (not permanently outside it).
fn candidates(
    registers: &Registers,
    seed: u64,
    active: impl Fn(&str, NaiveDate) -> bool,
) -> Result<Population> {
    let (lo, hi) = evaluation_window();
    let deltagere = &registers.deltagere.frame;
    let ids = deltagere.column("PNR")?.str()?;
    let starts = deltagere.column("startdato")?.date()?;
    let mut first_start: BTreeMap<String, i32> = BTreeMap::new();
    for (id, start) in ids.no_null_iter().zip(starts.physical().iter()) {
        let Some(start) = start else { continue };
        let e = first_start.entry(id.to_string()).or_insert(start);
        *e = (*e).min(start);
    }
    let bef = &registers.bef.frame;
    let mut pnr: Vec<&str> = Vec::new();
    let mut start = Vec::new();
    let mut treated = Vec::new();
    for (id, &days) in &first_start {
        let date = calendar::from_epoch_days(days);
        if date >= lo && date <= hi {
            pnr.push(id);
            start.push(days);
            treated.push(true);
        }
    }
    let mut seen = HashSet::new();
    for id in bef.column("PNR")?.str()?.no_null_iter() {
        if seen.insert(id) && !first_start.contains_key(id) {
            pnr.push(id);
            start.push(calendar::epoch_days(placebo::start(seed, id)));
            treated.push(false);
        }
    }
    drop(seen);
    let years: Vec<i64> = start
        .iter()
        .map(|&d| i64::from(calendar::from_epoch_days(d).year()))
        .collect();
    let n = pnr.len();
    let starts = DataFrame::new(
        n,
        vec![
            Column::new("PNR".into(), pnr),
            Column::new("AAR".into(), years),
            Series::new("start".into(), start)
                .cast(&DataType::Date)?
                .into_column(),
            Column::new("treated".into(), treated),
        ],
    )?;
    let koms: Vec<i64> = municipalities::MUNICIPALITIES
        .iter()
        .map(|m| m.kom)
        .collect();
    let koms = Series::new("koms".into(), koms);
    let joined = starts
        .lazy()
        .join(
            bef.clone().lazy().select(
                [
                    "PNR",
                    "AAR",
                    "KOM",
                    "KOEN",
                    "FOED_DAG",
                    "IE_TYPE",
                    "OPR_LAND",
                    "E_FAELLE_ID",
                ]
                .map(col),
            ),
            [col("PNR"), col("AAR")],
            [col("PNR"), col("AAR")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            koms.iter()
                .map(|k| col("KOM").eq(lit(k.try_extract::<i64>().unwrap_or_default())))
                .reduce(|a, b| a.or(b))
                .unwrap_or(lit(false)),
        )
        .collect()?;
    let (mut treated_in, mut controls_in) = (0, 0);
    let mut out = Vec::new();
    let int = |name: &str| -> Result<Vec<i64>> {
        Ok(joined.column(name)?.i64()?.no_null_iter().collect())
    };
    let date = |name: &str| -> Result<Vec<NaiveDate>> {
        Ok(joined
            .column(name)?
            .date()?
            .physical()
            .no_null_iter()
            .map(calendar::from_epoch_days)
            .collect())
    };
    let (kom, koen, ie, land) = (int("KOM")?, int("KOEN")?, int("IE_TYPE")?, int("OPR_LAND")?);
    let (starts, births) = (date("start")?, date("FOED_DAG")?);
    let ids = joined.column("PNR")?.str()?;
    let treated = joined.column("treated")?.bool()?;
    let partner = joined.column("E_FAELLE_ID")?.str()?;
    for (i, ((id, treated), partner)) in ids
        .iter()
        .zip(treated.iter())
        .zip(partner.iter())
        .enumerate()
    {
        let (Some(id), Some(treated)) = (id, treated) else {
            continue;
        };
        *(if treated {
            &mut treated_in
        } else {
            &mut controls_in
        }) += 1;
        let (start, birth) = (starts[i], births[i]);
        let age = calendar::age_at(birth, start);
        if (19..=63).contains(&age)
            && matches!(ie[i], 2 | 3)
            && countries::non_western(land[i])
            && active(id, start)
        {
            out.push(Candidate {
                pnr: id.to_string(),
                treated,
                start,
                kom: kom[i],
                male: koen[i] == 1,
                birth,
                origin: land[i],
                partner: partner.map(str::to_string),
            });
        }
    }
    out.sort_by(|a, b| b.treated.cmp(&a.treated).then_with(|| a.pnr.cmp(&b.pnr)));
    Ok(Population {
        delivered: first_start.len(),
        in_municipalities: (treated_in, controls_in),
        active: out,
    })
}

/// Row `row` of the dataset, the person `c`, for the variables.
fn person(c: &Candidate, row: usize, lookups: &lookups::Lookups) -> covariates::Person {
    covariates::Person {
        row,
        start: c.start,
        kom: c.kom,
        male: c.male,
        birth: c.birth,
        origin: c.origin,
        partner: lookups.partner[row].map(|p| p as usize),
    }
}

/// Covariates, descriptives, outcomes and profiles of the unrestricted population.
fn assemble(
    rows: &[&Candidate],
    main: Vec<bool>,
    lookups: &lookups::Lookups,
    registers: &Registers,
    codebook: &CodeBook,
    funnel: Vec<FunnelStep>,
) -> Result<AnalysisData> {
    let dream = &registers.dream;
    let categories = covariates::Categories::new(codebook);
    let sources = covariates::Sources {
        municipalities: covariates::municipality_variables(),
        dream,
        lookups,
        categories: &categories,
    };
    let mut all_names = Vec::new();
    sources.values(&person(rows[0], 0, lookups), Some(&mut all_names));
    let covariate_names = covariates::covariate_names();
    let descriptive_names = covariates::descriptive_names();
    let (stored, cov_ix, desc_ix) =
        variable_columns(&all_names, &covariate_names, &descriptive_names);
    let outcome_names = outcomes::names();
    let rows_out = Rows {
        rows,
        sources: &sources,
        stored,
        masks: outcomes::Masks::new(codebook),
        igu_until: lookups.igu_until.unwrap_or(NaiveDate::MIN),
        week_month: outcomes::week_months(dream.first_week, dream.n_weeks()),
        n_outcomes: outcome_names.len(),
    };
    let matrices = rows_out.matrices();
    let (x, d, y) = (
        matrices.variables.pick(&cov_ix),
        matrices.variables.pick(&desc_ix),
        matrices.outcomes,
    );
    let (profile, igu_profile) = (matrices.profile, matrices.igu_profile);
    let mut names: Vec<&str> = municipalities::MUNICIPALITIES
        .iter()
        .filter(|m| rows.iter().any(|c| c.kom == m.kom))
        .map(|m| m.name)
        .collect();
    names.sort_by_key(|n| slug(n));
    let municipality = rows
        .iter()
        .map(|c| {
            let name = municipalities::by_kom(c.kom).map_or("", |m| m.name);
            names.iter().position(|n| *n == name).unwrap_or(0) as u32
        })
        .collect();
    Ok(AnalysisData {
        treated: rows.iter().map(|c| c.treated).collect(),
        male: rows.iter().map(|c| c.male).collect(),
        municipality,
        municipality_names: names.into_iter().map(str::to_string).collect(),
        start_month: rows.iter().map(|c| calendar::month_of(c.start)).collect(),
        start_date: rows.iter().map(|c| c.start).collect(),
        main_sample: main,
        covariates: x,
        covariate_labels: covariate_names
            .iter()
            .map(|n| covariates::label(n))
            .collect(),
        covariate_names,
        descriptives: d,
        descriptive_labels: descriptive_names
            .iter()
            .map(|n| covariates::label(n))
            .collect(),
        descriptive_names,
        outcomes: y,
        outcome_names,
        employment_profile: profile,
        igu_profile,
        funnel,
        unknown_codes: dream.unknown_codes.clone(),
    })
}

/// The variables stored (every covariate and descriptive variable once, as indices into `all`,
/// the names [`covariates::Sources::values`] gives) and the positions of the covariates and the
/// descriptive variables among them.
fn variable_columns(
    all: &[String],
    covariates: &[String],
    descriptives: &[String],
) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let index: HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let pick =
        |names: &[String]| -> Vec<usize> { names.iter().map(|n| index[n.as_str()]).collect() };
    let (cov, desc) = (pick(covariates), pick(descriptives));
    let mut stored: Vec<usize> = cov.iter().chain(&desc).copied().collect();
    stored.sort_unstable();
    stored.dedup();
    let position = |ix: &[usize]| -> Vec<usize> {
        ix.iter()
            .map(|j| stored.binary_search(j).expect("stored"))
            .collect()
    };
    let (cov, desc) = (position(&cov), position(&desc));
    (stored, cov, desc)
}

/// Rows computed at a time: each block's dense matrices are packed into [`Columns`] before the
/// next block is computed, so the dense form of the whole dataset never exists.
const BLOCK_ROWS: usize = 1 << 15;

/// The persons of the dataset with everything their rows are computed from.
struct Rows<'a> {
    rows: &'a [&'a Candidate],
    sources: &'a covariates::Sources<'a>,
    /// Indices of the stored variables among those [`covariates::Sources::values`] gives.
    stored: Vec<usize>,
    masks: outcomes::Masks,
    igu_until: NaiveDate,
    week_month: Vec<calendar::MonthNo>,
    n_outcomes: usize,
}

/// The computed matrices of every person.
struct Matrices {
    variables: Columns,
    outcomes: Columns,
    profile: Columns,
    igu_profile: Columns,
}

/// One block of rows, dense: stored variables, outcomes, employment and IGU profiles.
struct Block<'a> {
    variables: ArrayViewMut2<'a, f64>,
    outcomes: ArrayViewMut2<'a, f64>,
    profile: ArrayViewMut2<'a, f64>,
    igu_profile: ArrayViewMut2<'a, f64>,
}

impl Rows<'_> {
    /// Every row, a block at a time, each block in parallel.
    fn matrices(&self) -> Matrices {
        let n = self.rows.len();
        let width = 2 * PROFILE_MONTHS + 1;
        let mut out = Matrices {
            variables: Columns::new(self.stored.len()),
            outcomes: Columns::new(self.n_outcomes),
            profile: Columns::new(width),
            igu_profile: Columns::new(width),
        };
        for first in (0..n).step_by(BLOCK_ROWS) {
            let m = BLOCK_ROWS.min(n - first);
            let mut variables = Array2::zeros((m, self.stored.len()));
            let mut outcomes = Array2::zeros((m, self.n_outcomes));
            let mut profile = Array2::from_elem((m, width), f64::NAN);
            let mut igu_profile = Array2::from_elem((m, width), f64::NAN);
            let block = Block {
                variables: variables.view_mut(),
                outcomes: outcomes.view_mut(),
                profile: profile.view_mut(),
                igu_profile: igu_profile.view_mut(),
            };
            self.fill_parallel(first, block);
            out.variables.append(variables.view());
            out.outcomes.append(outcomes.view());
            out.profile.append(profile.view());
            out.igu_profile.append(igu_profile.view());
        }
        out
    }

    /// Fills `block` (rows `first..`) in chunks on the thread pool.
    fn fill_parallel(&self, first: usize, mut block: Block) {
        let chunk = block
            .variables
            .nrows()
            .div_ceil(rayon::current_num_threads().max(1) * 4)
            .max(1);
        rayon::scope(|scope| {
            let parts = block
                .variables
                .axis_chunks_iter_mut(Axis(0), chunk)
                .zip(block.outcomes.axis_chunks_iter_mut(Axis(0), chunk))
                .zip(block.profile.axis_chunks_iter_mut(Axis(0), chunk))
                .zip(block.igu_profile.axis_chunks_iter_mut(Axis(0), chunk))
                .enumerate();
            for (k, (((variables, outcomes), profile), igu_profile)) in parts {
                let part = Block {
                    variables,
                    outcomes,
                    profile,
                    igu_profile,
                };
                scope.spawn(move |_| self.fill(first + k * chunk, part));
            }
        });
    }

    /// Fills the rows of `part`, which start at row `offset`.
    fn fill(&self, offset: usize, mut part: Block) {
        let dream = self.sources.dream;
        let lookups = self.sources.lookups;
        let mut out = vec![0.0; self.n_outcomes];
        let mut virkf = vec![0u16; dream.n_months()];
        let no_codes = vec![0u16; dream.n_weeks()];
        let no_grad = vec![0.0; dream.n_months()];
        let no_months: Vec<u32> = vec![0; dream.n_months()];
        let width = part.profile.ncols();
        for i in 0..part.variables.nrows() {
            let row = offset + i;
            let c = self.rows[row];
            let values = self.sources.values(&person(c, row, lookups), None);
            for (k, &j) in self.stored.iter().enumerate() {
                part.variables[[i, k]] = values[j];
            }
            for (col, v) in virkf.iter_mut().enumerate() {
                *v = lookups.owner_in(row, dream.first_month + col as calendar::MonthNo);
            }
            let (codes, grad, branche) = match lookups.dream_row[row].map(|r| r as usize) {
                Some(r) => (
                    dream.codes.row(r).to_vec(),
                    dream.grad.row(r).to_vec(),
                    dream.branche.row(r).to_vec(),
                ),
                None => (no_codes.clone(), no_grad.clone(), no_months.clone()),
            };
            let igu_start = lookups.igu[row];
            let series = outcomes::Series {
                first_week: dream.first_week,
                codes: &codes,
                week_month: &self.week_month,
                first_month: dream.first_month,
                grad: &grad,
                branche: &branche,
                virkf: &virkf,
                igu_start,
                igu_until: self.igu_until,
            };
            outcomes::compute(&series, c.start, &self.masks, &mut out);
            for (k, v) in out.iter().enumerate() {
                part.outcomes[[i, k]] = *v;
            }
            let start_month = calendar::month_of(c.start);
            let igu_last = calendar::month_of(self.igu_until);
            for k in 0..width {
                let month = start_month + k as i32 - PROFILE_MONTHS as i32;
                if let Some(col) = dream.month_col(month) {
                    part.profile[[i, k]] = grad[col];
                }
                if month <= igu_last {
                    part.igu_profile[[i, k]] = f64::from(u8::from(
                        igu_start.is_some_and(|s| calendar::month_of(s) <= month),
                    ));
                }
            }
        }
    }
}

/// ASCII key for a Danish name: lower case, æ→ae, ø→oe, å→aa, other non-alphanumerics → `_`.
pub fn slug(name: &str) -> String {
    name.to_lowercase()
        .replace('æ', "ae")
        .replace('ø', "oe")
        .replace('å', "aa")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
