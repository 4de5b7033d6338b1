//! The results cache never serves a stale result, and it is fine-grained: each part of the results
//! (the data's facts, the descriptive numbers, the deliveries, each analysis) has a key of exactly
//! what it reads. Changing the data, one analysis or the program invalidates what it must and no
//! more; a prose edit re-renders from the cache; and a part is the same whether it was computed
//! alone, together with others, or served from the cache.

use crate::report_support::report_copy;
use effektrapport::cache::{self, Entry, Fingerprints};
use effektrapport::config::Config;
use effektrapport::results::Results;
use effektrapport::synth::{self, SynthSpec};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Replaces `old` (which must be present once) by `new` in a file.
fn edit(path: &Path, old: &str, new: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        text.matches(old).count(),
        1,
        "«{old}» once in {}",
        path.display()
    );
    std::fs::write(path, text.replace(old, new)).unwrap();
}

fn keys(fingerprints: &Fingerprints, config: &Config) -> Vec<Entry> {
    cache::entries(fingerprints, config).unwrap()
}

/// Names of the parts whose keys differ between two plans of the same parts.
fn changed(a: &[Entry], b: &[Entry]) -> Vec<String> {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .inspect(|(x, y)| assert_eq!(x.name, y.name))
        .filter(|(x, y)| x.key != y.key)
        .map(|(x, _)| x.name.clone())
        .collect()
}

#[test]
fn each_part_is_keyed_by_exactly_what_it_reads() {
    let root = tempfile::tempdir().unwrap();
    let config_path = report_copy(root.path(), "report", 500);
    let config = Config::load(&config_path).unwrap();
    let data = root.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("dream.csv"), "PNR,y_1901\nA,130\n").unwrap();
    let fp = Fingerprints::compute(&config, &data).unwrap();
    let base = keys(&fp, &config);
    let all: Vec<String> = base.iter().map(|e| e.name.clone()).collect();
    let analyses: Vec<String> = config.analyser.iter().map(|a| a.id.clone()).collect();
    assert_eq!(all.len(), 3 + analyses.len());
    assert_eq!(&all[..3], ["data", "beskrivelse", "leverancer"]);
    assert_eq!(
        base,
        keys(&Fingerprints::compute(&config, &data).unwrap(), &config),
        "the keys are deterministic"
    );

    // The data: any file of the data folder, the code book, the seed of the placebo dates.
    std::fs::write(data.join("dream.csv"), "PNR,y_1901\nA,730\n").unwrap();
    let revised = Fingerprints::compute(&config, &data).unwrap();
    assert_eq!(
        changed(&base, &keys(&revised, &config)),
        all,
        "a revised DREAM week"
    );
    std::fs::write(data.join("dream.csv"), "PNR,y_1901\nA,130\n").unwrap();
    std::fs::write(data.join("igu.csv"), "PNR\n").unwrap();
    let added = Fingerprints::compute(&config, &data).unwrap();
    assert_eq!(changed(&base, &keys(&added, &config)), all, "an added file");
    std::fs::remove_file(data.join("igu.csv")).unwrap();
    let codebook = config_path.parent().unwrap().join("dream-koder.yaml");
    let original = std::fs::read_to_string(&codebook).unwrap();
    std::fs::write(&codebook, format!("{original}\n# revideret\n")).unwrap();
    let recoded = Fingerprints::compute(&config, &data).unwrap();
    assert_eq!(
        changed(&base, &keys(&recoded, &config)),
        all,
        "the code book"
    );
    std::fs::write(&codebook, &original).unwrap();
    let mut reseeded = config.clone();
    reseeded.analyse.seed += 1;
    let fp_seed = Fingerprints::compute(&reseeded, &data).unwrap();
    assert_eq!(changed(&base, &keys(&fp_seed, &reseeded)), all, "the seed");
    assert_eq!(fp, Fingerprints::compute(&config, &data).unwrap());

    // The program: every part.
    let other_program = Fingerprints {
        program: "en anden version af effektrapport".into(),
        ..fp.clone()
    };
    assert_eq!(
        changed(&base, &keys(&other_program, &config)),
        all,
        "a new program version"
    );

    // One analysis: only its own key.
    let mut one = config.clone();
    one.analyser[3].metoder.pop();
    assert_eq!(changed(&base, &keys(&fp, &one)), [analyses[3].clone()]);
    let mut kernel = config.clone();
    kernel.analyser[0].kerne = effektrapport::estimators::Kernel::Uniform;
    assert_eq!(changed(&base, &keys(&fp, &kernel)), [analyses[0].clone()]);

    // Shared analysis settings: the parts that use them.
    let mut replicates = config.clone();
    replicates.analyse.bootstrap = 100;
    assert_eq!(changed(&base, &keys(&fp, &replicates)), analyses);
    let mut bandwidth = config.clone();
    bandwidth.analyse.baandbredde = "pm".into();
    let mut expected = vec!["beskrivelse".to_string()];
    expected.extend(analyses.iter().cloned());
    assert_eq!(changed(&base, &keys(&fp, &bandwidth)), expected);
    let mut discretion = config.clone();
    discretion.analyse.diskretion = 10;
    // The threshold governs Tabel 2.1, the descriptive shares (Tabel 3.1, profiles) and which
    // effects may be published (too few matched participants or used controls).
    let mut expected = vec!["beskrivelse".to_string(), "leverancer".to_string()];
    expected.extend(analyses.iter().cloned());
    assert_eq!(changed(&base, &keys(&fp, &discretion)), expected);

    // How a table prints its analysis (title, rows, note) is not what the analysis estimates.
    let mut reworded = config.clone();
    let table = reworded.analyser[0]
        .tabel
        .as_mut()
        .expect("Tabel 4.1 is declared");
    table.note.push_str(" Omformuleret.");
    table.titel = "En anden titel".into();
    assert!(changed(&base, &keys(&fp, &reworded)).is_empty());

    // Moving an analysis keeps its key; prose, titles and dates touch none.
    let mut moved = config.clone();
    moved.analyser.rotate_left(1);
    let moved_keys = keys(&fp, &moved);
    for entry in &base[3..] {
        assert!(
            moved_keys
                .iter()
                .any(|m| m.name == entry.name && m.key == entry.key),
            "{} keeps its key when moved",
            entry.name
        );
    }
    let mut prose = config.clone();
    prose.titel.push_str(" (ny titel)");
    prose.kapitler.reverse();
    prose.dato = prose.dato.succ_opt().unwrap();
    assert!(changed(&base, &keys(&fp, &prose)).is_empty());
}

