//! Status notes (statusnotater): a short descriptive note per municipality after a data delivery,
//! with its participants' outcomes in the year before start and after start, by sex, beside all
//! BOT participants. Small groups make effect estimates impossible, so the notes are descriptive,
//! and no number resting on 1–4 persons is shown (with secondary suppression of the other sex).
//! Notes are rendered in parallel and share the font store and the templates.

mod measures;

use crate::cli::StatusArgs;
use crate::config::Config;
use crate::diskretion::{self, Cell, Suppressed};
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

/// One group's numbers (hidden groups are `None`).
#[derive(Debug, Clone, Serialize)]
pub struct GroupNumbers {
    /// Participants.
    pub antal: usize,
    /// Average weeks in the project.
    pub uger: f64,
    /// Measure → (before, after).
    pub maal: BTreeMap<String, [f64; 2]>,
}

/// The numbers of one note, as written to its JSON file.
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
    /// Cells hidden for discretion (group and why).
    pub undertrykt: Vec<String>,
}

fn numbers(people: &[&Participant]) -> GroupNumbers {
    let n = people.len().max(1) as f64;
    let maal = MEASURES
        .iter()
        .enumerate()
        .map(|(k, (key, _))| {
            let mean = |f: &dyn Fn(&Participant) -> f64| {
                let v: Vec<f64> = people
                    .iter()
                    .map(|p| f(p))
                    .filter(|x| x.is_finite())
                    .collect();
                if v.is_empty() {
                    f64::NAN
                } else {
                    v.iter().sum::<f64>() / v.len() as f64
                }
            };
            (
                key.to_string(),
                [mean(&|p| p.before[k]), mean(&|p| p.after[k])],
            )
        })
        .collect();
    GroupNumbers {
        antal: people.len(),
        uger: people.iter().map(|p| p.weeks_in_project).sum::<f64>() / n,
        maal,
    }
}

/// The numbers of a municipality's note, with discretion applied, and the output-control log of
/// what was hidden (with the counts behind it; written beside the note, not in it).
pub fn note(
    municipality: &str,
    all: &[Participant],
    cutoff: NaiveDate,
    threshold: usize,
) -> (Note, Vec<Suppressed>) {
    let mine: Vec<&Participant> = all
        .iter()
        .filter(|p| p.municipality == municipality)
        .collect();
    let women: Vec<&Participant> = mine.iter().copied().filter(|p| !p.male).collect();
    let men: Vec<&Participant> = mine.iter().copied().filter(|p| p.male).collect();
    let mut grupper = BTreeMap::new();
    let mut undertrykt = Vec::new();
    let mut log = Vec::new();
    if diskretion::publishable(mine.len(), threshold) && !mine.is_empty() {
        grupper.insert("alle".into(), numbers(&mine));
        match diskretion::split((women.len(), men.len()), threshold) {
            (Cell::Shown(w), Cell::Shown(m)) => {
                for (key, people, count) in [("kvinder", &women, w), ("maend", &men, m)] {
                    if count > 0 {
                        grupper.insert(key.into(), numbers(people));
                    }
                }
            }
            _ => {
                undertrykt.push("kvinder og mænd: mindst én af grupperne har færre end grænsen (og den anden kan udledes af totalen)".into());
                for (key, count) in [("kvinder", women.len()), ("maend", men.len())] {
                    log.push(Suppressed::primary(key, mine.len(), Some(count)));
                }
            }
        }
    } else {
        undertrykt.push("alle: færre deltagere end grænsen".into());
        log.push(Suppressed::primary("alle", mine.len(), None));
    }
    let everyone: Vec<&Participant> = all.iter().collect();
    let note = Note {
        kommune: municipality.to_string(),
        opgjort: cutoff.to_string(),
        grupper,
        bot: numbers(&everyone),
        undertrykt,
    };
    (note, log)
}

