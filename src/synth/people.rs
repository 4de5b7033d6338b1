//! Background facts of the synthetic persons: age, origin, family (partner and children), years
//! in Denmark, residence basis, education, a-kasse, job-readiness, hospital admissions, crime and
//! interviews. Within each calibration group (participants by sex, final controls, the working
//! population) binary facts are assigned in exact counts and continuous ones from stratified
//! quantiles, so the group means equal the published ones up to rounding.

use super::design::{Outside, Role, Tier};
use super::targets::{self, Background};
use crate::calendar;
use crate::dataset::countries;
use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Country codes of the origin categories of [`Background::origin`].
const ORIGIN_CODES: [&[i64]; 7] = [
    &[countries::SYRIEN],
    &[5676, 5640, 5652, 5664],
    &[countries::ERITREA],
    &[5522, 5502],
    &[5776, 5724, 5754],
    &[5130],
    &[5120, 5784],
];

/// HFAUDD codes of the education categories of [`Background::education`].
const EDUCATION_CODES: [&[&str]; 4] = [
    &["1090", "1510"],
    &["2010", "5010"],
    &["4010", "6010", "6510"],
    &["7010", "9999", ""],
];

/// One synthetic adult.
#[derive(Debug, Clone)]
pub struct Person {
    /// Role in the design.
    pub role: Role,
    /// Person id.
    pub pnr: String,
    /// Birth date.
    pub birth: NaiveDate,
    /// Country of origin (`OPR_LAND`).
    pub origin: i64,
    /// 1 Danish origin, 2 immigrant, 3 descendant.
    pub ie_type: i64,
    /// Date of immigration (None: born in Denmark).
    pub arrival: Option<NaiveDate>,
    /// Residence basis (OPHGR).
    pub residence: i64,
    /// HFAUDD (None: no UDDA record).
    pub hfaudd: Option<&'static str>,
    /// A-kasse member the year before start.
    pub akasse: bool,
    /// Job-ready in the start quarter, in Q1 of the year before.
    pub job_ready: [bool; 2],
    /// Inpatient admission in the year before start.
    pub hospital: bool,
    /// Judgement in the year before start.
    pub crime: bool,
    /// Nulstillende samtaler in the year before start.
    pub interviews: u32,
    /// Wants a partner (filled by pairing).
    pub partnered: bool,
    /// Index of the partner.
    pub partner: Option<usize>,
    /// Children to create: aged 0–5, 6–11, 12–18 at start.
    pub children: [u32; 3],
    /// Permanently outside the labour force (førtidspension all along).
    pub permanent: bool,
}

/// One synthetic child (BEF only).
#[derive(Debug, Clone)]
pub struct Child {
    /// Person id.
    pub pnr: String,
    /// Birth date.
    pub birth: NaiveDate,
    /// Mother's index.
    pub mother: Option<usize>,
    /// Father's index.
    pub father: Option<usize>,
    /// Man.
    pub male: bool,
}

/// The calibration group of a role: participants by sex, final controls, others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Participants in the final sample (or Skanderborg's), by sex.
    Treated(bool),
    /// Final and Skanderborg controls on benefit.
    Controls,
    /// Working population of step 1 (and participants not on benefit).
    Working,
    /// Outside the unrestricted population.
    Outside,
}

/// The group of a role.
pub fn group(role: &Role) -> Group {
    match (role.treated, role.tier) {
        (true, Tier::Final | Tier::Skanderborg) => Group::Treated(role.male),
        (false, Tier::Final | Tier::Skanderborg) => Group::Controls,
        (_, Tier::NoBenefit) => Group::Working,
        _ => Group::Outside,
    }
}

/// `n` flags with exactly round(share·n) set, shuffled.
fn exact_flags(n: usize, share: f64, rng: &mut ChaCha8Rng) -> Vec<bool> {
    let k = (share * n as f64).round() as usize;
    let mut v: Vec<bool> = (0..n).map(|i| i < k.min(n)).collect();
    v.shuffle(rng);
    v
}

