//! The results of a build from the per-part cache ([`crate::cache`]): every part whose key is
//! stored is read back, only the missing ones are computed (reading the registers and building
//! the dataset only when a part needs them) and stored.

use super::source::DataSource;
use super::stage;
use crate::cache::{self, Cache, Fingerprints, Part};
use crate::config::Config;
use crate::progress::Progress;
use crate::registers::codes::CodeBook;
use crate::results::Results;
use crate::{analysis, dataset, registers};
use anyhow::{Context, Result};
use std::collections::BTreeMap;

/// The results of the build: every part from the cache where its key is stored, the others
/// computed (reading the registers and building the dataset only if some part needs them) and
/// stored.
pub(super) fn results(
    config: &Config,
    source: &DataSource,
    cache: &Cache,
    progress: &Progress,
) -> Result<(Results, cache::Report)> {
    let fingerprints = Fingerprints::compute(config, &source.dir)?;
    let entries = cache::entries(&fingerprints, config)?;
    let mut parts: Vec<Option<Results>> = entries.iter().map(|e| cache.load(e)).collect();
    let missing: Vec<usize> = (0..entries.len()).filter(|&k| parts[k].is_none()).collect();
    if !missing.is_empty() {
        let codebook = CodeBook::load(&config.codebook_path())?;
        let bar = progress.bar(registers::COUNT, "registre");
        let mut regs = stage(&Progress::hidden(), "registre", || {
            let regs = registers::load_with(&source.dir, &codebook, &mut |title| {
                bar.set_message(title.to_string());
                bar.inc(1);
            });
            bar.finish_and_clear();
            regs
        })?;
        let needs_dataset = missing.iter().any(|&k| entries[k].part != Part::Deliveries);
        let data = if needs_dataset {
            Some(stage(progress, "analysedatasæt", || {
                dataset::build(&mut regs, &codebook, config.analyse.seed)
            })?)
        } else {
            None
        };
        let wanted: Vec<usize> = missing
            .iter()
            .filter_map(|&k| match entries[k].part {
                Part::Analysis(i) => Some(i),
                _ => None,
            })
            .collect();
        let mut estimated = BTreeMap::new();
        if let (false, Some(data)) = (wanted.is_empty(), &data) {
            let bar = progress.work_bar("estimation");
            estimated = stage(&Progress::hidden(), "estimation", || {
                let parts = analysis::analysis_parts_with(config, data, &wanted, &bar);
                bar.finish_and_clear();
                parts
            })?;
        }
        for &k in &missing {
            let entry = &entries[k];
            let dataset = || data.as_ref().context("analysedatasættet mangler");
            let part = match entry.part {
                Part::Data => analysis::data_part(config, &source.description, &regs, dataset()?)?,
                Part::Description => stage(progress, "beskrivende tal", || {
                    analysis::description_part(config, dataset()?)
                })?,
                Part::Deliveries => analysis::deliveries_part(config, &regs)?,
                Part::Analysis(i) => estimated
                    .remove(&i)
                    .with_context(|| format!("analysen «{}» gav ingen resultater", entry.name))?,
            };
            parts[k] = Some(cache.store(entry, part)?);
        }
    }
    let report = cache::Report {
        computed: missing.iter().map(|&k| entries[k].name.clone()).collect(),
        cached: (0..entries.len())
            .filter(|k| !missing.contains(k))
            .map(|k| entries[k].name.clone())
            .collect(),
    };
    eprintln!("  resultater: {}", report.summary());
    let mut parts = parts.into_iter().zip(&entries);
    let mut take = |wanted: Part| -> Result<Results> {
        parts
            .find(|(_, e)| e.part == wanted)
            .and_then(|(p, _)| p)
            .context("en del af resultaterne mangler")
    };
    let data = take(Part::Data)?;
    let description = take(Part::Description)?;
    let deliveries = take(Part::Deliveries)?;
    let analyses = (0..config.analyser.len())
        .map(|i| take(Part::Analysis(i)))
        .collect::<Result<Vec<_>>>()?;
    let results = analysis::assemble(
        config,
        &source.description,
        analysis::Parts {
            data,
            description,
            deliveries,
            analyses,
        },
    );
    Ok((results, report))
}
