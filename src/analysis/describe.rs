//! Descriptive numbers of the report: the funnel counts, participants' characteristics (Tabel 3.1),
//! balance before and after matching (Bilagstabel 2.2–2.3, Bilagsfigur 2.2), propensity-score
//! densities (Bilagsfigur 2.1) and the participants' employment around start (Figur 2.3).

use super::plan::METHODS;
use super::sample::{self, SampleData, Variant};
use crate::dataset::{AnalysisData, FunnelStep, PROFILE_MONTHS, columns::Columns};
use crate::diskretion;
use crate::estimators::{
    BalanceStats, BandwidthRule, Kernel, PsModel, Units, Weighting, balance, mean_abs_sdif,
    score_densities,
};
use crate::groups::Group;
use crate::results::{BalanceRow, Results};
use anyhow::Result;
use std::collections::BTreeMap;

/// The groups of the descriptive numbers, with the sex each holds (`None`: both).
const GROUPS: [(Group, Option<bool>); 3] = [
    (Group::Alle, None),
    (Group::Maend, Some(true)),
    (Group::Kvinder, Some(false)),
];

/// Computes every descriptive number into `results`; `threshold` is the discretion threshold
/// (`analyse.diskretion`) of the participants' characteristics.
pub fn all(
    data: &AnalysisData,
    rule: BandwidthRule,
    threshold: usize,
    results: &mut Results,
) -> Result<()> {
    let (funnel, merged) = published_funnel(&data.funnel, threshold);
    results
        .diskretion
        .extend(merged.iter().map(|m| m.celle.clone()));
    results.diskretionslog.extend(merged);
    for (k, step) in funnel.iter().enumerate() {
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
        descriptives(data, group.key(), &rows, threshold, results);
        balance_of(data, group.key(), &rows, rule, threshold, results)?;
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

/// The population funnel as published: a step that removes 1 to `threshold` − 1 participants or
/// controls from the step before would publish those persons as a difference, so it is merged
/// with the step before (the conditions of both in one row, the counts after both), until every
/// step removes 0 or at least `threshold` of each. Returns the steps and a log entry per merge.
pub(super) fn published_funnel(
    funnel: &[FunnelStep],
    threshold: usize,
) -> (Vec<FunnelStep>, Vec<diskretion::Suppressed>) {
    let mut published: Vec<FunnelStep> = Vec::new();
    let mut log = Vec::new();
    for step in funnel {
        let mut step = step.clone();
        while let Some(before) = published.last() {
            let removed = (
                before.treated.abs_diff(step.treated),
                before.controls.abs_diff(step.controls),
            );
            if diskretion::publishable(removed.0, threshold)
                && diskretion::publishable(removed.1, threshold)
                || published.len() == 1
            {
                break;
            }
            let small = if diskretion::publishable(removed.0, threshold) {
                removed.1
            } else {
                removed.0
            };
            // The row before is not published: its conditions join this step's row.
            let before = published.pop().expect("a step before");
            log.push(diskretion::Suppressed::primary(
                format!("befolkning «{}»", before.label),
                small,
                None,
            ));
            step.label = format!("{} {}", before.label, step.label.trim_start_matches("… "));
        }
        published.push(step);
    }
    (published, log)
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
///
/// Under output control a variable's row is hidden (every number NaN, printed "–") when the
/// participants' or the controls' mean may not be published ([`diskretion::mean_publishable`]):
/// its standardised differences and variance ratios are computed from those means. A method that
/// cannot be estimated leaves its columns empty, with a warning.
fn balance_of(
    data: &AnalysisData,
    group: &str,
    rows: &[usize],
    rule: BandwidthRule,
    threshold: usize,
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
        .filter(|m| m.kind == crate::estimators::Method::Ridge)
        .map(|&method| Variant {
            method,
            kernel: Kernel::Epan,
        })
        .collect();
    // A propensity-score fit that fails or does not converge leaves the columns after matching
    // empty, with a warning; the report goes on.
    let fitted = match sample::estimate(&sample, PsModel::Logit, &variants, rule, 0, 0, &|| {}) {
        Ok(fitted) => Some(fitted),
        Err(e) => {
            results.advarsler.push(format!(
                "balancen for «{group}» efter matching kan ikke opgøres: {e:#}"
            ));
            None
        }
    };
    for (variant, reason) in fitted.iter().flat_map(|f| &f.not_estimated) {
        results.advarsler.push(format!(
            "balancen for «{group}» efter matching med metode ({}) kan ikke opgøres: {reason}",
            variant.method.number
        ));
    }
    let units = Units::new(&treat, None, Some(&strata))?;
    // Per method (1) and (2): the balance, or None when the method could not be estimated.
    let stats: Vec<Option<Vec<_>>> = variants
        .iter()
        .map(|variant| {
            let found = fitted.iter().flat_map(|f| &f.variants);
            let Some(v) = found.into_iter().find(|v| v.variant == *variant) else {
                return Ok(None);
            };
            balance(d.view(), &data.descriptive_names, &units, &v.weighting).map(Some)
        })
        .collect::<Result<_, _>>()?;
    let participants: Vec<usize> = (0..rows.len()).filter(|&i| treat[i]).collect();
    let controls: Vec<usize> = (0..rows.len()).filter(|&i| !treat[i]).collect();
    let hidden: Vec<bool> = (data.descriptive_names.iter().enumerate())
        .map(|(j, name)| {
            let mut hidden = false;
            for (who, of) in [("deltagere", &participants), ("kontrol", &controls)] {
                let values: Vec<f64> = of.iter().map(|&i| d[[i, j]]).collect();
                if !diskretion::mean_publishable(&values, threshold) {
                    let cell = format!("balance.{group}.{name}.{who}");
                    (results.diskretionslog)
                        .push(diskretion::Suppressed::mean(cell.clone(), &values));
                    results.diskretion.push(cell);
                    hidden = true;
                }
            }
            hidden
        })
        .collect();
    let before = &balance(
        d.view(),
        &data.descriptive_names,
        &units,
        &Weighting::unmatched(&units),
    )?;
    let after = |t: usize, j: usize| {
        stats[t]
            .as_ref()
            .map_or((f64::NAN, f64::NAN), |s| (s[j].sdif_after, s[j].vr_after))
    };
    let rows_out = (0..data.descriptive_names.len())
        .map(|j| {
            let ((sdif_m1, vr_m1), (sdif_m2, vr_m2)) = (after(0, j), after(1, j));
            let row = BalanceRow {
                navn: data.descriptive_names[j].clone(),
                deltagere: before[j].mean_treated,
                kontrol: before[j].mean_control,
                sdif_foer: before[j].sdif_before,
                sdif_m1,
                sdif_m2,
                vr_foer: before[j].vr_before,
                vr_m1,
                vr_m2,
            };
            if hidden[j] { row.hidden() } else { row }
        })
        .collect::<Vec<_>>();
    // The averages over the variables leave the hidden rows out: with them, a hidden row's
    // difference would follow from the average and the published rows.
    let published = |s: &[BalanceStats]| -> Vec<BalanceStats> {
        (s.iter().zip(&hidden))
            .filter(|(_, h)| !**h)
            .map(|(s, _)| s.clone())
            .collect()
    };
    let (average_before, _) = mean_abs_sdif(&published(before));
    results
        .tal
        .insert(format!("balance.{group}.gns_abs_sdif_foer"), average_before);
    for (t, s) in stats.iter().enumerate() {
        // A method that could not be estimated has no average (NaN, printed "–").
        let average_after = s
            .as_ref()
            .map_or(f64::NAN, |s| mean_abs_sdif(&published(s)).1);
        results.tal.insert(
            format!("balance.{group}.m{}.gns_abs_sdif", t + 1),
            average_after,
        );
    }
    results.balance.insert(group.to_string(), rows_out);
    if group != "alle" {
        return Ok(());
    }
    let Some(fitted) = &fitted else {
        // No propensity score: Bilagsfigur 2.1 has no curves (its caption's averages print "–").
        let empty = ["deltagere_foer", "kontrol_foer"].map(|k| (k.to_string(), Vec::new()));
        results
            .figurer
            .insert("bilagsfigur_2_1".into(), BTreeMap::from(empty));
        return Ok(());
    };
    // After matching with method (2); without it, the curves before matching alone.
    let method_2 = fitted.variants.iter().find(|v| v.variant == variants[1]);
    let unmatched = Weighting::unmatched(&units);
    let w = method_2.map_or(&unmatched, |v| &v.weighting);
    let dens = score_densities(&fitted.fit.scores.to_vec(), &units, w)?;
    let curve = |c: &crate::estimators::DensityCurve| {
        c.x.iter().zip(&c.density).map(|(x, y)| [*x, *y]).collect()
    };
    let mut series = BTreeMap::from([
        ("deltagere_foer".to_string(), curve(&dens.treated_raw)),
        ("kontrol_foer".to_string(), curve(&dens.control_raw)),
    ]);
    if method_2.is_some() {
        series.insert("deltagere_efter".to_string(), curve(&dens.treated_matched));
        series.insert("kontrol_efter".to_string(), curve(&dens.control_matched));
    }
    results.figurer.insert("bilagsfigur_2_1".into(), series);
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
    for group in Group::SEXES {
        let (name, male) = (group.key(), group == Group::Maend);
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
