//! Reference values on the report's synthetic registers: the analysis sample
//! in `tests/fixtures/synthetic.csv` (written by the ignored test
//! `export_synthetic_fixture` in `tests/estimators_synthetic.rs` from the
//! bundled synthetic registers, seed 2020), pinned against R:
//!
//! * PS fit: `Rscript tests/reference/synthetic_glm.R` (stats::glm, logit and
//!   probit, epsilon 1e-14; probit SEs from the observed information), which
//!   also writes the glm logit scores to `tests/fixtures/synthetic_ps.csv`;
//! * kmatch formulas: `Rscript tests/reference/kmatch_formulas.R synthetic`
//!   (the independent plain-R implementation) on those scores: pm bandwidths
//!   with and without exact matching on the municipality, ridge/kernel (epan,
//!   uniform) and IPW ATTs with analytic SEs for two outcomes, standardized
//!   differences and variance ratios after ridge matching with and without
//!   exact strata.
//!
//! R version and packages: tests/README.md.

// Reference values are pasted verbatim from R's 17-significant-digit output.
#![allow(clippy::excessive_precision)]

use crate::estimators_support::assert_rel;
use effektrapport::estimators::*;
use ndarray::Array2;

/// Relative error allowed between two double-precision implementations.
const FORMULA_TOL: f64 = 1e-9;
/// PS fit vs glm.
const GLM_TOL: f64 = 1e-7;

