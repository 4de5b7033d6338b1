//! Reference tests of the estimation core against independent R computations
//! on MatchIt's LaLonde data (tests/fixtures/lalonde.csv).
//!
//! Tool: R version 4.2.2 Patched (2022-11-10 r83330) -- "Innocent and Trusting", MatchIt 4.5.1 (Debian packages
//! `r-base-core`, `r-cran-matchit`). The values below were printed with
//! `sprintf("%.17g")` by, from the repository root:
//!
//! * `Rscript tests/reference/glm_pscore.R`: `stats::glm(treat ~ age + educ +
//!   black + hispan + married + nodegree + re74 + re75, family =
//!   binomial(link = "logit"|"probit"), control = glm.control(epsilon = 1e-14,
//!   maxit = 100))`; for probit the observed-information SEs (Stata's default)
//!   are computed at glm's estimate in the script. It also writes
//!   tests/fixtures/lalonde_ps.csv, the glm logit scores.
//! * `Rscript tests/reference/kmatch_formulas.R`: an independent O(n²) plain-R
//!   implementation of kmatch's formulas written from docs/spec/estimators.md,
//!   applied to those glm scores (the matching tests therefore use the same
//!   scores as input, isolating the formulas from the PS fit).
//!
//! ATT rows are [att, se, treated_mean, control_mean, n_treated_matched, n_controls_used].

// The constants are R's `%.17g` output, verbatim.
#![allow(clippy::excessive_precision)]

use crate::estimators_support::{Lalonde, assert_rel, lalonde};
use effektrapport::estimators::*;
use ndarray::Array2;

