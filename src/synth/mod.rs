//! Synthetic register extracts in the real layout, with known true effects.
//!
//! The real registers are confidential, so every user and test first meets these. The population
//! of the twelve evaluation municipalities ([`municipalities`]) gets weekly labour-market
//! histories from a Markov chain ([`history`]). Participants are drawn from it per municipality and
//! sex (Tabel 2.1's counts) with a probability that depends only on what the registers show (sex,
//! age, benefit status and employment before start): selection on observables, so a correct
//! matching estimator recovers the truth, while a naive comparison is biased. Each participant's
//! path after start is simulated twice with the same random numbers, with and without the
//! programme; `sandhed.json` records the true average effect on the treated.

pub mod history;
pub mod municipalities;
mod write;

use crate::calendar::{self, WeekNo};
use crate::dataset::outcomes;
use anyhow::Result;
use chrono::{Days, NaiveDate};
use history::{Effect, State};
use municipalities::{MUNICIPALITIES, Municipality};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Seed of the bundled synthetic registers.
pub const DEFAULT_SEED: u64 = 2020;

/// Settings of a synthetic register set.
#[derive(Debug, Clone)]
pub struct SynthSpec {
    /// Random seed; the same seed gives byte-identical files.
    pub seed: u64,
    /// Multiplier on the non-participant population.
    pub scale: f64,
}

impl Default for SynthSpec {
    fn default() -> Self {
        SynthSpec {
            seed: DEFAULT_SEED,
            scale: 1.0,
        }
    }
}

/// The planted programme effect (weekly hazard multipliers during the first year after start).
pub const PLANTED: Effect = Effect {
    job: 1.8,
    internship_private: 3.0,
    weeks: 52,
};

/// One synthetic person.
pub(crate) struct Person {
    pub pnr: String,
    pub municipality: &'static Municipality,
    pub male: bool,
    pub birth: NaiveDate,
    pub ie_type: i64,
    pub origin: i64,
    pub married: bool,
    pub integration: bool,
    pub hours: f64,
    pub industry: &'static str,
    /// Observed weekly states over the DREAM window.
    pub path: Vec<State>,
    /// Participation, if any.
    pub participation: Option<Participation>,
}

/// A participant's programme spell and untreated potential path.
pub(crate) struct Participation {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub round: i64,
    /// The path had the person not taken part (from the same random numbers).
    pub untreated_path: Vec<State>,
}

/// The DREAM window of the synthetic registers: ISO weeks 2015-W01 to 2019-W30 (July 2019).
pub(crate) fn window() -> (WeekNo, WeekNo) {
    (
        calendar::iso_week(2015, 1).expect("valid week"),
        calendar::iso_week(2019, 30).expect("valid week"),
    )
}

/// Countries of origin: (DST-style code used in `OPR_LAND`, weight). Codes and regions are
/// listed in report/lande.yaml; 5xxx are non-Western, 1xxx Western.
const ORIGINS: [(i64, f64); 10] = [
    (5760, 0.28), // Syrien
    (5510, 0.13), // Eritrea
    (5652, 0.09), // Afghanistan
    (5676, 0.09), // Irak
    (5130, 0.07), // Tyrkiet
    (5522, 0.08), // Somalia
    (5640, 0.05), // Iran
    (5776, 0.06), // Thailand
    (5120, 0.07), // Bosnien-Hercegovina
    (1100, 0.08), // Tyskland (Western: outside the evaluation population)
];

const INDUSTRIES: [(&str, f64); 7] = [
    ("101100", 0.15), // industri
    ("471100", 0.18), // handel
    ("494100", 0.08), // transport
    ("561010", 0.14), // hotel og restauration
    ("861000", 0.12), // sundhed
    ("812100", 0.23), // rengøring (øvrige)
    ("016100", 0.10), // landbrug (øvrige)
];

fn pick<T: Copy>(items: &[(T, f64)], rng: &mut ChaCha8Rng) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut u = rng.random::<f64>() * total;
    for &(item, w) in items {
        if u < w {
            return item;
        }
        u -= w;
    }
    items[items.len() - 1].0
}