const LOGIT_COEF: [f64; 16] = [
    -0.069877387533083757,
    -0.044518493542843464,
    0.38858438676748475,
    0.17628032084515322,
    0.25282339839147361,
    -0.69890386068284682,
    0.45324503848046832,
    -0.36826813912228057,
    0.61497972121102928,
    0.43126744596388006,
    -0.89748347425285924,
    -2.3685055733760438,
    -0.08941630209305991,
    -0.008552854584870824,
    0.14579712760687846,
    1.8144010554307097,
];
const LOGIT_SE: [f64; 16] = [
    0.13880356161281696,
    0.0081415824170974881,
    0.14316220956862036,
    0.090190238251864702,
    0.086493126699484127,
    0.22476793285480104,
    0.19059492977012213,
    0.022161736149008349,
    0.14198643208994746,
    0.14696282239680816,
    0.28867509503869887,
    0.54183072624976225,
    0.50681981715569724,
    0.0030743398825910876,
    0.076618534636899036,
    0.37344576332265844,
];
const PROBIT_COEF: [f64; 16] = [
    -0.029333403108245601,
    -0.024730064670690208,
    0.21951487141056483,
    0.10530952211104433,
    0.13998725285684624,
    -0.38448040804776695,
    0.25422285789790444,
    -0.2131200672776094,
    0.3308329167075279,
    0.24022909746147456,
    -0.47493939332851554,
    -1.2966678327882564,
    -0.11522847046057463,
    -0.0044387262704220672,
    0.080064331341822628,
    1.0161303567835167,
];
const PROBIT_SE_OIM: [f64; 16] = [
    0.07937868725518446,
    0.0045965533541072372,
    0.081451217102628579,
    0.050860847844080084,
    0.049254667680611756,
    0.12477913787561051,
    0.10932395116257036,
    0.012295886312260425,
    0.080049074039181614,
    0.083181424653306746,
    0.15738824604857413,
    0.27916740839805715,
    0.28457309229750088,
    0.0016862727651602699,
    0.043811946575457672,
    0.2124430512238262,
];
const PM_BANDWIDTH: f64 = 0.0036197340090711192;
const PM_BANDWIDTH_EXACT_KOMMUNE: f64 = 0.050243082920602547;
/// Rows: att, se, treated mean, control mean, matched treated, used controls.
const BESKAEFTIGELSE_RIDGE_EPAN: [f64; 6] = [
    0.076442571428732897,
    0.020918775590593394,
    0.23882428571428571,
    0.16238171428555281,
    360.0,
    1153.0,
];
const BESKAEFTIGELSE_KERNEL_EPAN: [f64; 6] = [
    0.076978472954004035,
    0.020547042467191655,
    0.23882428571428571,
    0.16184581276028168,
    360.0,
    1153.0,
];
const BESKAEFTIGELSE_RIDGE_UNIFORM: [f64; 6] = [
    0.07489849928187034,
    0.020731153736965855,
    0.23882428571428571,
    0.16392578643241537,
    360.0,
    1153.0,
];
const BESKAEFTIGELSE_RIDGE_EPAN_EXACT_KOMMUNE: [f64; 6] = [
    0.082339352728007908,
    0.022463182535281737,
    0.24510902889245587,
    0.16276967616444796,
    356.0,
    1272.0,
];
const BESKAEFTIGELSE_KERNEL_EPAN_EXACT_KOMMUNE: [f64; 6] = [
    0.082023042796061429,
    0.022293870898903768,
    0.24510902889245587,
    0.16308598609639444,
    356.0,
    1272.0,
];
const BESKAEFTIGELSE_IPW: [f64; 6] = [
    0.078146711776594407,
    0.022069557829159179,
    0.24395665154950869,
    0.16580993977291428,
    378.0,
    1745.0,
];
const BESKAEFTIGELSE_M12_RIDGE_EPAN: [f64; 6] = [
    0.046781555558932986,
    0.013786754639886132,
    0.14516286324786323,
    0.098381307688930247,
    360.0,
    1153.0,
];
const BESKAEFTIGELSE_M12_KERNEL_EPAN: [f64; 6] = [
    0.04813781516667992,
    0.013469804612670251,
    0.14516286324786323,
    0.097025048081183313,
    360.0,
    1153.0,
];
const BESKAEFTIGELSE_M12_RIDGE_UNIFORM: [f64; 6] = [
    0.044470919721643867,
    0.013927117612773869,
    0.14516286324786323,
    0.10069194352621937,
    360.0,
    1153.0,
];
const BESKAEFTIGELSE_M12_RIDGE_EPAN_EXACT_KOMMUNE: [f64; 6] = [
    0.036550094857995041,
    0.015441164951447378,
    0.14865667675021607,
    0.11210658189222103,
    356.0,
    1272.0,
];
const BESKAEFTIGELSE_M12_KERNEL_EPAN_EXACT_KOMMUNE: [f64; 6] = [
    0.037067085535775091,
    0.014711592301986792,
    0.14865667675021607,
    0.11158959121444098,
    356.0,
    1272.0,
];
const BESKAEFTIGELSE_M12_IPW: [f64; 6] = [
    0.048317735776991708,
    0.013751512291858807,
    0.14584945054945056,
    0.097531714772458852,
    378.0,
    1745.0,
];
const BALANCE_RIDGE_EPAN_NONE_SDIF_BEFORE: [f64; 15] = [
    -0.0037627485933648904,
    -0.34309373795385945,
    0.099603821414330357,
    0.11443634937226092,
    0.17512621734022946,
    -0.13960718104287398,
    0.18456965125269789,
    -1.4095545842755854,
    0.2741460646376932,
    0.1467365114162632,
    -0.22046726687649776,
    -0.40628571060118779,
    -0.19625052910637308,
    -0.33005484440055838,
    0.059766535414697466,
];
const BALANCE_RIDGE_EPAN_NONE_SDIF_AFTER: [f64; 15] = [
    0.0054654613011011289,
    -0.022924446146786674,
    0.057456497174923397,
    -0.014075245991605031,
    0.10959824747042919,
    0.038495306240420198,
    0.029176367530046043,
    0.053588959312616452,
    0.044740900010509004,
    0.072806840111212481,
    -0.0083734938448017781,
    0.00087692693631264882,
    -0.010693954881198902,
    -0.028107818448702873,
    -0.023855666874965646,
];
const BALANCE_RIDGE_EPAN_NONE_VR_AFTER: [f64; 15] = [
    1.0026175440261462,
    1.1540978832029503,
    1.0341335459740786,
    0.97897295214845048,
    1.2190247172294408,
    1.1251254906712282,
    1.0518326092982504,
    0.49872265941616517,
    0.97817030518243042,
    0.94206649198730885,
    0.96443421634380166,
    1.3465274371443146,
    1.1325468143985609,
    1.0983146795439871,
    0.90583531606698064,
];
const BALANCE_RIDGE_EPAN_KOMMUNE_SDIF_BEFORE: [f64; 15] = [
    -0.0037627485933648904,
    -0.34309373795385945,
    0.099603821414330357,
    0.11443634937226092,
    0.17512621734022946,
    -0.13960718104287398,
    0.18456965125269789,
    -1.4095545842755854,
    0.2741460646376932,
    0.1467365114162632,
    -0.22046726687649776,
    -0.40628571060118779,
    -0.19625052910637308,
    -0.33005484440055838,
    0.059766535414697466,
];
const BALANCE_RIDGE_EPAN_KOMMUNE_SDIF_AFTER: [f64; 15] = [
    -0.072551844580033054,
    -0.1616907243354255,
    -0.0045256684480331046,
    0.07481745170224928,
    -0.01141506627946531,
    -0.0059406918322446219,
    -0.031976477284890233,
    0.055728531794830657,
    -0.027060146973528511,
    0.095705196099019313,
    0.0053810031701449611,
    0.0042111395459799887,
    -0.022591403430009354,
    0.0043807651750756623,
    0.079189373426477222,
];
const BALANCE_RIDGE_EPAN_KOMMUNE_VR_AFTER: [f64; 15] = [
    0.99994787977810828,
    0.99219485318913525,
    0.99993622781604496,
    1.1215433197802684,
    0.84345103438484215,
    0.98483431463520832,
    0.95472049420802796,
    0.47117301030899239,
    1.0184812400455496,
    0.93406856919517389,
    1.0289621272908258,
    1.3118281146931892,
    1.0330577209186116,
    1.2312220291092648,
    1.0684143717187322,
];

