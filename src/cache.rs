//! The results cache: estimation is the slow stage, and most edits touch only some results or none.
//!
//! A build's results are computed in parts ([`crate::analysis`]), and each part is stored under a
//! key derived from exactly what it depends on:
//!
//! | part | key (besides the program and the data) |
//! |---|---|
//! | `data`: provenance of the data, funnel, labels, main period | – |
//! | `beskrivelse`: Tabel 3.1, balance, densities, profile figures | `analyse.baandbredde`, `analyse.diskretion` |
//! | `leverancer`: Tabel 2.1 under disclosure control | `analyse.diskretion` |
//! | one per analysis (`analyser:` entry, by its id) | its own specification (without `tabel:` and `figur:`), `analyse.bootstrap`, `analyse.baandbredde`, `analyse.diskretion` |
//!
//! "The program" is a hash of the running executable (with version and commit), so a rebuilt
//! program never reuses old results. "The data" is a hash of every file of the data folder (names,
//! sizes, contents), the code book and `analyse.seed` (which draws the controls' placebo dates and
//! seeds the bootstrap). Chapters, titles, dates and the layout are in no key: a prose or layout
//! edit re-renders from the cache without reading the registers. Changing one analysis gives only
//! that analysis a new key, so only it is estimated (and only the jobs it needs).
//!
//! A part computed in a build is stored and read back before use, so results served from the
//! cache and results just computed are the same values by construction (JSON has no NaN; both
//! paths see the same `null` → NaN). An entry also records its full key, and a missing, unreadable
//! or mismatched entry is a miss: the part is computed again, never served stale. Entries are
//! written atomically to `OUT/.cache/<part>-<key>.json` and may be deleted at any time.

use crate::config::Config;
use crate::fsutil;
use crate::results::Results;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Version of the key derivation and entry format; part of every key.
pub const FORMAT: &str = "effektrapport-cache/2";

/// Fingerprint of the running program: version, commit and a hash of the executable.
pub fn program() -> &'static str {
    static PROGRAM: OnceLock<String> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let exe = std::env::current_exe()
            .ok()
            .and_then(|p| std::fs::read(p).ok())
            .unwrap_or_default();
        let mut h = blake3::Hasher::new();
        field(&mut h, env!("CARGO_PKG_VERSION").as_bytes());
        field(&mut h, env!("EFFEKTRAPPORT_COMMIT").as_bytes());
        field(&mut h, &exe);
        h.finalize().to_hex().to_string()
    })
}

/// Hashes one length-prefixed field, so that consecutive fields cannot run into each other.
fn field(h: &mut blake3::Hasher, bytes: &[u8]) {
    h.update(&(bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// What every part of a build depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprints {
    /// The program ([`program`]); replace it to stand for another program version.
    pub program: String,
    /// The data: every file of the data folder, the code book and `analyse.seed`.
    pub data: String,
}

impl Fingerprints {
    /// The fingerprints of a build of `config` on the data folder `data_dir`, by the running program.
    pub fn compute(config: &Config, data_dir: &Path) -> Result<Fingerprints> {
        let mut h = blake3::Hasher::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir)
            .with_context(|| format!("kan ikke læse datamappen {}", data_dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        files.sort();
        for path in files {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("kan ikke læse {}", path.display()))?;
            field(
                &mut h,
                path.file_name()
                    .map(|n| n.as_encoded_bytes())
                    .unwrap_or_default(),
            );
            field(&mut h, &bytes);
        }
        let codebook_path = config.codebook_path();
        let codebook = match std::fs::read(&codebook_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("kan ikke læse {}", codebook_path.display()));
            }
        };
        field(&mut h, b"kodebog");
        field(&mut h, &codebook);
        field(&mut h, b"seed");
        field(&mut h, &config.analyse.seed.to_le_bytes());
        Ok(Fingerprints {
            program: program().to_string(),
            data: h.finalize().to_hex().to_string(),
        })
    }
}

/// A part of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// [`crate::analysis::data_part`].
    Data,
    /// [`crate::analysis::description_part`].
    Description,
    /// [`crate::analysis::deliveries_part`].
    Deliveries,
    /// The analysis `config.analyser[i]` ([`crate::analysis::analysis_parts`]).
    Analysis(usize),
}

/// A part with its name and cache key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which part.
    pub part: Part,
    /// Its name: `data`, `beskrivelse`, `leverancer` or the analysis id.
    pub name: String,
    /// Its key (BLAKE3, hex).
    pub key: String,
}

