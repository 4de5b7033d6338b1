//! The analysis dataset: the population funnel, (placebo) start dates, covariates measured before
//! start and outcomes after it, as ndarray matrices with column names for the estimators.
//!
//! Steps: participants (start January 2017 – October 2018) and the population get start dates
//! (controls a [`placebo`] date); a polars join attaches each person's BEF record for the start
//! year; the funnel keeps 19–63-year-old non-Western immigrants in the evaluation municipalities
//! who are active on the labour market the week before start, then those on a public benefit that
//! week, then drops Skanderborg's residents. Each step's counts are kept for the report.

pub mod countries;
pub mod outcomes;
pub mod placebo;

use crate::calendar::{self, WeekNo};
use crate::registers::{Registers, codes::CodeBook};
use crate::synth::municipalities;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use ndarray::Array2;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

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

/// The analysis sample as matrices.
#[derive(Debug, Clone)]
pub struct AnalysisData {
    /// Participant (true) or control.
    pub treated: Vec<bool>,
    /// Man (true) or woman.
    pub male: Vec<bool>,
    /// Municipality of residence, as an index into `municipality_names` (exact-matching stratum).
    pub municipality: Vec<u32>,
    /// Municipality names, by index.
    pub municipality_names: Vec<String>,
    /// Month of the (placebo) start, as a running month number (start-date subsamples, Tabel 4.3).
    pub start_month: Vec<calendar::MonthNo>,
    /// Whether the row belongs to the main sample (last funnel step). Rows outside it belong only
    /// to the unrestricted population of the robustness analysis (Tabel 5.1).
    pub main_sample: Vec<bool>,
    /// Propensity-score covariates (n × k).
    pub covariates: Array2<f64>,
    /// Names of the covariates.
    pub covariate_names: Vec<String>,
    /// Variables of the descriptive and balance tables (Tabel 3.1, Bilagstabel 2.2), n × d.
    pub descriptives: Array2<f64>,
    /// Names of the descriptive variables.
    pub descriptive_names: Vec<String>,
    /// Outcomes (n × m); NaN where the person has no follow-up for that outcome.
    pub outcomes: Array2<f64>,
    /// Names of the outcomes (the results keys).
    pub outcome_names: Vec<String>,
    /// Employment rate in the months −12..=12 around the start month (n × 25; NaN outside DREAM).
    pub employment_profile: Array2<f64>,
    /// The population funnel.
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
    ie_type: i64,
    origin: i64,
    married: bool,
}

/// Months before and after the start month in the employment profile (Figur 2.3).
pub const PROFILE_MONTHS: usize = 12;

/// First and last start date of the evaluation's participants.
pub fn evaluation_window() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2017, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2018, 10, 31).expect("date"),
    )
}

/// Builds the analysis dataset from checked registers.
pub fn build(registers: &Registers, codebook: &CodeBook, seed: u64) -> Result<AnalysisData> {
    let candidates =
        candidates(registers, seed).context("kan ikke samle deltagere og befolkning")?;
    let dream = &registers.dream;
    let permanent = codebook.mask("permanent_udenfor");
    let benefit = codebook.mask("offentlig_forsoergelse");
    let code_before = |c: &Candidate| -> u16 {
        let week = calendar::week_of(c.start) - 1;
        match (dream.row_of.get(&c.pnr), dream.week_col(week)) {
            (Some(&r), Some(col)) => dream.codes[[r, col]],
            _ => 0,
        }
    };
    let counts = |people: &[&Candidate]| {
        (
            people.iter().filter(|c| c.treated).count(),
            people.iter().filter(|c| !c.treated).count(),
        )
    };
    let mut funnel = Vec::new();
    let mut push = |label: &str, people: &[&Candidate]| {
        let (treated, controls) = counts(people);
        funnel.push(FunnelStep {
            label: label.to_string(),
            treated,
            controls,
        });
    };
    let all: Vec<&Candidate> = candidates.iter().collect();
    push(
        "Bosat i en af de 12 kommuner (deltagere med start januar 2017 – oktober 2018)",
        &all,
    );
    let step1: Vec<&Candidate> = all
        .into_iter()
        .filter(|c| {
            let age = calendar::age_at(c.birth, c.start);
            (19..=63).contains(&age)
                && matches!(c.ie_type, 2 | 3)
                && countries::non_western(c.origin)
                && !permanent[usize::from(code_before(c))]
        })
        .collect();
    push(
        "19–63-årige ikke-vestlige indvandrere, aktive på arbejdsmarkedet ugen før start",
        &step1,
    );
    let step2: Vec<&Candidate> = step1
        .into_iter()
        .filter(|c| benefit[usize::from(code_before(c))])
        .collect();
    push("… og på offentlig forsørgelse ugen før start", &step2);
    let skanderborg = municipalities::by_name("Skanderborg").map(|m| m.kom);
    let sample: Vec<&Candidate> = step2
        .into_iter()
        .filter(|c| Some(c.kom) != skanderborg)
        .collect();
    push("… og ikke bosat i Skanderborg", &sample);
    if counts(&sample).0 == 0 || counts(&sample).1 == 0 {
        return crate::error::input_error(
            "analysepopulationen har ingen deltagere eller ingen kontrolpersoner efter afgrænsningen; kontrollér deltagerfilen og BEF",
        );
    }
    assemble(&sample, registers, codebook, funnel)
}

