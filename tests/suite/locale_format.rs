//! Tests for the Danish number, percentage and date formatting in `locale`.

use effektrapport::locale::*;

const M: char = '\u{2212}';

fn neg(s: &str) -> String {
    format!("{M}{s}")
}

#[test]
fn tal_basics() {
    assert_eq!(tal(0.0, 1), "0,0");
    assert_eq!(tal(3.4, 1), "3,4");
    assert_eq!(tal(-3.4, 1), neg("3,4"));
    assert_eq!(tal(1234.5, 1), "1.234,5");
    assert_eq!(tal(1234567.891, 1), "1.234.567,9");
    assert_eq!(tal(-1234567.891, 2), neg("1.234.567,89"));
    assert_eq!(tal(999.0, 0), "999");
    assert_eq!(tal(1000.0, 0), "1.000");
    assert_eq!(tal(12.0, 3), "12,000");
    assert_eq!(tal(0.001234, 4), "0,0012");
    assert_eq!(tal(1e20, 0), "100.000.000.000.000.000.000");
    assert_eq!(tal(1e-300, 2), "0,00");
    assert_eq!(tal(f64::MAX, 0).len(), 309 + 102); // 309 digits, 102 dots
}

#[test]
fn tal_rounding_edge_cases() {
    // Half away from zero on the shortest decimal representation.
    assert_eq!(tal(0.05, 1), "0,1");
    assert_eq!(tal(-0.05, 1), neg("0,1"));
    assert_eq!(tal(0.15, 1), "0,2");
    assert_eq!(tal(0.25, 1), "0,3"); // not banker's rounding
    assert_eq!(tal(2.675, 2), "2,68"); // binary value is 2.67499999…
    assert_eq!(tal(1.005, 2), "1,01");
    assert_eq!(tal(0.5, 0), "1");
    assert_eq!(tal(1.5, 0), "2");
    assert_eq!(tal(2.5, 0), "3");
    assert_eq!(tal(-2.5, 0), neg("3"));
    assert_eq!(tal(0.45, 0), "0"); // only the first dropped digit counts
    assert_eq!(tal(0.049999, 1), "0,0");
    assert_eq!(tal(9.95, 1), "10,0");
    assert_eq!(tal(999.95, 1), "1.000,0");
    assert_eq!(tal(999999.5, 0), "1.000.000");
    // A value just below the half, as arithmetic produces it, rounds down.
    let x = f64::from_bits(0.125_f64.to_bits() - 1); // prints as 0.12499999999999999
    assert_eq!(x.to_string(), "0.12499999999999999");
    assert_eq!(tal(x, 2), "0,12");
}

#[test]
fn no_negative_zero() {
    assert_eq!(tal(-0.04, 1), "0,0");
    assert_eq!(tal(-0.0, 1), "0,0");
    assert_eq!(tal(-0.0, 0), "0");
    assert_eq!(tal(-0.4, 0), "0");
    assert_eq!(tal(-1e-12, 3), "0,000");
    assert_eq!(tal_fortegn(-0.04, 1), "0,0");
    assert_eq!(tal_fortegn(0.04, 1), "0,0");
    assert_eq!(pct(-0.0004, 1), "0,0 pct.");
    assert_eq!(pp(-0.0004, 1), "0,0 procentpoint");
}

#[test]
fn not_available() {
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(tal(x, 1), "\u{2013}");
        assert_eq!(tal_fortegn(x, 1), "\u{2013}");
        assert_eq!(pct(x, 1), "\u{2013}");
        assert_eq!(pp(x, 1), "\u{2013}");
        assert_eq!(pp_kort(x, 1), "\u{2013}");
        assert_eq!(heltal(x), "\u{2013}");
    }
    assert_eq!(IKKE_TILGAENGELIG, "\u{2013}");
}

#[test]
fn heltal_all_inputs() {
    assert_eq!(heltal(7367), "7.367");
    assert_eq!(heltal(2229_i64), "2.229");
    assert_eq!(heltal(0_u8), "0");
    assert_eq!(heltal(999_usize), "999");
    assert_eq!(heltal(-1234_i32), neg("1.234"));
    assert_eq!(heltal(i64::MIN), neg("9.223.372.036.854.775.808"));
    assert_eq!(heltal(u64::MAX), "18.446.744.073.709.551.615");
    assert_eq!(heltal(7366.5_f64), "7.367");
    assert_eq!(heltal(-0.3_f64), "0");
    assert_eq!(heltal(2.5_f32), "3");
}

#[test]
fn signed() {
    assert_eq!(tal_fortegn(3.44, 1), "+3,4");
    assert_eq!(tal_fortegn(-3.44, 1), neg("3,4"));
    assert_eq!(tal_fortegn(1234.0, 0), "+1.234");
    assert_eq!(pct_fortegn(0.12, 0), "+12 pct.");
    assert_eq!(pp_fortegn(-0.034, 1), neg("3,4 procentpoint"));
    assert_eq!(pp_kort_fortegn(0.034, 1), "+3,4 pct.-point");
}

