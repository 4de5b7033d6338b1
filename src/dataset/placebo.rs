//! Placebo start dates for controls: a date between ISO week 3 of 2017 and week 40 of 2018
//! (a weekday), derived from a hash of (seed, person id), so it does not depend on the order of
//! the files or on which other persons are present.

use crate::calendar;
use chrono::{Days, NaiveDate};

/// The weeks placebo start dates are drawn from: ISO weeks 2017-W03 to 2018-W40.
fn weeks() -> (calendar::WeekNo, calendar::WeekNo) {
    (
        calendar::iso_week(2017, 3).expect("valid week"),
        calendar::iso_week(2018, 40).expect("valid week"),
    )
}

/// The first and last possible placebo start date (Monday of the first week, Friday of the last).
pub fn window() -> (NaiveDate, NaiveDate) {
    let (first, last) = weeks();
    (
        calendar::monday(first),
        calendar::monday(last) + Days::new(4),
    )
}

/// The placebo start date of person `pnr` under `seed`.
pub fn start(seed: u64, pnr: &str) -> NaiveDate {
    let (first, last) = weeks();
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"placebo-start");
    hasher.update(&seed.to_le_bytes());
    hasher.update(pnr.as_bytes());
    let bytes = hasher.finalize();
    let draw = u64::from_le_bytes(bytes.as_bytes()[..8].try_into().expect("8 bytes"));
    let span = (last - first + 1) as u64;
    let week = first + (draw % span) as i32;
    calendar::monday(week) + Days::new((draw / span) % 5)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placebo_dates_stay_in_window_and_are_stable() {
        let lo = chrono::NaiveDate::from_ymd_opt(2017, 1, 16).unwrap(); // Monday of 2017-W03
        let hi = chrono::NaiveDate::from_ymd_opt(2018, 10, 5).unwrap(); // Friday of 2018-W40
        for i in 0..2000 {
            let d = super::start(7, &format!("P{i}"));
            assert!(d >= lo && d <= hi, "{d}");
        }
        assert_eq!(super::start(7, "P1"), super::start(7, "P1"));
        assert_ne!(super::start(7, "P1"), super::start(8, "P1"));
    }
}
