//! Computed text as typst source: the one escaping every writer of typst markup uses (the
//! markdown renderer, tables, figures, the status notes and the diff). A leaf module.

/// Writes `s` as a Typst string literal (with quotes), escaping `\`, `"` and control
/// characters: `typst_string("a\"b")` → `"a\"b"` (as Typst source).
///
/// A string literal placed in markup (`#"…"`) is inserted as plain text with no markup
/// interpretation; this is the safest way to insert computed values.
pub fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
