//! SAS datasets as Statistics Denmark delivers registers: every value of real SAS-written files
//! (tests/fixtures/sas, origins in its MANIFEST.md) read as the expected CSV written by two
//! independent readers (pyreadstat 1.3.7 and pandas 3.1.1, `make_expected.py`), and damaged SAS
//! files rejected with the file named and exit status 2, never a panic.
//!
//! And the synthetic registers as SAS datasets build the same report as the parquet files they
//! were written from: tests/fixtures/synthetic-sas holds the registers of `effektrapport synth
//! --scale 0.05` (default seeds) written as RLE-compressed Windows-1252 SAS datasets by ReadStat
//! 1.1.8's writer (bench/sas-registers.sh; the command is in tests/README.md). The test builds the
//! whole report from each folder and compares resultater.json byte for byte, apart from the
//! provenance entries that name the folder and fingerprint its files. The SAS folder is made mixed
//! (one register as parquet, one as parquet under a misleading extension) to check that formats
//! are recognised by content.

use crate::report_support;

use chrono::NaiveDate;
use effektrapport::config::Config;
use effektrapport::error::exit_code;
use effektrapport::registers::sas;
use effektrapport::synth::{self, SynthSpec};
use polars::prelude::*;
use std::path::Path;

const DIR: &str = "tests/fixtures/sas";

/// The expected values `file` (`<stem>.csv` decoded, `<stem>.raw.csv` stored): every cell as
/// text ("" = missing).
fn expected(file: &str) -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(Path::new(DIR).join(file)))
        .unwrap()
        .finish()
        .unwrap()
}

/// `expected(<stem>.csv)` with the text columns replaced by the stored bytes decoded as
/// Windows-1252 (the WHATWG reading of the ISO-8859-1 label that the file declares).
fn expected_as_declared_latin1(stem: &str) -> DataFrame {
    let mut decoded = expected(&format!("{stem}.csv"));
    let raw = expected(&format!("{stem}.raw.csv"));
    let read = sas::read(&Path::new(DIR).join(format!("{stem}.sas7bdat")), None).unwrap();
    let text_columns: Vec<String> = (read.columns().iter())
        .filter(|c| c.dtype() == &DataType::String)
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(
        text_columns.len(),
        25,
        "{stem}: 25 character variables (MANIFEST.md)"
    );
    for column in raw.columns() {
        let cells: Vec<&str> = column
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or(""))
            .collect();
        // The character variables, as the file's metadata declares them.
        if !text_columns.contains(&column.name().to_string()) {
            continue;
        }
        let text: Vec<String> = cells
            .iter()
            .map(|c| {
                let bytes: Vec<u8> = (0..c.len() / 2)
                    .map(|i| u8::from_str_radix(&c[2 * i..2 * i + 2], 16).unwrap())
                    .collect();
                encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
            })
            .collect();
        decoded
            .with_column(Column::new(column.name().clone(), text))
            .unwrap();
    }
    decoded
}

/// Seconds since midnight of `HH:MM:SS[.ffffff]`.
fn seconds(text: &str) -> f64 {
    let parts: Vec<f64> = text.split(':').map(|p| p.parse().unwrap()).collect();
    parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]
}

/// Compares every cell of the fixture `stem` as read with its expected value: numbers to the
/// bit, times to the microsecond, dates (and the day of datetimes) exactly, text exactly.
fn check_fixture(stem: &str) -> usize {
    check_against(stem, &expected(&format!("{stem}.csv")))
}

