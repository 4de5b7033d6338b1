//! Calendar arithmetic of the registers: ISO weeks (DREAM's `y_YYWW`), months (`grad_YYYY_MM`) and
//! dates as days since 1970-01-01 (polars' `Date`).
//!
//! Weeks and months are numbered on absolute scales, so "52 weeks before start" is a subtraction.
//! A week belongs to the month of its Thursday, as DREAM's tools map weeks to months.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// An ISO week as a running number: weeks since the week of Monday 1970-01-05.
pub type WeekNo = i32;
/// A month as a running number: `year * 12 + (month - 1)`.
pub type MonthNo = i32;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid constant date")
}

fn week_origin() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 5).expect("valid constant date")
}

/// Days since 1970-01-01 (polars' physical `Date`).
pub fn epoch_days(date: NaiveDate) -> i32 {
    (date - epoch()).num_days() as i32
}

/// The date `days` after 1970-01-01.
pub fn from_epoch_days(days: i32) -> NaiveDate {
    if days >= 0 {
        epoch() + Days::new(days as u64)
    } else {
        epoch() - Days::new(days.unsigned_abs() as u64)
    }
}

/// The running week number of the ISO week containing `date`.
pub fn week_of(date: NaiveDate) -> WeekNo {
    let monday = date - Days::new(date.weekday().num_days_from_monday() as u64);
    ((monday - week_origin()).num_days() / 7) as WeekNo
}

/// The Monday of a running week number.
pub fn monday(week: WeekNo) -> NaiveDate {
    from_epoch_days(epoch_days(week_origin()) + 7 * week)
}

/// The running week number of ISO year `year`, week `week` (1..=53), if that week exists.
pub fn iso_week(year: i32, week: u32) -> Option<WeekNo> {
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(week_of)
}

/// The ISO (year, week) of a running week number.
pub fn iso_parts(week: WeekNo) -> (i32, u32) {
    let w = monday(week).iso_week();
    (w.year(), w.week())
}

/// The running month number of a date.
pub fn month_of(date: NaiveDate) -> MonthNo {
    month_no(date.year(), date.month())
}

/// The running month number of `year`-`month`.
pub fn month_no(year: i32, month: u32) -> MonthNo {
    year * 12 + month as i32 - 1
}

/// The (year, month) of a running month number.
pub fn month_parts(month: MonthNo) -> (i32, u32) {
    (month.div_euclid(12), (month.rem_euclid(12) + 1) as u32)
}

/// The first day of a running month number.
pub fn first_day(month: MonthNo) -> NaiveDate {
    let (y, m) = month_parts(month);
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid month")
}

/// The month a week belongs to: the month of its Thursday.
pub fn month_of_week(week: WeekNo) -> MonthNo {
    month_of(monday(week) + Days::new(3))
}

/// DREAM's weekly column name, `y_YYWW`.
pub fn dream_week_column(week: WeekNo) -> String {
    let (year, w) = iso_parts(week);
    format!("y_{:02}{:02}", year.rem_euclid(100), w)
}

/// Parses DREAM's `y_YYWW` (YY < 90 means 20YY) into a running week number.
pub fn parse_dream_week(name: &str) -> Option<WeekNo> {
    let digits = name.strip_prefix("y_")?;
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = digits[..2].parse().ok()?;
    let ww: u32 = digits[2..].parse().ok()?;
    let year = if yy < 90 { 2000 + yy } else { 1900 + yy };
    iso_week(year, ww)
}

/// Parses a monthly column name `PREFIX_YYYY_MM` into a running month number.
pub fn parse_month_column(name: &str, prefix: &str) -> Option<MonthNo> {
    let rest = name.strip_prefix(prefix)?;
    let (y, m) = rest.split_once('_')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (year, month): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&month).then(|| month_no(year, month))
}

/// A monthly column name `PREFIX_YYYY_MM`.
pub fn month_column(prefix: &str, month: MonthNo) -> String {
    let (y, m) = month_parts(month);
    format!("{prefix}{y}_{m:02}")
}

/// Whole years between `birth` and `date` (age at `date`).
pub fn age_at(birth: NaiveDate, date: NaiveDate) -> i32 {
    let mut age = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_match_chrono_and_dream_names() {
        // 2017-01-02 is the Monday of ISO week 2017-W01 (ISO 8601; `date +%G-W%V -d 2017-01-02`).
        let w = week_of(NaiveDate::from_ymd_opt(2017, 1, 2).unwrap());
        assert_eq!(iso_parts(w), (2017, 1));
        assert_eq!(dream_week_column(w), "y_1701");
        assert_eq!(parse_dream_week("y_1701"), Some(w));
        // 2016-01-03 (a Sunday) lies in ISO week 2015-W53.
        assert_eq!(
            iso_parts(week_of(NaiveDate::from_ymd_opt(2016, 1, 3).unwrap())),
            (2015, 53)
        );
        assert_eq!(
            parse_dream_week("y_9132").map(monday),
            NaiveDate::from_ymd_opt(1991, 8, 5)
        );
        assert_eq!(parse_dream_week("y_17x1"), None);
    }

    #[test]
    fn week_to_month_uses_thursday() {
        // ISO week 2019-W05 runs Mon 28 Jan – Sun 3 Feb 2019; its Thursday is 31 Jan → January.
        let w = iso_week(2019, 5).unwrap();
        assert_eq!(month_parts(month_of_week(w)), (2019, 1));
        assert_eq!(
            parse_month_column("grad_2019_07", "grad_"),
            Some(month_no(2019, 7))
        );
        assert_eq!(month_column("grad_", month_no(2019, 7)), "grad_2019_07");
    }
}