/// `n` categories in exact shares, shuffled.
fn exact_categories(n: usize, shares: &[f64], rng: &mut ChaCha8Rng) -> Vec<usize> {
    let counts = super::design::apportion(n, shares);
    let mut v: Vec<usize> = counts
        .iter()
        .enumerate()
        .flat_map(|(i, &c)| std::iter::repeat_n(i, c))
        .collect();
    v.shuffle(rng);
    v
}

/// `n` stratified uniforms in random order ((i + u)/n).
fn stratified(n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let mut v: Vec<f64> = (0..n)
        .map(|i| (i as f64 + rng.random::<f64>()) / n as f64)
        .collect();
    v.shuffle(rng);
    v
}

/// Counts with mean `mean` from stratified uniforms (Poisson quantiles, mean-corrected).
fn counts(n: usize, mean: f64, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let poisson = |u: f64| -> u32 {
        let (mut k, mut p) = (0u32, (-mean).exp());
        let mut cdf = p;
        while u > cdf && k < 12 {
            k += 1;
            p *= mean / f64::from(k);
            cdf += p;
        }
        k
    };
    let mut v: Vec<u32> = stratified(n, rng).into_iter().map(poisson).collect();
    let target = (mean * n as f64).round() as i64;
    let mut sum: i64 = v.iter().map(|&x| i64::from(x)).sum();
    let mut i = 0;
    while sum != target && !v.is_empty() {
        let j = i % v.len();
        if sum < target {
            v[j] += 1;
            sum += 1;
        } else if v[j] > 0 {
            v[j] -= 1;
            sum -= 1;
        }
        i += 1;
    }
    v
}

/// Values from stratified quantiles of a gamma-like shape, shifted to mean `mean`, within bounds.
fn continuous(
    n: usize,
    mean: f64,
    spread: f64,
    lo: f64,
    hi: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let mut v: Vec<f64> = stratified(n, rng)
        .into_iter()
        .map(|u| mean + spread * (u.max(1e-6) / (1.0 - u).max(1e-6)).ln() * 0.55)
        .collect();
    for _ in 0..20 {
        let m = v.iter().sum::<f64>() / n.max(1) as f64;
        for x in &mut v {
            *x = (*x + mean - m).clamp(lo, hi);
        }
    }
    v
}

/// The background facts of every role.
pub fn people(roles: Vec<Role>, rng: &mut ChaCha8Rng) -> Vec<Person> {
    let mut people: Vec<Person> = roles
        .into_iter()
        .map(|role| Person {
            pnr: super::design::pnr(role.serial),
            role,
            birth: NaiveDate::MIN,
            origin: 0,
            ie_type: 2,
            arrival: None,
            residence: 99,
            hfaudd: None,
            akasse: false,
            job_ready: [false; 2],
            hospital: false,
            crime: false,
            interviews: 0,
            partnered: false,
            partner: None,
            children: [0; 3],
            permanent: false,
        })
        .collect();
    let groups = [
        (Group::Treated(true), targets::treated_background(true)),
        (Group::Treated(false), targets::treated_background(false)),
        (Group::Controls, targets::control_background()),
        (Group::Working, targets::working_background()),
        (Group::Outside, targets::working_background()),
    ];
    for (g, bg) in &groups {
        let members: Vec<usize> = (0..people.len())
            .filter(|&i| group(&people[i].role) == *g)
            .collect();
        assign(&mut people, &members, bg, rng);
    }
    for p in &mut people {
        match p.role.tier {
            Tier::Outside(Outside::Age) => {
                let age = if rng.random::<bool>() {
                    64 + rng.random_range(0..3)
                } else {
                    18
                };
                p.birth = birth_for_age(p.role.start, age, rng);
            }
            Tier::Outside(Outside::Permanent) => p.permanent = true,
            Tier::Outside(Outside::Western) => {
                p.origin = if rng.random::<bool>() { 1100 } else { 5474 };
            }
            _ => {}
        }
    }
    people
}

