//! Descriptive numbers of the report: the funnel counts, participants' characteristics (Tabel 3.1),
//! balance before and after matching (Bilagstabel 2.2–2.3, Bilagsfigur 2.2), propensity-score
//! densities (Bilagsfigur 2.1) and the participants' employment around start (Figur 2.3).

use super::plan::{Kind, METHODS};
use super::sample::{self, BandwidthRule, KernelKey, SampleData, Variant};
use crate::dataset::{AnalysisData, PROFILE_MONTHS, columns::Columns};
use crate::diskretion;
use crate::estimators::{PsModel, Units, balance, mean_abs_sdif, score_densities};
use crate::results::{BalanceRow, Results};
use anyhow::Result;
use std::collections::BTreeMap;

const GROUPS: [(&str, Option<bool>); 3] = [
    ("alle", None),
    ("maend", Some(true)),
    ("kvinder", Some(false)),
];

/// Computes every descriptive number into `results`; `threshold` is the discretion threshold
/// (`analyse.diskretion`) of the participants' characteristics.
pub fn all(
    data: &AnalysisData,
    rule: BandwidthRule,
    threshold: usize,
    results: &mut Results,
) -> Result<()> {
    for (k, step) in data.funnel.iter().enumerate() {
        results
            .tal
            .insert(format!("befolkning.trin{k}.deltagere"), step.treated as f64);
        results
            .tal
            .insert(format!("befolkning.trin{k}.kontrol"), step.controls as f64);
    }
    for (group, male) in GROUPS {
        let rows: Vec<usize> = (0..data.len())
            .filter(|&i| data.main_sample[i] && male.is_none_or(|m| data.male[i] == m))
            .collect();
        descriptives(data, group, &rows, threshold, results);
        balance_of(data, group, &rows, rule, results)?;
    }
    results.figurer.insert(
        "figur_2_3".into(),
        profile_by_sex(
            data,
            &data.employment_profile,
            threshold,
            "figur_2_3",
            &mut results.diskretionslog,
        ),
    );
    let igu = profile_by_sex(
        data,
        &data.igu_profile,
        threshold,
        "figur_2_4",
        &mut results.diskretionslog,
    );
    results.figurer.insert("figur_2_4".into(), igu);
    Ok(())
}

/// Means of the descriptive variables for participants and controls: `tabel_3_1.<gruppe>.<var>`
/// (participants) and `kontrol.<gruppe>.<var>`, and the counts `antal.<gruppe>.deltagere|kontrol`.
/// A mean is published under [`diskretion::mean_publishable`] (a share of persons by its parts);
/// a hidden number is listed in `results.diskretion` (Tabel 3.1 prints "–").
fn descriptives(
    data: &AnalysisData,
    group: &str,
    rows: &[usize],
    threshold: usize,
    results: &mut Results,
) {
    for (treated, prefix, count) in [
        (true, "tabel_3_1", "deltagere"),
        (false, "kontrol", "kontrol"),
    ] {
        let members: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| data.treated[i] == treated)
            .collect();
        results
            .tal
            .insert(format!("antal.{group}.{count}"), members.len() as f64);
        for (j, name) in data.descriptive_names.iter().enumerate() {
            let values: Vec<f64> = members
                .iter()
                .map(|&i| data.descriptives[[i, j]])
                .filter(|v| v.is_finite())
                .collect();
            if values.is_empty() {
                continue;
            }
            let key = format!("{prefix}.{group}.{name}");
            if diskretion::mean_publishable(&values, threshold) {
                results
                    .tal
                    .insert(key, values.iter().sum::<f64>() / values.len() as f64);
            } else {
                (results.diskretionslog).push(diskretion::Suppressed::mean(key.clone(), &values));
                results.diskretion.push(key);
            }
        }
    }
    results
        .tal
        .insert(format!("antal.{group}.i_alt"), rows.len() as f64);
}

