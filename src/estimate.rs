//! The `estimate` command: any estimator on any SAS, parquet or CSV table, JSON on stdout.
//!
//! Rows with a missing value in any variable the estimate uses (treatment, covariates, outcomes,
//! the exact-matching variable) are dropped first, as kmatch's `marksample`/`markout` does; their
//! number is printed on stderr and given as `n_dropped_missing` in the JSON.

use crate::error::InputError;
use crate::estimators::{self, BandwidthRule, EstimateRequest};
use anyhow::Result;
use ndarray::Array2;
use polars::prelude::*;

/// What `estimate` is asked to do (the command line's `estimate` options, as plain values).
#[derive(Debug, Clone)]
pub struct Request {
    /// The table (SAS, parquet or CSV, recognised by content).
    pub data: std::path::PathBuf,
    /// The treatment column (0/1).
    pub treatment: String,
    /// The propensity-score covariates.
    pub covariates: Vec<String>,
    /// The outcome columns.
    pub outcomes: Vec<String>,
    /// The estimator.
    pub method: estimators::Method,
    /// The kernel.
    pub kernel: estimators::Kernel,
    /// The bandwidth: `pm`, `cv` or a number, as typed.
    pub bandwidth: String,
    /// Exact matching on this column.
    pub exact: Option<String>,
    /// The propensity-score model.
    pub pscore: estimators::PsModel,
    /// Bootstrap replicates (`None`: analytic standard errors).
    pub bootstrap: Option<usize>,
    /// The bootstrap seed.
    pub seed: u64,
    /// Threads (the results do not depend on them).
    pub threads: Option<usize>,
}

/// Runs `estimate`.
pub fn run(args: &Request) -> Result<()> {
    let file = args.data.display().to_string();
    let mut used = vec![args.treatment.clone()];
    used.extend(args.covariates.iter().cloned());
    used.extend(args.outcomes.iter().cloned());
    used.extend(args.exact.iter().cloned());
    let (frame, dropped) = complete_rows(read(&args.data)?, &file, &used)?;
    if dropped > 0 {
        eprintln!(
            "{file}: {dropped} {} udeladt, fordi en af de brugte variable mangler (som kmatch gør)",
            if dropped == 1 { "række" } else { "rækker" }
        );
    }
    let treatment = numeric(&frame, &file, &args.treatment)?;
    let treated: Vec<bool> = treatment
        .iter()
        .enumerate()
        .map(|(row, &t)| match t {
            1.0 => Ok(true),
            0.0 => Ok(false),
            t => Err(InputError::new(format!(
                "{file}: række {}, kolonne {}: behandling skal være 0 eller 1, fandt {t}",
                row + 1,
                args.treatment
            ))),
        })
        .collect::<Result<_, _>>()?;
    let covariates = matrix(&frame, &file, &args.covariates)?;
    let outcomes = matrix(&frame, &file, &args.outcomes)?;
    let strata = match &args.exact {
        Some(column) => Some(strata(&frame, &file, column)?),
        None => None,
    };
    let bandwidth = BandwidthRule::parse(&args.bandwidth).ok_or_else(|| {
        InputError::new(format!(
            "--bandwidth skal være pm, cv eller et positivt tal, ikke «{}»",
            args.bandwidth
        ))
    })?;
    let request = EstimateRequest {
        covariates,
        covariate_names: args.covariates.clone(),
        treatment: treated,
        outcomes,
        outcome_names: args.outcomes.clone(),
        strata,
        exact_name: args.exact.clone(),
        method: args.method,
        kernel: args.kernel,
        bandwidth,
        pscore: args.pscore,
        bootstrap: args.bootstrap,
        seed: args.seed,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()?;
    let report = pool
        .install(|| estimators::estimate(&request))
        .map_err(|e| InputError::new(format!("{file}: {e}")))?;
    let mut json = serde_json::to_value(&report)?;
    if let Some(object) = json.as_object_mut() {
        object.insert("n_dropped_missing".into(), dropped.into());
    }
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}

/// The rows of `frame` with a value in every column of `used` (a number must be finite), and
/// how many rows were dropped. A column that does not exist is left to the later, named error.
fn complete_rows(frame: DataFrame, file: &str, used: &[String]) -> Result<(DataFrame, usize)> {
    let mut keep = vec![true; frame.height()];
    for name in used {
        let Ok(column) = frame.column(name) else {
            continue;
        };
        let present: Vec<bool> = if column.dtype().is_primitive_numeric() {
            (column.cast(&DataType::Float64)?.f64()?.iter())
                .map(|v| v.is_some_and(f64::is_finite))
                .collect()
        } else {
            column
                .is_not_null()
                .iter()
                .map(|v| v == Some(true))
                .collect()
        };
        for (k, p) in keep.iter_mut().zip(present) {
            *k &= p;
        }
    }
    let dropped = keep.iter().filter(|k| !**k).count();
    if dropped == 0 {
        return Ok((frame, 0));
    }
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    let frame = frame
        .filter(&mask)
        .map_err(|e| InputError::new(format!("{file}: {e}")))?;
    Ok((frame, dropped))
}

fn read(path: &std::path::Path) -> Result<DataFrame> {
    use crate::registers::{sas, table::Format};
    let read = match Format::of(path)? {
        Format::Sas => return sas::read(path, None),
        Format::Csv => CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(None)
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish()),
        Format::Parquet => std::fs::File::open(path)
            .map_err(PolarsError::from)
            .and_then(|f| ParquetReader::new(f).finish()),
    };
    read.map_err(|e| InputError::new(format!("kan ikke læse {}: {e}", path.display())).into())
}

fn numeric(frame: &DataFrame, file: &str, name: &str) -> Result<Vec<f64>> {
    let column = frame.column(name).map_err(|_| {
        let names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        InputError::new(format!(
            "{file}: kolonnen «{name}» findes ikke; kolonnerne er: {}",
            names.join(", ")
        ))
    })?;
    let values = column.cast(&DataType::Float64).map_err(|_| {
        InputError::new(format!(
            "{file}: kolonnen «{name}» er ikke numerisk ({})",
            column.dtype()
        ))
    })?;
    let values = values.f64()?;
    values
        .iter()
        .enumerate()
        .map(|(row, v)| {
            v.filter(|v| v.is_finite()).ok_or_else(|| {
                InputError::new(format!(
                    "{file}: række {}, kolonne «{name}»: værdien mangler eller er ikke et tal",
                    row + 1
                ))
                .into()
            })
        })
        .collect()
}

fn matrix(frame: &DataFrame, file: &str, names: &[String]) -> Result<Array2<f64>> {
    let mut out = Array2::<f64>::zeros((frame.height(), names.len()));
    for (j, name) in names.iter().enumerate() {
        for (i, v) in numeric(frame, file, name)?.into_iter().enumerate() {
            out[[i, j]] = v;
        }
    }
    Ok(out)
}

fn strata(frame: &DataFrame, file: &str, name: &str) -> Result<Vec<u32>> {
    let column = frame
        .column(name)
        .map_err(|_| InputError::new(format!("{file}: kolonnen «{name}» (--exact) findes ikke")))?
        .cast(&DataType::String)?;
    let mut levels: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(frame.height());
    for (row, value) in column.str()?.iter().enumerate() {
        let value = value.ok_or_else(|| {
            InputError::new(format!(
                "{file}: række {}, kolonne «{name}»: værdien mangler",
                row + 1
            ))
        })?;
        let index = match levels.iter().position(|l| l == value) {
            Some(i) => i,
            None => {
                levels.push(value.to_string());
                levels.len() - 1
            }
        };
        out.push(index as u32);
    }
    Ok(out)
}
