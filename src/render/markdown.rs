//! Markdown → Typst markup for the authored report text.
//!
//! The report text is written in Markdown (after minijinja templating) and converted here to
//! Typst markup, which is then compiled by the embedded Typst 0.15.1. The converter parses with
//! `pulldown-cmark` 0.13 (tables, footnotes, strikethrough, heading attributes, math) into a
//! small tree and writes Typst. Nothing is silently dropped: constructs we cannot represent are
//! errors that name the Markdown line.
//!
//! # Mapping
//!
//! | Markdown | Typst |
//! |---|---|
//! | `# Titel` … `###### Titel` | `= Titel` … `====== Titel` |
//! | `# Titel {#kap-effekter}` | `= Titel <kap-effekter>` |
//! | `## Titel {.unnumbered}` / `{.unlisted}` | `#heading(depth: 2, numbering: none)[Titel]` / `outlined: false` (depth omitted for level 1) |
//! | paragraph, soft break, hard break | paragraph, a space, `\` + newline (`\ ` inside headings) |
//! | `_x_`, `**x**`, `~~x~~` | `#emph[x]`, `#strong[x]`, `#strike[x]` (function forms work inside words) |
//! | `` `x` `` | `#raw("x")` |
//! | fenced / indented code | `#raw(block: true, lang: "py", "…")` |
//! | `> …` | `#quote(block: true)[…]` |
//! | `- a` / `3. a` | `#list(…)` / `#enum(start: 3, …)` with one `[…]` per item; loose lists get `tight: false` |
//! | `[tekst](#tab:x)` | `@tab:x` — a **cross-reference**; the link text is dropped because Typst writes the supplement ("Tabel 4.1") itself |
//! | `[tekst](https://…)` | `#link("https://…")[tekst]` |
//! | `<https://…>` | `#link("https://…")` |
//! | `[^1]` + `[^1]: …` | `#footnote[…]` at the reference |
//! | GFM table | `#table(columns: N, align: (…), table.header(…), …)` |
//! | `---` | `#line(length: 100%)` |
//! | `![titel](fig.svg)` | `#figure(image("fig.svg"), caption: [titel])` |
//! | `$x$`, `$$x$$` | `$x$`, `$ x $` — the author writes **Typst** math syntax, passed through verbatim |
//! | `<!--raw:N-->` | `raw[N]` verbatim (block or inline) |
//!
//! A placeholder alone on its line (possibly with other placeholders) is a block, as in
//! CommonMark; it also interrupts a paragraph. A placeholder followed by text on the same line
//! is inline, even at the start of a line (CommonMark alone would turn that whole line into an
//! HTML block; we swap such placeholders for private-use sentinels before parsing, so
//! U+E000/U+E001 are reserved in the input). Placeholders inside code, math or link targets
//! are errors.
//!
//! Any other HTML (block or inline, including ordinary `<!-- comments -->`) is an error, so that
//! report text never vanishes unnoticed. Unknown heading classes or attributes are errors too
//! (they are most likely typos of `.unnumbered`).
//!
//! A footnote referenced twice is written in full at the first reference with a label
//! `<fn-N>`, and as `#footnote(<fn-N>)` at later references (same number in the PDF). A
//! footnote defined but never referenced is an error (its text would be lost); a reference to
//! an undefined footnote is left as literal text `[^x]` by pulldown-cmark.
//!
//! # Text escaping
//!
//! Text is escaped for Typst markup following the 0.15.1 lexer/parser (see
//! `typst-syntax/src/lexer.rs`) and pandoc's `escapeTypst`, so that it appears exactly as
//! written ([`escape_text`]):
//!
//! * always backslash-escaped: `` \ # [ ] $ ` < > @ * _ ~ ' " ``. Escaping `'` and `"` keeps
//!   them straight as written (no smart quotes; Danish authors type „…" themselves);
//! * `/` before `/` or `*` (comments, and therefore also `http://` automatic links), and a `/`
//!   at the end of a text run (whatever follows is our own markup or raw Typst);
//! * `-?` (soft-hyphen shorthand) → `\-?`;
//! * at the start of a line or of a content block: `=`-runs, `-`, `+`, `/` followed by a
//!   space (or the end of the text run), and `1.`-style enumeration markers (`1\.`);
//! * a leading `(` or `.` of text glued to a preceding element (`#emph[x](3)` would be a call,
//!   `#raw("x").y` a field access); text glued to a `@ref` is separated from it;
//! * NBSP U+00A0 → `~`; the newline characters U+0085/U+2028/U+2029, CR, VT and FF → space.
//!
//! Deliberately **not** escaped: the shorthands `--` (en dash), `---` (em dash) and `...`
//! (ellipsis) stay Typst shorthands, and `-` before a digit stays, which Typst renders as a
//! real minus sign when the `-` starts a word — desired for Danish negative numbers such as
//! ` -3,4` (inside a word, as in `2019-2020`, it stays a hyphen). `:` is only special
//! in term lists, which we never produce. Danish letters æøåÆØÅ and all other Unicode pass
//! through unchanged.
//!
//! Math is recognised by pulldown-cmark's rules; amounts such as `5$ og 6$`, `$5 og $6` and
//! `5 $ og 6 $` stay text (tested), but write `\$` for a literal dollar sign to be sure.

