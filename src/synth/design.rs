//! Who is who: the roles of the synthetic persons, designed so that the evaluation's funnel and
//! follow-up samples come out exactly as published.
//!
//! Participants get start dates drawn inside date bins ([`targets::DATE_BINS`]). Controls have no
//! start date; the dataset draws each one a placebo date from a hash of (analysis seed, person id)
//! ([`crate::dataset::placebo`]). The generator knows that hash, so it walks through candidate
//! person ids and gives each id the role whose quota its placebo date fits: that is how the number
//! of controls per date bin (and so every follow-up N) is exact. The analysis seed must therefore
//! be the one the report uses (`analyse.seed`, default 20200615).

use super::municipalities::{MUNICIPALITIES, Municipality};
use super::targets::{self, DATE_BINS};
use crate::dataset::placebo;
use chrono::{Datelike, NaiveDate, Weekday};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// How far a person gets in the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// In the final sample (step 3).
    Final,
    /// On benefit the week before start, but living in Skanderborg (step 2 only).
    Skanderborg,
    /// Active but not on benefit the week before start (step 1 only).
    NoBenefit,
    /// Outside the unrestricted population.
    Outside(Outside),
}

/// Why a person is outside the unrestricted population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// Participant who started after October 2018.
    LateStart,
    /// Younger than 19 or older than 63 at start.
    Age,
    /// Permanently outside the labour force (førtidspension) the week before start.
    Permanent,
    /// Western country of origin.
    Western,
}

/// One person's role.
#[derive(Debug, Clone)]
pub struct Role {
    /// Serial number of the person id.
    pub serial: u64,
    /// Participant.
    pub treated: bool,
    /// Funnel tier.
    pub tier: Tier,
    /// Man.
    pub male: bool,
    /// Municipality of residence.
    pub municipality: &'static Municipality,
    /// Start date (participants) or placebo date (everyone else).
    pub start: NaiveDate,
}

/// The person id of a serial number.
pub fn pnr(serial: u64) -> String {
    format!("S{serial:08}")
}

fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

/// A weekday drawn uniformly between `from` and `to` (inclusive).
fn weekday_between(from: NaiveDate, to: NaiveDate, rng: &mut ChaCha8Rng) -> NaiveDate {
    weekday_weighted(from, to, 0.0, rng)
}

/// A weekday between `from` and `to` (inclusive), with weight month^`tilt` (participants started
/// more often late in the year: Tabel 3.1's mean start month is 6.84).
fn weekday_weighted(from: NaiveDate, to: NaiveDate, tilt: f64, rng: &mut ChaCha8Rng) -> NaiveDate {
    let days: Vec<NaiveDate> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    let weights: Vec<f64> = days
        .iter()
        .map(|d| f64::from(d.month()).powf(tilt))
        .collect();
    let mut u = rng.random::<f64>() * weights.iter().sum::<f64>();
    for (d, w) in days.iter().zip(&weights) {
        if u < *w {
            return *d;
        }
        u -= w;
    }
    days[days.len() - 1]
}

/// Tilt of participants' start dates towards late months (see [`weekday_weighted`]).
const START_TILT: f64 = 1.5;

/// Splits `total` over weights by largest remainder.
pub fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let raw: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut out: Vec<usize> = raw.iter().map(|r| r.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (raw[b] - raw[b].floor())
            .total_cmp(&(raw[a] - raw[a].floor()))
            .then(a.cmp(&b))
    });
    let missing = total - out.iter().sum::<usize>();
    for &i in order.iter().take(missing) {
        out[i] += 1;
    }
    out
}

/// A shuffled list holding index i `counts[i]` times.
fn shuffled(counts: &[usize], rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut v: Vec<usize> = counts
        .iter()
        .enumerate()
        .flat_map(|(i, &c)| std::iter::repeat_n(i, c))
        .collect();
    v.shuffle(rng);
    v
}

fn scaled(n: usize, scale: f64) -> usize {
    (n as f64 * scale).round() as usize
}