/// A birth date making the person `age` years old at `at`.
pub fn birth_for_age(at: NaiveDate, age: i32, rng: &mut ChaCha8Rng) -> NaiveDate {
    let back = at
        .with_year(at.year() - age - 1)
        .unwrap_or(at - Days::new(365 * (age as u64 + 1)));
    back + Days::new(rng.random_range(1..365))
}

fn assign(people: &mut [Person], members: &[usize], bg: &Background, rng: &mut ChaCha8Rng) {
    let n = members.len();
    if n == 0 {
        return;
    }
    // Whole years of age average half a year less than the exact age.
    let ages = continuous(n, bg.age + 0.5, 9.0, 19.05, 63.95, rng);
    let years = continuous(n, bg.years, bg.years * 0.5, 0.3, 40.0, rng);
    let single = exact_flags(n, bg.single, rng);
    let kids: Vec<Vec<u32>> = bg.children.iter().map(|&m| counts(n, m, rng)).collect();
    let origin = exact_categories(n, &bg.origin, rng);
    let residence = exact_categories(n, &bg.residence, rng);
    let education = exact_categories(n, &bg.education, rng);
    let akasse = exact_flags(n, bg.akasse, rng);
    let ready0 = exact_flags(n, bg.job_ready[0], rng);
    let ready1 = exact_flags(n, bg.job_ready[1], rng);
    let hospital = exact_flags(n, bg.hospital, rng);
    let crime = exact_flags(n, bg.crime, rng);
    let interviews = counts(n, bg.interviews, rng);
    for (k, &i) in members.iter().enumerate() {
        let p = &mut people[i];
        let start = p.role.start;
        let age = ages[k];
        p.birth = start - Days::new((age * 365.25) as u64);
        let stay = years[k].min(age - 0.5);
        p.arrival = Some(start - Days::new((stay * 365.25).round() as u64));
        p.partnered = !single[k];
        p.children = [kids[0][k], kids[1][k], kids[2][k]];
        let codes = ORIGIN_CODES[origin[k]];
        p.origin = codes[rng.random_range(0..codes.len())];
        p.residence = [13, 14, 16][residence[k]];
        let edu = EDUCATION_CODES[education[k]];
        let code = edu[rng.random_range(0..edu.len())];
        p.hfaudd = (!code.is_empty()).then_some(code);
        p.akasse = akasse[k];
        p.job_ready = [ready0[k], ready1[k]];
        p.hospital = hospital[k];
        p.crime = crime[k];
        p.interviews = interviews[k];
    }
}

