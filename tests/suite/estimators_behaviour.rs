//! Behaviour tests of the estimation core that need no external reference
//! values: frequency weights equal expanded data, omitted collinear columns,
//! separation, bootstrap determinism and failure counting, the JSON shape,
//! and errors (not panics) on bad input.

use crate::estimators_support::{Lalonde, assert_rel, lalonde};
use effektrapport::estimators::*;
use ndarray::{Array2, Axis, concatenate};

fn logit_fit(x: &Array2<f64>, names: &[String], treat: &[bool]) -> PsFit {
    PsProblem::new(x.view(), names, treat, PsModel::Logit)
        .unwrap()
        .fit(None)
        .unwrap()
}

fn re78(d: &Lalonde) -> Array2<f64> {
    Array2::from_shape_vec((d.re78.len(), 1), d.re78.clone()).unwrap()
}

fn request(d: &Lalonde, method: Method) -> EstimateRequest {
    EstimateRequest {
        covariates: d.x.clone(),
        covariate_names: d.names.clone(),
        treatment: d.treat.clone(),
        outcomes: re78(d),
        outcome_names: vec!["re78".into()],
        strata: Some(d.married.clone()),
        exact_name: Some("married".into()),
        method,
        kernel: Kernel::Epan,
        bandwidth: BandwidthRule::Pm,
        pscore: PsModel::Logit,
        bootstrap: None,
        seed: 7,
    }
}

/// Frequency weights must equal physically repeating the rows (Stata fweights),
/// for the PS fit, the pm bandwidth, the matching and the analytic SE.
#[test]
fn frequency_weights_equal_expanded_data() {
    let d = lalonde();
    let counts = replicate_counts(d.treat.len(), 11, 3);
    let rows: Vec<usize> = (0..counts.len())
        .flat_map(|i| std::iter::repeat_n(i, counts[i] as usize))
        .collect();
    let x_big = d.x.select(Axis(0), &rows);
    let treat_big: Vec<bool> = rows.iter().map(|&i| d.treat[i]).collect();
    let strata_big: Vec<u32> = rows.iter().map(|&i| d.married[i]).collect();
    let y_big = re78(&d).select(Axis(0), &rows);

    let weighted = PsProblem::new(d.x.view(), &d.names, &d.treat, PsModel::Logit)
        .unwrap()
        .fit(Some(&counts))
        .unwrap();
    let expanded = logit_fit(&x_big, &d.names, &treat_big);
    for (a, b) in weighted.coefficients.iter().zip(&expanded.coefficients) {
        assert_rel(a.estimate, b.estimate, 1e-9, &a.name);
        assert_rel(a.se, b.se, 1e-9, &a.name);
    }
    let units_w = Units::new(&d.treat, Some(&counts), Some(&d.married)).unwrap();
    let units_e = Units::new(&treat_big, None, Some(&strata_big)).unwrap();
    let p_w = weighted.scores.to_vec();
    let p_e: Vec<f64> = rows.iter().map(|&i| p_w[i]).collect();
    let h_w = pm_bandwidth(&p_w, &units_w).unwrap();
    assert_eq!(h_w, pm_bandwidth(&p_e, &units_e).unwrap());
    let spec = MatchingSpec::ridge(Kernel::Epan, h_w);
    let w_w = kernel_match(&p_w, &units_w, &spec).unwrap();
    let w_e = kernel_match(&p_e, &units_e, &spec).unwrap();
    assert_eq!(w_w.n_treated_matched, w_e.n_treated_matched);
    assert_eq!(w_w.n_controls_used, w_e.n_controls_used);
    let a = att_estimates(re78(&d).view(), &units_w, &w_w).unwrap()[0];
    let b = att_estimates(y_big.view(), &units_e, &w_e).unwrap()[0];
    assert_rel(a.att, b.att, 1e-9, "att");
    assert_rel(a.se, b.se, 1e-9, "se");
    let point = att_points(re78(&d).view(), &units_w, &[&w_w]).unwrap();
    assert_rel(point[[0, 0]], a.att, 1e-9, "att_points");
}

