//! `effektrapport estimate` as a user runs it: JSON on success, a clear message and exit status 2
//! for every bad argument.

use std::process::Command;

fn estimate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_effektrapport"))
        .arg("estimate")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DATA: &str = "tests/fixtures/lalonde.csv";
const COVARIATES: &str = "age,educ,black,hispan,married,nodegree,re74,re75";

#[test]
fn prints_the_documented_json() {
    let (code, stdout, stderr) = estimate(&[
        "--data",
        DATA,
        "--treatment",
        "treat",
        "--covariates",
        COVARIATES,
        "--outcomes",
        "re78",
        "--exact",
        "married",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["n"], 614);
    assert_eq!(json["n_treated"], 185);
    assert_eq!(json["exact"], "married");
    assert_eq!(json["outcomes"][0]["se_kind"], "analytic");
    assert!(json["balance"].as_array().unwrap().len() == 8);
}

/// `estimate` on a small table with treatment `t`, covariate `x` and outcome `y`.
fn estimate_csv(file: &tempfile::NamedTempFile) -> (i32, String, String) {
    let path = file.path().to_str().unwrap();
    estimate(&[
        "--data",
        path,
        "--treatment",
        "t",
        "--covariates",
        "x",
        "--outcomes",
        "y",
    ])
}

fn write_csv(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
    f
}

#[test]
fn bad_arguments_give_clear_errors_and_exit_2() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--data",
                DATA,
                "--treatment",
                "treat",
                "--covariates",
                "age,nope",
                "--outcomes",
                "re78",
            ],
            "nope",
        ),
        (
            vec![
                "--data",
                DATA,
                "--treatment",
                "age",
                "--covariates",
                "educ",
                "--outcomes",
                "re78",
            ],
            "0 eller 1",
        ),
        (
            vec![
                "--data",
                DATA,
                "--treatment",
                "treat",
                "--covariates",
                "age",
                "--outcomes",
                "re78",
                "--bandwidth",
                "abc",
            ],
            "--bandwidth",
        ),
        (
            vec![
                "--data",
                "tests/fixtures/findes-ikke.csv",
                "--treatment",
                "treat",
                "--covariates",
                "age",
                "--outcomes",
                "re78",
            ],
            "findes-ikke",
        ),
    ];
    for (args, needle) in cases {
        let (code, _, stderr) = estimate(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: message lacks «{needle}»: {stderr}"
        );
    }
    // A missing covariate value names its row and column; a table without treated persons fails.
    let missing = write_csv("t,x,y\n1,1,2\n0,,3\n0,2,1\n1,3,4\n");
    let (code, _, stderr) = estimate_csv(&missing);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("række 2") && stderr.contains("«x»"),
        "{stderr}"
    );
    let no_treated = write_csv("t,x,y\n0,1,2\n0,2,3\n0,3,1\n");
    let (code, _, stderr) = estimate_csv(&no_treated);
    assert_eq!(code, 2, "{stderr}");
}
