//! The report's text (`rapport.txt`) as sentences, and the sentences that differ between two
//! builds, word by word.
//!
//! `rapport.txt` holds the text of each PDF page as the reader sees it: text runs joined by
//! spaces, pages separated by a form feed. [`normalize`] undoes what typesetting adds (page
//! numbers in the footer, hyphens at line breaks), [`sentences`] splits the running text into
//! sentences, and [`compare`] aligns the two sentence lists ([`align`], a longest common
//! subsequence) and diffs changed sentence pairs word by word.

use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Words that mark a conclusion: sentences containing one (case-insensitive, also inside
/// longer words such as "insignifikant" or "robuste") are listed first.
pub const CONCLUSION_WORDS: [&str; 4] = ["signifikant", "robust", "afhænger", "peger"];

/// Abbreviations after which a full stop does not end a sentence (lower case, without the
/// final full stop). "pct.", "osv." and "mv." often end a sentence and are not listed.
const ABBREVIATIONS: [&str; 20] = [
    "jf", "fx", "f.eks", "bl.a", "ca", "nr", "kap", "tab", "fig", "dvs", "evt", "inkl", "ekskl",
    "mht", "vedr", "pkt", "hhv", "iflg", "gns", "s",
];

/// Caption supplements of the report's tables and figures.
const CAPTION_WORDS: [&str; 4] = ["Tabel", "Figur", "Bilagstabel", "Bilagsfigur"];

/// Hunks larger than this (old × new sentences) are paired in order instead of by similarity.
const PAIRING_LIMIT: usize = 250_000;
/// Sequences larger than this (cells of the LCS table) are treated as entirely replaced.
const LCS_LIMIT: usize = 30_000_000;
/// Two sentences are paired as "the same sentence, changed" from this word similarity on.
const MIN_SIMILARITY: f64 = 0.4;

/// The running text of `rapport.txt`: whitespace collapsed, page numbers (a page's last token
/// when it is a number no larger than the page count) removed, words hyphenated at a line
/// break joined again (typst writes the hyphen as a separate soft hyphen U+00AD), and compound
/// words broken after their hyphen ("beija- flor") joined.
pub fn normalize(raw: &str) -> String {
    let pages: Vec<&str> = raw.split('\u{c}').collect();
    let count = pages.len();
    let mut words: Vec<&str> = Vec::new();
    for page in pages {
        let mut tokens: Vec<&str> = page.split_whitespace().collect();
        if count > 1
            && let Some(last) = tokens.last()
            && last.len() <= 5
            && last.bytes().all(|b| b.is_ascii_digit())
            && last.parse::<usize>().is_ok_and(|n| n <= count)
        {
            tokens.pop();
        }
        words.extend(tokens);
    }
    let mut out = String::new();
    let mut glue = false;
    for word in words {
        let clean: String = word.chars().filter(|&c| c != '\u{ad}').collect();
        if clean.is_empty() {
            // A soft hyphen of its own: the word continues after the line break.
            glue = !out.is_empty();
            continue;
        }
        if !out.is_empty() && !glue {
            let mut tail = out.chars().rev();
            let broken_compound =
                tail.next() == Some('-') && tail.next().is_some_and(char::is_alphabetic);
            let continues_lower = clean.chars().next().is_some_and(char::is_lowercase);
            if !(broken_compound && continues_lower) {
                out.push(' ');
            }
        }
        out.push_str(&clean);
        glue = false;
    }
    out
}

/// Splits running text into sentences: after `.`, `!` or `?` (and any closing bracket or
/// quote), a space and an upper-case letter (possibly after an opening bracket or quote) start a
/// new sentence, unless the full stop ends a known abbreviation ("jf.", "fx.", "nr.") or an
/// initial. A table or figure caption ("Tabel 4.1: …") also starts a sentence, so a table's
/// contents form one "sentence" up to the first full stop of its notes. Headings end up in the
/// sentence they precede; that is fine for a comparison.
pub fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' && starts_caption(&chars[i + 1..]) {
            push_sentence(&mut out, &chars[start..i]);
            start = i + 1;
            i += 1;
            continue;
        }
        if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], ')' | ']' | '"' | '”' | '’' | '»' | '\'')
            {
                j += 1;
            }
            if j < chars.len() && chars[j] == ' ' {
                let mut k = j + 1;
                while k < chars.len()
                    && matches!(chars[k], '(' | '[' | '"' | '“' | '„' | '«' | '»' | '\'')
                {
                    k += 1;
                }
                let next_upper = k < chars.len() && chars[k].is_uppercase();
                if next_upper && !(c == '.' && ends_with_abbreviation(&chars[start..i])) {
                    push_sentence(&mut out, &chars[start..j]);
                    start = j + 1;
                    i = j + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    push_sentence(&mut out, &chars[start.min(chars.len())..]);
    out
}

/// Whether the text starts with a table or figure caption ("Tabel 4.1: …", "Bilagsfigur 2.3: …"),
/// which starts a new sentence even without a full stop before it.
fn starts_caption(rest: &[char]) -> bool {
    let head: String = rest.iter().take(40).collect();
    let mut words = head.split(' ');
    let (Some(word), Some(number)) = (words.next(), words.next()) else {
        return false;
    };
    CAPTION_WORDS.contains(&word)
        && number.len() > 1
        && number.ends_with(':')
        && number[..number.len() - 1]
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn push_sentence(out: &mut Vec<String>, chars: &[char]) {
    let s: String = chars.iter().collect();
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
}

fn ends_with_abbreviation(before: &[char]) -> bool {
    let word_start = before.iter().rposition(|c| *c == ' ').map_or(0, |p| p + 1);
    let word: String = before[word_start..]
        .iter()
        .collect::<String>()
        .to_lowercase();
    let word = word.trim_start_matches(['(', '[', '"', '“', '„']);
    let mut letters = word.chars();
    let initial = matches!((letters.next(), letters.next()), (Some(c), None) if c.is_alphabetic());
    initial || ABBREVIATIONS.contains(&word)
}

/// Whether a sentence contains conclusion wording ([`CONCLUSION_WORDS`]).
pub fn is_conclusion(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    CONCLUSION_WORDS.iter().any(|w| lower.contains(w))
}

/// One step of an alignment of two sequences (indices into them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `old[i] == new[j]`.
    Equal(usize, usize),
    /// `old[i]` is not in the new sequence.
    Delete(usize),
    /// `new[j]` is not in the old sequence.
    Insert(usize),
}

/// Aligns two sequences by a longest common subsequence (common prefix and suffix first; ties
/// prefer deletions before insertions, so the result is deterministic). Sequences too long for
/// the table are treated as entirely replaced between their common prefix and suffix.
pub fn align<T: Eq>(old: &[T], new: &[T]) -> Vec<Op> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = &old[prefix..old.len() - suffix];
    let b = &new[prefix..new.len() - suffix];
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Equal(i, i)).collect();
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > LCS_LIMIT {
        ops.extend((0..n).map(|i| Op::Delete(prefix + i)));
        ops.extend((0..m).map(|j| Op::Insert(prefix + j)));
    } else {
        // table[i * (m + 1) + j] = length of the LCS of a[i..] and b[j..].
        let width = m + 1;
        let mut table = vec![0u32; (n + 1) * width];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                table[i * width + j] = if a[i] == b[j] {
                    table[(i + 1) * width + j + 1] + 1
                } else {
                    table[(i + 1) * width + j].max(table[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && a[i] == b[j] {
                ops.push(Op::Equal(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if j == m || (i < n && table[(i + 1) * width + j] >= table[i * width + j + 1]) {
                ops.push(Op::Delete(prefix + i));
                i += 1;
            } else {
                ops.push(Op::Insert(prefix + j));
                j += 1;
            }
        }
    }
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Equal(old_end + k, new_end + k)));
    ops
}

/// Maps strings to small integers (in order of first appearance) so alignments compare
/// integers.
fn intern<'a>(lists: [&[&'a str]; 2]) -> [Vec<u32>; 2] {
    let mut ids: HashMap<&'a str, u32> = HashMap::new();
    lists.map(|list| {
        list.iter()
            .map(|s| {
                let next = ids.len() as u32;
                *ids.entry(s).or_insert(next)
            })
            .collect()
    })
}

