//! Effect tables (Tabel 4.1–4.7, 5.1–5.4): estimates with stars, (SE), [control level] and
//! <relative effect>, laid out as groups × methods (columns) by outcomes (rows), or methods
//! (columns) by groups (rows) for the robustness tables.

use super::{Row, STAR_LEGEND, Table, effect_cell};
use crate::config::TableLayout;
use crate::locale;
use crate::results::{Published, Results, key};
use anyhow::{Context, Result};

/// What an effect table shows: its declaration in `report/rapport.yaml` (`tabel:` under an
/// analysis), with the labels resolved.
pub struct EffectTable {
    /// Id (results key prefix, label, CSV name).
    pub id: String,
    /// Caption.
    pub title: String,
    /// Outcomes: (key, row label).
    pub outcomes: Vec<(String, String)>,
    /// Groups: (key, column label).
    pub groups: Vec<(String, String)>,
    /// Methods (1)–(5).
    pub methods: Vec<u8>,
    /// Arrangement.
    pub layout: TableLayout,
    /// Whether cells show the control level and relative effect.
    pub levels: bool,
    /// The first sentence of the note (what the table shows); the legend follows.
    pub note: String,
}

impl EffectTable {
    fn estimate<'r>(
        &self,
        results: &'r Results,
        group: &str,
        method: u8,
        outcome: &str,
    ) -> Result<Published<'r>> {
        let k = key(&self.id, group, method, outcome);
        results
            .published(&k)
            .with_context(|| format!("{}: resultatet {k} mangler i resultater.json", self.id))
    }

    /// The cell of an estimate; an estimate that is not published shows "–", and its reason
    /// joins the table's notes.
    fn cell<'r>(&self, e: Published<'r>, reasons: &mut Vec<&'r str>) -> Vec<String> {
        match e {
            Published::Estimate(e) => {
                let mut lines = effect_cell(e);
                if !self.levels {
                    lines.truncate(2);
                }
                lines
            }
            Published::Missing(reason) => {
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
                vec![MISSING.to_string()]
            }
        }
    }

    /// Builds the table from the results.
    pub fn build(&self, results: &Results) -> Result<Table> {
        let mut header = vec![String::new()];
        let mut column_groups: Vec<(String, usize)> = Vec::new();
        let mut rows = Vec::new();
        let mut reasons = Vec::new();
        match self.layout {
            TableLayout::GroupsByMethods | TableLayout::GroupsByMethodsCountPerRow => {
                // Each group over its methods' columns.
                for (_, label) in &self.groups {
                    column_groups.push((label.clone(), self.methods.len()));
                    for m in &self.methods {
                        header.push(format!("({m})"));
                    }
                }
                let per_row = self.layout == TableLayout::GroupsByMethodsCountPerRow;
                if per_row {
                    header.push("Antal personer".into());
                }
                for (outcome, label) in &self.outcomes {
                    let mut cells = Vec::new();
                    let mut n = None;
                    for (group, _) in &self.groups {
                        for &m in &self.methods {
                            let e = self.estimate(results, group, m, outcome)?;
                            n = persons(e).or(n);
                            cells.push(self.cell(e, &mut reasons));
                        }
                    }
                    if per_row {
                        cells.push(vec![count_cell(n)]);
                    }
                    rows.push(Row {
                        label: label.to_string(),
                        cells,
                    });
                }
                if !per_row {
                    let mut counts = Vec::new();
                    for (group, _) in &self.groups {
                        for &m in &self.methods {
                            let e = self.estimate(results, group, m, &self.outcomes[0].0)?;
                            counts.push(vec![count_cell(persons(e))]);
                        }
                    }
                    rows.push(Row {
                        label: "Antal personer".into(),
                        cells: counts,
                    });
                }
            }
            TableLayout::MethodsByGroups => {
                header.extend(self.methods.iter().map(|m| format!("({m})")));
                header.push("Antal personer".into());
                let outcome = &self.outcomes[0].0;
                for (group, group_label) in &self.groups {
                    let mut cells = Vec::new();
                    let mut n = None;
                    for &m in &self.methods {
                        let e = self.estimate(results, group, m, outcome)?;
                        n = persons(e).or(n);
                        cells.push(self.cell(e, &mut reasons));
                    }
                    cells.push(vec![count_cell(n)]);
                    rows.push(Row {
                        label: group_label.clone(),
                        cells,
                    });
                }
            }
        }
        let levels = if self.levels {
            " Kontrolgruppens niveau står i [ ] og den relative effekt i < >, når p < 0,10."
        } else {
            ""
        };
        let mut notes = vec![format!(
            "Note: {} Gennemsnitlig effekt for deltagerne (ATT) øverst i cellen med {} i ( ).{levels} \
             {METHOD_LEGEND} {STAR_LEGEND}",
            self.note,
            se_kind(results)
        )];
        notes.extend(reasons.iter().map(|r| format!("{MISSING}: {r}.")));
        Ok(Table {
            id: self.id.clone(),
            title: self.title.clone(),
            header,
            groups: column_groups,
            rows,
            notes,
        })
    }
}

/// The mark of a cell whose estimate is not published.
pub const MISSING: &str = "–";

/// The persons of the sample behind a cell, when it is published.
fn persons(e: Published) -> Option<usize> {
    match e {
        Published::Estimate(e) => Some(e.n),
        Published::Missing(_) => None,
    }
}

/// The "Antal personer" cell: the persons, or "–" when no estimate of the column is published.
fn count_cell(n: Option<usize>) -> String {
    n.map_or(MISSING.to_string(), |n| locale::heltal(n as i64))
}

/// The kind of standard error the results carry, as the notes name it: bootstrap
/// (`analyse.bootstrap` replicates), or kmatch's analytic (influence-function) standard errors
/// when B = 0.
pub fn se_kind(results: &Results) -> String {
    match results.proveniens.bootstrap {
        0 => "analytisk standardfejl".to_string(),
        _ => "bootstrap-standardfejl".to_string(),
    }
}

/// The legend of the method numbers.
pub const METHOD_LEGEND: &str = "Metoder: (1) ridge-matching på propensity score; (2) som (1) med eksakt matching på \
     bopælskommune; (3) kernel-matching; (4) som (3) med eksakt matching på bopælskommune; (5) inverse probability weighting.";
