//! `effektrapport diff OLD NEW` on small hand-made build folders (no report build): no change
//! (exit 0), changes (exit 1, diff.json and diff.pdf), and a missing resultater.json (exit 2).

use effektrapport::results::{Estimate, Provenance, Results};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn estimate(est: f64, p: f64, stjerner: &str) -> Estimate {
    Estimate {
        est,
        se: 0.02,
        p,
        stjerner: stjerner.to_string(),
        kontrolniveau: 0.2,
        rel: Some(est / 0.2),
        n: 3594,
        n_behandlede: 359,
    }
}

/// The old build's results: three estimates and two other numbers.
fn old_results() -> Results {
    let mut estimater = BTreeMap::new();
    estimater.insert(
        "tabel_4_1.alle.m2.beskaeftigelse".to_string(),
        estimate(0.0624, 0.0029, "**"),
    );
    estimater.insert(
        "tabel_4_1.alle.m1.beskaeftigelse".to_string(),
        estimate(0.0424, 0.0157, "*"),
    );
    estimater.insert(
        "tabel_4_1.kvinder.m2.beskaeftigelse".to_string(),
        estimate(0.03, 0.2, ""),
    );
    let mut tal = BTreeMap::new();
    tal.insert("pscore.baandbredde".to_string(), 0.003);
    tal.insert("befolkning.deltagere".to_string(), 361.0);
    let mut tekster = BTreeMap::new();
    tekster.insert("hovedperiode".to_string(), "januar–marts 2019".to_string());
    Results {
        proveniens: Provenance {
            version: "0.1.0".into(),
            commit: "a7af9f2".into(),
            datakilde: "syntetiske registre (effektrapport synth, seed 2020)".into(),
            data_fingeraftryk: "4dd602b68c2b12fcd442fd9c48f92f7ef80603dbaab5cd2ea947ec61c00babe2"
                .into(),
            konfiguration_fingeraftryk:
                "2d0b3cdaec914faec4192b2ae06422151664b2d855f20045f9c6f5126b0be963".into(),
            seed: 20200615,
            bootstrap: 100,
            dream_til: "2019-03".into(),
            diskretion: 5,
        },
        befolkning: Vec::new(),
        estimater,
        tal,
        tekster,
        etiketter: BTreeMap::new(),
        pscore: Vec::new(),
        balance: BTreeMap::new(),
        figurer: BTreeMap::new(),
        diskretion: Vec::new(),
        diskretionslog: Vec::new(),
        advarsler: Vec::new(),
        ikke_estimeret: Default::default(),
    }
}

const OLD_TEXT: &str = "Effekter af BOT\n\u{c}\nKolofon\n\u{c}\n4 Effekter Deltagerne er i beskæftigelse \
    6,2 procentpoint oftere end kontrolgruppen. Effekten er signifikant på 1 pct.-niveau. Med metode 1 \
    er effekten 4,2 procentpoint, så de to metoder peger i samme retning. 1\n\u{c}\nDen hyppigste \
    branche er rengøring. Kvinderne har en effekt på 3,0 procentpoint. 2";

const NEW_TEXT: &str = "Effekter af BOT\n\u{c}\nKolofon\n\u{c}\n4 Effekter Deltagerne er i beskæftigelse \
    1,0 procentpoint sjældnere end kontrolgruppen. Effekten er ikke signifikant på 10 pct.-niveau. Med metode 1 \
    er effekten 4,2 procentpoint, så konklusionen afhænger af, hvordan kontrolgruppen findes. 1\n\u{c}\nDen \
    hyppigste branche er rengøring. Kvinderne har en effekt på 3,0 procentpoint. Der er nu også \
    resultater for mænd. 2";

fn write_build(dir: &Path, results: &Results, text: Option<&str>) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("resultater.json"), results.to_json().unwrap()).unwrap();
    if let Some(text) = text {
        std::fs::write(dir.join("rapport.txt"), text).unwrap();
    }
}

