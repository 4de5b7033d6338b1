//! Synthetic register extracts in the real layout, with known true effects.
//!
//! The real registers are confidential, so every user and test first meets these. The stages:
//! [`design`] gives every person a role (participant or control; how far through the funnel) and
//! a start date, such that the evaluation's funnel and follow-up samples come out exactly as
//! published; [`people`] draws background facts (family links, origin, years in Denmark, …) in
//! the published proportions per group; [`history`] fills weekly DREAM codes and monthly
//! employment, before start per group by rank (exact shares at every lag) and after start with one
//! model for everyone (selection on observables); [`effects`] turns each participant's untreated
//! path into the treated path with planted effects; [`write`] writes the registers.
//! `sandhed.json` records the true average effect on the treated of every outcome, measured with
//! the dataset's own outcome functions over the final sample.
//!
//! The controls' placebo dates are drawn by the dataset from (analysis seed, person id); the
//! generator uses the same hash to place them, so `analysis_seed` must equal the report's
//! `analyse.seed` (default 20200615) for the published counts to come out exactly.

pub mod design;
pub mod effects;
pub mod history;
pub mod municipalities;
pub mod people;
pub mod targets;
mod write;

use crate::calendar::{self, MonthNo};
use crate::dataset::education;
use crate::dataset::outcomes::{self, Masks};
use crate::registers::codes::CodeBook;
use anyhow::Result;
use chrono::NaiveDate;
use design::Tier;
use history::{Paths, Predictors, Traits, Window};
use people::{Child, Group, Person};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Seed of the bundled synthetic registers.
pub const DEFAULT_SEED: u64 = 2020;
/// The analysis seed the synthetic registers are designed for (the report's `analyse.seed`).
pub const DEFAULT_ANALYSIS_SEED: u64 = 20200615;

/// The code book the synthetic truth is measured with (the shipped one).
const CODE_BOOK: &str = include_str!("../../report/dream-koder.yaml");

/// Settings of a synthetic register set.
#[derive(Debug, Clone)]
pub struct SynthSpec {
    /// Random seed; the same seed gives byte-identical files.
    pub seed: u64,
    /// Multiplier on the control population.
    pub scale: f64,
    /// The seed the analysis draws placebo dates with (`analyse.seed`).
    pub analysis_seed: u64,
    /// Last month of data (DREAM ends there); `None`: July 2019, the final vintage.
    pub vintage: Option<MonthNo>,
}

impl Default for SynthSpec {
    fn default() -> Self {
        SynthSpec {
            seed: DEFAULT_SEED,
            scale: 1.0,
            analysis_seed: DEFAULT_ANALYSIS_SEED,
            vintage: None,
        }
    }
}

/// The synthetic population with its histories.
pub(crate) struct World {
    pub people: Vec<Person>,
    pub children: Vec<Child>,
    pub traits: Vec<Traits>,
    /// Observed paths (treated paths for participants).
    pub paths: Vec<Paths>,
    /// Untreated paths of participants.
    pub untreated: BTreeMap<usize, Paths>,
    pub window: Window,
    pub igu_until: NaiveDate,
}

fn predictors(p: &Person, path: &Paths, w: &Window) -> Predictors {
    let start = p.role.start;
    let sm = calendar::month_of(start);
    let grad = |k: i32| {
        let c = sm - k - w.first_month;
        if c >= 0 { path.grad[c as usize] } else { 0.0 }
    };
    Predictors {
        grad1: grad(1),
        grad6: grad(6),
        grad12: grad(12),
        years: p
            .arrival
            .map_or(30.0, |a| (start - a).num_days() as f64 / 365.25),
        age: f64::from(calendar::age_at(p.birth, start)),
        male: p.role.male,
        job_ready: p.job_ready[1],
        educated: matches!(
            education::group(p.hfaudd),
            education::Group::EudGymnasium | education::Group::KvuMvu
        ),
    }
}

