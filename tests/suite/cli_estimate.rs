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
    // A table without treated persons fails.
    let no_treated = write_csv("t,x,y\n0,1,2\n0,2,3\n0,3,1\n");
    let (code, _, stderr) = estimate_csv(&no_treated);
    assert_eq!(code, 2, "{stderr}");
}

/// Rows with a missing value in a variable the estimate uses are dropped, as kmatch's
/// `marksample`/`markout` does: the result equals the estimate on the table without those rows,
/// and their number is reported. A missing value in a column the estimate does not use keeps
/// the row.
#[test]
fn rows_with_missing_values_are_dropped_and_counted() {
    let text = std::fs::read_to_string(DATA).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<String> = lines[0]
        .split(',')
        .map(|h| h.trim_matches('"').to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let blank = |line: &mut String, c: usize| {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[c] = "";
        *line = cells.join(",");
    };
    // Data rows 3 (a covariate), 10 (the outcome) and 500 (the treatment) lose a value the
    // estimate uses; row 20 loses one it does not use.
    blank(&mut lines[3], col("educ"));
    blank(&mut lines[10], col("re78"));
    blank(&mut lines[500], col("treat"));
    blank(&mut lines[20], col("re74"));
    let with_missing = write_csv(&(lines.join("\n") + "\n"));
    let complete: Vec<&String> = (lines.iter().enumerate())
        .filter(|(i, _)| ![3, 10, 500].contains(i))
        .map(|(_, l)| l)
        .collect();
    let without = write_csv(
        &(complete
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"),
    );
    let run = |file: &tempfile::NamedTempFile| {
        estimate(&[
            "--data",
            file.path().to_str().unwrap(),
            "--treatment",
            "treat",
            "--covariates",
            "age,educ,black,hispan,married,nodegree,re75",
            "--outcomes",
            "re78",
        ])
    };
    let (code, stdout, stderr) = run(&with_missing);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("3 rækker udeladt"), "{stderr}");
    let mut json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["n_dropped_missing"], 3);
    assert_eq!(json["n"], 611);
    let (code, stdout, stderr) = run(&without);
    assert_eq!(code, 0, "{stderr}");
    let reference: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(reference["n_dropped_missing"], 0);
    json["n_dropped_missing"] = 0.into();
    assert_eq!(json, reference);
}
