//! The planted programme effects: each participant's treated path is the untreated path changed
//! by the programme (a job from some month after start, internships and other activation in the
//! first year, an IGU start, industry and owner type of the new jobs, more self-support, less or
//! more SU). The amounts are budgets: over the final sample's participants of each sex, the mean
//! difference between the paths, measured with the dataset's own outcome functions, equals the
//! planted effect (targets.rs) up to the granularity of weeks and months.

use super::history::{Paths, Window, round4};
use super::people::Person;
use super::targets::{self, BySex};
use crate::calendar;
use crate::dataset::outcomes::{self, Masks, Series};
use chrono::NaiveDate;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A participant: index into the people, treated path, untreated path.
pub struct Participant<'a> {
    /// The person.
    pub person: &'a Person,
    /// Whether the person is in the final sample (the budgets' population).
    pub in_sample: bool,
    /// Treated path (changed here).
    pub treated: Paths,
    /// Untreated path.
    pub untreated: &'a Paths,
    /// The person's usual industry and owner type.
    pub traits: super::history::Traits,
}

/// Outcomes of one path.
pub fn measure(
    paths: &Paths,
    start: NaiveDate,
    w: &Window,
    igu_until: NaiveDate,
    masks: &Masks,
) -> Vec<f64> {
    let week_month = outcomes::week_months(w.first_week, paths.codes.len());
    let series = Series {
        first_week: w.first_week,
        codes: &paths.codes,
        week_month: &week_month,
        first_month: w.first_month,
        grad: &paths.grad,
        branche: &paths.branche,
        virkf: &paths.virkf,
        igu_start: paths.igu,
        igu_until,
    };
    let mut out = vec![0.0; outcomes::names().len()];
    outcomes::compute(&series, start, masks, &mut out);
    out
}

/// Shared settings of the effect budgets.
pub struct Budget<'m> {
    /// The window.
    pub window: Window,
    /// IGU register end.
    pub igu_until: NaiveDate,
    /// Outcome masks.
    pub masks: &'m Masks,
}

impl Budget<'_> {
    /// Sum over the sample participants of sex `male` of the treated-minus-untreated outcome `j`,
    /// and their number with the outcome observed.
    fn delta(&self, parts: &[Participant], male: bool, j: usize) -> (f64, usize) {
        let (mut sum, mut n) = (0.0, 0);
        for p in parts
            .iter()
            .filter(|p| p.in_sample && p.person.role.male == male)
        {
            let start = p.person.role.start;
            let y1 = measure(&p.treated, start, &self.window, self.igu_until, self.masks)[j];
            let y0 = measure(p.untreated, start, &self.window, self.igu_until, self.masks)[j];
            if y1.is_finite() && y0.is_finite() {
                sum += y1 - y0;
                n += 1;
            }
        }
        (sum, n)
    }
}

fn index(name: &str) -> usize {
    outcomes::names()
        .iter()
        .position(|n| n == name)
        .expect("known outcome")
}

fn pick(by_sex: BySex, male: bool) -> f64 {
    if male { by_sex.0 } else { by_sex.1 }
}

/// Months after the start month in which programme jobs begin, with probabilities (Tabel 4.2's
/// ramp: little before month 4, most in months 4–8, some later).
const JOB_START: [(i32, f64); 8] = [
    (0, 0.02),
    (2, 0.15),
    (4, 0.20),
    (5, 0.33),
    (6, 0.10),
    (8, 0.05),
    (12, 0.07),
    (15, 0.08),
];

fn weeks_of_month(month: i32, w: &Window) -> Vec<usize> {
    let first = calendar::week_of(calendar::first_day(month)) - 1;
    (first..first + 7)
        .filter(|&wk| {
            calendar::month_of_week(wk) == month && wk >= w.first_week && wk <= w.last_week
        })
        .map(|wk| (wk - w.first_week) as usize)
        .collect()
}

fn is_passive(code: u16) -> bool {
    code == 700 || code == 730
}

/// Applies every planted effect to the participants' treated paths.
pub fn apply(parts: &mut [Participant], b: &Budget, rng: &mut ChaCha8Rng) {
    employment(parts, b, rng);
    activation(parts, b, rng);
    igu(parts, b, rng);
    for p in parts.iter_mut() {
        super::history::workplaces_keep(&mut p.treated, p.untreated, &p.traits);
    }
    workplaces(parts, b, rng);
    weekly_shares(parts, b, rng);
}

