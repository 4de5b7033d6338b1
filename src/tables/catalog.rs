//! The report's effect tables, as `report/rapport.yaml` declares them (`tabel:` under an
//! analysis): the code holds no list of tables.

use super::Table;
use super::effects::EffectTable;
use crate::analysis::plan::Group;
use crate::config::Config;
use crate::results::Results;
use anyhow::Result;

/// Builds the effect table of every analysis that declares one, in the configuration's order.
pub fn effect_tables(results: &Results, config: &Config) -> Result<Vec<Table>> {
    let period = results
        .tekster
        .get("hovedperiode")
        .cloned()
        .unwrap_or_default();
    (config.analyser.iter())
        .filter_map(|analysis| analysis.tabel.as_ref().map(|table| (analysis, table)))
        .map(|(analysis, table)| {
            let groups = (analysis.grupper.iter())
                .map(|key| {
                    let label = (table.grupper.get(key).cloned())
                        .or_else(|| Group::parse(key).map(|g| g.label().to_string()))
                        .unwrap_or_else(|| key.clone());
                    (key.clone(), label)
                })
                .collect();
            EffectTable {
                id: analysis.id.clone(),
                title: table.titel.replace("{periode}", &period),
                outcomes: (table.raekker.iter())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                groups,
                methods: analysis.metoder.clone(),
                layout: table.layout,
                levels: table.niveauer,
                note: table.note.clone(),
            }
            .build(results)
        })
        .collect()
}