/// A run of words in a word-level comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WordRun {
    /// `"lig"` (in both), `"fjernet"` (only in the old sentence) or `"tilfoejet"` (only in the new).
    pub art: &'static str,
    /// The words, separated by single spaces.
    pub tekst: String,
}

/// The word-level differences of two sentences, as runs of equal, removed and added words.
pub fn word_diff(old: &str, new: &str) -> Vec<WordRun> {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    let [ia, ib] = intern([&a, &b]);
    let mut runs: Vec<WordRun> = Vec::new();
    for op in align(&ia, &ib) {
        let (art, word) = match op {
            Op::Equal(i, _) => ("lig", a[i]),
            Op::Delete(i) => ("fjernet", a[i]),
            Op::Insert(j) => ("tilfoejet", b[j]),
        };
        match runs.last_mut() {
            Some(run) if run.art == art => {
                run.tekst.push(' ');
                run.tekst.push_str(word);
            }
            _ => runs.push(WordRun {
                art,
                tekst: word.to_string(),
            }),
        }
    }
    runs
}

/// A sentence that differs between the two reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SentenceChange {
    /// `"aendret"` (a sentence in both, with other words), `"tilfoejet"` or `"fjernet"`.
    pub art: &'static str,
    /// Whether the old or new sentence contains conclusion wording ([`CONCLUSION_WORDS`]).
    pub konklusion: bool,
    /// Position (1-based) among the old report's sentences; `null` for an added sentence.
    pub gammel_nr: Option<usize>,
    /// Position (1-based) among the new report's sentences; `null` for a removed sentence.
    pub ny_nr: Option<usize>,
    /// The old sentence (`null` when added).
    pub gammel: Option<String>,
    /// The new sentence (`null` when removed).
    pub ny: Option<String>,
    /// The words: runs of equal, removed and added words, in reading order.
    pub ord: Vec<WordRun>,
    /// The heading of the section the sentence stands in (`null` when compared from the page
    /// text, which has no sections).
    pub afsnit: Option<String>,
}