/// Every part of a build of `config` with its key: data, description, deliveries, then the
/// analyses in the configuration's order.
pub fn entries(fingerprints: &Fingerprints, config: &Config) -> Result<Vec<Entry>> {
    let base = |name: &str| {
        let mut h = blake3::Hasher::new();
        field(&mut h, FORMAT.as_bytes());
        field(&mut h, fingerprints.program.as_bytes());
        field(&mut h, fingerprints.data.as_bytes());
        field(&mut h, name.as_bytes());
        h
    };
    let finish = |h: blake3::Hasher| h.finalize().to_hex().to_string();
    let mut entries = vec![Entry {
        part: Part::Data,
        name: "data".into(),
        key: finish(base("data")),
    }];
    let mut h = base("beskrivelse");
    field(&mut h, config.analyse.baandbredde.as_bytes());
    field(&mut h, &(config.analyse.diskretion as u64).to_le_bytes());
    entries.push(Entry {
        part: Part::Description,
        name: "beskrivelse".into(),
        key: finish(h),
    });
    let mut h = base("leverancer");
    field(&mut h, &(config.analyse.diskretion as u64).to_le_bytes());
    entries.push(Entry {
        part: Part::Deliveries,
        name: "leverancer".into(),
        key: finish(h),
    });
    for (i, spec) in config.analyser.iter().enumerate() {
        let mut h = base("analyse");
        // The typed specification with its defaults filled in: a reformatted YAML line or a
        // default written out does not change the key. How the table or figure prints the
        // estimates (`tabel:`, `figur:`) is not part of them.
        let estimated = crate::config::AnalysisSpec {
            tabel: None,
            figur: None,
            ..spec.clone()
        };
        field(&mut h, serde_json::to_string(&estimated)?.as_bytes());
        field(&mut h, &(config.analyse.bootstrap as u64).to_le_bytes());
        field(&mut h, config.analyse.baandbredde.as_bytes());
        // Output control hides estimates on too few persons.
        field(&mut h, &(config.analyse.diskretion as u64).to_le_bytes());
        entries.push(Entry {
            part: Part::Analysis(i),
            name: spec.id.clone(),
            key: finish(h),
        });
    }
    Ok(entries)
}

/// A stored part: the key is repeated inside, so a file can never be taken for another part.
#[derive(Serialize, Deserialize)]
struct Stored {
    format: String,
    del: String,
    noegle: String,
    resultater: Results,
}

/// The cache folder of a build.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache in `dir` (usually `OUT/.cache`; created on the first store).
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of an entry.
    pub fn path(&self, entry: &Entry) -> PathBuf {
        let name: String = entry
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}-{}.json", &entry.key[..32]))
    }

    /// The stored part, if any: a missing, unreadable or mismatched entry is a miss.
    pub fn load(&self, entry: &Entry) -> Option<Results> {
        let text = std::fs::read_to_string(self.path(entry)).ok()?;
        let stored: Stored = serde_json::from_str(&text).ok()?;
        (stored.format == FORMAT && stored.noegle == entry.key && stored.del == entry.name)
            .then_some(stored.resultater)
    }

    /// Stores a part and returns it as read back from the stored text, exactly as a later build
    /// will be served it.
    pub fn store(&self, entry: &Entry, results: Results) -> Result<Results> {
        let stored = Stored {
            format: FORMAT.to_string(),
            del: entry.name.clone(),
            noegle: entry.key.clone(),
            resultater: results,
        };
        let text = serde_json::to_string(&stored)?;
        let path = self.path(entry);
        fsutil::write_atomic(&path, text.as_bytes())?;
        let back: Stored = serde_json::from_str(&text)
            .with_context(|| format!("{} kan ikke læses tilbage", path.display()))?;
        Ok(back.resultater)
    }
}

/// Which parts a build computed and which it served from the cache, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Parts computed in this build (and stored).
    pub computed: Vec<String>,
    /// Parts read from the cache.
    pub cached: Vec<String>,
}

impl Report {
    /// Analyses (parts other than data, description and deliveries) that were computed.
    pub fn computed_analyses(&self) -> Vec<&str> {
        self.computed
            .iter()
            .map(String::as_str)
            .filter(|n| !matches!(*n, "data" | "beskrivelse" | "leverancer"))
            .collect()
    }

    /// One Danish line: `alt fra cachen`, or what was computed.
    pub fn summary(&self) -> String {
        let total = self.computed.len() + self.cached.len();
        if self.computed.is_empty() {
            format!("alle {total} dele fra cachen")
        } else if self.cached.is_empty() {
            format!("alle {total} dele beregnet")
        } else {
            format!(
                "{} af {total} dele beregnet ({}), resten fra cachen",
                self.computed.len(),
                self.computed.join(", ")
            )
        }
    }
}
