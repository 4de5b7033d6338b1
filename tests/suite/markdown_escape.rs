//! Escaping tests for the Markdown → Typst converter.
//!
//! Besides fixed expectations, two property-style checks run over a list of hostile strings
//! and over pseudo-random strings built from Typst's special characters:
//!
//! * a tiny hand-written unescape (drop the backslash of `\c`, `~` → NBSP) restores the input;
//! * the real Typst 0.15.1 parser (`typst::syntax`) sees only text, escapes, spaces and the
//!   allowed shorthands, with no errors, and reading those tokens back restores the input.

use effektrapport::render::markdown::{escape_text, markdown_to_typst};
use effektrapport::typst_text::typst_string;
use typst::syntax::{SyntaxKind, SyntaxNode, parse};

/// Inverse of `escape_text` for its output alphabet.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().expect("dangling backslash")),
            '~' => out.push('\u{a0}'),
            c => out.push(c),
        }
    }
    out
}

/// Reads a parsed Typst tree back as plain text. Only text-like tokens are allowed; a call or
/// reference is read as `«»` / `«ref»` so that element boundaries can be checked, and an empty
/// `#[]` separator is read as nothing.
fn plain_text(node: &SyntaxNode, out: &mut String) -> Result<(), String> {
    match node.kind() {
        SyntaxKind::Markup => {
            for child in node.children() {
                plain_text(child, out)?;
            }
        }
        SyntaxKind::Text | SyntaxKind::Space => out.push_str(node.leaf_text()),
        SyntaxKind::Escape => {
            let text = node.leaf_text();
            let mut chars = text.chars();
            assert_eq!(chars.next(), Some('\\'));
            if text.starts_with("\\u{") {
                return Err(format!("unexpected unicode escape {text}"));
            }
            out.extend(chars);
        }
        SyntaxKind::Shorthand => match node.leaf_text().as_str() {
            "~" => out.push('\u{a0}'),
            s @ ("--" | "---" | "..." | "-") => out.push_str(s),
            other => return Err(format!("unexpected shorthand {other:?}")),
        },
        SyntaxKind::Hash => {}
        SyntaxKind::FuncCall => out.push_str("«»"),
        SyntaxKind::ContentBlock if node.full_text() == "[]" => {}
        SyntaxKind::Ref => out.push_str("«ref»"),
        other => return Err(format!("unexpected {other:?} in {:?}", node.full_text())),
    }
    Ok(())
}

fn typst_plain(src: &str) -> Result<String, String> {
    let root = parse(src);
    if root.diagnosis().errors {
        return Err(format!("{:?}", root.errors_and_warnings().0));
    }
    let mut out = String::new();
    plain_text(&root, &mut out)?;
    Ok(out)
}

const HOSTILE: &[&str] = &[
    "p<0.001 *ikke fed* #hash @ref $x$ // ikke kommentar 50% [a] _b_ \\c",
    "- 3 punkter",
    "1. januar",
    "= lig med",
    "http://x.dk",
    "https://x.dk/a?b=(c",
    "//",
    "///",
    "/*",
    "*/",
    "a/*b*/c",
    "x // y",
    "a/",
    "/",
    "/ term: beskrivelse",
    "=",
    "==",
    "== to",
    "=x",
    "-",
    "- ",
    "+ plus",
    "+",
    "12345. x",
    "1.",
    "1.5 mio.",
    "  - indrykket",
    "\t= tab",
    "-?",
    "a-?b",
    "--",
    "---",
    "...",
    "-3,4",
    "2019-2020",
    "<lbl>",
    "<",
    ">",
    "@ref",
    "@ref.",
    "a@b.dk",
    "#let x = 1",
    "#",
    "#[]",
    "$x$",
    "$",
    "`raw`",
    "```",
    "\\",
    "\\\\",
    "\\u{41}",
    "\\ ",
    "a\\",
    "~",
    "~~",
    "12\u{a0}pct.",
    "'",
    "\"",
    "'enkelt' og \"dobbelt\"",
    "[",
    "]",
    "[]",
    "]]",
    "*a*",
    "_a_",
    "a_b_c",
    "a*b*c",
    ":",
    "a: b",
    "æøå ÆØÅ „citat“ «x» – — −3",
    "50%",
    "(3)",
    ".x",
    ".",
    "h",
    "ttp://",
    "hhttp://",
    "*",
    "_",
    "\t",
    "",
];

