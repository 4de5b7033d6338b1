//! Status notes (statusnotater): a short descriptive note per municipality after a data delivery,
//! with its participants' outcomes in the year before start and after start, by sex, beside all
//! BOT participants. Small groups make effect estimates impossible, so the notes are descriptive,
//! and no number resting on 1–4 persons is shown (with secondary suppression of the other sex).
//! Notes are rendered in parallel and share the font store and the templates.

mod measures;

use crate::config::Config;
use crate::diskretion::{self, Basis, Cell, Suppressed};
use crate::error::InputError;
use crate::figures::Figure;
use crate::figures::{Series, line_chart};
use crate::registers::{self, codes::CodeBook};
use crate::render::{self, Blocks};
use crate::tables::{Row, Table};
use crate::{fsutil, locale};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use measures::{MEASURES, Participant};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The last day of each delivery round.
fn round_cutoff(round: u8) -> Option<NaiveDate> {
    let (y, m, d) = match round {
        1 => (2017, 9, 30),
        2 => (2017, 12, 31),
        3 => (2018, 9, 30),
        4 => (2019, 3, 31),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// One group's numbers. A number hidden by output control is NaN (`null` in the JSON).
#[derive(Debug, Clone, Serialize)]
pub struct GroupNumbers {
    /// Participants.
    pub antal: usize,
    /// Average weeks in the project.
    pub uger: f64,
    /// Measure → (before, after).
    pub maal: BTreeMap<String, [f64; 2]>,
}

/// A figure's points: series (`kommune`, `bot`) → month relative to start → percent. Months
/// hidden by output control, or that nobody can be followed in, are left out.
pub type FigurePoints = BTreeMap<String, BTreeMap<i32, f64>>;

/// The numbers of one note, as written to its JSON file: every number the note prints.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    /// Municipality.
    pub kommune: String,
    /// Cut-off date (ISO).
    pub opgjort: String,
    /// Groups shown: `alle`, `kvinder`, `maend` (absent when hidden).
    pub grupper: BTreeMap<String, GroupNumbers>,
    /// All BOT participants, for comparison.
    pub bot: GroupNumbers,
    /// The figures' points by figure id (`status_profil`, `status_igu`).
    pub figurer: BTreeMap<String, FigurePoints>,
    /// Cells hidden for discretion (group and why).
    pub undertrykt: Vec<String>,
}

/// A participant's monthly profile around start (−12..=12).
type Profile = fn(&Participant) -> &[f64; 25];

/// The figures of a note: id, what it shows, and the monthly profile behind it.
const FIGURES: [(&str, &str, Profile); 2] = [
    ("status_profil", "Beskæftigelsesgrad", |p| &p.profile),
    ("status_igu", "Andel i IGU", |p| &p.igu_profile),
];

/// The output-control log of a note while it is made: every published cell with the persons
/// behind it, and every hidden one.
#[derive(Debug, Default)]
struct Cells {
    shown: Vec<Basis>,
    hidden: Vec<Suppressed>,
}

impl Cells {
    /// The mean of `values` (one per person) as the cell `cell`: NaN when nobody has a value, or
    /// when output control hides it (then logged).
    fn mean(&mut self, cell: String, values: &[f64], threshold: usize) -> f64 {
        if values.is_empty() {
            return f64::NAN;
        }
        let basis = Basis::of(cell, values);
        if basis.problem(threshold).is_some() {
            (self.hidden).push(Suppressed::primary(
                basis.celle,
                basis.personer,
                Some(basis.med),
            ));
            return f64::NAN;
        }
        self.shown.push(basis);
        values.iter().sum::<f64>() / values.len() as f64
    }

    /// Moves the shown cell `cell` to the hidden ones (secondary suppression); false when it is
    /// not shown.
    fn hide(&mut self, cell: &str) -> bool {
        let Some(at) = self.shown.iter().position(|b| b.celle == cell) else {
            return false;
        };
        let basis = self.shown.remove(at);
        self.hidden
            .push(Suppressed::secondary(basis.celle, basis.personer));
        true
    }

    /// Whether `cell` is hidden.
    fn is_hidden(&self, cell: &str) -> bool {
        self.hidden.iter().any(|s| s.celle == cell)
    }
}

/// The numbers of `people` as the group at `prefix` (`grupper.alle`, `bot`), each under output
/// control.
fn numbers(
    prefix: &str,
    people: &[&Participant],
    cells: &mut Cells,
    threshold: usize,
) -> GroupNumbers {
    cells
        .shown
        .push(Basis::count(format!("{prefix}.antal"), people.len()));
    let finite = |f: &dyn Fn(&Participant) -> f64| -> Vec<f64> {
        people
            .iter()
            .map(|p| f(p))
            .filter(|x| x.is_finite())
            .collect()
    };
    let weeks = finite(&|p| p.weeks_in_project);
    let maal = MEASURES
        .iter()
        .enumerate()
        .map(|(k, (key, _))| {
            let before = finite(&|p| p.before[k]);
            let after = finite(&|p| p.after[k]);
            let values = [
                cells.mean(format!("{prefix}.maal.{key}.0"), &before, threshold),
                cells.mean(format!("{prefix}.maal.{key}.1"), &after, threshold),
            ];
            (key.to_string(), values)
        })
        .collect();
    GroupNumbers {
        antal: people.len(),
        uger: cells.mean(format!("{prefix}.uger"), &weeks, threshold),
        maal,
    }
}

/// A figure's points for `members` as the series at `prefix` (`figurer.status_igu.kommune`): a
/// month's point rests on the persons followed that month (IGU: a share of persons, so those in
/// it and not in it count too).
fn points(
    prefix: &str,
    members: &[&Participant],
    profile: Profile,
    cells: &mut Cells,
    threshold: usize,
) -> BTreeMap<i32, f64> {
    (0..25)
        .filter_map(|k| {
            let values: Vec<f64> = (members.iter())
                .map(|p| profile(p)[k])
                .filter(|x| x.is_finite())
                .collect();
            let month = k as i32 - 12;
            let mean = cells.mean(format!("{prefix}.{month}"), &values, threshold);
            mean.is_finite().then_some((month, mean * 100.0))
        })
        .collect()
}

/// The numbers of a municipality's note with primary suppression applied, and its log.
fn note(
    municipality: &str,
    all: &[Participant],
    cutoff: NaiveDate,
    threshold: usize,
) -> (Note, Cells) {
    let mine: Vec<&Participant> = all
        .iter()
        .filter(|p| p.municipality == municipality)
        .collect();
    let everyone: Vec<&Participant> = all.iter().collect();
    let women: Vec<&Participant> = mine.iter().copied().filter(|p| !p.male).collect();
    let men: Vec<&Participant> = mine.iter().copied().filter(|p| p.male).collect();
    let mut grupper = BTreeMap::new();
    let mut undertrykt = Vec::new();
    let mut cells = Cells::default();
    let shown = diskretion::publishable(mine.len(), threshold) && !mine.is_empty();
    if shown {
        grupper.insert(
            "alle".into(),
            numbers("grupper.alle", &mine, &mut cells, threshold),
        );
        match diskretion::split((women.len(), men.len()), threshold) {
            (Cell::Shown(w), Cell::Shown(m)) => {
                for (key, people, count) in [("kvinder", &women, w), ("maend", &men, m)] {
                    if count > 0 {
                        let prefix = format!("grupper.{key}");
                        grupper.insert(key.into(), numbers(&prefix, people, &mut cells, threshold));
                    }
                }
            }
            _ => {
                undertrykt.push("kvinder og mænd: mindst én af grupperne har færre end grænsen (og den anden kan udledes af totalen)".into());
                for (key, count) in [("kvinder", women.len()), ("maend", men.len())] {
                    (cells.hidden).push(Suppressed::primary(
                        format!("grupper.{key}.antal"),
                        mine.len(),
                        Some(count),
                    ));
                }
            }
        }
    } else {
        undertrykt.push("alle: færre deltagere end grænsen".into());
        (cells.hidden).push(Suppressed::primary("grupper.alle.antal", mine.len(), None));
    }
    let figurer = FIGURES
        .iter()
        .map(|(id, _, profile)| {
            let mut series = BTreeMap::new();
            if shown {
                let prefix = format!("figurer.{id}.kommune");
                series.insert(
                    "kommune".to_string(),
                    points(&prefix, &mine, *profile, &mut cells, threshold),
                );
            }
            let prefix = format!("figurer.{id}.bot");
            series.insert(
                "bot".to_string(),
                points(&prefix, &everyone, *profile, &mut cells, threshold),
            );
            (id.to_string(), series)
        })
        .collect();
    let note = Note {
        kommune: municipality.to_string(),
        opgjort: cutoff.to_string(),
        grupper,
        bot: numbers("bot", &everyone, &mut cells, threshold),
        figurer,
        undertrykt,
    };
    (note, cells)
}

impl Note {
    /// Hides the number at `cell` (a path as in the log): NaN in a table, left out of a figure.
    fn hide(&mut self, cell: &str) {
        let parts: Vec<&str> = cell.split('.').collect();
        match parts.as_slice() {
            ["grupper", g, "uger"] => {
                if let Some(x) = self.grupper.get_mut(*g) {
                    x.uger = f64::NAN;
                }
            }
            ["grupper", g, "maal", m, k] => {
                let value = (self.grupper.get_mut(*g))
                    .and_then(|x| x.maal.get_mut(*m))
                    .zip(k.parse::<usize>().ok())
                    .and_then(|(v, k)| v.get_mut(k));
                if let Some(v) = value {
                    *v = f64::NAN;
                }
            }
            ["figurer", id, series, month] => {
                let points = self.figurer.get_mut(*id).and_then(|f| f.get_mut(*series));
                if let (Some(points), Ok(month)) = (points, month.parse::<i32>()) {
                    points.remove(&month);
                }
            }
            _ => {}
        }
    }
}

/// Secondary suppression inside one note: a measure hidden for all the municipality's
/// participants or for one sex is hidden for both sexes (each would follow from the others
/// and the counts).
fn within(note: &mut Note, cells: &mut Cells) {
    let hidden: Vec<String> = cells.hidden.iter().map(|s| s.celle.clone()).collect();
    for cell in hidden {
        let Some(rest) = ["grupper.alle.", "grupper.kvinder.", "grupper.maend."]
            .iter()
            .find_map(|p| cell.strip_prefix(p))
        else {
            continue;
        };
        if rest == "antal" {
            continue;
        }
        for sex in ["kvinder", "maend"] {
            let other = format!("grupper.{sex}.{rest}");
            if cells.hide(&other) {
                note.hide(&other);
            }
        }
    }
}

/// Secondary suppression across the notes: all BOT minus the other municipalities gives a cell
/// that exactly one note hides (a note below the threshold hides all of them), so the same cell
/// is hidden in a second note too, the one where it rests on the fewest persons. A note whose
/// count is hidden this way shows no numbers at all.
fn across(notes: &mut [(Note, Cells)]) {
    let mut paths: Vec<String> = (notes.iter())
        .flat_map(|(_, c)| c.shown.iter().map(|b| b.celle.clone()))
        .filter(|c| diskretion::municipality_cell(c))
        .collect();
    // A note's count first: a note hidden as a whole hides all its cells at once.
    paths.sort_by_key(|p| (p != "grupper.alle.antal", p.clone()));
    paths.dedup();
    for path in paths {
        let hidden_in =
            |(n, c): &(Note, Cells)| !n.grupper.contains_key("alle") || c.is_hidden(&path);
        if notes.iter().filter(|x| hidden_in(x)).count() != 1 {
            continue;
        }
        let Some(at) = (0..notes.len())
            .filter_map(|i| {
                let basis = notes[i].1.shown.iter().find(|b| b.celle == path)?;
                Some((basis.personer, i))
            })
            .min()
            .map(|(_, i)| i)
        else {
            continue;
        };
        let (note, cells) = &mut notes[at];
        if path == "grupper.alle.antal" {
            let all: Vec<String> = (cells.shown.iter())
                .map(|b| b.celle.clone())
                .filter(|c| diskretion::municipality_cell(c) || c.starts_with("grupper."))
                .collect();
            for cell in all {
                cells.hide(&cell);
            }
            note.grupper.clear();
            note.figurer.values_mut().for_each(|f| {
                f.remove("kommune");
            });
            note.undertrykt.push("alle: skjult, så en anden kommunes skjulte tal ikke kan regnes ud fra alle BOT-deltagere".into());
        } else {
            cells.hide(&path);
            note.hide(&path);
            within(note, cells);
        }
    }
}

/// What `statusnotater` is asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// The report's configuration.
    pub config: std::path::PathBuf,
    /// The data folder (`None`: the config's, else the bundled synthetic registers).
    pub data: Option<std::path::PathBuf>,
    /// Only these municipalities (empty: all).
    pub kommune: Vec<String>,
    /// The delivery round 1–4 whose end is the cut-off.
    pub runde: Option<u8>,
    /// The cut-off date instead of a round's end.
    pub cutoff: Option<NaiveDate>,
    /// The folder of the notes.
    pub out: std::path::PathBuf,
}

