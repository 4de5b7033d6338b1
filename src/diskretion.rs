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
    /// and those with a non-zero value (for a share of persons: those with the trait).
    pub fn mean(cell: impl Into<String>, values: &[f64]) -> Suppressed {
        let basis = Basis::of(cell, values);
        Suppressed::primary(basis.celle, basis.personer, Some(basis.med))
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

/// The output-control log as written to `diskretion.json`: the threshold, every hidden cell with
/// its rule and counts, and (for the status notes) every published cell with the persons behind it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Log {
    /// The threshold used.
    pub taerskel: usize,
    /// How many cells are hidden.
    pub antal_skjulte_celler: usize,
    /// The hidden cells.
    pub skjulte_celler: Vec<Suppressed>,
    /// The published cells with their counts (status notes, whose audit reads them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offentliggjorte_celler: Vec<Basis>,
}

impl Log {
    /// A log of the `hidden` and `shown` cells at `threshold`.
    pub fn new(threshold: usize, hidden: Vec<Suppressed>, shown: Vec<Basis>) -> Log {
        Log {
            taerskel: threshold,
            antal_skjulte_celler: hidden.len(),
            skjulte_celler: hidden,
            offentliggjorte_celler: shown,
        }
    }

    /// The log as pretty JSON.
    pub fn to_json(&self) -> anyhow::Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

/// The output-control log of the hidden `cells` at `threshold`, as JSON.
pub fn log_json(threshold: usize, cells: &[Suppressed]) -> anyhow::Result<String> {
    Log::new(threshold, cells.to_vec(), Vec::new()).to_json()
}

/// What a published number is, as the log names it.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub enum Kind {
    /// A count of persons.
    #[serde(rename = "antal")]
    Count,
    /// A share of persons (one value 0 or 1 per person).
    #[serde(rename = "andel")]
    Share,
    /// Another mean, one value per person.
    #[serde(rename = "gennemsnit")]
    Mean,
}

/// What a published number rests on: its persons and, of those, the persons with the trait (a
/// share of persons) or with a non-zero value (any other mean), or the count itself.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Basis {
    /// The cell (its path in the output, e.g. `grupper.alle.maal.igu.1`).
    pub celle: String,
    /// What the number is.
    pub slags: Kind,
    /// The persons the number rests on.
    pub personer: usize,
    /// Of those, the persons with the trait or a non-zero value (a count: all of them).
    pub med: usize,
}

impl Basis {
    /// The basis of the mean of `values` (one per person): a share of persons when every value
    /// is 0 or 1.
    pub fn of(cell: impl Into<String>, values: &[f64]) -> Basis {
        let binary = values.iter().all(|&v| v == 0.0 || v == 1.0);
        Basis {
            celle: cell.into(),
            slags: if binary { Kind::Share } else { Kind::Mean },
            personer: values.len(),
            med: values.iter().filter(|&&v| v != 0.0).count(),
        }
    }

    /// The basis of a count of `persons` persons.
    pub fn count(cell: impl Into<String>, persons: usize) -> Basis {
        Basis {
            celle: cell.into(),
            slags: Kind::Count,
            personer: persons,
            med: persons,
        }
    }

