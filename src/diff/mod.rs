//! `effektrapport diff OLD NEW`: what changed between two builds (typically two data vintages).
//!
//! Reads `resultater.json` and `rapport.txt` of both build folders and reports every estimate and
//! number that changed beyond the tolerance (with stars gained or lost, significance crossing
//! 10 % or 5 %, sign flips), added and removed keys, the provenance of both builds, and the
//! report's sentences that differ, word by word, conclusions first. Writes `diff.json`
//! (docs/diff.md) and `diff.pdf` and prints a short Danish summary. The exit status is that of
//! diff(1): 0 no change, 1 changes, 2 error.
//!
//! OLD and NEW may also be report configs or data folders ([`Input`]): those are built first
//! into `OUT/gammel` and `OUT/ny`, sharing one results cache, so a second version that differs in
//! one analysis estimates only that analysis.

mod control;
pub mod pdf;
pub mod summary;
pub mod text;
pub mod values;

use crate::error::InputError;
use crate::fsutil;
use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use values::{EstimateChange, EstimateValues, KeyEntry, NumberChange, TextChange};

/// Version tag of the `diff.json` format.
pub const FORMAT: &str = "effektrapport-diff/1";

/// The provenance fields, in the order they are shown, with their Danish labels.
pub const PROVENANCE_FIELDS: [(&str, &str); 9] = [
    ("dream_til", "Datavintage (DREAM til)"),
    ("data_fingeraftryk", "Datafingeraftryk"),
    ("konfiguration_fingeraftryk", "Konfigurationsfingeraftryk"),
    ("version", "Programversion"),
    ("commit", "Programcommit"),
    ("datakilde", "Datakilde"),
    ("seed", "Seed"),
    ("bootstrap", "Bootstrap-replikationer (B)"),
    ("diskretion", "Diskretionsgrænse (personer)"),
];

/// A build folder as read for comparison.
#[derive(Debug, Clone)]
pub struct Build {
    /// The folder, as given on the command line.
    pub dir: PathBuf,
    /// Effect estimates by key.
    pub estimater: BTreeMap<String, EstimateValues>,
    /// Other printed numbers by key (`None`: `null` in the file).
    pub tal: BTreeMap<String, Option<f64>>,
    /// Computed text labels by key.
    pub tekster: BTreeMap<String, String>,
    /// Warnings of the build.
    pub advarsler: Vec<String>,
    /// The provenance stamp, field by field.
    pub proveniens: serde_json::Map<String, Value>,
    /// The report's sentences, `None` when the build has neither `prosa.json` nor
    /// `rapport.txt`. From `prosa.json` (the chapters' prose by section) a sentence never runs
    /// across a paragraph or heading, and title page, contents, colophon, captions and table notes
    /// are not among them; `rapport.txt` (the page text) is the fallback for older builds.
    pub saetninger: Option<Vec<String>>,
    /// The section heading of each sentence (parallel to `saetninger`; empty from `rapport.txt`).
    pub saetning_afsnit: Vec<String>,
}

