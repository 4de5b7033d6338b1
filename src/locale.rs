//! Danish number, percentage and date formatting for the report text.
//!
//! Pure functions without dependencies. The conventions follow Danish typography as used by
//! Danmarks Statistik:
//!
//! * decimal comma and thousands dot: `1.234.567,9`;
//! * negative numbers use the real minus sign U+2212 (`−3,4`), never the hyphen;
//! * a value that rounds to zero is printed without sign (`0,0`, never `−0,0`);
//! * values that are not available (NaN, ±∞, a relative effect against a zero level, an
//!   invalid date) are printed as an en dash `–` (U+2013), the usual "not available" mark in
//!   Danish tables.
//!
//! # Rounding
//!
//! All functions round **half away from zero on the decimal value**: the number is first
//! written as the shortest decimal string that converts back to the same `f64` (what Rust's
//! `{}` / `{:e}` formatting prints, e.g. `2.675`, `0.05`), and that digit string is then
//! rounded by decimal arithmetic, with exact shifts by powers of ten for percentages.
//! So the result is what a reader who sees the printed number would expect:
//!
//! | value | decimals | result | note |
//! |---|---|---|---|
//! | `0.05` | 1 | `0,1` | |
//! | `2.675` | 2 | `2,68` | `format!("{:.2}", 2.675)` gives `2.67`, because the binary value is 2.67499999… |
//! | `-0.04` | 1 | `0,0` | no `−0,0` |
//! | `-0.05` | 1 | `−0,1` | half away from zero |
//! | `1234567.891` | 1 | `1.234.567,9` | |
//! | `pct(0.0285, 1)` | | `2,9 pct.` | `0.0285 * 100.0` is `2.8499999999999996` in binary; the shift is done on the digits |
//!
//! A value that lands just below the half (the `f64` right below 0.125 prints as
//! `0.12499999999999999`) rounds down, because that is its shortest decimal form.

/// The minus sign used for negative numbers (U+2212).
pub const MINUS: char = '\u{2212}';

/// The text printed for values that are not available (en dash, U+2013).
pub const IKKE_TILGAENGELIG: &str = "\u{2013}";

/// Rounds `|x| · 10^shift` half away from zero to `decimals` decimals, working on the shortest
/// round-trip decimal representation of `x`. Returns the integer digits (no leading zeros
/// except a single `0`) and exactly `decimals` fraction digits. `x` must be finite.
fn round_digits(x: f64, decimals: usize, shift: i32) -> (String, String) {
    debug_assert!(x.is_finite());
    // `{:e}` prints the shortest digits that round-trip, e.g. "2.675e0", "5e-2", "0e0".
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci
        .split_once('e')
        .expect("`{:e}` always contains an exponent");
    let exp: i64 = exp.parse().expect("exponent of `{:e}` is an integer");
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // value = 0.d1 d2 d3 … × 10^point
    let point = exp + 1 + i64::from(shift);

    let mut int_digits: Vec<u8> = Vec::new();
    let mut frac_digits: Vec<u8> = Vec::new();
    if point <= 0 {
        frac_digits.extend(std::iter::repeat_n(0, point.unsigned_abs() as usize));
        frac_digits.extend_from_slice(&digits);
    } else {
        let point = point as usize;
        if point >= digits.len() {
            int_digits.extend_from_slice(&digits);
            int_digits.extend(std::iter::repeat_n(0, point - digits.len()));
        } else {
            int_digits.extend_from_slice(&digits[..point]);
            frac_digits.extend_from_slice(&digits[point..]);
        }
    }

    // Round the fraction to `decimals` digits, half away from zero (we work on |x|).
    let round_up = frac_digits.get(decimals).is_some_and(|&d| d >= 5);
    frac_digits.resize(decimals, 0);
    if round_up {
        let mut carry = true;
        for d in frac_digits
            .iter_mut()
            .rev()
            .chain(int_digits.iter_mut().rev())
        {
            if *d == 9 {
                *d = 0;
            } else {
                *d += 1;
                carry = false;
                break;
            }
        }
        if carry {
            int_digits.insert(0, 1);
        }
    }

    let first_nonzero = int_digits
        .iter()
        .position(|&d| d != 0)
        .unwrap_or(int_digits.len());
    let int_digits = &int_digits[first_nonzero..];
    let int_str: String = if int_digits.is_empty() {
        "0".to_owned()
    } else {
        int_digits.iter().map(|d| char::from(b'0' + d)).collect()
    };
    let frac_str: String = frac_digits.iter().map(|d| char::from(b'0' + d)).collect();
    (int_str, frac_str)
}