    /// Why the number may not be published at `threshold`, if it may not: a count of 1 to
    /// threshold − 1; a mean over fewer persons than the threshold; a share whose persons with or
    /// without the trait are 1 to threshold − 1; another mean whose persons with a non-zero value
    /// are 1 to threshold − 1 (it would tell what those few have).
    pub fn problem(&self, threshold: usize) -> Option<String> {
        let (n, with) = (self.personer, self.med);
        match self.slags {
            Kind::Count => {
                (!publishable(n, threshold)).then(|| format!("en optælling på {n} personer"))
            }
            _ if n < threshold => Some(format!("et gennemsnit over {n} personer")),
            Kind::Share if !share_publishable(with, n, threshold) => Some(format!(
                "en andel, der hviler på {with} personer med og {} uden kendetegnet",
                n - with.min(n)
            )),
            Kind::Mean if !publishable(with, threshold) => Some(format!(
                "et gennemsnit, hvor {with} personer har en værdi forskellig fra 0"
            )),
            Kind::Share | Kind::Mean => None,
        }
    }
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
/// 0 or 1) under [`share_publishable`]; any other mean when it rests on at least `threshold`
/// persons, and the persons with a non-zero value are 0 or at least `threshold` (else the mean
/// tells what those few have: [`Basis::problem`]).
pub fn mean_publishable(values: &[f64], threshold: usize) -> bool {
    Basis::of("", values).problem(threshold).is_none()
}

/// Whether the total of a column may be shown when `hidden` of its cells are suppressed and the
/// hidden cells add up to `sums` (one sum per quantity, e.g. women and men): the total minus the
/// shown cells gives those sums, so it is shown when no cell is hidden, or when at least two are
/// and every sum may be published itself (secondary suppression).
pub fn total_shown(hidden: usize, sums: &[usize], threshold: usize) -> bool {
    hidden == 0 || (hidden >= 2 && sums.iter().all(|&s| publishable(s, threshold)))
}

/// Whether the number under `key` in `resultater.json` counts persons: `antal.*.*`, the
/// population funnel (`befolkning.*.*`) and Tabel 2.1's deliveries.
pub fn is_count(key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    matches!(
        parts.as_slice(),
        ["antal", _, _] | ["befolkning", _, _] | ["tabel_2_1", _, "alle" | "kvinder" | "maend"]
    )
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
            _ if is_count(key) => {
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

/// Every number in `value` with its path (`grupper.alle.maal.igu.1`); `null` (a hidden cell) is
/// not a number.
fn numbers_in(value: &serde_json::Value, path: &str, out: &mut Vec<(String, f64)>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        serde_json::Value::Number(n) => {
            out.push((path.to_string(), n.as_f64().unwrap_or(f64::NAN)))
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numbers_in(item, &join(&i.to_string()), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                numbers_in(item, &join(key), out);
            }
        }
        _ => {}
    }
}

/// Whether a status note's cell (a path in its JSON) describes the municipality's own
/// participants (not one sex, not all BOT): all BOT minus the other municipalities gives such a
/// cell, so it may not be hidden in exactly one note.
pub fn municipality_cell(cell: &str) -> bool {
    cell.starts_with("grupper.alle.")
        || (cell.starts_with("figurer.") && cell.contains(".kommune."))
}

/// Checks the status notes (each note's JSON as written, which holds every number its PDF
/// prints, with its output-control log) at `threshold`, from the counts in the logs:
///
/// - every number of a note has a published cell in its log, and the cell's persons pass
///   [`Basis::problem`] (a count is the count the log holds); a number without one has not been
///   through this module and is a leak by definition;
/// - the sexes: one sex shown alone holds all the municipality's participants, and a number
///   shown for one sex is shown for the other and for all (else one follows from the others);
/// - across the notes: a number of a municipality's own participants that exactly one note hides
///   (a note below the threshold hides all of them) would follow from all BOT minus the others.
pub fn audit_notes(notes: &[(String, serde_json::Value, Log)], threshold: usize) -> Vec<Leak> {
    let mut leaks = Vec::new();
    let mut leak = |cell: String, problem: String| leaks.push(Leak { cell, problem });
    for (name, note, log) in notes {
        if log.taerskel != threshold {
            leak(
                format!("{name}: loggen"),
                format!("tærsklen er {}, ikke {threshold}", log.taerskel),
            );
        }
        let mut numbers = Vec::new();
        numbers_in(note, "", &mut numbers);
        let shown: std::collections::BTreeMap<&str, &Basis> = (log.offentliggjorte_celler.iter())
            .map(|b| (b.celle.as_str(), b))
            .collect();
        for (path, value) in &numbers {
            let cell = format!("{name}: {path}");
            match shown.get(path.as_str()) {
                None => leak(
                    cell,
                    "tallet står ikke i loggen og er ikke gået gennem diskretionskontrollen".into(),
                ),
                Some(basis) => {
                    if let Some(problem) = basis.problem(threshold) {
                        leak(cell, problem);
                    } else if basis.slags == Kind::Count && *value != basis.personer as f64 {
                        leak(
                            cell,
                            format!("optællingen {value} er ikke loggens {}", basis.personer),
                        );
                    }
                }
            }
        }
        let has = |path: &str| numbers.iter().any(|(p, _)| p == path);
        let sexes: Vec<&str> = ["kvinder", "maend"]
            .into_iter()
            .filter(|s| has(&format!("grupper.{s}.antal")))
            .collect();
        if let [one] = sexes.as_slice()
            && note["grupper"][one]["antal"] != note["grupper"]["alle"]["antal"]
        {
            leak(
                format!("{name}: grupper.{one}.antal"),
                "det ene køn vises alene, så det andet følger af totalen".into(),
            );
        }
        if sexes.len() == 2 {
            for (path, _) in &numbers {
                let Some(rest) = ["grupper.kvinder.", "grupper.maend."]
                    .iter()
                    .find_map(|p| path.strip_prefix(p))
                else {
                    continue;
                };
                for group in ["alle", "kvinder", "maend"] {
                    if !has(&format!("grupper.{group}.{rest}")) {
                        leak(
                            format!("{name}: {path}"),
                            format!(
                                "tallet vises, men ikke for gruppen «{group}», som kan regnes ud af det"
                            ),
                        );
                    }
                }
            }
        }
    }
    // Across the notes: the municipality's own cells, hidden in how many notes.
    let mut hidden: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, note, log) in notes {
        let whole = note["grupper"].get("alle").is_none();
        let cells = (log.skjulte_celler.iter().map(|s| s.celle.as_str()))
            .chain(log.offentliggjorte_celler.iter().map(|b| b.celle.as_str()));
        for cell in cells.filter(|c| municipality_cell(c)) {
            hidden.entry(cell).or_default();
        }
        for s in &log.skjulte_celler {
            if municipality_cell(&s.celle) && !whole {
                *hidden.entry(s.celle.as_str()).or_default() += 1;
            }
        }
    }
    let hidden_whole = notes
        .iter()
        .filter(|(_, n, _)| n["grupper"].get("alle").is_none())
        .count();
    for (cell, count) in hidden {
        if count + hidden_whole == 1 {
            leak(cell.to_string(), "skjult i netop ét notat, så det følger af alle BOT-deltagere minus de andre kommuner".into());
        }
    }
    leaks
}

/// Why a mean of `persons` persons may not be published, if it may not: too few persons, or (a
/// share of persons: `mean × persons` a whole number) too few with or without the trait. The
/// results do not publish how many have a non-zero value of another mean; that part of the rule
/// is applied where the mean is made ([`mean_publishable`]).
fn mean_leak(mean: f64, persons: f64, threshold: usize) -> Option<String> {
    let with = mean * persons;
    let share = (0.0..=1.0).contains(&mean) && (with - with.round()).abs() < 1e-6;
    let n = persons.round() as usize;
    Basis {
        celle: String::new(),
        slags: if share { Kind::Share } else { Kind::Mean },
        personer: n,
        med: if share { with.round() as usize } else { n },
    }
    .problem(threshold)
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
        assert!(mean_publishable(&[0.5, 0.2, 0.1, 1.0, 0.3], 5));
        assert!(!mean_publishable(&[0.5, 0.2, 0.1, 1.0], 5));
        // Another mean: the persons with a non-zero value count as well (two of seven in work
        // would give away what those two earn).
        assert!(!mean_publishable(&[0.5, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0], 5));
        assert!(mean_publishable(&[0.0; 7], 5));
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
