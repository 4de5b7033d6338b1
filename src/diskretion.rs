//! Disclosure control: no published number may rest on 1–4 persons (DST's rule is 3; we use the
//! stricter 5 by default, `analyse.diskretion`). A hidden cell must not be recoverable from a
//! published total, so when one part of a split is hidden, its complement is hidden too.

/// One suppressed cell, as the output-control log (`build/diskretion.json`) lists it for the
/// reviewer at Statistics Denmark. The log holds the counts behind each hidden cell and stays on
/// the research server; `resultater.json` lists only which cells are hidden.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Suppressed {
    /// The cell: its results key (`tabel_2_1.kerteminde.kvinder`) or figure point
    /// (`figur_2_4.maend.maaned_-3`).
    pub celle: String,
    /// Why: `primær` (the cell, or the persons with or without the trait in it, are 1 to
    /// threshold − 1) or `sekundær` (it would give a hidden cell by subtraction).
    pub regel: String,
    /// The persons the cell rests on.
    pub personer: usize,
    /// Of those, the persons with the trait, where the cell is a share of persons.
    pub med: Option<usize>,
}

impl Suppressed {
    /// A cell hidden because it rests on too few persons (or too few with or without the trait).
    pub fn primary(cell: impl Into<String>, persons: usize, with: Option<usize>) -> Suppressed {
        Suppressed {
            celle: cell.into(),
            regel: "primær".into(),
            personer: persons,
            med: with,
        }
    }

    /// A mean of `values` (one per person) hidden under [`mean_publishable`], with its persons
    /// and, for a share of persons, those with the trait.
    pub fn mean(cell: impl Into<String>, values: &[f64]) -> Suppressed {
        let binary = values.iter().all(|&v| v == 0.0 || v == 1.0);
        let with = binary.then(|| values.iter().filter(|&&v| v == 1.0).count());
        Suppressed::primary(cell, values.len(), with)
    }

    /// A cell hidden because it would give a hidden cell by subtraction.
    pub fn secondary(cell: impl Into<String>, persons: usize) -> Suppressed {
        Suppressed {
            celle: cell.into(),
            regel: "sekundær".into(),
            personer: persons,
            med: None,
        }
    }
}

/// The output-control log as written to `diskretion.json`: the threshold and every hidden cell
/// with its rule and counts.
pub fn log_json(threshold: usize, cells: &[Suppressed]) -> anyhow::Result<String> {
    #[derive(serde::Serialize)]
    struct Log<'a> {
        taerskel: usize,
        antal_skjulte_celler: usize,
        skjulte_celler: &'a [Suppressed],
    }
    Ok(serde_json::to_string_pretty(&Log {
        taerskel: threshold,
        antal_skjulte_celler: cells.len(),
        skjulte_celler: cells,
    })?)
}

/// A count as published: the number, or hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Shown.
    Shown(usize),
    /// Suppressed for discretion.
    Hidden,
}

/// Whether a count may be shown: 0 or at least `threshold`.
pub fn publishable(count: usize, threshold: usize) -> bool {
    count == 0 || count >= threshold
}

/// A total split into two parts (e.g. women and men): a part with 1..threshold persons is
/// hidden, and then the other part too (it would reveal the hidden one as total − part).
pub fn split(parts: (usize, usize), threshold: usize) -> (Cell, Cell) {
    let (a, b) = parts;
    if publishable(a, threshold) && publishable(b, threshold) {
        (Cell::Shown(a), Cell::Shown(b))
    } else {
        (Cell::Hidden, Cell::Hidden)
    }
}

/// Whether a share of `persons` persons of whom `with` have the trait (e.g. live in Kerteminde)
/// may be shown: the denominator rests on at least `threshold` persons, and neither the numerator
/// nor its complement (`persons − with`) is 1 to `threshold − 1` persons.
pub fn share_publishable(with: usize, persons: usize, threshold: usize) -> bool {
    persons >= threshold
        && publishable(with, threshold)
        && publishable(persons - with.min(persons), threshold)
}

