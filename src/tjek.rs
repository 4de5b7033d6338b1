//! The `tjek` command: checks a data folder without estimating anything, as a user on the
//! research server does before the long build.
//!
//! It prints, in Danish, per register: the file found and its format, its rows, the period it
//! covers (DREAM's weeks and months, the years of the yearly registers), every schema problem
//! (missing columns, wrong types, empty required cells), values outside the allowed codes with
//! their number of rows, and DREAM codes the code book does not know with their person-weeks.
//! Then whether DREAM covers what the analysis needs ([`dataset::coverage`]). Every problem is
//! listed, not only the first; the exit status is 0 when a build can run and 2 otherwise.

use crate::config::Config;
use crate::dataset::coverage;
use crate::registers::codes::CodeBook;
use crate::registers::dream::Dream;
use crate::registers::table::{self, Format, TableSpec};
use crate::{calendar, locale, registers};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Options of `tjek`.
#[derive(Debug, Clone)]
pub struct Request {
    /// The report configuration.
    pub config: PathBuf,
    /// The data folder (default: as `build`).
    pub data: Option<PathBuf>,
    /// The build folder, where the synthetic registers are generated when no data are given.
    pub out: PathBuf,
}

/// What the check found: the report to print, and whether a build can run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The report, one line per fact or problem.
    pub text: String,
    /// Problems that stop a build.
    pub problems: usize,
}

/// Runs `tjek`, prints its report on stdout and returns the exit status (0 or 2).
pub fn run(request: &Request) -> Result<i32> {
    let outcome = check(request)?;
    print!("{}", outcome.text);
    Ok(if outcome.problems == 0 { 0 } else { 2 })
}

/// Checks the data folder of `request` and describes what it found.
pub fn check(request: &Request) -> Result<Outcome> {
    let config = Config::load(&request.config)?;
    let source = crate::pipeline::data_source(&config, request.data.as_deref(), &request.out)?;
    let codebook = CodeBook::load(&config.codebook_path())?;
    let mut report = Report::default();
    report.line(format!("Datatjek af {}", source.description));
    let mut starts = Vec::new();
    for spec in registers::TABLES {
        if let Some(table) = report.table(&source.dir, spec)
            && spec.stem == registers::DELTAGERE.stem
        {
            starts = participant_starts(&table)?;
        }
    }
    let dream = report.dream(&source.dir, &codebook);
    if let Some(dream) = &dream {
        report.line("Dækning af analysens perioder:".to_string());
        let needs = coverage::needs(starts);
        let weeks = needs.iter().filter(|n| !n.weeks.is_empty());
        let months = needs.iter().filter(|n| !n.months.is_empty());
        if let (Some(first_week), Some(last_week), Some(first_month), Some(last_month)) = (
            weeks.clone().map(|n| *n.weeks.start()).min(),
            weeks.map(|n| *n.weeks.end()).max(),
            months.clone().map(|n| *n.months.start()).min(),
            months.map(|n| *n.months.end()).max(),
        ) {
            report.line(format!(
                "  analysen bruger mindst uge {}–{} og måned {}–{}",
                calendar::dream_week_column(first_week),
                calendar::dream_week_column(last_week),
                calendar::month_column("grad_", first_month),
                calendar::month_column("grad_", last_month),
            ));
        }
        let problems = coverage::problems(dream, &needs);
        if problems.is_empty() {
            report.line(
                "  DREAM dækker ugerne og månederne før start og udfaldsperioden, som analysen skal bruge"
                    .to_string(),
            );
        }
        for problem in problems {
            report.problem(problem);
        }
    }
    report.line(String::new());
    if report.problems == 0 {
        report.line("Data er komplette: en bygning kan køre.".to_string());
    } else {
        report.line(format!(
            "{} {} skal rettes, før en bygning kan køre.",
            report.problems,
            if report.problems == 1 {
                "problem"
            } else {
                "problemer"
            }
        ));
    }
    Ok(Outcome {
        text: report.text,
        problems: report.problems,
    })
}

