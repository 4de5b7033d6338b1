//! Bad register extracts stop with a clear message naming the file and the column (exit status
//! 2), never a panic; `effektrapport tjek`, the check a user runs on the research server before
//! the long build, lists every problem of a data folder; and a DREAM extract that starts inside
//! the weeks the analysis needs stops the build with the missing weeks named.

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

/// Loads the folder and returns the rendered error, checking the exit status.
fn load_error(dir: &Path) -> String {
    let codebook = CodeBook::load(Path::new("report/dream-koder.yaml")).unwrap();
    let err = match registers::load(dir, &codebook) {
        Ok(_) => panic!("the bad input was accepted"),
        Err(e) => e,
    };
    assert_eq!(
        exit_code(&err),
        2,
        "bad input must give exit status 2: {err:#}"
    );
    format!("{err:#}")
}

#[test]
fn bad_extracts_are_named_by_file_and_column() {
    let dir = synthetic();
    let d = dir.path();

    // A missing column.
    let bef_path = d.join("bef.parquet");
    let bef = read(&bef_path);
    write(&bef_path, bef.drop("KOEN").unwrap());
    let msg = load_error(d);
    assert!(msg.contains("bef.parquet") && msg.contains("KOEN"), "{msg}");

    // A wrong type: sex as text that is not a number.
    let mut wrong = bef.clone();
    let koen: Vec<String> = wrong
        .column("KOEN")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if i == 3 {
                "mand".to_string()
            } else {
                v.unwrap().to_string()
            }
        })
        .collect();
    wrong.with_column(Column::new("KOEN".into(), koen)).unwrap();
    write(&bef_path, wrong);
    let msg = load_error(d);
    assert!(
        msg.contains("bef.parquet") && msg.contains("KOEN") && msg.contains("mand"),
        "{msg}"
    );
    write(&bef_path, bef);

    // A duplicate person.
    let oph_path = d.join("ophgin.parquet");
    let oph = read(&oph_path);
    let doubled = oph.vstack(&oph.head(Some(1))).unwrap();
    write(&oph_path, doubled);
    let msg = load_error(d);
    assert!(
        msg.contains("ophgin.parquet") && msg.contains("PNR") && msg.contains("flere gange"),
        "{msg}"
    );
    write(&oph_path, oph);

    // An employment rate of 7.
    let dream_path = d.join("dream.parquet");
    let dream = read(&dream_path);
    let mut bad = dream.clone();
    let grad: Vec<Option<f64>> = bad
        .column("grad_2018_05")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, v)| if i == 10 { Some(7.0) } else { v })
        .collect();
    bad.with_column(Column::new("grad_2018_05".into(), grad))
        .unwrap();
    write(&dream_path, bad);
    let msg = load_error(d);
    assert!(
        msg.contains("dream.parquet") && msg.contains("grad_2018_05") && msg.contains('7'),
        "{msg}"
    );
    write(&dream_path, dream);

    // A migration that is neither into (I) nor out of (U) Denmark.
    let vnds_path = d.join("vnds.parquet");
    let vnds = read(&vnds_path);
    let mut bad = vnds.clone();
    let codes: Vec<Option<String>> = bad
        .column("INDUD_KODE")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if i == 4 {
                Some("X".into())
            } else {
                v.map(str::to_string)
            }
        })
        .collect();
    bad.with_column(Column::new("INDUD_KODE".into(), codes))
        .unwrap();
    write(&vnds_path, bad);
    let msg = load_error(d);
    assert!(
        msg.contains("vnds.parquet") && msg.contains("INDUD_KODE") && msg.contains("række 5"),
        "{msg}"
    );
    write(&vnds_path, vnds);

    // A missing register.
    std::fs::remove_file(d.join("udda.parquet")).unwrap();
    let msg = load_error(d);
    assert!(msg.contains("udda"), "{msg}");
}

#[test]
fn a_csv_cell_of_the_wrong_type_names_its_line() {
    let dir = synthetic();
    let d = dir.path();
    let path = d.join("ind.parquet");
    let mut ind = read(&path);
    std::fs::remove_file(&path).unwrap();
    let mut csv = Vec::new();
    CsvWriter::new(&mut csv).finish(&mut ind).unwrap();
    let mut text = String::from_utf8(csv).unwrap();
    let second = text.lines().nth(2).unwrap().to_string();
    let broken: Vec<&str> = second.split(',').collect();
    text = text.replacen(&second, &format!("{},{},mange", broken[0], broken[1]), 1);
    std::fs::write(d.join("ind.csv"), text).unwrap();
    let msg = load_error(d);
    assert!(
        msg.contains("ind.csv") && msg.contains("LOENMV_13") && msg.contains("linje 3"),
        "{msg}"
    );
}

#[test]
fn same_seed_gives_identical_files_and_vintages_end_dream_early() {
    let (a, b) = (synthetic(), synthetic());
    for file in [
        "dream.parquet",
        "bef.parquet",
        "deltagere.parquet",
        "sandhed.json",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(file)).unwrap(),
            std::fs::read(b.path().join(file)).unwrap(),
            "{file} differs between two runs with the same seed"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = SynthSpec {
        scale: 0.05,
        vintage: Some(synth::parse_vintage("2019-01").unwrap()),
        ..SynthSpec::default()
    };
    synth::write(&spec, dir.path()).unwrap();
    let codebook = CodeBook::load(Path::new("report/dream-koder.yaml")).unwrap();
    let regs = registers::load(dir.path(), &codebook).unwrap();
    let (y, m) = effektrapport::calendar::month_parts(regs.dream.last_month());
    assert_eq!((y, m), (2019, 1));
    assert!(synth::parse_vintage("2019-13").is_err());
}

/// DREAM cells outside the code book's range (0, 1234, text) are counted as unknown codes and
/// reported, never a panic: the whole report builds, and the build names the codes.
#[test]
fn strange_dream_codes_are_counted_and_the_report_builds() {
    let dir = synthetic();
    let path = dir.path().join("dream.parquet");
    let mut dream = read(&path);
    // Weeks in the covariates' look-back (2016-W30) and in the main outcome period (2019-W10).
    for week in ["y_1630", "y_1910"] {
        let n = dream.height();
        let strange: Vec<&str> = (0..n).map(|i| ["0", "1234", "ABC", "999"][i % 4]).collect();
        dream
            .with_column(Column::new(week.into(), strange))
            .unwrap();
    }
    write(&path, dream);
    let codebook = CodeBook::load(Path::new("report/dream-koder.yaml")).unwrap();
    let mut regs = registers::load(dir.path(), &codebook).unwrap();
    for code in ["0", "1234", "ABC"] {
        assert!(
            regs.dream.unknown_codes.contains_key(code),
            "{code}: {:?}",
            regs.dream.unknown_codes
        );
    }
    effektrapport::dataset::build(&mut regs, &codebook, 2020).unwrap();
    let root = tempfile::tempdir().unwrap();
    let config = effektrapport::config::Config::load(Path::new("report/rapport.yaml")).unwrap();
    let mut config = config;
    config.analyse.bootstrap = 0;
    let out = effektrapport::build_report(&config, Some(dir.path()), root.path()).unwrap();
    let warnings = out.results.advarsler.join("\n");
    assert!(
        warnings.contains("1234") || out.pages.concat().contains("1234"),
        "{warnings}"
    );
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
