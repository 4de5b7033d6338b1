//! End to end: the bundled synthetic registers → resultater.json → PDF, as a new user runs it.
//! One build is shared by the checks of this file; a second build checks byte-identity.

use effektrapport::config::Config;
use effektrapport::locale;
use effektrapport::results::Results;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn quick_config() -> Config {
    let mut config =
        Config::load(Path::new("report/rapport.yaml")).expect("the shipped config loads");
    config.analyse.bootstrap = 20;
    config
}

/// Text without white space and hyphenation hyphens: runs are joined by spaces and lines may be
/// hyphenated, so phrases are compared in this form.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}' | '\u{ad}'))
        .collect()
}

struct Built {
    dir: PathBuf,
    results: Results,
    text: String,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = effektrapport::build_report(&quick_config(), None, &dir).expect("build succeeds");
        Built {
            dir,
            results: out.results,
            text: out.pages.join("\n"),
        }
    })
}

#[test]
fn build_writes_pdf_json_typst_and_csv() {
    let b = built();
    let pdf = std::fs::read(b.dir.join("rapport.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = std::fs::read_to_string(b.dir.join("resultater.json")).unwrap();
    assert!(
        text == b.results.to_json().unwrap(),
        "resultater.json differs from the printed results"
    );
    let read: Results = serde_json::from_str(&text).expect("resultater.json reads back");
    assert_eq!(read.estimater.len(), b.results.estimater.len());
    for file in [
        "rapport.typ",
        "templates/rapport.typ",
        "fig/figur_2_3.svg",
        "tabeller/tabel_4_1.csv",
    ] {
        assert!(b.dir.join(file).is_file(), "{file} missing");
    }
    for word in [
        "beskæftigelse",
        "Ordinær",
        "Måned",
        "før",
        "Selvforsørgelse",
    ] {
        assert!(b.text.contains(word), "the PDF text lacks «{word}»");
    }
}

#[test]
fn every_table_and_figure_has_its_numbered_caption() {
    let text = squeeze(&built().text);
    let captions = [
        "Tabel 2.1",
        "Tabel 3.1",
        "Tabel 3.2",
        "Tabel 4.1",
        "Tabel 4.2",
        "Tabel 4.3",
        "Tabel 4.4",
        "Tabel 4.5",
        "Tabel 4.6",
        "Tabel 4.7",
        "Tabel 5.1",
        "Tabel 5.2",
        "Tabel 5.3",
        "Tabel 5.4",
        "Bilagstabel 2.1",
        "Bilagstabel 2.2",
        "Bilagstabel 2.3",
        "Figur 2.1",
        "Figur 2.2",
        "Figur 4.1",
        "Figur 4.2",
        "Figur 4.3",
        "Bilagsfigur 2.1",
    ];
    for caption in captions {
        let wanted = squeeze(&format!("{caption}:"));
        assert!(text.contains(&wanted), "no caption «{caption}:» in the PDF");
    }
}

#[test]
fn numbers_in_the_prose_and_tables_equal_the_results() {
    let b = built();
    let e = |k: &str| {
        b.results
            .estimate(k)
            .unwrap_or_else(|| panic!("{k} missing"))
    };
    let main = e("tabel_4_1.alle.m2.beskaeftigelse");
    // Prose: the effect in percentage points and the control level in per cent; table: 4 decimals with stars.
    for needle in [
        locale::pp(main.est.abs(), 1),
        locale::pct(main.kontrolniveau, 1),
        format!("{}{}", locale::tal(main.est, 4), main.stjerner),
        format!("({})", locale::tal(main.se, 4)),
        if main.p < 0.001 {
            "p < 0,001".to_string()
        } else {
            format!("p = {}", locale::tal(main.p, 3))
        },
        locale::heltal(b.results.tal["tabel_2_1.i_alt.alle"] as i64),
    ] {
        assert!(
            b.text.contains(&needle),
            "«{needle}» from resultater.json is not in the PDF"
        );
    }
    let csv = std::fs::read_to_string(b.dir.join("tabeller/tabel_4_1.csv")).unwrap();
    assert!(csv.contains(&format!("{}{}", locale::tal(main.est, 4), main.stjerner)));
    // A sentence chosen by the result: the significance wording follows p.
    let wording = if main.p < 0.001 {
        "meget klart statistisk signifikant"
    } else if main.p < 0.01 {
        "klart statistisk signifikant"
    } else if main.p < 0.05 {
        "statistisk signifikant"
    } else if main.p < 0.10 {
        "svagt statistisk signifikant"
    } else {
        "ikke statistisk signifikant"
    };
    assert!(
        b.text.contains(wording),
        "the prose does not say «{wording}» for p = {}",
        main.p
    );
}

#[test]
fn no_published_cell_rests_on_one_to_four_persons() {
    let b = built();
    for (key, value) in &b.results.tal {
        if key.starts_with("tabel_2_1.") && !key.ends_with(".uger") && key != "tabel_2_1.kommuner" {
            assert!(
                *value == 0.0 || *value >= 5.0,
                "{key} = {value} is a small cell"
            );
        }
    }
}

#[test]
fn building_twice_gives_identical_bytes() {
    let b = built();
    let again = tempfile::tempdir().unwrap();
    effektrapport::build_report(&quick_config(), None, again.path()).unwrap();
    for file in [
        "rapport.pdf",
        "resultater.json",
        "rapport.typ",
        "fig/figur_2_3.svg",
        "data/syntetisk-2020/dream.parquet",
    ] {
        let (x, y) = (
            std::fs::read(b.dir.join(file)).unwrap(),
            std::fs::read(again.path().join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between two builds");
    }
}
