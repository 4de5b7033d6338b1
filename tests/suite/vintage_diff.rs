//! Two data vintages (DREAM to March and to July 2019) built and diffed: the diff shows changed
//! numbers and sentences and exits 1; a build diffed against itself exits 0.

use effektrapport::config::Config;
use effektrapport::synth::{self, SynthSpec};
use std::path::Path;
use std::process::Command;

fn build(vintage: &str, root: &Path) -> std::path::PathBuf {
    let data = root.join(format!("data-{vintage}"));
    let spec = SynthSpec {
        vintage: Some(synth::parse_vintage(vintage).unwrap()),
        ..SynthSpec::default()
    };
    synth::write(&spec, &data).unwrap();
    let mut config = Config::load(Path::new("report/rapport.yaml")).unwrap();
    config.analyse.bootstrap = 0; // analytic standard errors: the test is about the diff, not the SEs
    let out = root.join(format!("build-{vintage}"));
    effektrapport::build_report(&config, Some(&data), &out).unwrap();
    out
}

fn diff(old: &Path, new: &Path, out: &Path) -> i32 {
    Command::new(env!("CARGO_BIN_EXE_effektrapport"))
        .arg("diff")
        .args([old, new])
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap_or(-1)
}

#[test]
fn vintages_differ_and_a_build_equals_itself() {
    let root = tempfile::tempdir().unwrap();
    let march = build("2019-03", root.path());
    let july = build("2019-07", root.path());
    // Built with analytic standard errors (B = 0): the notes and the prose say so.
    let text = std::fs::read_to_string(july.join("rapport.txt")).unwrap();
    assert!(text.contains("analytisk standardfejl") && text.contains("analytiske standardfejl"));
    assert!(
        !text.contains("bootstrap-standardfejl"),
        "a note names the bootstrap"
    );
    assert_eq!(
        diff(&march, &july, &root.path().join("d1")),
        1,
        "a new vintage changes the report"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.path().join("d1/diff.json")).unwrap())
            .unwrap();
    let summary = &json["opsummering"];
    assert!(
        summary["saetninger_aendret"].as_u64().unwrap() > 0,
        "changed sentences are listed: {summary}"
    );
    assert!(
        json["estimater"].as_array().is_some_and(|a| !a.is_empty())
            || json["estimater"].as_object().is_some_and(|o| !o.is_empty())
    );
    assert!(root.path().join("d1/diff.pdf").is_file());
    // Every listed sentence is a sentence of the prose, within one paragraph of one section: no
    // title page, contents (dot leaders), colophon, caption, table note or heading.
    let paragraphs = |build: &Path| -> Vec<String> {
        let prose: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(build.join("prosa.json")).unwrap())
                .unwrap();
        prose
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["afsnit"].as_array().unwrap().iter())
            .map(|p| p.as_str().unwrap().to_string())
            .collect()
    };
    let (old_paragraphs, new_paragraphs) = (paragraphs(&march), paragraphs(&july));
    let sentences = json["saetninger"].as_array().unwrap();
    assert!(!sentences.is_empty());
    for change in sentences {
        for (side, paragraphs) in [("gammel", &old_paragraphs), ("ny", &new_paragraphs)] {
            if let Some(sentence) = change[side].as_str() {
                assert!(!sentence.contains(". . ."), "dot leaders: {sentence}");
                // A count hidden by output control is printed `[skjult]`.
                let pieces: Vec<&str> = sentence.split("[skjult]").collect();
                assert!(
                    paragraphs
                        .iter()
                        .any(|p| pieces.iter().all(|piece| p.contains(piece))),
                    "«{sentence}» is not a sentence of one paragraph"
                );
            }
        }
        assert!(
            change["afsnit"].as_str().is_some_and(|a| !a.is_empty()),
            "{change}"
        );
    }
    // Output control: no count in the diff changed by 1–4 persons, and every change hidden for
    // that is in the log with its size.
    let small = |v: &serde_json::Value| v.as_f64().is_some_and(|d| d != 0.0 && d.abs() < 5.0);
    for change in json["tal"].as_array().unwrap() {
        let key = change["noegle"].as_str().unwrap();
        if effektrapport::diskretion::is_count(key) {
            assert!(!small(&change["forskel"]), "{change}");
        }
    }
    for change in json["estimater"].as_array().unwrap() {
        assert!(
            !small(&change["n"]["forskel"]) && !small(&change["n_behandlede"]["forskel"]),
            "{change}"
        );
    }
    let log: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.path().join("d1/diff.diskretion.json")).unwrap(),
    )
    .unwrap();
    for cell in log["skjulte_celler"].as_array().unwrap() {
        assert!(
            (1..5).contains(&cell["personer"].as_u64().unwrap()),
            "{cell}"
        );
    }
    assert_eq!(
        diff(&july, &july, &root.path().join("d2")),
        0,
        "a build diffed against itself has no change"
    );
}