/// Whether the mean of `values` (one per person) may be shown: a share of persons (every value
/// 0 or 1) under [`share_publishable`], any other mean when it rests on at least `threshold`
/// persons.
pub fn mean_publishable(values: &[f64], threshold: usize) -> bool {
    if values.iter().all(|&v| v == 0.0 || v == 1.0) {
        let with = values.iter().filter(|&&v| v == 1.0).count();
        share_publishable(with, values.len(), threshold)
    } else {
        values.len() >= threshold
    }
}

/// Whether the total of a column may be shown when `hidden` of its cells are suppressed and the
/// hidden cells add up to `sums` (one sum per quantity, e.g. women and men): the total minus the
/// shown cells gives those sums, so it is shown when no cell is hidden, or when at least two are
/// and every sum may be published itself (secondary suppression).
pub fn total_shown(hidden: usize, sums: &[usize], threshold: usize) -> bool {
    hidden == 0 || (hidden >= 2 && sums.iter().all(|&s| publishable(s, threshold)))
}

/// A published number that breaks output control, as [`audit`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// The results key (or place) of the number.
    pub cell: String,
    /// What is wrong, in Danish.
    pub problem: String,
}

/// Checks every number that `results` publishes (the numbers of `resultater.json`, from which
/// every table, figure and sentence of the report is made) against output control at
/// `threshold`, from the counts the results themselves publish:
///
/// - counts (`antal.*`, the funnel, Tabel 2.1) are 0 or at least the threshold, and so is every
///   difference between two steps of the funnel (the persons a step removes);
/// - a mean or share rests on a published count of at least the threshold, and a share of
///   persons has neither its numerator nor its complement at 1 to threshold − 1 persons;
/// - Tabel 2.1's totals are hidden when exactly one cell of their column is;
/// - an effect estimate rests on at least the threshold of persons and of matched participants;
/// - a number whose key belongs to no known family has not been through this module: it is a
///   leak by definition, so a table that bypasses output control fails the audit.
///
/// Figure series are checked by the code that makes them (the months of the profile figures under
/// [`mean_publishable`]); they carry no counts of their own.
pub fn audit(results: &crate::results::Results, threshold: usize) -> Vec<Leak> {
    let mut leaks = Vec::new();
    let mut leak = |cell: &str, problem: String| {
        leaks.push(Leak {
            cell: cell.to_string(),
            problem,
        })
    };
    let small = |n: f64| n > 0.5 && n < threshold as f64 - 0.5;
    let tal = &results.tal;
    for (key, &value) in tal {
        let parts: Vec<&str> = key.split('.').collect();
        match parts.as_slice() {
            ["antal", _, _] | ["befolkning", _, _] | ["tabel_2_1", _, "alle" | "kvinder" | "maend"] => {
                if small(value) {
                    leak(key, format!("en optælling på {value} personer"));
                }
            }
            ["tabel_2_1", "kommuner"] => {}
            ["tabel_2_1", place, "uger"] => {
                let persons = tal.get(&format!("tabel_2_1.{place}.alle"));
                if persons.is_none_or(|&n| n < threshold as f64) {
                    leak(key, "et gennemsnit uden en offentliggjort optælling på mindst tærsklen".into());
                }
            }
            [prefix @ ("tabel_3_1" | "kontrol"), group, _] => {
                let count = if *prefix == "tabel_3_1" { "deltagere" } else { "kontrol" };
                match tal.get(&format!("antal.{group}.{count}")) {
                    Some(&n) => {
                        if let Some(problem) = mean_leak(value, n, threshold) {
                            leak(key, problem);
                        }
                    }
                    None => leak(key, "et gennemsnit uden en offentliggjort optælling".into()),
                }
            }
            ["balance", group, ..] => {
                if tal.get(&format!("antal.{group}.i_alt")).is_none_or(|&n| n < threshold as f64) {
                    leak(key, "et gennemsnit over en gruppe under tærsklen".into());
                }
            }
            [_, _, method, "baandbredde"] if method.starts_with('m') => {}
            _ => leak(key, "tallet hører ikke til nogen kendt familie og er ikke gået gennem diskretionskontrollen".into()),
        }
    }
    for (group, rows) in &results.balance {
        for row in rows {
            for (who, mean, count) in [
                ("deltagere", row.deltagere, "deltagere"),
                ("kontrol", row.kontrol, "kontrol"),
            ] {
                if !mean.is_finite() {
                    continue;
                }
                let n = tal
                    .get(&format!("antal.{group}.{count}"))
                    .copied()
                    .unwrap_or(0.0);
                if let Some(problem) = mean_leak(mean, n, threshold) {
                    leak(&format!("balance.{group}.{}.{who}", row.navn), problem);
                }
            }
        }
    }
    for pair in results.befolkning.windows(2) {
        for (who, before, after) in [
            ("deltagere", pair[0].treated, pair[1].treated),
            ("kontrol", pair[0].controls, pair[1].controls),
        ] {
            if small(before.abs_diff(after) as f64) {
                leak(
                    &format!("befolkning «{}» ({who})", pair[1].label),
                    format!("trinnet fjerner {} personer", before.abs_diff(after)),
                );
            }
        }
    }
    for column in ["alle", "kvinder", "maend"] {
        let hidden = (results.diskretion.iter())
            .filter(|k| k.starts_with("tabel_2_1.") && !k.contains("i_alt"))
            .filter(|k| k.ends_with(&format!(".{column}")))
            .count();
        let total = format!("tabel_2_1.i_alt.{column}");
        if hidden == 1 && tal.contains_key(&total) {
            leak(
                &total,
                "totalen giver den ene skjulte celle ved subtraktion".into(),
            );
        }
    }
    for (key, e) in &results.estimater {
        if e.n < threshold || e.n_behandlede < threshold {
            leak(
                key,
                format!(
                    "et estimat på {} personer, heraf {} matchede deltagere",
                    e.n, e.n_behandlede
                ),
            );
        }
    }
    leaks
}

