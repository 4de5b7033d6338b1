//! The descriptive measures of a status note, per participant: the year before start and the time
//! from start until the cut-off (or the end of the participant's course, or DREAM's end).

use crate::calendar::{self, WeekNo};
use crate::registers::Registers;
use crate::registers::codes::CodeBook;
use anyhow::Result;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The measures, in table order: key and Danish label.
pub const MEASURES: [(&str, &str); 5] = [
    ("beskaeftigelsesgrad", "Beskæftigelsesgrad"),
    ("selvforsoergelse", "Selvforsørget"),
    ("praktik_privat", "Virksomhedspraktik, privat"),
    ("praktik_offentlig", "Virksomhedspraktik, offentlig"),
    ("igu", "IGU"),
];

/// Weeks an IGU course runs (two years), used when the register has only the start date.
const IGU_WEEKS: i32 = 104;

/// One participant as the note needs it.
pub struct Participant {
    /// Delivering municipality.
    pub municipality: String,
    /// Man.
    pub male: bool,
    /// Weeks in the project up to the cut-off.
    pub weeks_in_project: f64,
    /// Measures in the year before start, in [`MEASURES`] order.
    pub before: [f64; 5],
    /// Measures from start until the cut-off or the end of the course.
    pub after: [f64; 5],
    /// Employment rate by month relative to start (−12..=12); NaN outside the data.
    pub profile: [f64; 25],
    /// In IGU (1) or not (0) by month relative to start (−12..=12); NaN outside the data.
    pub igu_profile: [f64; 25],
}

/// The participants delivered up to `cutoff` (and in rounds ≤ `round`, if given).
pub fn participants(
    registers: &Registers,
    codebook: &CodeBook,
    cutoff: NaiveDate,
    round: Option<i64>,
) -> Result<Vec<Participant>> {
    let d = &registers.deltagere.frame;
    let ids: Vec<Option<&str>> = d.column("PNR")?.str()?.iter().collect();
    let kommune: Vec<Option<&str>> = d.column("kommune")?.str()?.iter().collect();
    let starts: Vec<Option<i32>> = d.column("startdato")?.date()?.physical().iter().collect();
    let ends: Vec<Option<i32>> = d.column("slutdato")?.date()?.physical().iter().collect();
    let rounds: Vec<Option<i64>> = d.column("runde")?.i64()?.iter().collect();
    let sex = registers.men_by_id()?;
    let igu = &registers.igu.frame;
    let igu_start: HashMap<&str, i32> = igu
        .column("PNR")?
        .str()?
        .iter()
        .zip(igu.column("IGU_STARTDATO")?.date()?.physical().iter())
        .filter_map(|(id, s)| Some((id?, s?)))
        .collect();
    let dream = &registers.dream;
    let public = codebook.mask("offentlig_forsoergelse");
    let private_internship = codebook.mask("virksomhedspraktik_privat");
    let public_internship = codebook.mask("virksomhedspraktik_offentlig");
    let cutoff_days = calendar::epoch_days(cutoff);
    let mut out = Vec::new();
    for i in 0..ids.len() {
        let (Some(id), Some(m), Some(start)) = (ids[i], kommune[i], starts[i]) else {
            continue;
        };
        if start > cutoff_days || round.is_some_and(|r| rounds[i].is_some_and(|x| x > r)) {
            continue;
        }
        let end = ends[i].map_or(cutoff_days, |e| e.min(cutoff_days));
        let start_date = calendar::from_epoch_days(start);
        let start_week = calendar::week_of(start_date);
        let last_week = calendar::week_of(calendar::from_epoch_days(end)).min(dream.last_week());
        let row = dream.row_of.get(id).copied();
        let igu_from = igu_start
            .get(id)
            .map(|&s| calendar::week_of(calendar::from_epoch_days(s)));
        let measure = |weeks: std::ops::RangeInclusive<WeekNo>| -> [f64; 5] {
            let mut sums = [0.0; 5];
            let mut n = 0.0;
            for w in weeks {
                let code = row
                    .zip(dream.week_col(w))
                    .map_or(0, |(r, c)| dream.codes[[r, c]]) as usize;
                let rate = row
                    .zip(dream.month_col(calendar::month_of_week(w)))
                    .map_or(0.0, |(r, c)| dream.grad[[r, c]]);
                let in_igu = igu_from.is_some_and(|s| w >= s && w < s + IGU_WEEKS);
                let values = [
                    rate,
                    f64::from(!public[code]),
                    f64::from(private_internship[code]),
                    f64::from(public_internship[code]),
                    f64::from(in_igu),
                ];
                for (s, v) in sums.iter_mut().zip(values) {
                    *s += v;
                }
                n += 1.0;
            }
            sums.map(|s| if n > 0.0 { s / n } else { f64::NAN })
        };
        let start_month = calendar::month_of(start_date);
        let profile = std::array::from_fn(|k| {
            let month = start_month + k as i32 - 12;
            let observed = month <= calendar::month_of(cutoff).min(dream.last_month());
            row.zip(dream.month_col(month))
                .filter(|_| observed)
                .map_or(f64::NAN, |(r, c)| dream.grad[[r, c]])
        });
        let igu_profile = std::array::from_fn(|k| {
            let month = start_month + k as i32 - 12;
            if month > calendar::month_of(cutoff) {
                return f64::NAN;
            }
            let (y, mo) = calendar::month_parts(month);
            let mid = NaiveDate::from_ymd_opt(y, mo, 15).map(calendar::week_of);
            f64::from(
                igu_from
                    .zip(mid)
                    .is_some_and(|(s, w)| w >= s && w < s + IGU_WEEKS),
            )
        });
        out.push(Participant {
            municipality: m.to_string(),
            male: sex.get(id) == Some(&true),
            weeks_in_project: f64::from((end - start).max(0)) / 7.0,
            before: measure(start_week - 52..=start_week - 1),
            after: measure(start_week..=last_week.max(start_week)),
            profile,
            igu_profile,
        });
    }
    Ok(out)
}