/// Runs `statusnotater`.
pub fn run(args: &StatusArgs) -> Result<()> {
    let config = Config::load(&args.source.config)?;
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
    let source = crate::pipeline::data_source(&config, args.source.data.as_deref(), &build_dir)?;
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
    let chosen: Vec<&String> = municipalities
        .iter()
        .filter(|m| args.kommune.is_empty() || args.kommune.contains(m))
        .collect();
    let template_path = config.root.join("statusnotat.md");
    let template = std::fs::read_to_string(&template_path).with_context(|| {
        InputError::new(format!(
            "kan ikke læse skabelonen {}",
            template_path.display()
        ))
    })?;
    let threshold = config.analyse.diskretion;
    let started = std::time::Instant::now();
    chosen
        .par_iter()
        .map(|m| {
            let (n, log) = note(m, &people, cutoff, threshold);
            write_note(
                &config,
                &args.out,
                &template_path,
                &template,
                &n,
                log,
                &people,
                threshold,
                &source.description,
            )
        })
        .collect::<Result<Vec<()>>>()?;
    eprintln!(
        "{} statusnotater skrevet til {} på {:.1} s",
        chosen.len(),
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
    Table {
        id: "status".into(),
        title: format!("Deltagerne i {} før og efter start sammenlignet med alle BOT-deltagere", n.kommune),
        header,
        groups: column_groups,
        rows,
        notes: vec!["Note: «Før» er året før start; «efter» er tiden fra start til opgørelsesdatoen eller forløbets afslutning. Beskæftigelsesgraden er i procent af fuld tid.".into()],
    }
}

/// A line chart of a monthly profile around start (−12..=12), the municipality beside all BOT
/// participants; months that fewer than `threshold` persons can be followed in are left out.
fn profile_figure(
    n: &Note,
    people: &[Participant],
    threshold: usize,
    id: &str,
    what: &str,
    profile: fn(&Participant) -> &[f64; 25],
    log: &mut Vec<Suppressed>,
) -> Result<Figure> {
    // A month's point rests on the persons followed that month; where it is a share of persons
    // (IGU: each person in or not), the persons in it and not in it count too
    // (diskretion::mean_publishable).
    let mut series_of = |members: Vec<&Participant>, label: &str| -> Series {
        let mut points = Vec::new();
        for k in 0..25 {
            let v: Vec<f64> = members
                .iter()
                .map(|p| profile(p)[k])
                .filter(|x| x.is_finite())
                .collect();
            let month = k as f64 - 12.0;
            if diskretion::mean_publishable(&v, threshold) {
                points.push((month, v.iter().sum::<f64>() / v.len() as f64 * 100.0));
            } else if !v.is_empty() {
                log.push(Suppressed::mean(format!("{id}.{label}.maaned_{month}"), &v));
            }
        }
        Series {
            label: label.to_string(),
            points,
            band: None,
        }
    };
    let mine: Vec<&Participant> = people
        .iter()
        .filter(|p| p.municipality == n.kommune)
        .collect();
    let series = vec![
        series_of(mine, &n.kommune),
        series_of(people.iter().collect(), "Alle BOT-deltagere"),
    ];
    let mut axes = crate::figures::employment_axes(&series);
    axes.y_label = format!("{what} (pct.)");
    Ok(Figure {
        id: id.into(),
        caption: format!(
            "{what} før og efter start, {} og alle BOT-deltagere",
            n.kommune
        ),
        note: format!(
            "Af diskretionshensyn er måneder udeladt, hvor færre end {} personer kan følges, eller hvor en andel ville bygge på færre end {} personer med eller uden kendetegnet.",
            threshold, threshold
        ),
        svg: line_chart(&axes, &series)?,
    })
}

#[allow(clippy::too_many_arguments)]
fn write_note(
    config: &Config,
    out: &Path,
    template_path: &Path,
    template: &str,
    n: &Note,
    mut log: Vec<Suppressed>,
    people: &[Participant],
    threshold: usize,
    source: &str,
) -> Result<()> {
    let slug = crate::dataset::slug(&n.kommune);
    let employment = profile_figure(
        n,
        people,
        threshold,
        "status_profil",
        "Beskæftigelsesgrad",
        |p| &p.profile,
        &mut log,
    )?;
    let igu = profile_figure(
        n,
        people,
        threshold,
        "status_igu",
        "Andel i IGU",
        |p| &p.igu_profile,
        &mut log,
    )?;
    // The output-control log of the note, for the reviewer (stays on the server).
    fsutil::write_atomic(
        &out.join(format!("{slug}.diskretion.json")),
        diskretion::log_json(threshold, &log)?.as_bytes(),
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