/// Pairs partnered women and men of the same municipality; those left over, and a share chosen to
/// have a partner outside the labour force, get a new partner, appended to `people`.
pub fn pair(people: &mut Vec<Person>, rng: &mut ChaCha8Rng, next_serial: &mut u64) {
    let mut by_place: std::collections::BTreeMap<(&str, bool), Vec<usize>> = Default::default();
    let mut outside_partner = Vec::new();
    for (i, p) in people.iter().enumerate() {
        if !p.partnered || matches!(p.role.tier, Tier::Outside(_)) {
            continue;
        }
        let inactive_share = match group(&p.role) {
            Group::Treated(_) => 0.03 / 0.65,
            Group::Controls => 0.06 / 0.65,
            _ => 0.03,
        };
        if rng.random::<f64>() < inactive_share {
            outside_partner.push((i, true));
        } else {
            by_place
                .entry((p.role.municipality.name, p.role.male))
                .or_default()
                .push(i);
        }
    }
    // Within each municipality: participants with participants, then with controls on benefit,
    // controls with controls, then with the working population, which also pairs among itself.
    let mut places: Vec<&str> = by_place.keys().map(|k| k.0).collect();
    places.dedup();
    let rank: Vec<u8> = people
        .iter()
        .map(|p| match group(&p.role) {
            Group::Treated(_) => 0,
            Group::Controls => 1,
            _ => 2,
        })
        .collect();
    for place in places {
        let mut men = by_place.get(&(place, true)).cloned().unwrap_or_default();
        let mut women = by_place.get(&(place, false)).cloned().unwrap_or_default();
        men.shuffle(rng);
        women.shuffle(rng);
        for (a, b) in [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2)] {
            let ms: Vec<usize> = men
                .iter()
                .copied()
                .filter(|&i| rank[i] == a && people[i].partner.is_none())
                .collect();
            let ws: Vec<usize> = women
                .iter()
                .copied()
                .filter(|&i| rank[i] == b && people[i].partner.is_none())
                .collect();
            for (&m, &w) in ms.iter().zip(&ws) {
                people[m].partner = Some(w);
                people[w].partner = Some(m);
            }
        }
        men.retain(|&i| people[i].partner.is_none());
        women.retain(|&i| people[i].partner.is_none());
        outside_partner.extend(men.iter().map(|&i| (i, false)));
        outside_partner.extend(women.iter().map(|&i| (i, false)));
    }
    outside_partner.sort();
    outside_partner.dedup();
    for (i, inactive) in outside_partner {
        let focal = people[i].clone();
        *next_serial += 1;
        let age = calendar::age_at(focal.birth, focal.role.start) + rng.random_range(-3..=6);
        let mut role = focal.role.clone();
        role.serial = *next_serial;
        role.treated = false;
        role.male = !focal.role.male;
        role.tier = Tier::Outside(if inactive {
            Outside::Permanent
        } else {
            Outside::Western
        });
        let j = people.len();
        people.push(Person {
            pnr: super::design::pnr(*next_serial),
            role,
            birth: birth_for_age(focal.role.start, age.clamp(20, 75), rng),
            origin: if inactive {
                focal.origin
            } else {
                countries::DANMARK
            },
            ie_type: if inactive { 2 } else { 1 },
            arrival: if inactive { focal.arrival } else { None },
            residence: focal.residence,
            hfaudd: None,
            akasse: false,
            job_ready: [false; 2],
            hospital: false,
            crime: false,
            interviews: 0,
            partnered: true,
            partner: Some(i),
            children: [0; 3],
            permanent: inactive,
        });
        people[i].partner = Some(j);
    }
}

/// Children of every person with children to create, linked to that parent only (so each
/// person's counts are their own). A child's id is chosen so that the child is still under 19 at
/// the placebo date the analysis will draw for it, keeping children out of the adult population.
pub fn children(
    people: &[Person],
    analysis_seed: u64,
    rng: &mut ChaCha8Rng,
    next_serial: &mut u64,
) -> Vec<Child> {
    let mut out = Vec::new();
    for (i, p) in people.iter().enumerate() {
        for (band, &count) in p.children.iter().enumerate() {
            let (lo, hi) = [(0, 5), (6, 11), (12, 18)][band];
            for _ in 0..count {
                let age = rng.random_range(lo..=hi);
                let birth = birth_for_age(p.role.start, age, rng).min(p.role.start);
                let adult = birth
                    .checked_add_months(chrono::Months::new(19 * 12))
                    .unwrap_or(NaiveDate::MAX);
                loop {
                    *next_serial += 1;
                    let id = super::design::pnr(*next_serial);
                    if crate::dataset::placebo::start(analysis_seed, &id) < adult {
                        break;
                    }
                }
                let (mother, father) = if p.role.male {
                    (None, Some(i))
                } else {
                    (Some(i), None)
                };
                out.push(Child {
                    pnr: super::design::pnr(*next_serial),
                    birth,
                    mother,
                    father,
                    male: rng.random(),
                });
            }
        }
    }
    out
}