/// Generates the synthetic population with participants and potential outcomes.
pub(crate) fn generate(spec: &SynthSpec) -> Vec<Person> {
    let (first, last) = window();
    let n_weeks = (last - first + 1) as usize;
    let mut people = Vec::new();
    let mut serial = 0usize;
    for (mi, municipality) in MUNICIPALITIES.iter().enumerate() {
        let n = ((municipality.population as f64) * spec.scale)
            .round()
            .max(1.0) as usize;
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ (0x5eed_0000 + mi as u64));
        let mut candidates = Vec::with_capacity(n);
        for _ in 0..n {
            serial += 1;
            candidates.push(new_person(serial, municipality, n_weeks, &mut rng));
        }
        select_participants(&mut candidates, municipality, first, &mut rng);
        people.extend(candidates.into_iter().map(|c| c.person));
    }
    people
}

struct Candidate {
    person: Person,
    z: f64,
    draws: Vec<f64>,
    initial: State,
}

fn new_person(
    serial: usize,
    municipality: &'static Municipality,
    n_weeks: usize,
    rng: &mut ChaCha8Rng,
) -> Candidate {
    let male = rng.random::<bool>();
    let age_2018 = rng.random_range(17..=66);
    let birth = NaiveDate::from_ymd_opt(2018 - age_2018, 1, 1).expect("valid date")
        + Days::new(rng.random_range(0..365));
    let origin = pick(&ORIGINS, rng);
    let noise = Normal::new(0.0, 0.8).expect("valid normal").sample(rng);
    let z = 0.5 * f64::from(male) - 0.03 * f64::from(age_2018 - 40) + noise;
    let initial = history::initial_state(z, rng);
    let draws: Vec<f64> = (0..n_weeks).map(|_| rng.random()).collect();
    let path = history::simulate(initial, z, &draws, None, history::NO_EFFECT);
    let person = Person {
        pnr: format!("S{serial:07}"),
        municipality,
        male,
        birth,
        ie_type: if rng.random::<f64>() < 0.93 { 2 } else { 3 },
        origin,
        married: rng.random::<f64>() < 0.55,
        integration: rng.random::<f64>() < 0.6,
        hours: rng.random_range(0.45..1.0),
        industry: pick(&INDUSTRIES, rng),
        path,
        participation: None,
    };
    Candidate {
        person,
        z,
        draws,
        initial,
    }
}

/// A start week for a participant: mostly January 2017 – October 2018, some later.
fn draw_start(rng: &mut ChaCha8Rng) -> NaiveDate {
    let (a, b) = if rng.random::<f64>() < 0.93 {
        (calendar::iso_week(2017, 1), calendar::iso_week(2018, 43))
    } else {
        (calendar::iso_week(2018, 44), calendar::iso_week(2019, 13))
    };
    let week = rng.random_range(a.expect("valid week")..=b.expect("valid week"));
    calendar::monday(week) + Days::new(rng.random_range(0..5))
}

/// Draws the municipality's participants per sex, with weights that depend only on observables at
/// the candidate start (Efraimidis–Spirakis weighted sampling without replacement), and
/// simulates their treated and untreated paths.
fn select_participants(
    candidates: &mut [Candidate],
    municipality: &Municipality,
    first: WeekNo,
    rng: &mut ChaCha8Rng,
) {
    for (male, wanted) in [
        (false, municipality.participants.0),
        (true, municipality.participants.1),
    ] {
        let mut keyed: Vec<(f64, usize, NaiveDate)> = Vec::new();
        for (i, c) in candidates.iter().enumerate() {
            let start = draw_start(rng);
            let u: f64 = rng.random();
            if c.person.male != male || c.person.ie_type == 1 || c.person.origin < 5000 {
                continue;
            }
            let age = calendar::age_at(c.person.birth, start);
            if !(19..=63).contains(&age) {
                continue;
            }
            let s = (calendar::week_of(start) - first) as usize;
            let before = c.person.path[s - 1];
            let on_benefit =
                before.code(c.person.integration).is_some() && before != State::Disability;
            let employed_year_before = c.person.path[s.saturating_sub(52)..s]
                .iter()
                .filter(|st| st.paid())
                .count() as f64
                / 52.0;
            let weight = (3.0 * f64::from(on_benefit)
                - 1.5 * employed_year_before
                - 0.04 * f64::from((age - 38).abs()))
            .exp();
            keyed.push((u.ln() / weight, i, start));
        }
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
        for &(_, i, start) in keyed.iter().take(wanted) {
            let c = &mut candidates[i];
            let s = (calendar::week_of(start) - first) as usize;
            let untreated = std::mem::take(&mut c.person.path);
            let mut treated = untreated[..s].to_vec();
            let state_at = untreated[s - 1];
            let rest = history::simulate(state_at, c.z, &c.draws[s..], Some(0), PLANTED);
            treated.extend(rest);
            let weeks = (municipality.weeks_in_project * rng.random_range(0.5..1.5)).round() as u64;
            let end = start + Days::new(7 * weeks);
            let cutoff = NaiveDate::from_ymd_opt(2019, 3, 31).expect("valid date");
            c.person.path = treated;
            c.person.participation = Some(Participation {
                start,
                end: (end <= cutoff).then_some(end),
                round: delivery_round(start),
                untreated_path: untreated,
            });
            let _ = c.initial;
        }
    }
}

