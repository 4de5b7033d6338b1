//! The command line. The doc comments on the commands, options and values are the `--help`
//! text a user reads, and so are in Danish (docs/sprog.md).

use crate::estimators::{Kernel, Method, PsModel};
use clap::builder::PossibleValue;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// effektrapport: bygger evalueringsrapporten om «Brancheorienteret tilgang» (BOT) fra registerdata
/// og estimerer hver effekt med propensity score-matching, som Statas kmatch gør.
#[derive(Debug, Parser)]
#[command(name = "effektrapport", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Kommandoerne.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Byg hele rapporten: rapport.pdf, rapport.typ med figurer, resultater.json og tabellerne som CSV.
    Build(BuildArgs),
    /// Skriv syntetiske registerudtræk (i det rigtige format) med kendte sande effekter (sandhed.json).
    Synth(SynthArgs),
    /// Kør én estimator på en vilkårlig SAS-, parquet- eller CSV-tabel og skriv resultatet som JSON.
    Estimate(EstimateArgs),
    /// Tjek en datamappe uden at estimere: for hvert register filen, formatet, rækkerne, perioden,
    /// manglende kolonner eller kolonner af forkert type og ukendte koder, og om DREAM dækker det,
    /// analysen skal bruge. Slutstatus 0, når rapporten kan bygges, ellers 2 (alle problemer listes).
    Tjek(TjekArgs),
    /// Skriv et statusnotat (PDF + JSON) for hver kommune med deltagere.
    Statusnotater(StatusArgs),
    /// Sammenlign to byg (fx to dataårgange): ændrede tal, stjerner, signifikans, fortegnsskift,
    /// tilføjede og fjernede nøgler, proveniens og rapportens ændrede sætninger ord for ord.
    /// GAMMEL og NY kan også være rapportkonfigurationer eller datamapper, som så bygges først (med
    /// resultatcachen). Skriver diff.json og diff.pdf (docs/diff.md). Slutstatus: 0 ingen ændring,
    /// 1 ændringer, 2 fejl.
    Diff(DiffArgs),
}

/// Rapportens konfiguration og data, som alle kommandoer, der læser registrene, tager dem.
#[derive(Debug, Clone, clap::Args)]
pub struct Source {
    /// Rapportens konfiguration.
    #[arg(long, default_value = "report/rapport.yaml")]
    pub config: PathBuf,
    /// Mappe med registerudtræk (SAS, parquet eller CSV); går forud for konfigurationen. Uden den
    /// (og uden `data.mappe` i konfigurationen) dannes og bruges de medfølgende syntetiske registre.
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// Valgmulighederne for `build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Konfiguration og data.
    #[command(flatten)]
    pub source: Source,
    /// Mappen til resultatet. Resultaterne gemmes pr. analyse i OUT/.cache (kan slettes når som
    /// helst), så en rettelse i teksten ikke kræver ny estimation, og en ændret analyse kun kører sig selv.
    #[arg(long, default_value = "build")]
    pub out: PathBuf,
    /// Bliv ved og byg igen, når konfigurationen, kodebogen, et kapitel, layoutet i --templates
    /// eller datamappen ændres (kigger hvert 500. ms), med én statuslinje pr. byg; et byg, der
    /// fejler, meldes, og overvågningen fortsætter. Stop med Ctrl-C.
    #[arg(long)]
    pub watch: bool,
    /// Brug DIR/rapport.typ som typst-layout i stedet for programmets indbyggede kopi (til arbejde
    /// med layoutet, fx `--templates templates --watch`).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Ingen statuslinjer (de vises kun, når stderr er en terminal, og aldrig med --watch).
    #[arg(long)]
    pub quiet: bool,
}

/// Valgmulighederne for `tjek`.
#[derive(Debug, clap::Args)]
pub struct TjekArgs {
    /// Konfiguration og data.
    #[command(flatten)]
    pub source: Source,
    /// Byggemappen, hvor de syntetiske registre dannes, når der ikke er angivet data.
    #[arg(long, default_value = "build")]
    pub out: PathBuf,
}