/// Runs `statusnotater`.
pub fn run(args: &Request) -> Result<()> {
    let config = Config::load(&args.config)?;
    let cutoff = match (args.runde, args.cutoff) {
        (Some(_), Some(_)) => {
            return crate::error::input_error("angiv enten --runde eller --cutoff, ikke begge");
        }
        (Some(r), None) => round_cutoff(r)
            .ok_or_else(|| InputError::new(format!("--runde skal være 1–4, ikke {r}")))?,
        (None, Some(d)) => d,
        (None, None) => round_cutoff(4).expect("round 4 exists"),
    };
    let build_dir = args
        .out
        .parent()
        .unwrap_or(Path::new("build"))
        .to_path_buf();
    let source = crate::pipeline::data_source(&config, args.data.as_deref(), &build_dir)?;
    let codebook = CodeBook::load(&config.codebook_path())?;
    let regs = registers::load(&source.dir, &codebook)?;
    let people = measures::participants(&regs, &codebook, cutoff, args.runde.map(i64::from))?;
    let mut municipalities: Vec<String> = people.iter().map(|p| p.municipality.clone()).collect();
    municipalities.sort();
    municipalities.dedup();
    for wanted in &args.kommune {
        if !municipalities.contains(wanted) {
            return crate::error::input_error(format!(
                "kommunen «{wanted}» har ingen deltagere i data; kommunerne er: {}",
                municipalities.join(", ")
            ));
        }
    }
    let chosen_count = (municipalities.iter())
        .filter(|m| args.kommune.is_empty() || args.kommune.contains(m))
        .count();
    let template_path = config.root.join("statusnotat.md");
    let template = std::fs::read_to_string(&template_path).with_context(|| {
        InputError::new(format!(
            "kan ikke læse skabelonen {}",
            template_path.display()
        ))
    })?;
    let threshold = config.analyse.diskretion;
    let started = std::time::Instant::now();
    // Every municipality's numbers, also of those not asked for: the suppression across notes
    // depends on all of them.
    let mut notes: Vec<(Note, Cells)> = municipalities
        .iter()
        .map(|m| {
            let (mut n, mut cells) = note(m, &people, cutoff, threshold);
            within(&mut n, &mut cells);
            (n, cells)
        })
        .collect();
    across(&mut notes);
    let chosen: Vec<(Note, Cells)> = notes
        .into_iter()
        .filter(|(n, _)| args.kommune.is_empty() || args.kommune.contains(&n.kommune))
        .collect();
    chosen
        .into_par_iter()
        .map(|(n, cells)| {
            write_note(
                &config,
                &args.out,
                &template_path,
                &template,
                &n,
                diskretion::Log::new(threshold, cells.hidden, cells.shown),
                &source.description,
            )
        })
        .collect::<Result<Vec<()>>>()?;
    eprintln!(
        "{} statusnotater skrevet til {} på {:.1} s",
        chosen_count,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn value(x: f64, measure: &str) -> String {
    if measure == "beskaeftigelsesgrad" {
        locale::tal(x * 100.0, 1)
    } else {
        locale::tal(x * 100.0, 0)
    }
}

/// The note's table: each measure before and after, for the groups shown and for all BOT.
fn table(n: &Note) -> Table {
    let groups: Vec<(&str, &str)> = [("alle", "Alle"), ("kvinder", "Kvinder"), ("maend", "Mænd")]
        .into_iter()
        .filter(|(k, _)| n.grupper.contains_key(*k))
        .collect();
    let mut header = vec!["Pct. af tiden".to_string()];
    let mut column_groups: Vec<(String, usize)> = Vec::new();
    for (_, label) in groups.iter().chain(std::iter::once(&("bot", "Alle BOT"))) {
        header.push("før".into());
        header.push("efter".into());
        column_groups.push((label.to_string(), 2));
    }
    let mut rows: Vec<Row> = MEASURES
        .iter()
        .map(|(key, label)| {
            let mut cells = Vec::new();
            for (g, _) in &groups {
                let [b, a] = n.grupper[*g].maal[*key];
                cells.push(vec![value(b, key)]);
                cells.push(vec![value(a, key)]);
            }
            let [b, a] = n.bot.maal[*key];
            cells.push(vec![value(b, key)]);
            cells.push(vec![value(a, key)]);
            Row {
                label: label.to_string(),
                cells,
            }
        })
        .collect();
    let mut counts: Vec<Vec<String>> = Vec::new();
    for (g, _) in &groups {
        counts.push(vec![locale::heltal(n.grupper[*g].antal as i64)]);
        counts.push(vec![String::new()]);
    }
    counts.push(vec![locale::heltal(n.bot.antal as i64)]);
    counts.push(vec![String::new()]);
    rows.push(Row {
        label: "Antal deltagere".into(),
        cells: counts,
    });
    let mut notes = vec!["Note: «Før» er året før start; «efter» er tiden fra start til opgørelsesdatoen eller forløbets afslutning. Beskæftigelsesgraden er i procent af fuld tid.".to_string()];
    let hidden = (n.grupper.values().chain([&n.bot]))
        .any(|g| g.maal.values().flatten().any(|x| !x.is_finite()));
    if hidden {
        notes.push("«–»: ikke vist af diskretionshensyn, fordi tallet ville bygge på for få personer (eller på for få med en værdi over 0), eller fordi det kunne regnes ud fra andre viste tal.".into());
    }
    Table {
        id: "status".into(),
        title: format!(
            "Deltagerne i {} før og efter start sammenlignet med alle BOT-deltagere",
            n.kommune
        ),
        header,
        groups: column_groups,
        rows,
        notes,
    }
}

/// A line chart of a monthly profile around start (−12..=12), the municipality beside all BOT
/// participants, from the note's points (months hidden by output control are left out).
fn profile_figure(n: &Note, threshold: usize, id: &str, what: &str) -> Result<Figure> {
    let series: Vec<Series> = [
        ("kommune", n.kommune.as_str()),
        ("bot", "Alle BOT-deltagere"),
    ]
    .into_iter()
    .filter_map(|(key, label)| {
        let points = n.figurer.get(id)?.get(key)?;
        Some(Series {
            label: label.to_string(),
            points: points.iter().map(|(&m, &v)| (f64::from(m), v)).collect(),
            band: None,
        })
    })
    .collect();
    let mut axes = crate::figures::employment_axes(&series);
    axes.y_label = format!("{what} (pct.)");
    Ok(Figure {
        id: id.into(),
        caption: format!(
            "{what} før og efter start, {} og alle BOT-deltagere",
            n.kommune
        ),
        note: format!(
            "Af diskretionshensyn er måneder udeladt, hvor færre end {threshold} personer kan følges, eller hvor tallet ville bygge på færre end {threshold} personer med eller uden kendetegnet. For {} vises {} af 25 måneder.",
            n.kommune,
            (n.figurer.get(id).and_then(|f| f.get("kommune"))).map_or(0, |p| p.len()),
        ),
        svg: line_chart(&axes, &series)?,
    })
}

/// Writes a note as PDF, JSON, text and its output-control log.
fn write_note(
    config: &Config,
    out: &Path,
    template_path: &Path,
    template: &str,
    n: &Note,
    log: diskretion::Log,
    source: &str,
) -> Result<()> {
    let slug = crate::dataset::slug(&n.kommune);
    let threshold = log.taerskel;
    let [employment, igu] = FIGURES.map(|(id, what, _)| profile_figure(n, threshold, id, what));
    let (employment, igu) = (employment?, igu?);
    // The output-control log of the note, for the reviewer (stays on the server).
    fsutil::write_atomic(
        &out.join(format!("{slug}.diskretion.json")),
        log.to_json()?.as_bytes(),
    )?;
    let tables = BTreeMap::from([("status".to_string(), table(n))]);
    let figures: BTreeMap<String, Figure> = [employment, igu]
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    let blocks = Blocks::default();
    let mut env = render::base_environment()?;
    render::add_blocks(&mut env, &blocks, &tables, &figures);
    let cutoff = NaiveDate::parse_from_str(&n.opgjort, "%Y-%m-%d").context("opgørelsesdato")?;
    use chrono::Datelike;
    let context = minijinja::context! {
        note => minijinja::Value::from(minijinja::value::Serde(n)),
        opgjort => locale::dato(cutoff.year(), cutoff.month(), cutoff.day()),
        diskretion => threshold,
        kilde => source,
        program => format!("effektrapport {} (commit {})", env!("CARGO_PKG_VERSION"), env!("EFFEKTRAPPORT_COMMIT")),
    };
    let body = render::render_markdown(
        &env,
        &blocks,
        &template_path.display().to_string(),
        template,
        context,
    )?;
    let main = format!(
        "#import {}: rapport-tabel\n#set document(title: {}, author: \"effektrapport\")\n#set text(font: \"Libertinus Serif\", size: 10.5pt, lang: \"da\", region: \"DK\")\n#set page(paper: \"a4\", margin: 2.4cm, numbering: \"1\")\n#set par(justify: true)\n#show figure.where(kind: table): set figure.caption(position: top)\n#show heading: set text(fill: rgb(\"#004c6d\"))\n{body}",
        crate::typst_text::typst_string(render::LAYOUT_PATH),
        crate::typst_text::typst_string(&format!("Statusnotat: {}", n.kommune)),
    );
    let mut doc = crate::pdf::Document::new("/statusnotat.typ", main, config.dato)?;
    doc.add_source(render::LAYOUT_PATH, render::LAYOUT.to_string())?;
    for fig in figures.values() {
        doc.add_file(&fig.path(), fig.svg.clone().into_bytes())?;
    }
    let typeset = doc.compile_pdf(&format!("effektrapport/statusnotat/{slug}/{}", n.opgjort))?;
    fsutil::write_atomic(
        &out.join(format!("{slug}.json")),
        serde_json::to_string_pretty(n)?.as_bytes(),
    )?;
    // The text as a reader sees it, page by page (form feeds between pages), as rapport.txt.
    fsutil::write_atomic(
        &out.join(format!("{slug}.txt")),
        typeset.pages.join("\n\u{c}\n").as_bytes(),
    )?;
    fsutil::write_atomic(&out.join(format!("{slug}.pdf")), &typeset.pdf)
}