#[test]
fn escape_known_strings() {
    assert_eq!(
        escape_text("p<0.001 *ikke fed* #hash @ref $x$ // ikke kommentar 50% [a] _b_ \\c"),
        "p\\<0.001 \\*ikke fed\\* \\#hash \\@ref \\$x\\$ \\// ikke kommentar 50% \\[a\\] \\_b\\_ \\\\c"
    );
    assert_eq!(escape_text("- 3 punkter"), "\\- 3 punkter");
    assert_eq!(escape_text("1. januar"), "1\\. januar");
    assert_eq!(escape_text("= lig med"), "\\= lig med");
    assert_eq!(escape_text("== to"), "\\== to");
    assert_eq!(escape_text("+ plus"), "\\+ plus");
    assert_eq!(escape_text("/ term"), "\\/ term");
    assert_eq!(escape_text("http://x.dk"), "http:\\//x.dk");
    assert_eq!(escape_text("a/*b*/c"), "a\\/\\*b\\*/c");
    assert_eq!(escape_text("ja-?"), "ja\\-?");
    assert_eq!(escape_text("12\u{a0}pct."), "12~pct.");
    assert_eq!(escape_text("'x' \"y\""), "\\'x\\' \\\"y\\\"");
    assert_eq!(escape_text("(3)"), "\\(3)");
    assert_eq!(escape_text(".felt"), "\\.felt");
    // Kept on purpose: shorthands and minus before digits, Danish letters.
    assert_eq!(escape_text("-3,4 -- --- ... 1.5"), "-3,4 -- --- ... 1.5");
    assert_eq!(escape_text("æøå ÆØÅ „citat“"), "æøå ÆØÅ „citat“");
    // Not a marker unless followed by a space.
    assert_eq!(escape_text("=x -x +x 1.5"), "=x -x +x 1.5");
    // Typst newline characters become spaces.
    assert_eq!(escape_text("a\u{2028}b\rc"), "a b c");
}

#[test]
fn markdown_tricky_paragraphs() {
    let t = |md: &str| markdown_to_typst(md, &[]).unwrap();
    // As Markdown, `*…*`, `_…_` and `$…$` are markup; everything else is literal text.
    assert_eq!(
        t("p<0.001 *ikke fed* #hash @ref $x$ // ikke kommentar 50% [a] _b_ \\c"),
        "p\\<0.001 #emph[ikke fed] \\#hash \\@ref #[#set math.equation(alt: \"x\");$x$] \\// ikke kommentar 50% \\[a\\] #emph[b] \\\\c\n"
    );
    assert_eq!(t("\\- 3 punkter"), "\\- 3 punkter\n");
    assert_eq!(t("1\\. januar"), "1\\. januar\n");
    assert_eq!(t("= lig med"), "\\= lig med\n");
    assert_eq!(t("http://x.dk"), "http:\\//x.dk\n");
    // Mid-line markers are not escaped.
    assert_eq!(t("a - b + c = d 1. e"), "a - b + c = d 1. e\n");
    // A line start after a hard break is a line start again.
    assert_eq!(t("a\\\n= b"), "a\\\n\\= b\n");
}

#[test]
fn hostile_strings_round_trip_by_hand() {
    for s in HOSTILE {
        let escaped = escape_text(s);
        assert_eq!(unescape(&escaped), *s, "escaped {escaped:?}");
    }
}

#[test]
fn hostile_strings_round_trip_through_typst_parser() {
    for s in HOSTILE {
        let escaped = escape_text(s);
        let plain = typst_plain(&escaped).unwrap_or_else(|e| panic!("{s:?} → {escaped:?}: {e}"));
        assert_eq!(plain, *s, "escaped {escaped:?}");
    }
}

/// Small deterministic xorshift generator (no dev-dependencies needed).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const ALPHABET: &[&str] = &[
    "\\", "#", "[", "]", "$", "`", "<", ">", "@", "*", "_", "~", "'", "\"", "/", "-", "+", "=",
    ".", ":", "1", "2", " ", " ", "\t", "h", "ttp:", "a", "x", "(", ")", "\u{a0}", "?", "æ",
    "u{41}", "lbl", "\u{2212}",
];

