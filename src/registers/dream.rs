//! DREAM as arrays: weekly benefit codes, monthly employment rates and industries, yearly a-kasse
//! membership, one row per person, with the running week and month numbers of the first column.
//!
//! A parquet DREAM is read a few dozen columns at a time, so a national extract (hundreds of
//! thousands of persons × 1,700 weeks) never sits in memory as text.

use super::codes::CodeBook;
use super::table::{self, Format};
use crate::calendar::{self, MonthNo, WeekNo};
use crate::error::InputError;
use anyhow::Result;
use ndarray::Array2;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Stored for a code that is not a number from 1 to 999 (counted as unknown).
pub const UNREADABLE_CODE: u16 = 1000;

/// Columns read per pass over a parquet DREAM.
const COLUMNS_PER_PASS: usize = 16;

/// The weekly and monthly DREAM histories.
pub struct Dream {
    /// The file read.
    pub path: PathBuf,
    /// Person id of each row.
    pub ids: Vec<String>,
    /// Row of each person id.
    pub row_of: HashMap<String, usize>,
    /// Running week number of column 0 of `codes`.
    pub first_week: WeekNo,
    /// Weekly codes (0 = blank: no public transfer that week).
    pub codes: Array2<u16>,
    /// Running month number of column 0 of `grad` and `branche`.
    pub first_month: MonthNo,
    /// Monthly employment rate (0 when missing: no wage income that month).
    pub grad: Array2<f64>,
    /// Monthly industry (DB07 code as a number; 0 when missing).
    pub branche: Array2<u32>,
    /// First year of `akasse`.
    pub first_akasse_year: i32,
    /// Yearly a-kasse membership (`akYY`; empty columns when the extract has none).
    pub akasse: Array2<bool>,
    /// Codes the code book does not know, with their number of person-weeks.
    pub unknown_codes: BTreeMap<String, usize>,
}

/// Parses DREAM's yearly a-kasse column `akYY` (YY < 90 means 20YY) into a year.
pub fn parse_akasse_column(name: &str) -> Option<i32> {
    let digits = name.strip_prefix("ak")?;
    if digits.len() != 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = digits.parse().ok()?;
    Some(if yy < 90 { 2000 + yy } else { 1900 + yy })
}

impl Dream {
    /// Number of weeks covered.
    pub fn n_weeks(&self) -> usize {
        self.codes.ncols()
    }

    /// Number of months covered.
    pub fn n_months(&self) -> usize {
        self.grad.ncols()
    }

    /// The last week covered.
    pub fn last_week(&self) -> WeekNo {
        self.first_week + self.n_weeks() as WeekNo - 1
    }

    /// The last month covered.
    pub fn last_month(&self) -> MonthNo {
        self.first_month + self.n_months() as MonthNo - 1
    }

    /// Column of a running week number, if covered.
    pub fn week_col(&self, week: WeekNo) -> Option<usize> {
        let c = week - self.first_week;
        (c >= 0 && (c as usize) < self.n_weeks()).then_some(c as usize)
    }

    /// Column of a running month number, if covered.
    pub fn month_col(&self, month: MonthNo) -> Option<usize> {
        let c = month - self.first_month;
        (c >= 0 && (c as usize) < self.n_months()).then_some(c as usize)
    }

    /// A-kasse membership of row `row` in `year` (false outside the extract's years).
    pub fn akasse_member(&self, row: usize, year: i32) -> bool {
        let c = year - self.first_akasse_year;
        c >= 0 && (c as usize) < self.akasse.ncols() && self.akasse[[row, c as usize]]
    }

