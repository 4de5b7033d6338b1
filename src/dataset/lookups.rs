//! Per-person facts from the DST-style registers, keyed by person id: children, migrations,
//! residence basis, education, wage income, owner type of the workplace, IGU starts, hospital
//! admissions, judgements, job-readiness and interviews. Polars lazy queries filter and join the
//! registers down to the persons and periods the dataset needs before anything is copied out.

use crate::calendar::{self, MonthNo};
use crate::registers::Registers;
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::{HashMap, HashSet};

/// What the dataset needs from the registers besides DREAM and BEF's start-year rows.
#[derive(Default)]
pub struct Lookups {
    /// Birth dates of each parent's children (BEF `MOR_ID`/`FAR_ID`).
    pub children: HashMap<String, Vec<NaiveDate>>,
    /// Birth date and IE_TYPE of every person in BEF (partners included).
    pub persons: HashMap<String, (NaiveDate, i64)>,
    /// Migrations: (date, into Denmark).
    pub migrations: HashMap<String, Vec<(NaiveDate, bool)>>,
    /// Residence basis (OPHGR).
    pub residence: HashMap<String, i64>,
    /// HFAUDD code.
    pub education: HashMap<String, String>,
    /// Wage income (DKK) by (person, year).
    pub wage: HashMap<(String, i64), f64>,
    /// Owner type of the workplace by month.
    pub owner: HashMap<String, Vec<(MonthNo, u16)>>,
    /// Earliest IGU start.
    pub igu: HashMap<String, NaiveDate>,
    /// Last date the IGU register covers.
    pub igu_until: Option<NaiveDate>,
    /// Inpatient admission dates.
    pub admissions: HashMap<String, Vec<NaiveDate>>,
    /// Judgement dates.
    pub judgements: HashMap<String, Vec<NaiveDate>>,
    /// Job-ready in (person, year, quarter).
    pub job_ready: HashSet<(String, i64, i64)>,
    /// Dates of nulstillende samtaler.
    pub interviews: HashMap<String, Vec<NaiveDate>>,
}

