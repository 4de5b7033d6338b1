use effektrapport::registers::{self, table};
use std::path::Path;
use std::time::Instant;
#[test]
#[ignore]
fn profile() {
    let dir = Path::new("/tmp/bench100");
    for spec in [
        &registers::DELTAGERE,
        &registers::BEF,
        &registers::VNDS,
        &registers::OPHGIN,
        &registers::UDDA,
        &registers::IND,
        &registers::EJERFORM,
        &registers::IGU,
        &registers::LPR,
        &registers::KRAF,
        &registers::VISITATION,
        &registers::SAMTALER,
    ] {
        let t = Instant::now();
        let tb = table::load(dir, spec).unwrap();
        eprintln!(
            "{} {} rows {:.1}s",
            spec.stem,
            tb.frame.height(),
            t.elapsed().as_secs_f64()
        );
    }
    let cb = registers::codes::CodeBook::load(Path::new("report/dream-koder.yaml")).unwrap();
    let t = Instant::now();
    let d = registers::dream::Dream::load(dir, &cb).unwrap();
    eprintln!("dream {} {:.1}s", d.ids.len(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let _ = registers::load(dir, &cb).unwrap();
    eprintln!("all {:.1}s", t.elapsed().as_secs_f64());
}
#[test]
#[ignore]
fn profile_ds() {
    let dir = Path::new("/tmp/bench100");
    let cb = registers::codes::CodeBook::load(Path::new("report/dream-koder.yaml")).unwrap();
    let t = Instant::now();
    let r = registers::load(dir, &cb).unwrap();
    eprintln!("all {:.1}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let d = effektrapport::dataset::build(&r, &cb, 20200615).unwrap();
    eprintln!("ds {:.1}s {}", t.elapsed().as_secs_f64(), d.len());
}
