//! The synthetic registers as SAS datasets build the same report as the parquet files they were
//! written from.
//!
//! tests/fixtures/synthetic-sas holds the registers of `effektrapport synth --scale 0.05` (default
//! seeds) written as RLE-compressed Windows-1252 SAS datasets by ReadStat 1.1.8's writer
//! (bench/sas-registers.sh; the command is in tests/README.md). The test writes the same registers
//! as parquet, builds the whole report from each folder and compares resultater.json byte for byte,
//! apart from the provenance entries that name the folder and fingerprint its files. The SAS
//! folder is made mixed (one register as parquet, one as CSV under a misleading extension) to
//! check that formats are recognised by content.

mod report_support;

use effektrapport::config::Config;
use effektrapport::synth::{self, SynthSpec};
use std::path::Path;

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