use crate::typst_text::typst_string;
use std::collections::{HashMap, HashSet};

use pulldown_cmark::{
    Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
};

/// Errors from [`markdown_to_typst`]. Every variant names the 1-based Markdown line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkdownError {
    /// A `<!--raw:N-->` placeholder whose index is not in the supplied slice.
    #[error(
        "markdown-linje {line}: pladsholderen <!--raw:{index}--> har intet indhold (kun {available} er givet)"
    )]
    UnknownRaw {
        /// Markdown line.
        line: usize,
        /// The placeholder's index.
        index: usize,
        /// Number of raw snippets supplied.
        available: usize,
    },
    /// HTML other than a raw placeholder.
    #[error(
        "markdown-linje {line}: HTML er ikke tilladt i rapportens tekst (kun pladsholdere <!--raw:N-->): {html}"
    )]
    Html {
        /// Markdown line.
        line: usize,
        /// The offending HTML (shortened).
        html: String,
    },
    /// A footnote definition that no reference uses.
    #[error(
        "markdown-linje {line}: fodnoten [^{label}] er defineret, men der henvises aldrig til den"
    )]
    UnusedFootnote {
        /// Markdown line of the definition.
        line: usize,
        /// Footnote label.
        label: String,
    },
    /// A heading id that cannot be a Typst label.
    #[error("markdown-linje {line}: overskriftens id {id:?} kan ikke bruges som typst-etiket")]
    BadLabel {
        /// Markdown line.
        line: usize,
        /// The id.
        id: String,
    },
    /// Anything else we cannot represent.
    #[error("markdown-linje {line}: {what}")]
    Unsupported {
        /// Markdown line.
        line: usize,
        /// What was found.
        what: String,
    },
}

/// The pulldown-cmark options used for report text.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
}

/// Converts report Markdown to Typst markup.
///
/// `raw` holds already-rendered Typst snippets; the Markdown refers to them with
/// `<!--raw:N-->` placeholders (as a block of its own or inline), which are replaced by
/// `raw[N]` verbatim. See the [module documentation](self) for the full mapping and the
/// escaping rules.
///
/// ```
/// use effektrapport::render::markdown::markdown_to_typst;
/// let typ = markdown_to_typst("# Effekter {#kap-effekter}\n\nSe [Tabel 4.1](#tab:t41), *p*<0.05.\n", &[]).unwrap();
/// assert_eq!(typ, "= Effekter <kap-effekter>\n\nSe @tab:t41, #emph[p]\\<0.05.\n");
/// ```
pub fn markdown_to_typst(md: &str, raw: &[String]) -> Result<String, MarkdownError> {
    let (md, sentinels) = protect_inline_placeholders(md)?;
    let tree = build_tree(&md)?;

    let mut footnotes = HashMap::new();
    collect_footnotes(&tree, &mut footnotes);
    let mut ref_counts = HashMap::new();
    count_footnote_refs(&tree, &mut ref_counts);

    let mut w = Writer {
        out: String::new(),
        raw,
        sentinels: &sentinels,
        footnotes: &footnotes,
        used_footnotes: HashMap::new(),
        ref_counts,
        active_footnotes: HashSet::new(),
        ref_end: None,
        depth: 0,
    };
    w.flow(&tree, "\n\n", false)?;

    // Report text must not vanish: every footnote definition has to be referenced.
    let mut unused: Vec<_> = footnotes
        .iter()
        .filter(|(label, _)| !w.used_footnotes.contains_key(*label))
        .map(|(label, def)| (def.line, label.to_string()))
        .collect();
    unused.sort();
    if let Some((line, label)) = unused.into_iter().next() {
        return Err(MarkdownError::UnusedFootnote { line, label });
    }

    let mut out = w.out;
    if let Some(pos) = out.find(SENTINEL_OPEN) {
        let line = sentinel_at(&out[pos..])
            .and_then(|k| sentinels.get(k))
            .map_or(1, |s| s.1);
        return Err(unsupported(
            line,
            "pladsholder inde i kode, en kodeblok, matematik eller et linkmål",
        ));
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push('\n');
    }
    Ok(out)
}

/// Escapes plain text for Typst markup so that it appears exactly as written, assuming the
/// most hostile position (start of a line, directly after an element).
///
/// The rules are listed in the [module documentation](self#text-escaping). The result only
/// contains backslash escapes and `~` (for NBSP), so undoing them restores the input (with
/// newline characters turned into spaces).
///
/// ```
/// use effektrapport::render::markdown::escape_text;
/// assert_eq!(escape_text("p<0.001 *ikke fed*"), "p\\<0.001 \\*ikke fed\\*");
/// assert_eq!(escape_text("1. januar"), "1\\. januar");
/// ```
pub fn escape_text(s: &str) -> String {
    let mut out = String::new();
    escape_into(&mut out, s, true, true, false);
    out
}

// ---------------------------------------------------------------------------------------------
// Tree

