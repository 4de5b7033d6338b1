//! Descriptive tables: the population funnel, participants' characteristics (Tabel 3.1), the
//! propensity-score model (Bilagstabel 2.1) and balance before and after matching
//! (Bilagstabel 2.2–2.3).

use super::{Row, STAR_LEGEND, Table};
use crate::estimators;
use crate::groups::Group;
use crate::locale;
use crate::results::Results;
use anyhow::{Context, Result};

fn label<'a>(results: &'a Results, name: &'a str) -> &'a str {
    results
        .etiketter
        .get(name)
        .map(String::as_str)
        .unwrap_or(name)
}

/// Whether a variable is a 0/1 indicator (printed as a percentage): its name says so in the
/// dataset's convention, or every mean lies in [0, 1] and the label does not name a count or rate.
fn is_share(results: &Results, name: &str) -> bool {
    let l = label(results, name).to_lowercase();
    let not_share = ["alder", "antal", "år i danmark", "grad", "løn", "måned"]
        .iter()
        .any(|w| l.contains(w));
    !not_share
        && results
            .balance
            .get("alle")
            .and_then(|rows| rows.iter().find(|r| r.navn == name))
            .is_some_and(|r| (0.0..=1.0).contains(&r.deltagere) && (0.0..=1.0).contains(&r.kontrol))
}

fn value(results: &Results, name: &str, x: f64) -> String {
    if is_share(results, name) {
        locale::tal(x * 100.0, 0)
    } else {
        locale::tal(x, 2)
    }
}

/// The population funnel: participants and controls left after each step.
pub fn funnel(results: &Results) -> Table {
    let rows = results
        .befolkning
        .iter()
        .map(|s| Row {
            label: s.label.clone(),
            cells: vec![
                vec![locale::heltal(s.treated as i64)],
                vec![locale::heltal(s.controls as i64)],
                vec![locale::heltal((s.treated + s.controls) as i64)],
            ],
        })
        .collect();
    Table {
        id: "tabel_3_2".into(),
        title: "Afgrænsning af analysepopulationen trin for trin".into(),
        header: vec![
            "Trin".into(),
            "Deltagere".into(),
            "Kontrolpersoner".into(),
            "I alt".into(),
        ],
        groups: Vec::new(),
        rows,
        notes: funnel_notes(results),
    }
}

/// The funnel's note; when output control merged a step with the next (it removed too few
/// persons), the note says so.
fn funnel_notes(results: &Results) -> Vec<String> {
    let mut note = "Note: Kontrolpersonerne har fået en tilfældig placebo-startdato; alle betingelser måles i forhold til (placebo-)starten.".to_string();
    if results
        .diskretion
        .iter()
        .any(|k| k.starts_with("befolkning "))
    {
        note.push_str(" Et trin, der ville fjerne for få personer til at kunne vises, er af diskretionshensyn slået sammen med det følgende trin.");
    }
    vec![note]
}

/// Tabel 3.1: participants' characteristics, all, men and women.
pub fn participants(results: &Results) -> Result<Table> {
    let groups = [Group::Alle, Group::Maend, Group::Kvinder].map(Group::key_label);
    let names: Vec<String> = results
        .balance
        .get("alle")
        .context("balancen mangler")?
        .iter()
        .map(|r| r.navn.clone())
        .collect();
    let mut rows = Vec::new();
    for name in &names {
        let cells = groups
            .iter()
            .map(|(g, _)| {
                let x = results
                    .tal
                    .get(&format!("tabel_3_1.{g}.{name}"))
                    .copied()
                    .unwrap_or(f64::NAN);
                vec![value(results, name, x)]
            })
            .collect();
        let unit = if is_share(results, name) {
            " (pct.)"
        } else {
            ""
        };
        rows.push(Row {
            label: format!("{}{unit}", label(results, name)),
            cells,
        });
    }
    let counts = groups
        .iter()
        .map(|(g, _)| {
            vec![locale::heltal(
                results
                    .tal
                    .get(&format!("antal.{g}.deltagere"))
                    .copied()
                    .unwrap_or(0.0) as i64,
            )]
        })
        .collect();
    rows.push(Row {
        label: "Antal deltagere".into(),
        cells: counts,
    });
    let mut header = vec![String::new()];
    header.extend(groups.iter().map(|(_, l)| l.to_string()));
    Ok(Table {
        id: "tabel_3_1".into(),
        title: "Deltagernes karakteristika, alle, mænd og kvinder".into(),
        header,
        groups: Vec::new(),
        rows,
        notes: vec!["Note: Andele i procent; øvrige variable som gennemsnit. Karakteristika måles ved eller før start. «–»: vises ikke af diskretionshensyn, fordi tallet ville bygge på for få personer med eller uden kendetegnet.".into()],
    })
}

/// Bilagstabel 2.1: the propensity-score model (logit) with standard errors and stars.
pub fn pscore(results: &Results) -> Table {
    let rows = results
        .pscore
        .iter()
        .map(|c| {
            let name = if c.navn == "_cons" {
                "Konstant"
            } else {
                label(results, &c.navn)
            };
            let cells = match c.se {
                Some(se) if !c.udeladt => {
                    let p = estimators::p_value_normal(c.est, se);
                    vec![
                        vec![format!("{}{}", locale::tal(c.est, 3), estimators::stars(p))],
                        vec![locale::tal(se, 3)],
                    ]
                }
                _ => vec![vec!["udeladt".into()], vec!["".into()]],
            };
            Row {
                label: name.to_string(),
                cells,
            }
        })
        .collect();
    Table {
        id: "bilagstabel_2_1".into(),
        title: "Den estimerede propensity score (logit)".into(),
        header: vec![String::new(), "Koefficient".into(), "Standardfejl".into()],
        groups: Vec::new(),
        rows,
        notes: vec![format!(
            "Note: Logit-model for deltagelse i hovedpopulationen. «Udeladt»: variablen er udeladt pga. kollinearitet eller perfekt prædiktion. {STAR_LEGEND}"
        )],
    }
}