/// Inserts thousands dots into a string of ASCII digits: `"1234567"` → `"1.234.567"`.
fn group_thousands(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Shared formatter: sign handling, grouping and decimal comma.
fn format_scaled(x: f64, decimals: usize, shift: i32, plus_sign: bool) -> String {
    if !x.is_finite() {
        return IKKE_TILGAENGELIG.to_owned();
    }
    let (int_part, frac_part) = round_digits(x, decimals, shift);
    let is_zero = int_part == "0" && frac_part.bytes().all(|b| b == b'0');
    let mut out = String::new();
    if !is_zero {
        if x < 0.0 {
            out.push(MINUS);
        } else if plus_sign {
            out.push('+');
        }
    }
    out.push_str(&group_thousands(&int_part));
    if decimals > 0 {
        out.push(',');
        out.push_str(&frac_part);
    }
    out
}

/// Formats a number the Danish way with a fixed number of decimals.
///
/// Decimal comma, thousands dot, minus sign U+2212, rounding half away from zero on the
/// decimal value (see the [module documentation](self)). A result that rounds to zero has
/// no sign. NaN and ±∞ give `–` (not available).
///
/// ```
/// use effektrapport::locale::tal;
/// assert_eq!(tal(1234567.891, 1), "1.234.567,9");
/// assert_eq!(tal(-3.4, 1), "\u{2212}3,4");
/// assert_eq!(tal(2.675, 2), "2,68");
/// assert_eq!(tal(-0.04, 1), "0,0");
/// assert_eq!(tal(f64::NAN, 1), "\u{2013}");
/// ```
pub fn tal(x: f64, decimals: usize) -> String {
    format_scaled(x, decimals, 0, false)
}

/// Like [`tal`], but positive numbers get an explicit `+`. Zero (after rounding) has no sign.
///
/// Example: `tal_fortegn(3.44, 1)` is `"+3,4"`, `tal_fortegn(-3.44, 1)` is `"−3,4"`,
/// `tal_fortegn(0.01, 1)` is `"0,0"`.
pub fn tal_fortegn(x: f64, decimals: usize) -> String {
    format_scaled(x, decimals, 0, true)
}

/// Integer-like inputs accepted by [`heltal`]: all primitive integers, and `f64`/`f32`
/// (rounded half away from zero; NaN and ±∞ give `–`).
pub trait HeltalInput {
    /// Formats the value with thousands dots and no decimals.
    fn heltal_tekst(self) -> String;
}

macro_rules! heltal_for_ints {
    ($($t:ty),*) => {$(
        impl HeltalInput for $t {
            fn heltal_tekst(self) -> String {
                let n = self as i128;
                let grouped = group_thousands(&n.unsigned_abs().to_string());
                if n < 0 { format!("{MINUS}{grouped}") } else { grouped }
            }
        }
    )*};
}
heltal_for_ints!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl HeltalInput for f64 {
    fn heltal_tekst(self) -> String {
        tal(self, 0)
    }
}

impl HeltalInput for f32 {
    fn heltal_tekst(self) -> String {
        // Go through the shortest decimal form of the f32, not of its widened f64 value.
        let shortest: f64 = self.to_string().parse().unwrap_or(f64::NAN);
        if self.is_finite() {
            tal(shortest, 0)
        } else {
            IKKE_TILGAENGELIG.to_owned()
        }
    }
}

/// Formats a count or other whole number with thousands dots: `7367` → `"7.367"`.
///
/// Accepts every primitive integer type and `f64`/`f32` (rounded half away from zero, NaN
/// → `–`). Negative numbers get the minus sign U+2212.
///
/// ```
/// use effektrapport::locale::heltal;
/// assert_eq!(heltal(7367), "7.367");
/// assert_eq!(heltal(2229.4_f64), "2.229");
/// assert_eq!(heltal(-1_000_000_i64), "\u{2212}1.000.000");
/// ```
pub fn heltal<T: HeltalInput>(n: T) -> String {
    n.heltal_tekst()
}

/// Formats a share (0.125 = 12.5 %) as a Danish percentage: `pct(0.125, 1)` → `"12,5 pct."`.
///
/// The share is multiplied by 100 exactly on the decimal digits (so `pct(0.0285, 1)` is
/// `"2,9 pct."`), then formatted like [`tal`]. The unit is separated by an ordinary space.
/// NaN and ±∞ give just `–` without the unit.
pub fn pct(share: f64, decimals: usize) -> String {
    with_unit(format_scaled(share, decimals, 2, false), " pct.")
}

/// Like [`pct`] with an explicit `+` on positive values: `pct_fortegn(0.12, 0)` → `"+12 pct."`.
pub fn pct_fortegn(share: f64, decimals: usize) -> String {
    with_unit(format_scaled(share, decimals, 2, true), " pct.")
}

/// Formats a difference between two shares in percentage points, written out:
/// `pp(0.034, 1)` → `"3,4 procentpoint"`. Negative differences get `−`. NaN → `–`.
pub fn pp(diff: f64, decimals: usize) -> String {
    with_unit(format_scaled(diff, decimals, 2, false), " procentpoint")
}

/// Like [`pp`] with an explicit `+` on positive values: `pp_fortegn(0.034, 1)` →
/// `"+3,4 procentpoint"`.
pub fn pp_fortegn(diff: f64, decimals: usize) -> String {
    with_unit(format_scaled(diff, decimals, 2, true), " procentpoint")
}

/// Short form of [`pp`] for tables and parentheses: `pp_kort(0.034, 1)` → `"3,4 pct.-point"`.
///
/// `pct.-point` (with hyphen) is the abbreviation Danmarks Statistik uses.
pub fn pp_kort(diff: f64, decimals: usize) -> String {
    with_unit(format_scaled(diff, decimals, 2, false), " pct.-point")
}

/// Like [`pp_kort`] with an explicit `+` on positive values: `"+3,4 pct.-point"`.
pub fn pp_kort_fortegn(diff: f64, decimals: usize) -> String {
    with_unit(format_scaled(diff, decimals, 2, true), " pct.-point")
}

fn with_unit(number: String, unit: &str) -> String {
    if number == IKKE_TILGAENGELIG {
        number
    } else {
        number + unit
    }
}

/// Significance stars for a p-value, using the report's convention:
///
/// | p | mark |
/// |---|---|
/// | p < 0.001 | `***` |
/// | p < 0.01 | `**` |
/// | p < 0.05 | `*` |
/// | p < 0.10 | `#` |
/// | otherwise, NaN, or negative | `""` |
///
/// The thresholds are strict (`p = 0.05` gets `#`). Note that `#` and `*` are markup
/// characters: text containing them must go through the Markdown/Typst escaping.
///
/// ```
/// use effektrapport::locale::stjerner;
/// assert_eq!(stjerner(0.0004), "***");
/// assert_eq!(stjerner(0.07), "#");
/// assert_eq!(stjerner(f64::NAN), "");
/// ```
pub fn stjerner(p: f64) -> &'static str {
    if p.is_nan() || p < 0.0 {
        ""
    } else if p < 0.001 {
        "***"
    } else if p < 0.01 {
        "**"
    } else if p < 0.05 {
        "*"
    } else if p < 0.10 {
        "#"
    } else {
        ""
    }
}

