//! Writing the synthetic population as register extracts (parquet, real column layout).

use super::{Person, monthly, window};
use crate::calendar;
use anyhow::Result;
use polars::prelude::*;
use std::path::Path;

/// Writes `deltagere.parquet`, `bef.parquet` and `dream.parquet` to `out`.
pub(super) fn registers(people: &[Person], out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    save(&out.join("deltagere.parquet"), participants(people)?)?;
    save(&out.join("bef.parquet"), population(people)?)?;
    save(&out.join("dream.parquet"), dream(people)?)?;
    Ok(())
}

fn save(path: &Path, mut frame: DataFrame) -> Result<()> {
    crate::fsutil::with_atomic_file(path, |file| {
        ParquetWriter::new(file)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut frame)?;
        Ok(())
    })
}

fn date_column(name: &str, values: Vec<Option<i32>>) -> Result<Column> {
    Ok(Series::new(name.into(), values)
        .cast(&DataType::Date)?
        .into_column())
}

fn participants(people: &[Person]) -> Result<DataFrame> {
    let rows: Vec<(&Person, &super::Participation)> = people
        .iter()
        .filter_map(|p| p.participation.as_ref().map(|part| (p, part)))
        .collect();
    let text =
        |f: &dyn Fn(&Person, &super::Participation) -> Option<String>| -> Vec<Option<String>> {
            rows.iter().map(|(p, part)| f(p, part)).collect()
        };
    let columns = vec![
        Column::new("PNR".into(), text(&|p, _| Some(p.pnr.clone()))),
        Column::new(
            "kommune".into(),
            text(&|p, _| Some(p.municipality.delivered_by.to_string())),
        ),
        date_column(
            "startdato",
            rows.iter()
                .map(|(_, part)| Some(calendar::epoch_days(part.start)))
                .collect(),
        )?,
        date_column(
            "slutdato",
            rows.iter()
                .map(|(_, part)| part.end.map(calendar::epoch_days))
                .collect(),
        )?,
        Column::new(
            "nationalitet".into(),
            text(&|p, _| Some(p.origin.to_string())),
        ),
        Column::new(
            "opholdsgrundlag".into(),
            text(&|p, _| {
                Some(
                    if p.integration {
                        "Asyl"
                    } else {
                        "Familiesammenføring"
                    }
                    .to_string(),
                )
            }),
        ),
        Column::new("branche".into(), text(&|p, _| Some(p.industry.to_string()))),
        Column::new(
            "runde".into(),
            rows.iter()
                .map(|(_, part)| part.round)
                .collect::<Vec<i64>>(),
        ),
    ];
    Ok(DataFrame::new(rows.len(), columns)?)
}

/// BEF: one row per person and year 2016–2019 (status on 1 January).
fn population(people: &[Person]) -> Result<DataFrame> {
    let years = [2016i64, 2017, 2018, 2019];
    let n = people.len() * years.len();
    let mut pnr = Vec::with_capacity(n);
    let (mut aar, mut koen, mut foed, mut kom, mut ie, mut land, mut civst) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for p in people {
        for &year in &years {
            pnr.push(p.pnr.clone());
            aar.push(year);
            koen.push(if p.male { 1i64 } else { 2 });
            foed.push(Some(calendar::epoch_days(p.birth)));
            kom.push(p.municipality.kom);
            ie.push(p.ie_type);
            land.push(p.origin);
            civst.push(if p.married { "G" } else { "U" });
        }
    }
    let columns = vec![
        Column::new("PNR".into(), pnr),
        Column::new("AAR".into(), aar),
        Column::new("KOEN".into(), koen),
        date_column("FOED_DAG", foed)?,
        Column::new("KOM".into(), kom),
        Column::new("IE_TYPE".into(), ie),
        Column::new("OPR_LAND".into(), land),
        Column::new("CIVST".into(), civst),
    ];
    Ok(DataFrame::new(n, columns)?)
}

/// DREAM, wide: `y_YYWW` codes (blank = no transfer), `grad_YYYY_MM`, `branche_YYYY_MM`.
fn dream(people: &[Person]) -> Result<DataFrame> {
    let (first, last) = window();
    let mut columns = vec![Column::new(
        "PNR".into(),
        people.iter().map(|p| p.pnr.clone()).collect::<Vec<_>>(),
    )];
    for week in first..=last {
        let i = (week - first) as usize;
        let codes: Vec<Option<String>> = people
            .iter()
            .map(|p| p.path[i].code(p.integration).map(|c| c.to_string()))
            .collect();
        columns.push(Column::new(calendar::dream_week_column(week).into(), codes));
    }
    let months: Vec<_> = people
        .iter()
        .map(|p| monthly(&p.path, p.hours, first))
        .collect();
    let month_numbers: Vec<i32> = months
        .first()
        .map(|m| m.keys().copied().collect())
        .unwrap_or_default();
    for &month in &month_numbers {
        let grad: Vec<Option<f64>> = months
            .iter()
            .map(|m| m.get(&month).map(|v| v.0).filter(|&g| g > 0.0).map(round4))
            .collect();
        let branche: Vec<Option<String>> = people
            .iter()
            .zip(&grad)
            .map(|(p, g)| g.map(|_| p.industry.to_string()))
            .collect();
        columns.push(Column::new(
            calendar::month_column("grad_", month).into(),
            grad,
        ));
        columns.push(Column::new(
            calendar::month_column("branche_", month).into(),
            branche,
        ));
    }
    Ok(DataFrame::new(people.len(), columns)?)
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}
