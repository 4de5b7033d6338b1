//! `report/rapport.yaml` → [`Config`]. Unknown keys are errors (a typo must not silently fall back
//! to a default); every field documents its default.

use crate::error::InputError;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The report configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Title on the title page.
    pub titel: String,
    /// Subtitle on the title page.
    #[serde(default)]
    pub undertitel: String,
    /// Authors, in order.
    #[serde(default)]
    pub forfattere: Vec<String>,
    /// The document date (ISO `YYYY-MM-DD`): fixed, so rebuilding gives the same PDF.
    pub dato: chrono::NaiveDate,
    /// Where the data come from.
    #[serde(default)]
    pub data: DataConfig,
    /// How the effects are estimated.
    #[serde(default)]
    pub analyse: AnalysisConfig,
    /// The chapters, in order: markdown + minijinja files relative to the config's folder.
    pub kapitler: Vec<PathBuf>,
    /// The effect analyses: each fills one table or figure with estimates.
    pub analyser: Vec<AnalysisSpec>,
    /// Folder the config was read from (chapter paths are relative to it).
    #[serde(skip)]
    pub root: PathBuf,
    /// The file the config was read from (fingerprinted, named in errors).
    #[serde(skip)]
    pub path: PathBuf,
}

/// The data source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Folder with register extracts (relative to the working directory). `null` (the default)
    /// means the bundled synthetic registers, generated deterministically on first use.
    #[serde(default)]
    pub mappe: Option<PathBuf>,
    /// Seed of the bundled synthetic registers (default 2020).
    #[serde(default = "default_synth_seed")]
    pub syntetisk_seed: u64,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            mappe: None,
            syntetisk_seed: default_synth_seed(),
        }
    }
}

fn default_synth_seed() -> u64 {
    crate::synth::DEFAULT_SEED
}

/// Estimation settings shared by all analyses.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisConfig {
    /// Seed of the bootstrap and the controls' placebo start dates (default 20200615).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Bootstrap replicates for standard errors (default 500).
    #[serde(default = "default_bootstrap")]
    pub bootstrap: usize,
    /// Smallest number of persons a published cell may rest on (default 5).
    #[serde(default = "default_discretion")]
    pub diskretion: usize,
    /// Bandwidth rule: `cv` (kmatch's cross-validation, default), `pm` or a number.
    #[serde(default = "default_bandwidth")]
    pub baandbredde: String,
}

fn default_bandwidth() -> String {
    "cv".into()
}

/// One analysis: outcomes × groups × methods on one population, filling the table or figure `id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSpec {
    /// Table or figure id, the first part of the results keys (`tabel_4_1`).
    pub id: String,
    /// Outcomes (columns of the analysis dataset). An entry ending in `_u*` expands to weeks 0–52.
    pub udfald: Vec<String>,
    /// Groups: `alle`, `maend`, `kvinder`, `start_2018_06`, `start_2018_03`.
    pub grupper: Vec<String>,
    /// Methods (1)–(5): 1 ridge, 2 ridge + exact on municipality, 3 kernel, 4 kernel + exact, 5 IPW.
    pub metoder: Vec<u8>,
    /// `hoved` (the main sample, default) or `ubegraenset` (funnel step 1, Tabel 5.1).
    #[serde(default = "default_population")]
    pub population: String,
    /// Propensity-score model: `logit` (default) or `probit`.
    #[serde(default = "default_pscore")]
    pub pscore: crate::estimators::PsModel,
    /// Kernel: `epan` (default) or `uniform`.
    #[serde(default = "default_kernel")]
    pub kerne: crate::estimators::Kernel,
    /// How the analysis is printed as an effect table; without it the analysis feeds a figure
    /// or the prose only.
    #[serde(default)]
    pub tabel: Option<TableSpec>,
    /// How the analysis is drawn as a figure of weekly effects (group `alle`, method (2), one
    /// curve per weekly outcome family `<stem>_u*`).
    #[serde(default)]
    pub figur: Option<FigureSpec>,
}

/// A figure of weekly effects, as `figur:` under its analysis declares it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    /// Caption.
    pub titel: String,
    /// The curves: outcome family (the stem of `<stem>_u*`) → legend label, in the order written.
    pub kurver: indexmap::IndexMap<String, String>,
}

