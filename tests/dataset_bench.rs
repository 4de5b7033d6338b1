//! Benchmark of the dataset build on a large synthetic extract (run by bench/dataset.sh; ignored
//! in the ordinary test run). Reads the folder in EFFEKTRAPPORT_BENCH_DATA and prints timings.

use effektrapport::dataset;
use effektrapport::registers::{self, codes::CodeBook};
use std::path::Path;
use std::time::Instant;

#[test]
#[ignore = "benchmark: run bench/dataset.sh"]
fn dataset_build_on_a_large_extract() {
    let Ok(dir) = std::env::var("EFFEKTRAPPORT_BENCH_DATA") else {
        panic!("set EFFEKTRAPPORT_BENCH_DATA to a folder written by `effektrapport synth`");
    };
    let codebook = CodeBook::load(Path::new("report/dream-koder.yaml")).unwrap();
    let t = Instant::now();
    let regs = registers::load(Path::new(&dir), &codebook).unwrap();
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let data = dataset::build(
        &regs,
        &codebook,
        effektrapport::synth::DEFAULT_ANALYSIS_SEED,
    )
    .unwrap();
    let build = t.elapsed().as_secs_f64();
    println!(
        "registers read {read:.1} s; dataset built {build:.1} s; {} persons, {} outcomes, funnel {:?}",
        data.len(),
        data.outcome_names.len(),
        data.funnel
            .iter()
            .map(|s| (s.treated, s.controls))
            .collect::<Vec<_>>()
    );
}
