//! `effektrapport statusnotater` on the bundled synthetic data: one PDF + JSON per municipality,
//! and no published number resting on 1–4 persons.

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
        assert!(cells.iter().any(|c| c["celle"] == sex), "{log}");
    }
    let igu: Vec<&serde_json::Value> = cells
        .iter()
        .filter(|c| c["celle"].as_str().unwrap().starts_with("status_igu."))
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
