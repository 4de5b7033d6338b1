//! The `build` command: config → registers → dataset → estimates → tables, figures, prose → PDF.
//! Each stage's time is printed; every output is written atomically, the PDF last. Results come
//! from the per-part cache ([`crate::cache`]) where they can; `build --watch` ([`watch`]) rebuilds
//! whenever a watched file changes.

use crate::cache::{self, Cache, Fingerprints, Part};
use crate::cli::BuildArgs;
use crate::config::Config;
use crate::error::InputError;
use crate::figures::Figure;
use crate::progress::Progress;
use crate::registers::codes::CodeBook;
use crate::results::Results;
use crate::tables::Table;
use crate::{analysis, dataset, figures, fsutil, registers, render, synth, tables};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// Where the data come from.
pub(crate) struct DataSource {
    pub(crate) dir: PathBuf,
    pub(crate) description: String,
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

/// Runs `build` from the command line (with `--watch`: until the process is stopped).
pub fn run(args: &BuildArgs) -> Result<BuildOutput> {
    if args.watch {
        return watch(args).map(|never| match never {});
    }
    let config = Config::load(&args.source.config)?;
    build_report_with(
        &config,
        args.source.data.as_deref(),
        &args.out,
        &options(args),
    )
}

fn options(args: &BuildArgs) -> BuildOptions {
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
    let (results, report) = results(config, &source, &cache, &options.progress)?;
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

/// The results of the build: every part from the cache where its key is stored, the others
/// computed (reading the registers and building the dataset only if some part needs them) and
/// stored.
fn results(
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

/// `build --watch`: builds, then rebuilds whenever a watched file changes, until the process is
/// stopped (Ctrl-C). Watched are the configuration, the code book, every chapter it names, the
/// layout of `--templates` and an explicit data folder (`--data` or `data.mappe`).
///
/// Watching is polling, on purpose: every 500 ms the watched files are fingerprinted (the report's
/// files by a BLAKE3 hash of their contents, a data folder's files by name, size and modification
/// time), which needs nothing beyond what the program already has and works on any file system. A
/// change starts a rebuild once the files have stopped changing for a moment (editors save in
/// steps); a change during a build starts another. Each build prints one status line on stdout;
/// a failed build prints its error, and watching goes on. The results cache makes a prose-only
/// rebuild cost only rendering and typesetting.
pub fn watch(args: &BuildArgs) -> Result<std::convert::Infallible> {
    const POLL: Duration = Duration::from_millis(500);
    const SETTLE: Duration = Duration::from_millis(200);
    // Watching keeps its one status line per build: no progress bars.
    let options = BuildOptions {
        progress: Progress::hidden(),
        ..options(args)
    };
    if options.templates.is_none() && Path::new("templates/rapport.typ").is_file() {
        eprintln!(
            "effektrapport: layoutet er det indbyggede; brug --templates templates for at bygge med og følge templates/rapport.typ"
        );
    }
    let mut known_chapters: Vec<PathBuf> = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    let mut round = 0;
    loop {
        round += 1;
        let started = Instant::now();
        let config = Config::load(&args.source.config);
        if let Ok(config) = &config {
            known_chapters = config
                .kapitler
                .iter()
                .map(|c| config.chapter_path(c))
                .collect();
        }
        let data_dir = args
            .source
            .data
            .clone()
            .or_else(|| config.as_ref().ok().and_then(|c| c.data.mappe.clone()));
        let watched = watched_files(args, &known_chapters, data_dir.as_deref());
        // Taken before the build, so that an edit saved during the build starts another one.
        let before = snapshot(&watched);
        let outcome = config.and_then(|config| {
            build_report_with(&config, args.source.data.as_deref(), &args.out, &options)
        });
        let cause = if changed.is_empty() {
            String::new()
        } else {
            format!(" (ændret: {})", changed.join(", "))
        };
        let elapsed = started.elapsed().as_secs_f64();
        let line = match &outcome {
            Ok(built) => format!(
                "bygning {round}{cause}: færdig på {elapsed:.1} s, {}: {}",
                built.cache.summary(),
                args.out.join("rapport.pdf").display()
            ),
            Err(error) => {
                eprintln!("{}", crate::error::render_chain(error));
                format!(
                    "bygning {round}{cause}: fejl efter {elapsed:.1} s: {error}; venter på ændringer"
                )
            }
        };
        let mut stdout = std::io::stdout().lock();
        // A closed stdout must not stop the watching.
        let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
        drop(stdout);
        // Wait for a change, then until the files have stopped changing.
        let mut now = snapshot(&watched);
        while now == before {
            std::thread::sleep(POLL);
            now = snapshot(&watched);
        }
        loop {
            std::thread::sleep(SETTLE);
            let again = snapshot(&watched);
            if again == now {
                break;
            }
            now = again;
        }
        changed = watched
            .iter()
            .zip(before.iter().zip(&now))
            .filter(|(_, (a, b))| a != b)
            .map(|(path, _)| path.display().to_string())
            .collect();
    }
}

/// The files `build --watch` follows: configuration, code book, chapters, layout, data folder.
fn watched_files(args: &BuildArgs, chapters: &[PathBuf], data: Option<&Path>) -> Vec<PathBuf> {
    let root = args.source.config.parent().unwrap_or(Path::new(""));
    let mut files = vec![args.source.config.clone(), root.join("dream-koder.yaml")];
    files.extend(chapters.iter().cloned());
    if let Some(dir) = &args.templates {
        files.push(dir.join("rapport.typ"));
    }
    if let Some(dir) = data {
        files.push(dir.to_path_buf());
    }
    files
}

/// One fingerprint per watched path: a file's contents (`None` when missing), or a folder's
/// files by name, size and modification time.
fn snapshot(paths: &[PathBuf]) -> Vec<Option<String>> {
    paths
        .iter()
        .map(|path| {
            if path.is_dir() {
                let mut h = blake3::Hasher::new();
                let mut entries: Vec<_> = std::fs::read_dir(path)
                    .ok()?
                    .filter_map(|e| e.ok())
                    .filter_map(|e| Some((e.file_name(), e.metadata().ok()?)))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                for (name, meta) in entries {
                    h.update(name.as_encoded_bytes());
                    h.update(&meta.len().to_le_bytes());
                    if let Ok(age) = meta
                        .modified()
                        .map(|m| m.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
                    {
                        h.update(&age.as_nanos().to_le_bytes());
                    }
                }
                Some(h.finalize().to_hex().to_string())
            } else {
                std::fs::read(path)
                    .ok()
                    .map(|bytes| blake3::hash(&bytes).to_hex().to_string())
            }
        })
        .collect()
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
    let mut all = tables::catalog::effect_tables(results, config)?;
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
    let mut figs = figures::report::descriptive(results)?;
    for spec in figures::report::WeeklyFigure::declared(config) {
        figs.push(figures::report::weekly(results, &spec)?);
    }
    Ok((
        tables,
        figs.into_iter().map(|f| (f.id.clone(), f)).collect(),
    ))
}
