//! Reading one register extract (SAS, parquet or CSV, recognised by content) and checking it
//! against its schema.
//!
//! Column names are matched case-insensitively (DST delivers SAS names in upper case, users often
//! export them in lower case). CSV cells are read as text and parsed here, so a bad cell is
//! reported with its file, column and line. SAS and parquet columns must have a compatible type
//! (SAS numbers, always doubles, are accepted as whole numbers and codes when they are whole).

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

/// The file formats a register may come in, recognised by content (see [`Format::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A SAS dataset (`.sas7bdat`), as Statistics Denmark delivers registers.
    Sas,
    /// Apache parquet.
    Parquet,
    /// Text with a header line and comma-separated cells.
    Csv,
}

/// The file extensions looked for, in the order a register's file is searched.
pub const EXTENSIONS: [&str; 3] = ["sas7bdat", "parquet", "csv"];

/// The 20 bytes every SAS dataset carries at offset 12 (the SAS7BDAT magic number's tail).
const SAS_SIGNATURE: [u8; 20] = [
    0xC2, 0xEA, 0x81, 0x60, 0xB3, 0x14, 0x11, 0xCF, 0xBD, 0x92, 0x08, 0x00, 0x09, 0xC7, 0x31, 0x8C,
    0x18, 0x1F, 0x10, 0x11,
];

impl Format {
    /// The format of the file at `path`, from its first bytes: the SAS signature, parquet's
    /// `PAR1`, otherwise text (CSV). The extension is not trusted.
    pub fn of(path: &Path) -> Result<Format> {
        use std::io::Read;
        let mut head = Vec::with_capacity(32);
        std::fs::File::open(path)
            .and_then(|f| f.take(32).read_to_end(&mut head))
            .map_err(|e| InputError::new(format!("kan ikke læse {}: {e}", path.display())))?;
        let format = if head.get(12..32) == Some(&SAS_SIGNATURE[..]) {
            Format::Sas
        } else if head.starts_with(b"PAR1") {
            Format::Parquet
        } else {
            Format::Csv
        };
        // A binary extension on a file without that format's signature is a damaged or
        // misnamed file, not CSV.
        let claimed = match path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
        {
            Some(e) if e == "sas7bdat" => Some(Format::Sas),
            Some(e) if e == "parquet" => Some(Format::Parquet),
            _ => None,
        };
        match claimed {
            Some(claimed) if claimed != format && format == Format::Csv => Err(InputError::new(
                format!(
                    "{}: filen er ikke en {}-fil (dens første bytes er ikke formatets signatur); er den beskadiget eller omdøbt? Eksportér den igen",
                    path.display(),
                    claimed.name()
                ),
            )
            .into()),
            _ => Ok(format),
        }
    }

    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Sas => "SAS (sas7bdat)",
            Format::Parquet => "parquet",
            Format::Csv => "CSV",
        }
    }
}

