//! The `build` command: config → registers → dataset → estimates → tables, figures, prose → PDF.
//! Each stage's time is printed; every output is written atomically, the PDF last. Results come
//! from the per-part cache ([`crate::cache`]) where they can; `build --watch` ([`watch`]) rebuilds
//! whenever a watched file changes.

mod cached;
mod source;
mod watch;

pub(crate) use source::data_source;

use crate::cache::{self, Cache};
use crate::config::Config;
use crate::error::InputError;
use crate::figures::Figure;
use crate::groups::Group;
use crate::progress::Progress;
use crate::results::Results;
use crate::tables::Table;
use crate::{analysis, figures, fsutil, render, tables};
use anyhow::Result;
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
    /// Which parts of the results were computed and which were served from the cache.
    pub cache: cache::Report,
}

/// Where a build keeps what it shares with other builds, and the layout it uses.
#[derive(Debug, Clone, Default)]
pub(crate) struct BuildOptions {
    /// The results cache [default: `OUT/.cache`].
    pub(crate) cache_dir: Option<PathBuf>,
    /// Where the bundled synthetic registers are generated, as `<dir>/data/syntetisk-<seed>`
    /// [default: OUT].
    pub(crate) synthetic_root: Option<PathBuf>,
    /// A folder whose `rapport.typ` replaces the layout built into the program.
    pub(crate) templates: Option<PathBuf>,
    /// Progress bars on the long stages (hidden by default: `--watch`, `diff`, the library).
    pub(crate) progress: Progress,
}

/// What `build` is asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// The report's configuration.
    pub config: PathBuf,
    /// The data folder (`None`: the config's, else the bundled synthetic registers).
    pub data: Option<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// Rebuild whenever a watched file changes, until the process is stopped.
    pub watch: bool,
    /// A folder whose `rapport.typ` replaces the built-in layout.
    pub templates: Option<PathBuf>,
    /// No progress bars.
    pub quiet: bool,
}

/// Runs `build` (with `watch`: until the process is stopped).
pub fn run(args: &Request) -> Result<BuildOutput> {
    if args.watch {
        return watch::watch(args).map(|never| match never {});
    }
    let config = Config::load(&args.config)?;
    build_report_with(&config, args.data.as_deref(), &args.out, &options(args))
}

fn options(args: &Request) -> BuildOptions {
    BuildOptions {
        templates: args.templates.clone(),
        progress: Progress::new(!args.quiet),
        ..BuildOptions::default()
    }
}

fn stage<T>(progress: &Progress, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let t = Instant::now();
    let spinner = progress.spinner(name);
    let out = f();
    spinner.finish_and_clear();
    let out = out?;
    eprintln!("  {name:<28} {:>7.2} s", t.elapsed().as_secs_f64());
    Ok(out)
}

/// Builds the whole report into `out`, with the results cache in `out/.cache`.
pub fn build_report(config: &Config, data: Option<&Path>, out: &Path) -> Result<BuildOutput> {
    build_report_with(config, data, out, &BuildOptions::default())
}

/// Builds the whole report into `out`.
pub(crate) fn build_report_with(
    config: &Config,
    data: Option<&Path>,
    out: &Path,
    options: &BuildOptions,
) -> Result<BuildOutput> {
    let started = Instant::now();
    eprintln!("effektrapport: bygger rapporten i {}", out.display());
    // Bad analyses stop the build before any work, whether or not their results are cached.
    analysis::check(config)?;
    let layout = layout(options)?;
    let synthetic_root = options.synthetic_root.as_deref().unwrap_or(out);
    let source = stage(&options.progress, "data", || {
        data_source(config, data, synthetic_root)
    })?;
    let cache = Cache::new(
        options
            .cache_dir
            .clone()
            .unwrap_or_else(|| out.join(".cache")),
    );
    let (results, report) = cached::results(config, &source, &cache, &options.progress)?;
    let (tables, figures) = stage(&options.progress, "tabeller og figurer", || {
        outputs(config, &results)
    })?;
    let render::Rendered { typst, prosa } = stage(&options.progress, "tekst (skabeloner)", || {
        render::report(config, &results, &tables, &figures)
    })?;
    let typeset = stage(&options.progress, "typesætning (PDF)", || {
        let mut doc = crate::pdf::Document::new("/rapport.typ", typst.clone(), config.dato)?;
        doc.add_source(render::LAYOUT_PATH, layout.clone())?;
        for figure in figures.values() {
            doc.add_file(&figure.path(), figure.svg.clone().into_bytes())?;
        }
        doc.compile_pdf("effektrapport/rapport")
    })?;
    for warning in &typeset.warnings {
        eprintln!("  advarsel fra typst: {warning}");
    }
    stage(&options.progress, "skriv filer", || {
        fsutil::write_atomic(&out.join("resultater.json"), results.to_json()?.as_bytes())?;
        fsutil::write_atomic(
            &out.join("diskretion.json"),
            crate::diskretion::log_json(config.analyse.diskretion, &results.diskretionslog)?
                .as_bytes(),
        )?;
        fsutil::write_atomic(&out.join("rapport.typ"), typst.as_bytes())?;
        fsutil::write_atomic(
            &out.join("rapport.txt"),
            typeset.pages.join("\n\u{c}\n").as_bytes(),
        )?;
        fsutil::write_atomic(
            &out.join("prosa.json"),
            serde_json::to_string_pretty(&prosa)?.as_bytes(),
        )?;
        fsutil::write_atomic(&out.join("templates/rapport.typ"), layout.as_bytes())?;
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
        "  diskretion: {} celler skjult (tærskel {} personer), se {}",
        results.diskretionslog.len(),
        config.analyse.diskretion,
        out.join("diskretion.json").display()
    );
    eprintln!(
        "færdig på {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        out.join("rapport.pdf").display()
    );
    Ok(BuildOutput {
        results,
        typst,
        pages: typeset.pages,
        cache: report,
    })
}

/// The typst layout: the built-in one, or `rapport.typ` of `--templates`.
fn layout(options: &BuildOptions) -> Result<String> {
    let Some(dir) = &options.templates else {
        return Ok(render::LAYOUT.to_string());
    };
    let path = dir.join("rapport.typ");
    std::fs::read_to_string(&path).map_err(|e| {
        InputError::new(format!(
            "kan ikke læse skabelonen {}: {e}; --templates skal pege på en mappe med rapport.typ (som templates/ i projektet)",
            path.display()
        ))
        .into()
    })
}

/// Tables and figures of the report, from the results.
fn outputs(
    config: &Config,
    results: &Results,
) -> Result<(BTreeMap<String, Table>, BTreeMap<String, Figure>)> {
    use tables::descriptive;
    let mut all = tables::catalog::effect_tables(results, config)?;
    all.push(descriptive::deliveries(results, config.analyse.diskretion));
    all.push(descriptive::funnel(results));
    all.push(descriptive::participants(results)?);
    all.push(descriptive::pscore(results));
    all.push(descriptive::balance(
        results,
        "bilagstabel_2_2",
        &[Group::Alle.key_label()],
    )?);
    all.push(descriptive::balance(
        results,
        "bilagstabel_2_3",
        &Group::SEXES.map(Group::key_label),
    )?);
    let tables = all.into_iter().map(|t| (t.id.clone(), t)).collect();
    let mut figs = figures::report::descriptive(results)?;
    for spec in figures::report::WeeklyFigure::declared(config) {
        figs.push(figures::report::weekly(results, &spec)?);
    }
    Ok((
        tables,
        figs.into_iter().map(|f| (f.id.clone(), f)).collect(),
    ))
}