const LOGIT_COEF: [f64; 9] = [
    0.015777071017550652,
    0.16130687737426161,
    3.0653677409713502,
    0.98363362097006346,
    -0.83211327535008728,
    0.70729688138378444,
    -7.1776686438450703e-05,
    5.3446447071342819e-05,
    -4.72864933870411,
];
const LOGIT_SE: [f64; 9] = [
    0.013577050478194653,
    0.065126441258736179,
    0.28652619128084705,
    0.42566397581383625,
    0.29032915232578732,
    0.33766826837630715,
    2.8748039362752109e-05,
    4.6348840958412442e-05,
    1.0170692313006433,
];
const LOGIT_LOGLIK: f64 = -243.92196565524904;
const PROBIT_COEF: [f64; 9] = [
    0.0086470053729688634,
    0.092126327082051845,
    1.7753449913130113,
    0.52762514096568613,
    -0.47529566109769827,
    0.38232471880536689,
    -4.2309299855912369e-05,
    2.9791120584410055e-05,
    -2.6687769416286198,
];
const PROBIT_SE_OIM: [f64; 9] = [
    0.0077099642152653773,
    0.037920184723548328,
    0.15026167041152969,
    0.22775381889921251,
    0.16384478865641527,
    0.1936302838788628,
    1.5900035562140181e-05,
    2.664251804513453e-05,
    0.58153045593551367,
];
const PROBIT_LOGLIK: f64 = -243.06433465875091;
const PM_BANDWIDTH: f64 = 0.009993813339945647;
const PM_BANDWIDTH_EXACT_MARRIED: f64 = 0.025415298382005243;
const RIDGE_EPAN: [f64; 6] = [
    1784.2806468287636,
    873.00954573659715,
    6390.3046559322038,
    4606.0240091034402,
    177.0,
    399.0,
];
const KERNEL_EPAN: [f64; 6] = [
    1876.7426315851981,
    858.80836145357921,
    6390.3046559322038,
    4513.5620243470057,
    177.0,
    399.0,
];
const RIDGE_UNIFORM: [f64; 6] = [
    1697.2839562638983,
    878.72120421337172,
    6390.3046559322038,
    4693.0206996683055,
    177.0,
    399.0,
];
const KERNEL_UNIFORM: [f64; 6] = [
    1872.9849078575235,
    854.03041583366746,
    6390.3046559322038,
    4517.3197480746803,
    177.0,
    399.0,
];
const RIDGE_EPAN_EXACT_MARRIED: [f64; 6] = [
    1771.0057066329537,
    856.1817632914134,
    6436.9662064327485,
    4665.9604997997949,
    171.0,
    426.0,
];
const KERNEL_EPAN_EXACT_MARRIED: [f64; 6] = [
    1714.0900865617923,
    849.02620494401151,
    6436.9662064327485,
    4722.8761198709562,
    171.0,
    426.0,
];
const RIDGE_EPAN_H0_01: [f64; 6] = [
    1784.0420999290563,
    873.01949990987191,
    6390.3046559322038,
    4606.2625560031474,
    177.0,
    399.0,
];
const IPW: [f64; 6] = [
    1214.0712232929172,
    824.72358480429375,
    6349.1435302702703,
    5135.072306977353,
    185.0,
    429.0,
];
const BALANCE_RIDGE_EPAN_SDIF_BEFORE: [f64; 8] = [
    -0.24190362292609974,
    0.044755085110870861,
    1.6677188107185172,
    -0.27693959650629435,
    -0.71949196247290437,
    0.23504820466514967,
    -0.59575159100495034,
    -0.2870021087425329,
];
const BALANCE_RIDGE_EPAN_SDIF_AFTER: [f64; 8] = [
    0.035575996000681481,
    -0.080062311591159049,
    0.016255993757630427,
    0.01970623399262298,
    0.12894346102429532,
    0.065184275974882619,
    -0.085409949069279276,
    -0.039811000643108017,
];
const BALANCE_RIDGE_EPAN_VR_BEFORE: [f64; 8] = [
    0.43999546343506107,
    0.49589337142920908,
    0.82014142288741831,
    0.45991311006379637,
    0.61588814735267805,
    0.86156985809791942,
    0.51812848085617724,
    0.95629304538895032,
];
const BALANCE_RIDGE_EPAN_VR_AFTER: [f64; 8] = [
    0.45298282017152081,
    0.64019672258135529,
    0.97361062193067727,
    1.1012181227764977,
    1.3238185248477492,
    0.94924554169483066,
    1.054803550276012,
    1.7669382961641018,
];
const RIDGE_EPAN_P_VALUE_T613: f64 = 0.041397495365887202;
const RIDGE_EPAN_P_VALUE_NORMAL: f64 = 0.040970622042295492;
const CV_RIDGE_EPAN_BANDWIDTH: f64 = 0.0079117688941236376;
const CV_RIDGE_EPAN_GRID: [f64; 15] = [
    0.009993813339945647,
    0.014990720009918471,
    0.006662542226630431,
    0.0044416948177536204,
    0.0055521185221920257,
    0.0083281777832880394,
    0.0061073303744112288,
    0.0074953600049592357,
    0.0070789511157948338,
    0.0079117688941236376,
    0.0077035644495414366,
    0.0081199733387058385,
    0.0078076666718325371,
    0.008015871116414738,
    0.0078597177829780873,
];
const CV_RIDGE_EPAN_MISE: [f64; 15] = [
    4.6798356235617144e-05,
    4.742070146979561e-05,
    3.4171633493631944e-05,
    0.00023432096409043318,
    9.2934662206675293e-05,
    4.8322569166449651e-05,
    0.00010504641375777405,
    3.2592052331371118e-05,
    4.5747108730434068e-05,
    3.2332453761954221e-05,
    3.2467693908262616e-05,
    4.4705928373371301e-05,
    3.2375582139399979e-05,
    4.5104416706471643e-05,
    3.2363990866118846e-05,
];
const CV_KERNEL_EPAN_BANDWIDTH: f64 = 0.0078076666718325371;
const CV_KERNEL_EPAN_GRID: [f64; 15] = [
    0.009993813339945647,
    0.014990720009918471,
    0.006662542226630431,
    0.0044416948177536204,
    0.0055521185221920257,
    0.0083281777832880394,
    0.0061073303744112288,
    0.0074953600049592357,
    0.0070789511157948338,
    0.0079117688941236376,
    0.0077035644495414366,
    0.0078076666718325371,
    0.0077556155606869868,
    0.0078597177829780873,
    0.007781641116259762,
];
const CV_KERNEL_EPAN_MISE: [f64; 15] = [
    4.7955597318473313e-05,
    5.0966684658016465e-05,
    3.4371978717150869e-05,
    0.00023509467855349162,
    9.2817417743853604e-05,
    4.9381065178516617e-05,
    0.00010479859165280097,
    3.293365899047872e-05,
    4.6036215151120116e-05,
    3.2848225031260717e-05,
    3.2839353685086205e-05,
    3.2831697790528841e-05,
    3.2844473086676705e-05,
    3.285760545905993e-05,
    3.2839808042024705e-05,
];
const CV_RIDGE_EPAN_EXACT_MARRIED_BANDWIDTH: f64 = 0.064332474029450776;
const CV_RIDGE_EPAN_EXACT_MARRIED_MISE: [f64; 15] = [
    4.9955736357394106e-05,
    6.7517790640666307e-06,
    3.0408713233698834e-06,
    1.898953471346608e-06,
    2.5793258250403255e-06,
    2.3682276998247236e-06,
    4.9557233162609454e-07,
    1.4969497504337864e-06,
    1.3649594901196519e-07,
    2.1898658952790576e-07,
    2.415382411931234e-06,
    1.639024364894132e-07,
    2.1573368796593314e-06,
    1.5188463250785674e-07,
    2.137612245637839e-06,
];

