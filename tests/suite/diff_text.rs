//! The page text typst gives (what `rapport.txt` holds) normalises back to the source words: no
//! page numbers, no hyphens or spaces left where words were hyphenated at a line break.

use effektrapport::diff::text::{normalize, sentences};
use effektrapport::pdf::Document;

#[test]
fn typeset_pages_normalise_to_the_source_sentences() {
    let sentence = "Deltagernes beskæftigelsesfrekvens efter forløbets afslutning er signifikant \
                    højere end kontrolgruppens arbejdsmarkedstilknytning, og forskellen fastholdes.";
    let body: Vec<&str> = std::iter::repeat_n(sentence, 40).collect();
    let source = format!(
        "#set document(title: \"Prøve\")\n#set page(width: 9cm, height: 12cm, numbering: \"1\")\n\
         #set text(lang: \"da\", size: 10pt)\n#set par(justify: true)\n{}",
        body.join(" ")
    );
    let date = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let typeset = Document::new("/t.typ", source, date)
        .unwrap()
        .compile_pdf("test")
        .unwrap();
    assert!(typeset.pages.len() >= 2, "the text spans pages");
    let raw = typeset.pages.join("\n\u{c}\n");
    assert!(
        raw.contains('\u{ad}'),
        "typst hyphenated some words (the case this test is about)"
    );
    let got = sentences(&normalize(&raw));
    assert_eq!(got.len(), 40, "{got:#?}");
    assert!(got.iter().all(|s| s == sentence), "{got:#?}");
}