/// Generates the synthetic population with participants and potential outcomes.
pub(crate) fn generate(spec: &SynthSpec) -> Result<World> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let roles = design::roles(spec.scale, spec.analysis_seed, &mut rng);
    let mut next_serial = roles.iter().map(|r| r.serial).max().unwrap_or(0);
    let mut people = people::people(roles, &mut rng);
    people::pair(&mut people, &mut rng, &mut next_serial);
    let children = people::children(&people, spec.analysis_seed, &mut rng, &mut next_serial);
    let window = Window::full();
    let traits: Vec<Traits> = people
        .iter()
        .map(|p| history::traits(p.role.male, &mut rng))
        .collect();
    let empty = Paths {
        codes: vec![0; window.weeks()],
        grad: vec![0.0; window.months()],
        branche: vec![0; window.months()],
        virkf: vec![0; window.months()],
        igu: None,
    };
    let mut paths: Vec<Paths> = vec![empty; people.len()];
    // Before start, per calibration group.
    let mut groups: BTreeMap<(u8, bool), Vec<usize>> = BTreeMap::new();
    for (i, p) in people.iter().enumerate() {
        if p.permanent {
            paths[i].codes.fill(783);
            continue;
        }
        let key = match people::group(&p.role) {
            Group::Treated(male) => (0, male),
            Group::Controls => (1, false),
            Group::Working => (2, p.role.treated),
            Group::Outside => (3, false),
        };
        groups.entry(key).or_default().push(i);
    }
    for ((kind, flag), members) in &groups {
        let t = match kind {
            0 => targets::treated(*flag),
            1 | 3 => targets::controls(),
            _ => targets::not_on_benefit(*flag),
        };
        history::before_start(&people, members, &traits, &mut paths, &t, &window, &mut rng);
    }
    for (i, p) in people.iter().enumerate() {
        if p.permanent {
            continue;
        }
        let x = predictors(p, &paths[i], &window);
        history::after_start(p, &x, &traits[i], &mut paths[i], &window, &mut rng);
        history::workplaces(&mut paths[i], &traits[i]);
    }
    // Participants: treated paths with the planted effects.
    let codebook = CodeBook::parse(CODE_BOOK)?;
    let masks = Masks::new(&codebook);
    let (lo, hi) = crate::dataset::evaluation_window();
    let igu_until = {
        let (y, m, d) = targets::IGU_UNTIL;
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    };
    let treated: Vec<usize> = (0..people.len())
        .filter(|&i| people[i].role.treated && !people[i].permanent)
        .collect();
    let untreated: BTreeMap<usize, Paths> =
        treated.iter().map(|&i| (i, paths[i].clone())).collect();
    {
        let mut parts: Vec<effects::Participant> = treated
            .iter()
            .map(|&i| effects::Participant {
                person: &people[i],
                in_sample: people[i].role.tier == Tier::Final
                    && people[i].role.start >= lo
                    && people[i].role.start <= hi,
                treated: paths[i].clone(),
                untreated: &untreated[&i],
                traits: traits[i],
            })
            .collect();
        let budget = effects::Budget {
            window,
            igu_until,
            masks: &masks,
        };
        effects::apply(&mut parts, &budget, &mut rng);
        let done: Vec<Paths> = parts.into_iter().map(|p| p.treated).collect();
        for (&i, path) in treated.iter().zip(done) {
            paths[i] = path;
        }
    }
    Ok(World {
        people,
        children,
        traits,
        paths,
        untreated,
        window,
        igu_until,
    })
}

/// True average effects on the treated, by outcome and group.
#[derive(Debug, Serialize)]
pub struct Truth {
    /// What the numbers are.
    pub beskrivelse: String,
    /// Participants behind each group's numbers (final sample).
    pub deltagere: BTreeMap<String, usize>,
    /// outcome → group (alle, maend, kvinder) → true ATT.
    pub effekter: BTreeMap<String, BTreeMap<String, f64>>,
}

fn truth(world: &World) -> Result<Truth> {
    let codebook = CodeBook::parse(CODE_BOOK)?;
    let masks = Masks::new(&codebook);
    let names = outcomes::names();
    let (lo, hi) = crate::dataset::evaluation_window();
    let mut sums: BTreeMap<(usize, &str), (f64, usize)> = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (&i, y0_path) in &world.untreated {
        let p = &world.people[i];
        if p.role.tier != Tier::Final || p.role.start < lo || p.role.start > hi {
            continue;
        }
        let start = p.role.start;
        let y1 = effects::measure(
            &world.paths[i],
            start,
            &world.window,
            world.igu_until,
            &masks,
        );
        let y0 = effects::measure(y0_path, start, &world.window, world.igu_until, &masks);
        for group in [
            crate::groups::Group::Alle,
            crate::groups::Group::of_sex(p.role.male),
        ] {
            let group = group.key();
            *counts.entry(group.to_string()).or_default() += 1;
            for j in 0..names.len() {
                if y1[j].is_finite() && y0[j].is_finite() {
                    let e = sums.entry((j, group)).or_default();
                    e.0 += y1[j] - y0[j];
                    e.1 += 1;
                }
            }
        }
    }
    let mut effekter: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for ((j, group), (s, n)) in sums {
        effekter
            .entry(names[j].clone())
            .or_default()
            .insert(group.to_string(), s / n as f64);
    }
    Ok(Truth {
        beskrivelse: "Sande gennemsnitlige effekter for deltagerne i den endelige analysepopulation (ATT): forskellen mellem hver deltagers registerforløb med og uden indsatsen, målt med analysedatasættets egne udfaldsdefinitioner over de deltagere, der har opfølgning på udfaldet.".into(),
        deltagere: counts,
        effekter,
    })
}

/// Writes the synthetic registers and `sandhed.json` to `out`.
pub fn write(spec: &SynthSpec, out: &Path) -> Result<()> {
    let world = generate(spec)?;
    write::registers(&world, spec, out)?;
    let truth = truth(&world)?;
    crate::fsutil::write_atomic(
        &out.join("sandhed.json"),
        serde_json::to_string_pretty(&truth)?.as_bytes(),
    )?;
    Ok(())
}

/// Parses a vintage `YYYY-MM` (from January 2017 to July 2019).
pub fn parse_vintage(text: &str) -> Result<MonthNo> {
    let bad = || {
        crate::error::InputError::new(format!(
            "--vintage «{text}» skal være et år og en måned, ÅÅÅÅ-MM, mellem 2017-01 og 2019-07"
        ))
    };
    let (y, m) = text.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let month = calendar::month_no(y, m);
    if !(1..=12).contains(&m)
        || month < calendar::month_no(2017, 1)
        || month > calendar::month_no(2019, 7)
    {
        return Err(bad().into());
    }
    Ok(month)
}
