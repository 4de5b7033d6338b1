//! End to end: the bundled synthetic registers → resultater.json → PDF, as a new user runs it.
//! One build (B = 100 bootstrap replicates, enough for the calibration's standard errors) is
//! shared by the checks of this file: outputs, captions, numbers, discretion, calibration against
//! the published tables, and the written typst sources. Two small builds check byte-identity.

use effektrapport::config::Config;
use effektrapport::locale;
use effektrapport::results::Results;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Bootstrap replicates of the shared build: the calibration compares with bootstrap SEs, which
/// need more than a handful of replicates to be stable.
const BOOTSTRAP: usize = 100;

fn config_with_bootstrap(replicates: usize) -> Config {
    let mut config =
        Config::load(Path::new("report/rapport.yaml")).expect("the shipped config loads");
    config.analyse.bootstrap = replicates;
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
    config: Config,
    results: Results,
    typst: String,
    pages: Vec<String>,
    text: String,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let config = config_with_bootstrap(BOOTSTRAP);
        let started = std::time::Instant::now();
        let out = effektrapport::build_report(&config, None, &dir).expect("build succeeds");
        eprintln!(
            "shared build (B = {BOOTSTRAP}): {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Built {
            dir,
            config,
            results: out.results,
            typst: out.typst,
            text: out.pages.join("\n"),
            pages: out.pages,
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

/// Every table and figure of issue 5 (report.md's list plus the population funnel): its typst
/// label and the number it gets in the PDF. Figures and tables are numbered per chapter, so the
/// published report's Figur 2.3 and 2.4 are Figur 2.1 and 2.2 here (its Figur 2.1–2.2 are
/// diagrams without data), and the funnel is Tabel 3.2.
const CAPTIONED: [(&str, &str); 24] = [
    ("tab:tabel_2_1", "Tabel 2.1"),
    ("tab:tabel_3_1", "Tabel 3.1"),
    ("tab:tabel_3_2", "Tabel 3.2"),
    ("tab:tabel_4_1", "Tabel 4.1"),
    ("tab:tabel_4_2", "Tabel 4.2"),
    ("tab:tabel_4_3", "Tabel 4.3"),
    ("tab:tabel_4_4", "Tabel 4.4"),
    ("tab:tabel_4_5", "Tabel 4.5"),
    ("tab:tabel_4_6", "Tabel 4.6"),
    ("tab:tabel_4_7", "Tabel 4.7"),
    ("tab:tabel_5_1", "Tabel 5.1"),
    ("tab:tabel_5_2", "Tabel 5.2"),
    ("tab:tabel_5_3", "Tabel 5.3"),
    ("tab:tabel_5_4", "Tabel 5.4"),
    ("tab:bilagstabel_2_1", "Bilagstabel 2.1"),
    ("tab:bilagstabel_2_2", "Bilagstabel 2.2"),
    ("tab:bilagstabel_2_3", "Bilagstabel 2.3"),
    ("fig:figur_2_3", "Figur 2.1"),
    ("fig:figur_2_4", "Figur 2.2"),
    ("fig:figur_4_1", "Figur 4.1"),
    ("fig:figur_4_2", "Figur 4.2"),
    ("fig:figur_4_3", "Figur 4.3"),
    ("fig:bilagsfigur_2_1", "Bilagsfigur 2.1"),
    ("fig:bilagsfigur_2_2", "Bilagsfigur 2.2"),
];

/// The caption of the figure labelled `label` in typst markup: the `caption: [#"…"]` string
/// literal of the last figure before `<label>`, unescaped.
fn caption_of(typst: &str, label: &str) -> Option<String> {
    let at = typst.find(&format!("<{label}>"))?;
    let start = typst[..at].rfind("caption: [#\"")? + "caption: [#\"".len();
    let mut out = String::new();
    let mut chars = typst[start..at].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[test]
fn every_table_and_figure_has_its_numbered_caption() {
    let b = built();
    let text = squeeze(&b.text);
    let mut missing = Vec::new();
    for (label, number) in CAPTIONED {
        let placed = b.typst.matches(&format!("<{label}>")).count();
        let Some(caption) = caption_of(&b.typst, label).filter(|_| placed == 1) else {
            missing.push(format!(
                "{number} ({label}) is placed {placed} times in rapport.typ, not once"
            ));
            continue;
        };
        assert!(
            !caption.trim().is_empty(),
            "{number} ({label}) has an empty caption"
        );
        if !text.contains(&squeeze(&format!("{number}: {caption}"))) {
            missing.push(format!("«{number}: {caption}» is not in the PDF text"));
        }
    }
    assert!(
        missing.is_empty(),
        "tables and figures missing from the PDF:\n{}",
        missing.join("\n")
    );
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
    let small = |n: f64| n > 0.5 && n < 4.5;
    for (key, value) in &b.results.tal {
        if key.starts_with("tabel_2_1.") && !key.ends_with(".uger") && key != "tabel_2_1.kommuner" {
            assert!(!small(*value), "{key} = {value} is a small cell");
        }
        // Tabel 3.1's shares of persons by municipality: neither the persons living there nor
        // the others in the group may be 1–4.
        if let Some(rest) = key.strip_prefix("tabel_3_1.")
            && let Some((group, name)) = rest.split_once('.')
            && name.starts_with("kommune_")
        {
            let n = b.results.tal[&format!("antal.{group}.deltagere")];
            let with = value * n;
            assert!(
                !small(with) && !small(n - with),
                "{key} = {value} of {n} persons rests on {with:.0} persons"
            );
        }
    }
    // Tabel 2.1's totals do not give a hidden municipality by subtraction.
    for column in ["alle", "kvinder", "maend"] {
        let hidden = b
            .results
            .diskretion
            .iter()
            .filter(|k| k.starts_with("tabel_2_1.") && k.ends_with(&format!(".{column}")))
            .filter(|k| !k.contains("i_alt"))
            .count();
        if hidden == 1 {
            assert!(
                !b.results
                    .tal
                    .contains_key(&format!("tabel_2_1.i_alt.{column}")),
                "the total of «{column}» gives the one hidden municipality"
            );
        }
    }
}

/// Every number the default build publishes passes the output-control audit at the project's
/// threshold, read back from `resultater.json` as it leaves the server; a planted table that
/// bypasses output control, and a planted share resting on 3 persons, fail it.
#[test]
fn every_published_number_passes_output_control_and_a_planted_leak_fails() {
    let b = built();
    let threshold = b.config.analyse.diskretion;
    assert_eq!(threshold, 5, "the shipped threshold");
    let published: Results =
        serde_json::from_str(&std::fs::read_to_string(b.dir.join("resultater.json")).unwrap())
            .unwrap();
    let leaks = effektrapport::diskretion::audit(&published, threshold);
    assert!(
        leaks.is_empty(),
        "published numbers break output control: {leaks:#?}"
    );
    // A table that prints a count of its own, past the module.
    let mut planted = published.clone();
    planted
        .tal
        .insert("tabel_9_1.kerteminde.kvinder".into(), 3.0);
    // A share of 3 women in Tabel 3.1's family.
    let women = planted.tal["antal.kvinder.deltagere"];
    planted
        .tal
        .insert("tabel_3_1.kvinder.kommune_plantet".into(), 3.0 / women);
    // An effect on 4 matched participants.
    let (key, mut estimate) = (planted.estimater.iter().next())
        .map(|(k, e)| (k.clone(), e.clone()))
        .unwrap();
    estimate.n_behandlede = 4;
    planted.estimater.insert(key.clone(), estimate);
    let found: Vec<String> = effektrapport::diskretion::audit(&planted, threshold)
        .into_iter()
        .map(|l| l.cell)
        .collect();
    for cell in [
        "tabel_9_1.kerteminde.kvinder",
        "tabel_3_1.kvinder.kommune_plantet",
        &key,
    ] {
        assert!(
            found.iter().any(|c| c == cell),
            "the planted {cell} is not found: {found:?}"
        );
    }
    assert_eq!(found.len(), 3, "{found:?}");
}

/// At Statistics Denmark's own threshold of 3 the build publishes more, and still passes the
/// audit at 3.
#[test]
fn the_audit_passes_at_the_threshold_of_three() {
    let mut config = config_with_bootstrap(0);
    config.analyse.diskretion = 3;
    let dir = tempfile::tempdir().unwrap();
    let out = effektrapport::build_report(&config, None, dir.path()).expect("build succeeds");
    let leaks = effektrapport::diskretion::audit(&out.results, 3);
    assert!(leaks.is_empty(), "{leaks:#?}");
    assert!(
        out.results.diskretion.len() < built().results.diskretion.len(),
        "a lower threshold hides fewer cells"
    );
}

/// `diskretion.json`, the output-control log for the reviewer: the threshold, and every hidden
/// cell with its rule and the counts that justify it; `resultater.json` (which leaves the server)
/// names the hidden cells but holds none of these counts.
#[test]
fn the_output_control_log_lists_every_hidden_cell_with_its_counts() {
    let b = built();
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.dir.join("diskretion.json")).unwrap())
            .unwrap();
    let threshold = b.config.analyse.diskretion as u64;
    assert_eq!(log["taerskel"], threshold);
    let cells = log["skjulte_celler"].as_array().unwrap();
    assert_eq!(log["antal_skjulte_celler"], cells.len());
    for key in &b.results.diskretion {
        assert!(
            cells.iter().any(|c| c["celle"] == key.as_str()),
            "{key} is hidden but not in the log"
        );
    }
    let small = |n: u64| n > 0 && n < threshold;
    for cell in cells {
        let persons = cell["personer"].as_u64().unwrap();
        match cell["regel"].as_str().unwrap() {
            "primær" => {
                let with = cell["med"].as_u64();
                assert!(
                    small(persons)
                        || with.is_some_and(|w| small(w) || small(persons - w))
                        || persons < threshold,
                    "{cell}: the counts do not call for suppression"
                );
            }
            "sekundær" => {}
            other => panic!("unknown rule {other}"),
        }
    }
    let published = std::fs::read_to_string(b.dir.join("resultater.json")).unwrap();
    assert!(!published.contains("diskretionslog") && !published.contains("\"personer\""));
}

/// Tabel 2.1 as a reader sees it, in the CSV and the PDF: a row for each of the 11 delivering
/// municipalities (the published table's rows, tests/fixtures/published_tables.yaml) and "I alt", the
/// published columns, and in every cell a number or the suppression mark "–*".
#[test]
fn tabel_2_1_has_every_municipality_and_a_value_in_every_cell() {
    let b = built();
    let csv = std::fs::read_to_string(b.dir.join("tabeller/tabel_2_1.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(';').collect()).collect();
    assert_eq!(
        rows[0],
        ["Kommune", "Alle", "Kvinder", "Mænd", "Uger i projektet"],
        "{csv}"
    );
    let municipalities = [
        "Aabenraa",
        "Egedal",
        "Faxe",
        "Fredericia",
        "Haderslev",
        "Høje-Taastrup",
        "Kerteminde",
        "Odder",
        "Ringsted",
        "Rudersdal",
        "Thisted",
    ];
    let labels: Vec<&str> = rows[1..].iter().map(|r| r[0].trim_matches('"')).collect();
    for m in municipalities {
        assert!(labels.contains(&m), "Tabel 2.1 lacks {m}:\n{csv}");
        assert!(b.text.contains(m), "the PDF lacks {m}");
    }
    assert_eq!(labels.len(), 12, "11 municipalities and I alt:\n{csv}");
    assert_eq!(labels.last(), Some(&"I alt"));
    for row in &rows[1..] {
        assert_eq!(row.len(), 5, "{row:?}");
        for cell in &row[1..] {
            let cell = cell.trim_matches('"');
            assert!(
                cell == "–*"
                    || cell
                        .replace('.', "")
                        .replace(',', ".")
                        .parse::<f64>()
                        .is_ok(),
                "{}: «{cell}» is neither a number nor a suppression mark",
                row[0]
            );
        }
    }
}

/// The report is exported as PDF/UA-1 and PDF/A-2a (typst checks both while exporting, so a
/// build that passes them is the test of conformance), and every figure carries an alternative
/// text that states its message with numbers from the results.
#[test]
fn the_pdf_is_accessible_and_every_figure_has_an_alternative_text() {
    let b = built();
    let pdf = std::fs::read(b.dir.join("rapport.pdf")).unwrap();
    let has = |needle: &str| pdf.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(has("pdfuaid:part>1<"), "no PDF/UA-1 identification");
    assert!(
        has("pdfaid:part>2<") && has("pdfaid:conformance>A<"),
        "no PDF/A-2a identification"
    );
    let images: Vec<&str> = b
        .typst
        .match_indices("#image(")
        .map(|(i, _)| &b.typst[i..])
        .collect();
    assert_eq!(images.len(), 7, "the report's seven figures");
    for image in images {
        let call = &image[..image.find(")\n").unwrap()];
        let alt = call
            .split("alt: \"")
            .nth(1)
            .map(|a| a.trim_end_matches('"'))
            .unwrap_or("");
        assert!(
            alt.len() > 80 && alt.chars().any(|c| c.is_ascii_digit()),
            "a figure's alternative text is missing or says no number: {call}"
        );
    }
    // The weekly effect curves say where the effect is largest and how often it is significant.
    let weekly = &b.typst[b.typst.find("figur_4_1.svg").unwrap()..];
    assert!(
        weekly.contains("effekten er størst i uge"),
        "{}",
        &weekly[..400]
    );
}

/// The template whitespace never breaks a line of the report before punctuation.
#[test]
fn no_line_of_the_report_starts_with_punctuation() {
    for line in built().text.lines() {
        assert!(
            !line
                .trim_start()
                .starts_with([',', '.', ';', ':', '!', '?', ')']),
            "a line starts with punctuation: «{line}»"
        );
    }
}

#[test]
fn building_twice_gives_identical_bytes() {
    // Two small builds of their own (B = 5: the bootstrap runs, but quickly), so the shared
    // build can afford B = 100.
    let config = config_with_bootstrap(5);
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for dir in &dirs {
        effektrapport::build_report(&config, None, dir.path()).unwrap();
    }
    for file in [
        "rapport.pdf",
        "resultater.json",
        "rapport.typ",
        "fig/figur_2_3.svg",
        "fig/bilagsfigur_2_1.svg",
        "tabeller/tabel_4_1.csv",
        "data/syntetisk-2020/dream.parquet",
    ] {
        let (x, y) = (
            std::fs::read(dirs[0].path().join(file)).unwrap(),
            std::fs::read(dirs[1].path().join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between two builds");
    }
}

// ---------------------------------------------------------------------------------------------
// Calibration: our Tabel 4.1–4.7 against the published report.

/// The published estimates of Tabel 4.1–4.7 (method (1) and (2), every group), extracted from
/// the structured copy of the published report (`shared/spec/seed-tables.yaml`) by
/// `export_published_tables`.
const PUBLISHED: &str = "tests/fixtures/published_tabel_4.csv";

/// Group keys of the published column headings.
const PUBLISHED_GROUPS: [(&str, &str); 6] = [
    ("Alle", "alle"),
    ("Mænd", "maend"),
    ("Kvinder", "kvinder"),
    ("Januar 2017-Oktober 2018", "alle"),
    ("I) Januar 2017-Juni 2018", "start_2018_06"),
    ("II) Januar 2017-Marts 2018", "start_2018_03"),
];

/// Outcome keys of the published row labels (Tabel 4.2's rows are months 0..k: `beskaeftigelse_m<k>`).
const PUBLISHED_OUTCOMES: [(&str, &str); 17] = [
    ("Beskæftigelse", "beskaeftigelse"),
    ("Industri", "industri"),
    ("Handel", "handel"),
    ("Transport", "transport"),
    ("Hotel og restauration", "hotel_restauration"),
    ("Sundhed", "sundhed"),
    ("Enkeltmandsvirksomhed", "enkeltmandsvirksomhed"),
    ("Aktieselskab", "aktieselskab"),
    ("Anpartsselskab", "anpartsselskab"),
    ("Primær kommune", "primaer_kommune"),
    ("Selvforsørgelse", "selvforsoergelse"),
    ("Modtagelse af SU", "su"),
    ("Løntilskud, Privat (uger 0-52)", "loentilskud_privat"),
    (
        "Virksomhedspraktik, Privat (uger 0-52)",
        "virksomhedspraktik_privat",
    ),
    ("Løntilskud, Off. (uger 0-52)", "loentilskud_offentlig"),
    (
        "Virksomhedspraktik, Off. (uger 0-52)",
        "virksomhedspraktik_offentlig",
    ),
    ("IGU (uge 0-52)", "igu"),
];

/// One published estimate: results key, estimate, bootstrap SE.
struct Published {
    key: String,
    est: f64,
    se: f64,
}

fn published() -> Vec<Published> {
    let text = std::fs::read_to_string(PUBLISHED).expect("the published tables fixture");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("nøgle;"))
        .map(|line| {
            let f: Vec<&str> = line.split(';').collect();
            assert_eq!(f.len(), 4, "{PUBLISHED}: bad line «{line}»");
            Published {
                key: f[0].to_string(),
                est: f[1].parse().expect("estimate"),
                se: f[2].parse().expect("standard error"),
            }
        })
        .collect()
}

/// Writes `PUBLISHED` from seed-tables.yaml (path in `SEED_TABLES`, default
/// `../shared/spec/seed-tables.yaml`): `cargo test --test pipeline -- --ignored export_published_tables`.
#[test]
#[ignore]
fn export_published_tables() {
    use serde_yaml::Value;
    let path = std::env::var("SEED_TABLES")
        .unwrap_or_else(|_| "../shared/spec/seed-tables.yaml".to_string());
    let yaml: Value =
        serde_yaml::from_str(&std::fs::read_to_string(&path).expect("seed-tables.yaml")).unwrap();
    let lookup = |table: &[(&str, &'static str)], label: &str| -> &'static str {
        table
            .iter()
            .find(|(l, _)| *l == label)
            .unwrap_or_else(|| panic!("no key for «{label}»"))
            .1
    };
    let mut out = format!(
        "# The published estimates of Tabel 4.1–4.7 (VIVE 2020), methods (1) and (2), as results keys.\n\
         # Extracted from {path} by `cargo test --test pipeline -- --ignored export_published_tables`.\n\
         nøgle;est;se;stjerner\n"
    );
    for table in yaml["tables"].as_sequence().unwrap() {
        let id = table["id"].as_str().unwrap();
        let Some(n) = id.strip_prefix("Tabel 4.") else {
            continue;
        };
        for row in table["rows"].as_sequence().unwrap() {
            let outcome = match row["months_after_start_window"].as_sequence() {
                Some(window) => format!("beskaeftigelse_m{}", window[1].as_u64().unwrap()),
                None => lookup(&PUBLISHED_OUTCOMES, row["label"].as_str().unwrap()).to_string(),
            };
            for cell in row["cells"].as_sequence().unwrap() {
                let group = lookup(&PUBLISHED_GROUPS, cell["group"].as_str().unwrap());
                let method = cell["method"].as_u64().unwrap();
                out.push_str(&format!(
                    "tabel_4_{n}.{group}.m{method}.{outcome};{};{};{}\n",
                    cell["est"].as_f64().unwrap(),
                    cell["se"].as_f64().unwrap(),
                    cell["stars"].as_str().unwrap_or(""),
                ));
            }
        }
    }
    std::fs::write(PUBLISHED, out).unwrap();
}

/// Our Tabel 4.1–4.7 against the published ones: the synthetic registers plant the published
/// method-(2) effects by sex, so a correct pipeline lands near them. At least 85% of our
/// estimates must lie within two of our bootstrap standard errors of the published estimate.
/// The side-by-side table prints with `cargo test --test pipeline -- --nocapture calibration`.
#[test]
fn calibration_against_the_published_tables() {
    let b = built();
    assert_eq!(b.results.proveniens.bootstrap, BOOTSTRAP);
    let published = published();
    assert!(
        published.len() > 100,
        "the fixture has {} estimates",
        published.len()
    );
    let mut lines = vec![format!(
        "{:<50} {:>9} {:>8} {:>9} {:>8} {:>7}",
        "nøgle", "publ.", "(SE)", "vores", "vores SE", "z"
    )];
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for p in &published {
        let ours = b
            .results
            .estimate(&p.key)
            .unwrap_or_else(|| panic!("resultater.json has no {}", p.key));
        let z = (ours.est - p.est) / ours.se;
        let near = z.abs() <= 2.0;
        let table = p.key.split('.').next().unwrap().to_string();
        let t = tally.entry(table).or_default();
        t.0 += usize::from(near);
        t.1 += 1;
        if !near {
            misses.push(format!("{} (z = {z:.2})", p.key));
        }
        lines.push(format!(
            "{:<50} {:>9.4} {:>8.4} {:>9.4} {:>8.4} {:>7.2}{}",
            p.key,
            p.est,
            p.se,
            ours.est,
            ours.se,
            z,
            if near { "" } else { "  *" }
        ));
    }
    let near: usize = tally.values().map(|t| t.0).sum();
    let share = near as f64 / published.len() as f64;
    let summary: Vec<String> = tally
        .iter()
        .map(|(t, (n, all))| format!("{t}: {n}/{all}"))
        .collect();
    println!("{}", lines.join("\n"));
    println!(
        "within 2 SE: {near}/{} = {:.1}% ({}); * = outside",
        published.len(),
        share * 100.0,
        summary.join(", ")
    );
    assert!(
        share >= 0.85,
        "only {near}/{} = {:.1}% of our Tabel 4.1–4.7 estimates lie within 2 bootstrap SEs of the published ones ({}); outside: {}",
        published.len(),
        share * 100.0,
        summary.join(", "),
        misses.join(", ")
    );
}

// ---------------------------------------------------------------------------------------------
// The written typst sources reproduce the PDF.

/// `build/rapport.typ` with `templates/rapport.typ` and `fig/*.svg`, read back from disk by a
/// fresh file-system World, gives the same document as the build: same pages, same text, same
/// bytes. If a `typst` program is on PATH, it compiles the same folder too (skipped otherwise).
#[test]
fn written_typst_sources_give_the_same_pdf() {
    let b = built();
    let document = effektrapport::pdf::Document::from_dir(&b.dir, "rapport.typ", b.config.dato)
        .expect("rapport.typ reads back");
    // The build's PDF id (src/pipeline.rs).
    let typeset = document
        .compile_pdf("effektrapport/rapport")
        .expect("the written sources compile");
    assert_eq!(
        typeset.pages.len(),
        b.pages.len(),
        "page count differs from the build's"
    );
    for (k, (disk, build)) in typeset.pages.iter().zip(&b.pages).enumerate() {
        assert!(disk == build, "page {} differs from the build's", k + 1);
    }
    let pdf = std::fs::read(b.dir.join("rapport.pdf")).unwrap();
    assert!(
        typeset.pdf == pdf,
        "the PDF from disk is not byte-identical to rapport.pdf"
    );

    let Some(typst) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("typst"))
            .find(|path| path.is_file())
    }) else {
        eprintln!("typst is not on PATH: the typst CLI check is skipped");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let cli_pdf = out.path().join("rapport.pdf");
    // Only the fonts built into typst, as in the build, and the document's date as creation date.
    let stamp = b
        .config
        .dato
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or_default();
    let run = std::process::Command::new(&typst)
        .arg("compile")
        .arg("--ignore-system-fonts")
        .arg("--creation-timestamp")
        .arg(stamp.to_string())
        .arg("--root")
        .arg(&b.dir)
        .arg(b.dir.join("rapport.typ"))
        .arg(&cli_pdf)
        .output()
        .expect("typst runs");
    let version = std::process::Command::new(&typst)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert!(
        run.status.success(),
        "{version} failed on rapport.typ:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let cli = std::fs::read(&cli_pdf).unwrap();
    assert!(cli.starts_with(b"%PDF-"), "{version} wrote no PDF");
    // Page count, when poppler's pdfinfo is at hand (the CLI stamps its own date and id, so
    // the bytes differ).
    if let Ok(info) = std::process::Command::new("pdfinfo").arg(&cli_pdf).output() {
        let text = String::from_utf8_lossy(&info.stdout);
        if let Some(pages) = text
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse::<usize>().ok())
        {
            assert_eq!(pages, b.pages.len(), "{version} gives another page count");
        }
    }
}

/// A cell that cannot be estimated does not stop the build. With a fixed bandwidth so small
/// that no participant has a control within it, every matching estimate fails with "no matched
/// participant" (kmatch stops with an error there); IPW (method 5) needs no bandwidth and still
/// stands. The report is built: the failed cells print "–" with the reason in the table's note,
/// the prose says the effect could not be computed, and `advarsler` names the failure.
#[test]
fn a_cell_that_cannot_be_estimated_shows_a_dash_and_the_build_finishes() {
    let mut config = config_with_bootstrap(0);
    config.analyse.baandbredde = "0.0000001".into();
    let dir = tempfile::tempdir().unwrap();
    let out = effektrapport::build_report(&config, None, dir.path())
        .expect("the build finishes although cells cannot be estimated");
    let results = &out.results;
    let failed = "tabel_4_1.kvinder.m2.beskaeftigelse";
    assert!(!results.estimater.contains_key(failed));
    let reason = &results.ikke_estimeret[failed];
    assert!(
        reason.contains("ingen deltager har en brugbar kontrolperson"),
        "{reason}"
    );
    // IPW has no bandwidth: its cells are estimated.
    assert!(
        (results.estimater.keys()).any(|k| k.contains(".m5.")),
        "no IPW estimate"
    );
    assert!(
        (results.advarsler.iter()).any(|w| w.contains("tabel_4_1") && w.contains("ikke estimeret")),
        "{:?}",
        results.advarsler
    );
    // The table as a reader sees it: every method (2) cell of Tabel 4.1 is "–", its note
    // gives the reason.
    let csv = std::fs::read_to_string(dir.path().join("tabeller/tabel_4_1.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(';').collect();
    let column = header.iter().position(|h| *h == "Kvinder (2)").expect(&csv);
    let row = csv.lines().nth(1).unwrap();
    assert_eq!(row.split(';').nth(column), Some("–"), "{csv}");
    let text = squeeze(&out.pages.join("\n"));
    assert!(
        text.contains(&squeeze(
            "–: ikke estimeret: ingen deltager har en brugbar kontrolperson"
        )),
        "the note of the failed cells is not in the PDF"
    );
    assert!(text.contains(&squeeze("ikke opgjort")));
    // Written whole: the results name the cells, and the report is there.
    let json = std::fs::read_to_string(dir.path().join("resultater.json")).unwrap();
    assert!(json.contains("\"ikke_estimeret\""));
    assert!(dir.path().join("rapport.pdf").is_file());
}

/// A new table is declared in the report folder alone: an analysis with outcomes no other table
/// prints (employment guidance and education activation in week 4 after start), its own title,
/// row labels, group labels and note under `tabel:`, and one line in a chapter that places it.
/// The build puts it in the PDF, as CSV and in `resultater.json`, with no Rust changed.
#[test]
fn a_table_declared_in_the_report_folder_alone_is_built() {
    let root = tempfile::tempdir().unwrap();
    let path = crate::report_support::report_copy(root.path(), "report", 0);
    let dir = path.parent().unwrap();
    let mut yaml = std::fs::read_to_string(&path).unwrap();
    yaml.push_str(
        r#"  - id: tabel_9_1
    udfald: [vejledning_opkvalificering_u4, uddannelsesaktivering_u4]
    grupper: [alle, kvinder]
    metoder: [2]
    tabel:
      titel: "Aktivering i uge 4 efter start, {periode}"
      niveauer: true
      raekker:
        uddannelsesaktivering_u4: "Uddannelsesaktivering i uge 4"
        vejledning_opkvalificering_u4: "Vejledning og opkvalificering i uge 4"
      grupper:
        kvinder: "Kvinderne"
      note: "En tabel, der kun er erklæret i rapportmappen."
"#,
    );
    std::fs::write(&path, yaml).unwrap();
    let chapter = dir.join("kapitler/robusthed.md");
    let mut text = std::fs::read_to_string(&chapter).unwrap();
    text.push_str("\n{{ tabel(\"tabel_9_1\") }}\n");
    std::fs::write(&chapter, text).unwrap();
    let config = Config::load(&path).expect("the declaration is valid");
    let out_dir = root.path().join("build");
    let out = effektrapport::build_report(&config, None, &out_dir).expect("the build succeeds");
    // resultater.json: both outcomes for both groups.
    for group in ["alle", "kvinder"] {
        for outcome in ["vejledning_opkvalificering_u4", "uddannelsesaktivering_u4"] {
            let key = format!("tabel_9_1.{group}.m2.{outcome}");
            assert!(out.results.estimater.contains_key(&key), "{key}");
        }
    }
    // The CSV: the declared columns and rows, in the declared order, a number in every cell.
    let csv = std::fs::read_to_string(out_dir.join("tabeller/tabel_9_1.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(';').collect()).collect();
    assert_eq!(rows[0], ["", "Alle (2)", "Kvinderne (2)"], "{csv}");
    assert_eq!(rows[1][0], "Uddannelsesaktivering i uge 4");
    assert_eq!(rows[2][0], "Vejledning og opkvalificering i uge 4");
    assert_eq!(rows[3][0], "Antal personer");
    for row in &rows[1..] {
        for cell in &row[1..] {
            assert!(cell.chars().any(|c| c.is_ascii_digit()), "{cell} in {csv}");
        }
    }
    // The PDF: the numbered caption with the period filled in, and the note.
    let text = squeeze(&out.pages.join("\n"));
    let period = &out.results.tekster["hovedperiode"];
    assert!(text.contains(&squeeze(&format!(
        "Aktivering i uge 4 efter start, {period}"
    ))));
    assert!(text.contains(&squeeze("En tabel, der kun er erklæret i rapportmappen.")));
}

/// A table declaration that names an outcome its analysis does not have is an input error that
/// names the file, the analysis and the line.
#[test]
fn a_table_row_of_an_unknown_outcome_is_an_error_with_its_line() {
    let root = tempfile::tempdir().unwrap();
    let path = crate::report_support::report_copy(root.path(), "report", 0);
    let yaml = std::fs::read_to_string(&path).unwrap();
    let bad = yaml.replacen("        igu: \"IGU\"", "        igu_typo: \"IGU\"", 1);
    assert_ne!(bad, yaml, "the shipped Tabel 4.7 declares the row igu");
    std::fs::write(&path, &bad).unwrap();
    let line = bad.lines().position(|l| l.contains("igu_typo:")).unwrap() + 1;
    let config = Config::load(&path).unwrap();
    let error = effektrapport::analysis::check(&config).unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("tabel_4_7")
            && message.contains("igu_typo")
            && message.contains(&format!("linje {line}"))
            && message.contains("rapport.yaml"),
        "{message}"
    );
    assert!(
        error
            .downcast_ref::<effektrapport::error::InputError>()
            .is_some()
    );
}