/// Start dates for participants and placebo dates for everyone else, joined (polars) with BEF.
fn candidates(registers: &Registers, seed: u64) -> Result<Vec<Candidate>> {
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
    let population: Vec<String> = {
        let mut seen = HashSet::new();
        bef.column("PNR")?
            .str()?
            .no_null_iter()
            .filter(|id| seen.insert(*id))
            .map(str::to_string)
            .collect()
    };
    let mut pnr = Vec::new();
    let mut start = Vec::new();
    let mut treated = Vec::new();
    for (id, &days) in &first_start {
        let date = calendar::from_epoch_days(days);
        if date >= lo && date <= hi {
            pnr.push(id.clone());
            start.push(days);
            treated.push(true);
        }
    }
    for id in population
        .iter()
        .filter(|id| !first_start.contains_key(*id))
    {
        pnr.push(id.clone());
        start.push(calendar::epoch_days(placebo::start(seed, id)));
        treated.push(false);
    }
    let years: Vec<i64> = start
        .iter()
        .map(|&d| i64::from(chrono::Datelike::year(&calendar::from_epoch_days(d))))
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
    let joined = starts
        .lazy()
        .join(
            bef.clone().lazy(),
            [col("PNR"), col("AAR")],
            [col("PNR"), col("AAR")],
            JoinArgs::new(JoinType::Inner),
        )
        .sort(["PNR"], SortMultipleOptions::default())
        .collect()?;
    let get_i64 = |name: &str| -> Result<Vec<i64>> {
        Ok(joined.column(name)?.i64()?.no_null_iter().collect())
    };
    let (kom, koen, ie, land) = (
        get_i64("KOM")?,
        get_i64("KOEN")?,
        get_i64("IE_TYPE")?,
        get_i64("OPR_LAND")?,
    );
    let ids: Vec<&str> = joined.column("PNR")?.str()?.no_null_iter().collect();
    let starts: Vec<i32> = joined
        .column("start")?
        .date()?
        .physical()
        .no_null_iter()
        .collect();
    let births: Vec<i32> = joined
        .column("FOED_DAG")?
        .date()?
        .physical()
        .no_null_iter()
        .collect();
    let treated: Vec<bool> = joined.column("treated")?.bool()?.no_null_iter().collect();
    let civst: Vec<Option<&str>> = joined.column("CIVST")?.str()?.iter().collect();
    let eval_koms: HashSet<i64> = municipalities::MUNICIPALITIES
        .iter()
        .map(|m| m.kom)
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for i in 0..ids.len() {
        if !eval_koms.contains(&kom[i]) {
            continue;
        }
        out.push(Candidate {
            pnr: ids[i].to_string(),
            treated: treated[i],
            start: calendar::from_epoch_days(starts[i]),
            kom: kom[i],
            male: koen[i] == 1,
            birth: calendar::from_epoch_days(births[i]),
            ie_type: ie[i],
            origin: land[i],
            married: civst[i] == Some("G"),
        });
    }
    out.sort_by(|a, b| b.treated.cmp(&a.treated).then_with(|| a.pnr.cmp(&b.pnr)));
    Ok(out)
}