impl Build {
    /// Reads a build folder (or the `resultater.json` in it). A missing folder or
    /// `resultater.json` is an input error naming the file; a missing `rapport.txt` only means
    /// the text is not compared.
    pub fn load(path: &Path) -> Result<Build> {
        let dir = if path.is_file() && path.file_name().is_some_and(|n| n == "resultater.json") {
            path.parent().unwrap_or(Path::new(".")).to_path_buf()
        } else {
            path.to_path_buf()
        };
        if !dir.is_dir() {
            return crate::error::input_error(format!(
                "{} findes ikke eller er ikke en mappe; angiv en byggemappe, som `effektrapport build --out MAPPE` skriver",
                path.display()
            ));
        }
        let json_path = dir.join("resultater.json");
        if !json_path.is_file() {
            return crate::error::input_error(format!(
                "{} findes ikke: {} er ikke en byggemappe. Byg rapporten først med `effektrapport build --out {}`, eller angiv en rapportkonfiguration (.yaml) eller en datamappe, som `diff` så bygger",
                json_path.display(),
                dir.display(),
                dir.display()
            ));
        }
        // The cause goes into the InputError's own message: `error::exit_code` recognises an
        // InputError in the chain of causes, not one attached as context.
        let json = std::fs::read_to_string(&json_path)
            .map_err(|e| InputError::new(format!("kan ikke læse {}: {e}", json_path.display())))?;
        let txt_path = dir.join("rapport.txt");
        let text = match std::fs::read_to_string(&txt_path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return crate::error::input_error(format!(
                    "kan ikke læse {}: {e}",
                    txt_path.display()
                ));
            }
        };
        let mut build = Build::from_parts(&json, text.as_deref()).map_err(|e| {
            InputError::new(format!(
                "{} kan ikke læses som resultater fra effektrapport: {e:#}",
                json_path.display()
            ))
        })?;
        let prose_path = dir.join("prosa.json");
        if prose_path.is_file() {
            let prose: Vec<crate::render::markdown::Prose> = std::fs::read_to_string(&prose_path)
                .map_err(anyhow::Error::from)
                .and_then(|t| serde_json::from_str(&t).map_err(anyhow::Error::from))
                .map_err(|e| {
                    InputError::new(format!("kan ikke læse {}: {e}", prose_path.display()))
                })?;
            let (sentences, sections) = text::prose_sentences(&prose);
            build.saetninger = Some(sentences);
            build.saetning_afsnit = sections;
        }
        build.dir = path.to_path_buf();
        Ok(build)
    }

    /// A build from the text of its `resultater.json` and `rapport.txt`. Fields are read
    /// leniently (missing ones are empty), so builds of other program versions compare.
    pub fn from_parts(resultater_json: &str, rapport_txt: Option<&str>) -> Result<Build> {
        let value: Value = serde_json::from_str(resultater_json)?;
        let Value::Object(mut top) = value else {
            anyhow::bail!("filen er ikke et JSON-objekt");
        };
        if !top.contains_key("estimater") && !top.contains_key("tal") {
            anyhow::bail!(
                "filen har hverken \"estimater\" eller \"tal\" og er ikke en resultater.json fra effektrapport"
            );
        }
        fn field<T: serde::de::DeserializeOwned + Default>(
            top: &mut serde_json::Map<String, Value>,
            name: &str,
        ) -> Result<T> {
            match top.remove(name) {
                None | Some(Value::Null) => Ok(T::default()),
                Some(v) => serde_json::from_value(v).with_context(|| format!("feltet \"{name}\"")),
            }
        }
        Ok(Build {
            dir: PathBuf::new(),
            estimater: field(&mut top, "estimater")?,
            tal: field(&mut top, "tal")?,
            tekster: field(&mut top, "tekster")?,
            advarsler: field(&mut top, "advarsler")?,
            proveniens: field(&mut top, "proveniens")?,
            saetninger: rapport_txt.map(|t| text::sentences(&text::normalize(t))),
            saetning_afsnit: Vec::new(),
        })
    }
}

/// One provenance field of both builds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProvenanceField {
    /// Field name in `resultater.json`.
    pub felt: String,
    /// Danish label.
    pub etiket: String,
    /// Value in the old build (`null` when missing).
    pub gammel: Value,
    /// Value in the new build.
    pub ny: Value,
    /// Whether they differ.
    pub forskellig: bool,
}

/// The provenance of both builds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProvenanceDiff {
    /// Every field: the known ones in a fixed order, then any others alphabetically.
    pub felter: Vec<ProvenanceField>,
    /// Names of the fields that differ.
    pub forskellige: Vec<String>,
}

/// Warnings added or removed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WarningsDiff {
    /// Warnings only in the new build.
    pub tilfoejet: Vec<String>,
    /// Warnings only in the old build.
    pub fjernet: Vec<String>,
}

