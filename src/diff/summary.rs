//! The short Danish summary printed in the terminal, and number formatting shared with the PDF.

use super::Diff;
use super::values::EstimateChange;
use crate::locale;
use std::fmt::Write;
use std::path::Path;

/// Estimates listed in the terminal (all are in diff.json and diff.pdf).
const MAX_ESTIMATES: usize = 8;
/// Changed sentences listed in the terminal.
const MAX_SENTENCES: usize = 3;
/// Longest sentence printed in the terminal (characters).
const MAX_SENTENCE_CHARS: usize = 220;

/// A number the Danish way with four significant digits (at most 12 decimals; smaller
/// magnitudes in scientific notation); `–` when missing.
pub fn number(x: Option<f64>) -> String {
    format_number(x, false)
}

/// Like [`number`] with an explicit sign (`+` / `−`), for differences.
pub fn difference(x: Option<f64>) -> String {
    format_number(x, true)
}

fn format_number(x: Option<f64>, signed: bool) -> String {
    let Some(x) = x.filter(|v| v.is_finite()) else {
        return locale::IKKE_TILGAENGELIG.to_string();
    };
    if x == 0.0 {
        return "0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if magnitude < -9 {
        let s = format!("{:.2e}", x.abs())
            .replace('.', ",")
            .replace('-', "\u{2212}");
        let sign = if x < 0.0 {
            "\u{2212}"
        } else if signed {
            "+"
        } else {
            ""
        };
        return format!("{sign}{s}");
    }
    let decimals = (3 - magnitude).clamp(0, 12) as usize;
    let text = if signed {
        locale::tal_fortegn(x, decimals)
    } else {
        locale::tal(x, decimals)
    };
    // Trailing zeros of the decimals say nothing here: 0,0624 rather than 0,06240.
    if text.contains(',') {
        text.trim_end_matches('0').trim_end_matches(',').to_string()
    } else {
        text
    }
}

/// Stars for display: `–` for none.
pub fn stars(s: &str) -> &str {
    if s.is_empty() { "–" } else { s }
}