/// Valgmulighederne for `synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Mappen til registerfilerne.
    #[arg(long)]
    pub out: PathBuf,
    /// Frø til tilfældige tal; samme frø giver filer, der er ens byte for byte.
    #[arg(long, default_value_t = crate::synth::DEFAULT_SEED)]
    pub seed: u64,
    /// Gang kontrolpopulationen med denne faktor (til måling af hastighed).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Rapportens analysefrø (`analyse.seed`), som trækker kontrolpersonernes placebodatoer;
    /// registrene er lavet til det.
    #[arg(long, default_value_t = crate::synth::DEFAULT_ANALYSIS_SEED)]
    pub analysis_seed: u64,
    /// Dataårgang ÅÅÅÅ-MM: DREAM slutter den måned (indberetninger frem til den; enkelte uger revideret).
    #[arg(long)]
    pub vintage: Option<String>,
}

/// Valgmulighederne for `statusnotater`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Konfiguration (datakilde, diskretionsgrænse, dokumentdato) og data.
    #[command(flatten)]
    pub source: Source,
    /// Kun disse kommuner (gentag valget for flere).
    #[arg(long)]
    pub kommune: Vec<String>,
    /// Opgørelse efter indberetningsrunde 1–4 (standard 4).
    #[arg(long)]
    pub runde: Option<u8>,
    /// Opgørelse på denne dato i stedet for en rundes slutning (ÅÅÅÅ-MM-DD).
    #[arg(long)]
    pub cutoff: Option<chrono::NaiveDate>,
    /// Mappen til notaterne.
    #[arg(long, default_value = "build/statusnotater")]
    pub out: PathBuf,
}

// The estimator's own types are the command line's values: one vocabulary, no copies to map.

impl ValueEnum for Method {
    fn value_variants<'a>() -> &'a [Self] {
        &[Method::Ridge, Method::Kernel, Method::Ipw]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Method::Ridge => PossibleValue::new("ridge").help("Ridge-matching på propensity score"),
            Method::Kernel => {
                PossibleValue::new("kernel").help("Kernel-matching på propensity score")
            }
            Method::Ipw => PossibleValue::new("ipw").help("Inverse probability weighting (IPW)"),
        })
    }
}

impl ValueEnum for Kernel {
    fn value_variants<'a>() -> &'a [Self] {
        &[Kernel::Epan, Kernel::Uniform]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Kernel::Epan => PossibleValue::new("epan").help("Epanechnikov, 0,75(1-u²) for |u| < 1"),
            Kernel::Uniform => PossibleValue::new("uniform").help("Rektangulær, 0,5 for |u| < 1"),
        })
    }
}

impl ValueEnum for PsModel {
    fn value_variants<'a>() -> &'a [Self] {
        &[PsModel::Logit, PsModel::Probit]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            PsModel::Logit => PossibleValue::new("logit").help("Logistisk regression"),
            PsModel::Probit => PossibleValue::new("probit").help("Probit-regression"),
        })
    }
}