/// A warm refit (the fast path skips the collinearity check when the
/// information at the start is well conditioned) gives the same fit as a cold
/// Newton fit of the same replicate, also when a duplicated column forces the
/// fallback to the full path; the bootstrap's replicate scores are close.
#[test]
fn warm_refits_equal_cold_fits() {
    let d = lalonde();
    let n = d.treat.len();
    let doubled = concatenate(Axis(1), &[d.x.view(), d.x.column(0).insert_axis(Axis(1))]).unwrap();
    let mut doubled_names = d.names.clone();
    doubled_names.push("age_copy".into());
    for (x, names) in [(&d.x, &d.names), (&doubled, &doubled_names)] {
        let problem = PsProblem::new(x.view(), names, &d.treat, PsModel::Logit).unwrap();
        let start = problem.fit(None).unwrap().coefficient_vector();
        let mut ws = PsWorkspace::default();
        for b in 0..40 {
            let counts = replicate_counts(n, 5, b);
            let warm = problem
                .fit_from(Some(&counts), Some(&start), &mut ws)
                .unwrap();
            let cold = problem.fit(Some(&counts)).unwrap();
            for (w, c) in warm.coefficients.iter().zip(&cold.coefficients) {
                assert_eq!(w.omitted, c.omitted, "{} replicate {b}", c.name);
                if !c.omitted {
                    assert_rel(w.estimate, c.estimate, 1e-8, &c.name);
                    assert_rel(w.se, c.se, 1e-8, &c.name);
                }
            }
            for (w, c) in warm.scores.iter().zip(&cold.scores) {
                assert!(w.is_nan() && c.is_nan() || (w - c).abs() < 1e-10);
            }
            // The bootstrap's refit stops at Stata's criteria (g'H⁻¹g < 1e-5):
            // within a small fraction of a score's sampling noise of the MLE.
            let replicate = problem
                .replicate_scores(&counts, Some(&start), &mut ws)
                .unwrap();
            for (r, c) in replicate.iter().zip(&cold.scores) {
                assert!(
                    r.is_nan() && c.is_nan() || (r - c).abs() < 1e-4,
                    "{r} vs {c}"
                );
            }
        }
    }
}

#[test]
fn duplicated_and_constant_columns_are_omitted() {
    let d = lalonde();
    let n = d.treat.len();
    let extra = concatenate(
        Axis(1),
        &[
            d.x.view(),
            d.x.column(0).insert_axis(Axis(1)),
            Array2::from_elem((n, 1), 3.0).view(),
        ],
    )
    .unwrap();
    let mut names = d.names.clone();
    names.extend(["age_copy".to_string(), "three".to_string()]);
    let fit = logit_fit(&extra, &names, &d.treat);
    let base = logit_fit(&d.x, &d.names, &d.treat);
    let omitted: Vec<&str> = fit
        .coefficients
        .iter()
        .filter(|c| c.omitted)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(omitted, ["age_copy", "three"]);
    for c in fit.coefficients.iter().filter(|c| c.omitted) {
        assert_eq!(c.estimate, 0.0);
        assert!(c.se.is_nan());
    }
    for b in &base.coefficients {
        let c = fit.coefficients.iter().find(|c| c.name == b.name).unwrap();
        assert_rel(c.estimate, b.estimate, 1e-10, &b.name);
    }
    let json = serde_json::to_value(&fit).unwrap();
    assert!(
        json["coefficients"][8]["se"].is_null(),
        "omitted se serializes as null"
    );
}

#[test]
fn quasi_separation_is_reported() {
    let d = lalonde();
    // z = 1 for every treated, alternating 0/1 for the controls.
    let z: Vec<f64> = d
        .treat
        .iter()
        .enumerate()
        .map(|(i, &t)| if t || i % 2 == 0 { 1.0 } else { 0.0 })
        .collect();
    let x = concatenate(
        Axis(1),
        &[
            d.x.view(),
            Array2::from_shape_vec((z.len(), 1), z).unwrap().view(),
        ],
    )
    .unwrap();
    let mut names = d.names.clone();
    names.push("z".into());
    let fit = logit_fit(&x, &names, &d.treat);
    assert_eq!(fit.separation, ["z"]);
    assert!(fit.separation_message().unwrap().contains('z'));
}