fn check_against(stem: &str, want: &DataFrame) -> usize {
    let frame = sas::read(&Path::new(DIR).join(format!("{stem}.sas7bdat")), None).unwrap();
    assert_eq!(
        frame.get_column_names(),
        want.get_column_names(),
        "{stem}: columns"
    );
    assert_eq!(frame.height(), want.height(), "{stem}: rows");
    let mut cells = 0;
    for expected_column in want.columns() {
        let name = expected_column.name().as_str();
        let got = frame.column(name).unwrap();
        let texts: Vec<Option<&str>> = (expected_column.str().unwrap().iter())
            .map(|v| v.filter(|v| !v.is_empty()))
            .collect();
        let at = |row: usize| format!("{stem}, column {name}, row {}", row + 1);
        match got.dtype() {
            DataType::Float64 => {
                for (row, (value, text)) in got.f64().unwrap().iter().zip(&texts).enumerate() {
                    match (value, text) {
                        (None, None) => {}
                        (Some(v), Some(t)) if t.contains(':') => {
                            assert!((v - seconds(t)).abs() < 1e-6, "{}: {v} vs {t}", at(row))
                        }
                        (Some(v), Some(t)) => assert_eq!(
                            v.to_bits(),
                            t.parse::<f64>().unwrap().to_bits(),
                            "{}: {v} vs {t}",
                            at(row)
                        ),
                        (v, t) => panic!("{}: {v:?} vs {t:?}", at(row)),
                    }
                }
            }
            DataType::Date => {
                for (row, (days, text)) in (got.date().unwrap().physical().iter())
                    .zip(&texts)
                    .enumerate()
                {
                    let date = days.map(|d| {
                        NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                            + chrono::Duration::days(i64::from(d))
                    });
                    let want =
                        text.map(|t| NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d").unwrap());
                    assert_eq!(date, want, "{}", at(row));
                }
            }
            DataType::String => {
                for (row, (value, text)) in got.str().unwrap().iter().zip(&texts).enumerate() {
                    assert_eq!(value, *text, "{}", at(row));
                }
            }
            d => panic!("{stem}, column {name}: unexpected type {d}"),
        }
        cells += texts.len();
    }
    cells
}

#[test]
fn uncompressed_files_read_as_sas_wrote_them() {
    // 32-bit Windows-1252 (test1), 32-bit without an encoding and a 4-byte numeric (airline),
    // dates, datetimes and times in nine formats (date_test, sample: dates before 1960 and a
    // missing date, datetime and time), 64-bit UTF-8 text (sample).
    for stem in ["test1", "airline", "date_test", "sample"] {
        assert!(check_fixture(stem) > 0, "{stem}");
    }
}

#[test]
fn char_rle_and_binary_rdc_compressed_files_read_as_the_uncompressed_one() {
    // test2 (CHAR/RLE) and test3 (BINARY/RDC) hold test1's data.
    assert_eq!(check_fixture("test2"), 1000);
    assert_eq!(check_fixture("test3"), 1000);
}

#[test]
fn non_ascii_text_arrives_intact() {
    // test16 declares ISO-8859-1 but stores Chinese, Korean and Cyrillic text as UTF-8 (pandas
    // reads it with encoding="utf-8" forced). The declared encoding is what is honoured, as
    // ReadStat does: each stored byte becomes its Windows-1252 character.
    check_against("test16", &expected_as_declared_latin1("test16"));
    // malformed_utf8: «café» intact, and two values SAS cut inside a multi-byte character,
    // whose broken byte becomes U+FFFD.
    check_fixture("malformed_utf8");
}

#[test]
fn variable_names_keep_their_case_and_columns_can_be_chosen() {
    let path = Path::new(DIR).join("airline.sas7bdat");
    assert_eq!(
        sas::column_names(&path).unwrap(),
        ["YEAR", "Y", "W", "R", "L", "K"]
    );
    let two = sas::read(&path, Some(&["W".to_string(), "YEAR".to_string()])).unwrap();
    assert_eq!(two.get_column_names(), ["W", "YEAR"]);
    assert_eq!(two.height(), 32);
}

/// Truncated files, a page cut in half and bytes that are no SAS file: an input error naming the
/// file (exit status 2), never a panic.
#[test]
fn damaged_files_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    for stem in ["test1", "test2", "test3", "sample"] {
        let bytes = std::fs::read(Path::new(DIR).join(format!("{stem}.sas7bdat"))).unwrap();
        // The header alone, a page cut in half, the file cut in the middle.
        for cut in [100, 1024, 65_536 / 2 + 1024, bytes.len() / 2] {
            let path = dir.path().join(format!("{stem}-{cut}.sas7bdat"));
            std::fs::write(&path, &bytes[..cut]).unwrap();
            match sas::read(&path, None) {
                Ok(frame) => panic!("{stem} cut at {cut} read as {} rows", frame.height()),
                Err(e) => {
                    assert_eq!(exit_code(&e), 2, "{e:#}");
                    assert!(
                        format!("{e:#}").contains(&format!("{stem}-{cut}.sas7bdat")),
                        "{e:#}"
                    );
                }
            }
        }
    }
    let garbage = dir.path().join("bef.sas7bdat");
    std::fs::write(&garbage, b"PNR,KOEN\n1,2\n").unwrap();
    let err = effektrapport::registers::table::read_columns(&garbage, None).unwrap_err();
    assert_eq!(exit_code(&err), 2);
    assert!(format!("{err:#}").contains("ikke en SAS"), "{err:#}");
}