/// The sentences of the report's prose, section by section, with the heading of each: a
/// sentence ends within its paragraph.
pub fn prose_sentences(prose: &[crate::render::markdown::Prose]) -> (Vec<String>, Vec<String>) {
    let mut sentences_out = Vec::new();
    let mut sections = Vec::new();
    for section in prose {
        for paragraph in &section.afsnit {
            for sentence in sentences(paragraph) {
                sentences_out.push(sentence);
                sections.push(section.overskrift.clone());
            }
        }
    }
    (sentences_out, sections)
}

/// The sentences that differ between two texts (as given by [`sentences`]): conclusions first,
/// then in reading order.
pub fn compare(old: &[String], new: &[String]) -> Vec<SentenceChange> {
    let a: Vec<&str> = old.iter().map(String::as_str).collect();
    let b: Vec<&str> = new.iter().map(String::as_str).collect();
    let [ia, ib] = intern([&a, &b]);
    let ops = align(&ia, &ib);
    let mut changes: Vec<SentenceChange> = Vec::new();
    let mut k = 0;
    while k < ops.len() {
        if matches!(ops[k], Op::Equal(..)) {
            k += 1;
            continue;
        }
        let mut deleted = Vec::new();
        let mut inserted = Vec::new();
        while k < ops.len() {
            match ops[k] {
                Op::Delete(i) => deleted.push(i),
                Op::Insert(j) => inserted.push(j),
                Op::Equal(..) => break,
            }
            k += 1;
        }
        for (i, j) in pair(&deleted, &inserted, &a, &b) {
            changes.push(sentence_change(i, j, &a, &b));
        }
    }
    // Stable: reading order within each rank.
    changes.sort_by_key(|c| !c.konklusion);
    changes
}

