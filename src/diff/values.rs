//! The numbers of two builds compared key by key: effect estimates (est, se, p, stars,
//! significance, sign) and the other printed numbers, with a relative tolerance.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An effect estimate as read from `resultater.json`, leniently: a missing or `null` number
/// (JSON has no NaN) is `None`, so builds of other program versions can be compared.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EstimateValues {
    /// The ATT.
    pub est: Option<f64>,
    /// Standard error.
    pub se: Option<f64>,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// Significance stars as printed.
    #[serde(default)]
    pub stjerner: String,
    /// The matched control group's level.
    pub kontrolniveau: Option<f64>,
    /// Relative effect.
    pub rel: Option<f64>,
    /// Persons in the estimation sample.
    pub n: Option<u64>,
    /// Treated persons with a match.
    pub n_behandlede: Option<u64>,
}

/// Old and new value of a number and their difference (new − old); `null` when missing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    /// Old value.
    pub gammel: Option<f64>,
    /// New value.
    pub ny: Option<f64>,
    /// New − old (`null` unless both exist and the difference is finite).
    pub forskel: Option<f64>,
}

impl Change {
    fn new(gammel: Option<f64>, ny: Option<f64>) -> Change {
        let forskel = match (gammel, ny) {
            (Some(a), Some(b)) => Some(b - a).filter(|d| d.is_finite()),
            _ => None,
        };
        Change {
            gammel,
            ny,
            forskel,
        }
    }
}

/// Old and new value of a count and their difference.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CountChange {
    /// Old value.
    pub gammel: Option<u64>,
    /// New value.
    pub ny: Option<u64>,
    /// New − old.
    pub forskel: Option<i64>,
    /// Hidden by output control: the count changed by 1 to threshold − 1 persons, so old, new
    /// and the difference are left out (`null`).
    pub skjult: bool,
}

impl CountChange {
    fn new(gammel: Option<u64>, ny: Option<u64>) -> CountChange {
        let forskel = match (gammel, ny) {
            (Some(a), Some(b)) => Some(b as i64 - a as i64),
            _ => None,
        };
        CountChange {
            gammel,
            ny,
            forskel,
            skjult: false,
        }
    }

    /// Leaves out the values (output control).
    pub fn hide(&mut self) {
        *self = CountChange {
            gammel: None,
            ny: None,
            forskel: None,
            skjult: true,
        };
    }
}

/// Stars before and after.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StarChange {
    /// Old stars (`""` for none).
    pub gammel: String,
    /// New stars.
    pub ny: String,
    /// `"vundet"` (more stars), `"mistet"` (fewer) or `null` (unchanged).
    pub aendring: Option<&'static str>,
}

/// A significance level crossed by the p-value.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Crossing {
    /// The level: 0.10 or 0.05.
    pub niveau: f64,
    /// `"blev_signifikant"` (p now below the level) or `"ikke_laengere_signifikant"`.
    pub aendring: &'static str,
}

/// An effect estimate that changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EstimateChange {
    /// The results key, e.g. `tabel_4_1.alle.m2.beskaeftigelse`.
    pub noegle: String,
    /// The fields that changed beyond the tolerance (and `stjerner` when the stars differ), in
    /// the order est, se, p, stjerner, kontrolniveau, rel, n, n_behandlede.
    pub aendrede_felter: Vec<&'static str>,
    /// The estimate.
    pub est: Change,
    /// Its standard error.
    pub se: Change,
    /// Its p-value.
    pub p: Change,
    /// The control group's level.
    pub kontrolniveau: Change,
    /// The relative effect.
    pub rel: Change,
    /// Persons in the estimation sample.
    pub n: CountChange,
    /// Treated persons with a match.
    pub n_behandlede: CountChange,
    /// Stars before and after.
    pub stjerner: StarChange,
    /// Significance levels (10 %, 5 %) that the p-value crossed.
    pub signifikans: Vec<Crossing>,
    /// The estimate changed sign (strictly positive ↔ strictly negative).
    pub fortegn_skiftet: bool,
    /// The change matters for the conclusion: stars, significance or sign changed.
    pub konklusion: bool,
}

/// Another printed number that changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NumberChange {
    /// The results key, e.g. `pscore.baandbredde`.
    pub noegle: String,
    /// Old value.
    pub gammel: Option<f64>,
    /// New value.
    pub ny: Option<f64>,
    /// New − old.
    pub forskel: Option<f64>,
    /// Hidden by output control (a count that changed by 1 to threshold − 1 persons): old, new
    /// and the difference are left out (`null`).
    pub skjult: bool,
}