/// The counts of the comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Counts {
    /// Estimates present in both that changed.
    pub estimater_aendret: usize,
    /// Other numbers present in both that changed.
    pub tal_aendret: usize,
    /// Text labels present in both that changed.
    pub tekster_aendret: usize,
    /// Keys (estimates, numbers, texts) only in the new build.
    pub noegler_tilfoejet: usize,
    /// Keys only in the old build.
    pub noegler_fjernet: usize,
    /// Estimates with more stars.
    pub stjerner_vundet: usize,
    /// Estimates with fewer stars.
    pub stjerner_mistet: usize,
    /// Estimates whose p-value crossed 10 % or 5 %.
    pub signifikans_krydset: usize,
    /// Estimates that changed sign.
    pub fortegn_skiftet: usize,
    /// Sentences in both reports with changed words.
    pub saetninger_aendret: usize,
    /// Sentences only in the new report.
    pub saetninger_tilfoejet: usize,
    /// Sentences only in the old report.
    pub saetninger_fjernet: usize,
    /// Changed sentences with conclusion wording.
    pub konklusioner_aendret: usize,
    /// Warnings added or removed.
    pub advarsler_aendret: usize,
}

/// The whole comparison, as written to `diff.json` (docs/diff.md).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Diff {
    /// Format tag: `effektrapport-diff/1`.
    pub format: &'static str,
    /// The old build folder, as given.
    pub gammel: String,
    /// The new build folder, as given.
    pub ny: String,
    /// The relative tolerance used.
    pub tolerance: f64,
    /// Whether anything changed (the exit status is 1 exactly then).
    pub aendret: bool,
    /// Counts.
    pub opsummering: Counts,
    /// Provenance of both builds.
    pub proveniens: ProvenanceDiff,
    /// Changed estimates: those that matter for the conclusions (stars, significance, sign)
    /// first, then in key order.
    pub estimater: Vec<EstimateChange>,
    /// Changed other numbers, in key order.
    pub tal: Vec<NumberChange>,
    /// Changed text labels, in key order.
    pub tekster: Vec<TextChange>,
    /// Keys only in the new build.
    pub tilfoejet: Vec<KeyEntry>,
    /// Keys only in the old build.
    pub fjernet: Vec<KeyEntry>,
    /// Warnings added or removed.
    pub advarsler: WarningsDiff,
    /// Whether the report texts were compared (both builds have `rapport.txt`).
    pub tekst_sammenlignet: bool,
    /// The sentences that differ: conclusions first, then in reading order.
    pub saetninger: Vec<text::SentenceChange>,
    /// Notes about the comparison itself (e.g. a missing `rapport.txt`).
    pub bemaerkninger: Vec<String>,
    /// The output-control threshold of the comparison (the stricter of the two builds').
    pub diskretion: usize,
    /// The output-control log: each count change hidden (1 to threshold − 1 persons), with its
    /// size. Written to `diff.diskretion.json`, never to `diff.json`.
    #[serde(skip)]
    pub diskretionslog: Vec<crate::diskretion::Suppressed>,
}