#[test]
fn perfect_predictor_is_dropped_with_its_rows() {
    let d = lalonde();
    // w != 0 only for the first three controls: "w != 0 predicts failure perfectly".
    let controls: Vec<usize> = (0..d.treat.len())
        .filter(|&i| !d.treat[i])
        .take(3)
        .collect();
    let w: Vec<f64> = (0..d.treat.len())
        .map(|i| if controls.contains(&i) { 2.0 } else { 0.0 })
        .collect();
    let x = concatenate(
        Axis(1),
        &[
            d.x.view(),
            Array2::from_shape_vec((w.len(), 1), w).unwrap().view(),
        ],
    )
    .unwrap();
    let mut names = d.names.clone();
    names.push("w".into());
    let fit = logit_fit(&x, &names, &d.treat);
    assert_eq!(fit.separation, ["w"]);
    assert!(fit.coefficients[8].omitted);
    assert_eq!(fit.n_used, d.treat.len() as u64 - 3);
    assert!(controls.iter().all(|&i| fit.scores[i].is_nan()));
    assert!(fit.notes[0].contains("forudsiger ikke-deltagelse perfekt"));
}

fn bootstrap_data<'a>(d: &'a Lalonde, y: &'a Array2<f64>, start: &'a [f64]) -> BootstrapData<'a> {
    BootstrapData {
        covariates: d.x.view(),
        covariate_names: &d.names,
        treat: &d.treat,
        strata: Some(&d.married),
        outcomes: y.view(),
        sample: None,
        model: PsModel::Logit,
        start: Some(start),
    }
}

#[test]
fn bootstrap_is_identical_for_one_and_two_threads() {
    let d = lalonde();
    let y = concatenate(
        Axis(1),
        &[re78(&d).view(), d.x.column(6).insert_axis(Axis(1))],
    )
    .unwrap();
    let start = logit_fit(&d.x, &d.names, &d.treat).coefficient_vector();
    let methods = [
        MethodSpec::Matching {
            spec: MatchingSpec::ridge(Kernel::Epan, 0.01),
            exact: false,
        },
        MethodSpec::Matching {
            spec: MatchingSpec::ridge(Kernel::Epan, 0.025),
            exact: true,
        },
        MethodSpec::Ipw,
    ];
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| bootstrap(&bootstrap_data(&d, &y, &start), &methods, 40, 2024).unwrap())
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two);
    assert_eq!(one.estimates[0].dim(), (40, 2));
    assert!(
        one.se
            .iter()
            .all(|se| se.iter().all(|v| v.is_finite() && *v > 0.0))
    );
    let other_seed = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| bootstrap(&bootstrap_data(&d, &y, &start), &methods, 40, 2025).unwrap());
    assert_ne!(one.estimates[0], other_seed.estimates[0]);
}

/// Bootstrap SE of the ridge ATT should be of the order of kmatch's analytic
/// SE (873 in tests/estimators_reference.rs); a loose plausibility band.
#[test]
fn bootstrap_se_is_plausible() {
    let d = lalonde();
    let y = re78(&d);
    let start = logit_fit(&d.x, &d.names, &d.treat).coefficient_vector();
    let methods = [MethodSpec::Matching {
        spec: MatchingSpec::ridge(Kernel::Epan, 0.01),
        exact: false,
    }];
    let result = bootstrap(&bootstrap_data(&d, &y, &start), &methods, 200, 5).unwrap();
    let se = result.se[0][0];
    assert!((500.0..1500.0).contains(&se), "bootstrap se {se}");
    assert_eq!(result.failed, [0]);
}