/// Formula tests: relative error allowed between two double-precision
/// implementations with different summation order.
const FORMULA_TOL: f64 = 1e-9;
/// PS fit vs glm (glm's SEs use the weights of its last IRLS iteration).
const GLM_TOL: f64 = 1e-7;

/// glm logit scores written by glm_pscore.R.
fn glm_scores() -> Vec<f64> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lalonde_ps.csv");
    let path = if std::path::Path::new(path).exists() {
        path
    } else {
        "/work/main/tests/fixtures/lalonde_ps.csv"
    };
    let text = std::fs::read_to_string(path).expect("lalonde_ps.csv");
    text.lines().skip(1).map(|l| l.parse().unwrap()).collect()
}

fn outcome(d: &Lalonde) -> Array2<f64> {
    Array2::from_shape_vec((d.re78.len(), 1), d.re78.clone()).unwrap()
}

#[track_caller]
fn assert_att_row(d: &Lalonde, units: &Units, w: &Weighting, want: [f64; 6], what: &str) {
    let e = att_estimates(outcome(d).view(), units, w).unwrap()[0];
    assert_rel(e.att, want[0], FORMULA_TOL, &format!("{what} att"));
    assert_rel(e.se, want[1], FORMULA_TOL, &format!("{what} se"));
    assert_rel(
        e.treated_mean,
        want[2],
        FORMULA_TOL,
        &format!("{what} treated mean"),
    );
    assert_rel(
        e.control_mean,
        want[3],
        FORMULA_TOL,
        &format!("{what} control mean"),
    );
    assert_eq!(
        w.n_treated_matched as f64, want[4],
        "{what} matched treated"
    );
    assert_eq!(w.n_controls_used as f64, want[5], "{what} used controls");
}

fn matched(
    d: &Lalonde,
    scores: &[f64],
    strata: Option<&[u32]>,
    spec: MatchingSpec,
) -> (Weighting, [f64; 1]) {
    let units = Units::new(&d.treat, None, strata).unwrap();
    (
        kernel_match(scores, &units, &spec).unwrap(),
        [spec.bandwidth],
    )
}

#[test]
fn logit_matches_glm() {
    let d = lalonde();
    let fit = PsProblem::new(d.x.view(), &d.names, &d.treat, PsModel::Logit)
        .unwrap()
        .fit(None)
        .unwrap();
    assert!(fit.converged && fit.separation.is_empty());
    for (k, c) in fit.coefficients.iter().enumerate() {
        assert_rel(
            c.estimate,
            LOGIT_COEF[k],
            GLM_TOL,
            &format!("logit {}", c.name),
        );
        assert_rel(c.se, LOGIT_SE[k], GLM_TOL, &format!("logit se {}", c.name));
    }
    assert_eq!(fit.coefficients[8].name, "_cons");
    assert_rel(
        fit.log_likelihood,
        LOGIT_LOGLIK,
        1e-12,
        "logit log likelihood",
    );
    for (got, want) in fit.scores.iter().zip(glm_scores()) {
        assert_rel(*got, want, 1e-9, "logit score");
    }
}

#[test]
fn probit_matches_glm_with_observed_information_se() {
    let d = lalonde();
    let fit = PsProblem::new(d.x.view(), &d.names, &d.treat, PsModel::Probit)
        .unwrap()
        .fit(None)
        .unwrap();
    assert!(fit.converged);
    for (k, c) in fit.coefficients.iter().enumerate() {
        assert_rel(
            c.estimate,
            PROBIT_COEF[k],
            GLM_TOL,
            &format!("probit {}", c.name),
        );
        assert_rel(
            c.se,
            PROBIT_SE_OIM[k],
            GLM_TOL,
            &format!("probit se {}", c.name),
        );
    }
    // Our normal CDF (statrs erfc) and R's pnorm differ in the last digits.
    assert_rel(
        fit.log_likelihood,
        PROBIT_LOGLIK,
        1e-10,
        "probit log likelihood",
    );
}

