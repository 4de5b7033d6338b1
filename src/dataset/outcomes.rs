//! Outcome definitions shared by the analysis dataset and the synthetic truth, so that the truth
//! the estimators are checked against is measured exactly as the outcomes are.

use crate::calendar::{self, MonthNo};
use std::collections::BTreeMap;

/// Ordinary employment in a month: DREAM's employment rate minus the share of the month spent in
/// wage-subsidised jobs (which DREAM counts as paid work), floored at 0.
pub fn ordinary_employment(rate: f64, subsidy_share: f64) -> f64 {
    (rate - subsidy_share).max(0.0)
}

/// The months of the main outcome period, January–July 2019.
pub fn main_period() -> std::ops::RangeInclusive<MonthNo> {
    calendar::month_no(2019, 1)..=calendar::month_no(2019, 7)
}

/// Average ordinary employment over January–July 2019, from monthly (rate, wage-subsidy share).
pub fn employment_jan_jul_2019(monthly: &BTreeMap<MonthNo, (f64, f64)>) -> f64 {
    let months: Vec<f64> = main_period()
        .map(|m| {
            monthly
                .get(&m)
                .map_or(0.0, |&(rate, subsidy)| ordinary_employment(rate, subsidy))
        })
        .collect();
    months.iter().sum::<f64>() / months.len() as f64
}
