//! Per-person facts from the DST-style registers: children, migrations, residence basis,
//! education, wage income, owner type of the workplace, IGU starts, hospital admissions,
//! judgements, job-readiness and interviews.
//!
//! The facts are stored by person index, not by person id: the dataset's rows come first
//! (index = row), then the partners who are not rows themselves. Each register is read in one
//! pass over its columns, and a row is kept only if its person id is one the dataset needs, so
//! nothing the size of a register is copied (at national scale the owner-type and visitation
//! registers hold tens of millions of rows, of which a few million matter).

use super::education::{self, Group};
use crate::calendar::{self, MonthNo};
use crate::registers::Registers;
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use ndarray::Array2;
use polars::prelude::*;
use std::collections::{HashMap, HashSet};

/// Values grouped by person: person `i`'s values, sorted, are [`Grouped::get`]`(i)`.
#[derive(Debug, Clone, Default)]
pub struct Grouped<T> {
    offsets: Vec<usize>,
    values: Vec<T>,
}

impl<T: Ord> Grouped<T> {
    /// Groups `(person, value)` pairs of `n` persons.
    fn from_pairs(n: usize, mut pairs: Vec<(u32, T)>) -> Grouped<T> {
        pairs.sort_unstable();
        let mut offsets = vec![0; n + 1];
        for (i, _) in &pairs {
            offsets[*i as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        Grouped {
            offsets,
            values: pairs.into_iter().map(|(_, v)| v).collect(),
        }
    }
}

impl<T> Grouped<T> {
    /// The values of person `i` (empty for a person without any).
    pub fn get(&self, i: usize) -> &[T] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.values[a..b],
            _ => &[],
        }
    }
}

/// What the dataset needs from the registers besides DREAM and BEF's start-year rows, by person
/// index (see the module documentation).
#[derive(Default)]
pub struct Lookups {
    /// Number of dataset rows; persons from this index on are partners only.
    pub rows: usize,
    /// Each row's partner (BEF `E_FAELLE_ID` in the start year), as a person index.
    pub partner: Vec<Option<u32>>,
    /// Each person's DREAM row.
    pub dream_row: Vec<Option<u32>>,
    /// Each person's birth date and IE_TYPE (first BEF row).
    pub persons: Vec<Option<(NaiveDate, i64)>>,
    /// Each person's migrations: (date, into Denmark), in date order.
    pub migrations: Grouped<(NaiveDate, bool)>,
    /// Birth dates of each row's children (BEF `MOR_ID`/`FAR_ID`).
    pub children: Grouped<NaiveDate>,
    /// Each row's residence basis (OPHGR).
    pub residence: Vec<Option<i64>>,
    /// Each row's education group (from HFAUDD; no record: [`Group::Andet`]).
    pub education: Vec<Group>,
    /// Each row's wage income (DKK) in the year before the start year.
    pub wage: Vec<Option<f64>>,
    /// Year of [`Lookups::owner`].
    pub owner_year: i32,
    /// Owner type of each row's workplace in the months of `owner_year` (rows × 12; 0 = none).
    pub owner: Array2<u16>,
    /// Each row's earliest IGU start.
    pub igu: Vec<Option<NaiveDate>>,
    /// Last date the IGU register covers.
    pub igu_until: Option<NaiveDate>,
    /// Each row's inpatient admission dates.
    pub admissions: Grouped<NaiveDate>,
    /// Each row's judgement dates.
    pub judgements: Grouped<NaiveDate>,
    /// Each row's job-readiness: (in the start quarter, in the first quarter of the year before).
    pub job_ready: Vec<(bool, bool)>,
    /// Each row's dates of nulstillende samtaler.
    pub interviews: Grouped<NaiveDate>,
}

/// Person ids → person index.
struct Index<'a> {
    of: HashMap<&'a str, u32>,
    rows: usize,
}

impl Index<'_> {
    /// The person index of `id`, if it is a person the dataset needs.
    fn person(&self, id: Option<&str>) -> Option<usize> {
        id.and_then(|id| self.of.get(id)).map(|&i| i as usize)
    }

    /// The dataset row of `id`, if it is one.
    fn row(&self, id: Option<&str>) -> Option<usize> {
        self.person(id).filter(|&i| i < self.rows)
    }
}

fn texts<'a>(df: &'a DataFrame, name: &str) -> Result<impl Iterator<Item = Option<&'a str>>> {
    Ok(df.column(name)?.str()?.iter())
}

fn ints<'a>(df: &'a DataFrame, name: &str) -> Result<impl Iterator<Item = Option<i64>> + 'a> {
    Ok(df.column(name)?.i64()?.iter())
}

fn dates(df: &DataFrame, name: &str) -> Result<impl Iterator<Item = Option<NaiveDate>>> {
    Ok(df
        .column(name)?
        .date()?
        .physical()
        .iter()
        .map(|d| d.map(calendar::from_epoch_days)))
}

