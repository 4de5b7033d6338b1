//! Effect tables (Tabel 4.1–4.7, 5.1–5.4): outcomes as rows, group × method as columns.

use super::{Row, STAR_LEGEND, Table, effect_cell};
use crate::locale;
use crate::results::{Results, key};
use anyhow::{Context, Result};

/// A group of persons a table reports on: results key and column label.
pub struct Group {
    /// Key in the results (`alle`, `maend`, `kvinder`, …).
    pub key: &'static str,
    /// Column label.
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

/// Builds an effect table: one row per outcome, one column per (group, method), and a row with
/// the number of persons per group.
pub fn table(
    results: &Results,
    id: &str,
    title: &str,
    outcomes: &[(&str, &str)],
    groups: &[Group],
    methods: &[u8],
) -> Result<Table> {
    let mut header = vec![String::new()];
    for g in groups {
        for m in methods {
            header.push(format!("{} ({m})", g.label));
        }
    }
    let mut rows = Vec::new();
    for (outcome, label) in outcomes {
        let mut cells = Vec::new();
        for g in groups {
            for &m in methods {
                let k = key(id, g.key, m, outcome);
                let e = results
                    .estimate(&k)
                    .with_context(|| format!("{id}: resultatet {k} mangler"))?;
                cells.push(effect_cell(e));
            }
        }
        rows.push(Row {
            label: label.to_string(),
            cells,
        });
    }
    let mut counts = Vec::new();
    for g in groups {
        for &m in methods {
            let k = key(id, g.key, m, outcomes[0].0);
            let n = results.estimate(&k).map(|e| e.n).unwrap_or(0);
            counts.push(vec![locale::heltal(n as i64)]);
        }
    }
    rows.push(Row {
        label: "Antal personer".into(),
        cells: counts,
    });
    let notes = vec![format!(
        "Note: Gennemsnitlig effekt for deltagerne (ATT) øverst i cellen; standardfejl i ( ), kontrolgruppens niveau i [ ] \
         og den relative effekt i < >, når p < 0,10. Metode (1): ridge-matching på propensity score; (2): som (1) med eksakt \
         matching på kommune. {STAR_LEGEND}"
    )];
    Ok(Table {
        id: id.to_string(),
        title: title.to_string(),
        header,
        rows,
        notes,
    })
}
