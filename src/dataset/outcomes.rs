//! Outcome definitions shared by the analysis dataset and the synthetic truth, so that the truth
//! the estimators are checked against is measured exactly as the outcomes are.
//!
//! Every outcome is a share of a period (0..1), NaN when the person's follow-up does not cover it:
//! - `beskaeftigelse`: ordinary employment (employment rate minus the wage-subsidy share of the
//!   month) averaged over January–July 2019; `beskaeftigelse_m<k>` averages months 0..k after the
//!   start month and needs k+1 whole months after the start date inside DREAM.
//! - industries and owner types: share of the months January–July 2019 with employment (rate > 0)
//!   whose `branche_` is in the DB07 group, or whose workplace has the owner type (VIRKF).
//! - `selvforsoergelse` / `su`: share of the weeks January–July 2019 with no DREAM code / with SU.
//! - activation: share of weeks 0–52 after the start week in the category; needs the 53 weeks
//!   (371 days from the start date) inside DREAM. `<kategori>_u<w>` is week w alone.
//! - `igu`: share of weeks 0–52 in IGU counted from the IGU start date (no dropout assumed); needs
//!   the 53 weeks inside the IGU register's coverage.

use crate::calendar::{self, MonthNo, WeekNo};
use crate::registers::codes::CodeBook;
use chrono::{Days, Months, NaiveDate};

/// Ordinary employment in a month: DREAM's employment rate minus the share of the month spent in
/// wage-subsidised jobs (which DREAM counts as paid work), floored at 0.
pub fn ordinary_employment(rate: f64, subsidy_share: f64) -> f64 {
    (rate - subsidy_share).max(0.0)
}

/// The months of the main outcome period, January–July 2019.
pub fn main_period() -> std::ops::RangeInclusive<MonthNo> {
    calendar::month_no(2019, 1)..=calendar::month_no(2019, 7)
}

/// The main outcome period as far as data ending in month `last` cover it: an earlier data vintage
/// (DREAM ending, say, in March 2019) measures the main outcomes over January–March 2019.
pub fn main_period_until(last: MonthNo) -> std::ops::RangeInclusive<MonthNo> {
    let full = main_period();
    *full.start()..=(*full.end()).min(last)
}

/// Months after the start month of the cumulative employment outcomes (k = 0..=12).
pub const MONTHS_AFTER: i32 = 12;
/// Weeks after the start week of the activation and IGU outcomes (w = 0..=52).
pub const WEEKS_AFTER: i32 = 52;

/// Industry groups of Tabel 4.4: (outcome name, label, DB07 divisions (first two digits)).
pub const INDUSTRIES: [(&str, &str, std::ops::RangeInclusive<u32>); 5] = [
    ("industri", "Industri", 10..=33),
    ("handel", "Handel", 45..=47),
    ("transport", "Transport", 49..=53),
    ("hotel_restauration", "Hotel og restauration", 55..=56),
    ("sundhed", "Sundhed", 86..=86),
];

/// Owner types of Tabel 4.4: (outcome name, label, VIRKF code).
pub const OWNER_TYPES: [(&str, &str, u16); 4] = [
    ("enkeltmandsvirksomhed", "Enkeltmandsvirksomhed", 10),
    ("aktieselskab", "Aktieselskab", 60),
    ("anpartsselskab", "Anpartsselskab", 80),
    ("primaer_kommune", "Primær kommune", 250),
];

/// Activation outcomes over weeks 0–52 (Tabel 4.6 and Figur 4.1–4.2): (name, label).
pub const ACTIVATION: [(&str, &str); 6] = [
    ("loentilskud_privat", "Løntilskud, privat"),
    ("virksomhedspraktik_privat", "Virksomhedspraktik, privat"),
    ("loentilskud_offentlig", "Løntilskud, offentlig"),
    (
        "virksomhedspraktik_offentlig",
        "Virksomhedspraktik, offentlig",
    ),
    (
        "vejledning_opkvalificering",
        "Vejledning og opkvalificering",
    ),
    ("uddannelsesaktivering", "Uddannelsesaktivering"),
];

/// Categories with one outcome per week 0..52 (the effect curves, Figur 4.1–4.3).
pub const WEEKLY: [&str; 5] = [
    "vejledning_opkvalificering",
    "uddannelsesaktivering",
    "loentilskud",
    "virksomhedspraktik_privat",
    "virksomhedspraktik_offentlig",
];