fn diff(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_effektrapport"))
        .arg("diff")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A temporary folder, removed when the returned guard is dropped at the end of the test.
fn tmp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

#[test]
fn a_build_against_itself_has_no_change() {
    let (_guard, root) = tmp();
    let build = root.join("build");
    write_build(&build, &old_results(), Some(OLD_TEXT));
    let out = diff(&[&build, &build]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Ingen ændringer"), "{stdout}");
    let json = read_json(&build.join("diff/diff.json"));
    assert_eq!(json["aendret"], Value::Bool(false));
    assert_eq!(json["estimater"], Value::Array(vec![]));
    assert_eq!(json["saetninger"], Value::Array(vec![]));
    assert_eq!(json["tekst_sammenlignet"], Value::Bool(true));
    assert_eq!(json["proveniens"]["forskellige"], Value::Array(vec![]));
    assert!(
        std::fs::read(build.join("diff/diff.pdf"))
            .unwrap()
            .starts_with(b"%PDF")
    );
}

#[test]
fn changes_are_listed_and_exit_status_is_one() {
    let (_guard, root) = tmp();
    let (old_dir, new_dir, out_dir) = (root.join("gammel"), root.join("ny"), root.join("ud"));
    let old = old_results();
    let mut new = old_results();
    new.proveniens.dream_til = "2019-07".into();
    new.proveniens.data_fingeraftryk = "9f".repeat(32);
    // Sign flip and stars lost (** → none), significance lost at 10 % and 5 %.
    new.estimater.insert(
        "tabel_4_1.alle.m2.beskaeftigelse".into(),
        estimate(-0.01, 0.62, ""),
    );
    // Removed and added keys.
    new.estimater.remove("tabel_4_1.kvinder.m2.beskaeftigelse");
    new.estimater.insert(
        "tabel_4_1.maend.m2.beskaeftigelse".into(),
        estimate(0.05, 0.04, "*"),
    );
    // A number within a tolerance of 1 %, another beyond it.
    new.tal.insert("pscore.baandbredde".into(), 0.00301);
    new.tal.insert("befolkning.deltagere".into(), 380.0);
    write_build(&old_dir, &old, Some(OLD_TEXT));
    write_build(&new_dir, &new, Some(NEW_TEXT));

    let out = diff(&[&old_dir, &new_dir, Path::new("--out"), &out_dir]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("tabel_4_1.alle.m2.beskaeftigelse"),
        "{stdout}"
    );
    assert!(stdout.contains("fortegnsskift"), "{stdout}");

    let json = read_json(&out_dir.join("diff.json"));
    assert_eq!(json["format"], "effektrapport-diff/1");
    assert_eq!(json["aendret"], Value::Bool(true));
    let est = json["estimater"].as_array().unwrap();
    assert_eq!(est.len(), 1, "{est:#?}");
    let e = &est[0];
    assert_eq!(e["noegle"], "tabel_4_1.alle.m2.beskaeftigelse");
    assert_eq!(e["est"]["gammel"], 0.0624);
    assert_eq!(e["est"]["ny"], -0.01);
    assert!((e["est"]["forskel"].as_f64().unwrap() + 0.0724).abs() < 1e-12);
    assert_eq!(e["stjerner"]["gammel"], "**");
    assert_eq!(e["stjerner"]["ny"], "");
    assert_eq!(e["stjerner"]["aendring"], "mistet");
    assert_eq!(e["fortegn_skiftet"], Value::Bool(true));
    assert_eq!(e["konklusion"], Value::Bool(true));
    let levels: Vec<(f64, &str)> = e["signifikans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["niveau"].as_f64().unwrap(),
                s["aendring"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        vec![
            (0.1, "ikke_laengere_signifikant"),
            (0.05, "ikke_laengere_signifikant")
        ]
    );

    let keys = |list: &Value| -> Vec<(String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|k| {
                (
                    k["slags"].as_str().unwrap().to_string(),
                    k["noegle"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        keys(&json["tilfoejet"]),
        vec![("estimat".into(), "tabel_4_1.maend.m2.beskaeftigelse".into())]
    );
    assert_eq!(
        keys(&json["fjernet"]),
        vec![(
            "estimat".into(),
            "tabel_4_1.kvinder.m2.beskaeftigelse".into()
        )]
    );
    let tal: Vec<&str> = json["tal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["noegle"].as_str().unwrap())
        .collect();
    assert_eq!(tal, vec!["befolkning.deltagere", "pscore.baandbredde"]);
    assert_eq!(json["opsummering"]["stjerner_mistet"], 1);
    assert_eq!(json["opsummering"]["fortegn_skiftet"], 1);
    assert_eq!(json["opsummering"]["signifikans_krydset"], 1);
    assert_eq!(
        json["proveniens"]["forskellige"],
        serde_json::json!(["dream_til", "data_fingeraftryk"])
    );

    // Sentences: the three changed conclusions first, then the added one; page numbers are not text.
    let sentences = json["saetninger"].as_array().unwrap();
    let arts: Vec<(&str, bool)> = sentences
        .iter()
        .map(|s| {
            (
                s["art"].as_str().unwrap(),
                s["konklusion"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        arts,
        vec![
            ("aendret", true),
            ("aendret", true),
            ("aendret", false),
            ("tilfoejet", false)
        ],
        "{sentences:#?}"
    );
    assert_eq!(
        sentences[0]["gammel"],
        "Effekten er signifikant på 1 pct.-niveau."
    );
    assert_eq!(
        sentences[0]["ny"],
        "Effekten er ikke signifikant på 10 pct.-niveau."
    );
    assert_eq!(sentences[3]["ny"], "Der er nu også resultater for mænd.");
    let words: Vec<(&str, &str)> = sentences[2]["ord"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["art"].as_str().unwrap(), w["tekst"].as_str().unwrap()))
        .collect();
    assert!(words.contains(&("fjernet", "6,2")), "{words:?}");
    assert!(words.contains(&("tilfoejet", "1,0")), "{words:?}");
    assert!(words.contains(&("lig", "procentpoint")), "{words:?}");
    assert!(words.contains(&("tilfoejet", "sjældnere")), "{words:?}");

    let pdf = std::fs::read(out_dir.join("diff.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    // Within a relative tolerance of 1 %, pscore.baandbredde is no longer a change.
    let out2 = root.join("ud2");
    let o = diff(&[
        &old_dir,
        &new_dir,
        Path::new("--out"),
        &out2,
        Path::new("--tolerance"),
        Path::new("0.01"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let json2 = read_json(&out2.join("diff.json"));
    let tal: Vec<&str> = json2["tal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["noegle"].as_str().unwrap())
        .collect();
    assert_eq!(tal, vec!["befolkning.deltagere"]);

    // Deterministic: the same inputs give byte-identical outputs.
    let out3 = root.join("ud3");
    assert_eq!(
        diff(&[&old_dir, &new_dir, Path::new("--out"), &out3])
            .status
            .code(),
        Some(1)
    );
    let rewrite = |dir: &Path| {
        // The folder names differ only in the output path, which is not part of the files.
        (
            std::fs::read(dir.join("diff.json")).unwrap(),
            std::fs::read(dir.join("diff.pdf")).unwrap(),
        )
    };
    assert!(
        rewrite(&out_dir) == rewrite(&out3),
        "diff.json and diff.pdf are byte-identical"
    );
}

#[test]
fn a_folder_without_resultater_json_is_an_input_error() {
    let (_guard, root) = tmp();
    let good = root.join("build");
    write_build(&good, &old_results(), Some(OLD_TEXT));
    let empty = root.join("tom");
    std::fs::create_dir_all(&empty).unwrap();
    let out = diff(&[&good, &empty]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&empty.join("resultater.json").display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("effektrapport build --out"), "{stderr}");
    assert!(!empty.join("diff").exists(), "nothing is written on error");

    // A resultater.json that is not one: also exit status 2, naming the file.
    let bad = root.join("forkert");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("resultater.json"), "{\"x\": 1}").unwrap();
    let out = diff(&[&good, &bad]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&bad.join("resultater.json").display().to_string()),
        "{stderr}"
    );
}

#[test]
fn a_build_without_rapport_txt_compares_numbers_only() {
    let (_guard, root) = tmp();
    let (a, b) = (root.join("a"), root.join("b"));
    write_build(&a, &old_results(), None);
    write_build(&b, &old_results(), Some(OLD_TEXT));
    let out = diff(&[&a, &b]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = read_json(&b.join("diff/diff.json"));
    assert_eq!(json["tekst_sammenlignet"], Value::Bool(false));
    assert!(
        json["bemaerkninger"][0]
            .as_str()
            .unwrap()
            .contains("rapport.txt")
    );
}

/// Output control of the diff: a count that changed by 1 to 4 persons between two vintages (the
/// persons who came or went) is left out of `diff.json`, the table and the sentences that print
/// it, and listed in `diff.diskretion.json`; a change of 5 or more is shown. So is the persons
/// behind an estimate.
#[test]
fn a_count_that_changed_by_fewer_than_five_persons_is_hidden() {
    let (_guard, root) = tmp();
    let (old_dir, new_dir, out_dir) = (root.join("gammel"), root.join("ny"), root.join("ud"));
    let mut old = old_results();
    let mut new = old_results();
    old.tal.insert("antal.alle.deltagere".into(), 412.0);
    new.tal.insert("antal.alle.deltagere".into(), 414.0);
    old.tal.insert("antal.alle.kontrol".into(), 2229.0);
    new.tal.insert("antal.alle.kontrol".into(), 2240.0);
    let key = "tabel_4_1.alle.m2.beskaeftigelse";
    new.estimater.get_mut(key).unwrap().n_behandlede = 362;
    write_build(
        &old_dir,
        &old,
        Some("Titel\n\u{c}\nI alt 412 deltagere og 2.229 kontroller."),
    );
    write_build(
        &new_dir,
        &new,
        Some("Titel\n\u{c}\nI alt 414 deltagere og 2.240 kontroller."),
    );
    let out = diff(&[&old_dir, &new_dir, Path::new("--out"), &out_dir]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = read_json(&out_dir.join("diff.json"));
    let text = json.to_string();
    for hidden in ["412", "414", "362"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    let change = |k: &str| {
        json["tal"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["noegle"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(change("antal.alle.deltagere")["skjult"], Value::Bool(true));
    assert_eq!(change("antal.alle.kontrol")["forskel"], 11.0);
    let estimate = json["estimater"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["noegle"] == key)
        .unwrap();
    assert_eq!(estimate["n_behandlede"]["skjult"], Value::Bool(true));
    assert!(estimate["n_behandlede"]["gammel"].is_null());
    let sentence = json["saetninger"][0]["ny"].as_str().unwrap();
    assert!(
        sentence.ends_with("I alt [skjult] deltagere og 2.240 kontroller."),
        "{sentence}"
    );
    let log = read_json(&out_dir.join("diff.diskretion.json"));
    assert_eq!(log["taerskel"], 5);
    let cells: Vec<(String, u64)> = (log["skjulte_celler"].as_array().unwrap().iter())
        .map(|c| {
            (
                c["celle"].as_str().unwrap().to_string(),
                c["personer"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            ("antal.alle.deltagere".to_string(), 2),
            (format!("{key}.n_behandlede"), 3)
        ]
    );
}
