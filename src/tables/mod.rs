//! Table models built from the results, rendered as typst tables (for the PDF) and as CSV (for
//! spreadsheet users). A table knows nothing about estimation: it reads [`Results`] only.

pub mod catalog;
pub mod descriptive;
pub mod effects;

use crate::locale;
pub use crate::render::markdown::typst_string;
use crate::results::Estimate;

/// A table of the report.
#[derive(Debug, Clone)]
pub struct Table {
    /// Stable id, also the typst label and the CSV file name (e.g. `tabel_4_1`).
    pub id: String,
    /// Caption (the table's title).
    pub title: String,
    /// Column headers (the first is the row-label column).
    pub header: Vec<String>,
    /// Body rows.
    pub rows: Vec<Row>,
    /// Notes printed under the table.
    pub notes: Vec<String>,
}

/// A row: a label and one cell per data column; a cell may hold several lines.
#[derive(Debug, Clone)]
pub struct Row {
    /// Row label.
    pub label: String,
    /// Cells, each a list of lines.
    pub cells: Vec<Vec<String>>,
}

/// The lines of an effect cell: estimate with stars, (SE), [control level], and the relative
/// effect <+x pct.> exactly when p < 0.10.
pub fn effect_cell(e: &Estimate) -> Vec<String> {
    let mut lines = vec![
        format!("{}{}", locale::tal(e.est, 4), e.stjerner),
        format!("({})", locale::tal(e.se, 4)),
        format!("[{}]", locale::tal(e.kontrolniveau, 4)),
    ];
    if e.p < 0.10
        && let Some(rel) = e.rel
    {
        // A non-breaking space keeps "pct." with its number in narrow columns.
        lines.push(format!(
            "<{}\u{a0}pct.>",
            locale::tal_fortegn(rel * 100.0, 2)
        ));
    }
    lines
}

/// The star legend used in every note.
pub const STAR_LEGEND: &str = "# p < 0,10, * p < 0,05, ** p < 0,01, *** p < 0,001.";

impl Table {
    /// Typst markup: a numbered table figure labelled `<tab:ID>`, with notes below.
    pub fn to_typst(&self) -> String {
        let ncols = self.header.len();
        let mut cells = Vec::new();
        let header: Vec<String> = self
            .header
            .iter()
            .map(|h| format!("[#strong({})]", typst_string(h)))
            .collect();
        for row in &self.rows {
            cells.push(format!(
                "[{}]",
                text_lines(std::slice::from_ref(&row.label))
            ));
            for cell in &row.cells {
                cells.push(format!("[{}]", text_lines(cell)));
            }
        }
        let notes: String = self
            .notes
            .iter()
            .map(|n| format!("#text(size: 8pt, {})\n\n", typst_string(n)))
            .collect();
        format!(
            "#figure(\n  kind: table,\n  caption: [#{}],\n  rapport-tabel(\n    columns: {ncols},\n    header: ({},),\n    {},\n  ),\n) <tab:{}>\n{notes}",
            typst_string(&self.title),
            header.join(", "),
            cells.join(", "),
            self.id
        )
    }

    /// CSV for spreadsheets: semicolon separated, decimal comma, cell lines joined by spaces.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let line = |fields: Vec<String>| {
            fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(";")
                + "\n"
        };
        out.push_str(&line(self.header.clone()));
        for row in &self.rows {
            let mut fields = vec![row.label.clone()];
            fields.extend(row.cells.iter().map(|c| c.join(" ")));
            out.push_str(&line(fields));
        }
        out
    }
}

fn text_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("#{}", typst_string(l)))
        .collect::<Vec<_>>()
        .join(" \\ ")
}

fn csv_field(field: &str) -> String {
    if field.contains([';', '"', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effect_cell_shows_relative_effect_only_below_ten_percent() {
        // 0.0529/0.1464 = 0.36134 → "+36,13" (hand calculation, as Tabel 4.1 of the report prints it).
        let mut e = Estimate {
            est: 0.0529,
            se: 0.0243,
            p: 0.03,
            stjerner: "*".into(),
            kontrolniveau: 0.1464,
            rel: Some(0.0529 / 0.1464),
            n: 2641,
            n_behandlede: 412,
        };
        assert_eq!(
            effect_cell(&e),
            vec!["0,0529*", "(0,0243)", "[0,1464]", "<+36,13\u{a0}pct.>"]
        );
        e.p = 0.2;
        e.stjerner = String::new();
        assert_eq!(effect_cell(&e).len(), 3);
    }
}
