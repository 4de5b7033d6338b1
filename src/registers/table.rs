//! Reading one register extract (parquet or CSV) and checking it against its schema.
//!
//! Column names are matched case-insensitively (DST delivers SAS names in upper case, users often
//! export them in lower case). CSV cells are read as text and parsed here, so a bad cell is
//! reported with its file, column and line. Parquet columns must have a compatible type.

use crate::error::InputError;
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// The type a register column must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (ids, codes; integers are accepted and turned into text).
    Text,
    /// Whole numbers.
    Int,
    /// Decimal numbers (a decimal comma is accepted in CSV).
    Float,
    /// Calendar dates (`YYYY-MM-DD`, or `DD-MM-YYYY` in CSV).
    Date,
}

impl Kind {
    fn danish(self) -> &'static str {
        match self {
            Kind::Text => "tekst",
            Kind::Int => "et heltal",
            Kind::Float => "et tal",
            Kind::Date => "en dato (ÅÅÅÅ-MM-DD)",
        }
    }

    fn dtype(self) -> DataType {
        match self {
            Kind::Text => DataType::String,
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Date => DataType::Date,
        }
    }
}

/// One named column of a register.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Canonical name (as in the documentation, docs/data.md).
    pub name: &'static str,
    /// Other accepted names (e.g. `lobenr` for `PNR`).
    pub aliases: &'static [&'static str],
    /// Required type.
    pub kind: Kind,
    /// Whether the column must be present.
    pub required: bool,
    /// Whether empty cells are allowed.
    pub nullable: bool,
}

/// A family of columns named by a pattern, e.g. DREAM's weekly `y_YYWW`.
#[derive(Debug, Clone, Copy)]
pub struct PatternSpec {
    /// Prefix of the column names (lower case), e.g. `y_`.
    pub prefix: &'static str,
    /// Whether a name with this prefix belongs to the family (checks the suffix).
    pub matches: fn(&str) -> bool,
    /// Required type of every column in the family.
    pub kind: Kind,
}

/// The schema of one register file.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// File name without extension (`.parquet` or `.csv` is looked for).
    pub stem: &'static str,
    /// What the register is, for messages.
    pub title: &'static str,
    /// Named columns.
    pub columns: &'static [ColumnSpec],
    /// Column families.
    pub patterns: &'static [PatternSpec],
    /// Columns that together identify a row (a duplicate is an error); empty: no key.
    pub unique: &'static [&'static str],
}

/// A checked register extract.
pub struct Table {
    /// The file it was read from.
    pub path: PathBuf,
    /// The data, with canonical column names and the schema's types.
    pub frame: DataFrame,
}

/// Finds `stem.parquet` or `stem.csv` in `dir`; `None` if neither exists.
pub fn find(dir: &Path, stem: &str) -> Option<PathBuf> {
    ["parquet", "csv"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
}

/// Reads and checks the register `spec` from `dir`.
pub fn load(dir: &Path, spec: &TableSpec) -> Result<Table> {
    let path = find(dir, spec.stem).ok_or_else(|| {
        InputError::new(format!(
            "registeret {} mangler: forventede {}/{}.parquet eller {}.csv (se docs/data.md)",
            spec.title,
            dir.display(),
            spec.stem,
            spec.stem
        ))
    })?;
    let raw = read_raw(&path)?;
    let frame = check(&path, raw, spec)?;
    Ok(Table { path, frame })
}

fn read_raw(path: &Path) -> Result<DataFrame> {
    read_columns(path, None)
}

/// Whether `path` is a CSV file (else parquet).
pub fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "csv")
}

/// The column names of a register file, without reading its data (parquet) or with one row (CSV).
pub fn column_names(path: &Path) -> Result<Vec<String>> {
    let names = if is_csv(path) {
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_n_rows(Some(1))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish());
        df.map(|df| {
            df.get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect()
        })
    } else {
        std::fs::File::open(path)
            .map_err(PolarsError::from)
            .and_then(|f| ParquetReader::new(f).schema())
            .map(|schema| schema.iter_names().map(|s| s.to_string()).collect())
    };
    names.map_err(|e| InputError::new(format!("kan ikke læse {}: {e}", path.display())).into())
}

/// Reads the columns `columns` (all when `None`) of a register file, unchecked.
pub fn read_columns(path: &Path, columns: Option<Vec<String>>) -> Result<DataFrame> {
    let is_csv = is_csv(path);
    let read = || -> PolarsResult<DataFrame> {
        if is_csv {
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .with_columns(
                    columns
                        .clone()
                        .map(|c| c.into_iter().map(PlSmallStr::from).collect()),
                )
                .try_into_reader_with_file_path(Some(path.to_path_buf()))?
                .finish()
        } else {
            let file = std::fs::File::open(path)?;
            ParquetReader::new(file)
                .with_columns(columns.clone())
                .finish()
        }
    };
    read().map_err(|e| InputError::new(format!("kan ikke læse {}: {e}", path.display())).into())
}