fn sentence_change(i: Option<usize>, j: Option<usize>, a: &[&str], b: &[&str]) -> SentenceChange {
    let old = i.map(|i| a[i].to_string());
    let new = j.map(|j| b[j].to_string());
    let (art, ord) = match (&old, &new) {
        (Some(o), Some(n)) => ("aendret", word_diff(o, n)),
        (Some(o), None) => (
            "fjernet",
            vec![WordRun {
                art: "fjernet",
                tekst: o.clone(),
            }],
        ),
        (None, Some(n)) => (
            "tilfoejet",
            vec![WordRun {
                art: "tilfoejet",
                tekst: n.clone(),
            }],
        ),
        (None, None) => unreachable!("a change has at least one side"),
    };
    SentenceChange {
        art,
        konklusion: old.as_deref().is_some_and(is_conclusion)
            || new.as_deref().is_some_and(is_conclusion),
        gammel_nr: i.map(|i| i + 1),
        ny_nr: j.map(|j| j + 1),
        gammel: old,
        ny: new,
        ord,
        afsnit: None,
    }
}

/// Word-set similarity (Dice coefficient) of two sentences.
fn similarity(a: &BTreeSet<&str>, b: &BTreeSet<&str>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    2.0 * a.intersection(b).count() as f64 / (a.len() + b.len()) as f64
}