/// Valgmulighederne for `estimate`.
#[derive(Debug, clap::Args)]
pub struct EstimateArgs {
    /// Tabellen (.sas7bdat, .parquet eller .csv; genkendes på indholdet). Rækker med en manglende
    /// værdi i en variabel, der bruges, udelades som i kmatch og tælles på stderr.
    #[arg(long)]
    pub data: PathBuf,
    /// Kolonnen med deltagelse (0/1).
    #[arg(long)]
    pub treatment: String,
    /// Kovariaterne i propensity score-modellen, adskilt af komma.
    #[arg(long, value_delimiter = ',', required = true)]
    pub covariates: Vec<String>,
    /// Udfaldskolonnerne, adskilt af komma.
    #[arg(long, value_delimiter = ',', required = true)]
    pub outcomes: Vec<String>,
    /// Estimator.
    #[arg(long, value_enum, default_value = "ridge")]
    pub method: Method,
    /// Kernefunktion.
    #[arg(long, value_enum, default_value = "epan")]
    pub kernel: Kernel,
    /// Båndbredde: `pm` (kmatchs standard), `cv` (krydsvalidering) eller et tal.
    #[arg(long, default_value = "pm")]
    pub bandwidth: String,
    /// Match eksakt på denne kolonne (fx kommune).
    #[arg(long)]
    pub exact: Option<String>,
    /// Propensity score-model.
    #[arg(long, value_enum, default_value = "logit")]
    pub pscore: PsModel,
    /// Antal bootstrap-replikationer til standardfejlene (uden: analytiske standardfejl).
    #[arg(long)]
    pub bootstrap: Option<usize>,
    /// Frø til bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Antal tråde (resultaterne afhænger ikke af det).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Valgmulighederne for `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Den gamle udgave: en byggemappe (skrevet af `effektrapport build --out DIR`:
    /// resultater.json og rapport.txt), en rapportkonfiguration (en .yaml-fil som rapport.yaml)
    /// eller en datamappe med registerudtræk (som `effektrapport synth` skriver). En konfiguration
    /// eller datamappe bygges først i OUT/gammel.
    #[arg(value_name = "GAMMEL")]
    pub old: PathBuf,
    /// Den nye udgave, som GAMMEL; en konfiguration eller datamappe bygges i OUT/ny.
    #[arg(value_name = "NY")]
    pub new: PathBuf,
    /// Mappen til diff.json og diff.pdf [standard: NY/diff for en byggemappe, ellers build/diff].
    /// Byg af konfigurationer og datamapper lægges i OUT/gammel og OUT/ny og deler resultatcachen
    /// OUT/.cache, så det, de har til fælles, kun estimeres én gang.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Rapportkonfigurationen til en datamappe givet som GAMMEL eller NY.
    #[arg(long, default_value = "report/rapport.yaml")]
    pub config: PathBuf,
    /// Datamappen til en konfiguration givet som GAMMEL eller NY [standard: konfigurationens egen datakilde].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Relativ tolerance: et tal regnes som ændret, når |ny − gammel| > X · max(|gammel|, |ny|).
    /// Stjerner, skift i signifikans og fortegn tæller altid. 0 = enhver ændring.
    #[arg(long, default_value_t = 0.0)]
    pub tolerance: f64,
}

// The commands' options as the library's plain requests: the library never sees clap.

impl From<BuildArgs> for crate::pipeline::Request {
    fn from(a: BuildArgs) -> Self {
        crate::pipeline::Request {
            config: a.source.config,
            data: a.source.data,
            out: a.out,
            watch: a.watch,
            templates: a.templates,
            quiet: a.quiet,
        }
    }
}

impl From<TjekArgs> for crate::tjek::Request {
    fn from(a: TjekArgs) -> Self {
        crate::tjek::Request {
            config: a.source.config,
            data: a.source.data,
            out: a.out,
        }
    }
}

impl From<StatusArgs> for crate::statusnotat::Request {
    fn from(a: StatusArgs) -> Self {
        crate::statusnotat::Request {
            config: a.source.config,
            data: a.source.data,
            kommune: a.kommune,
            runde: a.runde,
            cutoff: a.cutoff,
            out: a.out,
        }
    }
}

impl From<EstimateArgs> for crate::estimate::Request {
    fn from(a: EstimateArgs) -> Self {
        crate::estimate::Request {
            data: a.data,
            treatment: a.treatment,
            covariates: a.covariates,
            outcomes: a.outcomes,
            method: a.method,
            kernel: a.kernel,
            bandwidth: a.bandwidth,
            exact: a.exact,
            pscore: a.pscore,
            bootstrap: a.bootstrap,
            seed: a.seed,
            threads: a.threads,
        }
    }
}

impl From<DiffArgs> for crate::diff::Request {
    fn from(a: DiffArgs) -> Self {
        crate::diff::Request {
            old: a.old,
            new: a.new,
            out: a.out,
            config: a.config,
            data: a.data,
            tolerance: a.tolerance,
        }
    }
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
