//! `effektrapport tjek` and DREAM's coverage: the check a user runs on the research server before
//! the long build lists every problem of a data folder, and a DREAM extract that starts inside the
//! weeks the analysis needs stops the build with the missing weeks named.

use effektrapport::error::exit_code;
use effektrapport::registers::{self, codes::CodeBook};
use effektrapport::synth::{self, SynthSpec};
use effektrapport::tjek;
use polars::prelude::*;
use std::path::Path;
use std::process::Command;

fn synthetic() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let spec = SynthSpec {
        scale: 0.05,
        ..SynthSpec::default()
    };
    synth::write(&spec, dir.path()).unwrap();
    dir
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn write(path: &Path, mut df: DataFrame) {
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

fn check(data: &Path) -> tjek::Outcome {
    let out = tempfile::tempdir().unwrap();
    tjek::check(&tjek::Request {
        config: "report/rapport.yaml".into(),
        data: Some(data.to_path_buf()),
        out: out.path().to_path_buf(),
    })
    .unwrap()
}

/// Drops DREAM's first four weekly columns (y_1601–y_1604): the extract then starts after the
/// week 52 weeks before the earliest placebo start (2017-W03), so y_1603 and y_1604 are needed.
fn cut_dream_start(dir: &Path) {
    let path = dir.join("dream.parquet");
    let dream = read(&path);
    write(
        &path,
        dream.drop_many(["y_1601", "y_1602", "y_1603", "y_1604"]),
    );
}

#[test]
fn a_complete_folder_passes_and_every_problem_of_a_broken_one_is_listed() {
    let dir = synthetic();
    let d = dir.path();
    let ok = check(d);
    assert_eq!(ok.problems, 0, "{}", ok.text);
    for needle in [
        "Data er komplette",
        "DREAM: ",
        "(parquet)",
        "uger y_1601–y_1930",
        "BEF (befolkningen): ",
        "årene ",
        "DREAM dækker",
    ] {
        assert!(ok.text.contains(needle), "«{needle}» missing:\n{}", ok.text);
    }

    // Three problems in three registers: a missing column, a code outside its range in two rows,
    // and DREAM starting inside the look-back of the covariates.
    let bef = read(&d.join("bef.parquet"));
    write(&d.join("bef.parquet"), bef.drop("OPR_LAND").unwrap());
    let vnds = read(&d.join("vnds.parquet"));
    let codes: Vec<String> = (vnds.column("INDUD_KODE").unwrap().str().unwrap().iter())
        .enumerate()
        .map(|(i, v)| {
            if i < 2 {
                "X".to_string()
            } else {
                v.unwrap().to_string()
            }
        })
        .collect();
    let mut vnds = vnds;
    vnds.with_column(Column::new("INDUD_KODE".into(), codes))
        .unwrap();
    write(&d.join("vnds.parquet"), vnds);
    cut_dream_start(d);
    let broken = check(d);
    assert!(broken.problems >= 3, "{}", broken.text);
    for needle in [
        "kolonnen OPR_LAND",
        "værdien «X» er ikke tilladt",
        "2 rækker har den",
        "y_1604",
        "52 uger før start",
        "skal rettes, før en bygning kan køre",
    ] {
        assert!(
            broken.text.contains(needle),
            "«{needle}» missing:\n{}",
            broken.text
        );
    }
}

#[test]
fn a_dream_extract_starting_inside_the_look_back_stops_the_build() {
    let dir = synthetic();
    cut_dream_start(dir.path());
    let codebook = CodeBook::load(Path::new("report/dream-koder.yaml")).unwrap();
    let mut regs = registers::load(dir.path(), &codebook).unwrap();
    let err = match effektrapport::dataset::build(&mut regs, &codebook, 2020) {
        Ok(_) => panic!("a DREAM extract without the weeks before start was accepted"),
        Err(e) => e,
    };
    assert_eq!(exit_code(&err), 2);
    let msg = format!("{err:#}");
    assert!(
        msg.contains("y_1604")
            && msg.contains("52 uger før start")
            && msg.contains("dream.parquet"),
        "{msg}"
    );
}

/// On a fresh clone, `effektrapport tjek` checks the default (synthetic) data and finds them
/// complete: exit status 0.
#[test]
fn tjek_on_the_default_data_exits_0() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_effektrapport"))
        .args(["tjek", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("Data er komplette"), "{stdout}");
}
