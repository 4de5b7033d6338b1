//! SAS datasets (`.sas7bdat`), as Statistics Denmark delivers registers, read with the
//! [`sas7bdat`] crate into polars columns.
//!
//! What the crate does and this module relies on (docs/data.md lists it for users): numerics
//! stored in 3–8 bytes, SAS missing values (`.`, `.A`–`.Z`, `._`) as missing, CHAR (RLE) and
//! BINARY (RDC) row compression, and text in the file's declared encoding (Windows-1252, Latin-1,
//! UTF-8 …) decoded to UTF-8. Dates and datetimes are recognised from their SAS formats (DATE,
//! DDMMYY, YYMMDD, DATETIME, …); both become polars dates here (a datetime's time of day is
//! dropped: every register date is a calendar day). Blank text is missing, as in SAS.
//!
//! The file is read page by page and decoded batch by batch straight into column builders, so
//! a file of several hundred MB is never held twice. [`visit`] hands over one
//! batch at a time for readers that keep only what they derive (DREAM).

use crate::error::InputError;
use anyhow::Result;
use polars::prelude::*;
use sas7bdat::{ColumnBuffer, Dataset, LogicalType};
use std::ops::ControlFlow;
use std::path::Path;

/// Opens a SAS dataset, with a message naming the file when it is not one (or is damaged).
///
/// The file is read page by page, not memory-mapped: a mapped file's pages count as the
/// process's resident memory while it is read, and national registers of several GB would
/// hold that much on top of the frames built from them (measured with bench/sas.sh).
fn open(path: &Path) -> Result<Dataset> {
    let options = sas7bdat::OpenOptions::builder()
        .io_backend(sas7bdat::IoBackendPreference::Buffered)
        .build();
    Dataset::open_with(path, options).map_err(|e| damaged(path, &e))
}

fn damaged(path: &Path, e: &sas7bdat::Error) -> anyhow::Error {
    InputError::new(format!(
        "{}: SAS-filen kan ikke læses ({e}); er den hel og skrevet af SAS? Eksportér den igen fra SAS",
        path.display()
    ))
    .into()
}

/// The variable names of a SAS dataset, as stored (case kept), from its metadata alone.
pub fn column_names(path: &Path) -> Result<Vec<String>> {
    Ok(open(path)?
        .columns()
        .iter()
        .map(|c| c.name.clone())
        .collect())
}

/// Number of rows a scan delivers (deleted rows left out), from the metadata alone.
fn row_count(ds: &Dataset) -> usize {
    let m = ds.metadata();
    m.row_count.saturating_sub(m.deleted_row_count) as usize
}

/// Reads the variables `columns` (all when `None`; names matched as stored) into one frame.
pub fn read(path: &Path, columns: Option<&[String]>) -> Result<DataFrame> {
    let ds = open(path)?;
    let wanted = selection(&ds, path, columns)?;
    let height = row_count(&ds);
    let mut builders: Vec<Builder> = wanted
        .iter()
        .map(|&i| Builder::new(&ds.columns()[i], height))
        .collect();
    scan(&ds, path, &wanted, |_, batch| {
        for (builder, buffer) in builders.iter_mut().zip(batch) {
            builder.append(buffer);
        }
        Ok(())
    })?;
    let columns = builders
        .into_iter()
        .map(|b| b.finish(path))
        .collect::<Result<Vec<_>>>()?;
    let height = columns.first().map_or(height, Column::len);
    DataFrame::new(height, columns)
        .map_err(|e| InputError::new(format!("{}: {e}", path.display())).into())
}

/// Reads the variables `columns` batch by batch: `each(first_row, frame)` gets the rows from
/// `first_row` (from 0) on, in file order, so a reader can keep what it derives and drop the rest.
pub fn visit(
    path: &Path,
    columns: &[String],
    mut each: impl FnMut(usize, DataFrame) -> Result<()>,
) -> Result<()> {
    let ds = open(path)?;
    let wanted = selection(&ds, path, Some(columns))?;
    scan(&ds, path, &wanted, |first_row, batch| {
        let mut series = Vec::with_capacity(batch.len());
        let mut height = 0;
        for (&i, buffer) in wanted.iter().zip(batch) {
            let mut builder = Builder::new(&ds.columns()[i], 0);
            builder.append(buffer);
            let column = builder.finish(path)?;
            height = column.len();
            series.push(column);
        }
        let frame = DataFrame::new(height, series)
            .map_err(|e| InputError::new(format!("{}: {e}", path.display())))?;
        each(first_row, frame)
    })
}

/// Indices of the wanted variables (matched as stored; every one must exist).
fn selection(ds: &Dataset, path: &Path, columns: Option<&[String]>) -> Result<Vec<usize>> {
    let Some(columns) = columns else {
        return Ok((0..ds.columns().len()).collect());
    };
    columns
        .iter()
        .map(|name| {
            ds.columns()
                .iter()
                .position(|c| &c.name == name)
                .ok_or_else(|| {
                    InputError::new(format!("{}: variablen {name} findes ikke", path.display()))
                        .into()
                })
        })
        .collect()
}

