//! Output control of a comparison: two vintages each passed output control, but the difference
//! of a count between them is itself a count of persons (those who came or went). A count that
//! changed by 1 to threshold − 1 persons is therefore left out of `diff.json` and `diff.pdf`
//! (old, new and difference, printed "–"), in the number tables and in the changed sentences
//! that print it, and listed with the size of the change in `diff.diskretion.json` for the
//! reviewer.

use super::{Build, Diff};
use crate::diskretion::{self, Suppressed};
use crate::locale;

/// The threshold of a comparison: the stricter of the two builds' (`proveniens.diskretion`; a
/// build from before it was recorded counts with the project's default).
pub fn threshold(old: &Build, new: &Build) -> usize {
    [old, new]
        .iter()
        .map(|b| {
            (b.proveniens.get("diskretion"))
                .and_then(|v| v.as_u64())
                .map_or_else(crate::config::default_discretion, |t| t as usize)
        })
        .max()
        .unwrap_or_else(crate::config::default_discretion)
}

/// Hides in `diff` every count (of `tal`, and the persons behind each estimate) that changed by
/// 1 to threshold − 1 persons (`diff.diskretion`), and the old and new count in the changed sentences that print
/// both; returns the log of what it hid.
pub fn apply(diff: &mut Diff) -> Vec<Suppressed> {
    let threshold = diff.diskretion;
    let small = |a: u64, b: u64| (1..threshold as u64).contains(&a.abs_diff(b));
    let mut log = Vec::new();
    let mut pairs: Vec<(u64, u64)> = Vec::new();
    let mut hidden = |cell: String, a: u64, b: u64| {
        log.push(Suppressed {
            celle: cell,
            regel: "forskel".into(),
            personer: a.abs_diff(b) as usize,
            med: None,
        });
        pairs.push((a, b));
    };
    for n in &mut diff.tal {
        if let (true, Some(a), Some(b)) = (diskretion::is_count(&n.noegle), n.gammel, n.ny) {
            let (a, b) = (a.round() as u64, b.round() as u64);
            if small(a, b) {
                hidden(n.noegle.clone(), a, b);
                n.hide();
            }
        }
    }
    for e in &mut diff.estimater {
        for (field, c) in [("n", &mut e.n), ("n_behandlede", &mut e.n_behandlede)] {
            if let (Some(a), Some(b)) = (c.gammel, c.ny)
                && small(a, b)
            {
                hidden(format!("{}.{field}", e.noegle), a, b);
                c.hide();
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    for sentence in &mut diff.saetninger {
        for &(a, b) in &pairs {
            let (a, b) = (locale::heltal(a as i64), locale::heltal(b as i64));
            let prints = |text: &Option<String>, n: &str| {
                text.as_deref()
                    .is_some_and(|t| t.split_whitespace().any(|w| word_number(w) == n))
            };
            if prints(&sentence.gammel, &a) && prints(&sentence.ny, &b) {
                for text in [&mut sentence.gammel, &mut sentence.ny]
                    .into_iter()
                    .flatten()
                {
                    *text = mask(text, &[&a, &b]);
                }
                for run in &mut sentence.ord {
                    run.tekst = mask(&run.tekst, &[&a, &b]);
                }
            }
        }
    }
    log
}

/// The number a word prints, without the punctuation around it (`(412),` → `412`).
fn word_number(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_ascii_digit())
}

/// `text` with every word that prints one of `numbers` shown as `[skjult]`.
fn mask(text: &str, numbers: &[&str]) -> String {
    (text.split(' '))
        .map(|w| {
            let n = word_number(w);
            if !n.is_empty() && numbers.contains(&n) {
                w.replacen(n, "[skjult]", 1)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_count_is_masked_with_its_punctuation_kept() {
        assert_eq!(
            mask(
                "I alt (412) deltagere, heraf 1.203 kontroller.",
                &["412", "1.203"]
            ),
            "I alt ([skjult]) deltagere, heraf [skjult] kontroller."
        );
        assert_eq!(mask("4125 og 412,5", &["412"]), "4125 og 412,5");
    }
}
