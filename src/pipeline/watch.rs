//! `build --watch`: rebuild whenever a watched file changes.

use super::{BuildOptions, Request, build_report_with, options};
use crate::config::Config;
use crate::progress::Progress;
use anyhow::Result;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `build --watch`: builds, then rebuilds whenever a watched file changes, until the process is
/// stopped (Ctrl-C). Watched are the configuration, the code book, every chapter it names, the
/// layout of `--templates` and an explicit data folder (`--data` or `data.mappe`).
///
/// Watching is polling, on purpose: every 500 ms the watched files are fingerprinted (the report's
/// files by a BLAKE3 hash of their contents, a data folder's files by name, size and modification
/// time), which needs nothing beyond what the program already has and works on any file system. A
/// change starts a rebuild once the files have stopped changing for a moment (editors save in
/// steps); a change during a build starts another. Each build prints one status line on stdout;
/// a failed build prints its error, and watching goes on. The results cache makes a prose-only
/// rebuild cost only rendering and typesetting.
pub(super) fn watch(args: &Request) -> Result<std::convert::Infallible> {
    const POLL: Duration = Duration::from_millis(500);
    const SETTLE: Duration = Duration::from_millis(200);
    // Watching keeps its one status line per build: no progress bars.
    let options = BuildOptions {
        progress: Progress::hidden(),
        ..options(args)
    };
    if options.templates.is_none() && Path::new("templates/rapport.typ").is_file() {
        eprintln!(
            "effektrapport: layoutet er det indbyggede; brug --templates templates for at bygge med og følge templates/rapport.typ"
        );
    }
    let mut known_chapters: Vec<PathBuf> = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    let mut round = 0;
    loop {
        round += 1;
        let started = Instant::now();
        let config = Config::load(&args.config);
        if let Ok(config) = &config {
            known_chapters = config
                .kapitler
                .iter()
                .map(|c| config.chapter_path(c))
                .collect();
        }
        let data_dir = args
            .data
            .clone()
            .or_else(|| config.as_ref().ok().and_then(|c| c.data.mappe.clone()));
        let watched = watched_files(args, &known_chapters, data_dir.as_deref());
        // Taken before the build, so that an edit saved during the build starts another one.
        let before = snapshot(&watched);
        let outcome = config.and_then(|config| {
            build_report_with(&config, args.data.as_deref(), &args.out, &options)
        });
        let cause = if changed.is_empty() {
            String::new()
        } else {
            format!(" (ændret: {})", changed.join(", "))
        };
        let elapsed = started.elapsed().as_secs_f64();
        let line = match &outcome {
            Ok(built) => format!(
                "bygning {round}{cause}: færdig på {elapsed:.1} s, {}: {}",
                built.cache.summary(),
                args.out.join("rapport.pdf").display()
            ),
            Err(error) => {
                eprintln!("{}", crate::error::render_chain(error));
                format!(
                    "bygning {round}{cause}: fejl efter {elapsed:.1} s: {error}; venter på ændringer"
                )
            }
        };
        let mut stdout = std::io::stdout().lock();
        // A closed stdout must not stop the watching.
        let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
        drop(stdout);
        // Wait for a change, then until the files have stopped changing.
        let mut now = snapshot(&watched);
        while now == before {
            std::thread::sleep(POLL);
            now = snapshot(&watched);
        }
        loop {
            std::thread::sleep(SETTLE);
            let again = snapshot(&watched);
            if again == now {
                break;
            }
            now = again;
        }
        changed = watched
            .iter()
            .zip(before.iter().zip(&now))
            .filter(|(_, (a, b))| a != b)
            .map(|(path, _)| path.display().to_string())
            .collect();
    }
}

/// The files `build --watch` follows: configuration, code book, chapters, layout, data folder.
fn watched_files(args: &Request, chapters: &[PathBuf], data: Option<&Path>) -> Vec<PathBuf> {
    let root = args.config.parent().unwrap_or(Path::new(""));
    let mut files = vec![args.config.clone(), root.join("dream-koder.yaml")];
    files.extend(chapters.iter().cloned());
    if let Some(dir) = &args.templates {
        files.push(dir.join("rapport.typ"));
    }
    if let Some(dir) = data {
        files.push(dir.to_path_buf());
    }
    files
}

/// One fingerprint per watched path: a file's contents (`None` when missing), or a folder's
/// files by name, size and modification time.
fn snapshot(paths: &[PathBuf]) -> Vec<Option<String>> {
    paths
        .iter()
        .map(|path| {
            if path.is_dir() {
                let mut h = blake3::Hasher::new();
                let mut entries: Vec<_> = std::fs::read_dir(path)
                    .ok()?
                    .filter_map(|e| e.ok())
                    .filter_map(|e| Some((e.file_name(), e.metadata().ok()?)))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                for (name, meta) in entries {
                    h.update(name.as_encoded_bytes());
                    h.update(&meta.len().to_le_bytes());
                    if let Ok(age) = meta
                        .modified()
                        .map(|m| m.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
                    {
                        h.update(&age.as_nanos().to_le_bytes());
                    }
                }
                Some(h.finalize().to_hex().to_string())
            } else {
                std::fs::read(path)
                    .ok()
                    .map(|bytes| blake3::hash(&bytes).to_hex().to_string())
            }
        })
        .collect()
}
