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
        if path.extension().is_some_and(|e| e == "json") {
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
}