/// One treated among 20 persons and no covariates: a replicate fails exactly
/// when it draws no treated person; the failures are counted, not fatal.
#[test]
fn failed_replicates_are_counted() {
    let n = 20;
    let treat: Vec<bool> = (0..n).map(|i| i == 0).collect();
    let x = Array2::<f64>::zeros((n, 0));
    let y = Array2::from_shape_fn((n, 1), |(i, _)| i as f64);
    let data = BootstrapData {
        covariates: x.view(),
        covariate_names: &[],
        treat: &treat,
        strata: None,
        outcomes: y.view(),
        sample: None,
        model: PsModel::Logit,
        start: None,
    };
    let methods = [
        MethodSpec::Ipw,
        MethodSpec::Matching {
            spec: MatchingSpec::kernel(Kernel::Uniform, 0.5),
            exact: false,
        },
    ];
    let b = 60;
    let result = bootstrap(&data, &methods, b, 99).unwrap();
    let expected = (0..b as u64)
        .filter(|&r| replicate_counts(n, 99, r)[0] == 0)
        .count();
    assert!(expected > 0 && expected < b);
    assert_eq!(result.failed, [expected, expected]);
    for r in 0..b {
        let drawn = replicate_counts(n, 99, r as u64)[0] > 0;
        assert_eq!(result.estimates[0][[r, 0]].is_nan(), !drawn);
    }
}

#[test]
fn sample_mask_restricts_the_bootstrap() {
    let d = lalonde();
    let mut y = re78(&d);
    let sample: Vec<bool> = (0..d.treat.len()).map(|i| i % 5 != 0).collect();
    for i in (0..d.treat.len()).filter(|i| i % 5 == 0) {
        y[[i, 0]] = f64::NAN;
    }
    let data = BootstrapData {
        sample: Some(&sample),
        start: None,
        ..bootstrap_data(&d, &y, &[])
    };
    let result = bootstrap(&data, &[MethodSpec::Ipw], 10, 1).unwrap();
    assert_eq!(result.failed, [0]);
    let data = BootstrapData {
        sample: None,
        ..data
    };
    assert!(matches!(
        bootstrap(&data, &[MethodSpec::Ipw], 10, 1),
        Err(EstimError::NonFinite {
            what: "udfaldet",
            ..
        })
    ));
}

#[test]
fn report_serializes_to_the_cli_json_shape() {
    let d = lalonde();
    let report = estimate(&request(&d, Method::Ridge)).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let mut top = keys(&json);
    top.sort();
    assert_eq!(
        top,
        [
            "balance",
            "bandwidth",
            "exact",
            "kernel",
            "method",
            "n",
            "n_controls",
            "n_treated",
            "outcomes",
            "pscore"
        ]
    );
    let mut ps = keys(&json["pscore"]);
    ps.sort();
    assert_eq!(
        ps,
        [
            "coefficients",
            "converged",
            "iterations",
            "model",
            "separation"
        ]
    );
    let mut coefficient = keys(&json["pscore"]["coefficients"][0]);
    coefficient.sort();
    assert_eq!(coefficient, ["estimate", "name", "omitted", "se"]);
    let mut outcome = keys(&json["outcomes"][0]);
    outcome.sort();
    assert_eq!(
        outcome,
        [
            "att",
            "bootstrap_failed",
            "control_mean",
            "n_controls_used",
            "n_treated_matched",
            "name",
            "p",
            "se",
            "se_kind",
            "stars",
            "treated_mean"
        ]
    );
    let mut row = keys(&json["balance"][0]);
    row.sort();
    assert_eq!(
        row,
        [
            "mean_control",
            "mean_treated",
            "name",
            "sdif_after",
            "sdif_before",
            "vr_after",
            "vr_before"
        ]
    );
    assert_eq!(json["method"], "ridge");
    assert_eq!(json["kernel"], "epan");
    assert_eq!(json["exact"], "married");
    assert_eq!(json["pscore"]["model"], "logit");
    assert_eq!(json["outcomes"][0]["se_kind"], "analytic");
    assert_eq!(json["pscore"]["coefficients"][8]["name"], "_cons");
}

#[test]
fn estimate_with_bootstrap_and_ipw() {
    let d = lalonde();
    let mut req = request(&d, Method::Ipw);
    req.bootstrap = Some(30);
    let report = estimate(&req).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcomes"][0]["se_kind"], "bootstrap");
    assert!(json["bandwidth"].is_null() && json["kernel"].is_null() && json["exact"].is_null());
    let o = &report.outcomes[0];
    assert_rel(
        o.p,
        p_value_normal(o.att, o.se),
        1e-15,
        "bootstrap p-value is normal-based",
    );
}