const MAANEDER: [&str; 12] = [
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
    "december",
];

/// The Danish name of month 1–12 (lower case, as Danish writes it): `maaned_navn(3)` →
/// `Some("marts")`; `None` outside 1–12.
pub fn maaned_navn(month: u32) -> Option<&'static str> {
    MAANEDER
        .get(usize::try_from(month).ok()?.checked_sub(1)?)
        .copied()
}

/// Month and year: `maaned(2019, 1)` → `"januar 2019"`.
///
/// The year is printed without thousands dot. An invalid month gives `–` (not available).
pub fn maaned(year: i32, month: u32) -> String {
    match maaned_navn(month) {
        Some(navn) => format!("{navn} {}", aar(year)),
        None => IKKE_TILGAENGELIG.to_owned(),
    }
}

/// A date in Danish long form: `dato(2019, 3, 3)` → `"3. marts 2019"`.
///
/// The day must exist in that month of the proleptic Gregorian calendar (29 February only in
/// leap years); otherwise the result is `–` (not available).
///
/// ```
/// use effektrapport::locale::dato;
/// assert_eq!(dato(2019, 3, 3), "3. marts 2019");
/// assert_eq!(dato(2019, 2, 29), "\u{2013}");
/// ```
pub fn dato(year: i32, month: u32, day: u32) -> String {
    let Some(navn) = maaned_navn(month) else {
        return IKKE_TILGAENGELIG.to_owned();
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > days_in_month {
        return IKKE_TILGAENGELIG.to_owned();
    }
    format!("{day}. {navn} {}", aar(year))
}

fn aar(year: i32) -> String {
    if year < 0 {
        format!("{MINUS}{}", year.unsigned_abs())
    } else {
        year.to_string()
    }
}

/// The relative effect `est / control_level` (e.g. an effect of 0.03 on a control level of
/// 0.25 is 0.12, i.e. 12 pct.).
///
/// `None` when the level is zero or not finite, or the estimate is not finite.
pub fn rel_effekt(est: f64, control_level: f64) -> Option<f64> {
    if control_level == 0.0 || !control_level.is_finite() || !est.is_finite() {
        return None;
    }
    let rel = est / control_level;
    rel.is_finite().then_some(rel)
}

/// The relative effect in the tables' angle-bracket style, with sign and no decimals:
/// `rel_tekst(0.03, 0.25)` → `"<+12 pct.>"`, `rel_tekst(-0.01, 0.25)` → `"<−4 pct.>"`.
///
/// The angle brackets are part of the text (the effect cells read estimate, (SE),
/// [control level], `<relative effect>`). A relative effect that rounds to 0 is `"<0 pct.>"`.
/// When [`rel_effekt`] is `None` the result is `–` without brackets.
///
/// ```
/// use effektrapport::locale::rel_tekst;
/// assert_eq!(rel_tekst(0.03, 0.25), "<+12 pct.>");
/// assert_eq!(rel_tekst(0.03, 0.0), "\u{2013}");
/// ```
pub fn rel_tekst(est: f64, control_level: f64) -> String {
    match rel_effekt(est, control_level) {
        Some(rel) => rel_pct(rel, 0),
        None => IKKE_TILGAENGELIG.to_owned(),
    }
}

/// A relative effect already computed as a share (see [`rel_effekt`]) in the angle-bracket
/// style with sign: `rel_pct(0.1234, 2)` → `"<+12,34 pct.>"`. NaN/±∞ give `–`.
pub fn rel_pct(rel: f64, decimals: usize) -> String {
    if !rel.is_finite() {
        return IKKE_TILGAENGELIG.to_owned();
    }
    format!("<{}>", pct_fortegn(rel, decimals))
}
