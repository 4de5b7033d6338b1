//! Weekly benefit codes and monthly employment, before and after the (placebo) start.
//!
//! Before start, each calibration group follows latent Gaussian AR(1) processes (one for the
//! benefit type, one for the activity, one for monthly employment) running backwards from the week
//! before start. At every lag the group's members are ranked by the latent value and the published
//! shares are handed out by rank, so each lag's shares are exact while each person's history keeps
//! the persistence (spells) of the latent process. After start, everyone (participants' untreated
//! paths included) follows the same model given their pre-start characteristics: selection is on
//! observables only.

use super::people::Person;
use super::targets::{WeeklyTargets, at_lag};
use crate::calendar::{self, MonthNo, WeekNo};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// A person's register series over the synthetic window.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Weekly DREAM codes (0 = blank).
    pub codes: Vec<u16>,
    /// Monthly employment rate.
    pub grad: Vec<f64>,
    /// Monthly DB07 industry (0 = none).
    pub branche: Vec<u32>,
    /// Monthly owner type of the workplace (0 = none).
    pub virkf: Vec<u16>,
    /// IGU start date.
    pub igu: Option<chrono::NaiveDate>,
}

/// The synthetic window: weeks and months of DREAM.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// First week.
    pub first_week: WeekNo,
    /// Last week.
    pub last_week: WeekNo,
    /// First month (of the first week's Thursday).
    pub first_month: MonthNo,
    /// Last month.
    pub last_month: MonthNo,
}

impl Window {
    /// ISO weeks 2016-W01 to 2019-W30 (January 2016 – July 2019).
    pub fn full() -> Window {
        let first_week = calendar::iso_week(2016, 1).expect("valid week");
        let last_week = calendar::iso_week(2019, 30).expect("valid week");
        Window {
            first_week,
            last_week,
            first_month: calendar::month_of_week(first_week),
            last_month: calendar::month_of_week(last_week),
        }
    }

    /// Number of weeks.
    pub fn weeks(&self) -> usize {
        (self.last_week - self.first_week + 1) as usize
    }

    /// Number of months.
    pub fn months(&self) -> usize {
        (self.last_month - self.first_month + 1) as usize
    }
}

/// Person-level traits of the histories.
#[derive(Debug, Clone, Copy)]
pub struct Traits {
    /// Hours as a share of full time when employed.
    pub hours: f64,
    /// DB07 industry of the person's jobs.
    pub industry: u32,
    /// Owner type of the person's workplaces.
    pub owner: u16,
    /// Code of the person's other benefit (dagpenge, sygedagpenge, uddannelseshjælp).
    pub other_benefit: u16,
    /// Whether internships and wage subsidies are in private firms.
    pub private: bool,
}

fn pick<T: Copy>(items: &[(T, f64)], u: f64) -> T {
    let total: f64 = items.iter().map(|x| x.1).sum();
    let mut u = u * total;
    for &(item, w) in items {
        if u < w {
            return item;
        }
        u -= w;
    }
    items[items.len() - 1].0
}

/// Draws the person-level traits.
pub fn traits(male: bool, rng: &mut ChaCha8Rng) -> Traits {
    let industries: &[(u32, f64)] = if male {
        &[
            (101100, 0.20),
            (471100, 0.20),
            (494100, 0.12),
            (561010, 0.25),
            (861000, 0.02),
            (812100, 0.21),
        ]
    } else {
        &[
            (101100, 0.10),
            (471100, 0.20),
            (494100, 0.02),
            (561010, 0.15),
            (861000, 0.15),
            (812100, 0.38),
        ]
    };
    let owners: &[(u16, f64)] = if male {
        &[(10, 0.30), (60, 0.30), (80, 0.30), (250, 0.02), (280, 0.08)]
    } else {
        &[(10, 0.10), (60, 0.25), (80, 0.30), (250, 0.20), (280, 0.15)]
    };
    Traits {
        hours: rng.random_range(0.25..1.0),
        industry: pick(industries, rng.random()),
        owner: pick(owners, rng.random()),
        other_benefit: pick(&[(111u16, 0.4), (890, 0.4), (720, 0.2)], rng.random()),
        private: rng.random::<f64>() < 0.68,
    }
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// Benefit type of a week before start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Regime {
    Integration,
    Cash,
    Other,
    None,
}

