//! Tabel 2.1: the participants the municipalities delivered, per municipality and sex, with the
//! average weeks in the project up to the last delivery, under disclosure control.

use crate::diskretion::{self, Cell, Suppressed};
use crate::groups::Group;
use crate::registers::Registers;
use crate::results::Results;
use anyhow::Result;
use std::collections::BTreeMap;

/// The results keys of the two sexes' columns.
const WOMEN: &str = Group::Kvinder.key();
const MEN: &str = Group::Maend.key();

/// Counts per delivering municipality into `results.tal` as `tabel_2_1.<kommune>.{alle,kvinder,maend,uger}`;
/// hidden cells are left out and listed in `results.diskretion`. A total is hidden as well when it
/// would give a hidden cell by subtraction (secondary suppression): when one cell of its column is
/// hidden, or several whose sum rests on fewer persons than the threshold.
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
    // The hidden cells of the column of all persons, and of the columns by sex: (cells, persons)
    // and (cells, women, men).
    let mut hidden_all = (0usize, 0usize);
    let mut hidden_sex = (0usize, 0usize, 0usize);
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
            (results.diskretionslog).push(Suppressed::primary(format!("{prefix}.alle"), *n, None));
            hidden_all = (hidden_all.0 + 1, hidden_all.1 + n);
        }
        match diskretion::split((*women, *men), threshold) {
            (Cell::Shown(w), Cell::Shown(m)) => {
                results.tal.insert(format!("{prefix}.{WOMEN}"), w as f64);
                results.tal.insert(format!("{prefix}.{MEN}"), m as f64);
            }
            _ => {
                results.diskretion.push(format!("{prefix}.{WOMEN}"));
                results.diskretion.push(format!("{prefix}.{MEN}"));
                for (sex, count) in [(WOMEN, women), (MEN, men)] {
                    results.diskretionslog.push(Suppressed::primary(
                        format!("{prefix}.{sex}"),
                        *n,
                        Some(*count),
                    ));
                }
                hidden_sex = (hidden_sex.0 + 1, hidden_sex.1 + women, hidden_sex.2 + men);
            }
        }
        results
            .etiketter
            .insert(format!("kommune.{slug}"), name.clone());
        total = (total.0 + women, total.1 + men, total.2 + weeks, total.3 + n);
    }
    let mut total_cell = |key: &str, value: f64, shown: bool| {
        let key = format!("tabel_2_1.i_alt.{key}");
        if shown {
            results.tal.insert(key, value);
        } else {
            results.diskretion.push(key.clone());
            results
                .diskretionslog
                .push(Suppressed::secondary(key, total.3));
        }
    };
    let all_shown = diskretion::total_shown(hidden_all.0, &[hidden_all.1], threshold);
    let sex_shown = diskretion::total_shown(hidden_sex.0, &[hidden_sex.1, hidden_sex.2], threshold);
    total_cell(Group::Alle.key(), total.3 as f64, all_shown);
    total_cell(WOMEN, total.0 as f64, sex_shown);
    total_cell(MEN, total.1 as f64, sex_shown);
    total_cell("uger", total.2 / total.3.max(1) as f64, all_shown);
    results
        .tal
        .insert("tabel_2_1.kommuner".into(), table.len() as f64);
    Ok(())
}
