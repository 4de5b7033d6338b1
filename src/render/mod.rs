//! From results to typst markup: each chapter is Danish markdown with minijinja expressions over
//! the results; tables and figures are inserted as ready typst; the markdown becomes typst markup
//! ([`markdown`]); the chapters are wrapped in the layout of `templates/rapport.typ`.
//!
//! Template functions: `r("tabel_4_1.alle.m2.beskaeftigelse")` (an estimate: est, se, p,
//! stjerner, kontrolniveau, rel, n), `tal("befolkning.trin1.kontrol")` (any other number),
//! `tekst("hovedperiode")` (a computed label), `tabel("tabel_4_1")`, `figur("figur_2_3")`,
//! `har_figur("bilagsfigur_2_2")` (whether the build made that figure), `bilag()` (the
//! appendices start here). Filters (Danish formatting): `tal(d)`, `pct(d)`, `pp(d)`,
//! `heltal`, `fortegn(d)`, `p` ("p = 0,023" or "p < 0,001"). Globals: `befolkning` (the funnel),
//! `proveniens`, `advarsler`. Undefined names are errors, never blanks. Template comments are
//! `{## … ##}`, since `{#label}` is markdown's heading-label syntax.

pub mod markdown;

use crate::config::Config;
use crate::error::InputError;
use crate::locale;
use crate::results::Results;
use crate::tables::Table;
use crate::typst_text::typst_string;
use anyhow::{Context, Result};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, ErrorKind, UndefinedBehavior};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::figures::Figure;

/// The layout template, embedded in the binary.
pub const LAYOUT: &str = include_str!("../../templates/rapport.typ");
/// Virtual path of the layout template.
pub const LAYOUT_PATH: &str = "/templates/rapport.typ";

/// Ready typst blocks (tables, figures) that template functions insert; the markdown converter
/// replaces each `<!--raw:N-->` placeholder with block N.
#[derive(Clone, Default)]
pub struct Blocks(Arc<Mutex<Vec<String>>>);

impl Blocks {
    /// Stores ready typst and returns the markdown placeholder for it.
    fn insert(&self, markup: String) -> Value {
        let mut blocks = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        blocks.push(markup);
        Value::from_safe_string(format!("\n<!--raw:{}-->\n", blocks.len() - 1))
    }

