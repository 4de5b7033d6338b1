//! Focused tests for single constructs, raw placeholders and errors of the Markdown → Typst
//! converter (the golden files in `tests/fixtures/markdown/` cover whole documents).

use effektrapport::render::markdown::{MarkdownError, markdown_to_typst};

fn t(md: &str) -> String {
    markdown_to_typst(md, &[]).unwrap_or_else(|e| panic!("{md:?}: {e}"))
}

fn raw(md: &str, raw: &[&str]) -> Result<String, MarkdownError> {
    let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
    markdown_to_typst(md, &raw)
}

#[test]
fn empty_input() {
    assert_eq!(t(""), "");
    assert_eq!(t("\n\n"), "");
}

#[test]
fn headings() {
    assert_eq!(t("# A"), "= A\n");
    assert_eq!(t("### A"), "=== A\n");
    assert_eq!(
        t("## Effekter {#kap-effekter}"),
        "== Effekter <kap-effekter>\n"
    );
    assert_eq!(
        t("# Bilag {.unnumbered}"),
        "#heading(numbering: none)[Bilag]\n"
    );
    assert_eq!(
        t("## Bilag {#b .unnumbered}"),
        "#heading(depth: 2, numbering: none)[Bilag] <b>\n"
    );
    assert_eq!(t("# X {.unlisted}"), "#heading(outlined: false)[X]\n");
    // Inside a function-form heading the content block starts a line: markers are escaped.
    assert_eq!(
        t("# \\- x {.unnumbered}"),
        "#heading(numbering: none)[\\- x]\n"
    );
}