/// Bilagstabel 2.2 (all) or 2.3 (men and women): means and standardized differences before and
/// after matching with methods (1) and (2).
pub fn balance(results: &Results, id: &str, groups: &[(&str, &str)]) -> Result<Table> {
    const COLUMNS: [&str; 5] = ["Deltagere", "Kontrol", "SDIF før", "SDIF (1)", "SDIF (2)"];
    let mut header = vec![String::new()];
    for _ in groups {
        header.extend(COLUMNS.iter().map(|h| h.to_string()));
    }
    // Men and women side by side: a group header over each one's five columns.
    let column_groups: Vec<(String, usize)> = if groups.len() > 1 {
        groups
            .iter()
            .map(|(_, g)| (g.to_string(), COLUMNS.len()))
            .collect()
    } else {
        Vec::new()
    };
    let first = results
        .balance
        .get(groups[0].0)
        .context("balancen mangler")?;
    let mut rows = Vec::new();
    for (j, r0) in first.iter().enumerate() {
        let mut cells = Vec::new();
        for (g, _) in groups {
            let r = &results.balance.get(*g).context("balancen mangler")?[j];
            cells.push(vec![value(results, &r.navn, r.deltagere)]);
            cells.push(vec![value(results, &r.navn, r.kontrol)]);
            for s in [r.sdif_foer, r.sdif_m1, r.sdif_m2] {
                cells.push(vec![locale::tal(s * 100.0, 1)]);
            }
        }
        rows.push(Row {
            label: label(results, &r0.navn).to_string(),
            cells,
        });
    }
    let mut avg = Vec::new();
    for (g, _) in groups {
        let t = |k: &str| {
            results
                .tal
                .get(&format!("balance.{g}.{k}"))
                .copied()
                .unwrap_or(f64::NAN)
        };
        avg.extend([vec![String::new()], vec![String::new()]]);
        for k in ["gns_abs_sdif_foer", "m1.gns_abs_sdif", "m2.gns_abs_sdif"] {
            avg.push(vec![locale::tal(t(k) * 100.0, 1)]);
        }
    }
    rows.push(Row {
        label: "Gennemsnitlig numerisk SDIF".into(),
        cells: avg,
    });
    let mut notes = vec!["Note: SDIF er forskellen i gennemsnit i procent af den samlede standardafvigelse før matching; (1) og (2) er metode 1 og 2.".to_string()];
    let hidden = groups
        .iter()
        .any(|(g, _)| (results.diskretion.iter()).any(|k| k.starts_with(&format!("balance.{g}."))));
    if hidden {
        notes.push(format!(
            "«{}»: vises ikke af diskretionshensyn, fordi deltagernes eller kontrolpersonernes andel ville bygge på for få personer med eller uden kendetegnet; gennemsnittet af den numeriske SDIF er taget over de viste variable.",
            locale::IKKE_TILGAENGELIG
        ));
    }
    let title = if groups.len() > 1 {
        "Balance før og efter matching for mænd og kvinder"
    } else {
        "Balance i karakteristika før og efter matching"
    };
    Ok(Table {
        id: id.into(),
        title: title.into(),
        header,
        groups: column_groups,
        rows,
        notes,
    })
}

/// Tabel 2.1's columns of counts, in order.
const TABEL_2_1_GROUPS: [Group; 3] = [Group::Alle, Group::Kvinder, Group::Maend];

/// Tabel 2.1: delivered participants per municipality and sex, and average weeks in the project.
/// Cells hidden for discretion print as "–" with a note.
pub fn deliveries(results: &Results, threshold: usize) -> Table {
    let cell = |key: String, decimals: usize| -> Vec<String> {
        vec![
            results
                .tal
                .get(&key)
                .map_or_else(|| "–*".to_string(), |v| locale::tal(*v, decimals)),
        ]
    };
    let mut rows: Vec<Row> = results
        .etiketter
        .iter()
        .filter_map(|(k, name)| k.strip_prefix("kommune.").map(|slug| (slug, name)))
        .map(|(slug, name)| Row {
            label: name.clone(),
            cells: TABEL_2_1_GROUPS
                .map(Group::key)
                .iter()
                .map(|c| cell(format!("tabel_2_1.{slug}.{c}"), 0))
                .chain(std::iter::once(cell(format!("tabel_2_1.{slug}.uger"), 0)))
                .collect(),
        })
        .collect();
    rows.push(Row {
        label: "I alt".into(),
        cells: (TABEL_2_1_GROUPS.map(Group::key).iter())
            .chain(&["uger"])
            .map(|c| cell(format!("tabel_2_1.i_alt.{c}"), 0))
            .collect(),
    });
    Table {
        id: "tabel_2_1".into(),
        title: "Borgere i et brancheorienteret forløb pr. kommune og deres gennemsnitlige tid i projektet".into(),
        header: vec!["Kommune".into(), "Alle".into(), "Kvinder".into(), "Mænd".into(), "Uger i projektet".into()],
        groups: Vec::new(),
        rows,
        notes: vec![format!(
            "Note: * Af diskretionshensyn vises ingen tal, der bygger på færre end {} personer; skjules det ene køn, skjules det andet også.",
            locale::heltal(threshold as i64)
        )],
    }
}