impl NumberChange {
    /// Leaves out the values (output control).
    pub fn hide(&mut self) {
        (self.gammel, self.ny, self.forskel, self.skjult) = (None, None, None, true);
    }
}

/// A key present in only one of the builds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyEntry {
    /// `"estimat"`, `"tal"` or `"tekst"`.
    pub slags: &'static str,
    /// The results key.
    pub noegle: String,
    /// Its value in the build that has it.
    pub vaerdi: serde_json::Value,
}

/// A computed text label that changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TextChange {
    /// The key, e.g. `hovedperiode`.
    pub noegle: String,
    /// Old text.
    pub gammel: String,
    /// New text.
    pub ny: String,
}

/// Whether two numbers differ beyond the relative tolerance:
/// `|new − old| > tolerance · max(|old|, |new|)`; a number and a missing number always differ.
pub fn differs(old: Option<f64>, new: Option<f64>, tolerance: f64) -> bool {
    match (old, new) {
        (None, None) => false,
        (Some(a), Some(b)) => {
            if a == b || (a.is_nan() && b.is_nan()) {
                false
            } else {
                // NaN (e.g. ∞ − ∞) counts as a difference.
                let d = (b - a).abs();
                let limit = tolerance * a.abs().max(b.abs());
                !matches!(
                    d.partial_cmp(&limit),
                    Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
                )
            }
        }
        _ => true,
    }
}

/// The rank of a star mark: none 0, `#` 1, `*` 2, `**` 3, `***` 4.
pub fn star_rank(stars: &str) -> u8 {
    match stars {
        "***" => 4,
        "**" => 3,
        "*" => 2,
        "#" => 1,
        _ => 0,
    }
}

fn sign(x: Option<f64>) -> i8 {
    match x {
        Some(v) if v > 0.0 => 1,
        Some(v) if v < 0.0 => -1,
        _ => 0,
    }
}

/// Compares two estimates; `None` when nothing changed beyond the tolerance (stars,
/// significance crossings and sign flips always count).
pub fn compare_estimate(
    key: &str,
    old: &EstimateValues,
    new: &EstimateValues,
    tolerance: f64,
) -> Option<EstimateChange> {
    let mut fields: Vec<&'static str> = Vec::new();
    let mut check = |name: &'static str, a: Option<f64>, b: Option<f64>| {
        if differs(a, b, tolerance) {
            fields.push(name);
        }
    };
    check("est", old.est, new.est);
    check("se", old.se, new.se);
    check("p", old.p, new.p);
    if old.stjerner != new.stjerner {
        fields.push("stjerner");
    }
    let mut check = |name: &'static str, a: Option<f64>, b: Option<f64>| {
        if differs(a, b, tolerance) {
            fields.push(name);
        }
    };
    check("kontrolniveau", old.kontrolniveau, new.kontrolniveau);
    check("rel", old.rel, new.rel);
    check("n", old.n.map(|v| v as f64), new.n.map(|v| v as f64));
    check(
        "n_behandlede",
        old.n_behandlede.map(|v| v as f64),
        new.n_behandlede.map(|v| v as f64),
    );

    let significant = |p: Option<f64>, level: f64| p.is_some_and(|p| p < level);
    let signifikans: Vec<Crossing> = [0.10, 0.05]
        .into_iter()
        .filter(|&level| significant(old.p, level) != significant(new.p, level))
        .map(|level| Crossing {
            niveau: level,
            aendring: if significant(new.p, level) {
                "blev_signifikant"
            } else {
                "ikke_laengere_signifikant"
            },
        })
        .collect();
    let fortegn_skiftet = sign(old.est) * sign(new.est) == -1;
    if fields.is_empty() && signifikans.is_empty() && !fortegn_skiftet {
        return None;
    }
    let (ro, rn) = (star_rank(&old.stjerner), star_rank(&new.stjerner));
    let aendring = match ro.cmp(&rn) {
        std::cmp::Ordering::Less => Some("vundet"),
        std::cmp::Ordering::Greater => Some("mistet"),
        std::cmp::Ordering::Equal => None,
    };
    Some(EstimateChange {
        noegle: key.to_string(),
        aendrede_felter: fields,
        est: Change::new(old.est, new.est),
        se: Change::new(old.se, new.se),
        p: Change::new(old.p, new.p),
        kontrolniveau: Change::new(old.kontrolniveau, new.kontrolniveau),
        rel: Change::new(old.rel, new.rel),
        n: CountChange::new(old.n, new.n),
        n_behandlede: CountChange::new(old.n_behandlede, new.n_behandlede),
        konklusion: aendring.is_some() || !signifikans.is_empty() || fortegn_skiftet,
        stjerner: StarChange {
            gammel: old.stjerner.clone(),
            ny: new.stjerner.clone(),
            aendring,
        },
        signifikans,
        fortegn_skiftet,
    })
}