#[test]
fn heading_errors_name_the_line() {
    let err = markdown_to_typst("tekst\n\n# Bilag {.unumbered}\n", &[]).unwrap_err();
    assert!(
        matches!(err, MarkdownError::Unsupported { line: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains(".unumbered"), "{err}");
    let err = markdown_to_typst("# X {#a/b}\n", &[]).unwrap_err();
    assert_eq!(
        err,
        MarkdownError::BadLabel {
            line: 1,
            id: "a/b".into()
        }
    );
    let err = markdown_to_typst("# X {data-x=1}\n", &[]).unwrap_err();
    assert!(
        matches!(err, MarkdownError::Unsupported { line: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn inline_markup() {
    assert_eq!(
        t("_a_ *b* **c** __d__ ~~e~~"),
        "#emph[a] #emph[b] #strong[c] #strong[d] #strike[e]\n"
    );
    assert_eq!(t("ord**fed**ord"), "ord#strong[fed]ord\n");
    assert_eq!(t("`a \"b\" \\c`"), "#raw(\"a \\\"b\\\" \\\\c\")\n");
    assert_eq!(t("a\nb"), "a b\n");
    assert_eq!(t("a  \nb"), "a\\\nb\n");
    assert_eq!(t("a\\\nb"), "a\\\nb\n");
}

#[test]
fn code_blocks() {
    assert_eq!(
        t("```r\nx <- 1\n```"),
        "#raw(block: true, lang: \"r\", \"x <- 1\")\n"
    );
    assert_eq!(t("```\n`x`\n```"), "#raw(block: true, \"`x`\")\n");
    assert_eq!(t("    a\n    b"), "#raw(block: true, \"a\\nb\")\n");
}

#[test]
fn block_quote() {
    assert_eq!(t("> a\n> b"), "#quote(block: true)[a b]\n");
}

#[test]
fn lists() {
    assert_eq!(t("- a\n- b"), "#list(\n  [a],\n  [b],\n)\n");
    assert_eq!(t("1. a\n2. b"), "#enum(\n  [a],\n  [b],\n)\n");
    assert_eq!(t("7. a"), "#enum(start: 7,\n  [a],\n)\n");
    assert_eq!(t("- a\n\n- b"), "#list(tight: false,\n  [a],\n  [b],\n)\n");
    assert_eq!(t("- a\n  1. b"), "#list(\n  [a\n#enum(\n  [b],\n)],\n)\n");
}

#[test]
fn links_and_references() {
    assert_eq!(t("[Tabel 4.1](#tab:tabel_4_1)"), "@tab:tabel_4_1\n");
    assert_eq!(t("se [figur 2](#fig-2)."), "se @fig-2.\n");
    assert_eq!(t("[x](#a b)"), "\\[x\\](\\#a b)\n"); // not a link in CommonMark
    assert_eq!(t("[x](<#a b>)"), "#ref(label(\"a b\"))\n");
    assert_eq!(
        t("[DST](https://dst.dk)"),
        "#link(\"https://dst.dk\")[DST]\n"
    );
    assert_eq!(t("<https://dst.dk>"), "#link(\"https://dst.dk\")\n");
    assert_eq!(t("<a@b.dk>"), "#link(\"mailto:a@b.dk\")[a\\@b.dk]\n");
    assert_eq!(t("[Tabel](#tab:t)s"), "@tab:t#[]s\n");
}

#[test]
fn footnotes() {
    assert_eq!(t("a[^1]\n\n[^1]: Note."), "a#footnote[Note.]\n");
    assert_eq!(
        t("a[^x] b[^x]\n\n[^x]: Note."),
        "a#footnote[Note.]<fn-1> b#footnote(<fn-1>)\n"
    );
    assert_eq!(
        t("a[^1]\n\n[^1]: P1.\n\n    P2."),
        "a#footnote[P1.\n\nP2.]\n"
    );
    // Definitions may come before the reference.
    assert_eq!(t("[^1]: Note.\n\na[^1]"), "a#footnote[Note.]\n");
    // A reference without definition stays literal text.
    assert_eq!(t("a[^nope]"), "a\\[^nope\\]\n");
}

#[test]
fn footnote_errors() {
    let err = markdown_to_typst("a\n\n[^1]: Glemt.\n", &[]).unwrap_err();
    assert_eq!(
        err,
        MarkdownError::UnusedFootnote {
            line: 3,
            label: "1".into()
        }
    );
    let err = markdown_to_typst("a[^1]\n\n[^1]: Selv[^1].\n", &[]).unwrap_err();
    assert!(
        matches!(err, MarkdownError::Unsupported { line: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn tables() {
    assert_eq!(
        t("| a | b |\n|:--|--:|\n| 1 | *2* |"),
        "#table(\n  columns: 2,\n  align: (left, right),\n  table.header([a], [b]),\n  [1], [#emph[2]],\n)\n"
    );
    // Short rows are padded.
    assert_eq!(
        t("| a | b |\n|---|---|\n| 1 |"),
        "#table(\n  columns: 2,\n  table.header([a], [b]),\n  [1], [],\n)\n"
    );
}

#[test]
fn rule_image_math() {
    assert_eq!(t("a\n\n---\n\nb"), "a\n\n#line(length: 100%)\n\nb\n");
    assert_eq!(
        t("![Figur 1](fig/a.svg)"),
        "#figure(image(\"fig/a.svg\", alt: \"Figur 1\"), caption: [Figur 1])\n"
    );
    assert_eq!(t("![](a.png)"), "#figure(image(\"a.png\"))\n");
    // Math carries its source as the alternative text (PDF/UA).
    assert_eq!(
        t("$x^2$ og $$ sum_i x_i $$"),
        "#[#set math.equation(alt: \"x^2\");$x^2$] og #[#set math.equation(alt: \"sum_i x_i\");\n$ sum_i x_i $\n]\n"
    );
    // Amounts stay text.
    assert_eq!(
        t("5$ og 6$, $5 og $6, 5 $"),
        "5\\$ og 6\\$, \\$5 og \\$6, 5 \\$\n"
    );
}

#[test]
fn raw_placeholders() {
    let tbl = "#table(columns: 2)[a][b]";
    assert_eq!(
        raw("Før.\n\n<!--raw:0-->\n\nEfter.", &[tbl]).unwrap(),
        format!("Før.\n\n{tbl}\n\nEfter.\n")
    );
    assert_eq!(
        raw("Se <!--raw:1--> her.", &["x", "#sym.arrow"]).unwrap(),
        "Se #sym.arrow her.\n"
    );
    // Text glued to an inline snippet cannot continue it as a call or field access.
    assert_eq!(raw("<!--raw:0-->(n)", &["#f"]).unwrap(), "#f\\(n)\n");
    // A placeholder that starts a line followed by text is inline (CommonMark alone would make
    // the whole line an HTML block), also as a continuation line and in containers.
    assert_eq!(
        raw("<!--raw:0--> viser *x*", &["R"]).unwrap(),
        "R viser #emph[x]\n"
    );
    assert_eq!(
        raw("Tekst\n<!--raw:0--> mere", &["R"]).unwrap(),
        "Tekst R mere\n"
    );
    assert_eq!(
        raw("- <!--raw:0--> a\n- b", &["R"]).unwrap(),
        "#list(\n  [R a],\n  [b],\n)\n"
    );
    assert_eq!(
        raw("> <!--raw:1--><!--raw:0-->- x", &["A", "B"]).unwrap(),
        "#quote(block: true)[BA- x]\n"
    );
    // The text after an inline snippet is escaped in its own context.
    assert_eq!(raw("<!--raw:0-->. x", &["R"]).unwrap(), "R. x\n");
    // A block placeholder directly after a paragraph line, and two in a row.
    assert_eq!(
        raw("Tekst\n<!--raw:0-->\n<!--raw:1-->\nmere", &["A", "B"]).unwrap(),
        "Tekst\n\nA\n\nB\n\nmere\n"
    );
    // Raw snippets inside containers.
    assert_eq!(
        raw("- <!--raw:0-->", &["#x"]).unwrap(),
        "#list(\n  [#x],\n)\n"
    );
    // Multi-line snippets are inserted verbatim.
    assert_eq!(raw("<!--raw:0-->", &["a\n  b"]).unwrap(), "a\n  b\n");
}

#[test]
fn raw_placeholder_errors() {
    let err = raw("a\n\n<!--raw:2-->\n", &["x"]).unwrap_err();
    assert_eq!(
        err,
        MarkdownError::UnknownRaw {
            line: 3,
            index: 2,
            available: 1
        }
    );
    assert!(err.to_string().contains("linje 3"), "{err}");
    let err = raw("a\nb <!--raw:5--> c", &[]).unwrap_err();
    assert_eq!(
        err,
        MarkdownError::UnknownRaw {
            line: 2,
            index: 5,
            available: 0
        }
    );
}

#[test]
fn placeholder_in_code_is_an_error() {
    let err = raw("a\n\n`<!--raw:0--> x`\n", &["R"]).unwrap_err();
    assert!(
        matches!(err, MarkdownError::Unsupported { line: 3, .. }),
        "{err:?}"
    );
    let err = raw("a\n\n```\n<!--raw:0--> x\n```\n", &["R"]).unwrap_err();
    assert!(
        matches!(err, MarkdownError::Unsupported { line: 4, .. }),
        "{err:?}"
    );
    let err = raw("a \u{E000}", &[]).unwrap_err();
    assert!(
        matches!(err, MarkdownError::Unsupported { line: 1, .. }),
        "{err:?}"
    );
    let err = raw("`<!--raw:0-->`", &["R"]).unwrap_err();
    assert!(
        matches!(err, MarkdownError::Unsupported { line: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn html_is_an_error() {
    for (md, line) in [
        ("a\n\n<div>x</div>\n", 3),
        ("a <b>fed</b> c", 1),
        ("a\n\n<!-- kommentar -->\n", 3),
        ("<!--raw:x-->", 1),
        ("a\nb <br> c", 2),
    ] {
        let err = raw(md, &["R"]).unwrap_err();
        assert!(
            matches!(err, MarkdownError::Html { line: l, .. } if l == line),
            "{md:?}: {err:?}"
        );
    }
}

#[test]
fn danish_text_passes_through() {
    assert_eq!(
        t("Æ Ø Å æ ø å „citat“ – −3,4 §"),
        "Æ Ø Å æ ø å „citat“ – −3,4 §\n"
    );
    assert_eq!(t("12\u{a0}pct."), "12~pct.\n");
    // `-` before a digit stays: Typst renders a real minus sign.
    assert_eq!(t("effekt på -3,4"), "effekt på -3,4\n");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let md = ">".repeat(200) + " x";
    assert!(matches!(
        markdown_to_typst(&md, &[]),
        Err(MarkdownError::Unsupported { line: 1, .. })
    ));
}