/// An effect table, as `tabel:` under its analysis declares it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// Caption; `{periode}` is replaced by the main outcome period ("januar–juli 2019").
    pub titel: String,
    /// The rows: outcome → row label, in the order written. Every key is an outcome of the
    /// analysis.
    pub raekker: indexmap::IndexMap<String, String>,
    /// Column labels of groups that differ from the standard ones (Alle, Mænd, Kvinder, …).
    #[serde(default)]
    pub grupper: std::collections::BTreeMap<String, String>,
    /// How the cells are arranged (default `grupper_x_metoder`).
    #[serde(default)]
    pub layout: TableLayout,
    /// Whether the cells show the control level [ ] and the relative effect < > (default no).
    #[serde(default)]
    pub niveauer: bool,
    /// The first sentence of the note (what the table shows); the legends follow.
    pub note: String,
}

/// How an effect table arranges its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TableLayout {
    /// Columns: each group over its methods; rows: outcomes; a last row with the persons.
    #[default]
    #[serde(rename = "grupper_x_metoder")]
    GroupsByMethods,
    /// As `grupper_x_metoder`, with the persons in a column of each row (Tabel 4.2).
    #[serde(rename = "antal_pr_raekke")]
    GroupsByMethodsCountPerRow,
    /// Columns: methods and the persons; rows: groups (one outcome; the robustness tables).
    #[serde(rename = "metoder_x_grupper")]
    MethodsByGroups,
}

fn default_population() -> String {
    "hoved".into()
}
fn default_pscore() -> crate::estimators::PsModel {
    crate::estimators::PsModel::Logit
}
fn default_kernel() -> crate::estimators::Kernel {
    crate::estimators::Kernel::Epan
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            seed: default_seed(),
            bootstrap: default_bootstrap(),
            diskretion: default_discretion(),
            baandbredde: default_bandwidth(),
        }
    }
}

fn default_seed() -> u64 {
    20200615
}
fn default_bootstrap() -> usize {
    500
}
/// The project's output-control threshold (DST's rule is 3; BOT uses 5).
pub fn default_discretion() -> usize {
    5
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).with_context(|| {
            InputError::new(format!(
                "kan ikke læse konfigurationen {}: angiv en eksisterende fil med --config",
                path.display()
            ))
        })?;
        let mut config: Config = serde_yaml::from_str(&text).map_err(|e| {
            let place = e
                .location()
                .map(|l| format!(" (linje {}, kolonne {})", l.line(), l.column()))
                .unwrap_or_default();
            InputError::new(format!(
                "fejl i konfigurationen {}{place}: {e}",
                path.display()
            ))
        })?;
        config.root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        config.path = path.to_path_buf();
        config.check(path)?;
        Ok(config)
    }

    fn check(&self, path: &Path) -> Result<()> {
        if self.kapitler.is_empty() {
            return crate::error::input_error(format!(
                "{}: `kapitler` skal nævne mindst ét kapitel",
                path.display()
            ));
        }
        if self.analyse.bootstrap == 1 {
            return crate::error::input_error(format!(
                "{}: `analyse.bootstrap` skal være 0 (analytiske standardfejl) eller mindst 2",
                path.display()
            ));
        }
        Ok(())
    }

    /// The line (1-based) of `key:` in the declaration of analysis `id` in the config file, for
    /// errors that serde cannot place (a key whose value names something unknown).
    pub fn line_of(&self, id: &str, key: &str) -> Option<usize> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let lines: Vec<&str> = text.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.trim_start().trim_start_matches("- ").trim() == format!("id: {id}"))?;
        (lines.iter().enumerate().skip(start + 1))
            .take_while(|(_, l)| !l.trim_start().starts_with("- id:"))
            .find(|(_, l)| l.trim_start().starts_with(&format!("{key}:")))
            .map(|(i, _)| i + 1)
    }

    /// The full path of a chapter file.
    pub fn chapter_path(&self, chapter: &Path) -> PathBuf {
        self.root.join(chapter)
    }

    /// The DREAM code book beside the configuration (`dream-koder.yaml`).
    pub fn codebook_path(&self) -> PathBuf {
        self.root.join("dream-koder.yaml")
    }
}