    fn snapshot(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// Renders the whole report to typst markup (the main file).
pub fn report(
    config: &Config,
    results: &Results,
    tables: &BTreeMap<String, Table>,
    figures: &BTreeMap<String, Figure>,
) -> Result<Rendered> {
    let blocks = Blocks::default();
    let mut env = base_environment()?;
    add_results(&mut env, results);
    add_blocks(&mut env, &blocks, tables, figures);
    // Chapters may import shared macros: `{% import "kapitler/makroer.j2" as m %}`.
    env.set_loader(minijinja::path_loader(&config.root));
    let mut body = String::new();
    let mut prose = Vec::new();
    for chapter in &config.kapitler {
        let path = config.chapter_path(chapter);
        let source = std::fs::read_to_string(&path).with_context(|| {
            InputError::new(format!("kan ikke læse kapitlet {}", path.display()))
        })?;
        let name = path.display().to_string();
        let (typst, chapter_prose) =
            render_chapter(&env, &blocks, &name, &source, minijinja::context! {})?;
        body.push_str(&typst);
        body.push_str("\n\n");
        prose.extend(chapter_prose);
    }
    Ok(Rendered {
        typst: wrap(config, results, &body),
        prosa: prose,
    })
}

/// The report as typst markup, and its running prose section by section.
pub struct Rendered {
    /// The main typst file.
    pub typst: String,
    /// The chapters' prose by section ([`markdown::Prose`]), for the vintage diff.
    pub prosa: Vec<markdown::Prose>,
}

/// Renders one markdown + minijinja source with `context` and converts it to typst markup.
pub fn render_markdown(
    env: &Environment,
    blocks: &Blocks,
    name: &str,
    source: &str,
    context: Value,
) -> Result<String> {
    render_chapter(env, blocks, name, source, context).map(|(typst, _)| typst)
}

/// [`render_markdown`], and the chapter's prose section by section ([`markdown::prose`]).
pub fn render_chapter(
    env: &Environment,
    blocks: &Blocks,
    name: &str,
    source: &str,
    context: Value,
) -> Result<(String, Vec<markdown::Prose>)> {
    let rendered = env
        .render_named_str(name, source, context)
        .map_err(|e| template_error(name, &e))?;
    let markdown_error = |e| InputError::new(format!("{name} (efter skabelonen): {e}"));
    let typst =
        markdown::markdown_to_typst(&rendered, &blocks.snapshot()).map_err(markdown_error)?;
    let prose = markdown::prose(&rendered).map_err(markdown_error)?;
    Ok((typst, prose))
}

fn template_error(name: &str, error: &minijinja::Error) -> anyhow::Error {
    let line = error.line().map(|l| format!(":{l}")).unwrap_or_default();
    let detail = error.detail().map(|d| format!(": {d}")).unwrap_or_default();
    let hint = match error.kind() {
        ErrorKind::UndefinedError => " (navnet findes ikke; se docs/resultater.md for nøglerne)",
        _ => "",
    };
    InputError::new(format!(
        "{name}{line}: skabelonfejl: {}{detail}{hint}",
        error.kind()
    ))
    .into()
}

/// The environment every document shares: strict undefined, `{## ##}` comments, Danish filters.
pub fn base_environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Markdown heading attributes are written `{#label}`, so template comments are `{## … ##}`.
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .comment_delimiters("{##", "##}")
        .build()?;
    env.set_syntax(syntax);
    env.add_filter("tal", |x: f64, decimals: Option<usize>| {
        locale::tal(x, decimals.unwrap_or(1))
    });
    env.add_filter("fortegn", |x: f64, decimals: Option<usize>| {
        locale::tal_fortegn(x, decimals.unwrap_or(1))
    });
    env.add_filter("pct", |x: f64, decimals: Option<usize>| {
        locale::pct(x, decimals.unwrap_or(1))
    });
    env.add_filter("pp", |x: f64, decimals: Option<usize>| {
        locale::pp(x, decimals.unwrap_or(1))
    });
    env.add_filter("heltal", |x: f64| locale::heltal(x.round() as i64));
    // `x is vist`: a number that is shown (a cell hidden by output control is NaN or none).
    env.add_test("vist", |x: Value| {
        f64::try_from(x).is_ok_and(f64::is_finite)
    });
    env.add_filter("p", |p: f64| {
        if p < 0.001 {
            format!("p < {}", locale::tal(0.001, 3))
        } else {
            format!("p = {}", locale::tal(p, 3))
        }
    });
    Ok(env)
}

fn unknown(what: &str, key: &str) -> minijinja::Error {
    minijinja::Error::new(
        ErrorKind::UndefinedError,
        format!("{what} «{key}» findes ikke"),
    )
}

/// The results functions `r`, `tal`, `tekst` and the globals `befolkning`, `proveniens`, `advarsler`.
fn add_results(env: &mut Environment<'static>, results: &Results) {
    let estimates = results.estimater.clone();
    let missing = results.ikke_estimeret.clone();
    // An estimate that is not published (not estimable, or hidden by output control) is a map
    // with only `mangler`, the reason: the shared macros (makroer.j2) print it instead of a number.
    env.add_function("r", move |key: String| -> Result<Value, minijinja::Error> {
        match (estimates.get(&key), missing.get(&key)) {
            (Some(e), _) => Ok(Value::from(Serde(e))),
            (None, Some(reason)) => Ok(Value::from_pairs([("mangler", reason.as_str())])),
            (None, None) => Err(unknown("estimatet", &key)),
        }
    });
    // `e is estimeret`: whether `r(key)` gave an estimate rather than the reason it has none.
    env.add_test("estimeret", |e: Value| {
        e.get_attr("mangler").is_ok_and(|m| m.is_undefined())
    });
    let published: std::collections::BTreeSet<String> = results.tal.keys().cloned().collect();
    // Whether a number is published (not hidden by disclosure control): `har_tal(key)`.
    env.add_function("har_tal", move |key: String| published.contains(&key));
    let numbers = results.tal.clone();
    env.add_function(
        "tal",
        move |key: String| -> Result<Value, minijinja::Error> {
            numbers
                .get(&key)
                .map(|v| Value::from(*v))
                .ok_or_else(|| unknown("tallet", &key))
        },
    );
    let texts = results.tekster.clone();
    env.add_function(
        "tekst",
        move |key: String| -> Result<Value, minijinja::Error> {
            texts
                .get(&key)
                .map(|v| Value::from(v.clone()))
                .ok_or_else(|| unknown("teksten", &key))
        },
    );
    env.add_global("befolkning", Value::from(Serde(&results.befolkning)));
    env.add_global("proveniens", Value::from(Serde(&results.proveniens)));
    env.add_global("advarsler", Value::from(Serde(&results.advarsler)));
    // The series behind the figures (id → series → [x, y] points), for their alternative texts.
    env.add_global("figurdata", Value::from(Serde(&results.figurer)));
}

/// The block functions `tabel(id)`, `figur(id)` and `bilag()`, and the test `har_figur(id)`.
pub fn add_blocks(
    env: &mut Environment<'static>,
    blocks: &Blocks,
    tables: &BTreeMap<String, Table>,
    figures: &BTreeMap<String, Figure>,
) {
    let table_markup: BTreeMap<String, String> = tables
        .iter()
        .map(|(k, t)| (k.clone(), t.to_typst()))
        .collect();
    let b = blocks.clone();
    env.add_function(
        "tabel",
        move |id: String| -> Result<Value, minijinja::Error> {
            let markup = table_markup
                .get(&id)
                .ok_or_else(|| unknown("tabellen", &id))?;
            Ok(b.insert(markup.clone()))
        },
    );
    let figures_by_id = figures.clone();
    let b = blocks.clone();
    env.add_function(
        "figur",
        move |id: String, alt: Option<String>| -> Result<Value, minijinja::Error> {
            let figure = figures_by_id
                .get(&id)
                .ok_or_else(|| unknown("figuren", &id))?;
            let alt = alt.filter(|a| !a.trim().is_empty()).ok_or_else(|| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!(
                        "figuren «{id}» mangler sin alternative tekst: skriv figur(\"{id}\", alt), hvor alt siger figurens budskab med tal fra resultaterne (PDF/UA kræver den, docs/layout.md)"
                    ),
                )
            })?;
            Ok(b.insert(figure.to_typst(alt.split_whitespace().collect::<Vec<_>>().join(" ").as_str())))
        },
    );
    let made: std::collections::BTreeSet<String> = figures.keys().cloned().collect();
    env.add_function("har_figur", move |id: String| made.contains(&id));
    let b = blocks.clone();
    env.add_function("bilag", move || -> Value {
        b.insert("#show: bilag\n".to_string())
    });
}

