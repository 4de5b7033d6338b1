//! The command line. The doc comments here are the `--help` text.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// effektrapport: builds the Danish evaluation report of "Brancheorienteret tilgang" (BOT) from
/// register data, estimating every effect by propensity-score matching as Stata's kmatch does.
#[derive(Debug, Parser)]
#[command(name = "effektrapport", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the whole report: rapport.pdf, rapport.typ with figures, resultater.json, tables as CSV.
    Build(BuildArgs),
    /// Write synthetic register extracts (real layout) with known true effects (sandhed.json).
    Synth(SynthArgs),
    /// Run one estimator on any SAS, parquet or CSV table and print the result as JSON.
    Estimate(EstimateArgs),
    /// Check a data folder without estimating: per register the file, format, rows, period,
    /// missing or mistyped columns and unknown codes, and whether DREAM covers what the analysis
    /// needs. Exit status 0 when a build can run, 2 otherwise (every problem is listed).
    Tjek(TjekArgs),
    /// Write a status note (PDF + JSON) for every municipality with participants.
    Statusnotater(StatusArgs),
    /// Compare two builds (e.g. two data vintages): changed numbers, stars, significance, sign
    /// flips, added and removed keys, provenance, and the report's changed sentences word by word.
    /// OLD and NEW may also be report configs or data folders, which are built first (with the
    /// results cache). Writes diff.json and diff.pdf (docs/diff.md). Exit status: 0 no change,
    /// 1 changes, 2 error.
    Diff(DiffArgs),
}

/// The report configuration and the data, as every command that reads the registers takes them.
#[derive(Debug, Clone, clap::Args)]
pub struct Source {
    /// The report configuration.
    #[arg(long, default_value = "report/rapport.yaml")]
    pub config: PathBuf,
    /// Folder with register extracts (SAS, parquet or CSV); overrides the config. Without it (and
    /// without `data.mappe` in the config) the bundled synthetic registers are generated and used.
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// Options of `build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Configuration and data.
    #[command(flatten)]
    pub source: Source,
    /// Output folder. Results are cached per analysis in OUT/.cache (delete it at any time), so a
    /// prose edit re-renders without estimating and a changed analysis re-runs only itself.
    #[arg(long, default_value = "build")]
    pub out: PathBuf,
    /// Keep running and rebuild whenever the configuration, the code book, a chapter, the layout
    /// of --templates or the data folder changes (polling every 500 ms), one status line per
    /// build; a failed build is reported and watching goes on. Stop with Ctrl-C.
    #[arg(long)]
    pub watch: bool,
    /// Use DIR/rapport.typ as the typst layout instead of the copy built into the program (layout
    /// work, e.g. `--templates templates --watch`).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// No progress bars (they are drawn only when stderr is a terminal, and never with --watch).
    #[arg(long)]
    pub quiet: bool,
}

/// Options of `tjek`.
#[derive(Debug, clap::Args)]
pub struct TjekArgs {
    /// Configuration and data.
    #[command(flatten)]
    pub source: Source,
    /// The build folder, where the synthetic registers are generated when no data are given.
    #[arg(long, default_value = "build")]
    pub out: PathBuf,
}

/// Options of `synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Output folder for the register files.
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed; the same seed gives byte-identical files.
    #[arg(long, default_value_t = crate::synth::DEFAULT_SEED)]
    pub seed: u64,
    /// Multiply the control population by this factor (performance work).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// The report's analysis seed (`analyse.seed`), which draws the controls' placebo dates; the
    /// registers are designed for it.
    #[arg(long, default_value_t = crate::synth::DEFAULT_ANALYSIS_SEED)]
    pub analysis_seed: u64,
    /// Data vintage YYYY-MM: DREAM ends that month (deliveries up to it; a few weeks revised).
    #[arg(long)]
    pub vintage: Option<String>,
}