/// The week's code from benefit type and activity digit.
fn code(regime: Regime, digit: u16, t: &Traits) -> u16 {
    match regime {
        Regime::Integration => 700 + digit,
        Regime::Cash => 730 + digit,
        Regime::Other => t.other_benefit,
        Regime::None => 0,
    }
}

/// Assigns categories by rank: the members (indices into `z`) sorted by latent value take the
/// categories in order, `shares[c]` of `n` each; the rest get `shares.len()`.
fn by_rank(members: &mut [usize], z: &[f64], shares: &[f64], n: usize) -> Vec<(usize, usize)> {
    members.sort_by(|&a, &b| z[a].total_cmp(&z[b]));
    let mut out = Vec::with_capacity(members.len());
    let mut bounds = Vec::new();
    let mut cum = 0.0;
    for s in shares {
        cum += s;
        bounds.push(((cum * n as f64).round() as usize).min(members.len()));
    }
    for (rank, &m) in members.iter().enumerate() {
        let cat = bounds
            .iter()
            .position(|&b| rank < b)
            .unwrap_or(shares.len());
        out.push((m, cat));
    }
    out
}

/// Fills the weeks and months before start of one calibration group.
pub fn before_start(
    people: &[Person],
    members: &[usize],
    traits: &[Traits],
    paths: &mut [Paths],
    t: &WeeklyTargets,
    w: &Window,
    rng: &mut ChaCha8Rng,
) {
    let n = members.len();
    if n == 0 {
        return;
    }
    let start_week: Vec<WeekNo> = members
        .iter()
        .map(|&i| calendar::week_of(people[i].role.start))
        .collect();
    let mut zr: Vec<f64> = (0..n).map(|_| normal(rng)).collect();
    let mut za: Vec<f64> = (0..n).map(|_| normal(rng)).collect();
    let (rho_r, rho_a) = (0.97f64, 0.90f64);
    let max_lag = start_week
        .iter()
        .map(|&s| s - w.first_week)
        .max()
        .unwrap_or(0);
    for lag in 1..=max_lag {
        let mut present: Vec<usize> = (0..n)
            .filter(|&k| start_week[k] - lag >= w.first_week)
            .collect();
        let m = present.len();
        let shares = [
            at_lag(&t.integration, lag),
            at_lag(&t.cash, lag),
            at_lag(&t.other, lag),
        ];
        let regimes = by_rank(&mut present, &zr, &shares, m);
        let mut on: Vec<usize> = regimes.iter().filter(|r| r.1 < 2).map(|r| r.0).collect();
        let acts = [
            at_lag(&t.education, lag),
            at_lag(&t.internship, lag),
            at_lag(&t.subsidy, lag),
            at_lag(&t.guidance, lag),
        ];
        let activity: std::collections::HashMap<usize, usize> =
            by_rank(&mut on, &za, &acts, m).into_iter().collect();
        for (k, cat) in regimes {
            let i = members[k];
            let tr = &traits[i];
            let regime = [
                Regime::Integration,
                Regime::Cash,
                Regime::Other,
                Regime::None,
            ][cat];
            let digit = match activity.get(&k) {
                Some(0) => 4,
                Some(1) => {
                    if tr.private {
                        7
                    } else {
                        8
                    }
                }
                Some(2) => {
                    if tr.private {
                        5
                    } else {
                        6
                    }
                }
                Some(3) => 3,
                _ => 0,
            };
            let week = start_week[k] - lag;
            paths[i].codes[(week - w.first_week) as usize] = code(regime, digit, tr);
        }
        for k in 0..n {
            zr[k] = rho_r * zr[k] + (1.0 - rho_r * rho_r).sqrt() * normal(rng);
            za[k] = rho_a * za[k] + (1.0 - rho_a * rho_a).sqrt() * normal(rng);
        }
    }
    // Monthly employment before the start month.
    let start_month: Vec<MonthNo> = members
        .iter()
        .map(|&i| calendar::month_of(people[i].role.start))
        .collect();
    let mut zg: Vec<f64> = (0..n).map(|_| normal(rng)).collect();
    let rho_g = 0.85f64;
    let max_lag = start_month
        .iter()
        .map(|&s| s - w.first_month)
        .max()
        .unwrap_or(0);
    for lag in 1..=max_lag {
        let target = t.grad[(lag.min(12) - 1) as usize];
        let mut present: Vec<usize> = (0..n)
            .filter(|&k| start_month[k] - lag >= w.first_month)
            .collect();
        let m = present.len();
        let mean_hours = present
            .iter()
            .map(|&k| traits[members[k]].hours)
            .sum::<f64>()
            / m.max(1) as f64;
        let share = (target / mean_hours.max(0.05)).min(1.0);
        let employed: Vec<usize> = by_rank(&mut present, &zg, &[share], m)
            .into_iter()
            .filter(|r| r.1 == 0)
            .map(|r| r.0)
            .collect();
        // A person works their own hours, before start as after, so the observed rates carry
        // the same information on hours in every group (the lag's mean is exact in expectation).
        for &k in &employed {
            let i = members[k];
            let col = (start_month[k] - lag - w.first_month) as usize;
            paths[i].grad[col] = round4(traits[i].hours);
        }
        for z in zg.iter_mut() {
            *z = rho_g * *z + (1.0 - rho_g * rho_g).sqrt() * normal(rng);
        }
    }
}