/// Finds the file of register `stem` in `dir`: `stem.sas7bdat`, `stem.parquet` or `stem.csv`
/// (the name's case ignored, as SAS users write `BEF.sas7bdat`); `None` if there is none. Two
/// files for one register are an error, since it is not clear which one is meant.
pub fn find(dir: &Path, stem: &str) -> Result<Option<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(None);
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            let (Some(s), Some(e)) = (p.file_stem(), p.extension()) else {
                return false;
            };
            s.to_string_lossy().eq_ignore_ascii_case(stem)
                && EXTENSIONS
                    .iter()
                    .any(|x| e.to_string_lossy().eq_ignore_ascii_case(x))
        })
        .collect();
    found.sort();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(InputError::new(format!(
            "{}: registeret {stem} findes i flere filer ({}); fjern dem, der ikke skal bruges",
            dir.display(),
            found
                .iter()
                .map(|p| p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

/// Reads and checks the register `spec` from `dir`.
pub fn load(dir: &Path, spec: &TableSpec) -> Result<Table> {
    let path = find(dir, spec.stem)?.ok_or_else(|| missing(dir, spec.stem, spec.title))?;
    let raw = read_columns(&path, None)?;
    let frame = check(&path, raw, spec)?;
    Ok(Table { path, frame })
}

/// The error for a register whose file is not in `dir`.
pub fn missing(dir: &Path, stem: &str, title: &str) -> anyhow::Error {
    InputError::new(format!(
        "registeret {title} mangler: forventede {}/{stem}.sas7bdat, {stem}.parquet eller {stem}.csv (se docs/data.md)",
        dir.display()
    ))
    .into()
}

/// The column names of a register file, without reading its data (SAS, parquet) or with one
/// row (CSV).
pub fn column_names(path: &Path) -> Result<Vec<String>> {
    let names = match Format::of(path)? {
        Format::Sas => return super::sas::column_names(path),
        Format::Csv => csv_options(None)
            .with_n_rows(Some(1))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
            .map(|df| {
                df.get_column_names()
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }),
        Format::Parquet => std::fs::File::open(path)
            .map_err(PolarsError::from)
            .and_then(|f| ParquetReader::new(f).schema())
            .map(|schema| schema.iter_names().map(|s| s.to_string()).collect()),
    };
    names.map_err(|e| InputError::new(format!("kan ikke læse {}: {e}", path.display())).into())
}

/// CSV as registers are read: a header line, every cell as text (parsed and checked here).
fn csv_options(columns: Option<&[String]>) -> CsvReadOptions {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_columns(columns.map(|c| c.iter().map(|n| PlSmallStr::from(n.as_str())).collect()))
}

/// Reads the columns `columns` (all when `None`) of a register file, unchecked.
pub fn read_columns(path: &Path, columns: Option<Vec<String>>) -> Result<DataFrame> {
    let read = match Format::of(path)? {
        Format::Sas => return super::sas::read(path, columns.as_deref()),
        Format::Csv => csv_options(columns.as_deref())
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish()),
        Format::Parquet => std::fs::File::open(path)
            .map_err(PolarsError::from)
            .and_then(|f| ParquetReader::new(f).with_columns(columns).finish()),
    };
    read.map_err(|e| InputError::new(format!("kan ikke læse {}: {e}", path.display())).into())
}

/// Where a frame's rows are in their file, for messages: CSV rows also get their line number.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    /// Whether the file is CSV (line = row + 1 for the header).
    pub csv: bool,
    /// Row (from 0) of the frame's first row in the file.
    pub first: usize,
}

impl Rows {
    /// The rows of a whole file.
    pub fn of(path: &Path) -> Result<Rows> {
        Ok(Rows {
            csv: Format::of(path)? == Format::Csv,
            first: 0,
        })
    }

    fn label(self, row: usize) -> String {
        let row = self.first + row;
        if self.csv {
            format!("række {} (linje {})", row + 1, row + 2)
        } else {
            format!("række {}", row + 1)
        }
    }
}

/// Checks a raw frame against `spec`: canonical names, the schema's types, no empty required
/// cells. Every problem found is listed in the one error (a missing column, a wrong type and an
/// empty cell are all reported together).
pub fn check(path: &Path, raw: DataFrame, spec: &TableSpec) -> Result<DataFrame> {
    check_rows(path, Rows::of(path)?, raw, spec)
}

/// [`check`] for a frame holding some of a file's rows (`rows` says which, for messages).
pub fn check_rows(path: &Path, rows: Rows, raw: DataFrame, spec: &TableSpec) -> Result<DataFrame> {
    let mut columns = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let height = raw.height();
    let names: Vec<String> = raw
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    // Each raw column is dropped as soon as it is converted, so a wide or long register is
    // never held twice.
    let mut raw: Vec<Option<Column>> = raw.into_columns().into_iter().map(Some).collect();
    let mut take = |name: &str| -> Option<Column> {
        names
            .iter()
            .position(|n| n == name)
            .and_then(|i| raw[i].take())
    };
    for col in spec.columns {
        let found = names.iter().find(|n| {
            n.eq_ignore_ascii_case(col.name)
                || col.aliases.iter().any(|a| n.eq_ignore_ascii_case(a))
        });
        match found {
            Some(name) => {
                let Some(column) = take(name) else {
                    continue;
                };
                match coerce(
                    path,
                    rows,
                    column.as_materialized_series(),
                    col.name,
                    col.kind,
                ) {
                    Ok(series) => {
                        if !col.nullable
                            && let Some(row) = first_null(&series)
                        {
                            problems.push(format!(
                                "{}: kolonnen {} er tom i {}; udfyld den eller fjern rækken",
                                path.display(),
                                col.name,
                                rows.label(row)
                            ));
                        }
                        columns.push(series.with_name(col.name.into()).into_column());
                    }
                    Err(e) => problems.push(e.to_string()),
                }
            }
            None if col.required => problems.push(format!(
                "{}: kolonnen {} ({}) mangler; fundne kolonner: {}",
                path.display(),
                col.name,
                col.kind.danish(),
                preview(&names)
            )),
            None => columns.push(Column::full_null(
                col.name.into(),
                height,
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
            let Some(column) = take(name) else {
                continue;
            };
            match coerce(
                path,
                rows,
                column.as_materialized_series(),
                &lower,
                pattern.kind,
            ) {
                Ok(series) => columns.push(series.with_name(lower.as_str().into()).into_column()),
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    if !problems.is_empty() {
        return Err(InputError::new(problems.join("\n")).into());
    }
    DataFrame::new(height, columns)
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

fn first_null(series: &Series) -> Option<usize> {
    if series.null_count() == 0 {
        return None;
    }
    series.is_null().iter().position(|v| v == Some(true))
}

/// Turns a raw column into the schema's type, naming the first bad cell. SAS stores every
/// number as a double, so decimal columns holding whole numbers are accepted where whole
/// numbers or codes (text) are wanted; a datetime is accepted where a date is wanted (its day).
fn coerce(path: &Path, rows: Rows, series: &Series, name: &str, kind: Kind) -> Result<Series> {
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
        return parse_text(path, rows, series, name, kind);
    }
    let out = match (kind, &dtype) {
        (Kind::Text, d) if d.is_integer() => series.cast(&DataType::String)?,
        (Kind::Int, d) if d.is_integer() => series.cast(&DataType::Int64)?,
        (Kind::Text | Kind::Int, d) if d.is_float() => {
            let whole = whole_numbers(path, rows, series, name, kind)?;
            if kind == Kind::Int {
                whole
            } else {
                whole.cast(&DataType::String)?
            }
        }
        (Kind::Float, d) if d.is_primitive_numeric() => series.cast(&DataType::Float64)?,
        (Kind::Date, DataType::Date) => series.clone(),
        (Kind::Date, DataType::Datetime(_, _)) => series.cast(&DataType::Date)?,
        (_, DataType::Null) => {
            Series::full_null(series.name().clone(), series.len(), &kind.dtype())
        }
        _ => return Err(bad_type()),
    };
    Ok(out)
}

/// A decimal column as whole numbers (Int64), naming the first cell that is not one.
fn whole_numbers(
    path: &Path,
    rows: Rows,
    series: &Series,
    name: &str,
    kind: Kind,
) -> Result<Series> {
    let values = series.cast(&DataType::Float64)?;
    let bad = (values.f64()?.iter().enumerate()).find_map(|(row, v)| {
        v.filter(|v| v.fract() != 0.0 || v.abs() >= 9.0e15)
            .map(|v| (row, v))
    });
    if let Some((row, v)) = bad {
        return Err(InputError::new(format!(
            "{}: {}, kolonne {name}: {v} er ikke {}",
            path.display(),
            rows.label(row),
            kind.danish()
        ))
        .into());
    }
    // Every value is whole and within range, so the cast is exact.
    Ok(values.cast(&DataType::Int64)?)
}

fn parse_text(path: &Path, rows: Rows, series: &Series, name: &str, kind: Kind) -> Result<Series> {
    let text = series.str()?;
    let bad = |row: usize, value: &str| -> anyhow::Error {
        InputError::new(format!(
            "{}: {}, kolonne {name}: «{value}» er ikke {}",
            path.display(),
            rows.label(row),
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