/// Options of `statusnotater`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Configuration (data source, discretion threshold, document date) and data.
    #[command(flatten)]
    pub source: Source,
    /// Only these municipalities (repeat the option for several).
    #[arg(long)]
    pub kommune: Vec<String>,
    /// Opgørelse after delivery round 1–4 (default 4).
    #[arg(long)]
    pub runde: Option<u8>,
    /// Opgørelse on this date instead of a round's end (YYYY-MM-DD).
    #[arg(long)]
    pub cutoff: Option<chrono::NaiveDate>,
    /// Output folder.
    #[arg(long, default_value = "build/statusnotater")]
    pub out: PathBuf,
}

/// Matching method for `estimate`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Ridge matching on the propensity score.
    Ridge,
    /// Kernel matching on the propensity score.
    Kernel,
    /// Inverse probability weighting.
    Ipw,
}

/// Kernel function for `estimate`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KernelArg {
    /// Epanechnikov, 0.75(1-u²) on |u| < 1.
    Epan,
    /// Rectangular, 0.5 on |u| < 1.
    Uniform,
}

/// Propensity-score model for `estimate`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PscoreArg {
    /// Logistic regression.
    Logit,
    /// Probit regression.
    Probit,
}

/// Options of `estimate`.
#[derive(Debug, clap::Args)]
pub struct EstimateArgs {
    /// The table (.sas7bdat, .parquet or .csv; recognised by content). Rows with a missing
    /// value in a variable used are dropped, as kmatch does, and counted on stderr.
    #[arg(long)]
    pub data: PathBuf,
    /// Treatment column (0/1).
    #[arg(long)]
    pub treatment: String,
    /// Covariates of the propensity-score model, comma separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub covariates: Vec<String>,
    /// Outcome columns, comma separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub outcomes: Vec<String>,
    /// Estimator.
    #[arg(long, value_enum, default_value = "ridge")]
    pub method: MethodArg,
    /// Kernel.
    #[arg(long, value_enum, default_value = "epan")]
    pub kernel: KernelArg,
    /// Bandwidth: `pm` (kmatch's default), `cv` (cross-validation) or a number.
    #[arg(long, default_value = "pm")]
    pub bandwidth: String,
    /// Match exactly on this column (e.g. municipality).
    #[arg(long)]
    pub exact: Option<String>,
    /// Propensity-score model.
    #[arg(long, value_enum, default_value = "logit")]
    pub pscore: PscoreArg,
    /// Bootstrap replicates for the standard errors (analytic SEs without it).
    #[arg(long)]
    pub bootstrap: Option<usize>,
    /// Random seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Options of `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a build folder (written by `effektrapport build --out DIR`:
    /// resultater.json and rapport.txt), a report config (a .yaml file such as rapport.yaml) or a
    /// data folder with register extracts (as `effektrapport synth` writes). A config or data
    /// folder is built first into OUT/gammel.
    pub old: PathBuf,
    /// The new version, as OLD; a config or data folder is built into OUT/ny.
    pub new: PathBuf,
    /// Output folder for diff.json and diff.pdf [default: NEW/diff for a build folder, else
    /// build/diff]. Builds of configs and data folders go to OUT/gammel and OUT/ny and share the
    /// results cache OUT/.cache, so what the two have in common is estimated once.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The report config for a data folder given as OLD or NEW.
    #[arg(long, default_value = "report/rapport.yaml")]
    pub config: PathBuf,
    /// The data folder for a config given as OLD or NEW [default: the config's own data source].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Relative tolerance: a number counts as changed when |new − old| > X · max(|old|, |new|).
    /// Stars, significance crossings and sign flips always count. 0 = any change.
    #[arg(long, default_value_t = 0.0)]
    pub tolerance: f64,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// clap's own consistency check of the whole command line (conflicting names, bad
    /// defaults, flattened arguments that clash), which otherwise fails only when a user
    /// reaches the broken subcommand.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
