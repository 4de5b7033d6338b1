//! Tabel 2.1: the participants the municipalities delivered, per municipality and sex, with the
//! average weeks in the project up to the last delivery, under disclosure control.

use crate::diskretion::{self, Cell};
use crate::registers::Registers;
use crate::results::Results;
use anyhow::Result;
use std::collections::BTreeMap;

/// Counts per delivering municipality into `results.tal` as `tabel_2_1.<kommune>.{alle,kvinder,maend,uger}`;
/// hidden cells are left out and listed in `results.diskretion`.
pub fn tabulate(registers: &Registers, threshold: usize, results: &mut Results) -> Result<()> {
    let d = &registers.deltagere.frame;
    let ids: Vec<Option<&str>> = d.column("PNR")?.str()?.iter().collect();
    let municipalities: Vec<Option<&str>> = d.column("kommune")?.str()?.iter().collect();
    let starts: Vec<Option<i32>> = d.column("startdato")?.date()?.physical().iter().collect();
    let ends: Vec<Option<i32>> = d.column("slutdato")?.date()?.physical().iter().collect();
    let sex = registers.men_by_id()?;
    let cutoff = starts
        .iter()
        .chain(ends.iter())
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
    // municipality → (women, men, total weeks, persons)
    let mut table: BTreeMap<String, (usize, usize, f64, usize)> = BTreeMap::new();
    for i in 0..ids.len() {
        let (Some(id), Some(m), Some(start)) = (ids[i], municipalities[i], starts[i]) else {
            continue;
        };
        let end = ends[i].unwrap_or(cutoff);
        let entry = table.entry(m.to_string()).or_default();
        if sex.get(id) == Some(&true) {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
        entry.2 += f64::from((end - start).max(0)) / 7.0;
        entry.3 += 1;
    }
    let mut total = (0usize, 0usize, 0.0f64, 0usize);
    for (name, (women, men, weeks, n)) in &table {
        let slug = crate::dataset::slug(name);
        let prefix = format!("tabel_2_1.{slug}");
        if diskretion::publishable(*n, threshold) {
            results.tal.insert(format!("{prefix}.alle"), *n as f64);
            results
                .tal
                .insert(format!("{prefix}.uger"), weeks / *n as f64);
        } else {
            results.diskretion.push(format!("{prefix}.alle"));
        }
        match diskretion::split((*women, *men), threshold) {
            (Cell::Shown(w), Cell::Shown(m)) => {
                results.tal.insert(format!("{prefix}.kvinder"), w as f64);
                results.tal.insert(format!("{prefix}.maend"), m as f64);
            }
            _ => {
                results.diskretion.push(format!("{prefix}.kvinder"));
                results.diskretion.push(format!("{prefix}.maend"));
            }
        }
        results
            .etiketter
            .insert(format!("kommune.{slug}"), name.clone());
        total = (total.0 + women, total.1 + men, total.2 + weeks, total.3 + n);
    }
    results
        .tal
        .insert("tabel_2_1.i_alt.alle".into(), total.3 as f64);
    results
        .tal
        .insert("tabel_2_1.i_alt.kvinder".into(), total.0 as f64);
    results
        .tal
        .insert("tabel_2_1.i_alt.maend".into(), total.1 as f64);
    results.tal.insert(
        "tabel_2_1.i_alt.uger".into(),
        total.2 / total.3.max(1) as f64,
    );
    results
        .tal
        .insert("tabel_2_1.kommuner".into(), table.len() as f64);
    Ok(())
}