/// A parsed Markdown node with the 1-based line where it starts.
enum Node<'a> {
    Leaf {
        event: Event<'a>,
        line: usize,
    },
    Branch {
        tag: Tag<'a>,
        children: Vec<Node<'a>>,
        line: usize,
    },
}

/// The running prose of one section of a chapter: its heading and the text of its paragraphs
/// (list items and quotations included), as a reader reads them, without tables, figures,
/// captions and notes (those are placed as blocks, not written as paragraphs). The vintage diff
/// compares the report's sentences section by section from this (docs/diff.md).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prose {
    /// The section's heading ("" before the first heading).
    pub overskrift: String,
    /// Its paragraphs, whitespace collapsed.
    pub afsnit: Vec<String>,
}

/// The prose of a Markdown chapter (after its template has run), section by section.
pub fn prose(md: &str) -> Result<Vec<Prose>, MarkdownError> {
    let (md, _) = protect_inline_placeholders(md)?;
    let tree = build_tree(&md)?;
    let mut out = vec![Prose {
        overskrift: String::new(),
        afsnit: Vec::new(),
    }];
    collect_prose(&tree, &mut out);
    out.retain(|p| !p.afsnit.is_empty() || !p.overskrift.is_empty());
    Ok(out)
}

fn collect_prose(nodes: &[Node<'_>], out: &mut Vec<Prose>) {
    let squeeze = |t: String| t.split_whitespace().collect::<Vec<_>>().join(" ");
    for node in nodes {
        let Node::Branch { tag, children, .. } = node else {
            continue;
        };
        match tag {
            Tag::Heading { .. } => out.push(Prose {
                overskrift: squeeze(plain_text(children)),
                afsnit: Vec::new(),
            }),
            Tag::Paragraph => {
                let text = squeeze(plain_text(children));
                if !text.is_empty()
                    && let Some(section) = out.last_mut()
                {
                    section.afsnit.push(text);
                }
            }
            Tag::List(_) | Tag::Item | Tag::BlockQuote(_) => collect_prose(children, out),
            _ => {}
        }
    }
}

/// The text of inline nodes without their markup (an image's alternative text).
fn plain_text(nodes: &[Node<'_>]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Leaf {
                event: Event::Text(t) | Event::Code(t) | Event::InlineMath(t),
                ..
            } => out.push_str(t),
            Node::Leaf {
                event: Event::SoftBreak | Event::HardBreak,
                ..
            } => out.push(' '),
            Node::Leaf { .. } => {}
            Node::Branch { children, .. } => out.push_str(&plain_text(children)),
        }
    }
    out
}

impl Node<'_> {
    fn line(&self) -> usize {
        match self {
            Node::Leaf { line, .. } | Node::Branch { line, .. } => *line,
        }
    }

    /// Whether this node is block-level (as opposed to inline content).
    fn is_block(&self) -> bool {
        match self {
            Node::Leaf { event, .. } => matches!(event, Event::Rule | Event::Html(_)),
            Node::Branch { tag, .. } => !matches!(
                tag,
                Tag::Emphasis
                    | Tag::Strong
                    | Tag::Strikethrough
                    | Tag::Superscript
                    | Tag::Subscript
                    | Tag::Link { .. }
                    | Tag::Image { .. }
            ),
        }
    }
}

/// Maximum nesting of Markdown containers (guards the recursive writer's stack).
const MAX_DEPTH: usize = 64;

fn build_tree(md: &str) -> Result<Vec<Node<'_>>, MarkdownError> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(md.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset).max(1);

    let mut stack: Vec<(Tag<'_>, Vec<Node<'_>>, usize)> = Vec::new();
    let mut top: Vec<Node<'_>> = Vec::new();
    for (event, range) in Parser::new_ext(md, markdown_options()).into_offset_iter() {
        let line = line_of(range.start);
        match event {
            Event::Start(tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(MarkdownError::Unsupported {
                        line,
                        what: format!("indlejring dybere end {MAX_DEPTH} niveauer"),
                    });
                }
                stack.push((tag, Vec::new(), line));
            }
            Event::End(_) => {
                let (tag, children, line) = stack.pop().expect("pulldown-cmark balances tags");
                let node = Node::Branch {
                    tag,
                    children,
                    line,
                };
                match stack.last_mut() {
                    Some((_, siblings, _)) => siblings.push(node),
                    None => top.push(node),
                }
            }
            event => {
                let node = Node::Leaf { event, line };
                match stack.last_mut() {
                    Some((_, siblings, _)) => siblings.push(node),
                    None => top.push(node),
                }
            }
        }
    }
    debug_assert!(stack.is_empty());
    Ok(top)
}

struct FootnoteDef<'t, 'a> {
    children: &'t [Node<'a>],
    line: usize,
}