/// What happened to an estimate's conclusion, in Danish (empty when only the numbers moved).
pub fn conclusion_notes(c: &EstimateChange) -> Vec<String> {
    let mut notes = Vec::new();
    if c.fortegn_skiftet {
        notes.push("fortegnsskift".to_string());
    }
    match c.stjerner.aendring {
        Some("vundet") => notes.push(format!(
            "stjerner vundet ({} → {})",
            stars(&c.stjerner.gammel),
            stars(&c.stjerner.ny)
        )),
        Some("mistet") => notes.push(format!(
            "stjerner mistet ({} → {})",
            stars(&c.stjerner.gammel),
            stars(&c.stjerner.ny)
        )),
        _ => {}
    }
    for direction in ["blev_signifikant", "ikke_laengere_signifikant"] {
        let levels: Vec<String> = c
            .signifikans
            .iter()
            .filter(|s| s.aendring == direction)
            .map(|s| locale::tal(s.niveau * 100.0, 0))
            .collect();
        if levels.is_empty() {
            continue;
        }
        let levels = format!("{} pct.-niveau", levels.join(" og "));
        notes.push(if direction == "blev_signifikant" {
            format!("nu signifikant på {levels}")
        } else {
            format!("ikke længere signifikant på {levels}")
        });
    }
    notes
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_SENTENCE_CHARS {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX_SENTENCE_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// The terminal summary: a few lines in Danish.
pub fn terminal(diff: &Diff, out: &Path) -> String {
    let c = &diff.opsummering;
    let mut s = String::new();
    let _ = writeln!(s, "effektrapport diff: {} → {}", diff.gammel, diff.ny);
    let differing: Vec<String> = diff
        .proveniens
        .felter
        .iter()
        .filter(|f| f.forskellig)
        .map(|f| {
            format!(
                "{} {} → {}",
                f.etiket,
                short_value(&f.gammel),
                short_value(&f.ny)
            )
        })
        .collect();
    if differing.is_empty() {
        let _ = writeln!(s, "Proveniens: ens");
    } else {
        let _ = writeln!(s, "Proveniens: {}", differing.join("; "));
    }
    for note in &diff.bemaerkninger {
        let _ = writeln!(s, "Bemærk: {note}");
    }
    if !diff.aendret {
        let _ = writeln!(
            s,
            "Ingen ændringer i tal, nøgler eller tekst (relativ tolerance {}).",
            number(Some(diff.tolerance))
        );
    } else {
        let _ = writeln!(
            s,
            "Estimater: {} ændret (stjerner: {} vundet, {} mistet; signifikans krydset: {}; fortegnsskift: {})",
            c.estimater_aendret,
            c.stjerner_vundet,
            c.stjerner_mistet,
            c.signifikans_krydset,
            c.fortegn_skiftet
        );
        let _ = writeln!(
            s,
            "Andre tal: {} ændret; tekster: {} ændret; nøgler: {} tilføjet, {} fjernet; advarsler: {} ændret",
            c.tal_aendret,
            c.tekster_aendret,
            c.noegler_tilfoejet,
            c.noegler_fjernet,
            c.advarsler_aendret
        );
        if diff.tekst_sammenlignet {
            let _ = writeln!(
                s,
                "Sætninger: {} ændret, {} tilføjet, {} fjernet ({} med konklusioner)",
                c.saetninger_aendret,
                c.saetninger_tilfoejet,
                c.saetninger_fjernet,
                c.konklusioner_aendret
            );
        }
        for e in diff.estimater.iter().take(MAX_ESTIMATES) {
            let notes = conclusion_notes(e);
            let _ = writeln!(
                s,
                "  {}: {}{} → {}{} ({}){}",
                e.noegle,
                number(e.est.gammel),
                e.stjerner.gammel,
                number(e.est.ny),
                e.stjerner.ny,
                difference(e.est.forskel),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("; {}", notes.join(", "))
                }
            );
        }
        if diff.estimater.len() > MAX_ESTIMATES {
            let _ = writeln!(
                s,
                "  … og {} estimater mere",
                diff.estimater.len() - MAX_ESTIMATES
            );
        }
        let keys = (diff.tilfoejet.iter().map(|k| (k, "tilføjet")))
            .chain(diff.fjernet.iter().map(|k| (k, "fjernet")));
        for (k, what) in keys.take(MAX_ESTIMATES) {
            let _ = writeln!(s, "  {} ({}): {what}", k.noegle, k.slags);
        }
        for sentence in diff.saetninger.iter().take(MAX_SENTENCES) {
            if let Some(old) = &sentence.gammel {
                let _ = writeln!(s, "  − {}", shorten(old));
            }
            if let Some(new) = &sentence.ny {
                let _ = writeln!(s, "  + {}", shorten(new));
            }
        }
        if diff.saetninger.len() > MAX_SENTENCES {
            let _ = writeln!(
                s,
                "  … og {} sætninger mere",
                diff.saetninger.len() - MAX_SENTENCES
            );
        }
    }
    let _ = writeln!(
        s,
        "Skrevet: {} og {}",
        out.join("diff.json").display(),
        out.join("diff.pdf").display()
    );
    s
}

/// A provenance value for one line: strings unquoted, long fingerprints cut to 12 characters.
pub fn short_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => locale::IKKE_TILGAENGELIG.to_string(),
        serde_json::Value::String(s)
            if s.len() > 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            format!("{}…", &s[..12])
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_four_significant_digits() {
        assert_eq!(number(Some(0.042354)), "0,04235");
        assert_eq!(number(Some(0.0624)), "0,0624");
        assert_eq!(number(Some(361.0)), "361");
        assert_eq!(number(Some(7367.0)), "7.367");
        assert_eq!(difference(Some(-0.0724)), "\u{2212}0,0724");
        assert_eq!(difference(Some(0.5)), "+0,5");
        assert_eq!(number(None), "–");
        assert_eq!(difference(Some(1e-12)), "+1,00e\u{2212}12");
    }
}