/// Checks a raw frame against `spec`: canonical names, the schema's types, no empty required cells.
pub fn check(path: &Path, raw: DataFrame, spec: &TableSpec) -> Result<DataFrame> {
    let is_csv = path.extension().is_some_and(|e| e == "csv");
    let mut columns = Vec::new();
    let names: Vec<String> = raw
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for col in spec.columns {
        let found = names.iter().find(|n| {
            n.eq_ignore_ascii_case(col.name)
                || col.aliases.iter().any(|a| n.eq_ignore_ascii_case(a))
        });
        match found {
            Some(name) => {
                let column = raw.column(name)?;
                let series = coerce(
                    path,
                    is_csv,
                    column.as_materialized_series(),
                    col.name,
                    col.kind,
                )?;
                if !col.nullable
                    && let Some(row) = first_null(&series)
                {
                    return Err(InputError::new(format!(
                        "{}: kolonnen {} er tom i {}; udfyld den eller fjern rækken",
                        path.display(),
                        col.name,
                        row_label(is_csv, row)
                    ))
                    .into());
                }
                columns.push(series.with_name(col.name.into()).into_column());
            }
            None if col.required => {
                return Err(InputError::new(format!(
                    "{}: kolonnen {} ({}) mangler; fundne kolonner: {}",
                    path.display(),
                    col.name,
                    col.kind.danish(),
                    preview(&names)
                ))
                .into());
            }
            None => columns.push(Column::full_null(
                col.name.into(),
                raw.height(),
                &col.kind.dtype(),
            )),
        }
    }
    for name in &names {
        let lower = name.to_ascii_lowercase();
        if let Some(pattern) = spec
            .patterns
            .iter()
            .find(|p| lower.starts_with(p.prefix) && (p.matches)(&lower))
        {
            let column = raw.column(name)?;
            let series = coerce(
                path,
                is_csv,
                column.as_materialized_series(),
                &lower,
                pattern.kind,
            )?;
            columns.push(series.with_name(lower.as_str().into()).into_column());
        }
    }
    DataFrame::new(raw.height(), columns)
        .map_err(|e| anyhow::anyhow!("{}: kolonnerne kan ikke samles: {e}", path.display()))
}

fn preview(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(12).map(String::as_str).collect();
    let more = if names.len() > shown.len() {
        format!(" … ({} i alt)", names.len())
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

fn row_label(is_csv: bool, row: usize) -> String {
    if is_csv {
        format!("række {} (linje {})", row + 1, row + 2)
    } else {
        format!("række {}", row + 1)
    }
}

fn first_null(series: &Series) -> Option<usize> {
    if series.null_count() == 0 {
        return None;
    }
    series.is_null().iter().position(|v| v == Some(true))
}

/// Turns a raw column into the schema's type, naming the first bad cell.
fn coerce(path: &Path, is_csv: bool, series: &Series, name: &str, kind: Kind) -> Result<Series> {
    let bad_type = || -> anyhow::Error {
        InputError::new(format!(
            "{}: kolonnen {name} skal være {}, men har typen {}",
            path.display(),
            kind.danish(),
            series.dtype()
        ))
        .into()
    };
    let dtype = series.dtype().clone();
    if dtype == DataType::String {
        return parse_text(path, is_csv, series, name, kind);
    }
    let out = match (kind, &dtype) {
        (Kind::Text, d) if d.is_integer() => series.cast(&DataType::String)?,
        (Kind::Int, d) if d.is_integer() => series.cast(&DataType::Int64)?,
        (Kind::Float, d) if d.is_primitive_numeric() => series.cast(&DataType::Float64)?,
        (Kind::Date, DataType::Date) => series.clone(),
        (_, DataType::Null) => {
            Series::full_null(series.name().clone(), series.len(), &kind.dtype())
        }
        _ => return Err(bad_type()),
    };
    Ok(out)
}

fn parse_text(
    path: &Path,
    is_csv: bool,
    series: &Series,
    name: &str,
    kind: Kind,
) -> Result<Series> {
    let text = series.str()?;
    let bad = |row: usize, value: &str| -> anyhow::Error {
        InputError::new(format!(
            "{}: {}, kolonne {name}: «{value}» er ikke {}",
            path.display(),
            row_label(is_csv, row),
            kind.danish()
        ))
        .into()
    };
    let cells = text
        .iter()
        .map(|v| v.map(str::trim).filter(|v| !v.is_empty()));
    let clean = |v: &str| !v.is_empty() && v.trim().len() == v.len();
    if kind == Kind::Text && text.iter().all(|v| v.is_none_or(clean)) {
        return Ok(series.clone().with_name(name.into()));
    }
    let out = match kind {
        Kind::Text => Series::new(
            name.into(),
            cells.map(|v| v.map(str::to_string)).collect::<Vec<_>>(),
        ),
        Kind::Int => {
            let mut values = Vec::with_capacity(text.len());
            for (row, cell) in cells.enumerate() {
                values.push(match cell {
                    None => None,
                    Some(v) => Some(v.parse::<i64>().map_err(|_| bad(row, v))?),
                });
            }
            Series::new(name.into(), values)
        }
        Kind::Float => {
            let mut values = Vec::with_capacity(text.len());
            for (row, cell) in cells.enumerate() {
                values.push(match cell {
                    None => None,
                    Some(v) => Some(
                        v.replace(',', ".")
                            .parse::<f64>()
                            .map_err(|_| bad(row, v))?,
                    ),
                });
            }
            Series::new(name.into(), values)
        }
        Kind::Date => {
            let mut values = Vec::with_capacity(text.len());
            for (row, cell) in cells.enumerate() {
                values.push(match cell {
                    None => None,
                    Some(v) => Some(parse_date(v).ok_or_else(|| bad(row, v))?),
                });
            }
            let days: Vec<Option<i32>> = values
                .into_iter()
                .map(|d| d.map(crate::calendar::epoch_days))
                .collect();
            Series::new(name.into(), days).cast(&DataType::Date)?
        }
    };
    Ok(out)
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d-%m-%Y"))
        .ok()
}