/// `estimate --data` takes a SAS table; a character variable as the treatment is an input error.
#[test]
fn estimate_reads_a_sas_table_and_names_a_wrong_type() {
    let run = |treatment: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_effektrapport"))
            .args(["estimate", "--data", "tests/fixtures/sas/test1.sas7bdat"])
            .args([
                "--treatment",
                treatment,
                "--covariates",
                "Column3",
                "--outcomes",
                "Column1",
            ])
            .output()
            .unwrap()
    };
    let out = run("Column2");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Column2") && stderr.contains("test1.sas7bdat"),
        "{stderr}"
    );
}

const SAS: &str = "tests/fixtures/synthetic-sas";

/// resultater.json without `proveniens.datakilde` and `proveniens.data_fingeraftryk`.
fn comparable(build: &Path) -> String {
    let text = std::fs::read_to_string(build.join("resultater.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let provenance = json["proveniens"].as_object_mut().unwrap();
    provenance.remove("datakilde").unwrap();
    provenance.remove("data_fingeraftryk").unwrap();
    serde_json::to_string_pretty(&json).unwrap()
}

#[test]
fn synthetic_registers_as_sas_build_the_same_results_as_parquet() {
    let root = tempfile::tempdir().unwrap();
    let parquet = root.path().join("parquet");
    synth::write(
        &SynthSpec {
            scale: 0.05,
            ..SynthSpec::default()
        },
        &parquet,
    )
    .unwrap();
    let sas = root.path().join("sas");
    std::fs::create_dir_all(&sas).unwrap();
    for entry in std::fs::read_dir(SAS).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, sas.join(path.file_name().unwrap())).unwrap();
    }
    // A mixed folder: IGU as parquet, and the interviews as a parquet file named .csv.
    std::fs::remove_file(sas.join("igu.sas7bdat")).unwrap();
    std::fs::copy(parquet.join("igu.parquet"), sas.join("igu.parquet")).unwrap();
    std::fs::remove_file(sas.join("samtaler.sas7bdat")).unwrap();
    std::fs::copy(parquet.join("samtaler.parquet"), sas.join("samtaler.csv")).unwrap();

    let config = Config::load(&report_support::report_copy(root.path(), "report", 20)).unwrap();
    let from_parquet = root.path().join("build-parquet");
    let from_sas = root.path().join("build-sas");
    effektrapport::build_report(&config, Some(&parquet), &from_parquet).unwrap();
    effektrapport::build_report(&config, Some(&sas), &from_sas).unwrap();
    let (a, b) = (comparable(&from_parquet), comparable(&from_sas));
    assert!(
        a == b,
        "the SAS registers give other results than the parquet ones; if `synth` changed, rewrite \
         tests/fixtures/synthetic-sas as tests/README.md says.\nfirst difference near: {:?}",
        a.lines().zip(b.lines()).find(|(x, y)| x != y)
    );
    assert!(
        a.contains("tabel_4_1"),
        "the results hold the report's tables"
    );
}