/// Pairs the removed and added sentences of one hunk: an order-preserving matching that
/// maximises the total word similarity, counting only pairs at least [`MIN_SIMILARITY`] alike.
/// Returns the hunk in reading order: pairs, removals and additions.
fn pair(
    deleted: &[usize],
    inserted: &[usize],
    a: &[&str],
    b: &[&str],
) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (deleted.len(), inserted.len());
    if n.saturating_mul(m) > PAIRING_LIMIT {
        let mut out: Vec<(Option<usize>, Option<usize>)> = deleted
            .iter()
            .zip(inserted)
            .map(|(&i, &j)| (Some(i), Some(j)))
            .collect();
        out.extend(deleted[m.min(n)..].iter().map(|&i| (Some(i), None)));
        out.extend(inserted[n.min(m)..].iter().map(|&j| (None, Some(j))));
        return out;
    }
    let words =
        |s: &str| -> BTreeSet<String> { s.split_whitespace().map(str::to_string).collect() };
    let old_sets: Vec<BTreeSet<String>> = deleted.iter().map(|&i| words(a[i])).collect();
    let new_sets: Vec<BTreeSet<String>> = inserted.iter().map(|&j| words(b[j])).collect();
    let sim = |x: usize, y: usize| -> f64 {
        let sa: BTreeSet<&str> = old_sets[x].iter().map(String::as_str).collect();
        let sb: BTreeSet<&str> = new_sets[y].iter().map(String::as_str).collect();
        similarity(&sa, &sb)
    };
    let width = m + 1;
    let mut sims = vec![0.0f64; n * m];
    for x in 0..n {
        for y in 0..m {
            sims[x * m + y] = sim(x, y);
        }
    }
    // best[x * width + y]: the best total from deleted[x..] and inserted[y..].
    let mut best = vec![0.0f64; (n + 1) * width];
    for x in (0..n).rev() {
        for y in (0..m).rev() {
            let mut v = best[(x + 1) * width + y].max(best[x * width + y + 1]);
            let s = sims[x * m + y];
            if s >= MIN_SIMILARITY {
                v = v.max(s + best[(x + 1) * width + y + 1]);
            }
            best[x * width + y] = v;
        }
    }
    let mut out = Vec::new();
    let (mut x, mut y) = (0, 0);
    while x < n || y < m {
        if x < n && y < m {
            let s = sims[x * m + y];
            if s >= MIN_SIMILARITY && best[x * width + y] == s + best[(x + 1) * width + y + 1] {
                out.push((Some(deleted[x]), Some(inserted[y])));
                x += 1;
                y += 1;
            } else if best[x * width + y] == best[(x + 1) * width + y] {
                out.push((Some(deleted[x]), None));
                x += 1;
            } else {
                out.push((None, Some(inserted[y])));
                y += 1;
            }
        } else if x < n {
            out.push((Some(deleted[x]), None));
            x += 1;
        } else {
            out.push((None, Some(inserted[y])));
            y += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_removes_page_numbers_and_line_break_hyphens() {
        let raw = "Titel\n\u{c}\nEffekten på beskæf \u{ad} tigelse er 4,2 pct. 1\n\u{c}\nDen er \
                   signifikant, og beija- flor er et ord. 2";
        assert_eq!(
            normalize(raw),
            "Titel Effekten på beskæftigelse er 4,2 pct. Den er signifikant, og beija-flor er et ord."
        );
    }

    #[test]
    fn sentences_split_on_full_stops_before_capitals_but_not_after_abbreviations() {
        let text = "Effekten er 4,2 pct. af niveauet. Den er signifikant (jf. Tabel 4.1). Se fx. \
                    Aarhus! Hvorfor? (Ingen ved det.) Slut";
        assert_eq!(
            sentences(text),
            vec![
                "Effekten er 4,2 pct. af niveauet.",
                "Den er signifikant (jf. Tabel 4.1).",
                "Se fx. Aarhus!",
                "Hvorfor?",
                "(Ingen ved det.)",
                "Slut",
            ]
        );
        assert_eq!(
            sentences("Se tabellen nedenfor Tabel 4.1: Effekter 0,04* (0,02). Tabel 4.1 viser det"),
            vec![
                "Se tabellen nedenfor",
                "Tabel 4.1: Effekter 0,04* (0,02).",
                "Tabel 4.1 viser det"
            ]
        );
    }

    #[test]
    fn align_finds_a_longest_common_subsequence() {
        let ops = align(&[1, 2, 3, 4, 5], &[1, 3, 4, 6, 5]);
        assert_eq!(
            ops,
            vec![
                Op::Equal(0, 0),
                Op::Delete(1),
                Op::Equal(2, 1),
                Op::Equal(3, 2),
                Op::Insert(3),
                Op::Equal(4, 4)
            ]
        );
        assert!(align::<u8>(&[], &[]).is_empty());
    }

    #[test]
    fn word_diff_marks_changed_words() {
        let runs = word_diff(
            "Effekten er 4,2 pct. og signifikant.",
            "Effekten er 3,1 pct. og signifikant.",
        );
        let arts: Vec<(&str, &str)> = runs.iter().map(|r| (r.art, r.tekst.as_str())).collect();
        assert_eq!(
            arts,
            vec![
                ("lig", "Effekten er"),
                ("fjernet", "4,2"),
                ("tilfoejet", "3,1"),
                ("lig", "pct. og signifikant."),
            ]
        );
    }

    #[test]
    fn compare_pairs_similar_sentences_and_lists_conclusions_first() {
        let old: Vec<String> = [
            "A er 1.",
            "B er 2 og stabil.",
            "Effekten er signifikant.",
            "C er 3.",
        ]
        .map(String::from)
        .to_vec();
        let new: Vec<String> = [
            "A er 1.",
            "B er 5 og stabil.",
            "Effekten er ikke signifikant.",
            "Helt ny tekst her.",
        ]
        .map(String::from)
        .to_vec();
        let changes = compare(&old, &new);
        let summary: Vec<(&str, bool, Option<usize>, Option<usize>)> = changes
            .iter()
            .map(|c| (c.art, c.konklusion, c.gammel_nr, c.ny_nr))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("aendret", true, Some(3), Some(3)),
                ("aendret", false, Some(2), Some(2)),
                ("fjernet", false, Some(4), None),
                ("tilfoejet", false, None, Some(4)),
            ]
        );
    }
}