/// Rounds an employment rate to the four decimals written to DREAM.
pub fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn phi(x: f64) -> f64 {
    0.5 * (1.0 + statrs::function::erf::erf(x / std::f64::consts::SQRT_2))
}

/// Pre-start characteristics the untreated outcomes depend on. Every one of them is a covariate
/// of the propensity-score model, so selection is on observables only and matching recovers the
/// planted effects.
pub struct Predictors {
    /// Employment rate 1 month before start.
    pub grad1: f64,
    /// Employment rate 6 months before start.
    pub grad6: f64,
    /// Employment rate 12 months before start.
    pub grad12: f64,
    /// Years in Denmark at start.
    pub years: f64,
    /// Age at start.
    pub age: f64,
    /// Man.
    pub male: bool,
    /// Job-ready in the first quarter of the year before start (an observed covariate; the
    /// start-year status is not in the propensity model, so outcomes must not depend on it).
    pub job_ready: bool,
    /// Vocational, upper-secondary or short/medium higher education (the model's education
    /// dummies; the reference group mixes long education with unknown).
    pub educated: bool,
}

/// The weeks and months from the (placebo) start on, untreated, for everyone alike.
pub fn after_start(
    p: &Person,
    x: &Predictors,
    tr: &Traits,
    path: &mut Paths,
    w: &Window,
    rng: &mut ChaCha8Rng,
) {
    let start_week = calendar::week_of(p.role.start);
    let start_month = calendar::month_of(p.role.start);
    // The monthly job probability is linear in the covariates of the propensity model (a
    // linear probability, clamped): the logit score balances the covariates' means, so with an
    // outcome linear in them matching and IPW are unbiased up to their own smoothing.
    let index = -0.166
        + 0.76 * x.grad1
        + 0.285 * x.grad6
        + 0.285 * x.grad12
        + 0.008 * x.years
        + 0.133 * f64::from(u8::from(x.male))
        + 0.095 * f64::from(u8::from(x.job_ready))
        + 0.057 * f64::from(u8::from(x.educated))
        - 0.003 * (x.age - 35.0);
    // Hours of a job found after start: a new job, unrelated to the hours of earlier ones.
    let hours: f64 = rng.random_range(0.25..1.0);
    let su_level = if x.age < 35.0 { 0.22 } else { 0.08 } * if x.male { 0.7 } else { 1.2 };
    let regime_before = path.codes[((start_week - 1 - w.first_week).max(0)) as usize];
    let base = match regime_before {
        700..=709 => 700,
        730..=739 => 730,
        c if c != 0 => c,
        _ => 730,
    };
    let (mut ze, mut zs, mut zf) = (normal(rng), normal(rng), normal(rng));
    let rho = 0.9f64;
    let mut month_state = std::collections::BTreeMap::new();
    for month in start_month..=w.last_month {
        let k = f64::from(month - start_month);
        // Jobs grow with calendar time (the labour market of 2017–2019), not with time since
        // start: the start date enters the propensity model only as year and month, so an
        // untreated outcome that depended on the exact months since start would be confounded.
        let trend = 0.0067 * f64::from(month - calendar::month_no(2017, 1));
        let p_emp = (index + trend).clamp(0.01, 0.97);
        let employed = phi(ze) < p_emp;
        let p_su = su_level * (k / 12.0).min(1.0);
        let su = !employed && phi(zs) < p_su;
        let self_support = !employed && !su && phi(zf) < 0.10;
        let col = (month - w.first_month) as usize;
        if employed {
            path.grad[col] = round4(hours);
        }
        month_state.insert(month, (employed && hours >= 0.45, su, self_support));
        ze = rho * ze + (1.0 - rho * rho).sqrt() * normal(rng);
        zs = 0.95 * zs + (1.0 - 0.95f64 * 0.95).sqrt() * normal(rng);
        zf = rho * zf + (1.0 - rho * rho).sqrt() * normal(rng);
    }
    let mut za = normal(rng);
    for week in start_week..=w.last_week {
        let (job, su, ss) = month_state
            .get(&calendar::month_of_week(week))
            .copied()
            .unwrap_or((false, false, false));
        let u = phi(za);
        let digit = if u < 0.22 {
            4
        } else if u < 0.32 {
            if tr.private { 7 } else { 8 }
        } else if u < 0.35 {
            if tr.private { 5 } else { 6 }
        } else if u < 0.43 {
            3
        } else {
            0
        };
        let c = if job || ss {
            0
        } else if su {
            651
        } else if base == 700 || base == 730 {
            base + digit
        } else {
            base
        };
        path.codes[(week - w.first_week) as usize] = c;
        za = 0.9 * za + (1.0 - 0.81f64).sqrt() * normal(rng);
    }
    if rng.random::<f64>() < 0.02 {
        path.igu = Some(p.role.start + chrono::Days::new(7 * rng.random_range(2..50)));
    }
}

/// Industry and owner type in every month with employment.
pub fn workplaces(path: &mut Paths, tr: &Traits) {
    for m in 0..path.grad.len() {
        if path.grad[m] > 0.0 {
            path.branche[m] = tr.industry;
            path.virkf[m] = tr.owner;
        } else {
            path.branche[m] = 0;
            path.virkf[m] = 0;
        }
    }
}

/// Industry and owner type of a treated path: the untreated job's where the untreated path has
/// employment, the person's usual ones in new employment.
pub fn workplaces_keep(path: &mut Paths, untreated: &Paths, tr: &Traits) {
    for m in 0..path.grad.len() {
        if path.grad[m] <= 0.0 {
            path.branche[m] = 0;
            path.virkf[m] = 0;
        } else if untreated.grad[m] > 0.0 {
            path.branche[m] = untreated.branche[m];
            path.virkf[m] = untreated.virkf[m];
        } else {
            path.branche[m] = tr.industry;
            path.virkf[m] = tr.owner;
        }
    }
}