/// Scans the variables `wanted` in file order, handing each batch's buffers to `each`. A scan
/// that delivers fewer rows than the file declares (a file cut short, a damaged page) is an error.
fn scan(
    ds: &Dataset,
    path: &Path,
    wanted: &[usize],
    mut each: impl FnMut(usize, &[ColumnBuffer<'_>]) -> Result<()>,
) -> Result<()> {
    let projection = ds
        .projection()
        .columns(wanted.iter().map(|&i| ds.columns()[i].name.as_str()))
        .build()
        .map_err(|e| damaged(path, &e))?;
    let mut failure: Option<anyhow::Error> = None;
    let mut delivered = 0usize;
    ds.scan()
        .with_projection(&projection)
        .visit_owned_batches(|batch| {
            delivered += batch.row_count;
            let buffers = batch.borrowed_columns();
            match each(batch.row_base.0 as usize, &buffers) {
                Ok(()) => Ok(ControlFlow::Continue(())),
                Err(e) => {
                    failure = Some(e);
                    Ok(ControlFlow::Break(()))
                }
            }
        })
        .map_err(|e| damaged(path, &e))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let declared = row_count(ds);
    if delivered != declared {
        return Err(InputError::new(format!(
            "{}: SAS-filen er afkortet eller beskadiget: {delivered} af de {declared} rækker, den angiver, kunne læses; eksportér den igen fra SAS",
            path.display()
        ))
        .into());
    }
    Ok(())
}

/// Whether bit `i` of a validity bitmap is set (no bitmap: every value is present).
fn present(valid: Option<&[u64]>, i: usize) -> bool {
    valid.is_none_or(|v| v.get(i / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1))
}

/// Collects one variable's batches as a polars column of the matching type.
enum Builder {
    Number(PrimitiveChunkedBuilder<Float64Type>),
    Date(PrimitiveChunkedBuilder<Int32Type>),
    Text(StringChunkedBuilder),
    Binary(String),
}

impl Builder {
    fn new(meta: &sas7bdat::ColumnMeta, capacity: usize) -> Builder {
        let name = PlSmallStr::from(meta.name.as_str());
        match meta.logical_type {
            LogicalType::Date | LogicalType::DateTime => {
                Builder::Date(PrimitiveChunkedBuilder::new(name, capacity))
            }
            LogicalType::String => Builder::Text(StringChunkedBuilder::new(name, capacity)),
            LogicalType::Bytes => Builder::Binary(meta.name.clone()),
            LogicalType::Integer | LogicalType::Float | LogicalType::Time => {
                Builder::Number(PrimitiveChunkedBuilder::new(name, capacity))
            }
        }
    }

    fn append(&mut self, buffer: &ColumnBuffer<'_>) {
        fn each<T: Copy, U>(
            b: &sas7bdat::PrimitiveBuffer<'_, T>,
            out: &mut PrimitiveChunkedBuilder<U>,
            f: impl Fn(T) -> Option<U::Native>,
        ) where
            U: PolarsNumericType,
        {
            for (i, &v) in b.values.iter().enumerate() {
                out.append_option(if present(b.valid, i) { f(v) } else { None });
            }
        }
        match (self, buffer) {
            (Builder::Number(out), ColumnBuffer::F64(b)) => each(b, out, Some),
            (Builder::Number(out), ColumnBuffer::I64(b)) => each(b, out, |v| Some(v as f64)),
            (Builder::Number(out), ColumnBuffer::I32(b)) => each(b, out, |v| Some(f64::from(v))),
            (Builder::Number(out), ColumnBuffer::Time(b)) => {
                each(b, out, |v| Some(v.seconds_since_midnight as f64))
            }
            (Builder::Date(out), ColumnBuffer::Date(b)) => each(b, out, |v| Some(v.unix_days())),
            (Builder::Date(out), ColumnBuffer::DateTime(b)) => each(b, out, |v| {
                let unix = v.seconds_since_sas_epoch - sas7bdat::SasDateTime::SECONDS_SAS_TO_UNIX;
                i32::try_from(unix.div_euclid(86_400)).ok()
            }),
            // A date-formatted variable whose values the crate does not take as dates arrives as
            // plain numbers: days since 1960 (whole days; the time of day is dropped).
            (Builder::Date(out), ColumnBuffer::F64(b)) => each(b, out, |v| {
                v.is_finite()
                    .then(|| v.floor() as i32 - sas7bdat::SasDate::DAYS_SAS_TO_UNIX)
            }),
            (Builder::Text(out), buffer) => {
                if let Some(cells) = buffer.as_str_iter() {
                    for cell in cells {
                        match cell
                            .map(str::trim_end)
                            .filter(|c| !c.trim_start().is_empty())
                        {
                            Some(text) => out.append_value(text),
                            None => out.append_null(),
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn finish(self, path: &Path) -> Result<Column> {
        Ok(match self {
            Builder::Number(b) => b.finish().into_series().into_column(),
            Builder::Date(b) => b
                .finish()
                .into_series()
                .into_column()
                .cast(&DataType::Date)?,
            Builder::Text(b) => b.finish().into_series().into_column(),
            Builder::Binary(name) => {
                return Err(InputError::new(format!(
                    "{}: variablen {name} er binære data, ikke tal, tekst eller datoer",
                    path.display()
                ))
                .into());
            }
        })
    }
}