struct Synthetic {
    treat: Vec<bool>,
    kommune: Vec<u32>,
    x: Array2<f64>,
    names: Vec<String>,
    /// beskaeftigelse, beskaeftigelse_m12
    y: Array2<f64>,
    /// glm logit scores
    ps: Vec<f64>,
}

fn read(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn synthetic() -> Synthetic {
    let text = read("synthetic.csv");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap()).collect())
        .collect();
    let n = rows.len();
    assert_eq!(header.len(), 19);
    Synthetic {
        treat: rows.iter().map(|r| r[0] == 1.0).collect(),
        kommune: rows.iter().map(|r| r[1] as u32).collect(),
        x: Array2::from_shape_fn((n, 15), |(i, j)| rows[i][2 + j]),
        names: header[2..17].to_vec(),
        y: Array2::from_shape_fn((n, 2), |(i, j)| rows[i][17 + j]),
        ps: read("synthetic_ps.csv")
            .lines()
            .skip(1)
            .map(|l| l.parse().unwrap())
            .collect(),
    }
}

#[test]
fn logit_and_probit_match_glm() {
    let d = synthetic();
    for (model, coef, se) in [
        (PsModel::Logit, &LOGIT_COEF, &LOGIT_SE),
        (PsModel::Probit, &PROBIT_COEF, &PROBIT_SE_OIM),
    ] {
        let fit = PsProblem::new(d.x.view(), &d.names, &d.treat, model)
            .unwrap()
            .fit(None)
            .unwrap();
        assert!(fit.converged && fit.separation.is_empty());
        for (k, c) in fit.coefficients.iter().enumerate() {
            assert_rel(
                c.estimate,
                coef[k],
                GLM_TOL,
                &format!("{model:?} {}", c.name),
            );
            assert_rel(c.se, se[k], GLM_TOL, &format!("{model:?} se {}", c.name));
        }
        if model == PsModel::Logit {
            for (a, b) in fit.scores.iter().zip(&d.ps) {
                assert_rel(*a, *b, GLM_TOL, "score");
            }
        }
    }
}

#[test]
fn pm_bandwidths_with_and_without_exact_strata() {
    let d = synthetic();
    let pooled = Units::new(&d.treat, None, None).unwrap();
    let exact = Units::new(&d.treat, None, Some(&d.kommune)).unwrap();
    assert_rel(
        pm_bandwidth(&d.ps, &pooled).unwrap(),
        PM_BANDWIDTH,
        1e-12,
        "pm",
    );
    assert_rel(
        pm_bandwidth(&d.ps, &exact).unwrap(),
        PM_BANDWIDTH_EXACT_KOMMUNE,
        1e-12,
        "pm exact",
    );
}

#[track_caller]
fn check(d: &Synthetic, units: &Units, w: &Weighting, want: [&[f64; 6]; 2], what: &str) {
    let estimates = att_estimates(d.y.view(), units, w).unwrap();
    for (e, want) in estimates.iter().zip(want) {
        assert_rel(e.att, want[0], FORMULA_TOL, &format!("{what} att"));
        assert_rel(e.se, want[1], FORMULA_TOL, &format!("{what} se"));
        assert_rel(e.treated_mean, want[2], FORMULA_TOL, &format!("{what} y1"));
        assert_rel(e.control_mean, want[3], FORMULA_TOL, &format!("{what} y0"));
        assert_eq!(w.n_treated_matched as f64, want[4], "{what} matched");
        assert_eq!(w.n_controls_used as f64, want[5], "{what} used");
    }
}

