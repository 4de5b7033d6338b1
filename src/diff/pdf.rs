//! `diff.pdf`: the comparison typeset in Danish with the embedded typst compiler
//! ([`crate::pdf::Document`]). Every computed text goes through [`typst_string`], so nothing in
//! the reports or keys is read as markup.

use super::Diff;
use super::summary::{conclusion_notes, difference, number, short_value};
use super::values::{CountChange, KeyEntry};
use crate::typst_text::typst_string;
use anyhow::Result;
use std::fmt::Write;

/// The document date (fixed, so the same inputs give a byte-identical PDF; the date is not
/// printed).
const DATE: (i32, u32, u32) = (2000, 1, 1);

/// The layout: page, fonts, and the helpers the body uses.
const LAYOUT: &str = r##"
#let farve = rgb("#004c6d")
#let streg = rgb("#9aa7b0")
#set document(title: "Ændringer mellem to kørsler af effektrapporten", date: auto)
#set text(font: "Libertinus Serif", size: 10pt, lang: "da", region: "DK")
#set par(justify: false, leading: 0.6em, spacing: 0.9em)
#set page(paper: "a4", margin: (x: 2cm, top: 2.2cm, bottom: 2.2cm), numbering: "1",
  footer: context align(center, text(size: 8pt, counter(page).display("1"))))
