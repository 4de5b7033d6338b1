//! Effect tables (Tabel 4.1–4.7, 5.1–5.4): estimates with stars, (SE), [control level] and
//! <relative effect>, laid out as groups × methods (columns) by outcomes (rows), or methods
//! (columns) by groups (rows) for the robustness tables.

use super::{Row, STAR_LEGEND, Table, effect_cell};
use crate::locale;
use crate::results::{Published, Results, key};
use anyhow::{Context, Result};

/// A group of persons a table reports on: results key and label.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// Key in the results (`alle`, `maend`, `kvinder`, …).
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
}

/// The standard groups: all, men, women.
pub const GROUPS: [Group; 3] = [
    Group {
        key: "alle",
        label: "Alle",
    },
    Group {
        key: "maend",
        label: "Mænd",
    },
    Group {
        key: "kvinder",
        label: "Kvinder",
    },
];

/// How the cells are arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Columns: group × method; rows: outcomes; a last row with the number of persons.
    GroupsByMethods,
    /// Like `GroupsByMethods`, with the number of persons in a column of each row (Tabel 4.2).
    GroupsByMethodsCountPerRow,
    /// Columns: methods; rows: groups (one outcome); robustness tables.
    MethodsByGroups,
}

/// What an effect table shows.
pub struct EffectTable<'a> {
    /// Id (results key prefix, label, CSV name).
    pub id: &'a str,
    /// Caption.
    pub title: &'a str,
    /// Outcomes: (key, row label).
    pub outcomes: &'a [(&'a str, &'a str)],
    /// Groups.
    pub groups: &'a [Group],
    /// Methods (1)–(5).
    pub methods: &'a [u8],
    /// Arrangement.
    pub layout: Layout,
    /// Whether cells show the control level and relative effect.
    pub levels: bool,
    /// The first sentence of the note (what the table shows); the legend follows.
    pub note: &'a str,
}

impl EffectTable<'_> {
    fn estimate<'r>(
        &self,
        results: &'r Results,
        group: &str,
        method: u8,
        outcome: &str,
    ) -> Result<Published<'r>> {
        let k = key(self.id, group, method, outcome);
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
            Layout::GroupsByMethods | Layout::GroupsByMethodsCountPerRow => {
                // Each group over its methods' columns.
                for g in self.groups {
                    column_groups.push((g.label.to_string(), self.methods.len()));
                    for m in self.methods {
                        header.push(format!("({m})"));
                    }
                }
                let per_row = self.layout == Layout::GroupsByMethodsCountPerRow;
                if per_row {
                    header.push("Antal personer".into());
                }
                for (outcome, label) in self.outcomes {
                    let mut cells = Vec::new();
                    let mut n = None;
                    for g in self.groups {
                        for &m in self.methods {
                            let e = self.estimate(results, g.key, m, outcome)?;
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
                    for g in self.groups {
                        for &m in self.methods {
                            let e = self.estimate(results, g.key, m, self.outcomes[0].0)?;
                            counts.push(vec![count_cell(persons(e))]);
                        }
                    }
                    rows.push(Row {
                        label: "Antal personer".into(),
                        cells: counts,
                    });
                }
            }
            Layout::MethodsByGroups => {
                header.extend(self.methods.iter().map(|m| format!("({m})")));
                header.push("Antal personer".into());
                let outcome = self.outcomes[0].0;
                for g in self.groups {
                    let mut cells = Vec::new();
                    let mut n = None;
                    for &m in self.methods {
                        let e = self.estimate(results, g.key, m, outcome)?;
                        n = persons(e).or(n);
                        cells.push(self.cell(e, &mut reasons));
                    }
                    cells.push(vec![count_cell(n)]);
                    rows.push(Row {
                        label: g.label.to_string(),
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
            id: self.id.to_string(),
            title: self.title.to_string(),
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