#[test]
fn pm_bandwidth_pooled_and_within_strata() {
    let d = lalonde();
    let p = glm_scores();
    let units = Units::new(&d.treat, None, None).unwrap();
    assert_rel(pm_bandwidth(&p, &units).unwrap(), PM_BANDWIDTH, 1e-12, "pm");
    let exact = Units::new(&d.treat, None, Some(&d.married)).unwrap();
    assert_rel(
        pm_bandwidth(&p, &exact).unwrap(),
        PM_BANDWIDTH_EXACT_MARRIED,
        1e-12,
        "pm exact married",
    );
}

#[test]
fn kernel_and_ridge_att_with_analytic_se() {
    let d = lalonde();
    let p = glm_scores();
    let units = Units::new(&d.treat, None, None).unwrap();
    let cases = [
        (
            MatchingSpec::ridge(Kernel::Epan, PM_BANDWIDTH),
            RIDGE_EPAN,
            "ridge epan",
        ),
        (
            MatchingSpec::kernel(Kernel::Epan, PM_BANDWIDTH),
            KERNEL_EPAN,
            "kernel epan",
        ),
        (
            MatchingSpec::ridge(Kernel::Uniform, PM_BANDWIDTH),
            RIDGE_UNIFORM,
            "ridge uniform",
        ),
        (
            MatchingSpec::kernel(Kernel::Uniform, PM_BANDWIDTH),
            KERNEL_UNIFORM,
            "kernel uniform",
        ),
        (
            MatchingSpec::ridge(Kernel::Epan, 0.01),
            RIDGE_EPAN_H0_01,
            "ridge epan h=0.01",
        ),
    ];
    for (spec, want, what) in cases {
        let (w, _) = matched(&d, &p, None, spec);
        assert_att_row(&d, &units, &w, want, what);
    }
}

/// p-values: R `2 * pt(-abs(att / se), df = n - 1)` and `2 * pnorm(-abs(att / se))`.
#[test]
fn p_values_and_stars() {
    let (att, se) = (RIDGE_EPAN[0], RIDGE_EPAN[1]);
    let p = p_value_t(att, se, 613.0);
    assert_rel(p, RIDGE_EPAN_P_VALUE_T613, 1e-9, "t p-value");
    assert_rel(
        p_value_normal(att, se),
        RIDGE_EPAN_P_VALUE_NORMAL,
        1e-9,
        "normal p-value",
    );
    assert_eq!(stars(p), "*");
    let cases = [
        (0.0005, "***"),
        (0.005, "**"),
        (0.03, "*"),
        (0.07, "#"),
        (0.10, ""),
        (0.5, ""),
        (f64::NAN, ""),
    ];
    for (p, want) in cases {
        assert_eq!(stars(p), want, "stars({p})");
    }
}

#[test]
fn exact_matching_within_married_strata() {
    let d = lalonde();
    let p = glm_scores();
    let units = Units::new(&d.treat, None, Some(&d.married)).unwrap();
    let h = pm_bandwidth(&p, &units).unwrap();
    let (w, _) = matched(
        &d,
        &p,
        Some(&d.married),
        MatchingSpec::ridge(Kernel::Epan, h),
    );
    assert_att_row(&d, &units, &w, RIDGE_EPAN_EXACT_MARRIED, "ridge epan exact");
    let (w, _) = matched(
        &d,
        &p,
        Some(&d.married),
        MatchingSpec::kernel(Kernel::Epan, h),
    );
    assert_att_row(
        &d,
        &units,
        &w,
        KERNEL_EPAN_EXACT_MARRIED,
        "kernel epan exact",
    );
}

#[test]
fn ipw_att_with_analytic_se() {
    let d = lalonde();
    let p = glm_scores();
    let units = Units::new(&d.treat, None, None).unwrap();
    let w = ipw_weights(&p, &units).unwrap();
    assert_att_row(&d, &units, &w, IPW, "ipw");
}