fn collect_footnotes<'t, 'a>(
    nodes: &'t [Node<'a>],
    map: &mut HashMap<&'t str, FootnoteDef<'t, 'a>>,
) {
    for node in nodes {
        if let Node::Branch {
            tag,
            children,
            line,
        } = node
        {
            if let Tag::FootnoteDefinition(label) = tag {
                // The first definition wins, as in pulldown-cmark's HTML renderer.
                map.entry(label.as_ref()).or_insert(FootnoteDef {
                    children,
                    line: *line,
                });
            }
            collect_footnotes(children, map);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writer

struct Writer<'t, 'a, 'r> {
    out: String,
    raw: &'r [String],
    /// Inline placeholders replaced by sentinels: (raw index, Markdown line).
    sentinels: &'r [(usize, usize)],
    footnotes: &'t HashMap<&'t str, FootnoteDef<'t, 'a>>,
    /// Footnote label → Typst label number, for footnotes already written.
    used_footnotes: HashMap<&'t str, Option<usize>>,
    /// Number of references to each footnote label in the whole document.
    ref_counts: HashMap<&'t str, usize>,
    /// Footnotes being written (guards against a footnote that references itself).
    active_footnotes: HashSet<&'t str>,
    /// `out.len()` right after the last `@ref` was written.
    ref_end: Option<usize>,
    depth: usize,
}

type Res = Result<(), MarkdownError>;

fn unsupported(line: usize, what: impl Into<String>) -> MarkdownError {
    MarkdownError::Unsupported {
        line,
        what: what.into(),
    }
}

impl<'t, 'a> Writer<'t, 'a, '_> {
    /// Writes a sequence of nodes that may mix blocks and inline content (document, list
    /// item, block quote, footnote). Runs of inline nodes form one paragraph-like chunk;
    /// chunks are separated by `sep`.
    fn flow(&mut self, nodes: &'t [Node<'a>], sep: &str, in_heading: bool) -> Res {
        self.enter(nodes.first().map_or(1, Node::line))?;
        let mut first = true;
        let mut i = 0;
        while i < nodes.len() {
            let node = &nodes[i];
            if let Node::Branch {
                tag: Tag::FootnoteDefinition(_),
                ..
            } = node
            {
                i += 1;
                continue;
            }
            if !first {
                self.out.push_str(sep);
            }
            first = false;
            if node.is_block() {
                self.block(node)?;
                i += 1;
            } else {
                let end = nodes[i..]
                    .iter()
                    .position(Node::is_block)
                    .map_or(nodes.len(), |p| i + p);
                self.inlines(&nodes[i..end], in_heading)?;
                i = end;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn enter(&mut self, line: usize) -> Res {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(unsupported(
                line,
                format!("indlejring dybere end {MAX_DEPTH} niveauer"),
            ));
        }
        Ok(())
    }

    fn block(&mut self, node: &'t Node<'a>) -> Res {
        let line = node.line();
        match node {
            Node::Leaf {
                event: Event::Rule, ..
            } => self.out.push_str("#line(length: 100%)"),
            Node::Leaf { event, .. } => {
                return Err(unsupported(line, format!("uventet blok {event:?}")));
            }
            Node::Branch { tag, children, .. } => match tag {
                Tag::Paragraph => self.inlines(children, false)?,
                Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                } => {
                    self.heading(*level, id.as_deref(), classes, attrs, children, line)?;
                }
                Tag::BlockQuote(None) => {
                    self.out.push_str("#quote(block: true)[");
                    self.flow(children, "\n\n", false)?;
                    self.out.push(']');
                }
                Tag::BlockQuote(Some(kind)) => {
                    return Err(unsupported(
                        line,
                        format!("citatblok af typen {kind:?} understøttes ikke"),
                    ));
                }
                Tag::CodeBlock(kind) => {
                    let mut code = String::new();
                    for child in children {
                        match child {
                            Node::Leaf {
                                event: Event::Text(t),
                                ..
                            } => code.push_str(t),
                            other => {
                                return Err(unsupported(
                                    other.line(),
                                    "uventet indhold i en kodeblok",
                                ));
                            }
                        }
                    }
                    if code.ends_with('\n') {
                        code.pop();
                    }
                    self.out.push_str("#raw(block: true, ");
                    if let CodeBlockKind::Fenced(info) = kind
                        && let Some(lang) = info.split_whitespace().next()
                    {
                        self.out.push_str("lang: ");
                        self.out.push_str(&typst_string(lang));
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&typst_string(&code));
                    self.out.push(')');
                }
                Tag::HtmlBlock => {
                    let mut html = String::new();
                    for child in children {
                        if let Node::Leaf {
                            event: Event::Html(t),
                            ..
                        } = child
                        {
                            html.push_str(t);
                        }
                    }
                    self.html_block(&html, line)?;
                }
                Tag::List(start) => self.list(*start, children, line)?,
                Tag::Table(aligns) => self.table(aligns, children, line)?,
                Tag::FootnoteDefinition(_) => {}
                other => {
                    return Err(unsupported(
                        line,
                        format!("blokken understøttes ikke: {other:?}"),
                    ));
                }
            },
        }
        Ok(())
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<&str>,
        classes: &[CowStr<'a>],
        attrs: &[(CowStr<'a>, Option<CowStr<'a>>)],
        children: &'t [Node<'a>],
        line: usize,
    ) -> Res {
        let depth = level as usize;
        let mut numbered = true;
        let mut outlined = true;
        for class in classes {
            match class.as_ref() {
                "unnumbered" => numbered = false,
                "unlisted" => outlined = false,
                other => {
                    return Err(unsupported(
                        line,
                        format!(
                            "ukendt overskriftsklasse .{other} (kendte: .unnumbered, .unlisted)"
                        ),
                    ));
                }
            }
        }
        if let Some((key, _)) = attrs.first() {
            return Err(unsupported(
                line,
                format!("ukendt overskriftsattribut {key}"),
            ));
        }
        if let Some(id) = id
            && !is_label_literal(id)
        {
            return Err(MarkdownError::BadLabel {
                line,
                id: id.to_owned(),
            });
        }
        if numbered && outlined {
            self.out.push_str(&"=".repeat(depth));
            self.out.push(' ');
            self.inlines(children, true)?;
        } else {
            self.out.push_str("#heading(");
            let mut args = Vec::new();
            if depth != 1 {
                args.push(format!("depth: {depth}"));
            }
            if !numbered {
                args.push("numbering: none".to_owned());
            }
            if !outlined {
                args.push("outlined: false".to_owned());
            }
            self.out.push_str(&args.join(", "));
            self.out.push_str(")[");
            self.inlines(children, true)?;
            self.out.push(']');
        }
        if let Some(id) = id {
            self.out.push_str(" <");
            self.out.push_str(id);
            self.out.push('>');
        }
        Ok(())
    }

    fn html_block(&mut self, html: &str, line: usize) -> Res {
        let mut rest = html.trim();
        let mut first = true;
        while !rest.is_empty() {
            let (index, after) = parse_placeholder(rest).ok_or_else(|| html_error(rest, line))?;
            if !first {
                self.out.push('\n');
            }
            first = false;
            self.raw_snippet(index, line)?;
            rest = after.trim_start();
        }
        Ok(())
    }

    fn raw_snippet(&mut self, index: usize, line: usize) -> Res {
        let snippet = self.raw.get(index).ok_or(MarkdownError::UnknownRaw {
            line,
            index,
            available: self.raw.len(),
        })?;
        self.out.push_str(snippet);
        Ok(())
    }

    fn list(&mut self, start: Option<u64>, items: &'t [Node<'a>], line: usize) -> Res {
        // Loose items contain paragraphs; tight items contain inline content directly.
        let loose = items.iter().any(|item| match item {
            Node::Branch { children, .. } => children.iter().any(|c| {
                matches!(
                    c,
                    Node::Branch {
                        tag: Tag::Paragraph,
                        ..
                    }
                )
            }),
            Node::Leaf { .. } => false,
        });
        let mut args = Vec::new();
        match start {
            None => self.out.push_str("#list("),
            Some(n) => {
                self.out.push_str("#enum(");
                if n != 1 {
                    args.push(format!("start: {n}"));
                }
            }
        }
        if loose {
            args.push("tight: false".to_owned());
        }
        if !args.is_empty() {
            self.out.push_str(&args.join(", "));
            self.out.push(',');
        }
        self.out.push('\n');
        for item in items {
            let Node::Branch {
                tag: Tag::Item,
                children,
                ..
            } = item
            else {
                return Err(unsupported(line, "uventet indhold i en liste"));
            };
            self.out.push_str("  [");
            self.flow(children, if loose { "\n\n" } else { "\n" }, false)?;
            self.out.push_str("],\n");
        }
        self.out.push(')');
        Ok(())
    }

    fn table(&mut self, aligns: &[Alignment], rows: &'t [Node<'a>], line: usize) -> Res {
        let columns = aligns.len();
        self.out
            .push_str(&format!("#table(\n  columns: {columns},\n"));
        if aligns.iter().any(|a| *a != Alignment::None) {
            let names: Vec<&str> = aligns
                .iter()
                .map(|a| match a {
                    Alignment::None => "auto",
                    Alignment::Left => "left",
                    Alignment::Center => "center",
                    Alignment::Right => "right",
                })
                .collect();
            self.out
                .push_str(&format!("  align: ({}", names.join(", ")));
            if columns == 1 {
                self.out.push(',');
            }
            self.out.push_str("),\n");
        }
        for row in rows {
            let Node::Branch {
                tag,
                children: cells,
                line: row_line,
            } = row
            else {
                return Err(unsupported(line, "uventet indhold i en tabel"));
            };
            let header = matches!(tag, Tag::TableHead);
            self.out
                .push_str(if header { "  table.header(" } else { "  " });
            let mut n = 0;
            for cell in cells {
                let Node::Branch {
                    tag: Tag::TableCell,
                    children,
                    ..
                } = cell
                else {
                    return Err(unsupported(*row_line, "uventet indhold i en tabelrække"));
                };
                if n >= columns {
                    break;
                }
                if n > 0 {
                    self.out.push_str(", ");
                }
                self.out.push('[');
                self.inlines(children, false)?;
                self.out.push(']');
                n += 1;
            }
            while n < columns {
                self.out.push_str(if n > 0 { ", []" } else { "[]" });
                n += 1;
            }
            self.out.push_str(if header { "),\n" } else { ",\n" });
        }
        self.out.push(')');
        Ok(())
    }

    /// Writes inline nodes. Consecutive text events are merged before escaping, so that
    /// escaping sees whole runs (`/` + `/` split over two events is still a comment).
    fn inlines(&mut self, nodes: &'t [Node<'a>], in_heading: bool) -> Res {
        self.enter(nodes.first().map_or(1, Node::line))?;
        let mut text = String::new();
        let mut text_line = 1;
        for node in nodes {
            if let Node::Leaf {
                event: Event::Text(t),
                line,
            } = node
            {
                if text.is_empty() {
                    text_line = *line;
                }
                text.push_str(t);
                continue;
            }
            if !text.is_empty() {
                self.text(&text, text_line)?;
                text.clear();
            }
            self.inline(node, in_heading)?;
        }
        if !text.is_empty() {
            self.text(&text, text_line)?;
        }
        self.depth -= 1;
        Ok(())
    }

    /// Writes a text run: escaped text, with sentinels replaced by their raw snippets.
    fn text(&mut self, text: &str, line: usize) -> Res {
        let mut rest = text;
        while let Some(pos) = rest.find(SENTINEL_OPEN) {
            let Some(k) = sentinel_at(&rest[pos..]) else {
                break;
            };
            self.escaped(&rest[..pos]);
            let &(index, raw_line) = self
                .sentinels
                .get(k)
                .ok_or_else(|| unsupported(line, "ødelagt markering af en pladsholder"))?;
            self.raw_snippet(index, raw_line)?;
            let close = rest[pos..]
                .find(SENTINEL_CLOSE)
                .expect("sentinel_at checked the end");
            rest = &rest[pos + close + SENTINEL_CLOSE.len_utf8()..];
        }
        self.escaped(rest);
        Ok(())
    }

    fn escaped(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let line_start = at_line_start(&self.out);
        let glued = self
            .out
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_whitespace());
        let after_ref = self.ref_end == Some(self.out.len());
        escape_into(&mut self.out, text, line_start, glued, after_ref);
    }

    fn inline(&mut self, node: &'t Node<'a>, in_heading: bool) -> Res {
        let line = node.line();
        match node {
            Node::Leaf { event, .. } => match event {
                Event::Text(t) => self.text(t, line)?,
                Event::Code(code) => {
                    self.out.push_str("#raw(");
                    self.out.push_str(&typst_string(code));
                    self.out.push(')');
                }
                // The author's math source is the equation's alternative text (PDF/UA).
                Event::InlineMath(math) => {
                    self.out.push_str("#[#set math.equation(alt: ");
                    self.out.push_str(&typst_string(math.trim()));
                    self.out.push_str(");$");
                    self.out.push_str(math.trim());
                    self.out.push_str("$]");
                }
                Event::DisplayMath(math) => {
                    self.out.push_str("#[#set math.equation(alt: ");
                    self.out.push_str(&typst_string(math.trim()));
                    self.out.push_str(");\n$ ");
                    self.out.push_str(math.trim());
                    self.out.push_str(" $\n]");
                }
                Event::SoftBreak => self.out.push(' '),
                Event::HardBreak => self.out.push_str(if in_heading { "\\ " } else { "\\\n" }),
                Event::InlineHtml(html) => {
                    let (index, rest) =
                        parse_placeholder(html).ok_or_else(|| html_error(html, line))?;
                    if !rest.trim().is_empty() {
                        return Err(html_error(html, line));
                    }
                    self.raw_snippet(index, line)?;
                }
                Event::FootnoteReference(label) => self.footnote(label, line)?,
                other => {
                    return Err(unsupported(
                        line,
                        format!("understøttes ikke i teksten: {other:?}"),
                    ));
                }
            },
            Node::Branch { tag, children, .. } => match tag {
                Tag::Emphasis => self.wrap("#emph[", children, in_heading)?,
                Tag::Strong => self.wrap("#strong[", children, in_heading)?,
                Tag::Strikethrough => self.wrap("#strike[", children, in_heading)?,
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                } => {
                    self.link(*link_type, dest_url, children, in_heading)?;
                }
                Tag::Image { dest_url, .. } => {
                    self.out.push_str("#figure(image(");
                    self.out.push_str(&typst_string(dest_url));
                    // Markdown's image text is the alternative text (PDF/UA); without it the
                    // export stops at this line.
                    let alt = plain_text(children);
                    if !alt.trim().is_empty() {
                        self.out.push_str(", alt: ");
                        self.out.push_str(&typst_string(alt.trim()));
                    }
                    self.out.push(')');
                    if !children.is_empty() {
                        self.out.push_str(", caption: [");
                        self.inlines(children, in_heading)?;
                        self.out.push(']');
                    }
                    self.out.push(')');
                }
                other => {
                    return Err(unsupported(
                        line,
                        format!("understøttes ikke i teksten: {other:?}"),
                    ));
                }
            },
        }
        Ok(())
    }

    fn wrap(&mut self, open: &str, children: &'t [Node<'a>], in_heading: bool) -> Res {
        self.out.push_str(open);
        self.inlines(children, in_heading)?;
        self.out.push(']');
        Ok(())
    }

    fn link(
        &mut self,
        link_type: LinkType,
        dest: &str,
        children: &'t [Node<'a>],
        in_heading: bool,
    ) -> Res {
        if let Some(label) = dest.strip_prefix('#') {
            // Cross-reference: Typst writes the supplement ("Tabel 4.1") itself, so the link
            // text is dropped.
            if is_label_literal(label) && !label.ends_with(['.', ':']) {
                self.out.push('@');
                self.out.push_str(label);
                self.ref_end = Some(self.out.len());
            } else {
                self.out.push_str("#ref(label(");
                self.out.push_str(&typst_string(label));
                self.out.push_str("))");
            }
            return Ok(());
        }
        match link_type {
            LinkType::Autolink => {
                self.out.push_str("#link(");
                self.out.push_str(&typst_string(dest));
                self.out.push(')');
            }
            LinkType::Email => {
                self.out.push_str("#link(");
                self.out.push_str(&typst_string(&format!("mailto:{dest}")));
                self.out.push_str(")[");
                self.text(dest, 1)?;
                self.out.push(']');
            }
            _ => {
                self.out.push_str("#link(");
                self.out.push_str(&typst_string(dest));
                self.out.push(')');
                if !children.is_empty() {
                    self.wrap("[", children, in_heading)?;
                }
            }
        }
        Ok(())
    }

    fn footnote(&mut self, label: &str, line: usize) -> Res {
        let Some((&key, def)) = self.footnotes.get_key_value(label) else {
            // pulldown-cmark only emits references to defined footnotes; keep the text anyway.
            self.text(&format!("[^{label}]"), line)?;
            return Ok(());
        };
        if self.active_footnotes.contains(key) {
            return Err(unsupported(
                line,
                format!("fodnoten [^{label}] henviser til sig selv"),
            ));
        }
        if let Some(&slot) = self.used_footnotes.get(key) {
            // Later reference: point to the first one, which carries the label `<fn-N>`.
            let Some(n) = slot else {
                return Err(unsupported(
                    line,
                    format!("der henvises to gange til fodnoten [^{label}]"),
                ));
            };
            self.out.push_str(&format!("#footnote(<fn-{n}>)"));
            return Ok(());
        }
        self.active_footnotes.insert(key);
        let multi = self.ref_counts.get(key).copied().unwrap_or(0) > 1;
        let n = self.used_footnotes.len() + 1;
        self.used_footnotes
            .insert(key, if multi { Some(n) } else { None });
        self.out.push_str("#footnote[");
        // A single paragraph is written inline; several blocks are separated by paragraph breaks.
        match def.children {
            [
                Node::Branch {
                    tag: Tag::Paragraph,
                    children,
                    ..
                },
            ] => self.inlines(children, false)?,
            blocks => self.flow(blocks, "\n\n", false)?,
        }
        self.out.push(']');
        if multi {
            self.out.push_str(&format!("<fn-{n}>"));
        }
        self.active_footnotes.remove(key);
        Ok(())
    }
}