/// Programme jobs, scaled per sex so the January–July 2019 effect is the planted one.
fn employment(parts: &mut [Participant], b: &Budget, rng: &mut ChaCha8Rng) {
    let w = &b.window;
    let plan: Vec<Option<(i32, f64)>> = parts
        .iter()
        .map(|_| {
            (rng.random::<f64>() < 0.16).then(|| {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                let mut k = JOB_START[JOB_START.len() - 1].0;
                for &(m, p) in &JOB_START {
                    acc += p;
                    if u < acc {
                        k = m;
                        break;
                    }
                }
                (k, rng.random_range(0.3..0.8))
            })
        })
        .collect();
    let j = index("beskaeftigelse");
    for male in [true, false] {
        let target = pick(targets::EMPLOYMENT, male);
        let set = |parts: &mut [Participant], lambda: f64| {
            for (p, plan) in parts.iter_mut().zip(&plan) {
                if p.person.role.male != male {
                    continue;
                }
                p.treated.grad.clone_from(&p.untreated.grad);
                p.treated.codes.clone_from(&p.untreated.codes);
                let Some((k, a)) = *plan else { continue };
                let from = calendar::month_of(p.person.role.start) + k;
                for month in from.max(w.first_month)..=w.last_month {
                    let col = (month - w.first_month) as usize;
                    p.treated.grad[col] = round4((p.untreated.grad[col] + lambda * a).min(1.0));
                    if a >= 0.45 {
                        let first =
                            (calendar::week_of(p.person.role.start) - w.first_week) as usize;
                        for week in weeks_of_month(month, w)
                            .into_iter()
                            .filter(|&wk| wk >= first)
                        {
                            let c = p.treated.codes[week];
                            if (700..=739).contains(&c) || c == 111 || c == 890 || c == 720 {
                                p.treated.codes[week] = 0;
                            }
                        }
                    }
                }
            }
        };
        let (mut lo, mut hi) = (0.0, 4.0);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            set(parts, mid);
            let (sum, n) = b.delta(parts, male, j);
            if sum / n.max(1) as f64 > target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        set(parts, 0.5 * (lo + hi));
    }
}

/// Activation in weeks 0–52: passive weeks become the activity (or back), per sex and category.
fn activation(parts: &mut [Participant], b: &Budget, rng: &mut ChaCha8Rng) {
    let w = &b.window;
    let digits = [5u16, 7, 6, 8, 3, 4];
    for (c, (name, _)) in outcomes::ACTIVATION.iter().enumerate() {
        let j = index(name);
        for male in [true, false] {
            let target = pick(targets::ACTIVATION[c], male);
            let (sum, n) = b.delta(parts, male, j);
            let weeks_total = f64::from(outcomes::WEEKS_AFTER + 1);
            let mut need = ((target * n as f64 - sum) * weeks_total).round() as i64;
            let mut order: Vec<usize> = (0..parts.len())
                .filter(|&i| parts[i].in_sample && parts[i].person.role.male == male)
                .collect();
            order.shuffle(rng);
            let digit = digits[c];
            for pass in 0..4 {
                for &i in &order {
                    if need == 0 {
                        break;
                    }
                    let p = &mut parts[i];
                    let start = p.person.role.start;
                    if !outcomes::covers_weeks(
                        start,
                        crate::calendar::monday(w.last_week) + chrono::Days::new(6),
                    ) {
                        continue;
                    }
                    let s = (calendar::week_of(start) - w.first_week) as usize;
                    let spell = if pass == 0 {
                        rng.random_range(4..13)
                    } else {
                        53
                    };
                    let offset = rng.random_range(0..40);
                    let mut done = 0;
                    for k in 0..53 {
                        if done >= spell || need == 0 {
                            break;
                        }
                        let week = s + (offset + k) % 53;
                        let code = p.treated.codes[week];
                        let month = calendar::month_of_week(w.first_week + week as i32);
                        let col = (month - w.first_month) as usize;
                        let share = 1.0 / weeks_of_month(month, w).len().max(1) as f64;
                        let subsidy = digit == 5 || digit == 6;
                        if need > 0 && is_passive(code) {
                            p.treated.codes[week] = code + digit;
                            if subsidy {
                                p.treated.grad[col] =
                                    round4((p.treated.grad[col] + share).min(1.0));
                            }
                            need -= 1;
                            done += 1;
                        } else if need < 0 && (code == 700 + digit || code == 730 + digit) {
                            p.treated.codes[week] = code - digit;
                            if subsidy {
                                p.treated.grad[col] =
                                    round4((p.treated.grad[col] - share).max(0.0));
                            }
                            need += 1;
                            done += 1;
                        }
                    }
                }
            }
        }
    }
}