/// Balance under methods (1) and (2) on the main sample of the group, and (for all) the densities.
fn balance_of(
    data: &AnalysisData,
    group: &str,
    rows: &[usize],
    rule: BandwidthRule,
    results: &mut Results,
) -> Result<()> {
    let x = data.covariates.rows(rows);
    let d = data.descriptives.rows(rows);
    let treat: Vec<bool> = rows.iter().map(|&i| data.treated[i]).collect();
    let strata: Vec<u32> = rows.iter().map(|&i| data.municipality[i]).collect();
    let y = ndarray::Array2::<f64>::zeros((rows.len(), 1));
    let sample = SampleData {
        x: x.view(),
        names: &data.covariate_names,
        treat: &treat,
        strata: &strata,
        y: y.view(),
    };
    let variants: Vec<Variant> = METHODS
        .iter()
        .filter(|m| m.kind == Kind::Ridge)
        .map(|&method| Variant {
            method,
            kernel: KernelKey::Epan,
        })
        .collect();
    let fitted = sample::estimate(&sample, PsModel::Logit, &variants, rule, 0, 0, &|| {})?;
    let units = Units::new(&treat, None, Some(&strata))?;
    let stats: Vec<Vec<_>> = fitted
        .variants
        .iter()
        .map(|v| balance(d.view(), &data.descriptive_names, &units, &v.weighting))
        .collect::<Result<_, _>>()?;
    let rows_out = (0..data.descriptive_names.len())
        .map(|j| BalanceRow {
            navn: data.descriptive_names[j].clone(),
            deltagere: stats[0][j].mean_treated,
            kontrol: stats[0][j].mean_control,
            sdif_foer: stats[0][j].sdif_before,
            sdif_m1: stats[0][j].sdif_after,
            sdif_m2: stats[1][j].sdif_after,
            vr_foer: stats[0][j].vr_before,
            vr_m1: stats[0][j].vr_after,
            vr_m2: stats[1][j].vr_after,
        })
        .collect();
    results.balance.insert(group.to_string(), rows_out);
    for (t, s) in stats.iter().enumerate() {
        let (before, after) = mean_abs_sdif(s);
        results
            .tal
            .insert(format!("balance.{group}.gns_abs_sdif_foer"), before);
        results
            .tal
            .insert(format!("balance.{group}.m{}.gns_abs_sdif", t + 1), after);
    }
    if group == "alle" {
        let scores = fitted.fit.scores.to_vec();
        let w = &fitted.variants[1].weighting;
        let dens = score_densities(&scores, &units, w)?;
        let curve = |c: &crate::estimators::DensityCurve| {
            c.x.iter().zip(&c.density).map(|(x, y)| [*x, *y]).collect()
        };
        let series = BTreeMap::from([
            ("deltagere_foer".to_string(), curve(&dens.treated_raw)),
            ("kontrol_foer".to_string(), curve(&dens.control_raw)),
            ("deltagere_efter".to_string(), curve(&dens.treated_matched)),
            ("kontrol_efter".to_string(), curve(&dens.control_matched)),
        ]);
        results.figurer.insert("bilagsfigur_2_1".into(), series);
    }
    Ok(())
}

/// Series of Figur 2.3 (employment rate) and 2.4 (share in IGU): participants' mean of a monthly
/// profile by month relative to start, by sex.
/// The participants' monthly profile around start by sex. A month's point rests on the persons
/// followed that month, under [`diskretion::mean_publishable`] (IGU: a share of persons).
fn profile_by_sex(
    data: &AnalysisData,
    profile: &Columns,
    threshold: usize,
    id: &str,
    log: &mut Vec<diskretion::Suppressed>,
) -> BTreeMap<String, Vec<[f64; 2]>> {
    let mut series = BTreeMap::new();
    for (name, male) in [("maend", true), ("kvinder", false)] {
        let rows: Vec<usize> = (0..data.len())
            .filter(|&i| data.main_sample[i] && data.treated[i] && data.male[i] == male)
            .collect();
        let mut points = Vec::new();
        for k in 0..profile.ncols() {
            let values: Vec<f64> = rows
                .iter()
                .map(|&i| profile[[i, k]])
                .filter(|v| v.is_finite())
                .collect();
            let month = k as f64 - PROFILE_MONTHS as f64;
            if values.is_empty() {
                continue;
            }
            if diskretion::mean_publishable(&values, threshold) {
                points.push([month, values.iter().sum::<f64>() / values.len() as f64]);
            } else {
                log.push(diskretion::Suppressed::mean(
                    format!("{id}.{name}.maaned_{month}"),
                    &values,
                ));
            }
        }
        series.insert(name.to_string(), points);
    }
    series
}
