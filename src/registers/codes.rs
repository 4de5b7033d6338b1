//! The DREAM code book: which weekly benefit codes belong to which category (kontanthjælp,
//! integrationsydelse, løntilskud privat, …). It lives in an editable YAML file under `report/`,
//! since codes change over the years; a code may belong to several categories (705 is both
//! integrationsydelse and løntilskud privat).

use crate::error::InputError;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The categories every code book must define (the analyses use them).
pub const REQUIRED: &[&str] = &[
    "offentlig_forsoergelse",
    "permanent_udenfor",
    "kontanthjaelp",
    "integrationsydelse",
    "su",
    "loentilskud_privat",
    "loentilskud_offentlig",
    "virksomhedspraktik_privat",
    "virksomhedspraktik_offentlig",
    "vejledning_opkvalificering",
    "uddannelsesaktivering",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeBookFile {
    kategorier: BTreeMap<String, Vec<serde_yaml::Value>>,
}

/// Categories of DREAM codes.
#[derive(Debug, Clone)]
pub struct CodeBook {
    categories: BTreeMap<String, BTreeSet<u16>>,
    known: BTreeSet<u16>,
}

impl CodeBook {
    /// Reads the code book from a YAML file (`kategorier: {navn: [130, "700-709", …]}`).
    pub fn load(path: &Path) -> Result<CodeBook> {
        let text = std::fs::read_to_string(path).with_context(|| {
            InputError::new(format!("kan ikke læse DREAM-kodebogen {}", path.display()))
        })?;
        Self::parse(&text)
            .with_context(|| InputError::new(format!("fejl i DREAM-kodebogen {}", path.display())))
    }

    /// Parses the code book's YAML text.
    pub fn parse(text: &str) -> Result<CodeBook> {
        let file: CodeBookFile =
            serde_yaml::from_str(text).map_err(|e| InputError::new(e.to_string()))?;
        let mut categories = BTreeMap::new();
        for (name, entries) in file.kategorier {
            let mut codes = BTreeSet::new();
            for entry in entries {
                codes.extend(parse_entry(&name, &entry)?);
            }
            categories.insert(name, codes);
        }
        for required in REQUIRED {
            if !categories.contains_key(*required) {
                return crate::error::input_error(format!("kategorien {required} mangler"));
            }
        }
        let known = categories.values().flatten().copied().collect();
        Ok(CodeBook { categories, known })
    }

    /// The codes of a category (empty if the category is unknown).
    pub fn codes(&self, category: &str) -> Option<&BTreeSet<u16>> {
        self.categories.get(category)
    }

    /// Whether `code` is in `category`.
    pub fn is(&self, category: &str, code: u16) -> bool {
        self.categories
            .get(category)
            .is_some_and(|c| c.contains(&code))
    }

    /// Whether the code book knows `code` at all.
    pub fn knows(&self, code: u16) -> bool {
        self.known.contains(&code)
    }

    /// A lookup table code → member of `category`, for the hot loops. It covers every code a
    /// DREAM array can hold, including [`super::dream::UNREADABLE_CODE`] (never a member), so
    /// indexing it with a stored code cannot go out of bounds.
    pub fn mask(&self, category: &str) -> Vec<bool> {
        let mut mask = vec![false; usize::from(super::dream::UNREADABLE_CODE) + 1];
        if let Some(codes) = self.categories.get(category) {
            for &c in codes {
                if (c as usize) < mask.len() {
                    mask[c as usize] = true;
                }
            }
        }
        mask
    }
}

fn parse_entry(category: &str, entry: &serde_yaml::Value) -> Result<Vec<u16>> {
    let bad = || {
        InputError::new(format!(
            "kategori {category}: «{entry:?}» er hverken en kode (130) eller et interval (\"700-709\")"
        ))
    };
    if let Some(n) = entry.as_u64() {
        return u16::try_from(n).map(|c| vec![c]).map_err(|_| bad().into());
    }
    let text = entry.as_str().ok_or_else(bad)?;
    let (lo, hi) = text.split_once('-').ok_or_else(bad)?;
    let (lo, hi): (u16, u16) = (
        lo.trim().parse().map_err(|_| bad())?,
        hi.trim().parse().map_err(|_| bad())?,
    );
    if lo > hi {
        return Err(bad().into());
    }
    Ok((lo..=hi).collect())
}