#[test]
fn estimate_drops_rows_with_missing_outcome() {
    let d = lalonde();
    let mut req = request(&d, Method::Kernel);
    req.outcomes[[0, 0]] = f64::NAN;
    req.outcomes[[1, 0]] = f64::NAN;
    let report = estimate(&req).unwrap();
    assert_eq!(report.n, 612);
    assert_eq!(report.n_treated, 183);
}

#[test]
fn cv_bandwidth_via_estimate() {
    let d = lalonde();
    let mut req = request(&d, Method::Ridge);
    req.bandwidth = BandwidthRule::Cv;
    req.strata = None;
    let report = estimate(&req).unwrap();
    let units = Units::new(&d.treat, None, None).unwrap();
    let ridge = MatchingKind::Ridge {
        ridge: Kernel::Epan.default_ridge(),
    };
    let cv = cv_bandwidth(
        report.pscore.scores.as_slice().unwrap(),
        &units,
        Kernel::Epan,
        ridge,
    )
    .unwrap();
    assert_eq!(report.bandwidth, Some(cv.bandwidth));
    assert!(
        cv.mise
            .iter()
            .all(|&m| m >= cv.mise[cv.grid.iter().position(|&g| g == cv.bandwidth).unwrap()])
    );
}

#[test]
fn score_densities_integrate_to_about_one() {
    let d = lalonde();
    let fit = logit_fit(&d.x, &d.names, &d.treat);
    let units = Units::new(&d.treat, None, None).unwrap();
    let p = fit.scores.to_vec();
    let w = kernel_match(&p, &units, &MatchingSpec::ridge(Kernel::Epan, 0.01)).unwrap();
    let dens = score_densities(&p, &units, &w).unwrap();
    for curve in [
        &dens.treated_raw,
        &dens.control_raw,
        &dens.treated_matched,
        &dens.control_matched,
    ] {
        assert_eq!(curve.x.len(), 512);
        let step = curve.x[1] - curve.x[0];
        let area: f64 = curve.density.iter().sum::<f64>() * step;
        assert!((0.8..1.05).contains(&area), "area {area}");
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let d = lalonde();
    let short = &d.treat[..10];
    assert!(matches!(
        PsProblem::new(d.x.view(), &d.names, short, PsModel::Logit),
        Err(EstimError::LengthMismatch { .. })
    ));
    assert!(matches!(
        PsProblem::new(d.x.view(), &d.names[..3], &d.treat, PsModel::Logit),
        Err(EstimError::LengthMismatch { .. })
    ));
    assert!(matches!(
        Units::new(&d.treat, Some(&[1, 2]), None),
        Err(EstimError::LengthMismatch { .. })
    ));
    let units = Units::new(&d.treat, None, None).unwrap();
    assert!(matches!(
        kernel_match(&[0.5; 3], &units, &MatchingSpec::kernel(Kernel::Epan, 0.1)),
        Err(EstimError::LengthMismatch { .. })
    ));
    let p = vec![0.5; d.treat.len()];
    for h in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            kernel_match(&p, &units, &MatchingSpec::kernel(Kernel::Epan, h)),
            Err(EstimError::InvalidBandwidth(_))
        ));
    }
    let nowhere = kernel_match(
        &vec![f64::NAN; d.treat.len()],
        &units,
        &MatchingSpec::kernel(Kernel::Epan, 0.1),
    )
    .unwrap();
    assert_eq!(nowhere.n_treated_matched, 0);
    assert_eq!(
        att_estimates(re78(&d).view(), &units, &nowhere),
        Err(EstimError::NoMatchedTreated)
    );

    let mut req = request(&d, Method::Ridge);
    req.treatment = vec![false; d.treat.len()];
    assert_eq!(estimate(&req).unwrap_err(), EstimError::NoTreated);
    let mut req = request(&d, Method::Ridge);
    req.treatment.pop();
    assert!(matches!(
        estimate(&req),
        Err(EstimError::LengthMismatch { .. })
    ));
    let mut req = request(&d, Method::Ridge);
    req.outcome_names.push("extra".into());
    assert!(matches!(
        estimate(&req),
        Err(EstimError::LengthMismatch { .. })
    ));
    let mut req = request(&d, Method::Ridge);
    req.bandwidth = BandwidthRule::Fixed(-0.1);
    assert!(matches!(
        estimate(&req),
        Err(EstimError::InvalidBandwidth(_))
    ));
    let mut req = request(&d, Method::Ridge);
    req.outcomes.fill(f64::NAN);
    assert_eq!(estimate(&req).unwrap_err(), EstimError::EmptySample);
    // Complete separation by a continuous covariate (Stata: error r(2000)).
    let mut req = request(&d, Method::Ridge);
    for i in 0..d.treat.len() {
        req.covariates[[i, 0]] = if d.treat[i] {
            100.0 + i as f64
        } else {
            i as f64 / 10.0
        };
    }
    assert!(matches!(estimate(&req), Err(EstimError::PsFit(_))));
    let message = estimate(&req).unwrap_err().to_string();
    assert!(message.contains("age"), "{message}");
}

