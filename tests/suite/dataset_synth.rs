//! The analysis dataset built from the bundled synthetic registers reproduces the published
//! funnel, follow-up samples and covariate means, and the planted truth is what sandhed.json says.

use effektrapport::dataset::{self, AnalysisData, columns::Columns};
use effektrapport::registers::{self, codes::CodeBook};
use effektrapport::synth::{self, SynthSpec};
use std::path::Path;
use std::sync::OnceLock;

struct Built {
    data: AnalysisData,
    truth: serde_json::Value,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        synth::write(&SynthSpec::default(), dir.path()).unwrap();
        let codebook = CodeBook::load(Path::new("report/dream-koder.yaml")).unwrap();
        let mut regs = registers::load(dir.path(), &codebook).unwrap();
        let data = dataset::build(&mut regs, &codebook, synth::DEFAULT_ANALYSIS_SEED).unwrap();
        let truth: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("sandhed.json")).unwrap(),
        )
        .unwrap();
        Built { data, truth }
    })
}

fn column(names: &[String], matrix: &Columns, name: &str) -> Vec<f64> {
    let j = names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    matrix.column(j)
}

fn mean_where(values: &[f64], rows: impl Fn(usize) -> bool) -> f64 {
    let v: Vec<f64> = (0..values.len())
        .filter(|&i| rows(i) && values[i].is_finite())
        .map(|i| values[i])
        .collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn funnel_and_follow_up_samples_are_exact() {
    let d = &built().data;
    let steps: Vec<(usize, usize)> = d.funnel.iter().map(|s| (s.treated, s.controls)).collect();
    assert_eq!(steps[0].0, 476, "delivered participants");
    assert_eq!(
        &steps[2..],
        &[(448, 7367), (415, 2536), (412, 2229)],
        "funnel {steps:?}"
    );
    assert_eq!(d.len(), 7815, "unrestricted population");
    let men = (0..d.len()).filter(|&i| d.male[i]).count();
    assert_eq!((men, d.len() - men), (4134, 3681), "Tabel 5.1's sex split");
    let main: Vec<usize> = (0..d.len()).filter(|&i| d.main_sample[i]).collect();
    let count = |f: &dyn Fn(usize) -> bool| main.iter().filter(|&&i| f(i)).count();
    assert_eq!(count(&|i| d.male[i]), 1224);
    assert_eq!(count(&|i| !d.male[i]), 1417);
    assert_eq!(count(&|i| d.treated[i] && d.male[i]), 195);
    assert_eq!(count(&|i| d.treated[i] && !d.male[i]), 217);
    let finite = |name: &str, male: Option<bool>| {
        let y = column(&d.outcome_names, &d.outcomes, name);
        count(&|i| y[i].is_finite() && male.is_none_or(|m| d.male[i] == m))
    };
    for (k, n) in [
        (7, 2641),
        (8, 2633),
        (9, 2595),
        (10, 2483),
        (11, 2410),
        (12, 2123),
    ] {
        assert_eq!(
            finite(&format!("beskaeftigelse_m{k}"), None),
            n,
            "months 0..{k}"
        );
    }
    assert_eq!(finite("beskaeftigelse", None), 2641);
    assert_eq!(finite("virksomhedspraktik_privat", Some(true)), 1080);
    assert_eq!(finite("virksomhedspraktik_privat", Some(false)), 1216);
    assert_eq!(finite("igu", Some(true)), 843);
    assert_eq!(finite("igu", Some(false)), 917);
}

/// (descriptive name, participants: (all, men, women) or None, controls or None, tolerance).
type Row = (&'static str, [Option<f64>; 3], Option<f64>, f64);

const SHARE: f64 = 0.03;

fn published() -> Vec<Row> {
    let s = |a: f64, m: f64, w: f64| [Some(a), Some(m), Some(w)];
    let a = |x: f64| [Some(x), None, None];
    let mut rows: Vec<Row> = vec![
        ("bot_2017", s(0.56, 0.53, 0.59), Some(0.57), SHARE),
        ("startmaaned", a(6.84), Some(6.39), 0.5),
        ("kommune_aabenraa", s(0.02, 0.02, 0.03), Some(0.09), SHARE),
        ("kommune_egedal", s(0.08, 0.0, 0.16), Some(0.07), SHARE),
        ("kommune_faxe", s(0.16, 0.19, 0.14), Some(0.06), SHARE),
        ("kommune_fredericia", s(0.07, 0.03, 0.11), Some(0.13), SHARE),
        ("kommune_haderslev", s(0.08, 0.08, 0.08), Some(0.13), SHARE),
        (
            "kommune_hoeje_taastrup",
            s(0.17, 0.13, 0.20),
            Some(0.16),
            SHARE,
        ),
        ("kommune_kerteminde", s(0.02, 0.02, 0.02), Some(0.06), SHARE),
        ("kommune_odder", s(0.09, 0.12, 0.06), Some(0.05), SHARE),
        ("kommune_ringsted", s(0.11, 0.15, 0.08), Some(0.06), SHARE),
        ("kommune_rudersdal", s(0.13, 0.21, 0.06), Some(0.11), SHARE),
        ("kommune_thisted", s(0.06, 0.07, 0.05), Some(0.08), SHARE),
        ("mand", a(0.47), Some(0.46), SHARE),
        ("alder", s(35.33, 35.87, 34.85), Some(38.18), 1.0),
        ("enlig", s(0.39, 0.49, 0.30), Some(0.35), SHARE),
        ("boern_0_5", s(0.61, 0.47, 0.73), Some(0.53), 0.1),
        ("boern_6_11", s(0.68, 0.51, 0.84), Some(0.54), 0.1),
        ("boern_12_18", s(0.37, 0.25, 0.49), Some(0.49), 0.1),
        ("tyrkiet", s(0.09, 0.10, 0.09), Some(0.14), SHARE),
        ("eritrea", s(0.12, 0.17, 0.07), None, SHARE),
        ("syrien", s(0.56, 0.54, 0.57), None, SHARE),
        ("afrika", s(0.17, 0.21, 0.14), Some(0.12), SHARE),
        ("oestasien", s(0.06, 0.04, 0.09), Some(0.12), SHARE),
        ("vestasien", s(0.64, 0.62, 0.66), Some(0.53), SHARE),
        ("oevrige_lande", s(0.13, 0.13, 0.11), None, SHARE),
        ("aar_i_dk", s(4.50, 4.41, 4.58), Some(9.64), 0.5),
        ("asyl", s(0.64, 0.84, 0.47), Some(0.52), SHARE),
        (
            "familiesammenfoert_flygtning",
            s(0.20, 0.04, 0.35),
            Some(0.15),
            SHARE,
        ),
        ("andet_opholdsgrundlag", s(0.16, 0.12, 0.18), None, SHARE),
        ("skoleuddannelse", s(0.69, 0.71, 0.67), Some(0.62), SHARE),
        ("eud_gymnasium", s(0.14, 0.11, 0.17), Some(0.20), SHARE),
        ("kvu_mvu", s(0.09, 0.09, 0.10), Some(0.11), SHARE),
        ("anden_uddannelse", s(0.08, 0.09, 0.06), None, SHARE),
        ("akasse", a(0.05), Some(0.12), SHARE),
        ("grad_1m_foer", s(0.02, 0.039, 0.0069), Some(0.09), SHARE),
        ("grad_12m_foer", s(0.04, 0.0775, 0.012), Some(0.08), SHARE),
        ("partner_grad_aar_foer", a(0.04), Some(0.09), SHARE),
        ("nulstillende_samtaler", a(0.78), Some(0.76), 0.1),
        ("loentilskud_1u_foer", s(0.01, 0.02, 0.0), None, SHARE),
        (
            "virksomhedspraktik_1u_foer",
            s(0.17, 0.16, 0.17),
            Some(0.16),
            SHARE,
        ),
        (
            "kontanthjaelp_1u_foer",
            s(0.17, 0.13, 0.21),
            Some(0.37),
            SHARE,
        ),
        (
            "integrationsydelse_1u_foer",
            s(0.83, 0.87, 0.79),
            Some(0.53),
            SHARE,
        ),
        (
            "jobparat_indsatsaar",
            s(0.74, 0.82, 0.68),
            Some(0.42),
            SHARE,
        ),
        ("jobparat_aar_foer", a(0.38), Some(0.23), SHARE),
        ("partner_ikke_aktiv", a(0.03), Some(0.06), SHARE),
        ("indlaeggelse", s(0.11, 0.08, 0.14), Some(0.13), SHARE),
        (
            "kriminalitet_aar_foer",
            s(0.04, 0.08, 0.01),
            Some(0.12),
            SHARE,
        ),
    ];
    let grad_t = [
        0.02, 0.04, 0.05, 0.06, 0.05, 0.06, 0.06, 0.06, 0.06, 0.06, 0.05, 0.04,
    ];
    let grad_c = [
        0.09, 0.10, 0.10, 0.09, 0.10, 0.09, 0.09, 0.09, 0.08, 0.08, 0.08, 0.08,
    ];
    for k in 2..=11 {
        let name: &'static str = Box::leak(format!("grad_{k}m_foer").into_boxed_str());
        rows.push((name, a(grad_t[k - 1]), Some(grad_c[k - 1]), SHARE));
    }
    let weeks = [1, 5, 10, 15, 19, 24, 29, 34, 41, 46, 52];
    let weekly: [(&str, [f64; 11], [f64; 11]); 4] = [
        (
            "ordinaer_uddannelse",
            [
                0.51, 0.42, 0.37, 0.40, 0.40, 0.38, 0.40, 0.42, 0.41, 0.42, 0.42,
            ],
            [
                0.18, 0.19, 0.21, 0.22, 0.23, 0.23, 0.23, 0.24, 0.24, 0.25, 0.26,
            ],
        ),
        (
            "virksomhedspraktik",
            [
                0.17, 0.22, 0.22, 0.22, 0.20, 0.22, 0.19, 0.18, 0.21, 0.18, 0.15,
            ],
            [
                0.16, 0.15, 0.14, 0.14, 0.14, 0.14, 0.14, 0.13, 0.13, 0.13, 0.12,
            ],
        ),
        (
            "kontanthjaelp",
            [
                0.17, 0.17, 0.15, 0.15, 0.15, 0.15, 0.14, 0.15, 0.14, 0.17, 0.17,
            ],
            [
                0.37, 0.36, 0.35, 0.34, 0.33, 0.32, 0.32, 0.34, 0.35, 0.38, 0.41,
            ],
        ),
        (
            "integrationsydelse",
            [
                0.83, 0.80, 0.80, 0.80, 0.79, 0.78, 0.78, 0.78, 0.78, 0.76, 0.72,
            ],
            [
                0.53, 0.52, 0.51, 0.51, 0.51, 0.50, 0.49, 0.47, 0.45, 0.42, 0.38,
            ],
        ),
    ];
    for (stem, t, c) in weekly {
        for (k, w) in weeks.iter().enumerate().skip(1) {
            let name: &'static str = Box::leak(format!("{stem}_{w}u_foer").into_boxed_str());
            rows.push((name, a(t[k]), Some(c[k]), SHARE));
        }
        rows.push((
            Box::leak(format!("{stem}_1u_foer").into_boxed_str()),
            a(t[0]),
            Some(c[0]),
            SHARE,
        ));
    }
    rows.sort_by_key(|r| r.0);
    rows.dedup_by_key(|r| r.0);
    rows
}

#[test]
fn covariate_means_match_the_published_tables() {
    let d = &built().data;
    let main = |i: usize| d.main_sample[i];
    let mut failures = Vec::new();
    println!(
        "{:<34} {:>7} {:>7} | {:>7} {:>7} | {:>7} {:>7} | {:>7} {:>7}",
        "variabel", "BOT", "publ.", "mænd", "publ.", "kvinder", "publ.", "kontrol", "publ."
    );
    for (name, treated, control, tol) in published() {
        let x = column(&d.descriptive_names, &d.descriptives, name);
        let got = [
            mean_where(&x, |i| main(i) && d.treated[i]),
            mean_where(&x, |i| main(i) && d.treated[i] && d.male[i]),
            mean_where(&x, |i| main(i) && d.treated[i] && !d.male[i]),
            mean_where(&x, |i| main(i) && !d.treated[i]),
        ];
        let want = [treated[0], treated[1], treated[2], control];
        let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
        println!(
            "{name:<34} {:>7.3} {:>7} | {:>7.3} {:>7} | {:>7.3} {:>7} | {:>7.3} {:>7}",
            got[0],
            cell(want[0]),
            got[1],
            cell(want[1]),
            got[2],
            cell(want[2]),
            got[3],
            cell(want[3])
        );
        for (g, w) in got.iter().zip(want) {
            if let Some(w) = w
                && (g - w).abs() > tol + 1e-9
            {
                failures.push(format!("{name}: {g:.3} vs {w:.3} (±{tol})"));
            }
        }
    }
    assert!(failures.is_empty(), "means off: {failures:#?}");
}

#[test]
fn sandhed_holds_the_planted_effects_and_selection_is_real() {
    let b = built();
    let effects = &b.truth["effekter"];
    let planted: [(&str, f64, f64); 8] = [
        ("beskaeftigelse", 0.0768, 0.0596),
        ("sundhed", -0.0003, 0.0658),
        ("aktieselskab", 0.0745, 0.0269),
        ("selvforsoergelse", 0.0769, 0.0772),
        ("su", 0.0086, -0.0284),
        ("virksomhedspraktik_privat", 0.0853, 0.1120),
        ("virksomhedspraktik_offentlig", 0.0234, 0.0137),
        ("igu", 0.0670, 0.1022),
    ];
    for (name, m, w) in planted {
        let got_m = effects[name]["maend"].as_f64().unwrap();
        let got_w = effects[name]["kvinder"].as_f64().unwrap();
        assert!((got_m - m).abs() < 0.001, "{name} men: {got_m} vs {m}");
        assert!((got_w - w).abs() < 0.001, "{name} women: {got_w} vs {w}");
    }
    let d = &b.data;
    let y = column(&d.outcome_names, &d.outcomes, "beskaeftigelse");
    let naive = mean_where(&y, |i| d.main_sample[i] && d.treated[i])
        - mean_where(&y, |i| d.main_sample[i] && !d.treated[i]);
    let truth = effects["beskaeftigelse"]["alle"].as_f64().unwrap();
    println!("naive difference {naive:.4}, true ATT {truth:.4}");
    assert!(
        (naive - truth).abs() > 0.03,
        "naive {naive} too close to the truth {truth}"
    );
}