/// The outcome names, in column order.
pub fn names() -> Vec<String> {
    let mut names = vec!["beskaeftigelse".to_string()];
    names.extend((0..=MONTHS_AFTER).map(|k| format!("beskaeftigelse_m{k}")));
    names.extend(INDUSTRIES.iter().map(|i| i.0.to_string()));
    names.extend(OWNER_TYPES.iter().map(|o| o.0.to_string()));
    names.push("selvforsoergelse".into());
    names.push("su".into());
    names.extend(ACTIVATION.iter().map(|a| a.0.to_string()));
    names.push("igu".into());
    for cat in WEEKLY {
        names.extend((0..=WEEKS_AFTER).map(|w| format!("{cat}_u{w}")));
    }
    names
}

/// Code → category lookups for the outcomes.
#[derive(Debug, Clone)]
pub struct Masks {
    su: Vec<bool>,
    subsidy: Vec<bool>,
    activation: Vec<Vec<bool>>,
    weekly: Vec<Vec<bool>>,
}

impl Masks {
    /// The lookups of a code book.
    pub fn new(codebook: &CodeBook) -> Masks {
        let or = |a: &str, b: &str| -> Vec<bool> {
            codebook
                .mask(a)
                .iter()
                .zip(codebook.mask(b))
                .map(|(x, y)| *x || y)
                .collect()
        };
        let mask = |name: &str| -> Vec<bool> {
            if name == "loentilskud" {
                or("loentilskud_privat", "loentilskud_offentlig")
            } else {
                codebook.mask(name)
            }
        };
        Masks {
            su: codebook.mask("su"),
            subsidy: or("loentilskud_privat", "loentilskud_offentlig"),
            activation: ACTIVATION.iter().map(|a| mask(a.0)).collect(),
            weekly: WEEKLY.iter().map(|c| mask(c)).collect(),
        }
    }

    /// Whether `code` is a wage subsidy (privat or offentlig).
    pub fn is_subsidy(&self, code: u16) -> bool {
        self.subsidy
            .get(usize::from(code))
            .copied()
            .unwrap_or(false)
    }
}

/// One person's register series, as the outcomes need them.
pub struct Series<'a> {
    /// Running week number of `codes[0]`.
    pub first_week: WeekNo,
    /// Weekly DREAM codes (0 = blank).
    pub codes: &'a [u16],
    /// The month of each week of `codes` (by its Thursday), see [`week_months`].
    pub week_month: &'a [MonthNo],
    /// Running month number of `grad[0]`, `branche[0]` and `virkf[0]`.
    pub first_month: MonthNo,
    /// Monthly employment rate.
    pub grad: &'a [f64],
    /// Monthly DB07 industry (0 = none).
    pub branche: &'a [u32],
    /// Monthly owner type of the workplace (0 = none).
    pub virkf: &'a [u16],
    /// IGU start date, if any.
    pub igu_start: Option<NaiveDate>,
    /// Last date covered by the IGU register.
    pub igu_until: NaiveDate,
}

impl Series<'_> {
    fn last_week(&self) -> WeekNo {
        self.first_week + self.codes.len() as WeekNo - 1
    }

    fn last_month(&self) -> MonthNo {
        self.first_month + self.grad.len() as MonthNo - 1
    }

    /// The last date DREAM covers: the Sunday of its last week.
    pub fn end_date(&self) -> NaiveDate {
        calendar::monday(self.last_week()) + Days::new(6)
    }

    fn code(&self, week: WeekNo) -> Option<u16> {
        let c = week - self.first_week;
        (c >= 0)
            .then(|| self.codes.get(c as usize).copied())
            .flatten()
    }

    fn month_index(&self, month: MonthNo) -> Option<usize> {
        let c = month - self.first_month;
        (c >= 0 && (c as usize) < self.grad.len()).then_some(c as usize)
    }

    /// Indices into `codes` of the weeks of the months `from..=to`.
    fn weeks_of(&self, from: MonthNo, to: MonthNo) -> std::ops::Range<usize> {
        let lo = self.week_month.partition_point(|&m| m < from);
        let hi = self.week_month.partition_point(|&m| m <= to);
        lo..hi.max(lo)
    }

    /// Ordinary employment in `month` (None outside DREAM).
    pub fn ordinary(&self, month: MonthNo, masks: &Masks) -> Option<f64> {
        let i = self.month_index(month)?;
        let weeks = self.weeks_of(month, month);
        let n = weeks.len();
        let subsidy = self.codes[weeks]
            .iter()
            .filter(|&&c| masks.is_subsidy(c))
            .count();
        let share = if n == 0 {
            0.0
        } else {
            subsidy as f64 / n as f64
        };
        Some(ordinary_employment(self.grad[i], share))
    }

    fn weeks_of_main_period(&self) -> &[u16] {
        let period = main_period_until(self.last_month());
        &self.codes[self.weeks_of(*period.start(), *period.end())]
    }
}

