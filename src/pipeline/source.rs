//! Where a build's registers come from: a data folder, or the bundled synthetic registers.

use crate::config::Config;
use crate::error::InputError;
use crate::{fsutil, synth};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Where the data come from.
pub(crate) struct DataSource {
    pub(crate) dir: PathBuf,
    pub(crate) description: String,
}

/// The data folder: `--data`, else the config's `data.mappe`, else the bundled synthetic
/// registers (generated into `<out>/data/syntetisk-<seed>` on first use).
pub(crate) fn data_source(config: &Config, data: Option<&Path>, out: &Path) -> Result<DataSource> {
    if let Some(dir) = data
        .map(Path::to_path_buf)
        .or_else(|| config.data.mappe.clone())
    {
        if !dir.is_dir() {
            return Err(InputError::new(format!(
                "datamappen {} findes ikke; angiv en mappe med registerudtræk (docs/data.md) eller udelad --data for at bruge de syntetiske data",
                dir.display()
            ))
            .into());
        }
        return Ok(DataSource {
            description: format!("registerudtræk i {}", dir.display()),
            dir,
        });
    }
    let seed = config.data.syntetisk_seed;
    let dir = out.join(format!("data/syntetisk-{seed}"));
    let marker = dir.join(".komplet");
    let stamp = format!(
        "effektrapport {} seed {seed} analyse-seed {}\n",
        env!("CARGO_PKG_VERSION"),
        config.analyse.seed
    );
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(stamp.as_str()) {
        synth::write(
            &synth::SynthSpec {
                seed,
                analysis_seed: config.analyse.seed,
                ..synth::SynthSpec::default()
            },
            &dir,
        )
        .context("kan ikke skrive de syntetiske registre")?;
        fsutil::write_atomic(&marker, stamp.as_bytes())?;
    }
    Ok(DataSource {
        dir,
        description: format!("syntetiske registre (effektrapport synth, seed {seed})"),
    })
}
