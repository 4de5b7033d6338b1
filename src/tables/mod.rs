//! Table models built from the results, rendered as typst tables (for the PDF) and as CSV (for
//! spreadsheet users). A table knows nothing about estimation: it reads [`Results`] only.

pub mod catalog;
pub mod descriptive;
pub mod effects;

use crate::locale;
use crate::results::Estimate;
use crate::typst_text::typst_string;

/// A table of the report.
#[derive(Debug, Clone)]
pub struct Table {
    /// Stable id, also the typst label and the CSV file name (e.g. `tabel_4_1`).
    pub id: String,
    /// Caption (the table's title).
    pub title: String,
    /// Column headers (the first is the row-label column). Under [`Table::groups`] these are the
    /// second header row.
    pub header: Vec<String>,
    /// Column groups over the data columns from the first on, left to right: (label, number of
    /// columns), printed as a first header row above [`Table::header`] (e.g. "Mænd" over five
    /// columns); columns after the last group have one header spanning both rows. Empty: one
    /// header row.
    pub groups: Vec<(String, usize)>,
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
    /// Typst markup: a numbered table figure labelled `<tab:ID>`. The notes are the table's last
    /// row (a footer), so they always stand on the page of its last rows; the header rows repeat
    /// on every page a long table breaks onto; a table too wide for a portrait page
    /// ([`Table::is_wide`]) is set on a landscape page of its own. docs/layout.md has the rules.
    pub fn to_typst(&self) -> String {
        let ncols = self.header.len();
        let strong = |h: &str| format!("[#strong({})]", typst_string(h));
        let mut header: Vec<String> = Vec::new();
        if self.groups.is_empty() {
            header.extend(self.header.iter().map(|h| strong(h)));
        } else {
            // First row: the label column and the columns after the groups span both rows;
            // each group spans its columns. Second row: the headers of the grouped columns.
            let grouped: usize = self.groups.iter().map(|(_, span)| span).sum();
            let label = self.header.first().map_or("", String::as_str);
            header.push(format!("table.cell(rowspan: 2, {})", strong(label)));
            for (group, span) in &self.groups {
                header.push(format!(
                    "table.cell(colspan: {span}, align: center, {})",
                    strong(group)
                ));
            }
            for h in self.header.iter().skip(1 + grouped) {
                header.push(format!("table.cell(rowspan: 2, {})", strong(h)));
            }
            header.extend(self.header.iter().skip(1).take(grouped).map(|h| strong(h)));
        }
        let mut cells = Vec::new();
        for row in &self.rows {
            cells.push(format!(
                "[{}]",
                text_lines(std::slice::from_ref(&row.label))
            ));
            for cell in &row.cells {
                cells.push(format!("[{}]", text_lines(cell)));
            }
        }
        let notes: Vec<String> = (self.notes.iter())
            .map(|n| format!("[#{}]", typst_string(n)))
            .collect();
        let figure = format!(
            "#figure(\n  kind: table,\n  caption: [#{}],\n  rapport-tabel(\n    columns: {ncols},\n    header-rows: {},\n    header: ({},),\n    notes: ({}),\n    {},\n  ),\n) <tab:{}>\n",
            typst_string(&self.title),
            if self.groups.is_empty() { 1 } else { 2 },
            header.join(", "),
            notes.iter().map(|n| format!("{n},")).collect::<String>(),
            cells.join(", "),
            self.id
        );
        if self.is_wide() {
            format!("#page(flipped: true)[\n{figure}]\n")
        } else if self.fits_a_page() {
            // Kept whole: the table moves to the next page rather than leave its last rows or
            // its note behind.
            format!("#block(breakable: false)[\n{figure}]\n")
        } else {
            figure
        }
    }

    /// Whether the table fits a portrait page (about 48 lines of 8.5 pt table text): counted are
    /// the lines of its rows (a cell may hold several), the header rows, the caption and the note.
    pub fn fits_a_page(&self) -> bool {
        let body: usize = (self.rows.iter())
            .map(|r| r.cells.iter().map(Vec::len).max().unwrap_or(1).max(1))
            .sum();
        let header = if self.groups.is_empty() { 1 } else { 2 };
        let note: usize = self.notes.iter().map(|n| n.len() / 110 + 1).sum();
        body + header + 2 + note <= 48
    }

    /// Whether the table needs a landscape page: its data columns, each as wide as the longest
    /// word of the column headers, take more than 60 characters (a portrait A4 page holds about
    /// 60 characters of 8.5 pt table text beside the row labels).
    pub fn is_wide(&self) -> bool {
        let longest = (self.header.iter().skip(1))
            .flat_map(|h| h.split_whitespace())
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        self.header.len().saturating_sub(1) * longest > 60
    }

    /// The header of the CSV: each column's group and header joined ("Mænd: Deltagere").
    fn flat_header(&self) -> Vec<String> {
        let mut group_of = vec![None; self.header.len()];
        let mut column = 1;
        for (group, span) in &self.groups {
            for slot in group_of.iter_mut().skip(column).take(*span) {
                *slot = Some(group.as_str());
            }
            column += span;
        }
        (self.header.iter().zip(group_of))
            .map(|(h, g)| match g {
                Some(g) if h.starts_with('(') => format!("{g} {h}"),
                Some(g) => format!("{g}: {h}"),
                None => h.clone(),
            })
            .collect()
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
        out.push_str(&line(self.flat_header()));
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