/// Covariates and outcomes of the final sample.
fn assemble(
    sample: &[&Candidate],
    registers: &Registers,
    codebook: &CodeBook,
    funnel: Vec<FunnelStep>,
) -> Result<AnalysisData> {
    let dream = &registers.dream;
    let main = outcomes::main_period();
    if dream.month_col(*main.end()).is_none() {
        let (y, m) = calendar::month_parts(dream.last_month());
        return crate::error::input_error(format!(
            "DREAM slutter i {}; hovedudfaldet kræver beskæftigelsesgrader til og med juli 2019",
            crate::locale::maaned(y, m)
        ));
    }
    let mut names: Vec<String> = municipalities::MUNICIPALITIES
        .iter()
        .filter(|m| sample.iter().any(|c| c.kom == m.kom))
        .map(|m| m.name.to_string())
        .collect();
    names.sort();
    let koms: Vec<i64> = names
        .iter()
        .filter_map(|n| municipalities::by_name(n))
        .map(|m| m.kom)
        .collect();
    let categories = [
        ("integrationsydelse", codebook.mask("integrationsydelse")),
        ("kontanthjaelp", codebook.mask("kontanthjaelp")),
        (
            "virksomhedspraktik",
            or_masks(
                &codebook.mask("virksomhedspraktik_privat"),
                &codebook.mask("virksomhedspraktik_offentlig"),
            ),
        ),
        ("su", codebook.mask("su")),
    ];
    let subsidy = or_masks(
        &codebook.mask("loentilskud_privat"),
        &codebook.mask("loentilskud_offentlig"),
    );
    let mut covariate_names: Vec<String> = vec![
        "bot_2017".into(),
        "startmaaned".into(),
        "mand".into(),
        "alder".into(),
        "gift".into(),
    ];
    covariate_names.extend(names.iter().skip(1).map(|n| format!("kommune_{}", slug(n))));
    for months in [1, 6, 12] {
        covariate_names.push(format!("grad_{months}m_foer"));
    }
    for weeks in [1, 26, 52] {
        for (cat, _) in &categories {
            covariate_names.push(format!("{cat}_{weeks}u_foer"));
        }
    }
    let n = sample.len();
    let mut x = Array2::<f64>::zeros((n, covariate_names.len()));
    let mut y = Array2::<f64>::zeros((n, 1));
    let mut profile = Array2::<f64>::from_elem((n, 2 * PROFILE_MONTHS + 1), f64::NAN);
    let mut municipality = Vec::with_capacity(n);
    for (i, c) in sample.iter().enumerate() {
        let row = dream.row_of.get(&c.pnr).copied();
        let start_week: WeekNo = calendar::week_of(c.start);
        let start_month = calendar::month_of(c.start);
        let code_at = |week: WeekNo| {
            row.zip(dream.week_col(week))
                .map_or(0, |(r, col)| dream.codes[[r, col]])
        };
        let grad_at = |month| {
            row.zip(dream.month_col(month))
                .map_or(0.0, |(r, col)| dream.grad[[r, col]])
        };
        let stratum = koms
            .iter()
            .position(|&k| k == c.kom)
            .expect("sample municipalities are listed") as u32;
        municipality.push(stratum);
        let mut values = vec![
            f64::from(chrono::Datelike::year(&c.start) == 2017),
            f64::from(chrono::Datelike::month(&c.start)),
            f64::from(c.male),
            f64::from(calendar::age_at(c.birth, c.start)),
            f64::from(c.married),
        ];
        values.extend((1..names.len()).map(|k| f64::from(stratum as usize == k)));
        for months in [1, 6, 12] {
            values.push(grad_at(start_month - months));
        }
        for weeks in [1, 26, 52] {
            let code = code_at(start_week - weeks);
            for (_, mask) in &categories {
                values.push(f64::from(mask[usize::from(code)]));
            }
        }
        for (k, v) in values.into_iter().enumerate() {
            x[[i, k]] = v;
        }
        for (k, offset) in (-(PROFILE_MONTHS as i32)..=PROFILE_MONTHS as i32).enumerate() {
            if let Some((r, col)) = row.zip(dream.month_col(start_month + offset)) {
                profile[[i, k]] = dream.grad[[r, col]];
            }
        }
        let monthly: BTreeMap<i32, (f64, f64)> = main
            .clone()
            .map(|m| {
                let weeks: Vec<WeekNo> = (dream.first_week..=dream.last_week())
                    .filter(|&w| calendar::month_of_week(w) == m)
                    .collect();
                let sub = weeks
                    .iter()
                    .filter(|&&w| subsidy[usize::from(code_at(w))])
                    .count() as f64
                    / weeks.len().max(1) as f64;
                (m, (grad_at(m), sub))
            })
            .collect();
        y[[i, 0]] = outcomes::employment_jan_jul_2019(&monthly);
    }
    Ok(AnalysisData {
        treated: sample.iter().map(|c| c.treated).collect(),
        male: sample.iter().map(|c| c.male).collect(),
        municipality,
        municipality_names: names,
        start_month: sample.iter().map(|c| calendar::month_of(c.start)).collect(),
        main_sample: vec![true; n],
        descriptives: x.clone(),
        descriptive_names: covariate_names.clone(),
        covariates: x,
        covariate_names,
        outcomes: y,
        outcome_names: vec!["beskaeftigelse".into()],
        employment_profile: profile,
        funnel,
        unknown_codes: dream.unknown_codes.clone(),
    })
}

fn or_masks(a: &[bool], b: &[bool]) -> Vec<bool> {
    a.iter().zip(b).map(|(x, y)| *x || *y).collect()
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