/// LaLonde plus two exclusive dummies `a`, `b` (never both 1) that are never
/// both 0 for a treated person (as the report's benefit indicators a week
/// before start, one benefit at a time): the
/// persons with a = b = 0 are all controls, so the fit is quasi-separated along
/// a + b − _cons. `extra` is one more column added to the covariates.
fn quasi_separated(d: &Lalonde, extra: Option<(&str, Vec<f64>)>) -> (Array2<f64>, Vec<String>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut treated = 0;
    for (i, &t) in d.treat.iter().enumerate() {
        let (va, vb) = if t {
            treated += 1;
            [(1.0, 0.0), (0.0, 1.0)][treated % 2]
        } else {
            [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)][i % 3]
        };
        a.push(va);
        b.push(vb);
    }
    let mut names = d.names.clone();
    names.extend(["a".to_string(), "b".to_string()]);
    let mut columns = vec![
        Array2::from_shape_vec((a.len(), 1), a).unwrap(),
        Array2::from_shape_vec((b.len(), 1), b).unwrap(),
    ];
    if let Some((name, values)) = extra {
        names.push(name.to_string());
        columns.push(Array2::from_shape_vec((values.len(), 1), values).unwrap());
    }
    let mut views = vec![d.x.view()];
    views.extend(columns.iter().map(|c| c.view()));
    (concatenate(Axis(1), &views).unwrap(), names)
}

/// Under quasi-separation the fit stops where Stata's ml criteria are met:
/// large finite coefficients with huge SEs, the variables named, converged.
/// Before, the tight iterations drove the coefficients to ≈ 30 and the
/// information matrix to numerical singularity, and most bootstrap replicates
/// failed ("informationsmatricen er ikke positivt definit").
#[test]
fn quasi_separation_stops_like_stata_and_the_bootstrap_does_not_fail() {
    let d = lalonde();
    let (x, names) = quasi_separated(&d, None);
    let fit = logit_fit(&x, &names, &d.treat);
    assert!(fit.converged);
    assert_eq!(
        fit.separation,
        ["a", "b"],
        "{:?} {:?} it={}",
        fit.notes,
        fit.coefficients,
        fit.iterations
    );
    for c in &fit.coefficients[8..] {
        assert!(
            (8.0..25.0).contains(&c.estimate.abs()) && c.se > 50.0,
            "{} = {} (se {})",
            c.name,
            c.estimate,
            c.se
        );
    }
    assert!(
        fit.notes
            .iter()
            .any(|n| n.contains("Statas ml-konvergenskriterier"))
    );
    // Non-separating coefficients stay ordinary.
    assert!(
        fit.coefficients[..8]
            .iter()
            .all(|c| c.se.is_finite() && c.se < 10.0)
    );

    let y = re78(&d);
    let start = fit.coefficient_vector();
    let data = BootstrapData {
        covariates: x.view(),
        covariate_names: &names,
        treat: &d.treat,
        strata: Some(&d.married),
        outcomes: y.view(),
        sample: None,
        model: PsModel::Logit,
        start: Some(&start),
    };
    let methods = [
        MethodSpec::Matching {
            spec: MatchingSpec::ridge(Kernel::Epan, 0.02),
            exact: false,
        },
        MethodSpec::Matching {
            spec: MatchingSpec::kernel(Kernel::Epan, 0.02),
            exact: true,
        },
        MethodSpec::Ipw,
    ];
    let probit = PsProblem::new(x.view(), &names, &d.treat, PsModel::Probit)
        .unwrap()
        .fit(None)
        .unwrap();
    assert_eq!(probit.separation, ["a", "b"], "{:?}", probit.notes);
    let probit_start = probit.coefficient_vector();
    for (model, start, what) in [
        (PsModel::Logit, Some(&start[..]), "logit, warm start"),
        (PsModel::Logit, None, "logit, cold start"),
        (
            PsModel::Probit,
            Some(&probit_start[..]),
            "probit, warm start",
        ),
        // A start deep in the separated region (the logit's coefficients are
        // far out on the probit scale) is replaced by the cold start.
        (PsModel::Probit, Some(&start[..]), "probit, logit start"),
    ] {
        let data = BootstrapData {
            model,
            start,
            ..data
        };
        let result = bootstrap(&data, &methods, 100, 17).unwrap();
        assert_eq!(result.failed, [0, 0, 0], "{what}");
        assert!(result.se.iter().all(|se| se[0].is_finite() && se[0] > 0.0));
    }
}

