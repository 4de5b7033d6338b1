//! The results cache never serves a stale result: its key changes with the data, the analyses and
//! the code book, and stays when only prose or layout changes.

use effektrapport::cache;
use effektrapport::config::Config;
use std::path::Path;

#[test]
fn key_follows_data_and_analyses_but_not_prose() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("dream.csv"), "PNR,y_1901\nA,130\n").unwrap();
    let config = Config::load(Path::new("report/rapport.yaml")).unwrap();
    let base = cache::key(&config, data.path()).unwrap();
    assert_eq!(
        base,
        cache::key(&config, data.path()).unwrap(),
        "the key is deterministic"
    );

    std::fs::write(data.path().join("dream.csv"), "PNR,y_1901\nA,730\n").unwrap();
    let changed_data = cache::key(&config, data.path()).unwrap();
    assert_ne!(
        base, changed_data,
        "a revised DREAM week must invalidate the cache"
    );

    let mut more_replicates = config.clone();
    more_replicates.analyse.bootstrap += 1;
    assert_ne!(
        changed_data,
        cache::key(&more_replicates, data.path()).unwrap(),
        "a changed analysis setting"
    );

    let mut fewer_analyses = config.clone();
    fewer_analyses.analyser.pop();
    assert_ne!(
        changed_data,
        cache::key(&fewer_analyses, data.path()).unwrap(),
        "a removed analysis"
    );

    let mut new_prose = config.clone();
    new_prose.titel.push_str(" (ny titel)");
    new_prose.kapitler.reverse();
    assert_eq!(
        changed_data,
        cache::key(&new_prose, data.path()).unwrap(),
        "prose and titles do not touch the results"
    );
}