/// Compares two builds.
pub fn compare(old: &Build, new: &Build, tolerance: f64) -> Diff {
    let est = values::compare_maps("estimat", &old.estimater, &new.estimater, |k, a, b| {
        values::compare_estimate(k, a, b, tolerance)
    });
    let tal = values::compare_maps("tal", &old.tal, &new.tal, |k, a, b| {
        values::compare_number(k, *a, *b, tolerance)
    });
    let tekster = values::compare_maps("tekst", &old.tekster, &new.tekster, |k, a, b| {
        (a != b).then(|| TextChange {
            noegle: k.to_string(),
            gammel: a.clone(),
            ny: b.clone(),
        })
    });
    let mut estimater = est.changed;
    estimater.sort_by_key(|c| !c.konklusion);
    let tilfoejet: Vec<KeyEntry> = [est.added, tal.added, tekster.added].concat();
    let fjernet: Vec<KeyEntry> = [est.removed, tal.removed, tekster.removed].concat();

    let advarsler = WarningsDiff {
        tilfoejet: new
            .advarsler
            .iter()
            .filter(|w| !old.advarsler.contains(w))
            .cloned()
            .collect(),
        fjernet: old
            .advarsler
            .iter()
            .filter(|w| !new.advarsler.contains(w))
            .cloned()
            .collect(),
    };

    let mut bemaerkninger = Vec::new();
    let saetninger = match (&old.saetninger, &new.saetninger) {
        (Some(a), Some(b)) => {
            let mut changes = text::compare(a, b);
            // Each changed sentence named by its section (new report's, else old's).
            for change in &mut changes {
                let section = |build: &Build, nr: Option<usize>| {
                    nr.and_then(|n| build.saetning_afsnit.get(n - 1)).cloned()
                };
                change.afsnit = section(new, change.ny_nr)
                    .or_else(|| section(old, change.gammel_nr))
                    .filter(|s| !s.is_empty());
            }
            changes
        }
        _ => {
            for build in [old, new] {
                if build.saetninger.is_none() {
                    bemaerkninger.push(format!(
                        "{} mangler, så rapportens tekst er ikke sammenlignet (byg igen med denne version af effektrapport)",
                        build.dir.join("rapport.txt").display()
                    ));
                }
            }
            Vec::new()
        }
    };
    let tekst_sammenlignet = old.saetninger.is_some() && new.saetninger.is_some();

    let proveniens = compare_provenance(&old.proveniens, &new.proveniens);
    let count_art = |art: &str| saetninger.iter().filter(|s| s.art == art).count();
    let opsummering = Counts {
        estimater_aendret: estimater.len(),
        tal_aendret: tal.changed.len(),
        tekster_aendret: tekster.changed.len(),
        noegler_tilfoejet: tilfoejet.len(),
        noegler_fjernet: fjernet.len(),
        stjerner_vundet: estimater
            .iter()
            .filter(|c| c.stjerner.aendring == Some("vundet"))
            .count(),
        stjerner_mistet: estimater
            .iter()
            .filter(|c| c.stjerner.aendring == Some("mistet"))
            .count(),
        signifikans_krydset: estimater
            .iter()
            .filter(|c| !c.signifikans.is_empty())
            .count(),
        fortegn_skiftet: estimater.iter().filter(|c| c.fortegn_skiftet).count(),
        saetninger_aendret: count_art("aendret"),
        saetninger_tilfoejet: count_art("tilfoejet"),
        saetninger_fjernet: count_art("fjernet"),
        konklusioner_aendret: saetninger.iter().filter(|s| s.konklusion).count(),
        advarsler_aendret: advarsler.tilfoejet.len() + advarsler.fjernet.len(),
    };
    let aendret = !estimater.is_empty()
        || !tal.changed.is_empty()
        || !tekster.changed.is_empty()
        || !tilfoejet.is_empty()
        || !fjernet.is_empty()
        || !saetninger.is_empty()
        || opsummering.advarsler_aendret > 0;
    let mut diff = Diff {
        format: FORMAT,
        gammel: old.dir.display().to_string(),
        ny: new.dir.display().to_string(),
        tolerance,
        aendret,
        opsummering,
        proveniens,
        estimater,
        tal: tal.changed,
        tekster: tekster.changed,
        tilfoejet,
        fjernet,
        advarsler,
        tekst_sammenlignet,
        saetninger,
        bemaerkninger,
        diskretion: control::threshold(old, new),
        diskretionslog: Vec::new(),
    };
    diff.diskretionslog = control::apply(&mut diff);
    if !diff.diskretionslog.is_empty() {
        diff.bemaerkninger.push(format!(
            "{} optællinger ændrede sig med færre end {} personer; de vises som «–» af diskretionshensyn",
            diff.diskretionslog.len(),
            diff.diskretion
        ));
    }
    diff
}

