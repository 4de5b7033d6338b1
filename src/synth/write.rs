//! Writing the synthetic population as register extracts (parquet, real column layout), cut to
//! the vintage: DREAM ends in the vintage month, deliveries hold the participants started by then,
//! and a small share of the last quarter's weeks shows codes that later vintages revise.

use super::design::Tier;
use super::people::Person;
use super::{SynthSpec, World};
use crate::calendar;
use anyhow::Result;
use chrono::{Datelike, Days, NaiveDate};
use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// Persons per DREAM row group (bounded memory at national scale).
const DREAM_BATCH: usize = 20_000;
/// A monthly full-time wage (DKK), for wage income from employment rates.
const MONTHLY_WAGE: f64 = 25_000.0;

fn save(path: &Path, mut frame: DataFrame) -> Result<()> {
    crate::fsutil::with_atomic_file(path, |file| {
        ParquetWriter::new(file)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut frame)?;
        Ok(())
    })
}

fn dates(name: &str, values: Vec<Option<NaiveDate>>) -> Result<Column> {
    let days: Vec<Option<i32>> = values
        .into_iter()
        .map(|d| d.map(calendar::epoch_days))
        .collect();
    Ok(Series::new(name.into(), days)
        .cast(&DataType::Date)?
        .into_column())
}

/// The cut of one vintage.
struct Cut {
    last_week: i32,
    last_month: i32,
    last_day: NaiveDate,
    igu_until: NaiveDate,
    revise: bool,
}

/// Writes every register file to `out`.
pub(super) fn registers(world: &World, spec: &SynthSpec, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let w = &world.window;
    let last_month = spec.vintage.unwrap_or(w.last_month).min(w.last_month);
    let last_week = (w.first_week..=w.last_week)
        .rev()
        .find(|&wk| calendar::month_of_week(wk) <= last_month)
        .unwrap_or(w.first_week);
    let last_day = calendar::first_day(last_month + 1) - Days::new(1);
    let cut = Cut {
        last_week,
        last_month,
        last_day,
        igu_until: world.igu_until.min(last_day),
        revise: last_month < w.last_month,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x0077_7269_7465);
    save(
        &out.join("deltagere.parquet"),
        deltagere(world, &cut, &mut rng)?,
    )?;
    save(&out.join("bef.parquet"), bef(world)?)?;
    save(&out.join("vnds.parquet"), vnds(world)?)?;
    save(&out.join("ophgin.parquet"), ophgin(world)?)?;
    save(&out.join("udda.parquet"), udda(world)?)?;
    save(&out.join("ind.parquet"), ind(world)?)?;
    save(&out.join("ejerform.parquet"), ejerform(world, &cut)?)?;
    save(&out.join("igu.parquet"), igu(world, &cut)?)?;
    let (lpr, kraf, samtaler) = events(world, &mut rng)?;
    save(&out.join("lpr_adm.parquet"), lpr)?;
    save(&out.join("kraf.parquet"), kraf)?;
    save(&out.join("samtaler.parquet"), samtaler)?;
    save(
        &out.join("visitation.parquet"),
        visitation(world, &mut rng)?,
    )?;
    dream(world, &cut, spec.seed, &out.join("dream.parquet"))
}

fn delivery_round(start: NaiveDate) -> i64 {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("valid date");
    if start <= d(2017, 9, 30) {
        1
    } else if start <= d(2017, 12, 31) {
        2
    } else if start <= d(2018, 9, 30) {
        3
    } else {
        4
    }
}

fn deltagere(world: &World, cut: &Cut, rng: &mut ChaCha8Rng) -> Result<DataFrame> {
    let index: Vec<usize> = (0..world.people.len())
        .filter(|&i| {
            let p = &world.people[i];
            p.role.treated && p.role.start <= cut.last_day
        })
        .collect();
    let rows: Vec<&Person> = index.iter().map(|&i| &world.people[i]).collect();
    let deliveries_end = NaiveDate::from_ymd_opt(2019, 3, 31)
        .expect("date")
        .min(cut.last_day);
    let ends: Vec<Option<NaiveDate>> = rows
        .iter()
        .map(|p| {
            let weeks = p.role.municipality.weeks_in_project * rng.random_range(0.5..1.5);
            let end = p.role.start + Days::new((7.0 * weeks).round() as u64);
            (end <= deliveries_end).then_some(end)
        })
        .collect();
    let basis = |p: &Person| match p.residence {
        13 => "Asyl",
        14 => "Familiesammenføring til flygtning",
        _ => "Andet",
    };
    let n = rows.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new(
                "PNR".into(),
                rows.iter().map(|p| p.pnr.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "kommune".into(),
                rows.iter()
                    .map(|p| p.role.municipality.delivered_by.to_string())
                    .collect::<Vec<_>>(),
            ),
            dates(
                "startdato",
                rows.iter().map(|p| Some(p.role.start)).collect(),
            )?,
            dates("slutdato", ends)?,
            Column::new(
                "nationalitet".into(),
                rows.iter()
                    .map(|p| p.origin.to_string())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "opholdsgrundlag".into(),
                rows.iter()
                    .map(|p| basis(p).to_string())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "branche".into(),
                index
                    .iter()
                    .map(|&i| format!("{:06}", world.traits[i].industry))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "runde".into(),
                rows.iter()
                    .map(|p| delivery_round(p.role.start))
                    .collect::<Vec<i64>>(),
            ),
        ],
    )?)
}