/// The main typst file: the layout applied to the chapters, with the title page and colophon.
fn wrap(config: &Config, results: &Results, body: &str) -> String {
    use chrono::Datelike;
    let p = &results.proveniens;
    let d = config.dato;
    let colophon = [
        format!("Data: {}", p.datakilde),
        format!("DREAM til og med: {}", p.dream_til),
        format!(
            "Datafingeraftryk (BLAKE3): {}",
            &p.data_fingeraftryk[..16.min(p.data_fingeraftryk.len())]
        ),
        format!(
            "Konfiguration (BLAKE3): {}",
            &p.konfiguration_fingeraftryk[..16.min(p.konfiguration_fingeraftryk.len())]
        ),
        format!("Program: effektrapport {} (commit {})", p.version, p.commit),
        format!("Seed: {}; bootstrap-replikationer: {}", p.seed, p.bootstrap),
    ];
    let colophon: Vec<String> = colophon
        .iter()
        .map(|l| format!("#{}", typst_string(l)))
        .collect();
    let authors: Vec<String> = config.forfattere.iter().map(|a| typst_string(a)).collect();
    format!(
        "#import {layout}: rapport, rapport-tabel, bilag\n#show: rapport.with(\n  titel: {titel},\n  undertitel: {undertitel},\n  forfattere: ({authors}),\n  dato: datetime(year: {y}, month: {m}, day: {dd}),\n  dato-tekst: {datotekst},\n  kolofon: [{colophon}],\n)\n\n{body}",
        layout = typst_string(LAYOUT_PATH),
        titel = typst_string(&config.titel),
        undertitel = typst_string(&config.undertitel),
        authors = authors.iter().map(|a| format!("{a},")).collect::<String>(),
        y = d.year(),
        m = d.month(),
        dd = d.day(),
        datotekst = typst_string(&locale::dato(d.year(), d.month(), d.day())),
        colophon = colophon.join(" \\ "),
    )
}