/// The dates in column `date` of the dataset rows' records in `df`.
fn row_dates(
    df: &DataFrame,
    date: &str,
    index: &Index,
    keep: impl Fn(usize) -> bool,
) -> Result<Grouped<NaiveDate>> {
    let mut pairs = Vec::new();
    for (k, (id, d)) in texts(df, "PNR")?.zip(dates(df, date)?).enumerate() {
        if let (Some(i), Some(d)) = (index.row(id), d)
            && keep(k)
        {
            pairs.push((i as u32, d));
        }
    }
    Ok(Grouped::from_pairs(index.rows, pairs))
}

impl Lookups {
    /// Collects the facts of the dataset's rows (person ids `ids`, (placebo) start dates
    /// `starts`) and of their partners (`partners`, by row).
    pub fn collect(
        registers: &Registers,
        ids: &[&str],
        starts: &[NaiveDate],
        partners: &[Option<&str>],
    ) -> Result<Lookups> {
        let n = ids.len();
        let mut index = Index {
            of: HashMap::with_capacity(n + n / 2),
            rows: n,
        };
        // Person ids in index order: the rows, then each partner who is not a row, once.
        let partner_ids = partners.iter().flatten().copied();
        let mut dream_row = Vec::with_capacity(n);
        for id in ids.iter().copied().chain(partner_ids) {
            let next = index.of.len() as u32;
            if *index.of.entry(id).or_insert(next) == next {
                dream_row.push(registers.dream.row_of.get(id).map(|&r| r as u32));
            }
        }
        let people = index.of.len();
        let partner = partners
            .iter()
            .map(|p| p.and_then(|p| index.of.get(p).copied()))
            .collect();
        let mut out = Lookups {
            rows: n,
            partner,
            dream_row,
            ..Lookups::default()
        };
        out.read_bef(registers, &index, people)?;
        out.read_migrations(registers, &index, people)?;

        out.residence = vec![None; n];
        let oph = &registers.ophgin.frame;
        for (id, code) in texts(oph, "PNR")?.zip(ints(oph, "OPHGR")?) {
            if let Some(i) = index.row(id) {
                out.residence[i] = code;
            }
        }
        out.education = vec![Group::Andet; n];
        let udda = &registers.udda.frame;
        for (id, code) in texts(udda, "PNR")?.zip(texts(udda, "HFAUDD")?) {
            if let (Some(i), Some(code)) = (index.row(id), code) {
                out.education[i] = education::group(Some(code));
            }
        }
        out.wage = vec![None; n];
        let ind = &registers.ind.frame;
        let wages = ind.column("LOENMV_13")?.f64()?.iter();
        for ((id, year), wage) in texts(ind, "PNR")?.zip(ints(ind, "AAR")?).zip(wages) {
            if let (Some(i), Some(year), Some(wage)) = (index.row(id), year, wage)
                && year == i64::from(starts[i].year()) - 1
            {
                out.wage[i] = Some(wage);
            }
        }
        out.read_owner(registers, &index)?;

        let igu = &registers.igu.frame;
        out.igu_until = dates(igu, "OPGJORT_TIL")?.flatten().max();
        out.igu = vec![None; n];
        for (id, start) in texts(igu, "PNR")?.zip(dates(igu, "IGU_STARTDATO")?) {
            if let (Some(i), Some(start)) = (index.row(id), start) {
                let e = out.igu[i].get_or_insert(start);
                *e = (*e).min(start);
            }
        }
        let lpr = &registers.lpr.frame;
        let inpatient = lpr.column("C_PATTYPE")?.i64()?;
        out.admissions = row_dates(lpr, "D_INDDTO", &index, |k| inpatient.get(k) == Some(0))?;
        out.judgements = row_dates(&registers.kraf.frame, "AFG_ADTO", &index, |_| true)?;
        out.interviews = row_dates(&registers.samtaler.frame, "SAMTALE_DATO", &index, |_| true)?;
        out.read_job_readiness(registers, &index, starts)?;
        Ok(out)
    }

    /// Children (from every BEF row with a parent link, each child's first such row) and each
    /// person's birth date and IE_TYPE (first row).
    fn read_bef(&mut self, registers: &Registers, index: &Index, people: usize) -> Result<()> {
        let bef = &registers.bef.frame;
        self.persons = vec![None; people];
        let mut children = Vec::new();
        let mut seen_children: HashSet<&str> = HashSet::new();
        let rows = texts(bef, "PNR")?
            .zip(dates(bef, "FOED_DAG")?)
            .zip(ints(bef, "IE_TYPE")?)
            .zip(texts(bef, "MOR_ID")?.zip(texts(bef, "FAR_ID")?));
        for (((id, birth), ie), (mother, father)) in rows {
            if let (Some(i), Some(b), Some(ie)) = (index.person(id), birth, ie)
                && self.persons[i].is_none()
            {
                self.persons[i] = Some((b, ie));
            }
            if (mother.is_some() || father.is_some())
                && let Some(id) = id
                && seen_children.insert(id)
                && let Some(b) = birth
            {
                for parent in [mother, father] {
                    if let Some(p) = index.row(parent) {
                        children.push((p as u32, b));
                    }
                }
            }
        }
        self.children = Grouped::from_pairs(index.rows, children);
        Ok(())
    }