#[test]
fn ridge_kernel_and_ipw_atts_with_and_without_exact_strata() {
    let d = synthetic();
    let pooled = Units::new(&d.treat, None, None).unwrap();
    let exact = Units::new(&d.treat, None, Some(&d.kommune)).unwrap();
    let h = PM_BANDWIDTH;
    let hk = PM_BANDWIDTH_EXACT_KOMMUNE;
    let cases = [
        (
            pooled,
            MatchingSpec::ridge(Kernel::Epan, h),
            [&BESKAEFTIGELSE_RIDGE_EPAN, &BESKAEFTIGELSE_M12_RIDGE_EPAN],
            "ridge epan",
        ),
        (
            pooled,
            MatchingSpec::kernel(Kernel::Epan, h),
            [&BESKAEFTIGELSE_KERNEL_EPAN, &BESKAEFTIGELSE_M12_KERNEL_EPAN],
            "kernel epan",
        ),
        (
            pooled,
            MatchingSpec::ridge(Kernel::Uniform, h),
            [
                &BESKAEFTIGELSE_RIDGE_UNIFORM,
                &BESKAEFTIGELSE_M12_RIDGE_UNIFORM,
            ],
            "ridge uniform",
        ),
        (
            exact,
            MatchingSpec::ridge(Kernel::Epan, hk),
            [
                &BESKAEFTIGELSE_RIDGE_EPAN_EXACT_KOMMUNE,
                &BESKAEFTIGELSE_M12_RIDGE_EPAN_EXACT_KOMMUNE,
            ],
            "ridge epan exact",
        ),
        (
            exact,
            MatchingSpec::kernel(Kernel::Epan, hk),
            [
                &BESKAEFTIGELSE_KERNEL_EPAN_EXACT_KOMMUNE,
                &BESKAEFTIGELSE_M12_KERNEL_EPAN_EXACT_KOMMUNE,
            ],
            "kernel epan exact",
        ),
    ];
    for (units, spec, want, what) in cases {
        let w = kernel_match(&d.ps, &units, &spec).unwrap();
        check(&d, &units, &w, want, what);
    }
    let w = ipw_weights(&d.ps, &pooled).unwrap();
    check(
        &d,
        &pooled,
        &w,
        [&BESKAEFTIGELSE_IPW, &BESKAEFTIGELSE_M12_IPW],
        "ipw",
    );
}

#[test]
fn standardized_differences_with_and_without_exact_strata() {
    let d = synthetic();
    for (strata, h, before, after, vr) in [
        (
            None,
            PM_BANDWIDTH,
            &BALANCE_RIDGE_EPAN_NONE_SDIF_BEFORE,
            &BALANCE_RIDGE_EPAN_NONE_SDIF_AFTER,
            &BALANCE_RIDGE_EPAN_NONE_VR_AFTER,
        ),
        (
            Some(&d.kommune[..]),
            PM_BANDWIDTH_EXACT_KOMMUNE,
            &BALANCE_RIDGE_EPAN_KOMMUNE_SDIF_BEFORE,
            &BALANCE_RIDGE_EPAN_KOMMUNE_SDIF_AFTER,
            &BALANCE_RIDGE_EPAN_KOMMUNE_VR_AFTER,
        ),
    ] {
        let units = Units::new(&d.treat, None, strata).unwrap();
        let w = kernel_match(&d.ps, &units, &MatchingSpec::ridge(Kernel::Epan, h)).unwrap();
        let stats = balance(d.x.view(), &d.names, &units, &w).unwrap();
        assert_eq!(stats.len(), 15);
        let what = if strata.is_some() { "exact" } else { "pooled" };
        for (k, s) in stats.iter().enumerate() {
            assert_rel(
                s.sdif_before,
                before[k],
                FORMULA_TOL,
                &format!("{what} sdif before {}", s.name),
            );
            assert_rel(
                s.sdif_after,
                after[k],
                FORMULA_TOL,
                &format!("{what} sdif after {}", s.name),
            );
            assert_rel(
                s.vr_after,
                vr[k],
                FORMULA_TOL,
                &format!("{what} vr after {}", s.name),
            );
        }
    }
}