/// IGU starts within weeks 0–52 after start.
fn igu(parts: &mut [Participant], b: &Budget, rng: &mut ChaCha8Rng) {
    let j = index("igu");
    for male in [true, false] {
        let target = pick(targets::IGU, male);
        let (sum, n) = b.delta(parts, male, j);
        let mut need = ((target * n as f64 - sum) * 53.0).round() as i64;
        let mut order: Vec<usize> = (0..parts.len())
            .filter(|&i| parts[i].person.role.male == male && parts[i].treated.igu.is_none())
            .collect();
        order.shuffle(rng);
        for &i in &order {
            let p = &mut parts[i];
            let counted = p.in_sample && outcomes::covers_weeks(p.person.role.start, b.igu_until);
            if counted && need <= 0 {
                continue;
            }
            let mut k: i64 = rng.random_range(8..45);
            if counted {
                if need < 53 - k {
                    k = 53 - need;
                }
                need -= 53 - k;
            } else if rng.random::<f64>() > 0.25 {
                continue;
            }
            let week = calendar::week_of(p.person.role.start) + k as i32;
            p.treated.igu = Some(calendar::monday(week));
        }
    }
}

/// Industry and owner type of the participants' employment January–July 2019.
fn workplaces(parts: &mut [Participant], b: &Budget, rng: &mut ChaCha8Rng) {
    let w = &b.window;
    let months: Vec<usize> = outcomes::main_period()
        .map(|m| (m - w.first_month) as usize)
        .collect();
    for male in [true, false] {
        let members: Vec<usize> = (0..parts.len())
            .filter(|&i| parts[i].in_sample && parts[i].person.role.male == male)
            .collect();
        let n = members.len() as f64;
        // Industries: codes by group, "other" = rengøring.
        let groups: Vec<u32> = vec![101100, 471100, 494100, 561010, 861000];
        let other_industry = 812100;
        let industry_of = |code: u32| -> Option<usize> {
            outcomes::INDUSTRIES
                .iter()
                .position(|(_, _, d)| d.contains(&(code / 10_000)))
        };
        let targets_i: Vec<f64> = targets::INDUSTRIES.iter().map(|t| pick(*t, male)).collect();
        rebalance(
            parts,
            &members,
            &months,
            n,
            &groups,
            other_industry,
            &targets_i,
            rng,
            |p| &mut p.branche,
            |p| &p.branche,
            &industry_of,
        );
        let owners: Vec<u32> = outcomes::OWNER_TYPES
            .iter()
            .map(|o| u32::from(o.2))
            .collect();
        let owner_of = |code: u32| owners.iter().position(|&o| o == code);
        let targets_o: Vec<f64> = targets::OWNER_TYPES
            .iter()
            .map(|t| pick(*t, male))
            .collect();
        let mut virkf32: Vec<(Vec<u32>, Vec<u32>)> = parts
            .iter()
            .map(|p| {
                (
                    p.treated.virkf.iter().map(|&v| u32::from(v)).collect(),
                    p.untreated.virkf.iter().map(|&v| u32::from(v)).collect(),
                )
            })
            .collect();
        rebalance_codes(
            parts,
            &mut virkf32,
            &members,
            &months,
            n,
            &owners,
            280,
            &targets_o,
            rng,
            &owner_of,
        );
        for (p, (v, _)) in parts.iter_mut().zip(virkf32) {
            p.treated.virkf = v.into_iter().map(|x| x as u16).collect();
        }
    }
}

/// Reassigns the monthly codes of employed months so that each group's count of employed months
/// rises by target·7·n over the untreated count.
#[allow(clippy::too_many_arguments)]
fn rebalance(
    parts: &mut [Participant],
    members: &[usize],
    months: &[usize],
    n: f64,
    groups: &[u32],
    other: u32,
    targets: &[f64],
    rng: &mut ChaCha8Rng,
    get: impl Fn(&mut Paths) -> &mut Vec<u32>,
    get0: impl Fn(&Paths) -> &Vec<u32>,
    group_of: &dyn Fn(u32) -> Option<usize>,
) {
    let mut codes: Vec<(Vec<u32>, Vec<u32>)> = parts
        .iter_mut()
        .map(|p| (get(&mut p.treated).clone(), get0(p.untreated).clone()))
        .collect();
    rebalance_codes(
        parts, &mut codes, members, months, n, groups, other, targets, rng, group_of,
    );
    for (p, (c, _)) in parts.iter_mut().zip(codes) {
        *get(&mut p.treated) = c;
    }
}

