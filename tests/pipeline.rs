//! End to end: the bundled synthetic registers → resultater.json → PDF, as a new user runs it.

use effektrapport::config::Config;
use effektrapport::locale;
use std::path::Path;

fn quick_config() -> Config {
    let mut config =
        Config::load(Path::new("report/rapport.yaml")).expect("the shipped config loads");
    config.analyse.bootstrap = 20;
    config
}

#[test]
fn build_writes_pdf_whose_numbers_equal_the_results() {
    let out = tempfile::tempdir().unwrap();
    let built =
        effektrapport::build_report(&quick_config(), None, out.path()).expect("build succeeds");
    let pdf = std::fs::read(out.path().join("rapport.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let json: effektrapport::results::Results =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("resultater.json")).unwrap())
            .unwrap();
    assert_eq!(json, built.results);

    let text = built.pages.join("\n");
    for word in ["beskæftigelse", "Ordinær", "Måneder", "før"] {
        assert!(text.contains(word), "the PDF text lacks «{word}»");
    }
    assert!(
        text.contains("Tabel 4.1"),
        "table caption numbered per chapter"
    );
    assert!(
        text.contains("Figur 1.1"),
        "figure caption numbered per chapter"
    );

    // The prose quotes the main estimate in percentage points, the table in shares with 4 decimals.
    let main = &json.estimater["tabel_4_1.alle.m2.beskaeftigelse"];
    let prose = locale::pp(main.est.abs(), 1);
    assert!(
        text.contains(&prose),
        "prose number {prose} missing from the PDF"
    );
    let cell = format!("{}{}", locale::tal(main.est, 4), main.stjerner);
    assert!(
        text.contains(&cell),
        "table cell {cell} missing from the PDF"
    );
    let control = locale::pct(main.kontrolniveau, 1);
    assert!(
        text.contains(&control),
        "control level {control} missing from the prose"
    );
    let csv = std::fs::read_to_string(out.path().join("tabeller/tabel_4_1.csv")).unwrap();
    assert!(csv.contains(&cell));
    // The typst sources and figures are written for an external `typst compile`.
    assert!(out.path().join("rapport.typ").is_file());
    assert!(out.path().join("templates/rapport.typ").is_file());
    assert!(out.path().join("fig/figur_2_3.svg").is_file());
}

#[test]
fn building_twice_gives_identical_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = quick_config();
    effektrapport::build_report(&config, None, a.path()).unwrap();
    effektrapport::build_report(&config, None, b.path()).unwrap();
    for file in [
        "rapport.pdf",
        "resultater.json",
        "rapport.typ",
        "fig/figur_2_3.svg",
        "data/syntetisk-2020/dream.parquet",
    ] {
        let (x, y) = (
            std::fs::read(a.path().join(file)).unwrap(),
            std::fs::read(b.path().join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between two builds");
    }
}