fn participant_starts(table: &table::Table) -> Result<Vec<chrono::NaiveDate>> {
    let column = table.frame.column("startdato")?.date()?;
    Ok((column.physical().iter().flatten())
        .map(calendar::from_epoch_days)
        .collect())
}

/// The report being written and its count of problems.
#[derive(Debug, Default)]
struct Report {
    text: String,
    problems: usize,
}

impl Report {
    fn line(&mut self, line: String) {
        self.text.push_str(&line);
        self.text.push('\n');
    }

    /// A problem: each line of `message` indented under its register, and counted.
    fn problem(&mut self, message: String) {
        for line in message.lines() {
            self.problems += 1;
            self.line(format!("  PROBLEM: {line}"));
        }
    }

    /// The heading line of a register: title, file, format and rows.
    fn heading(&mut self, title: &str, path: &Path, rows: usize) {
        let format = Format::of(path).map_or("ukendt", Format::name);
        self.line(format!(
            "{title}: {} ({format}), {} rækker",
            path.display(),
            locale::heltal(rows)
        ));
    }

    /// Checks one table register; the table when it is usable.
    fn table(&mut self, dir: &Path, spec: &TableSpec) -> Option<table::Table> {
        let path = match table::find(dir, spec.stem) {
            Ok(Some(path)) => path,
            Ok(None) => {
                self.line(format!("{}:", spec.title));
                self.problem(table::missing(dir, spec.stem, spec.title).to_string());
                return None;
            }
            Err(e) => {
                self.line(format!("{}:", spec.title));
                self.problem(e.to_string());
                return None;
            }
        };
        match registers::load_table(dir, spec) {
            Ok(table) => {
                self.heading(spec.title, &path, table.frame.height());
                if let Some(years) = years(&table) {
                    self.line(format!("  årene {years}"));
                }
                if let Some(starts) = start_dates(&table) {
                    self.line(format!("  startdatoer {starts}"));
                }
                Some(table)
            }
            Err(e) => {
                self.line(format!(
                    "{}: {} ({})",
                    spec.title,
                    path.display(),
                    format_of(&path)
                ));
                self.problem(e.to_string());
                None
            }
        }
    }

    /// Checks DREAM; DREAM when it is usable.
    fn dream(&mut self, dir: &Path, codebook: &CodeBook) -> Option<Dream> {
        match Dream::load(dir, codebook) {
            Ok(dream) => {
                self.heading("DREAM", &dream.path, dream.ids.len());
                self.line(format!(
                    "  uger {}–{}, måneder {}–{}",
                    calendar::dream_week_column(dream.first_week),
                    calendar::dream_week_column(dream.last_week()),
                    calendar::month_column("grad_", dream.first_month),
                    calendar::month_column("grad_", dream.last_month()),
                ));
                for (code, weeks) in &dream.unknown_codes {
                    self.line(format!(
                        "  bemærk: koden «{code}» står ikke i kodebogen (dream-koder.yaml) og tælles som ukendt; {} personuger har den",
                        locale::heltal(*weeks)
                    ));
                }
                Some(dream)
            }
            Err(e) => {
                self.line("DREAM:".to_string());
                self.problem(e.to_string());
                None
            }
        }
    }
}

fn format_of(path: &Path) -> &'static str {
    Format::of(path).map_or("ukendt format", Format::name)
}

/// The first and last start date of the participants (`startdato`), e.g. "2017-01-02–2018-10-29".
fn start_dates(table: &table::Table) -> Option<String> {
    let days = table.frame.column("startdato").ok()?.date().ok()?;
    let first = days.physical().iter().flatten().min()?;
    let last = days.physical().iter().flatten().max()?;
    Some(format!(
        "{}–{}",
        calendar::from_epoch_days(first),
        calendar::from_epoch_days(last)
    ))
}

/// The first and last year of a yearly register (`AAR`), e.g. "2015–2019".
fn years(table: &table::Table) -> Option<String> {
    let years = table.frame.column("AAR").ok()?.i64().ok()?;
    let first = years.iter().flatten().min()?;
    let last = years.iter().flatten().max()?;
    Some(format!("{first}–{last}"))
}