    /// Reads and checks DREAM (`dream.sas7bdat`, `dream.parquet` or `dream.csv`) in `dir`.
    pub fn load(dir: &Path, codebook: &CodeBook) -> Result<Dream> {
        let spec = &super::DREAM;
        let path = table::find(dir, spec.stem)?
            .ok_or_else(|| table::missing(dir, spec.stem, spec.title))?;
        let format = Format::of(&path)?;
        let file = path.display().to_string();
        let names = table::column_names(&path)?;
        let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let id_name = names
            .iter()
            .find(|n| n.eq_ignore_ascii_case("PNR") || n.eq_ignore_ascii_case("lobenr"))
            .ok_or_else(|| {
                InputError::new(format!(
                    "{file}: kolonnen PNR (tekst) mangler; fundne kolonner: {}",
                    names.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
                ))
            })?
            .clone();
        let weeks = span(&file, &lower, "y_", calendar::parse_dream_week)?;
        let months = span(&file, &lower, "grad_", |n| {
            calendar::parse_month_column(n, "grad_")
        })?;
        let mut years: Vec<(i32, String)> = lower
            .iter()
            .filter_map(|n| parse_akasse_column(n).map(|y| (y, n.clone())))
            .collect();
        years.sort();
        let first_akasse_year = years.first().map_or(0, |y| y.0);
        let original = |lower_name: &str| -> String {
            names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(lower_name))
                .cloned()
                .unwrap_or_else(|| lower_name.to_string())
        };
        let first = table::check(
            &path,
            table::read_columns(&path, Some(vec![id_name.clone()]))?,
            spec,
        )?;
        let ids: Vec<String> = first
            .column("PNR")?
            .str()?
            .no_null_iter()
            .map(str::to_string)
            .collect();
        let mut row_of = HashMap::with_capacity(ids.len());
        for (row, id) in ids.iter().enumerate() {
            if row_of.insert(id.clone(), row).is_some() {
                return crate::error::input_error(format!(
                    "{file}: række {}, kolonne PNR: personen {id} står flere gange i DREAM; hver person skal have én række",
                    row + 1
                ));
            }
        }
        let n = ids.len();
        let mut dream = Dream {
            path: path.clone(),
            ids,
            row_of,
            first_week: weeks.first,
            codes: Array2::zeros((n, weeks.len())),
            first_month: months.first,
            grad: Array2::zeros((n, months.len())),
            branche: Array2::zeros((n, months.len())),
            first_akasse_year,
            akasse: Array2::from_elem((n, years.len()), false),
            unknown_codes: BTreeMap::new(),
        };
        // Every wanted column (by its name in the file), tagged with where it goes.
        let mut wanted: Vec<(String, Slot)> = Vec::new();
        for (c, name) in weeks.columns.iter().enumerate() {
            wanted.push((original(name), Slot::Week(c)));
        }
        for (c, name) in months.columns.iter().enumerate() {
            wanted.push((original(name), Slot::Grad(c)));
            let bname = calendar::month_column("branche_", months.first + c as i32);
            if lower.contains(&bname) {
                wanted.push((original(&bname), Slot::Branche(c)));
            }
        }
        for (c, (_, name)) in years.iter().enumerate() {
            wanted.push((original(name), Slot::Akasse(c)));
        }
        let slots: HashMap<String, Slot> = (wanted.iter())
            .map(|(n, s)| (n.to_ascii_lowercase(), *s))
            .collect();
        let mut take = |first_row: usize, raw: DataFrame| -> Result<()> {
            dream.take_block(&path, format, &slots, &id_name, first_row, raw, codebook)
        };
        if format == Format::Sas {
            // One pass over the file, batch by batch (decoding a SAS page is the cost, and
            // compressed pages cannot be read a column at a time).
            let mut select = vec![id_name.clone()];
            select.extend(wanted.iter().map(|(n, _)| n.clone()));
            super::sas::visit(&path, &select, take)?;
        } else {
            // A few columns per pass, so only one pass's raw text is ever in memory; the weekly
            // codes come straight from the raw columns, the other columns go through the schema
            // check and need the id column beside them.
            let per_pass = if format == Format::Csv {
                wanted.len().max(1)
            } else {
                COLUMNS_PER_PASS
            };
            let (weekly, other): (Vec<_>, Vec<_>) = wanted
                .iter()
                .partition(|(_, slot)| matches!(slot, Slot::Week(_)));
            for chunk in weekly.chunks(per_pass) {
                let select: Vec<String> = chunk.iter().map(|(n, _)| n.clone()).collect();
                take(0, table::read_columns(&path, Some(select))?)?;
            }
            for chunk in other.chunks(per_pass) {
                let mut select = vec![id_name.clone()];
                select.extend(chunk.iter().map(|(n, _)| n.clone()));
                take(0, table::read_columns(&path, Some(select))?)?;
            }
        }
        Ok(dream)
    }

    /// Stores a block of raw DREAM columns holding the rows from `first_row` on: weekly codes are
    /// decoded column by column in parallel; the monthly and yearly columns are checked against
    /// the schema first (they need the id column in the block).
    #[allow(clippy::too_many_arguments)]
    fn take_block(
        &mut self,
        path: &Path,
        format: Format,
        slots: &HashMap<String, Slot>,
        id_name: &str,
        first_row: usize,
        raw: DataFrame,
        codebook: &CodeBook,
    ) -> Result<()> {
        let file = path.display().to_string();
        let slot_of = |c: &Column| slots.get(&c.name().to_ascii_lowercase()).copied();
        let weekly: Vec<(usize, &Column)> = (raw.columns().iter())
            .filter_map(|c| match slot_of(c) {
                Some(Slot::Week(index)) => Some((index, c)),
                _ => None,
            })
            .collect();
        let columns: Vec<WeekColumn> = weekly
            .par_iter()
            .map(|&(index, column)| read_week(&file, column, index, codebook))
            .collect::<Result<_>>()?;
        for column in columns {
            let rows = first_row..first_row + column.codes.len();
            self.codes
                .slice_mut(ndarray::s![rows, column.index])
                .assign(&ndarray::ArrayView1::from(&column.codes));
            for (text, n) in column.unknown {
                *self.unknown_codes.entry(text).or_insert(0) += n;
            }
        }
        let other: Vec<Column> = (raw.columns().iter())
            .filter(|c| {
                c.name().as_str() == id_name || !matches!(slot_of(c), Some(Slot::Week(_)) | None)
            })
            .cloned()
            .collect();
        if other.len() <= 1 {
            return Ok(());
        }
        let rows = table::Rows {
            csv: format == Format::Csv,
            first: first_row,
        };
        let frame = table::check_rows(
            path,
            rows,
            DataFrame::new(raw.height(), other)?,
            &super::DREAM,
        )?;
        for column in frame.columns() {
            if let Some(slot) = slot_of(column) {
                self.fill(&file, column, column.name().as_str(), slot, first_row)?;
            }
        }
        Ok(())
    }

    /// Stores one checked monthly or yearly column holding the rows from `first_row` on.
    fn fill(
        &mut self,
        file: &str,
        column: &Column,
        name: &str,
        slot: Slot,
        first_row: usize,
    ) -> Result<()> {
        match slot {
            Slot::Week(_) => {}
            Slot::Grad(c) => {
                for (r, value) in column
                    .f64()?
                    .iter()
                    .enumerate()
                    .map(|(r, v)| (first_row + r, v))
                {
                    let rate = value.unwrap_or(0.0);
                    if !(0.0..=1.0 + 1e-9).contains(&rate) {
                        return crate::error::input_error(format!(
                            "{file}: række {}, kolonne {name}: beskæftigelsesgraden {rate} ligger ikke mellem 0 og 1",
                            r + 1
                        ));
                    }
                    self.grad[[r, c]] = rate;
                }
            }
            Slot::Branche(c) => {
                for (r, value) in column
                    .str()?
                    .iter()
                    .enumerate()
                    .map(|(r, v)| (first_row + r, v))
                {
                    let Some(text) = value else { continue };
                    let code = text.parse::<u32>().map_err(|_| {
                        InputError::new(format!(
                            "{file}: række {}, kolonne {name}: «{text}» er ikke en DB07-branchekode (6 cifre)",
                            r + 1
                        ))
                    })?;
                    self.branche[[r, c]] = code;
                }
            }
            Slot::Akasse(c) => {
                for (r, value) in column
                    .i64()?
                    .iter()
                    .enumerate()
                    .map(|(r, v)| (first_row + r, v))
                {
                    match value {
                        None | Some(0) => {}
                        Some(1) => self.akasse[[r, c]] = true,
                        Some(v) => {
                            return crate::error::input_error(format!(
                                "{file}: række {}, kolonne {name}: a-kassemedlemskab skal være 0 eller 1, ikke {v}",
                                r + 1
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// One weekly column read: its index, codes and unknown codes with counts.
struct WeekColumn {
    index: usize,
    codes: Vec<u16>,
    unknown: BTreeMap<String, usize>,
}

/// Reads one weekly column (text codes, or integers) without copying it as text.
fn read_week(file: &str, column: &Column, index: usize, codebook: &CodeBook) -> Result<WeekColumn> {
    let name = column.name().as_str();
    let mut out = WeekColumn {
        index,
        codes: vec![0; column.len()],
        unknown: BTreeMap::new(),
    };
    let mut put = |r: usize, text: &str, code: u16| {
        if code == UNREADABLE_CODE || !codebook.knows(code) {
            *out.unknown.entry(text.to_string()).or_insert(0) += 1;
        }
        out.codes[r] = code;
    };
    match column.dtype() {
        DataType::String => {
            for (r, value) in column.str()?.iter().enumerate() {
                let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
                    continue;
                };
                let code = match text.parse::<u16>() {
                    Ok(code) if (1..=999).contains(&code) => code,
                    _ => UNREADABLE_CODE,
                };
                put(r, text, code);
            }
        }
        DataType::Null => {}
        // SAS numbers are doubles: a whole number is a code, anything else is unreadable.
        d if d.is_float() => {
            let values = column.cast(&DataType::Float64)?;
            for (r, value) in values.f64()?.iter().enumerate() {
                let Some(v) = value else { continue };
                let code = if v.fract() == 0.0 && (1.0..=999.0).contains(&v) {
                    v as u16
                } else {
                    UNREADABLE_CODE
                };
                put(r, &v.to_string(), code);
            }
        }
        d if d.is_integer() => {
            let values = column.cast(&DataType::Int64)?;
            for (r, value) in values.i64()?.iter().enumerate() {
                let Some(v) = value else { continue };
                let code = u16::try_from(v)
                    .ok()
                    .filter(|c| (1..=999).contains(c))
                    .unwrap_or(UNREADABLE_CODE);
                put(r, &v.to_string(), code);
            }
        }
        d => {
            return crate::error::input_error(format!(
                "{file}: kolonnen {name} skal være tekst (en ydelseskode), men har typen {d}"
            ));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Week(usize),
    Grad(usize),
    Branche(usize),
    Akasse(usize),
}

struct Span {
    first: i32,
    columns: Vec<String>,
}

impl Span {
    fn len(&self) -> usize {
        self.columns.len()
    }
}

/// The contiguous run of columns of one family (weeks or months), in time order.
fn span(
    file: &str,
    names: &[String],
    prefix: &str,
    parse: impl Fn(&str) -> Option<i32>,
) -> Result<Span> {
    let mut found: Vec<(i32, &String)> = names
        .iter()
        .filter_map(|n| parse(n).map(|t| (t, n)))
        .collect();
    found.sort();
    let Some(&(first, _)) = found.first() else {
        return Err(InputError::new(format!(
            "{file}: ingen {prefix}-kolonner fundet (se docs/data.md)"
        ))
        .into());
    };
    for (i, (t, name)) in found.iter().enumerate() {
        if *t != first + i as i32 {
            return Err(InputError::new(format!(
                "{file}: kolonnerne {prefix}… har et hul før {name}; DREAM skal dække en sammenhængende periode"
            ))
            .into());
        }
    }
    Ok(Span {
        first,
        columns: found.into_iter().map(|(_, n)| n.clone()).collect(),
    })
}
