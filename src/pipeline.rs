//! The `build` command: config → registers → dataset → estimates → tables, figures, prose → PDF.
//! Each stage's time is printed; every output is written atomically, the PDF last.

use crate::cli::BuildArgs;
use crate::config::Config;
use crate::error::InputError;
use crate::registers::codes::CodeBook;
use crate::render::Figure;
use crate::results::Results;
use crate::tables::Table;
use crate::{analysis, cache, dataset, figures, fsutil, registers, render, synth, tables};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a build produced.
pub struct BuildOutput {
    /// The results written to `resultater.json`.
    pub results: Results,
    /// The typst main file.
    pub typst: String,
    /// Text of each PDF page, as a reader sees it.
    pub pages: Vec<String>,
}

/// Where the data come from.
pub(crate) struct DataSource {
    pub(crate) dir: PathBuf,
    pub(crate) description: String,
}

/// Runs `build` from the command line.
pub fn run(args: &BuildArgs) -> Result<BuildOutput> {
    let config = Config::load(&args.config)?;
    build_report(&config, args.data.as_deref(), &args.out)
}

fn stage<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let t = Instant::now();
    let out = f()?;
    eprintln!("  {name:<28} {:>7.2} s", t.elapsed().as_secs_f64());
    Ok(out)
}

/// Builds the whole report into `out`.
pub fn build_report(config: &Config, data: Option<&Path>, out: &Path) -> Result<BuildOutput> {
    let started = Instant::now();
    eprintln!("effektrapport: bygger rapporten i {}", out.display());
    let source = stage("data", || data_source(config, data, out))?;
    let key = cache::key(config, &source.dir)?;
    let results = match cache::load(out, &key) {
        Some(mut cached) => {
            eprintln!("  resultater fra cachen (data, analyser og program uændrede)");
            // Prose, titles or dates may have changed: only the configuration stamp is renewed.
            cached.proveniens.konfiguration_fingeraftryk = analysis::config_fingerprint(config);
            cached
        }
        None => {
            let codebook = CodeBook::load(&config.root.join("dream-koder.yaml"))?;
            let regs = stage("registre", || registers::load(&source.dir, &codebook))?;
            let analysis_data = stage("analysedatasæt", || {
                dataset::build(&regs, &codebook, config.analyse.seed)
            })?;
            let provenance = analysis::provenance(config, &source.description, &regs)?;
            let results = stage("estimation", || {
                analysis::run(config, &regs, &analysis_data, provenance)
            })?;
            cache::store(out, &key, &results)?;
            results
        }
    };
    let (tables, figures) = stage("tabeller og figurer", || outputs(config, &results))?;
    let typst = stage("tekst (skabeloner)", || {
        render::report(config, &results, &tables, &figures)
    })?;
    let typeset = stage("typesætning (PDF)", || {
        let mut doc = crate::pdf::Document::new("/rapport.typ", typst.clone(), config.dato)?;
        doc.add_source(render::LAYOUT_PATH, render::LAYOUT.to_string())?;
        for figure in figures.values() {
            doc.add_file(&figure.path(), figure.svg.clone().into_bytes())?;
        }
        doc.compile_pdf("effektrapport/rapport")
    })?;
    for warning in &typeset.warnings {
        eprintln!("  advarsel fra typst: {warning}");
    }
    stage("skriv filer", || {
        fsutil::write_atomic(&out.join("resultater.json"), results.to_json()?.as_bytes())?;
        fsutil::write_atomic(&out.join("rapport.typ"), typst.as_bytes())?;
        fsutil::write_atomic(
            &out.join("rapport.txt"),
            typeset.pages.join("\n\u{c}\n").as_bytes(),
        )?;
        fsutil::write_atomic(
            &out.join("templates/rapport.typ"),
            render::LAYOUT.as_bytes(),
        )?;
        for figure in figures.values() {
            fsutil::write_atomic(
                &out.join(format!("fig/{}.svg", figure.id)),
                figure.svg.as_bytes(),
            )?;
        }
        for table in tables.values() {
            fsutil::write_atomic(
                &out.join(format!("tabeller/{}.csv", table.id)),
                table.to_csv().as_bytes(),
            )?;
        }
        fsutil::write_atomic(&out.join("rapport.pdf"), &typeset.pdf)
    })?;
    for warning in &results.advarsler {
        eprintln!("  bemærk: {warning}");
    }
    eprintln!(
        "færdig på {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        out.join("rapport.pdf").display()
    );
    Ok(BuildOutput {
        results,
        typst,
        pages: typeset.pages,
    })
}

/// The data folder: `--data`, else the config's `data.mappe`, else the bundled synthetic
/// registers (generated into `<out>/data/syntetisk-<seed>` on first use).
pub(crate) fn data_source(config: &Config, data: Option<&Path>, out: &Path) -> Result<DataSource> {
    if let Some(dir) = data
        .map(Path::to_path_buf)
        .or_else(|| config.data.mappe.clone())
    {
        if !dir.is_dir() {
            return Err(InputError::new(format!(
                "datamappen {} findes ikke; angiv en mappe med registerudtræk (docs/data.md) eller udelad --data for at bruge de syntetiske data",
                dir.display()
            ))
            .into());
        }
        return Ok(DataSource {
            description: format!("registerudtræk i {}", dir.display()),
            dir,
        });
    }
    let seed = config.data.syntetisk_seed;
    let dir = out.join(format!("data/syntetisk-{seed}"));
    let marker = dir.join(".komplet");
    let stamp = format!(
        "effektrapport {} seed {seed} analyse-seed {}\n",
        env!("CARGO_PKG_VERSION"),
        config.analyse.seed
    );
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(stamp.as_str()) {
        synth::write(
            &synth::SynthSpec {
                seed,
                analysis_seed: config.analyse.seed,
                ..synth::SynthSpec::default()
            },
            &dir,
        )
        .context("kan ikke skrive de syntetiske registre")?;
        fsutil::write_atomic(&marker, stamp.as_bytes())?;
    }
    Ok(DataSource {
        dir,
        description: format!("syntetiske registre (effektrapport synth, seed {seed})"),
    })
}

/// Tables and figures of the report, from the results.
fn outputs(
    config: &Config,
    results: &Results,
) -> Result<(BTreeMap<String, Table>, BTreeMap<String, Figure>)> {
    use tables::descriptive;
    let ids: Vec<String> = config.analyser.iter().map(|a| a.id.clone()).collect();
    let mut all = tables::catalog::effect_tables(results, &ids)?;
    all.push(descriptive::deliveries(results, config.analyse.diskretion));
    all.push(descriptive::funnel(results));
    all.push(descriptive::participants(results)?);
    all.push(descriptive::pscore(results));
    all.push(descriptive::balance(
        results,
        "bilagstabel_2_2",
        &[("alle", "Alle")],
    )?);
    all.push(descriptive::balance(
        results,
        "bilagstabel_2_3",
        &[("maend", "Mænd"), ("kvinder", "Kvinder")],
    )?);
    let tables = all.into_iter().map(|t| (t.id.clone(), t)).collect();
    let mut figs = vec![
        figures::report::profile(results, "figur_2_3")?,
        figures::report::profile(results, "figur_2_4")?,
        figures::report::score_densities(results)?,
    ];
    for spec in figures::report::WEEKLY
        .iter()
        .filter(|f| ids.iter().any(|id| id == f.id))
    {
        figs.push(figures::report::weekly(results, spec)?);
    }
    Ok((
        tables,
        figs.into_iter().map(|f| (f.id.clone(), f)).collect(),
    ))
}