fn count_footnote_refs<'t>(nodes: &'t [Node<'_>], counts: &mut HashMap<&'t str, usize>) {
    for node in nodes {
        match node {
            Node::Leaf {
                event: Event::FootnoteReference(label),
                ..
            } => {
                *counts.entry(label.as_ref()).or_insert(0) += 1;
            }
            Node::Branch { children, .. } => count_footnote_refs(children, counts),
            Node::Leaf { .. } => {}
        }
    }
}

/// Opens the sentinel that replaces an inline placeholder `<!--raw:N-->` followed by text on
/// its line (private-use characters, rejected in the input).
const SENTINEL_OPEN: char = '\u{E000}';
/// Closes the sentinel.
const SENTINEL_CLOSE: char = '\u{E001}';

/// A replaced inline placeholder: (raw index, Markdown line).
type Sentinel = (usize, usize);

/// Parses the sentinel number at the start of `s` (which starts with [`SENTINEL_OPEN`]).
fn sentinel_at(s: &str) -> Option<usize> {
    let inner = s.strip_prefix(SENTINEL_OPEN)?;
    let end = inner.find(SENTINEL_CLOSE)?;
    inner[..end].parse().ok()
}

/// A line that starts with `<!--raw:N-->` would be an HTML block in CommonMark and swallow the
/// rest of its line as HTML. So every placeholder on a line that continues with text after
/// its last placeholder is replaced by a sentinel that pulldown-cmark treats as text; the
/// writer puts the raw snippet back. Placeholders that end their line are left alone: alone
/// on a line they are a block, after text they are inline HTML — both handled directly.
///
/// Returns the rewritten Markdown (same lines) and, per sentinel, (raw index, line).
fn protect_inline_placeholders(
    md: &str,
) -> Result<(std::borrow::Cow<'_, str>, Vec<Sentinel>), MarkdownError> {
    if let Some(pos) = md.find([SENTINEL_OPEN, SENTINEL_CLOSE]) {
        let line = md[..pos].matches('\n').count() + 1;
        return Err(unsupported(
            line,
            "tegnene U+E000/U+E001 (privat brug) er reserverede",
        ));
    }
    if !md.contains("<!--raw:") {
        return Ok((std::borrow::Cow::Borrowed(md), Vec::new()));
    }
    let mut out = String::with_capacity(md.len());
    let mut sentinels = Vec::new();
    for (i, line) in md.split_inclusive('\n').enumerate() {
        // (start, end, raw index) of each placeholder on the line.
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(p) = line[from..].find("<!--raw:") {
            let start = from + p;
            match parse_placeholder(&line[start..]) {
                Some((index, rest)) => {
                    let end = line.len() - rest.len();
                    found.push((start, end, index));
                    from = end;
                }
                None => from = start + 1,
            }
        }
        let text_after = found
            .last()
            .is_some_and(|&(_, end, _)| !line[end..].trim().is_empty());
        if !text_after {
            out.push_str(line);
            continue;
        }
        let mut last = 0;
        for (start, end, index) in found {
            out.push_str(&line[last..start]);
            out.push(SENTINEL_OPEN);
            out.push_str(&sentinels.len().to_string());
            out.push(SENTINEL_CLOSE);
            sentinels.push((index, i + 1));
            last = end;
        }
        out.push_str(&line[last..]);
    }
    Ok((std::borrow::Cow::Owned(out), sentinels))
}