/// Why a mean of `persons` persons may not be published, if it may not: too few persons, or (a
/// share of persons: `mean × persons` a whole number) too few with or without the trait.
fn mean_leak(mean: f64, persons: f64, threshold: usize) -> Option<String> {
    if persons < threshold as f64 {
        return Some(format!("et gennemsnit over {persons} personer"));
    }
    let with = mean * persons;
    let share = (0.0..=1.0).contains(&mean) && (with - with.round()).abs() < 1e-6;
    let (with, without) = (with.round() as usize, (persons - with).round() as usize);
    (share && !(publishable(with, threshold) && publishable(without, threshold))).then(|| {
        format!("en andel, der hviler på {with} personer med og {without} uden kendetegnet")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_and_their_complements_are_hidden() {
        // Tabel 2.1 of the published report hides both sexes in Kerteminde (8 persons).
        assert_eq!(split((6, 2), 5), (Cell::Hidden, Cell::Hidden));
        assert_eq!(split((40, 0), 5), (Cell::Shown(40), Cell::Shown(0)));
        assert_eq!(split((25, 25), 5), (Cell::Shown(25), Cell::Shown(25)));
        assert!(publishable(0, 5) && !publishable(4, 5) && publishable(5, 5));
    }

    #[test]
    fn a_share_of_persons_is_shown_when_neither_part_is_small() {
        // Kerteminde: 8 participants, 3 in IGU (37.5 %): 3 persons, and 5 not.
        assert!(!share_publishable(3, 8, 5));
        assert!(!share_publishable(6, 8, 5)); // the complement, 2 persons
        assert!(share_publishable(0, 8, 5) && share_publishable(8, 8, 5));
        assert!(share_publishable(5, 10, 5));
        assert!(!share_publishable(0, 4, 5)); // the denominator itself
        // Means: a share of persons by its parts, any other mean by its persons.
        assert!(!mean_publishable(&[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], 5));
        assert!(mean_publishable(&[0.5, 0.2, 0.0, 1.0, 0.3], 5));
        assert!(!mean_publishable(&[0.5, 0.2, 0.0, 1.0], 5));
    }

    #[test]
    fn a_total_that_would_reveal_hidden_cells_is_hidden() {
        // One hidden municipality: the total minus the others gives it.
        assert!(!total_shown(1, &[8], 5));
        // Two hidden, whose sums rest on enough persons: neither follows.
        assert!(total_shown(2, &[9, 12], 5));
        // Two hidden whose women together are 3: the total would publish those 3.
        assert!(!total_shown(2, &[3, 18], 5));
        assert!(total_shown(0, &[], 5));
    }
}