/// Every role of the synthetic population, by serial number.
pub fn roles(scale: f64, analysis_seed: u64, rng: &mut ChaCha8Rng) -> Vec<Role> {
    let (window_lo, window_hi) = crate::dataset::evaluation_window();
    let mut out = Vec::new();
    // Participants.
    let mut treated: Vec<Role> = Vec::new();
    for male in [true, false] {
        let bins: Vec<usize> = DATE_BINS
            .iter()
            .map(|b| if male { b.2 } else { b.3 })
            .collect();
        let bins = shuffled(&bins, rng);
        let mut k = 0;
        let mut rest: Vec<&'static Municipality> = Vec::new();
        for m in &MUNICIPALITIES {
            let (delivered, fin) = if male {
                (m.participants.1, m.final_participants.1)
            } else {
                (m.participants.0, m.final_participants.0)
            };
            for _ in 0..fin {
                let b = &DATE_BINS[bins[k]];
                k += 1;
                treated.push(Role {
                    serial: 0,
                    treated: true,
                    tier: Tier::Final,
                    male,
                    municipality: m,
                    start: weekday_weighted(date(b.0), date(b.1), START_TILT, rng),
                });
            }
            rest.extend(std::iter::repeat_n(m, delivered - fin));
        }
        let no_benefit = if male {
            targets::NO_BENEFIT_TREATED.0
        } else {
            targets::NO_BENEFIT_TREATED.1
        };
        for (i, m) in rest.into_iter().enumerate() {
            let tier = if m.name == "Skanderborg" {
                Tier::Skanderborg
            } else if i < no_benefit {
                Tier::NoBenefit
            } else {
                Tier::Outside(match i % 7 {
                    5 => Outside::Age,
                    6 => Outside::Permanent,
                    _ => Outside::LateStart,
                })
            };
            let start = if tier == Tier::Outside(Outside::LateStart) {
                weekday_between(date((2018, 11, 5)), date((2019, 3, 29)), rng)
            } else {
                weekday_between(window_lo, window_hi, rng)
            };
            treated.push(Role {
                serial: 0,
                treated: true,
                tier,
                male,
                municipality: m,
                start,
            });
        }
    }
    // Control quotas: (tier, male, bin) → remaining count, municipalities assigned afterwards.
    struct Quota {
        tier: Tier,
        male: bool,
        bin: Option<usize>,
        left: usize,
    }
    let mut quotas: Vec<Quota> = Vec::new();
    for (b, bin) in DATE_BINS.iter().enumerate() {
        for (male, n) in [(true, bin.4), (false, bin.5)] {
            quotas.push(Quota {
                tier: Tier::Final,
                male,
                bin: Some(b),
                left: scaled(n, scale),
            });
        }
    }
    let (um, uw) = targets::UNRESTRICTED_SEX;
    let (ftm, ftw) = targets::FINAL_TREATED;
    let (fcm, fcw) = targets::FINAL_CONTROLS;
    let (scm, scw) = targets::SKANDERBORG_CONTROLS;
    let (nbm, nbw) = targets::NO_BENEFIT_TREATED;
    let treated_skanderborg_women = MUNICIPALITIES
        .iter()
        .find(|m| m.name == "Skanderborg")
        .map_or(0, |m| m.participants.0);
    let working_men = um - ftm - nbm - fcm - scm;
    let working_women = uw - ftw - nbw - treated_skanderborg_women - fcw - scw;
    for (tier, male, n) in [
        (Tier::Skanderborg, true, scm),
        (Tier::Skanderborg, false, scw),
        (Tier::NoBenefit, true, working_men),
        (Tier::NoBenefit, false, working_women),
        (Tier::Outside(Outside::Age), true, 60),
        (Tier::Outside(Outside::Age), false, 60),
        (Tier::Outside(Outside::Permanent), true, 70),
        (Tier::Outside(Outside::Permanent), false, 70),
        (Tier::Outside(Outside::Western), true, 60),
        (Tier::Outside(Outside::Western), false, 60),
    ] {
        quotas.push(Quota {
            tier,
            male,
            bin: None,
            left: scaled(n, scale),
        });
    }
    let bin_of = |d: NaiveDate| {
        DATE_BINS
            .iter()
            .position(|b| d >= date(b.0) && d <= date(b.1))
    };
    let mut controls: Vec<Role> = Vec::new();
    let mut serial = 0u64;
    let mut used = HashSet::new();
    let pool = |q: &Quota| q.bin.is_none() && q.left > 0;
    while quotas.iter().any(|q| q.left > 0) {
        serial += 1;
        let id = pnr(serial);
        let start = placebo::start(analysis_seed, &id);
        let bin = bin_of(start);
        let pick = quotas
            .iter()
            .enumerate()
            .filter(|(_, q)| q.left > 0 && q.bin.is_some() && q.bin == bin)
            .max_by_key(|(i, q)| (q.left, usize::MAX - i))
            .map(|(i, _)| i)
            .or_else(|| {
                let open: Vec<usize> = (0..quotas.len()).filter(|&i| pool(&quotas[i])).collect();
                (!open.is_empty()).then(|| {
                    let total: usize = open.iter().map(|&i| quotas[i].left).sum();
                    let mut u = rng.random_range(0..total);
                    for &i in &open {
                        if u < quotas[i].left {
                            return i;
                        }
                        u -= quotas[i].left;
                    }
                    open[open.len() - 1]
                })
            });
        let Some(q) = pick else { continue };
        quotas[q].left -= 1;
        used.insert(serial);
        controls.push(Role {
            serial,
            treated: false,
            tier: quotas[q].tier,
            male: quotas[q].male,
            municipality: &MUNICIPALITIES[0],
            start,
        });
    }
    // Municipalities of controls: exact shares for the final sample, Skanderborg for its tier,
    // the final shares with 12 % in Skanderborg for the others.
    let skanderborg = MUNICIPALITIES.len() - 1;
    for male in [true, false] {
        for tier_kind in 0..3 {
            let members: Vec<usize> = (0..controls.len())
                .filter(|&i| {
                    let c = &controls[i];
                    c.male == male
                        && match tier_kind {
                            0 => c.tier == Tier::Final,
                            1 => c.tier == Tier::Skanderborg,
                            _ => !matches!(c.tier, Tier::Final | Tier::Skanderborg),
                        }
                })
                .collect();
            let weights: Vec<f64> = MUNICIPALITIES
                .iter()
                .enumerate()
                .map(|(i, m)| match tier_kind {
                    0 => m.control_share,
                    1 => f64::from(u8::from(i == skanderborg)),
                    _ if i == skanderborg => 0.12,
                    _ => m.control_share * 0.88,
                })
                .collect();
            let list = shuffled(&apportion(members.len(), &weights), rng);
            for (&i, &k) in members.iter().zip(&list) {
                controls[i].municipality = &MUNICIPALITIES[k];
            }
        }
    }
    // Participants take serial numbers the controls skipped, so ids do not reveal participation.
    let mut free: Vec<u64> = (1..=serial + treated.len() as u64)
        .filter(|s| !used.contains(s))
        .collect();
    free.shuffle(rng);
    for (role, s) in treated.iter_mut().zip(free) {
        role.serial = s;
    }
    out.extend(treated);
    out.extend(controls);
    out.sort_by_key(|r| r.serial);
    out
}