/// BEF: one row per person and year 2017–2018 (status on 1 January), children included.
fn bef(world: &World) -> Result<DataFrame> {
    let years = [2017i64, 2018];
    let mut pnr = Vec::new();
    let (mut aar, mut koen, mut foed, mut kom, mut ie, mut land) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut civst, mut faelle, mut mor, mut far) = (vec![], vec![], vec![], vec![]);
    for &year in &years {
        for p in &world.people {
            pnr.push(p.pnr.clone());
            aar.push(year);
            koen.push(if p.role.male { 1i64 } else { 2 });
            foed.push(Some(p.birth));
            kom.push(p.role.municipality.kom);
            ie.push(p.ie_type);
            land.push(p.origin);
            let partner = p.partner.map(|j| world.people[j].pnr.clone());
            civst.push(Some(if partner.is_some() { "G" } else { "U" }.to_string()));
            faelle.push(partner);
            mor.push(None);
            far.push(None);
        }
        for c in &world.children {
            let jan1 = NaiveDate::from_ymd_opt(year as i32, 1, 1).expect("date");
            if c.birth >= jan1 {
                continue;
            }
            let parent = &world.people[c.mother.or(c.father).unwrap_or(0)];
            pnr.push(c.pnr.clone());
            aar.push(year);
            koen.push(if c.male { 1 } else { 2 });
            foed.push(Some(c.birth));
            kom.push(parent.role.municipality.kom);
            let born_here = parent.arrival.is_none_or(|a| c.birth >= a);
            ie.push(if born_here { 3 } else { 2 });
            land.push(parent.origin);
            civst.push(Some("U".to_string()));
            faelle.push(None);
            mor.push(c.mother.map(|j| world.people[j].pnr.clone()));
            far.push(c.father.map(|j| world.people[j].pnr.clone()));
        }
    }
    let n = pnr.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("PNR".into(), pnr),
            Column::new("AAR".into(), aar),
            Column::new("KOEN".into(), koen),
            dates("FOED_DAG", foed)?,
            Column::new("KOM".into(), kom),
            Column::new("IE_TYPE".into(), ie),
            Column::new("OPR_LAND".into(), land),
            Column::new("CIVST".into(), civst),
            Column::new("E_FAELLE_ID".into(), faelle),
            Column::new("MOR_ID".into(), mor),
            Column::new("FAR_ID".into(), far),
        ],
    )?)
}

fn vnds(world: &World) -> Result<DataFrame> {
    let rows: Vec<&Person> = world
        .people
        .iter()
        .filter(|p| p.arrival.is_some())
        .collect();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "PNR".into(),
                rows.iter().map(|p| p.pnr.clone()).collect::<Vec<_>>(),
            ),
            Column::new("INDUD_KODE".into(), vec!["I"; rows.len()]),
            dates("HAEND_DATO", rows.iter().map(|p| p.arrival).collect())?,
            Column::new(
                "INDUD_LAND".into(),
                rows.iter().map(|p| p.origin).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

fn ophgin(world: &World) -> Result<DataFrame> {
    let rows: Vec<&Person> = world.people.iter().filter(|p| p.ie_type == 2).collect();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "PNR".into(),
                rows.iter().map(|p| p.pnr.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "OPHGR".into(),
                rows.iter().map(|p| p.residence).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

fn udda(world: &World) -> Result<DataFrame> {
    let rows: Vec<&Person> = world.people.iter().filter(|p| p.hfaudd.is_some()).collect();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "PNR".into(),
                rows.iter().map(|p| p.pnr.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "HFAUDD".into(),
                rows.iter()
                    .map(|p| p.hfaudd.unwrap_or_default().to_string())
                    .collect::<Vec<_>>(),
            ),
        ],
    )?)
}

