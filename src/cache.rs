//! The results cache: estimation is the slow stage, and a prose or layout edit does not change a
//! single estimate. The results of a build are stored under a key derived from everything they
//! depend on: the program itself (a hash of the running executable, so a rebuilt program never
//! reuses old results), every file of the data folder, the code book, and the configuration's data
//! and analysis settings (not the chapters, titles or dates). A hit skips registers, dataset and
//! estimation; any change to an input gives a new key, so a stale result is never served.

use crate::config::Config;
use crate::fsutil;
use crate::results::Results;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Fingerprint of the running program.
fn program() -> &'static str {
    static PROGRAM: OnceLock<String> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let exe = std::env::current_exe()
            .ok()
            .and_then(|p| std::fs::read(p).ok())
            .unwrap_or_default();
        let mut h = blake3::Hasher::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(env!("EFFEKTRAPPORT_COMMIT").as_bytes());
        h.update(&exe);
        h.finalize().to_hex().to_string()
    })
}

/// The cache key of a build's results.
pub fn key(config: &Config, data_dir: &Path) -> Result<String> {
    let mut h = blake3::Hasher::new();
    h.update(program().as_bytes());
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
        let bytes =
            std::fs::read(&path).with_context(|| format!("kan ikke læse {}", path.display()))?;
        h.update(
            path.file_name()
                .map(|n| n.as_encoded_bytes())
                .unwrap_or_default(),
        );
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    let codebook = std::fs::read(config.root.join("dream-koder.yaml")).unwrap_or_default();
    h.update(&codebook);
    let spec = serde_json::to_string(&(&config.data, &config.analyse, &config.analyser))?;
    h.update(spec.as_bytes());
    Ok(h.finalize().to_hex().to_string())
}

fn path(out: &Path, key: &str) -> PathBuf {
    out.join(".cache")
        .join(format!("resultater-{}.json", &key[..32]))
}

/// The cached results under `key`, if any (an unreadable entry counts as a miss).
pub fn load(out: &Path, key: &str) -> Option<Results> {
    let text = std::fs::read_to_string(path(out, key)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Stores results under `key`.
pub fn store(out: &Path, key: &str, results: &Results) -> Result<()> {
    fsutil::write_atomic(&path(out, key), results.to_json()?.as_bytes())
}