/// Results as JSON (NaN is not equal to itself) with the configuration fingerprint (which covers
/// the chapters) blanked.
fn without_config_stamp(results: &Results) -> String {
    let mut r = results.clone();
    r.proveniens.konfiguration_fingeraftryk.clear();
    r.to_json().unwrap()
}

fn build(config_path: &Path, out: &Path) -> effektrapport::BuildOutput {
    let config = Config::load(config_path).unwrap();
    effektrapport::build_report(&config, None, out).unwrap()
}

#[test]
fn a_changed_analysis_is_estimated_alone_and_as_if_with_all_others() {
    let root = tempfile::tempdir().unwrap();
    let config_path = report_copy(root.path(), "report", 10);
    let out = root.path().join("build");

    let cold = build(&config_path, &out);
    assert!(cold.cache.cached.is_empty(), "{:?}", cold.cache);
    let parts = 3 + Config::load(&config_path).unwrap().analyser.len();
    assert_eq!(cold.cache.computed.len(), parts);
    let cold_json = std::fs::read(out.join("resultater.json")).unwrap();
    let cold_pdf = std::fs::read(out.join("rapport.pdf")).unwrap();

    // A prose edit: nothing is estimated, the numbers are the same, the PDF is not.
    let chapter = root.path().join("report/kapitler/resume.md");
    let prose = std::fs::read_to_string(&chapter).unwrap();
    std::fs::write(&chapter, format!("{prose}\nEn ny sætning om ingenting.\n")).unwrap();
    let reworded = build(&config_path, &out);
    assert!(reworded.cache.computed.is_empty(), "{:?}", reworded.cache);
    assert!(
        without_config_stamp(&reworded.results) == without_config_stamp(&cold.results),
        "a prose edit changed the results"
    );
    assert_ne!(std::fs::read(out.join("rapport.pdf")).unwrap(), cold_pdf);
    std::fs::write(&chapter, &prose).unwrap();

    // One analysis changed (Tabel 5.4 with the Epanechnikov kernel): only it is estimated, and its
    // estimates equal, bit for bit, those of the same sample, method and outcome that other
    // analyses computed together in the cold build (Tabel 4.1: methods 1-2, Tabel 5.2: 3-4).
    edit(&config_path, "kerne: uniform", "kerne: epan");
    let epan = build(&config_path, &out);
    assert_eq!(epan.cache.computed, ["tabel_5_4"], "{:?}", epan.cache);
    for group in ["alle", "maend", "kvinder"] {
        for (m, twin) in [
            (1, "tabel_4_1"),
            (2, "tabel_4_1"),
            (3, "tabel_5_2"),
            (4, "tabel_5_2"),
        ] {
            let key = |table: &str| format!("{table}.{group}.m{m}.beskaeftigelse");
            let mine = epan.results.estimate(&key("tabel_5_4")).unwrap();
            let theirs = cold.results.estimate(&key(twin)).unwrap();
            assert_eq!(
                serde_json::to_string(mine).unwrap(),
                serde_json::to_string(theirs).unwrap(),
                "{} alone = {} computed with the others",
                key("tabel_5_4"),
                key(twin)
            );
        }
    }
    for (key, value) in &cold.results.estimater {
        if !key.starts_with("tabel_5_4.") {
            let kept = epan
                .results
                .estimater
                .get(key)
                .map(|e| serde_json::to_string(e).unwrap());
            assert_eq!(
                kept,
                Some(serde_json::to_string(value).unwrap()),
                "{key} kept"
            );
        }
    }

    // Back to the shipped analysis: served from the cache, the same bytes as the cold build.
    edit(&config_path, "kerne: epan", "kerne: uniform");
    let back = build(&config_path, &out);
    assert!(back.cache.computed.is_empty(), "{:?}", back.cache);
    assert!(std::fs::read(out.join("resultater.json")).unwrap() == cold_json);
    assert!(std::fs::read(out.join("rapport.pdf")).unwrap() == cold_pdf);

    // An analysis computed alone (its cache entry deleted) gives the same bytes as computed with
    // all the others: the bootstrap of a sample does not depend on what else is estimated.
    let mut removed = 0;
    for entry in std::fs::read_dir(out.join(".cache")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("tabel_4_1-") || name.starts_with("figur_4_1-") {
            std::fs::remove_file(path).unwrap();
            removed += 1;
        }
    }
    assert_eq!(removed, 2);
    let alone = build(&config_path, &out);
    assert_eq!(alone.cache.computed, ["tabel_4_1", "figur_4_1"]);
    assert!(
        std::fs::read(out.join("resultater.json")).unwrap() == cold_json,
        "resultater.json differs when two analyses are computed alone"
    );
    assert!(std::fs::read(out.join("rapport.pdf")).unwrap() == cold_pdf);

    // A damaged entry is a miss, not an error and not a stale result.
    let entry = std::fs::read_dir(out.join(".cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("tabel_4_7-")
        })
        .unwrap();
    std::fs::write(&entry, "{\"afbrudt").unwrap();
    let repaired = build(&config_path, &out);
    assert_eq!(repaired.cache.computed, ["tabel_4_7"]);
    assert!(std::fs::read(out.join("resultater.json")).unwrap() == cold_json);
}

