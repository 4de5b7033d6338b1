//! Typesetting in process with the typst compiler: a hermetic [`World`] over in-memory files
//! (the report's `.typ` sources and SVG figures), the fonts embedded in the binary, and a fixed
//! document date, so the same inputs give a byte-identical PDF on any machine.
//!
//! A document can also be read from a folder on disk ([`Document::from_dir`]), as
//! `typst compile --root DIR DIR/rapport.typ` reads it: absolute typst paths (`/fig/x.svg`)
//! resolve against the folder. This is how the written `build/rapport.typ` is checked to give
//! the same PDF as the build.
//!
//! Every PDF is exported as **PDF/UA-1** (accessible: tagged, with title, language, header cells
//! and alternative texts) and **PDF/A-2a** (archival, accessible level), the two standards typst
//! can combine. typst checks both while exporting; a document that fails (an image without
//! alternative text, no title) is an error naming the source line, not a PDF.

use crate::error::InputError;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

/// The fonts of every document: typst's embedded fonts (Libertinus Serif, New Computer Modern,
/// DejaVu Sans Mono), loaded once per process and shared.
fn fonts() -> &'static FontStore {
    static FONTS: OnceLock<FontStore> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::embedded());
        store
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// The virtual file id of `path` (absolute, e.g. `/rapport.typ`).
fn file_id(path: &str) -> Result<FileId> {
    let vpath =
        VirtualPath::new(path).map_err(|e| anyhow::anyhow!("ugyldig virtuel sti {path}: {e:?}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// A document to typeset: typst sources and binary files (figures) by virtual path, held in
/// memory or read from a folder on disk.
pub struct Document {
    main: FileId,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
    /// The folder that files not held in memory are read from (`typst compile --root`).
    disk: Option<Disk>,
}

/// Files read from a folder, each read once and kept for the document's lifetime.
struct Disk {
    root: PathBuf,
    sources: Mutex<HashMap<FileId, FileResult<Source>>>,
    files: Mutex<HashMap<FileId, FileResult<Bytes>>>,
}

impl Disk {
    fn bytes(&self, id: FileId) -> FileResult<Bytes> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files
            .entry(id)
            .or_insert_with(|| {
                let path = id.vpath().realize(&self.root).map_err(FileError::Realize)?;
                if path.is_dir() {
                    return Err(FileError::IsDirectory);
                }
                std::fs::read(&path)
                    .map(Bytes::new)
                    .map_err(|e| FileError::from_io(e, &path))
            })
            .clone()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(source) = self
            .sources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
        {
            return source.clone();
        }
        let source = self.bytes(id).and_then(|bytes| {
            let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
            // typst ignores a byte-order mark at the start of a source file.
            Ok(Source::new(
                id,
                text.trim_start_matches('\u{feff}').to_string(),
            ))
        });
        self.sources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, source.clone());
        source
    }
}

fn typst_date(date: chrono::NaiveDate) -> Result<Datetime> {
    use chrono::Datelike;
    Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
        .ok_or_else(|| InputError::new(format!("ugyldig dokumentdato {date}")).into())
}

impl Document {
    /// A document whose main file is `main_path` with text `main`, dated `date`.
    pub fn new(main_path: &str, main: String, date: chrono::NaiveDate) -> Result<Document> {
        let id = file_id(main_path)?;
        let mut sources = HashMap::new();
        sources.insert(id, Source::new(id, main));
        Ok(Document {
            main: id,
            sources,
            files: HashMap::new(),
            today: typst_date(date)?,
            disk: None,
        })
    }

    /// The document in folder `root` whose main file is `main` (relative to `root`, e.g.
    /// `rapport.typ`), dated `date`: every file it reads (imports, images) comes from the folder,
    /// and absolute typst paths resolve against it, as with `typst compile --root ROOT ROOT/MAIN`.
    pub fn from_dir(root: &Path, main: &str, date: chrono::NaiveDate) -> Result<Document> {
        let root = root
            .canonicalize()
            .with_context(|| InputError::new(format!("mappen {} findes ikke", root.display())))?;
        let id = file_id(&format!("/{}", main.trim_start_matches('/')))?;
        let disk = Disk {
            root,
            sources: Mutex::new(HashMap::new()),
            files: Mutex::new(HashMap::new()),
        };
        disk.source(id).map_err(|e| {
            InputError::new(format!(
                "kan ikke læse {}: {e}",
                disk.root.join(main).display()
            ))
        })?;
        Ok(Document {
            main: id,
            sources: HashMap::new(),
            files: HashMap::new(),
            today: typst_date(date)?,
            disk: Some(disk),
        })
    }

    /// Adds a typst source file at `path`.
    pub fn add_source(&mut self, path: &str, text: String) -> Result<()> {
        let id = file_id(path)?;
        self.sources.insert(id, Source::new(id, text));
        Ok(())
    }

    /// Adds a binary file (e.g. an SVG figure) at `path`.
    pub fn add_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<()> {
        self.files.insert(file_id(path)?, Bytes::new(bytes));
        Ok(())
    }

    /// Typesets the document and exports the PDF. `ident` is the PDF's stable document id.
    /// Warnings are returned (rendered with file and line); errors fail with the same rendering.
    pub fn compile_pdf(&self, ident: &str) -> Result<Typeset> {
        let world = ReportWorld { doc: self };
        let warned = typst::compile::<PagedDocument>(&world);
        let warnings: Vec<String> = warned
            .warnings
            .iter()
            .map(|d| describe(&world, d))
            .collect();
        let document = match warned.output {
            Ok(document) => document,
            Err(errors) => {
                let text: Vec<String> = errors.iter().map(|d| describe(&world, d)).collect();
                typst::comemo::evict(10);
                return Err(anyhow::anyhow!(
                    "typst kunne ikke sætte dokumentet:\n{}",
                    text.join("\n")
                ));
            }
        };
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            timestamp: Some(Timestamp::new_utc(self.today)),
            creator: Smart::Custom(Some(format!("effektrapport {}", env!("CARGO_PKG_VERSION")))),
            standards: typst_pdf::PdfStandards::new(&[
                typst_pdf::PdfStandard::Ua_1,
                typst_pdf::PdfStandard::A_2a,
            ])
            .map_err(|e| anyhow::anyhow!("PDF-standarderne kan ikke kombineres: {e:?}"))?,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| {
            let text: Vec<String> = errors.iter().map(|d| describe(&world, d)).collect();
            anyhow::anyhow!("PDF-eksporten fejlede:\n{}", text.join("\n"))
        });
        typst::comemo::evict(10);
        let pages = document
            .pages()
            .iter()
            .map(|page| frame_text(&page.frame))
            .collect();
        pdf.map(|pdf| Typeset {
            pdf,
            warnings,
            pages,
        })
        .context("kan ikke skrive PDF")
    }
}