fn html_error(html: &str, line: usize) -> MarkdownError {
    let html = html.trim();
    let short: String = html.chars().take(60).collect();
    let html = if short.len() < html.len() {
        format!("{short}…")
    } else {
        short
    };
    MarkdownError::Html { line, html }
}

/// Parses `<!--raw:N-->` at the start of `s`; returns N and the rest.
fn parse_placeholder(s: &str) -> Option<(usize, &str)> {
    let rest = s.strip_prefix("<!--raw:")?;
    let end = rest.find("-->")?;
    let index = rest[..end].trim().parse().ok()?;
    Some((index, &rest[end + 3..]))
}

/// Whether `s` can be written as a Typst label literal `<s>` / reference `@s`
/// (identifier characters, `_`, `-`, `:`, `.`).
fn is_label_literal(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || c.is_alphabetic() || matches!(c, '_' | '-' | ':' | '.')
        })
}

fn is_typst_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\x0B' | '\x0C' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether the next output character starts a line in Typst's sense (after a newline or at
/// the start of a content block), ignoring spaces and tabs. Conservative: a `[` that was
/// itself escaped also counts, which only causes harmless extra escapes.
fn at_line_start(out: &str) -> bool {
    match out.trim_end_matches([' ', '\t']).chars().next_back() {
        None => true,
        Some(c) => c == '[' || is_typst_newline(c),
    }
}

/// Index (in chars) of the character to escape so that a line starting at `chars[start..]`
/// does not begin with a heading, list, enum or term marker.
fn line_marker(chars: &[char], start: usize) -> Option<usize> {
    let space_or_end = |i: usize| {
        chars.get(i).is_none_or(|c| c.is_whitespace())
            || (chars.get(i) == Some(&'/') && matches!(chars.get(i + 1), Some('/' | '*')))
    };
    let first = *chars.get(start)?;
    match first {
        '=' => {
            let mut i = start;
            while chars.get(i) == Some(&'=') {
                i += 1;
            }
            space_or_end(i).then_some(start)
        }
        '-' | '+' | '/' => space_or_end(start + 1).then_some(start),
        '0'..='9' => {
            let mut i = start;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            (chars.get(i) == Some(&'.') && space_or_end(i + 1)).then_some(i)
        }
        _ => None,
    }
}

/// Escapes a text run into `out`.
///
/// * `line_start`: the run starts at the beginning of a line / content block;
/// * `glued`: the run directly follows a non-space character of our output (an element);
/// * `after_ref`: the run directly follows an `@ref`.
fn escape_into(out: &mut String, s: &str, line_start: bool, glued: bool, after_ref: bool) {
    let chars: Vec<char> = s
        .chars()
        .map(|c| if is_typst_newline(c) { ' ' } else { c })
        .collect();
    let Some(&first) = chars.first() else { return };

    let marker = if line_start {
        let start = chars
            .iter()
            .position(|c| !matches!(c, ' ' | '\t'))
            .unwrap_or(chars.len());
        line_marker(&chars, start)
    } else {
        None
    };
    let second = chars.get(1).copied();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    // `#f[x](…)` is a call and `#f[x].y` a field access.
    let mut escape_first = glued && (first == '(' || (first == '.' && word(second)));
    if after_ref {
        // A reference eats identifier characters, `-`, `.` and `:`, then gives back trailing
        // `.`/`:`.
        let run = chars.iter().take_while(|c| matches!(c, '.' | ':')).count();
        if first == '-' || (run > 0 && word(chars.get(run).copied())) {
            escape_first = true;
        } else if first.is_alphanumeric() {
            // `@tab:x` followed by `s` would read `@tab:xs`; an empty content block separates.
            out.push_str("#[]");
        }
    }

    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let escape = (i == 0 && escape_first)
            || marker == Some(i)
            || match c {
                '\\' | '#' | '[' | ']' | '$' | '`' | '<' | '>' | '@' | '*' | '_' | '~' | '\''
                | '"' => true,
                '/' => matches!(next, None | Some('/' | '*')),
                '-' => next == Some('?'),
                _ => false,
            };
        if c == '\u{a0}' {
            out.push('~');
            continue;
        }
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
}
