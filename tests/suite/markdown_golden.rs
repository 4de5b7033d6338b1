//! Golden tests for the Markdown → Typst converter.
//!
//! Every `tests/fixtures/markdown/NAME.md` is converted (with no raw snippets) and compared
//! with `NAME.typ` next to it. Run with `UPDATE_GOLDEN=1` to (re)write the `.typ` files, then
//! review the diff. Every output must also parse without errors with Typst 0.15.1's parser.
//! (The fixtures were also compiled to PDF with Typst while writing them; that is not part of
//! the test.)

use std::fs;
use std::path::PathBuf;

use effektrapport::render::markdown::markdown_to_typst;
use typst::syntax::parse;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/markdown")
}

#[test]
fn golden_fixtures() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut names: Vec<PathBuf> = fs::read_dir(fixture_dir())
        .expect("fixture dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 10,
        "expected the golden fixtures, found {names:?}"
    );

    let mut failures = Vec::new();
    for md_path in &names {
        let md = fs::read_to_string(md_path).expect("read .md");
        let got =
            markdown_to_typst(&md, &[]).unwrap_or_else(|e| panic!("{}: {e}", md_path.display()));
        let root = parse(&got);
        assert!(
            !root.diagnosis().errors,
            "{}: output does not parse as Typst: {:?}",
            md_path.display(),
            root.errors_and_warnings().0
        );
        let typ_path = md_path.with_extension("typ");
        if update {
            fs::write(&typ_path, &got).expect("write .typ");
            continue;
        }
        let want = fs::read_to_string(&typ_path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", typ_path.display()));
        if got != want {
            failures.push(format!(
                "=== {} ===\n--- want\n{want}\n--- got\n{got}",
                typ_path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n")
    );
}