fn compare_provenance(
    old: &serde_json::Map<String, Value>,
    new: &serde_json::Map<String, Value>,
) -> ProvenanceDiff {
    let mut names: Vec<(String, String)> = PROVENANCE_FIELDS
        .iter()
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .collect();
    let mut others: Vec<&String> = old
        .keys()
        .chain(new.keys())
        .filter(|k| !PROVENANCE_FIELDS.iter().any(|(f, _)| f == k))
        .collect();
    others.sort();
    others.dedup();
    names.extend(others.into_iter().map(|k| (k.clone(), k.clone())));
    let felter: Vec<ProvenanceField> = names
        .into_iter()
        .map(|(felt, etiket)| {
            let gammel = old.get(&felt).cloned().unwrap_or(Value::Null);
            let ny = new.get(&felt).cloned().unwrap_or(Value::Null);
            ProvenanceField {
                forskellig: gammel != ny,
                felt,
                etiket,
                gammel,
                ny,
            }
        })
        .collect();
    let forskellige = felter
        .iter()
        .filter(|f| f.forskellig)
        .map(|f| f.felt.clone())
        .collect();
    ProvenanceDiff {
        felter,
        forskellige,
    }
}

/// What OLD or NEW names on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A build folder (or its `resultater.json`).
    Build(PathBuf),
    /// A report configuration file (`.yaml`/`.yml`; a folder with `rapport.yaml` names its config).
    Config(PathBuf),
    /// A folder of register extracts (it has a DREAM or deliveries file, as `synth` writes).
    Data(PathBuf),
}

impl Input {
    /// Recognises what `path` is; anything else is an input error that says what is accepted.
    pub fn classify(path: &Path) -> Result<Input> {
        if path.is_file() {
            let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
            return match name.as_deref() {
                Some("resultater.json") => Ok(Input::Build(path.to_path_buf())),
                Some(n) if n.ends_with(".yaml") || n.ends_with(".yml") => {
                    Ok(Input::Config(path.to_path_buf()))
                }
                _ => crate::error::input_error(format!(
                    "{} er hverken en byggemappe, en resultater.json, en rapportkonfiguration (.yaml) eller en datamappe; angiv en af dem",
                    path.display()
                )),
            };
        }
        if !path.is_dir() {
            return crate::error::input_error(format!(
                "{} findes ikke; angiv en byggemappe (som `effektrapport build --out MAPPE` skriver), en rapportkonfiguration (.yaml) eller en datamappe",
                path.display()
            ));
        }
        if path.join("resultater.json").is_file() {
            return Ok(Input::Build(path.to_path_buf()));
        }
        if path.join("rapport.yaml").is_file() {
            return Ok(Input::Config(path.join("rapport.yaml")));
        }
        let registers = ["dream", "deltagere"];
        if registers
            .iter()
            .any(|stem| matches!(crate::registers::table::find(path, stem), Ok(Some(_))))
        {
            return Ok(Input::Data(path.to_path_buf()));
        }
        crate::error::input_error(format!(
            "{} findes ikke, og {} er heller ikke en rapportmappe (med rapport.yaml) eller en datamappe (med dream.sas7bdat, dream.parquet eller dream.csv, se docs/data.md). Byg rapporten først med `effektrapport build --out {}`, eller angiv en rapportkonfiguration eller en datamappe",
            path.join("resultater.json").display(),
            path.display(),
            path.display()
        ))
    }
}