/// Runs `program build` and returns its stderr; panics with the output on failure.
fn run_build(program: &Path, config: &Path, data: &Path, out: &Path) -> String {
    let output = Command::new(program)
        .args(["build", "--config"])
        .arg(config)
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "build failed:\n{stderr}");
    stderr
}

/// The cache line of a build's stderr.
fn cache_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("resultater: "))
        .unwrap_or_else(|| panic!("no cache line in:\n{stderr}"))
}

fn write_vintage(dir: &Path, vintage: &str) {
    let spec = SynthSpec {
        vintage: Some(synth::parse_vintage(vintage).unwrap()),
        ..SynthSpec::default()
    };
    synth::write(&spec, dir).unwrap();
}

#[test]
fn new_data_or_a_new_program_recomputes_everything() {
    let root = tempfile::tempdir().unwrap();
    let config = report_copy(root.path(), "report", 0);
    let data = root.path().join("data");
    let out = root.path().join("build");
    let program = PathBuf::from(env!("CARGO_BIN_EXE_effektrapport"));
    let parts = 3 + Config::load(&config).unwrap().analyser.len();
    let every = format!("alle {parts} dele beregnet");
    let none = format!("alle {parts} dele fra cachen");

    write_vintage(&data, "2019-03");
    assert_eq!(
        cache_line(&run_build(&program, &config, &data, &out)),
        every
    );
    let march = std::fs::read_to_string(out.join("resultater.json")).unwrap();
    assert_eq!(cache_line(&run_build(&program, &config, &data, &out)), none);

    // The same folder with a new vintage (DREAM extended to July, revised weeks).
    write_vintage(&data, "2019-07");
    assert_eq!(
        cache_line(&run_build(&program, &config, &data, &out)),
        every
    );
    let july = std::fs::read_to_string(out.join("resultater.json")).unwrap();
    assert_ne!(march, july);
    assert!(july.contains("\"dream_til\": \"2019-07\""));

    // Another program: the same executable with different bytes (a rebuilt program) trusts none
    // of the results of this one; this one's entries are still there for it.
    let other = root.path().join("effektrapport-ny");
    let mut bytes = std::fs::read(&program).unwrap();
    bytes.extend_from_slice(b"\0en anden version\0");
    std::fs::write(&other, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_eq!(cache_line(&run_build(&other, &config, &data, &out)), every);
    assert_eq!(cache_line(&run_build(&program, &config, &data, &out)), none);
    assert_eq!(
        std::fs::read_to_string(out.join("resultater.json")).unwrap(),
        july
    );
}

#[test]
fn an_analysis_id_used_twice_is_an_input_error() {
    let root = tempfile::tempdir().unwrap();
    let config_path = report_copy(root.path(), "report", 0);
    let mut config = Config::load(&config_path).unwrap();
    let copy = config.analyser[0].clone();
    config.analyser.push(copy);
    let error = match effektrapport::build_report(&config, None, &root.path().join("build")) {
        Ok(_) => panic!("two analyses with one id must not build"),
        Err(error) => error,
    };
    assert_eq!(effektrapport::error::exit_code(&error), 2);
    assert!(format!("{error:#}").contains("tabel_4_1"), "{error:#}");
    assert!(
        !root.path().join("build/.cache").exists(),
        "nothing computed"
    );
}
