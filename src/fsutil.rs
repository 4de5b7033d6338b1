//! Writing outputs safely: every file is written to a temporary file beside its target and renamed
//! into place, so an earlier output is never left half-written.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir)
        .with_context(|| format!("kan ikke oprette mappen {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("kan ikke oprette en midlertidig fil i {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("kan ikke skrive {}", path.display()))?;
    readable(tmp.as_file())?;
    tmp.persist(path)
        .with_context(|| format!("kan ikke gemme {}", path.display()))?;
    Ok(())
}

/// Runs `write` against a temporary file beside `path` and renames it into place on success.
pub fn with_atomic_file(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir)
        .with_context(|| format!("kan ikke oprette mappen {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("kan ikke oprette en midlertidig fil i {}", dir.display()))?;
    write(tmp.as_file_mut()).with_context(|| format!("kan ikke skrive {}", path.display()))?;
    readable(tmp.as_file())?;
    tmp.persist(path)
        .with_context(|| format!("kan ikke gemme {}", path.display()))?;
    Ok(())
}

/// Outputs are ordinary files (0644), not the private mode of a temporary file.
fn readable(file: &std::fs::File) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))
            .context("kan ikke sætte filrettigheder")?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}