fn delivery_round(start: NaiveDate) -> i64 {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("valid date");
    if start <= d(2017, 9, 30) {
        1
    } else if start <= d(2017, 12, 31) {
        2
    } else if start <= d(2018, 9, 30) {
        3
    } else {
        4
    }
}

/// Monthly employment rates of a weekly path: paid weeks' share of the month times the person's
/// hours, by the week's Thursday month; returns (month number, rate, wage-subsidy share).
pub(crate) fn monthly(path: &[State], hours: f64, first: WeekNo) -> BTreeMap<i32, (f64, f64)> {
    let mut counts: BTreeMap<i32, (usize, usize, usize)> = BTreeMap::new();
    for (i, state) in path.iter().enumerate() {
        let month = calendar::month_of_week(first + i as i32);
        let entry = counts.entry(month).or_default();
        entry.0 += 1;
        entry.1 += usize::from(state.paid());
        entry.2 += usize::from(matches!(
            state,
            State::SubsidyPrivate | State::SubsidyPublic
        ));
    }
    counts
        .into_iter()
        .map(|(m, (weeks, paid, subsidy))| {
            (
                m,
                (
                    hours * paid as f64 / weeks as f64,
                    subsidy as f64 / weeks as f64,
                ),
            )
        })
        .collect()
}

/// True average effects on the treated, by outcome and group.
#[derive(Debug, Serialize)]
pub struct Truth {
    /// What the numbers are.
    pub beskrivelse: String,
    /// outcome → group (alle, maend, kvinder) → true ATT.
    pub effekter: BTreeMap<String, BTreeMap<String, f64>>,
}

fn truth(people: &[Person]) -> Truth {
    let (first, _) = window();
    let (a, b) = (
        NaiveDate::from_ymd_opt(2017, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2018, 10, 31).expect("date"),
    );
    let mut sums: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for p in people {
        let Some(part) = &p.participation else {
            continue;
        };
        if part.start < a || part.start > b {
            continue;
        }
        let y1 = outcomes::employment_jan_jul_2019(&monthly(&p.path, p.hours, first));
        let y0 = outcomes::employment_jan_jul_2019(&monthly(&part.untreated_path, p.hours, first));
        for group in ["alle", if p.male { "maend" } else { "kvinder" }] {
            let e = sums.entry(group).or_default();
            e.0 += y1 - y0;
            e.1 += 1;
        }
    }
    let groups = sums
        .into_iter()
        .map(|(g, (s, n))| (g.to_string(), s / n as f64))
        .collect();
    Truth {
        beskrivelse: "Sande gennemsnitlige effekter for deltagerne (ATT): forskellen mellem hver deltagers forløb med og uden indsatsen, beregnet på de samme tilfældige tal, for deltagere med start januar 2017 – oktober 2018.".into(),
        effekter: BTreeMap::from([("beskaeftigelse".to_string(), groups)]),
    }
}

/// Writes the synthetic registers (`deltagere`, `bef`, `dream` as parquet) and `sandhed.json` to `out`.
pub fn write(spec: &SynthSpec, out: &Path) -> Result<()> {
    let people = generate(spec);
    write::registers(&people, out)?;
    let truth = truth(&people);
    crate::fsutil::write_atomic(
        &out.join("sandhed.json"),
        serde_json::to_string_pretty(&truth)?.as_bytes(),
    )?;
    Ok(())
}