    /// Every migration of the rows and their partners.
    fn read_migrations(
        &mut self,
        registers: &Registers,
        index: &Index,
        people: usize,
    ) -> Result<()> {
        let vnds = &registers.vnds.frame;
        let mut moves = Vec::new();
        for ((id, kind), date) in texts(vnds, "PNR")?
            .zip(texts(vnds, "INDUD_KODE")?)
            .zip(dates(vnds, "HAEND_DATO")?)
        {
            let (Some(i), Some(kind), Some(date)) = (index.person(id), kind, date) else {
                continue;
            };
            // I: into Denmark, U: out of it (checked when the registers were read).
            let into = kind.trim().eq_ignore_ascii_case("I");
            moves.push((i as u32, (date, into)));
        }
        self.migrations = Grouped::from_pairs(people, moves);
        Ok(())
    }

    /// Owner types in the year of the main outcome period.
    fn read_owner(&mut self, registers: &Registers, index: &Index) -> Result<()> {
        let (year, _) = calendar::month_parts(*super::outcomes::main_period().start());
        self.owner_year = year;
        self.owner = Array2::zeros((index.rows, 12));
        let owner = &registers.ejerform.frame;
        let rows = texts(owner, "PNR")?
            .zip(ints(owner, "AAR")?)
            .zip(ints(owner, "MD")?.zip(ints(owner, "VIRKF")?));
        for ((id, y), (m, v)) in rows {
            if y == Some(i64::from(year))
                && let (Some(i), Some(m), Some(v)) = (index.row(id), m, v)
                && (1..=12).contains(&m)
            {
                self.owner[[i, (m - 1) as usize]] = u16::try_from(v).unwrap_or(0);
            }
        }
        Ok(())
    }

    /// Job-ready in the start quarter and in the first quarter of the year before.
    fn read_job_readiness(
        &mut self,
        registers: &Registers,
        index: &Index,
        starts: &[NaiveDate],
    ) -> Result<()> {
        self.job_ready = vec![(false, false); index.rows];
        let vis = &registers.visitation.frame;
        let rows = texts(vis, "PNR")?
            .zip(ints(vis, "AAR")?)
            .zip(ints(vis, "KVARTAL")?.zip(texts(vis, "VISKAT")?));
        for ((id, year), (quarter, category)) in rows {
            let (Some(i), Some(y), Some(q), Some(category)) =
                (index.row(id), year, quarter, category)
            else {
                continue;
            };
            if !category.trim().eq_ignore_ascii_case("jobparat") {
                continue;
            }
            let start = starts[i];
            let start_year = i64::from(start.year());
            let ready = &mut self.job_ready[i];
            if (y, q) == (start_year, i64::from((start.month() - 1) / 3 + 1)) {
                ready.0 = true;
            }
            if (y, q) == (start_year - 1, 1) {
                ready.1 = true;
            }
        }
        Ok(())
    }

    /// Owner type of row `row`'s workplace in `month` (0: none or outside `owner_year`).
    pub fn owner_in(&self, row: usize, month: MonthNo) -> u16 {
        let (y, m) = calendar::month_parts(month);
        if y == self.owner_year {
            self.owner[[row, (m - 1) as usize]]
        } else {
            0
        }
    }

    /// Years in Denmark of person `person` at `date`, from the migrations (a descendant without
    /// migrations: age).
    pub fn years_in_denmark(&self, person: usize, date: NaiveDate) -> f64 {
        let events = self.migrations.get(person);
        if events.is_empty() {
            return match self.persons.get(person).copied().flatten() {
                Some((birth, ie)) if ie != 2 => (date - birth).num_days().max(0) as f64 / 365.25,
                _ => 0.0,
            };
        }
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
pub fn any_between(dates: &[NaiveDate], from: NaiveDate, to: NaiveDate) -> bool {
    dates.iter().any(|&x| x >= from && x < to)
}

/// How many dates of `dates` lie in `[from, to)`.
pub fn count_between(dates: &[NaiveDate], from: NaiveDate, to: NaiveDate) -> usize {
    dates.iter().filter(|&&x| x >= from && x < to).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_values_are_sorted_per_person_and_absent_persons_are_empty() {
        let pairs = vec![(2, 30), (0, 5), (2, 10), (0, 1), (2, 20)];
        let g = Grouped::from_pairs(4, pairs);
        assert_eq!(g.get(0), [1, 5]);
        assert!(g.get(1).is_empty());
        assert_eq!(g.get(2), [10, 20, 30]);
        assert!(g.get(3).is_empty());
        assert!(g.get(4).is_empty(), "past the last person");
    }
}