/// A typeset document.
pub struct Typeset {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Compiler warnings, with file and line.
    pub warnings: Vec<String>,
    /// The text of each page, runs joined by spaces (for checks of what the reader sees).
    pub pages: Vec<String>,
}

fn frame_text(frame: &typst::layout::Frame) -> String {
    let mut out = String::new();
    for (_, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Group(group) => {
                let inner = frame_text(&group.frame);
                if !inner.is_empty() {
                    out.push_str(&inner);
                    out.push(' ');
                }
            }
            typst::layout::FrameItem::Text(text) => {
                out.push_str(&text.text);
                out.push(' ');
            }
            _ => {}
        }
    }
    out.trim_end().to_string()
}

/// A diagnostic as `fil:linje: fejl: besked (hint: …)`.
fn describe(world: &ReportWorld, diagnostic: &SourceDiagnostic) -> String {
    let kind = match diagnostic.severity {
        Severity::Error => "fejl",
        Severity::Warning => "advarsel",
    };
    let place = diagnostic
        .span
        .id()
        .and_then(|id| {
            let source = world.source(id).ok()?;
            let range = world.range(diagnostic.span)?;
            let line = source.lines().byte_to_line(range.start)? + 1;
            Some(format!("{}:{line}: ", id.vpath().get_with_slash()))
        })
        .unwrap_or_default();
    let hints: String = diagnostic
        .hints
        .iter()
        .map(|h| format!(" (hint: {})", h.v))
        .collect();
    format!("{place}{kind}: {}{hints}", diagnostic.message)
}

struct ReportWorld<'a> {
    doc: &'a Document,
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        fonts().book()
    }

    fn main(&self) -> FileId {
        self.doc.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(source) = self.doc.sources.get(&id) {
            return Ok(source.clone());
        }
        match &self.doc.disk {
            Some(disk) => disk.source(id),
            None => Err(not_found(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(source) = self.doc.sources.get(&id) {
            return Ok(Bytes::from_string(source.text().to_string()));
        }
        if let Some(bytes) = self.doc.files.get(&id) {
            return Ok(bytes.clone());
        }
        match &self.doc.disk {
            Some(disk) => disk.bytes(id),
            None => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.doc.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_compiles_like_the_same_files_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        // A title, a language and an alternative text: what PDF/UA-1 asks of this document.
        let main = "#set document(title: \"Prøve\")\n#set text(lang: \"da\")\n#import \"/lib/x.typ\": hilsen\n#hilsen\n#image(\"/fig/a.svg\", width: 2cm, alt: \"et sort kvadrat\")\n";
        let lib = "#let hilsen = [Goddag]\n";
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
        std::fs::create_dir_all(dir.path().join("lib")).unwrap();
        std::fs::create_dir_all(dir.path().join("fig")).unwrap();
        std::fs::write(dir.path().join("main.typ"), main).unwrap();
        std::fs::write(dir.path().join("lib/x.typ"), lib).unwrap();
        std::fs::write(dir.path().join("fig/a.svg"), svg).unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(2020, 6, 15).unwrap();

        let mut memory = Document::new("/main.typ", main.to_string(), date).unwrap();
        memory.add_source("/lib/x.typ", lib.to_string()).unwrap();
        memory
            .add_file("/fig/a.svg", svg.as_bytes().to_vec())
            .unwrap();
        let from_memory = memory.compile_pdf("test").unwrap();
        let from_disk = Document::from_dir(dir.path(), "main.typ", date)
            .unwrap()
            .compile_pdf("test")
            .unwrap();
        assert_eq!(from_disk.pages, vec!["Goddag".to_string()]);
        assert!(from_disk.pdf == from_memory.pdf);

        assert!(Document::from_dir(dir.path(), "mangler.typ", date).is_err());
        std::fs::write(
            dir.path().join("main.typ"),
            "#set document(title: \"Prøve\")\n#image(\"/fig/b.svg\", alt: \"mangler\")",
        )
        .unwrap();
        let missing = Document::from_dir(dir.path(), "main.typ", date)
            .unwrap()
            .compile_pdf("test");
        assert!(missing.is_err_and(|e| format!("{e:#}").contains("b.svg")));
    }
}