/// Changed, added and removed keys of two maps, in key order.
pub struct MapDiff<C> {
    /// Keys in both whose value changed.
    pub changed: Vec<C>,
    /// Keys only in the new map.
    pub added: Vec<KeyEntry>,
    /// Keys only in the old map.
    pub removed: Vec<KeyEntry>,
}

/// Compares two maps key by key with `compare`; `slags` labels added and removed keys.
pub fn compare_maps<V: Serialize, C>(
    slags: &'static str,
    old: &BTreeMap<String, V>,
    new: &BTreeMap<String, V>,
    mut compare: impl FnMut(&str, &V, &V) -> Option<C>,
) -> MapDiff<C> {
    let entry = |key: &str, value: &V| KeyEntry {
        slags,
        noegle: key.to_string(),
        vaerdi: serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
    };
    let mut out = MapDiff {
        changed: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
    };
    for (key, a) in old {
        match new.get(key) {
            Some(b) => out.changed.extend(compare(key, a, b)),
            None => out.removed.push(entry(key, a)),
        }
    }
    for (key, b) in new {
        if !old.contains_key(key) {
            out.added.push(entry(key, b));
        }
    }
    out
}

/// Compares two numbers under `key`.
pub fn compare_number(
    key: &str,
    old: Option<f64>,
    new: Option<f64>,
    tolerance: f64,
) -> Option<NumberChange> {
    differs(old, new, tolerance).then(|| {
        let c = Change::new(old, new);
        NumberChange {
            noegle: key.to_string(),
            gammel: c.gammel,
            ny: c.ny,
            forskel: c.forskel,
            skjult: false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(est: f64, p: f64, stjerner: &str) -> EstimateValues {
        EstimateValues {
            est: Some(est),
            se: Some(0.01),
            p: Some(p),
            stjerner: stjerner.into(),
            kontrolniveau: Some(0.2),
            rel: Some(est / 0.2),
            n: Some(100),
            n_behandlede: Some(10),
        }
    }

    #[test]
    fn tolerance_is_relative() {
        assert!(!differs(Some(1.0), Some(1.0), 0.0));
        assert!(differs(Some(1.0), Some(1.0 + 1e-15), 0.0));
        assert!(!differs(Some(100.0), Some(100.5), 0.01));
        assert!(differs(Some(100.0), Some(102.0), 0.01));
        assert!(differs(Some(1.0), None, 0.5));
        assert!(!differs(None, None, 0.0));
    }

    #[test]
    fn stars_significance_and_sign() {
        let c = compare_estimate("k", &est(0.04, 0.03, "*"), &est(-0.01, 0.4, ""), 0.0).unwrap();
        assert_eq!(c.stjerner.aendring, Some("mistet"));
        assert!(c.fortegn_skiftet && c.konklusion);
        let levels: Vec<(f64, &str)> = c
            .signifikans
            .iter()
            .map(|s| (s.niveau, s.aendring))
            .collect();
        assert_eq!(
            levels,
            vec![
                (0.10, "ikke_laengere_signifikant"),
                (0.05, "ikke_laengere_signifikant")
            ]
        );
        assert_eq!(c.aendrede_felter, vec!["est", "p", "stjerner", "rel"]);
        assert!(compare_estimate("k", &est(0.04, 0.03, "*"), &est(0.04, 0.03, "*"), 0.0).is_none());
        // Within the tolerance, but p crossed 5 %: still reported.
        let c =
            compare_estimate("k", &est(0.04, 0.0499, "*"), &est(0.04, 0.0501, "*"), 0.1).unwrap();
        assert!(c.aendrede_felter.is_empty() && c.konklusion);
    }
}