#[test]
fn percentages() {
    assert_eq!(pct(0.125, 1), "12,5 pct.");
    assert_eq!(pct(0.5, 0), "50 pct.");
    assert_eq!(pct(1.0, 0), "100 pct.");
    assert_eq!(pct(12.5, 0), "1.250 pct.");
    assert_eq!(pct(-0.034, 1), neg("3,4 pct."));
    // The ×100 is exact on the decimal digits: 0.0285 * 100.0 == 2.8499999999999996 in f64.
    assert_eq!(pct(0.0285, 1), "2,9 pct.");
    assert_eq!(pct(0.00125, 2), "0,13 pct.");
    assert_eq!(pp(0.034, 1), "3,4 procentpoint");
    assert_eq!(pp(-0.034, 1), neg("3,4 procentpoint"));
    assert_eq!(pp_kort(0.034, 1), "3,4 pct.-point");
    assert_eq!(pp(0.0005, 1), "0,1 procentpoint");
}

#[test]
fn stars() {
    assert_eq!(stjerner(0.0), "***");
    assert_eq!(stjerner(0.0009), "***");
    assert_eq!(stjerner(0.001), "**");
    assert_eq!(stjerner(0.0099), "**");
    assert_eq!(stjerner(0.01), "*");
    assert_eq!(stjerner(0.049), "*");
    assert_eq!(stjerner(0.05), "#");
    assert_eq!(stjerner(0.099), "#");
    assert_eq!(stjerner(0.10), "");
    assert_eq!(stjerner(0.5), "");
    assert_eq!(stjerner(1.0), "");
    assert_eq!(stjerner(f64::NAN), "");
    assert_eq!(stjerner(-0.01), "");
}

#[test]
fn months_and_dates() {
    assert_eq!(maaned(2019, 1), "januar 2019");
    assert_eq!(maaned(2024, 12), "december 2024");
    assert_eq!(maaned(2019, 0), "\u{2013}");
    assert_eq!(maaned(2019, 13), "\u{2013}");
    assert_eq!(dato(2019, 3, 3), "3. marts 2019");
    assert_eq!(dato(2020, 2, 29), "29. februar 2020");
    assert_eq!(dato(2019, 2, 29), "\u{2013}");
    assert_eq!(dato(1900, 2, 29), "\u{2013}");
    assert_eq!(dato(2000, 2, 29), "29. februar 2000");
    assert_eq!(dato(2019, 4, 31), "\u{2013}");
    assert_eq!(dato(2019, 5, 0), "\u{2013}");
    assert_eq!(dato(2019, 13, 1), "\u{2013}");
    let names: Vec<_> = (1..=12).map(|m| maaned_navn(m).unwrap()).collect();
    assert_eq!(
        names,
        [
            "januar",
            "februar",
            "marts",
            "april",
            "maj",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "december"
        ]
    );
    assert_eq!(maaned_navn(0), None);
    assert_eq!(maaned_navn(13), None);
}

#[test]
fn relative_effect() {
    assert_eq!(rel_effekt(0.03, 0.25), Some(0.12));
    assert_eq!(rel_effekt(0.03, 0.0), None);
    assert_eq!(rel_effekt(0.03, -0.0), None);
    assert_eq!(rel_effekt(0.03, f64::NAN), None);
    assert_eq!(rel_effekt(0.03, f64::INFINITY), None);
    assert_eq!(rel_effekt(f64::NAN, 0.25), None);
    assert_eq!(rel_effekt(1e300, 1e-300), None); // overflows to ∞
    assert_eq!(rel_tekst(0.03, 0.25), "<+12 pct.>");
    assert_eq!(rel_tekst(-0.01, 0.25), format!("<{M}4 pct.>"));
    assert_eq!(rel_tekst(0.001, 0.25), "<0 pct.>");
    assert_eq!(rel_tekst(-0.001, 0.25), "<0 pct.>");
    assert_eq!(rel_tekst(0.03, 0.0), "\u{2013}");
    assert_eq!(rel_pct(0.1234, 2), "<+12,34 pct.>");
    assert_eq!(rel_pct(-0.125, 1), format!("<{M}12,5 pct.>"));
    assert_eq!(rel_pct(f64::NAN, 1), "\u{2013}");
}

/// Every output uses the real minus sign, never a hyphen.
#[test]
fn never_a_hyphen_minus() {
    for x in [-0.5, -3.4, -1234.5, -1e9, -0.05] {
        for d in 0..4 {
            for s in [
                tal(x, d),
                tal_fortegn(x, d),
                pct(x, d),
                pp(x, d),
                pp_kort(x, d),
            ] {
                assert!(!s.contains('-') || s.contains("pct.-point"), "{s}");
            }
        }
    }
}
