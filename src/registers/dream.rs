//! DREAM as arrays: weekly benefit codes, monthly employment rates and industries, one row per
//! person, with the running week and month numbers of the first column.

use super::codes::CodeBook;
use super::table::Table;
use crate::calendar::{self, MonthNo, WeekNo};
use crate::error::InputError;
use anyhow::Result;
use ndarray::Array2;
use std::collections::{BTreeMap, HashMap};

/// Stored for a code that is not a number from 1 to 999 (counted as unknown).
pub const UNREADABLE_CODE: u16 = 1000;

/// The weekly and monthly DREAM histories.
pub struct Dream {
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
    /// Codes the code book does not know, with their number of person-weeks.
    pub unknown_codes: BTreeMap<String, usize>,
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

    /// Builds the arrays from the checked DREAM table.
    pub fn from_table(table: &Table, codebook: &CodeBook) -> Result<Dream> {
        let df = &table.frame;
        let file = table.path.display().to_string();
        let ids: Vec<String> = df
            .column("PNR")?
            .str()?
            .no_null_iter()
            .map(str::to_string)
            .collect();
        let mut row_of = HashMap::with_capacity(ids.len());
        for (row, id) in ids.iter().enumerate() {
            if row_of.insert(id.clone(), row).is_some() {
                return crate::error::input_error(format!(
                    "{file}: række {}: personen står flere gange i DREAM; hver person skal have én række",
                    row + 1
                ));
            }
        }
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let weeks = span(&file, &names, "y_", |n| calendar::parse_dream_week(n))?;
        let months = span(&file, &names, "grad_", |n| {
            calendar::parse_month_column(n, "grad_")
        })?;
        let n = ids.len();
        let mut unknown_codes = BTreeMap::new();
        let mut codes = Array2::<u16>::zeros((n, weeks.len()));
        for (c, name) in weeks.columns.iter().enumerate() {
            let column = df.column(name)?.str()?;
            for (r, value) in column.iter().enumerate() {
                let Some(text) = value else { continue };
                let code = match text.parse::<u16>() {
                    Ok(code) if (1..=999).contains(&code) => code,
                    _ => UNREADABLE_CODE,
                };
                if code == UNREADABLE_CODE || !codebook.knows(code) {
                    *unknown_codes.entry(text.to_string()).or_insert(0) += 1;
                }
                codes[[r, c]] = code;
            }
        }
        let mut grad = Array2::<f64>::zeros((n, months.len()));
        let mut branche = Array2::<u32>::zeros((n, months.len()));
        for (c, name) in months.columns.iter().enumerate() {
            for (r, value) in df.column(name)?.f64()?.iter().enumerate() {
                let rate = value.unwrap_or(0.0);
                if !(0.0..=1.0 + 1e-9).contains(&rate) {
                    return crate::error::input_error(format!(
                        "{file}: række {}, kolonne {name}: beskæftigelsesgraden {rate} ligger ikke mellem 0 og 1",
                        r + 1
                    ));
                }
                grad[[r, c]] = rate;
            }
            let (y, m) = calendar::month_parts(months.first + c as i32);
            let bname = format!("branche_{y}_{m:02}");
            if let Ok(column) = df.column(&bname) {
                for (r, value) in column.str()?.iter().enumerate() {
                    branche[[r, c]] = value.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
                }
            }
        }
        Ok(Dream {
            ids,
            row_of,
            first_week: weeks.first,
            codes,
            first_month: months.first,
            grad,
            branche,
            unknown_codes,
        })
    }
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
