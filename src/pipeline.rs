//! The `build` command: config → registers → dataset → estimates → tables, figures, prose → PDF.
//! Each stage's time is printed; every output is written atomically, the PDF last.

use crate::cli::BuildArgs;
use crate::config::Config;
use crate::error::InputError;
use crate::registers::codes::CodeBook;
use crate::render::Figure;
use crate::results::Results;
use crate::tables::Table;
use crate::{analysis, dataset, figures, fsutil, registers, render, synth, tables};
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
struct DataSource {
    dir: PathBuf,
    description: String,
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
    let codebook = CodeBook::load(&config.root.join("dream-koder.yaml"))?;
    let regs = stage("registre", || registers::load(&source.dir, &codebook))?;
    let analysis_data = stage("analysedatasæt", || {
        dataset::build(&regs, &codebook, config.analyse.seed)
    })?;
    let provenance = analysis::provenance(config, &source.description, &regs)?;
    let results = stage("estimation", || {
        analysis::run(config, &analysis_data, provenance)
    })?;
    let (tables, figures) = stage("tabeller og figurer", || outputs(&results))?;
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
fn data_source(config: &Config, data: Option<&Path>, out: &Path) -> Result<DataSource> {
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
    let stamp = format!("effektrapport {} seed {seed}\n", env!("CARGO_PKG_VERSION"));
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(stamp.as_str()) {
        synth::write(&synth::SynthSpec { seed, scale: 1.0 }, &dir)
            .context("kan ikke skrive de syntetiske registre")?;
        fsutil::write_atomic(&marker, stamp.as_bytes())?;
    }
    Ok(DataSource {
        dir,
        description: format!("syntetiske registre (effektrapport synth, seed {seed})"),
    })
}

/// Tables and figures of the report, from the results.
fn outputs(results: &Results) -> Result<(BTreeMap<String, Table>, BTreeMap<String, Figure>)> {
    let mut tables = BTreeMap::new();
    let t41 = tables::effects::table(
        results,
        "tabel_4_1",
        "Effekt af deltagelse på ordinær beskæftigelse i januar–juli 2019 for alle, mænd og kvinder",
        &[("beskaeftigelse", "Ordinær beskæftigelse")],
        &tables::effects::GROUPS,
        &[1, 2],
    )?;
    tables.insert(t41.id.clone(), t41);
    let mut figs = BTreeMap::new();
    let fig = figure_2_3(results)?;
    figs.insert(fig.id.clone(), fig);
    Ok((tables, figs))
}

/// Figur 2.3: participants' average employment rate by month relative to start, by sex.
fn figure_2_3(results: &Results) -> Result<Figure> {
    let data = results
        .figurer
        .get("figur_2_3")
        .context("resultaterne mangler data til figur 2.3")?;
    let series: Vec<figures::Series> = [("maend", "Mænd"), ("kvinder", "Kvinder")]
        .iter()
        .filter_map(|(key, label)| {
            data.get(*key).map(|points| figures::Series {
                label: label.to_string(),
                points: points.iter().map(|p| (p[0], p[1] * 100.0)).collect(),
                band: None,
            })
        })
        .collect();
    let top = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(10.0f64, f64::max);
    let axes = figures::Axes {
        x_label: "Måneder i forhold til start".into(),
        y_label: "Beskæftigelsesgrad (pct.)".into(),
        x_range: (-12.0, 12.0),
        y_range: (0.0, (top * 1.15 / 5.0).ceil() * 5.0),
        y_decimals: 0,
    };
    Ok(Figure {
        id: "figur_2_3".into(),
        caption:
            "Deltagernes gennemsnitlige beskæftigelsesgrad før og efter start, mænd og kvinder"
                .into(),
        note: "Kilde: DREAM (beskæftigelsesgrad pr. måned); deltagere i analysepopulationen."
            .into(),
        svg: figures::line_chart(&axes, &series)?,
    })
}