#[allow(clippy::too_many_arguments)]
fn rebalance_codes(
    parts: &[Participant],
    codes: &mut [(Vec<u32>, Vec<u32>)],
    members: &[usize],
    months: &[usize],
    n: f64,
    groups: &[u32],
    other: u32,
    targets: &[f64],
    rng: &mut ChaCha8Rng,
    group_of: &dyn Fn(u32) -> Option<usize>,
) {
    let count = |codes: &[(Vec<u32>, Vec<u32>)], treated: bool, g: usize| -> i64 {
        members
            .iter()
            .map(|&i| {
                let (c1, c0) = &codes[i];
                let (c, grad) = if treated {
                    (c1, &parts[i].treated.grad)
                } else {
                    (c0, &parts[i].untreated.grad)
                };
                months
                    .iter()
                    .filter(|&&m| grad[m] > 0.0 && group_of(c[m]) == Some(g))
                    .count() as i64
            })
            .sum()
    };
    // New employment (no untreated employment that month) starts as "other".
    let mut free: Vec<(usize, usize)> = Vec::new();
    for &i in members {
        for &m in months {
            let (g1, g0) = (parts[i].treated.grad[m], parts[i].untreated.grad[m]);
            if g1 > 0.0 && g0 == 0.0 {
                codes[i].0[m] = other;
                free.push((i, m));
            } else if g1 == 0.0 {
                codes[i].0[m] = 0;
            }
        }
    }
    // Keep a person's new months together.
    let mut persons: Vec<usize> = free.iter().map(|f| f.0).collect();
    persons.dedup();
    persons.shuffle(rng);
    free.sort_by_key(|&(i, m)| (persons.iter().position(|&p| p == i), m));
    let mut next_free = 0;
    for (g, &target) in targets.iter().enumerate() {
        let want = count(codes, false, g) + (target * 7.0 * n).round() as i64;
        let mut have = count(codes, true, g);
        while have < want && next_free < free.len() {
            let (i, m) = free[next_free];
            next_free += 1;
            codes[i].0[m] = groups[g];
            have += 1;
        }
        if have < want {
            // Take employed "other" months of untreated jobs.
            'outer: for &i in members {
                for &m in months {
                    if have >= want {
                        break 'outer;
                    }
                    if parts[i].treated.grad[m] > 0.0 && group_of(codes[i].0[m]).is_none() {
                        codes[i].0[m] = groups[g];
                        have += 1;
                    }
                }
            }
        }
        if have > want {
            'outer2: for &i in members {
                for &m in months {
                    if have <= want {
                        break 'outer2;
                    }
                    if parts[i].treated.grad[m] > 0.0 && group_of(codes[i].0[m]) == Some(g) {
                        codes[i].0[m] = other;
                        have -= 1;
                    }
                }
            }
        }
    }
}

/// Self-support (passive weeks ↔ blank weeks without work) and SU (passive weeks ↔ SU) in
/// January–July 2019.
fn weekly_shares(parts: &mut [Participant], b: &Budget, rng: &mut ChaCha8Rng) {
    let w = &b.window;
    let period = outcomes::main_period();
    let weeks: Vec<usize> = (w.first_week..=w.last_week)
        .filter(|&wk| period.contains(&calendar::month_of_week(wk)))
        .map(|wk| (wk - w.first_week) as usize)
        .collect();
    let per_person = weeks.len() as f64;
    for (name, target, su) in [
        ("selvforsoergelse", targets::SELF_SUPPORT, false),
        ("su", targets::SU, true),
    ] {
        let j = index(name);
        for male in [true, false] {
            let (sum, n) = b.delta(parts, male, j);
            let mut need = ((pick(target, male) * n as f64 - sum) * per_person).round() as i64;
            let mut order: Vec<usize> = (0..parts.len())
                .filter(|&i| parts[i].in_sample && parts[i].person.role.male == male)
                .collect();
            order.shuffle(rng);
            for _pass in 0..3 {
                for &i in &order {
                    if need == 0 {
                        break;
                    }
                    let p = &mut parts[i];
                    let base = if p.untreated.codes.iter().any(|c| (700..=709).contains(c)) {
                        700
                    } else {
                        730
                    };
                    let spell = rng.random_range(3..10);
                    let mut done = 0;
                    for &wk in &weeks {
                        if done >= spell || need == 0 {
                            break;
                        }
                        let col = (calendar::month_of_week(w.first_week + wk as i32)
                            - w.first_month) as usize;
                        let code = p.treated.codes[wk];
                        let (from_ok, to) = match (su, need > 0) {
                            (false, true) => (is_passive(code), 0),
                            (false, false) => (code == 0 && p.treated.grad[col] == 0.0, base),
                            (true, true) => (is_passive(code), 651),
                            (true, false) => (code == 651, base),
                        };
                        if from_ok {
                            p.treated.codes[wk] = to;
                            need -= need.signum();
                            done += 1;
                        }
                    }
                }
            }
        }
    }
}
