//! `effektrapport statusnotater` on the bundled synthetic data: one PDF + JSON per municipality,
//! and no published number resting on 1–4 persons.

use effektrapport::diskretion::{Basis, Kind, Log, audit_notes};
use std::process::Command;

#[test]
fn notes_for_all_municipalities_respect_discretion() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("statusnotater");
    let status = Command::new(env!("CARGO_BIN_EXE_effektrapport"))
        .args(["statusnotater", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mut notes = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let is_log = path.to_string_lossy().ends_with(".diskretion.json");
        if path.extension().is_some_and(|e| e == "json") && !is_log {
            notes += 1;
            assert!(
                path.with_extension("pdf").is_file(),
                "{} has no PDF",
                path.display()
            );
            let note: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for (group, numbers) in note["grupper"].as_object().unwrap() {
                let n = numbers["antal"].as_u64().unwrap();
                assert!(
                    n >= 5,
                    "{}: group {group} rests on {n} persons",
                    path.display()
                );
            }
        }
    }
    assert_eq!(notes, 11, "one note per delivering municipality");
    // The template's whitespace never breaks a line before punctuation.
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains("beskæftigelsesgrad"),
                "{}: {text}",
                path.display()
            );
            for line in text.lines() {
                assert!(
                    !line
                        .trim_start()
                        .starts_with([',', '.', ';', ':', '!', '?', ')']),
                    "{}: a line starts with punctuation: «{line}»",
                    path.display()
                );
                assert!(
                    !line.contains(" ,"),
                    "{}: a space before a comma: «{line}»",
                    path.display()
                );
            }
        }
    }
    let kerteminde: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("kerteminde.json")).unwrap())
            .unwrap();
    let groups = kerteminde["grupper"].as_object().unwrap();
    assert!(
        groups.contains_key("alle")
            && !groups.contains_key("kvinder")
            && !groups.contains_key("maend")
    );
    assert_eq!(kerteminde["grupper"]["alle"]["antal"], 8);
    // Kerteminde's output-control log: both sexes hidden, and the months of the IGU figure whose
    // share would rest on 1–4 persons in or out of IGU, with the counts (which the note's own
    // JSON never holds).
    let log: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("kerteminde.diskretion.json")).unwrap(),
    )
    .unwrap();
    let cells = log["skjulte_celler"].as_array().unwrap();
    for sex in ["kvinder", "maend"] {
        let cell = format!("grupper.{sex}.antal");
        assert!(cells.iter().any(|c| c["celle"] == cell), "{log}");
    }
    let igu: Vec<&serde_json::Value> = cells
        .iter()
        .filter(|c| {
            c["celle"]
                .as_str()
                .unwrap()
                .starts_with("figurer.status_igu.kommune.")
        })
        .collect();
    assert!(!igu.is_empty(), "{log}");
    for point in igu {
        let (n, with) = (
            point["personer"].as_u64().unwrap(),
            point["med"].as_u64().unwrap(),
        );
        assert!(
            (1..5).contains(&with) || (1..5).contains(&(n - with)),
            "{point}"
        );
    }
    let note = std::fs::read_to_string(out.join("kerteminde.json")).unwrap();
    assert!(!note.contains("\"personer\""));
}

/// Writes the status notes at `threshold` (a copy of report/ with `analyse.diskretion` set) and
/// reads each note's JSON with its output-control log.
fn notes_at(root: &std::path::Path, threshold: usize) -> Vec<(String, serde_json::Value, Log)> {
    let config = crate::report_support::report_copy(root, "report", 0);
    let yaml = std::fs::read_to_string(&config).unwrap();
    assert!(yaml.contains("diskretion: 5"));
    std::fs::write(
        &config,
        yaml.replace("diskretion: 5", &format!("diskretion: {threshold}")),
    )
    .unwrap();
    std::fs::copy("report/statusnotat.md", root.join("report/statusnotat.md")).unwrap();
    let out = root.join("statusnotater");
    let status = Command::new(env!("CARGO_BIN_EXE_effektrapport"))
        .args(["statusnotater", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let read = |p: std::path::PathBuf| std::fs::read_to_string(p).unwrap();
    let mut notes = Vec::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if let Some(slug) = name.strip_suffix(".diskretion.json") {
            let note = serde_json::from_str(&read(out.join(format!("{slug}.json")))).unwrap();
            let log = serde_json::from_str(&read(path.clone())).unwrap();
            notes.push((slug.to_string(), note, log));
        }
    }
    notes.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(notes.len(), 11);
    notes
}

/// Every number of every status note passes the output-control audit at the project's threshold
/// (5) and at DST's (3), from the counts in the notes' logs; planted leaks fail it: a number the
/// log does not know (a table that bypasses output control), a mean resting on 3 persons with a
/// value, and a cell that only one note hides (it would follow from all BOT minus the others).
#[test]
fn every_number_of_the_status_notes_passes_output_control_and_planted_leaks_fail() {
    for threshold in [5, 3] {
        let root = tempfile::tempdir().unwrap();
        let notes = notes_at(root.path(), threshold);
        let leaks = audit_notes(&notes, threshold);
        assert!(leaks.is_empty(), "threshold {threshold}: {leaks:#?}");
        let hidden: usize = notes.iter().map(|n| n.2.antal_skjulte_celler).sum();
        assert!(hidden > 0, "threshold {threshold}: nothing is hidden");
        if threshold != 5 {
            continue;
        }
        // A number the log does not know.
        let mut planted = notes.clone();
        planted[0].1["grupper"]["alle"]["ny_tabel"] = serde_json::json!(17.0);
        let found = audit_notes(&planted, threshold);
        assert!(
            found
                .iter()
                .any(|l| l.cell.ends_with("grupper.alle.ny_tabel")),
            "{found:#?}"
        );
        // A mean on 3 persons with a value, published.
        let mut planted = notes.clone();
        let cell = planted[0]
            .2
            .offentliggjorte_celler
            .iter_mut()
            .find(|b| b.slags == Kind::Mean)
            .unwrap();
        cell.med = 3;
        let path = cell.celle.clone();
        let found = audit_notes(&planted, threshold);
        assert!(
            found.iter().any(|l| l.cell.ends_with(&path)),
            "{path}: {found:#?}"
        );
        // Kerteminde hides its participants' employment rate after start (3 of 8 in work), and
        // another note hides it too; shown again there, it leaks by subtraction.
        let kerteminde = notes.iter().find(|n| n.0 == "kerteminde").unwrap();
        let cell = "grupper.alle.maal.beskaeftigelsesgrad.1";
        assert!(
            kerteminde
                .2
                .skjulte_celler
                .iter()
                .any(|s| s.celle == cell && s.regel == "primær")
        );
        let mut planted = notes.clone();
        let (name, note, log) = planted
            .iter_mut()
            .find(|n| {
                n.2.skjulte_celler
                    .iter()
                    .any(|s| s.celle == cell && s.regel == "sekundær")
            })
            .expect("a second note hides the cell");
        let at = log
            .skjulte_celler
            .iter()
            .position(|s| s.celle == cell)
            .unwrap();
        let s = log.skjulte_celler.remove(at);
        log.offentliggjorte_celler.push(Basis {
            celle: cell.into(),
            slags: Kind::Mean,
            personer: s.personer,
            med: s.personer,
        });
        note["grupper"]["alle"]["maal"]["beskaeftigelsesgrad"][1] = serde_json::json!(0.2);
        let name = name.clone();
        let found = audit_notes(&planted, threshold);
        assert!(found.iter().any(|l| l.cell == cell), "{name}: {found:#?}");
    }
}
