//! Shared helpers of the `estimators_*` tests: the LaLonde fixture and
//! relative-error assertions.
#![allow(dead_code)]

use ndarray::Array2;

/// The LaLonde data written by `tests/reference/lalonde_fixture.R`.
pub struct Lalonde {
    pub treat: Vec<bool>,
    /// age, educ, black, hispan, married, nodegree, re74, re75
    pub x: Array2<f64>,
    pub names: Vec<String>,
    pub re78: Vec<f64>,
    pub married: Vec<u32>,
}

pub const COVARIATES: [&str; 8] = [
    "age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75",
];

pub fn lalonde() -> Lalonde {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lalonde.csv");
    let path = if std::path::Path::new(path).exists() {
        path.to_string()
    } else {
        "/work/main/tests/fixtures/lalonde.csv".to_string()
    };
    let text = std::fs::read_to_string(path).expect("lalonde.csv");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim_matches('"').to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap()).collect())
        .collect();
    let n = rows.len();
    let x = Array2::from_shape_fn((n, COVARIATES.len()), |(i, j)| rows[i][col(COVARIATES[j])]);
    Lalonde {
        treat: rows.iter().map(|r| r[col("treat")] == 1.0).collect(),
        x,
        names: COVARIATES.iter().map(|s| s.to_string()).collect(),
        re78: rows.iter().map(|r| r[col("re78")]).collect(),
        married: rows.iter().map(|r| r[col("married")] as u32).collect(),
    }
}

/// Asserts |got − want| ≤ tol·|want| (or ≤ tol when want is 0).
#[track_caller]
pub fn assert_rel(got: f64, want: f64, tol: f64, what: &str) {
    let err = (got - want).abs() / want.abs().max(f64::MIN_POSITIVE);
    let ok = if want == 0.0 {
        got.abs() <= tol
    } else {
        err <= tol
    };
    assert!(
        ok,
        "{what}: got {got:.17e}, want {want:.17e}, rel. error {err:.3e} > {tol:e}"
    );
}