/// The month (of its Thursday) of each of `n` weeks from `first_week`.
pub fn week_months(first_week: WeekNo, n: usize) -> Vec<MonthNo> {
    (0..n)
        .map(|i| calendar::month_of_week(first_week + i as WeekNo))
        .collect()
}

/// Whether DREAM (ending `end`) covers k+1 whole months after `start`.
pub fn covers_months(start: NaiveDate, k: i32, end: NaiveDate) -> bool {
    start
        .checked_add_months(Months::new((k + 1) as u32))
        .is_some_and(|d| d <= end)
}

/// Whether a register ending `end` covers the 53 weeks (371 days) from `start`.
pub fn covers_weeks(start: NaiveDate, end: NaiveDate) -> bool {
    start + Days::new(7 * (WEEKS_AFTER as u64 + 1) - 1) <= end
}

/// Computes every outcome of one person with (placebo) start `start` into `out` (in the order of
/// [`names`]).
pub fn compute(s: &Series, start: NaiveDate, masks: &Masks, out: &mut [f64]) {
    out.fill(f64::NAN);
    let mut k = 0;
    let period = main_period_until(s.last_month());
    let main_covered = period.start() <= period.end() && s.first_month <= *period.start();
    let jan_jul: Vec<f64> = if main_covered {
        period
            .clone()
            .filter_map(|m| s.ordinary(m, masks))
            .collect()
    } else {
        Vec::new()
    };
    if main_covered {
        out[k] = jan_jul.iter().sum::<f64>() / jan_jul.len() as f64;
    }
    k += 1;
    let end = s.end_date();
    let start_month = calendar::month_of(start);
    let mut sum = 0.0;
    for m in 0..=MONTHS_AFTER {
        sum += s.ordinary(start_month + m, masks).unwrap_or(f64::NAN);
        if covers_months(start, m, end) {
            out[k] = sum / f64::from(m + 1);
        }
        k += 1;
    }
    let months: Vec<usize> = if main_covered {
        period.clone().filter_map(|m| s.month_index(m)).collect()
    } else {
        Vec::new()
    };
    let share_of_months = |hit: &dyn Fn(usize) -> bool| -> f64 {
        months
            .iter()
            .filter(|&&i| s.grad[i] > 0.0 && hit(i))
            .count() as f64
            / months.len() as f64
    };
    for (_, _, divisions) in &INDUSTRIES {
        if main_covered {
            out[k] = share_of_months(&|i| divisions.contains(&(s.branche[i] / 10_000)));
        }
        k += 1;
    }
    for (_, _, code) in &OWNER_TYPES {
        if main_covered {
            out[k] = share_of_months(&|i| s.virkf.get(i) == Some(code));
        }
        k += 1;
    }
    if main_covered {
        let weeks = s.weeks_of_main_period();
        let n = weeks.len().max(1) as f64;
        out[k] = weeks.iter().filter(|&&c| c == 0).count() as f64 / n;
        out[k + 1] = weeks.iter().filter(|&&c| masks.su[usize::from(c)]).count() as f64 / n;
    }
    k += 2;
    let start_week = calendar::week_of(start);
    let year_covered = covers_weeks(start, end);
    let after: Vec<u16> = (0..=WEEKS_AFTER)
        .map(|w| s.code(start_week + w).unwrap_or(0))
        .collect();
    for mask in &masks.activation {
        if year_covered {
            out[k] =
                after.iter().filter(|&&c| mask[usize::from(c)]).count() as f64 / after.len() as f64;
        }
        k += 1;
    }
    if covers_weeks(start, s.igu_until) {
        out[k] = match s.igu_start {
            Some(igu) => {
                let from = calendar::week_of(igu);
                (0..=WEEKS_AFTER)
                    .filter(|&w| start_week + w >= from)
                    .count() as f64
                    / f64::from(WEEKS_AFTER + 1)
            }
            None => 0.0,
        };
    }
    k += 1;
    for mask in &masks.weekly {
        for w in 0..=WEEKS_AFTER {
            if let Some(code) = s.code(start_week + w) {
                out[k] = f64::from(mask[usize::from(code)]);
            }
            k += 1;
        }
    }
}