fn texts(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(df
        .column(name)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

fn ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    Ok(df.column(name)?.i64()?.iter().collect())
}

fn dates(df: &DataFrame, name: &str) -> Result<Vec<Option<NaiveDate>>> {
    Ok(df
        .column(name)?
        .date()?
        .physical()
        .iter()
        .map(|d| d.map(calendar::from_epoch_days))
        .collect())
}

/// The (person, year, quarter) keys of the job-readiness variables: each person's start quarter
/// and the first quarter of the year before (`PNR`, `AAR`, `KVARTAL`).
fn quarters_used(ids: &[String], starts: &[NaiveDate]) -> Result<DataFrame> {
    let start_quarter = starts.iter().map(|d| (d.year(), (d.month() - 1) / 3 + 1));
    let year_before = starts.iter().map(|d| (d.year() - 1, 1));
    let (years, quarters): (Vec<i64>, Vec<i64>) = start_quarter
        .chain(year_before)
        .map(|(y, q)| (i64::from(y), i64::from(q)))
        .unzip();
    let pnr: Vec<String> = ids.iter().chain(ids).cloned().collect();
    Ok(DataFrame::new(
        pnr.len(),
        vec![
            Column::new("PNR".into(), pnr),
            Column::new("AAR".into(), years),
            Column::new("KVARTAL".into(), quarters),
        ],
    )?)
}

/// Keeps the rows of `frame` whose PNR is in `ids` (an inner join with the id list).
fn only(frame: &DataFrame, ids: &DataFrame) -> LazyFrame {
    frame.clone().lazy().join(
        ids.clone().lazy(),
        [col("PNR")],
        [col("PNR")],
        JoinArgs::new(JoinType::Inner),
    )
}

fn grouped_dates(df: &DataFrame, date: &str) -> Result<HashMap<String, Vec<NaiveDate>>> {
    let mut map: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for (id, d) in texts(df, "PNR")?.into_iter().zip(dates(df, date)?) {
        if let (Some(id), Some(d)) = (id, d) {
            map.entry(id).or_default().push(d);
        }
    }
    Ok(map)
}

impl Lookups {
    /// Collects the facts of the persons `ids` (with (placebo) start dates `starts`) and their
    /// partners `partners`.
    pub fn collect(
        registers: &Registers,
        ids: &[String],
        starts: &[NaiveDate],
        partners: &[String],
    ) -> Result<Lookups> {
        let id_frame = |list: &[String]| -> Result<DataFrame> {
            let mut unique: Vec<&String> = list.iter().collect();
            unique.sort();
            unique.dedup();
            Ok(DataFrame::new(
                unique.len(),
                vec![Column::new(
                    "PNR".into(),
                    unique.into_iter().cloned().collect::<Vec<_>>(),
                )],
            )?)
        };
        let people = id_frame(ids)?;
        let mut everyone: Vec<String> = ids.to_vec();
        everyone.extend(partners.iter().cloned());
        let everyone = id_frame(&everyone)?;
        // Only the quarters the variables use: the start quarter and Q1 of the year before.
        let quarters = quarters_used(ids, starts)?;
        let timing = DataFrame::new(
            ids.len(),
            vec![
                Column::new("PNR".into(), ids.to_vec()),
                Column::new(
                    "Y".into(),
                    starts
                        .iter()
                        .map(|d| i64::from(d.year()))
                        .collect::<Vec<_>>(),
                ),
            ],
        )?;
        let mut out = Lookups::default();

        let bef = &registers.bef.frame;
        let kids = bef
            .clone()
            .lazy()
            .filter(col("MOR_ID").is_not_null().or(col("FAR_ID").is_not_null()))
            .select([col("PNR"), col("FOED_DAG"), col("MOR_ID"), col("FAR_ID")])
            .unique(Some(cols(["PNR"])), UniqueKeepStrategy::First)
            .collect()?;
        let births = dates(&kids, "FOED_DAG")?;
        for parent in ["MOR_ID", "FAR_ID"] {
            for (p, birth) in texts(&kids, parent)?.into_iter().zip(&births) {
                if let (Some(p), Some(b)) = (p, birth) {
                    out.children.entry(p).or_default().push(*b);
                }
            }
        }
        let persons = only(bef, &everyone)
            .select([col("PNR"), col("FOED_DAG"), col("IE_TYPE")])
            .unique(Some(cols(["PNR"])), UniqueKeepStrategy::First)
            .collect()?;
        for ((id, birth), ie) in texts(&persons, "PNR")?
            .into_iter()
            .zip(dates(&persons, "FOED_DAG")?)
            .zip(ints(&persons, "IE_TYPE")?)
        {
            if let (Some(id), Some(b), Some(ie)) = (id, birth, ie) {
                out.persons.insert(id, (b, ie));
            }
        }

        let vnds = only(&registers.vnds.frame, &everyone).collect()?;
        for ((id, kind), date) in texts(&vnds, "PNR")?
            .into_iter()
            .zip(texts(&vnds, "INDUD_KODE")?)
            .zip(dates(&vnds, "HAEND_DATO")?)
        {
            if let (Some(id), Some(kind), Some(date)) = (id, kind, date) {
                let into = match kind.trim().to_ascii_uppercase().as_str() {
                    "I" => true,
                    "U" => false,
                    other => {
                        return crate::error::input_error(format!(
                            "{}: kolonne INDUD_KODE: «{other}» skal være I (indvandring) eller U (udvandring)",
                            registers.vnds.path.display()
                        ));
                    }
                };
                out.migrations.entry(id).or_default().push((date, into));
            }
        }
        for list in out.migrations.values_mut() {
            list.sort();
        }

        let oph = only(&registers.ophgin.frame, &people).collect()?;
        for (id, code) in texts(&oph, "PNR")?.into_iter().zip(ints(&oph, "OPHGR")?) {
            if let (Some(id), Some(code)) = (id, code) {
                out.residence.insert(id, code);
            }
        }
        let udda = only(&registers.udda.frame, &people).collect()?;
        for (id, code) in texts(&udda, "PNR")?
            .into_iter()
            .zip(texts(&udda, "HFAUDD")?)
        {
            if let (Some(id), Some(code)) = (id, code) {
                out.education.insert(id, code);
            }
        }
        let ind = only(&registers.ind.frame, &timing)
            .filter(col("AAR").eq(col("Y") - lit(1i64)))
            .collect()?;
        let wages: Vec<Option<f64>> = ind.column("LOENMV_13")?.f64()?.iter().collect();
        for ((id, year), wage) in texts(&ind, "PNR")?
            .into_iter()
            .zip(ints(&ind, "AAR")?)
            .zip(wages)
        {
            if let (Some(id), Some(year), Some(wage)) = (id, year, wage) {
                out.wage.insert((id, year), wage);
            }
        }

        let period = super::outcomes::main_period();
        let (y0, _) = calendar::month_parts(*period.start());
        let owner = only(&registers.ejerform.frame, &people)
            .filter(col("AAR").eq(lit(i64::from(y0))))
            .collect()?;
        for (((id, year), month), virkf) in owner
            .column("PNR")?
            .str()?
            .iter()
            .zip(owner.column("AAR")?.i64()?.iter())
            .zip(owner.column("MD")?.i64()?.iter())
            .zip(owner.column("VIRKF")?.i64()?.iter())
        {
            if let (Some(id), Some(y), Some(m), Some(v)) = (id, year, month, virkf) {
                let entry = (
                    calendar::month_no(y as i32, m as u32),
                    u16::try_from(v).unwrap_or(0),
                );
                match out.owner.get_mut(id) {
                    Some(list) => list.push(entry),
                    None => {
                        out.owner.insert(id.to_string(), vec![entry]);
                    }
                }
            }
        }

        let igu_frame = &registers.igu.frame;
        out.igu_until = dates(igu_frame, "OPGJORT_TIL")?.into_iter().flatten().max();
        let igu = only(igu_frame, &people).collect()?;
        for (id, start) in texts(&igu, "PNR")?
            .into_iter()
            .zip(dates(&igu, "IGU_STARTDATO")?)
        {
            if let (Some(id), Some(start)) = (id, start) {
                let e = out.igu.entry(id).or_insert(start);
                *e = (*e).min(start);
            }
        }

        let lpr = only(&registers.lpr.frame, &people)
            .filter(col("C_PATTYPE").eq(lit(0i64)))
            .collect()?;
        out.admissions = grouped_dates(&lpr, "D_INDDTO")?;
        out.judgements =
            grouped_dates(&only(&registers.kraf.frame, &people).collect()?, "AFG_ADTO")?;
        out.interviews = grouped_dates(
            &only(&registers.samtaler.frame, &people).collect()?,
            "SAMTALE_DATO",
        )?;
        let keys = [col("PNR"), col("AAR"), col("KVARTAL")];
        let vis = registers
            .visitation
            .frame
            .clone()
            .lazy()
            .join(
                quarters.lazy(),
                keys.clone(),
                keys,
                JoinArgs::new(JoinType::Inner),
            )
            .collect()?;
        for (((id, year), quarter), cat) in texts(&vis, "PNR")?
            .into_iter()
            .zip(ints(&vis, "AAR")?)
            .zip(ints(&vis, "KVARTAL")?)
            .zip(texts(&vis, "VISKAT")?)
        {
            if let (Some(id), Some(y), Some(q), Some(cat)) = (id, year, quarter, cat)
                && cat.trim().eq_ignore_ascii_case("jobparat")
            {
                out.job_ready.insert((id, y, q));
            }
        }
        Ok(out)
    }

    /// Years in Denmark at `date`, from the migrations (a descendant without migrations: age).
    pub fn years_in_denmark(&self, pnr: &str, date: NaiveDate) -> f64 {
        let Some(events) = self.migrations.get(pnr) else {
            return match self.persons.get(pnr) {
                Some(&(birth, ie)) if ie != 2 => (date - birth).num_days().max(0) as f64 / 365.25,
                _ => 0.0,
            };
        };
        let mut days = 0i64;
        let mut since: Option<NaiveDate> = None;
        for &(d, into) in events.iter().filter(|e| e.0 <= date) {
            match (into, since) {
                (true, None) => since = Some(d),
                (false, Some(s)) => {
                    days += (d - s).num_days();
                    since = None;
                }
                _ => {}
            }
        }
        if let Some(s) = since {
            days += (date - s).num_days();
        }
        days.max(0) as f64 / 365.25
    }
}

/// Whether some date of `dates` lies in `[from, to)`.
pub fn any_between(dates: Option<&Vec<NaiveDate>>, from: NaiveDate, to: NaiveDate) -> bool {
    dates.is_some_and(|d| d.iter().any(|&x| x >= from && x < to))
}

/// How many dates of `dates` lie in `[from, to)`.
pub fn count_between(dates: Option<&Vec<NaiveDate>>, from: NaiveDate, to: NaiveDate) -> usize {
    dates.map_or(0, |d| d.iter().filter(|&&x| x >= from && x < to).count())
}