#[test]
fn balance_after_ridge_matching() {
    let d = lalonde();
    let p = glm_scores();
    let units = Units::new(&d.treat, None, None).unwrap();
    let (w, _) = matched(
        &d,
        &p,
        None,
        MatchingSpec::ridge(Kernel::Epan, PM_BANDWIDTH),
    );
    let stats = balance(d.x.view(), &d.names, &units, &w).unwrap();
    for (k, s) in stats.iter().enumerate() {
        assert_rel(
            s.sdif_before,
            BALANCE_RIDGE_EPAN_SDIF_BEFORE[k],
            FORMULA_TOL,
            &format!("sdif before {}", s.name),
        );
        assert_rel(
            s.sdif_after,
            BALANCE_RIDGE_EPAN_SDIF_AFTER[k],
            FORMULA_TOL,
            &format!("sdif after {}", s.name),
        );
        assert_rel(
            s.vr_before,
            BALANCE_RIDGE_EPAN_VR_BEFORE[k],
            FORMULA_TOL,
            &format!("vr before {}", s.name),
        );
        assert_rel(
            s.vr_after,
            BALANCE_RIDGE_EPAN_VR_AFTER[k],
            FORMULA_TOL,
            &format!("vr after {}", s.name),
        );
    }
}

#[test]
fn cv_bandwidth_search() {
    let d = lalonde();
    let p = glm_scores();
    let units = Units::new(&d.treat, None, None).unwrap();
    let ridge = MatchingKind::Ridge {
        ridge: Kernel::Epan.default_ridge(),
    };
    let cases = [
        (
            ridge,
            CV_RIDGE_EPAN_GRID,
            CV_RIDGE_EPAN_MISE,
            CV_RIDGE_EPAN_BANDWIDTH,
            "ridge",
        ),
        (
            MatchingKind::Kernel,
            CV_KERNEL_EPAN_GRID,
            CV_KERNEL_EPAN_MISE,
            CV_KERNEL_EPAN_BANDWIDTH,
            "kernel",
        ),
    ];
    for (kind, grid, mise, h, what) in cases {
        let cv = cv_bandwidth(&p, &units, Kernel::Epan, kind).unwrap();
        for k in 0..15 {
            assert_rel(cv.grid[k], grid[k], 1e-12, &format!("cv {what} grid {k}"));
            assert_rel(
                cv.mise[k],
                mise[k],
                FORMULA_TOL,
                &format!("cv {what} mise {k}"),
            );
        }
        assert_rel(cv.bandwidth, h, 1e-12, &format!("cv {what} bandwidth"));
    }
    let exact = Units::new(&d.treat, None, Some(&d.married)).unwrap();
    let cv = cv_bandwidth(&p, &exact, Kernel::Epan, ridge).unwrap();
    for (k, want) in CV_RIDGE_EPAN_EXACT_MARRIED_MISE.iter().enumerate() {
        assert_rel(
            cv.mise[k],
            *want,
            FORMULA_TOL,
            &format!("cv exact mise {k}"),
        );
    }
    assert_rel(
        cv.bandwidth,
        CV_RIDGE_EPAN_EXACT_MARRIED_BANDWIDTH,
        1e-12,
        "cv exact bandwidth",
    );
}

/// End to end: our own logit fit, pm bandwidth and ridge matching. The scores
/// differ from glm's in the last digits, hence the looser tolerance.
#[test]
fn estimate_end_to_end_matches_r() {
    let d = lalonde();
    let req = EstimateRequest {
        covariates: d.x.clone(),
        covariate_names: d.names.clone(),
        treatment: d.treat.clone(),
        outcomes: outcome(&d),
        outcome_names: vec!["re78".into()],
        strata: None,
        exact_name: None,
        method: Method::Ridge,
        kernel: Kernel::Epan,
        bandwidth: BandwidthRule::Pm,
        pscore: PsModel::Logit,
        bootstrap: None,
        seed: 1,
    };
    let report = estimate(&req).unwrap();
    assert_rel(report.bandwidth.unwrap(), PM_BANDWIDTH, 1e-8, "bandwidth");
    let o = &report.outcomes[0];
    assert_rel(o.att, RIDGE_EPAN[0], 1e-7, "att");
    assert_rel(o.se, RIDGE_EPAN[1], 1e-7, "se");
    assert_eq!((o.n_treated_matched, o.n_controls_used), (177, 399));
    assert_eq!(
        (report.n, report.n_treated, report.n_controls),
        (614, 185, 429)
    );
    assert_rel(
        report.balance[2].sdif_after,
        BALANCE_RIDGE_EPAN_SDIF_AFTER[2],
        1e-6,
        "sdif after black",
    );
}