fn ind(world: &World) -> Result<DataFrame> {
    let w = &world.window;
    let (mut pnr, mut aar, mut loen) = (vec![], vec![], vec![]);
    for (p, path) in world.people.iter().zip(&world.paths) {
        for year in 2016..=2018 {
            let total: f64 = (0..12)
                .filter_map(|m| {
                    let c = calendar::month_no(year, m + 1) - w.first_month;
                    (c >= 0).then(|| path.grad[c as usize])
                })
                .sum();
            if total > 0.0 {
                pnr.push(p.pnr.clone());
                aar.push(i64::from(year));
                loen.push((total * MONTHLY_WAGE).round());
            }
        }
    }
    Ok(DataFrame::new(
        pnr.len(),
        vec![
            Column::new("PNR".into(), pnr),
            Column::new("AAR".into(), aar),
            Column::new("LOENMV_13".into(), loen),
        ],
    )?)
}

fn ejerform(world: &World, cut: &Cut) -> Result<DataFrame> {
    let w = &world.window;
    let (mut pnr, mut aar, mut md, mut virkf) = (vec![], vec![], vec![], vec![]);
    for (p, path) in world.people.iter().zip(&world.paths) {
        for (c, &v) in path.virkf.iter().enumerate() {
            let month = w.first_month + c as i32;
            if v == 0 || month > cut.last_month {
                continue;
            }
            let (y, m) = calendar::month_parts(month);
            pnr.push(p.pnr.clone());
            aar.push(i64::from(y));
            md.push(i64::from(m));
            virkf.push(i64::from(v));
        }
    }
    Ok(DataFrame::new(
        pnr.len(),
        vec![
            Column::new("PNR".into(), pnr),
            Column::new("AAR".into(), aar),
            Column::new("MD".into(), md),
            Column::new("VIRKF".into(), virkf),
        ],
    )?)
}

fn igu(world: &World, cut: &Cut) -> Result<DataFrame> {
    let rows: Vec<(&Person, NaiveDate)> = world
        .people
        .iter()
        .zip(&world.paths)
        .filter_map(|(p, path)| path.igu.filter(|&d| d <= cut.igu_until).map(|d| (p, d)))
        .collect();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "PNR".into(),
                rows.iter().map(|r| r.0.pnr.clone()).collect::<Vec<_>>(),
            ),
            dates("IGU_STARTDATO", rows.iter().map(|r| Some(r.1)).collect())?,
            dates("OPGJORT_TIL", vec![Some(cut.igu_until); rows.len()])?,
        ],
    )?)
}

/// Hospital contacts, judgements and interviews in the year before start (and a few outside it).
fn events(world: &World, rng: &mut ChaCha8Rng) -> Result<(DataFrame, DataFrame, DataFrame)> {
    let (mut lp, mut ld, mut lt) = (vec![], vec![], vec![]);
    let (mut kp, mut kd, mut kt) = (vec![], vec![], vec![]);
    let (mut sp, mut sd) = (vec![], vec![]);
    for p in &world.people {
        let start = p.role.start;
        let in_year = |rng: &mut ChaCha8Rng| start - Days::new(rng.random_range(1..365));
        let before = |rng: &mut ChaCha8Rng| start - Days::new(rng.random_range(400..1500));
        if p.hospital {
            lp.push(p.pnr.clone());
            ld.push(Some(in_year(rng)));
            lt.push(0i64);
        }
        if rng.random::<f64>() < 0.3 {
            lp.push(p.pnr.clone());
            ld.push(Some(in_year(rng)));
            lt.push(2);
        }
        if rng.random::<f64>() < 0.05 {
            lp.push(p.pnr.clone());
            ld.push(Some(before(rng)));
            lt.push(0);
        }
        if p.crime {
            kp.push(p.pnr.clone());
            kd.push(Some(in_year(rng)));
            kt.push(if rng.random::<f64>() < 0.8 {
                311i64
            } else {
                111
            });
        }
        for _ in 0..p.interviews {
            sp.push(p.pnr.clone());
            sd.push(Some(in_year(rng)));
        }
    }
    let lpr = DataFrame::new(
        lp.len(),
        vec![
            Column::new("PNR".into(), lp),
            dates("D_INDDTO", ld)?,
            Column::new("C_PATTYPE".into(), lt),
        ],
    )?;
    let kraf = DataFrame::new(
        kp.len(),
        vec![
            Column::new("PNR".into(), kp),
            dates("AFG_ADTO", kd)?,
            Column::new("AFG_AFGTYP3".into(), kt),
        ],
    )?;
    let samtaler = DataFrame::new(
        sp.len(),
        vec![Column::new("PNR".into(), sp), dates("SAMTALE_DATO", sd)?],
    )?;
    Ok((lpr, kraf, samtaler))
}