#[test]
fn random_strings_round_trip_through_typst_parser() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..5000 {
        let len = (rng.next() % 10) as usize;
        let s: String = (0..len).map(|_| rng.pick(ALPHABET)).collect();
        let escaped = escape_text(&s);
        assert_eq!(unescape(&escaped), s);
        let plain = typst_plain(&escaped).unwrap_or_else(|e| panic!("{s:?} → {escaped:?}: {e}"));
        assert_eq!(plain, s, "escaped {escaped:?}");
    }
}

/// Escapes every ASCII punctuation character for Markdown, so that pulldown-cmark yields the
/// string as one literal text run.
fn md_literal(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The hostile strings placed in Markdown next to other elements: after the whole pipeline
/// the Typst parser must read back exactly the text, with the elements where they were.
#[test]
fn hostile_strings_in_markdown_contexts() {
    for s in HOSTILE
        .iter()
        .copied()
        .chain(["s", "-x", ":x", ".x", "..", "x"])
    {
        let trimmed = s.trim_matches([' ', '\t']);
        if trimmed.is_empty() {
            continue;
        }
        let lit = md_literal(trimmed);
        let cases = [
            (lit.clone(), trimmed.to_owned()),
            (format!("*e*{lit}"), format!("«»{trimmed}")),
            (format!("*e* {lit}"), format!("«» {trimmed}")),
            (format!("{lit}*e*"), format!("{trimmed}«»")),
            (format!("`k`{lit}`k`"), format!("«»{trimmed}«»")),
            (format!("[Tabel 1](#tab:t){lit}"), format!("«ref»{trimmed}")),
            (format!("a  \n{lit}"), format!("a\n{trimmed}")),
        ];
        for (md, want) in cases {
            let typ = markdown_to_typst(&md, &[]).unwrap();
            let typ = typ.trim_end();
            // Hard breaks are read back as a newline.
            let for_parse = typ.replace("\\\n", "\u{1}");
            let plain = typst_plain(&for_parse)
                .unwrap_or_else(|e| panic!("md {md:?} → {typ:?}: {e}"))
                .replace('\u{1}', "\n");
            assert_eq!(plain, want, "md {md:?} → typst {typ:?}");
        }
    }
}

/// In block containers (list items, table cells, headings, footnotes, quotes) the text must
/// neither break the parse nor create markup.
#[test]
fn hostile_strings_in_containers_parse_cleanly() {
    for s in HOSTILE {
        let trimmed = s.trim_matches([' ', '\t']);
        if trimmed.is_empty() {
            continue;
        }
        let lit = md_literal(trimmed);
        let docs = [
            format!("- {lit}\n- *e*{lit}"),
            format!("3. {lit}"),
            format!("| a |\n|---|\n| {lit} |"),
            format!("# {lit}"),
            format!("## {lit} {{#kap-x}}"),
            format!("# {lit} {{.unnumbered}}"),
            format!("> {lit}"),
            format!("x[^1]\n\n[^1]: {lit}"),
            format!("[{lit}](https://x.dk)"),
            format!("![{lit}](fig.svg)"),
        ];
        for md in docs {
            let typ = markdown_to_typst(&md, &[]).unwrap();
            let root = parse(&typ);
            assert!(
                !root.diagnosis().errors,
                "md {md:?} → {typ:?}: {:?}",
                root.errors_and_warnings().0
            );
            assert_no_markup(&root, &md, &typ);
        }
    }
}

/// Fails if the tree has markup syntax that our converter never writes on purpose.
fn assert_no_markup(node: &SyntaxNode, md: &str, typ: &str) {
    use SyntaxKind::*;
    let forbidden = [
        Strong,
        Emph,
        ListItem,
        EnumItem,
        TermItem,
        LineComment,
        BlockComment,
        Link,
        Equation,
        Raw,
        Linebreak,
        SmartQuote,
        Parbreak,
    ];
    assert!(
        !forbidden.contains(&node.kind()),
        "md {md:?} → {typ:?}: found {:?}",
        node.kind()
    );
    if node.kind() == Shorthand {
        assert!(
            ["~", "--", "---", "...", "-"].contains(&node.leaf_text().as_str()),
            "md {md:?} → {typ:?}: shorthand {:?}",
            node.leaf_text()
        );
    }
    for child in node.children() {
        assert_no_markup(child, md, typ);
    }
}

#[test]
fn typst_string_literals() {
    assert_eq!(typst_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_eq!(typst_string("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
    assert_eq!(typst_string("\u{1}\u{2028}"), "\"\\u{1}\\u{2028}\"");
    assert_eq!(typst_string("æøå"), "\"æøå\"");
}