/// A rare dummy that, in one bootstrap replicate, is non-zero only for
/// controls predicts failure perfectly there: Stata drops it with its
/// observations and goes on, and so must the replicate.
#[test]
fn replicate_with_a_perfect_predictor_drops_it_like_stata() {
    let d = lalonde();
    let treated = d.treat.iter().position(|&t| t).unwrap();
    let controls: Vec<usize> = (0..d.treat.len())
        .filter(|&i| !d.treat[i])
        .take(4)
        .collect();
    let rare: Vec<f64> = (0..d.treat.len())
        .map(|i| f64::from(u8::from(i == treated || controls.contains(&i))))
        .collect();
    let (x, names) = quasi_separated(&d, Some(("rare", rare)));
    // The full sample has a treated person with rare = 1: no perfect prediction.
    let full = logit_fit(&x, &names, &d.treat);
    assert!(!full.coefficients[10].omitted);
    let problem = PsProblem::new(x.view(), &names, &d.treat, PsModel::Logit).unwrap();
    // A replicate without that treated person but with some of the controls.
    let replicate = (0..1000)
        .find(|&r| {
            let c = replicate_counts(d.treat.len(), 3, r);
            c[treated] == 0 && controls.iter().any(|&i| c[i] > 0)
        })
        .unwrap();
    let counts = replicate_counts(d.treat.len(), 3, replicate);
    let fit = problem
        .fit_from(
            Some(&counts),
            Some(&full.coefficient_vector()),
            &mut PsWorkspace::default(),
        )
        .unwrap();
    assert!(fit.coefficients[10].omitted);
    assert!(fit.separation.contains(&"rare".to_string()));
    assert!(
        fit.notes[0].contains("rare != 0 forudsiger ikke-deltagelse perfekt"),
        "{:?}",
        fit.notes
    );
    let lost: u32 = controls.iter().map(|&i| counts[i]).sum();
    let drawn: u32 = counts.iter().sum();
    assert_eq!(fit.n_used, u64::from(drawn - lost));
    assert!(controls.iter().all(|&i| fit.scores[i].is_nan()));
    // And the whole bootstrap of this design loses no replicate.
    let y = re78(&d);
    let start = full.coefficient_vector();
    let data = BootstrapData {
        covariates: x.view(),
        covariate_names: &names,
        treat: &d.treat,
        strata: None,
        outcomes: y.view(),
        sample: None,
        model: PsModel::Logit,
        start: Some(&start),
    };
    let methods = [
        MethodSpec::Matching {
            spec: MatchingSpec::ridge(Kernel::Epan, 0.02),
            exact: false,
        },
        MethodSpec::Ipw,
    ];
    let result = bootstrap(&data, &methods, 100, 3).unwrap();
    assert_eq!(result.failed, [0, 0]);
}