/// The build of one side of the comparison: read as it is, or built first from a config or a data
/// folder into `out/<side>` (with the cache shared by both sides). Returns the build, named as
/// given on the command line, and a note on what was built.
fn prepare(
    input: &Input,
    given: &Path,
    side: &str,
    args: &Request,
    out: &Path,
) -> Result<(Build, Option<String>)> {
    let (config_path, data) = match input {
        Input::Build(_) => return Ok((Build::load(given)?, None)),
        Input::Config(path) => (path.clone(), args.data.clone()),
        Input::Data(dir) => (args.config.clone(), Some(dir.clone())),
    };
    let label = if side == "gammel" {
        "den gamle"
    } else {
        "den nye"
    };
    let dir = out.join(side);
    let config = crate::config::Config::load(&config_path)
        .with_context(|| format!("kan ikke bygge {label} version ({})", given.display()))?;
    let options = crate::pipeline::BuildOptions {
        cache_dir: Some(out.join(".cache")),
        synthetic_root: Some(out.to_path_buf()),
        // `diff` keeps its one-line summary.
        ..crate::pipeline::BuildOptions::default()
    };
    crate::pipeline::build_report_with(&config, data.as_deref(), &dir, &options)
        .with_context(|| format!("kan ikke bygge {label} version ({})", given.display()))?;
    let mut build = Build::load(&dir)?;
    build.dir = given.to_path_buf();
    let what = match input {
        Input::Data(_) => format!(
            "datamappen {} med konfigurationen {}",
            given.display(),
            config_path.display()
        ),
        _ => match &data {
            Some(d) => format!(
                "konfigurationen {} med datamappen {}",
                config_path.display(),
                d.display()
            ),
            None => format!("konfigurationen {}", config_path.display()),
        },
    };
    let note = format!(
        "{} version er bygget fra {what} i {}",
        if side == "gammel" {
            "Den gamle"
        } else {
            "Den nye"
        },
        dir.display()
    );
    Ok((build, Some(note)))
}

/// What `diff` is asked to compare.
#[derive(Debug, Clone)]
pub struct Request {
    /// The old version: a build folder, a report configuration or a data folder.
    pub old: PathBuf,
    /// The new version, as `old`.
    pub new: PathBuf,
    /// The folder of diff.json and diff.pdf (`None`: NEW/diff for a build folder, else build/diff).
    pub out: Option<PathBuf>,
    /// The configuration for a data folder given as old or new.
    pub config: PathBuf,
    /// The data folder for a configuration given as old or new.
    pub data: Option<PathBuf>,
    /// The relative tolerance.
    pub tolerance: f64,
}

/// Runs `diff` from the command line: builds a config or data folder given as OLD or NEW,
/// compares, writes `diff.json` and `diff.pdf`, prints the summary. Returns the exit status:
/// 0 no change, 1 changes.
pub fn run(args: &Request) -> Result<i32> {
    if !(args.tolerance >= 0.0 && args.tolerance.is_finite()) {
        return crate::error::input_error(format!(
            "--tolerance skal være et ikke-negativt tal (relativ tolerance, fx 0.001), ikke {}",
            args.tolerance
        ));
    }
    // Both arguments are recognised before anything is built or written.
    let old_input = Input::classify(&args.old)?;
    let new_input = Input::classify(&args.new)?;
    let out = args.out.clone().unwrap_or_else(|| match &new_input {
        Input::Build(_) => {
            let dir = if args.new.is_file() {
                args.new.parent().unwrap_or(Path::new(".")).to_path_buf()
            } else {
                args.new.clone()
            };
            dir.join("diff")
        }
        _ => PathBuf::from("build/diff"),
    });
    let (old, old_note) = prepare(&old_input, &args.old, "gammel", args, &out)?;
    let (new, new_note) = prepare(&new_input, &args.new, "ny", args, &out)?;
    let mut diff = compare(&old, &new, args.tolerance);
    let notes: Vec<String> = [old_note, new_note].into_iter().flatten().collect();
    diff.bemaerkninger.splice(0..0, notes);
    let json = serde_json::to_string_pretty(&diff)? + "\n";
    let pdf = pdf::render(&diff)?;
    fsutil::write_atomic(&out.join("diff.json"), json.as_bytes())?;
    fsutil::write_atomic(&out.join("diff.pdf"), &pdf)?;
    fsutil::write_atomic(
        &out.join("diff.diskretion.json"),
        crate::diskretion::log_json(diff.diskretion, &diff.diskretionslog)?.as_bytes(),
    )?;
    print!("{}", summary::terminal(&diff, &out));
    Ok(if diff.aendret { 1 } else { 0 })
}