#set heading(numbering: "1")
#show heading: set text(fill: farve)
#show heading.where(level: 1): set block(above: 1.4em, below: 0.8em)
#let fjernet(s) = text(fill: rgb("#b00020"), strike(s))
#let tilfoejet(s) = text(fill: rgb("#1b6e20"), underline(s))
#let noegle(s) = text(font: "DejaVu Sans Mono", size: 7pt, s)
#let lille(s) = text(size: 8pt, fill: luma(90), s)
#let tabel(columns: (), header: (), hoejre-fra: 1, ..cells) = {
  set text(size: 8pt)
  table(
    columns: columns,
    stroke: (x, y) => (bottom: if y == 0 { 0.6pt + farve } else { 0.25pt + streg }),
    inset: (x: 3pt, y: 3pt),
    align: (x, y) => if x < hoejre-fra { left } else { right },
    table.header(..header.map(h => text(weight: "bold", h))),
    ..cells.pos(),
  )
}
#let saetning(etiket, konklusion, body) = block(
  breakable: true, width: 100%, inset: (left: 6pt, y: 3pt),
  stroke: (left: if konklusion { 2pt + farve } else { 0.8pt + streg }),
)[#lille(etiket) \ #body]
"##;

/// A typst string literal in code position: `#"…"` in markup.
fn s(text: &str) -> String {
    format!("#{}", typst_string(text))
}

/// A key with break opportunities after its dots.
fn key(k: &str) -> String {
    format!("noegle({})", typst_string(&k.replace('.', ".\u{200b}")))
}

fn count(c: &CountChange) -> String {
    let f = |v: Option<u64>| v.map_or("–".to_string(), crate::locale::heltal);
    format!("{} → {}", f(c.gammel), f(c.ny))
}

/// The typst source of the document.
pub fn typst_source(diff: &Diff) -> String {
    let mut t = String::from(LAYOUT);
    let c = &diff.opsummering;
    let _ = writeln!(
        t,
        "#text(size: 17pt, weight: \"bold\", fill: farve)[Ændringer mellem to kørsler af effektrapporten]\n"
    );
    let _ = writeln!(t, "#lille[Gammel kørsel:] {} \\", s(&diff.gammel));
    let _ = writeln!(t, "#lille[Ny kørsel:] {} \\", s(&diff.ny));
    let _ = writeln!(
        t,
        "#lille[Relativ tolerance:] {}\n",
        s(&number(Some(diff.tolerance)))
    );

    // 1. Summary.
    let _ = writeln!(t, "= Oversigt\n");
    if !diff.aendret {
        let _ = writeln!(
            t,
            "Der er ingen ændringer i estimater, tal, nøgler eller rapportens tekst.\n"
        );
    }
    let lines = [
        ("Estimater ændret", c.estimater_aendret),
        ("heraf med flere stjerner", c.stjerner_vundet),
        ("heraf med færre stjerner", c.stjerner_mistet),
        (
            "heraf hvor signifikansen krydser 10 % eller 5 %",
            c.signifikans_krydset,
        ),
        ("heraf med fortegnsskift", c.fortegn_skiftet),
        ("Andre tal ændret", c.tal_aendret),
        ("Tekster ændret", c.tekster_aendret),
        ("Nøgler tilføjet", c.noegler_tilfoejet),
        ("Nøgler fjernet", c.noegler_fjernet),
        ("Advarsler tilføjet eller fjernet", c.advarsler_aendret),
        ("Sætninger ændret", c.saetninger_aendret),
        ("Sætninger tilføjet", c.saetninger_tilfoejet),
        ("Sætninger fjernet", c.saetninger_fjernet),
        ("heraf med konklusioner", c.konklusioner_aendret),
    ];
    let _ = write!(t, "#tabel(columns: (auto, auto), header: (\"\", \"Antal\")");
    for (label, n) in lines {
        let _ = write!(
            t,
            ", {}, {}",
            typst_string(label),
            typst_string(&crate::locale::heltal(n))
        );
    }
    let _ = writeln!(t, ")\n");
    if !diff.tekst_sammenlignet {
        let _ = writeln!(t, "Rapporternes tekst er ikke sammenlignet:\n");
    }
    for note in &diff.bemaerkninger {
        let _ = writeln!(t, "- {}", s(note));
    }

    // 2. Provenance.
    let _ = writeln!(t, "\n= Proveniens\n");
    let _ = writeln!(
        t,
        "Hvor tallene kommer fra. Felter, der er forskellige i de to kørsler, er markeret med •. Fingeraftryk er forkortet (fuldt i diff.json).\n"
    );
    let _ = write!(
        t,
        "#tabel(columns: (auto, 1fr, 1fr, auto), hoejre-fra: 9, header: (\"Felt\", \"Gammel\", \"Ny\", \"\")"
    );
    for f in &diff.proveniens.felter {
        let _ = write!(
            t,
            ", {}, {}, {}, {}",
            typst_string(&f.etiket),
            typst_string(&short_value(&f.gammel)),
            typst_string(&short_value(&f.ny)),
            typst_string(if f.forskellig { "•" } else { "" })
        );
    }
    let _ = writeln!(t, ")\n");

    // 3. Sentences.
    let _ = writeln!(t, "= Rapportens tekst\n");
    if !diff.tekst_sammenlignet {
        let _ = writeln!(t, "Ikke sammenlignet (se oversigten).\n");
    } else if diff.saetninger.is_empty() {
        let _ = writeln!(t, "Ingen sætninger er ændret.\n");
    } else {
        let _ = writeln!(
            t,
            "Sætninger med konklusioner (signifikant, robust, afhænger, peger) står først, derefter i læserækkefølge. #fjernet[Overstreget] er fjernet, #tilfoejet[understreget] er tilføjet.\n"
        );
        for sentence in &diff.saetninger {
            let place = match (sentence.gammel_nr, sentence.ny_nr) {
                (Some(i), Some(j)) => format!("ændret · sætning {i} → {j}"),
                (Some(i), None) => format!("fjernet · sætning {i}"),
                (None, Some(j)) => format!("tilføjet · sætning {j}"),
                (None, None) => String::new(),
            };
            let place = match &sentence.afsnit {
                Some(section) => format!("{section} · {place}"),
                None => place,
            };
            let label = if sentence.konklusion {
                format!("Konklusion · {place}")
            } else {
                place
            };
            let mut body = String::new();
            for run in &sentence.ord {
                let text = typst_string(&run.tekst);
                match run.art {
                    "fjernet" => {
                        let _ = write!(body, "#fjernet({text}) ");
                    }
                    "tilfoejet" => {
                        let _ = write!(body, "#tilfoejet({text}) ");
                    }
                    _ => {
                        let _ = write!(body, "#{text} ");
                    }
                }
            }
            let _ = writeln!(
                t,
                "#saetning({}, {})[{}]\n",
                typst_string(&label),
                sentence.konklusion,
                body.trim_end()
            );
        }
    }

    // 4. Estimates.
    let _ = writeln!(t, "= Estimater\n");
    if diff.estimater.is_empty() {
        let _ = writeln!(t, "Ingen estimater er ændret.\n");
    } else {
        let _ = writeln!(
            t,
            "Ændringer, der berører konklusionerne (stjerner, signifikans, fortegn), står først. Estimatet vises med stjerner; forskellen er ny minus gammel.\n"
        );
        let _ = write!(
            t,
            "#tabel(columns: (1fr, auto, auto, auto, auto, auto), header: (\"Nøgle\", \"Estimat\", \"Forskel\", \"SE\", \"p\", \"N\")"
        );
        for e in &diff.estimater {
            let _ = write!(
                t,
                ", {}, {}, {}, {}, {}, {}",
                key(&e.noegle),
                typst_string(&format!(
                    "{}{} → {}{}",
                    number(e.est.gammel),
                    e.stjerner.gammel,
                    number(e.est.ny),
                    e.stjerner.ny
                )),
                typst_string(&difference(e.est.forskel)),
                typst_string(&format!("{} → {}", number(e.se.gammel), number(e.se.ny))),
                typst_string(&format!("{} → {}", number(e.p.gammel), number(e.p.ny))),
                typst_string(&count(&e.n)),
            );
            let notes = conclusion_notes(e);
            if !notes.is_empty() {
                let _ = write!(
                    t,
                    ", table.cell(colspan: 6, align: left, inset: (left: 12pt, y: 2pt), text(fill: farve, {}))",
                    typst_string(&notes.join("; "))
                );
            }
        }
        let _ = writeln!(t, ")\n");
    }

    // 5. Other numbers.
    let _ = writeln!(t, "= Andre tal\n");
    if diff.tal.is_empty() {
        let _ = writeln!(t, "Ingen andre tal er ændret.\n");
    } else {
        let _ = write!(
            t,
            "#tabel(columns: (1fr, auto, auto, auto), header: (\"Nøgle\", \"Gammel\", \"Ny\", \"Forskel\")"
        );
        for n in &diff.tal {
            let _ = write!(
                t,
                ", {}, {}, {}, {}",
                key(&n.noegle),
                typst_string(&number(n.gammel)),
                typst_string(&number(n.ny)),
                typst_string(&difference(n.forskel))
            );
        }
        let _ = writeln!(t, ")\n");
    }

    // 6. Keys, texts and warnings.
    let _ = writeln!(t, "= Tilføjede og fjernede nøgler, tekster og advarsler\n");
    let keys = |t: &mut String, title: &str, entries: &[KeyEntry]| {
        if entries.is_empty() {
            let _ = writeln!(t, "{}: ingen.\n", s(title));
            return;
        }
        let _ = write!(
            t,
            "{}:\n\n#tabel(columns: (auto, 1fr), hoejre-fra: 9, header: (\"Slags\", \"Nøgle\")",
            s(title)
        );
        for k in entries {
            let _ = write!(t, ", {}, {}", typst_string(k.slags), key(&k.noegle));
        }
        let _ = writeln!(t, ")\n");
    };
    keys(&mut t, "Nøgler kun i den nye kørsel", &diff.tilfoejet);
    keys(&mut t, "Nøgler kun i den gamle kørsel", &diff.fjernet);
    if !diff.tekster.is_empty() {
        let _ = write!(
            t,
            "Ændrede tekster:\n\n#tabel(columns: (auto, 1fr, 1fr), hoejre-fra: 9, header: (\"Nøgle\", \"Gammel\", \"Ny\")"
        );
        for x in &diff.tekster {
            let _ = write!(
                t,
                ", {}, {}, {}",
                key(&x.noegle),
                typst_string(&x.gammel),
                typst_string(&x.ny)
            );
        }
        let _ = writeln!(t, ")\n");
    }
    for (title, list) in [
        ("Nye advarsler", &diff.advarsler.tilfoejet),
        ("Advarsler, der ikke længere gives", &diff.advarsler.fjernet),
    ] {
        if !list.is_empty() {
            let _ = writeln!(t, "{}:\n", s(title));
            for w in list {
                let _ = writeln!(t, "- {}", s(w));
            }
            t.push('\n');
        }
    }
    t
}

/// Typesets the comparison as a PDF.
pub fn render(diff: &Diff) -> Result<Vec<u8>> {
    let date = chrono::NaiveDate::from_ymd_opt(DATE.0, DATE.1, DATE.2).expect("a valid fixed date");
    let doc = crate::pdf::Document::new("/diff.typ", typst_source(diff), date)?;
    let typeset = doc.compile_pdf("effektrapport/diff")?;
    Ok(typeset.pdf)
}
