//! # effektrapport
//!
//! Builds the Danish effect evaluation of "Brancheorienteret tilgang" (BOT) from register data.
//! The data flow one way, and this file is the one place that knows the order of the stages:
//!
//! 1. [`config`]: `report/rapport.yaml` says what to analyse and print.
//! 2. [`registers`]: the register extracts (or the bundled [`synth`]etic ones) are read and checked.
//! 3. [`dataset`]: the population funnel, (placebo) start dates, covariates and outcomes.
//! 4. [`analysis`]: propensity scores and every effect with the [`estimators`] (kmatch's formulas).
//! 5. [`results`]: every printed number under a stable key (`resultater.json`, the seam).
//! 6. [`tables`] and [`figures`]: table models and SVG figures from the results.
//! 7. [`render`]: the Danish chapters (markdown + minijinja) become typst markup.
//! 8. [`pdf`]: the embedded typst compiler typesets the PDF.

pub mod analysis;
pub mod cache;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod dataset;
pub mod diff;
pub mod diskretion;
pub mod error;
pub mod estimators;
pub mod figures;
pub mod fsutil;
pub mod groups;
pub mod locale;
pub mod municipalities;
pub mod pdf;
pub mod progress;
pub mod registers;
pub mod render;
pub mod results;
pub mod statusnotat;
pub mod synth;
pub mod tables;

mod estimate;
mod pipeline;
pub mod tjek;
pub mod typst_text;

/// The memory allocator of the program and of every test. Polars reads the registers on its
/// thread pool; with the system allocator (glibc) memory freed by those threads stays in their
/// arenas, out of reach of the dataset build, and at national scale the build needed 0.3–1 GB
/// more (`bench/dataset.sh`). mimalloc gives freed pages back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Result;
use cli::{Cli, Command};

/// Runs one command of the command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build(args) => pipeline::run(&args.into()).map(|_| ()),
        Command::Synth(args) => {
            let vintage = args
                .vintage
                .as_deref()
                .map(synth::parse_vintage)
                .transpose()?;
            let spec = synth::SynthSpec {
                seed: args.seed,
                scale: args.scale,
                analysis_seed: args.analysis_seed,
                vintage,
            };
            if !(args.scale > 0.0 && args.scale.is_finite()) {
                return error::input_error("--scale skal være et positivt tal");
            }
            synth::write(&spec, &args.out)?;
            eprintln!("syntetiske registre skrevet til {}", args.out.display());
            Ok(())
        }
        Command::Estimate(args) => estimate::run(&args.into()),
        Command::Statusnotater(args) => statusnotat::run(&args.into()),
        Command::Diff(args) => diff::run(&args.into()).map(|_| ()),
        Command::Tjek(args) => tjek::run(&args.into()).map(|_| ()),
    }
}

/// Runs one command and returns the process exit status for success: 0, except `diff`, which
/// returns 1 when the builds differ (like diff(1)). Errors are returned as by [`run`].
pub fn run_with_status(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Diff(args) => diff::run(&args.into()),
        Command::Tjek(args) => tjek::run(&args.into()),
        command => run(Cli { command }).map(|()| 0),
    }
}

pub use pipeline::{BuildOutput, build_report};