/// Job-readiness per quarter 2016–2018 for everyone on benefit at some point.
fn visitation(world: &World, rng: &mut ChaCha8Rng) -> Result<DataFrame> {
    let (mut pnr, mut aar, mut kv, mut cat) = (vec![], vec![], vec![], vec![]);
    for (p, path) in world.people.iter().zip(&world.paths) {
        if matches!(p.role.tier, Tier::Outside(_)) || path.codes.iter().all(|&c| c == 0) {
            continue;
        }
        let start = p.role.start;
        let quarter = i64::from((start.month() - 1) / 3 + 1);
        for year in 2016..=2018i64 {
            for q in 1..=4i64 {
                let ready = if year == i64::from(start.year()) && q == quarter {
                    p.job_ready[0]
                } else if year == i64::from(start.year()) - 1 && q == 1 {
                    p.job_ready[1]
                } else {
                    rng.random::<f64>() < 0.35
                };
                pnr.push(p.pnr.clone());
                aar.push(year);
                kv.push(q);
                cat.push(if ready { "jobparat" } else { "aktivitetsparat" });
            }
        }
    }
    Ok(DataFrame::new(
        pnr.len(),
        vec![
            Column::new("PNR".into(), pnr),
            Column::new("AAR".into(), aar),
            Column::new("KVARTAL".into(), kv),
            Column::new("VISKAT".into(), cat),
        ],
    )?)
}

/// Whether a week's code is shown as later revised (deterministic in seed, person and week).
fn revised(seed: u64, pnr: &str, week: i32) -> bool {
    let mut h = blake3::Hasher::new();
    h.update(b"revision");
    h.update(&seed.to_le_bytes());
    h.update(pnr.as_bytes());
    h.update(&week.to_le_bytes());
    h.finalize().as_bytes()[0] < 3
}

/// DREAM, wide, written in row groups: `y_YYWW` codes (blank = no transfer), `grad_YYYY_MM`,
/// `branche_YYYY_MM`, yearly `akYY`.
fn dream(world: &World, cut: &Cut, seed: u64, path: &Path) -> Result<()> {
    let w = &world.window;
    let weeks: Vec<i32> = (w.first_week..=cut.last_week).collect();
    let months: Vec<i32> = (w.first_month..=cut.last_month).collect();
    let years = 2015..=2019i32;
    let frame = |rows: &[usize]| -> Result<DataFrame> {
        let people: Vec<&Person> = rows.iter().map(|&i| &world.people[i]).collect();
        let mut columns = vec![Column::new(
            "PNR".into(),
            people.iter().map(|p| p.pnr.clone()).collect::<Vec<_>>(),
        )];
        for &week in &weeks {
            let c = (week - w.first_week) as usize;
            let codes: Vec<Option<String>> = rows
                .iter()
                .map(|&i| {
                    let codes = &world.paths[i].codes;
                    let mut code = codes[c];
                    if cut.revise
                        && week > cut.last_week - 13
                        && c > 0
                        && revised(seed, &world.people[i].pnr, week)
                    {
                        code = codes[c - 1];
                    }
                    (code != 0).then(|| code.to_string())
                })
                .collect();
            columns.push(Column::new(calendar::dream_week_column(week).into(), codes));
        }
        for &month in &months {
            let c = (month - w.first_month) as usize;
            let grad: Vec<Option<f64>> = rows
                .iter()
                .map(|&i| Some(world.paths[i].grad[c]).filter(|&g| g > 0.0))
                .collect();
            let branche: Vec<Option<String>> = rows
                .iter()
                .map(|&i| {
                    let b = world.paths[i].branche[c];
                    (b != 0 && world.paths[i].grad[c] > 0.0).then(|| format!("{b:06}"))
                })
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
        for year in years.clone() {
            let flags: Vec<i64> = people
                .iter()
                .map(|p| i64::from(u8::from(p.akasse)))
                .collect();
            columns.push(Column::new(format!("ak{:02}", year % 100).into(), flags));
        }
        Ok(DataFrame::new(rows.len(), columns)?)
    };
    let all: Vec<usize> = (0..world.people.len()).collect();
    crate::fsutil::with_atomic_file(path, |file| {
        let first = frame(&all[..all.len().min(DREAM_BATCH)])?;
        let mut writer = ParquetWriter::new(file)
            .with_compression(ParquetCompression::Zstd(None))
            .batched(first.schema())?;
        writer.write_batch(&first)?;
        for chunk in all.chunks(DREAM_BATCH).skip(1) {
            writer.write_batch(&frame(chunk)?)?;
        }
        writer.finish()?;
        Ok(())
    })
}
