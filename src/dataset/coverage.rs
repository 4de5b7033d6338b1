//! What the analysis needs DREAM to cover, and the check that it does.
//!
//! The variables before start look back from each (placebo) start date: the benefit code of the
//! week before start defines the population, the weekly categories go back 52 weeks
//! ([`covariates::BALANCE_WEEKS`]) and the employment rate 12 months. The main outcome period
//! (January–July 2019) is cut to the data vintage ([`outcomes::main_period_until`]), but its
//! first month must be there. An extract that starts or ends inside these weeks would silently
//! turn the missing weeks into "no benefit"; instead it is an error that names the missing weeks
//! and what needs them.

use super::{covariates, outcomes, placebo};
use crate::calendar::{self, MonthNo, WeekNo};
use crate::error::InputError;
use crate::registers::dream::Dream;
use anyhow::Result;
use chrono::NaiveDate;
use std::ops::RangeInclusive;

/// One stretch of DREAM that a part of the analysis reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// What reads it, in Danish (a covariate, the population rule or an outcome).
    pub what: &'static str,
    /// The weeks of the weekly codes `y_YYWW` it reads.
    pub weeks: RangeInclusive<WeekNo>,
    /// The months of the employment rates `grad_YYYY_MM` it reads.
    pub months: RangeInclusive<MonthNo>,
}

/// The participants' start dates in the deliveries (`deltagere`), for [`needs`].
pub fn starts(registers: &crate::registers::Registers) -> Result<Vec<NaiveDate>> {
    let column = registers.deltagere.frame.column("startdato")?.date()?;
    Ok(column
        .physical()
        .iter()
        .flatten()
        .map(calendar::from_epoch_days)
        .collect())
}

/// The stretches of DREAM needed for participants starting on `starts` (dates outside the
/// evaluation window are not analysed and ignored) and for the controls' placebo dates.
pub fn needs(starts: impl IntoIterator<Item = NaiveDate>) -> Vec<Need> {
    let (lo, hi) = super::evaluation_window();
    let (placebo_first, placebo_last) = placebo::window();
    let (first, last) = starts
        .into_iter()
        .filter(|d| *d >= lo && *d <= hi)
        .fold((placebo_first, placebo_last), |(a, b), d| {
            (a.min(d), b.max(d))
        });
    let (first_week, last_week) = (calendar::week_of(first), calendar::week_of(last));
    let (first_month, last_month) = (calendar::month_of(first), calendar::month_of(last));
    let lookback = covariates::BALANCE_WEEKS.iter().copied().max().unwrap_or(1);
    let main = outcomes::main_period();
    let main_first = *main.start();
    // The weeks of the month, by their Thursday (as DREAM's weeks are given months).
    let around = calendar::week_of(calendar::first_day(main_first));
    let in_month: Vec<WeekNo> = (around - 1..=around + 6)
        .filter(|w| calendar::month_of_week(*w) == main_first)
        .collect();
    let main_weeks = match (in_month.first(), in_month.last()) {
        (Some(a), Some(b)) => *a..=*b,
        _ => around..=around,
    };
    vec![
        Need {
            what: "ydelsen ugen før start (populationen) og ydelserne op til 52 uger før start (kovariater)",
            weeks: first_week - lookback..=last_week - 1,
            months: first_month..=first_month - 1,
        },
        Need {
            what: "beskæftigelsesgraden de 12 måneder før start (kovariater)",
            weeks: first_week..=first_week - 1,
            months: first_month - 12..=last_month - 1,
        },
        Need {
            what: "hovedudfaldet (beskæftigelse og selvforsørgelse januar–juli 2019), mindst dets første måned",
            weeks: main_weeks,
            months: main_first..=main_first,
        },
    ]
}

/// Checks that `dream` covers every need; the error lists each uncovered stretch with the
/// missing week and month columns and what needs them.
pub fn check(dream: &Dream, needs: &[Need]) -> Result<()> {
    let problems = problems(dream, needs);
    if problems.is_empty() {
        return Ok(());
    }
    Err(InputError::new(format!(
        "{} dækker ikke de uger og måneder, analysen skal bruge (DREAM har {}–{} og {}–{}):\n  {}\nBestil et udtræk, der dækker hele perioden",
        dream.path.display(),
        calendar::dream_week_column(dream.first_week),
        calendar::dream_week_column(dream.last_week()),
        calendar::month_column("grad_", dream.first_month),
        calendar::month_column("grad_", dream.last_month()),
        problems.join("\n  ")
    ))
    .into())
}

/// One line per need that `dream` does not cover, naming the missing columns.
pub fn problems(dream: &Dream, needs: &[Need]) -> Vec<String> {
    let mut out = Vec::new();
    for need in needs {
        let weeks = missing(&need.weeks, dream.first_week, dream.last_week());
        let months = missing(&need.months, dream.first_month, dream.last_month());
        let mut parts = Vec::new();
        for range in weeks {
            parts.push(stretch(range, calendar::dream_week_column, "uge"));
        }
        for range in months {
            parts.push(stretch(
                range,
                |m| calendar::month_column("grad_", m),
                "måned",
            ));
        }
        if !parts.is_empty() {
            out.push(format!("{} mangler {}", need.what, parts.join(" og ")));
        }
    }
    out
}

/// The parts of `wanted` outside `first..=last` (at most one before and one after).
fn missing(wanted: &RangeInclusive<i32>, first: i32, last: i32) -> Vec<RangeInclusive<i32>> {
    let (a, b) = (*wanted.start(), *wanted.end());
    if a > b {
        return Vec::new();
    }
    let mut out = Vec::new();
    if a < first {
        out.push(a..=b.min(first - 1));
    }
    if b > last {
        out.push(a.max(last + 1)..=b);
    }
    out
}

fn stretch(range: RangeInclusive<i32>, name: impl Fn(i32) -> String, unit: &str) -> String {
    let n = range.end() - range.start() + 1;
    let plural = if unit == "uge" { "uger" } else { "måneder" };
    if n == 1 {
        format!("1 {unit} ({})", name(*range.start()))
    } else {
        format!(
            "{n} {plural} ({}–{})",
            name(*range.start()),
            name(*range.end())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_parts_before_and_after() {
        assert_eq!(missing(&(1..=10), 3, 8), vec![1..=2, 9..=10]);
        assert_eq!(missing(&(1..=10), 0, 20), Vec::<RangeInclusive<i32>>::new());
        assert_eq!(missing(&(1..=10), 12, 20), vec![1..=10]);
        assert_eq!(
            missing(&RangeInclusive::new(5, 4), 12, 20),
            Vec::<RangeInclusive<i32>>::new()
        );
    }

    #[test]
    fn needs_reach_back_52_weeks_and_12_months_from_the_first_start() {
        let needs = needs([NaiveDate::from_ymd_opt(2017, 1, 2).expect("date")]);
        // 2017-01-02 is the Monday of 2017-W01; 52 weeks before it is 2016-W01.
        assert_eq!(
            calendar::dream_week_column(*needs[0].weeks.start()),
            "y_1601"
        );
        assert_eq!(
            calendar::month_column("grad_", *needs[1].months.start()),
            "grad_2016_01"
        );
        assert_eq!(
            calendar::month_column("grad_", *needs[2].months.start()),
            "grad_2019_01"
        );
    }
}
