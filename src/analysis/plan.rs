//! The analyses of `rapport.yaml`, checked and typed: methods (1)–(5), groups, populations,
//! propensity-score models and kernels. Errors name the analysis and say what is allowed.

use crate::config::{AnalysisSpec, Config};
use crate::error::InputError;
use crate::estimators::{self, Kernel, PsModel};
use anyhow::Result;

/// A method of the report, numbered as in its tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Method {
    /// Number (1)–(5).
    pub number: u8,
    /// Ridge, kernel or IPW.
    pub kind: estimators::Method,
    /// Exact matching on the municipality.
    pub exact: bool,
}

/// The five methods: (1) ridge, (2) ridge + exact municipality, (3) kernel, (4) kernel + exact, (5) IPW.
pub const METHODS: [Method; 5] = [
    Method {
        number: 1,
        kind: estimators::Method::Ridge,
        exact: false,
    },
    Method {
        number: 2,
        kind: estimators::Method::Ridge,
        exact: true,
    },
    Method {
        number: 3,
        kind: estimators::Method::Kernel,
        exact: false,
    },
    Method {
        number: 4,
        kind: estimators::Method::Kernel,
        exact: true,
    },
    Method {
        number: 5,
        kind: estimators::Method::Ipw,
        exact: false,
    },
];

pub use crate::groups::Group;

/// The population an analysis draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Population {
    /// The main sample (last funnel step).
    Main,
    /// The unrestricted population (funnel step 1).
    Unrestricted,
}

/// A checked analysis.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Table or figure id.
    pub id: String,
    /// Outcome columns (weekly families expanded).
    pub outcomes: Vec<String>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Methods.
    pub methods: Vec<Method>,
    /// Population.
    pub population: Population,
    /// Propensity-score model.
    pub pscore: PsModel,
    /// Kernel of the matching methods.
    pub kernel: Kernel,
}

/// Weeks of the weekly outcome families (`_u*` → `_u0` … `_u52`).
pub const WEEKS: std::ops::RangeInclusive<usize> = 0..=52;

/// Checks and types the analyses of the configuration.
pub fn analyses(config: &Config) -> Result<Vec<Analysis>> {
    config
        .analyser
        .iter()
        .map(|spec| analysis(config, spec))
        .collect()
}

fn analysis(config: &Config, spec: &AnalysisSpec) -> Result<Analysis> {
    let bad = |what: String| -> anyhow::Error {
        InputError::new(format!(
            "{}: analysen «{}»: {what}",
            config.path.display(),
            spec.id
        ))
        .into()
    };
    // Errors that serde cannot place: the line of the key in the config file.
    let at = |key: &str| {
        config
            .line_of(&spec.id, key)
            .map_or(String::new(), |l| format!(" (linje {l})"))
    };
    let groups = spec
        .grupper
        .iter()
        .map(|g| Group::parse(g).ok_or_else(|| bad(format!("ukendt gruppe «{g}»; brug alle, maend, kvinder, start_2018_06 eller start_2018_03"))))
        .collect::<Result<Vec<_>>>()?;
    let methods = spec
        .metoder
        .iter()
        .map(|&m| {
            METHODS
                .iter()
                .find(|x| x.number == m)
                .copied()
                .ok_or_else(|| bad(format!("ukendt metode {m}; metoderne er 1–5")))
        })
        .collect::<Result<Vec<_>>>()?;
    let population = match spec.population.as_str() {
        "hoved" => Population::Main,
        "ubegraenset" => Population::Unrestricted,
        other => {
            return Err(bad(format!(
                "ukendt population «{other}»; brug hoved eller ubegraenset"
            )));
        }
    };
    let mut outcomes = Vec::new();
    for o in &spec.udfald {
        match o.strip_suffix("_u*") {
            Some(stem) => outcomes.extend(WEEKS.map(|w| format!("{stem}_u{w}"))),
            None => outcomes.push(o.clone()),
        }
    }
    if outcomes.is_empty() || groups.is_empty() || methods.is_empty() {
        return Err(bad(
            "udfald, grupper og metoder skal hver have mindst ét element".into(),
        ));
    }
    if let Some(table) = &spec.tabel {
        if table.raekker.is_empty() {
            return Err(bad(format!(
                "`tabel.raekker`{} skal nævne mindst ét udfald",
                at("raekker")
            )));
        }
        for outcome in table.raekker.keys() {
            if !outcomes.contains(outcome) {
                return Err(bad(format!(
                    "`tabel.raekker`{} nævner udfaldet «{outcome}», som analysen ikke har; dens udfald er: {}",
                    at(outcome),
                    spec.udfald.join(", ")
                )));
            }
        }
        for group in table.grupper.keys() {
            if !spec.grupper.contains(group) {
                return Err(bad(format!(
                    "`tabel.grupper`{} nævner gruppen «{group}», som analysen ikke har; dens grupper er: {}",
                    at(group),
                    spec.grupper.join(", ")
                )));
            }
        }
    }
    if let Some(figure) = &spec.figur {
        if !(groups.contains(&Group::Alle) && spec.metoder.contains(&2)) {
            return Err(bad(format!(
                "`figur`{} tegner gruppen alle med metode (2); analysen skal have begge",
                at("figur")
            )));
        }
        for stem in figure.kurver.keys() {
            if !spec.udfald.contains(&format!("{stem}_u*")) {
                return Err(bad(format!(
                    "`figur.kurver`{} nævner «{stem}», men analysen har ikke udfaldet {stem}_u*; dens udfald er: {}",
                    at(stem),
                    spec.udfald.join(", ")
                )));
            }
        }
    }
    Ok(Analysis {
        id: spec.id.clone(),
        outcomes,
        groups,
        methods,
        population,
        pscore: spec.pscore,
        kernel: spec.kerne,
    })
}
