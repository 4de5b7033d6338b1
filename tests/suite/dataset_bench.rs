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
    let mut regs = registers::load(Path::new(&dir), &codebook).unwrap();
    let read = t.elapsed().as_secs_f64();
    let after_read = memory();
    let t = Instant::now();
    let data = dataset::build(
        &mut regs,
        &codebook,
        effektrapport::synth::DEFAULT_ANALYSIS_SEED,
    )
    .unwrap();
    let build = t.elapsed().as_secs_f64();
    println!(
        "memory after reading the registers: {after_read}; after the dataset build: {}",
        memory()
    );
    println!(
        "registers read {read:.1} s; dataset built {build:.1} s; {} persons, {} outcomes, funnel {:?}",
        data.len(),
        data.outcome_names.len(),
        data.funnel
            .iter()
            .map(|s| (s.treated, s.controls))
            .collect::<Vec<_>>()
    );
    println!("dataset fingerprint {}", fingerprint(&data));
    let peak = peak_bytes();
    let met = read + build <= GOAL_SECONDS && peak.is_some_and(|p| p <= GOAL_BYTES);
    println!(
        "goal: reading and building within {GOAL_SECONDS} s and 4 GiB: {} ({:.1} s, peak {})",
        if met { "met" } else { "MISSED" },
        read + build,
        peak.map_or("?".to_string(), |p| format!("{:.2} GB", p as f64 / 1e9))
    );
}

/// A hash of every value of the dataset, to check that a change of the build keeps it the same.
fn fingerprint(data: &dataset::AnalysisData) -> String {
    let mut h = blake3::Hasher::new();
    for flags in [&data.treated, &data.male, &data.main_sample] {
        h.update(&flags.iter().map(|&b| u8::from(b)).collect::<Vec<_>>());
    }
    for m in &data.municipality {
        h.update(&m.to_le_bytes());
    }
    h.update(format!("{:?}{:?}", data.start_date, data.funnel).as_bytes());
    h.update(format!("{:?}", data.unknown_codes).as_bytes());
    for names in [
        &data.covariate_names,
        &data.descriptive_names,
        &data.outcome_names,
    ] {
        h.update(names.join(",").as_bytes());
    }
    for m in [
        &data.covariates,
        &data.descriptives,
        &data.outcomes,
        &data.employment_profile,
        &data.igu_profile,
    ] {
        for i in 0..m.nrows() {
            for j in 0..m.ncols() {
                h.update(&m[[i, j]].to_bits().to_le_bytes());
            }
        }
    }
    h.finalize().to_hex().to_string()
}

/// The goal of issue 3 for the dataset at national scale (`synth --scale 100`).
const GOAL_SECONDS: f64 = 60.0;
const GOAL_BYTES: u64 = 4 << 30;

/// A memory figure of this process from /proc/self/status (`VmHWM:` peak, `VmRSS:` now), bytes.
fn status_bytes(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status
        .lines()
        .find(|l| l.starts_with(name))?
        .split_whitespace()
        .nth(1)?;
    kb.parse::<u64>().ok().map(|kb| kb * 1024)
}

/// Peak resident memory of this process so far.
fn peak_bytes() -> Option<u64> {
    status_bytes("VmHWM:")
}

/// Peak and current resident memory of this process, for the stage breakdown.
fn memory() -> String {
    let gb = |b: Option<u64>| b.map_or("?".to_string(), |b| format!("{:.2} GB", b as f64 / 1e9));
    format!(
        "peak {}, now {}",
        gb(peak_bytes()),
        gb(status_bytes("VmRSS:"))
    )
}
