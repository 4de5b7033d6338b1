//! `diff OLD NEW` with report configs or data folders: both are built (sharing one results cache)
//! into subfolders of --out and compared.

use crate::report_support::report_copy;
use effektrapport::synth::{self, SynthSpec};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn diff(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_effektrapport"));
    command.arg("diff");
    for a in args {
        command.arg(a);
    }
    command.output().unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn explain(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn two_configs_are_built_with_a_shared_cache_and_compared() {
    let root = tempfile::tempdir().unwrap();
    let old = report_copy(root.path(), "gammel-rapport", 0);
    let new = report_copy(root.path(), "ny-rapport", 0);
    let yaml = std::fs::read_to_string(&new).unwrap();
    assert_eq!(yaml.matches("kerne: uniform").count(), 1);
    std::fs::write(&new, yaml.replace("kerne: uniform", "kerne: epan")).unwrap();
    let out = root.path().join("d");

    let result = diff(&[&old, &new, &"--out", &out]);
    assert_eq!(result.status.code(), Some(1), "{}", explain(&result));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("1 af 17 dele beregnet (tabel_5_4)"),
        "the new version estimates only its changed analysis:\n{stderr}"
    );
    for side in ["gammel", "ny"] {
        assert!(out.join(side).join("rapport.pdf").is_file(), "{side} built");
    }
    assert!(out.join("diff.pdf").is_file());
    let json = read_json(&out.join("diff.json"));
    assert_eq!(json["gammel"], Value::String(old.display().to_string()));
    assert_eq!(json["ny"], Value::String(new.display().to_string()));
    let changed: Vec<&str> = json["estimater"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["noegle"].as_str().unwrap())
        .collect();
    assert!(!changed.is_empty());
    assert!(
        changed.iter().all(|k| k.starts_with("tabel_5_4.")),
        "only Tabel 5.4 changed: {changed:?}"
    );
    let notes = json["bemaerkninger"].to_string();
    assert!(notes.contains("bygget fra konfigurationen"), "{notes}");

    // A config against itself: everything from the cache, no change.
    let same = diff(&[&old, &old, &"--out", &root.path().join("d2")]);
    assert_eq!(same.status.code(), Some(0), "{}", explain(&same));
}

#[test]
fn two_data_folders_are_built_with_one_config_and_compared() {
    let root = tempfile::tempdir().unwrap();
    let config = report_copy(root.path(), "rapport", 0);
    let mut folders = Vec::new();
    for vintage in ["2019-03", "2019-07"] {
        let dir = root.path().join(format!("data-{vintage}"));
        let spec = SynthSpec {
            vintage: Some(synth::parse_vintage(vintage).unwrap()),
            ..SynthSpec::default()
        };
        synth::write(&spec, &dir).unwrap();
        folders.push(dir);
    }
    let out = root.path().join("d");
    let result = diff(&[
        &folders[0],
        &folders[1],
        &"--config",
        &config,
        &"--out",
        &out,
    ]);
    assert_eq!(result.status.code(), Some(1), "{}", explain(&result));
    let json = read_json(&out.join("diff.json"));
    assert!(json["opsummering"]["saetninger_aendret"].as_u64().unwrap() > 0);
    assert!(
        json["proveniens"]["forskellige"]
            .as_array()
            .unwrap()
            .contains(&Value::String("dream_til".into()))
    );
    assert_eq!(
        read_json(&out.join("gammel/resultater.json"))["proveniens"]["dream_til"],
        "2019-03"
    );
    assert_eq!(
        read_json(&out.join("ny/resultater.json"))["proveniens"]["dream_til"],
        "2019-07"
    );

    // A data folder against the build made from it: no change.
    let again = diff(&[
        &folders[1],
        &out.join("ny"),
        &"--config",
        &config,
        &"--out",
        &root.path().join("d2"),
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", explain(&again));
}

#[test]
fn what_is_neither_a_build_a_config_nor_data_is_an_input_error() {
    let root = tempfile::tempdir().unwrap();
    let stray = root.path().join("noter.txt");
    std::fs::write(&stray, "intet").unwrap();
    let empty = root.path().join("tom");
    std::fs::create_dir_all(&empty).unwrap();
    for (old, new) in [(&stray, &empty), (&empty, &stray)] {
        let result = diff(&[old, new, &"--out", &root.path().join("d")]);
        assert_eq!(result.status.code(), Some(2), "{}", explain(&result));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains(&old.display().to_string()), "{stderr}");
    }
    let bad = root.path().join("forkert.yaml");
    std::fs::write(&bad, "titel: [\n").unwrap();
    let result = diff(&[&bad, &bad, &"--out", &root.path().join("d")]);
    assert_eq!(result.status.code(), Some(2), "{}", explain(&result));
    assert!(String::from_utf8_lossy(&result.stderr).contains("forkert.yaml"));
    assert!(
        !root.path().join("d").exists(),
        "nothing is written on error"
    );
}
