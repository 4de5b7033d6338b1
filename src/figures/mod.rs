//! Figures as SVG, drawn with plotters. Text is set in Libertinus Serif, the report's font: the
//! font file embedded in the binary is registered with plotters (for measuring labels) and the
//! SVG names the same family, which the embedded typst compiler resolves. No system fonts are
//! involved, so figures are identical on every machine.

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::Once;

pub mod report;

/// A figure ready for the document: its SVG and its caption.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Stable id (`figur_2_3`), the typst label `<fig:ID>` and the file `fig/ID.svg`.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// Note under the figure (source, definitions).
    pub note: String,
    /// The SVG text.
    pub svg: String,
}

impl Figure {
    /// The figure's virtual path in the document.
    pub fn path(&self) -> String {
        format!("/fig/{}.svg", self.id)
    }

    /// Typst markup placing the figure, with `alt` as the image's alternative text (what a
    /// screen reader says instead of the picture; PDF/UA requires one).
    pub fn to_typst(&self, alt: &str) -> String {
        to_typst(&self.id, &self.path(), &self.caption, &self.note, alt)
    }
}

/// The font family of all figure text.
pub const FONT: &str = "Libertinus Serif";

fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // typst-assets lists LibertinusSerif-Regular.otf first; check the name rather than trust the order.
        let regular = typst_assets::fonts().find(|data| {
            typst::text::Font::new(typst::foundations::Bytes::new(*data), 0).is_some_and(|f| {
                f.info().family == FONT
                    && f.info().variant.weight.to_number() == 400
                    && f.info().variant.style == typst::text::FontStyle::Normal
            })
        });
        if let Some(bytes) = regular {
            // Registration only fails for unreadable font data, which the check above excludes.
            let _ = plotters::style::register_font(FONT, FontStyle::Normal, bytes);
        }
    });
}

/// One line of a line chart, with an optional confidence band (lower, upper per point).
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points (x, y).
    pub points: Vec<(f64, f64)>,
    /// Confidence band, one (lower, upper) per point.
    pub band: Option<Vec<(f64, f64)>>,
}

/// Axis labels and ranges of a line chart.
pub struct Axes {
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
    /// Range of the x axis.
    pub x_range: (f64, f64),
    /// Range of the y axis.
    pub y_range: (f64, f64),
    /// Decimals of the x-axis tick labels.
    pub x_decimals: usize,
    /// Decimals of the y-axis tick labels.
    pub y_decimals: usize,
}

/// Axes of an employment-rate chart by month relative to start (−12..=12), in per cent.
pub fn employment_axes(series: &[Series]) -> Axes {
    let top = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(10.0f64, f64::max);
    Axes {
        x_label: "Måneder i forhold til start".into(),
        y_label: "Beskæftigelsesgrad (pct.)".into(),
        x_range: (-12.0, 12.0),
        x_decimals: 0,
        y_range: (0.0, (top * 1.15 / 5.0).ceil() * 5.0),
        y_decimals: 0,
    }
}

const PALETTE: [RGBColor; 4] = [
    RGBColor(0, 76, 109),
    RGBColor(196, 91, 36),
    RGBColor(91, 140, 56),
    RGBColor(120, 120, 120),
];

/// A line chart as SVG text (Danish number labels).
pub fn line_chart(axes: &Axes, series: &[Series]) -> Result<String> {
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("figur: {e}"))?;
        let label_font = (FONT, 15).into_font();
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(58)
            .build_cartesian_2d(
                axes.x_range.0..axes.x_range.1,
                axes.y_range.0..axes.y_range.1,
            )
            .map_err(|e| anyhow!("figur: {e}"))?;
        let (x_decimals, y_decimals) = (axes.x_decimals, axes.y_decimals);
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_desc(axes.x_label.as_str())
            .y_desc(axes.y_label.as_str())
            .label_style(label_font.clone())
            .axis_desc_style(label_font.clone())
            .x_label_formatter(&|v| crate::locale::tal(*v, x_decimals))
            .y_label_formatter(&|v| crate::locale::tal(*v, y_decimals))
            .draw()
            .map_err(|e| anyhow!("figur: {e}"))?;
        for (i, s) in series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            if let Some(band) = &s.band {
                let mut polygon: Vec<(f64, f64)> =
                    s.points.iter().zip(band).map(|(p, b)| (p.0, b.1)).collect();
                polygon.extend(s.points.iter().zip(band).rev().map(|(p, b)| (p.0, b.0)));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        polygon,
                        color.mix(0.18).filled(),
                    )))
                    .map_err(|e| anyhow!("figur: {e}"))?;
            }
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| anyhow!("figur: {e}"))?
                .label(s.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .label_font(label_font)
            .draw()
            .map_err(|e| anyhow!("figur: {e}"))?;
        root.present().map_err(|e| anyhow!("figur: {e}"))?;
    }
    Ok(svg)
}

/// One variable of a balance chart: standardized differences (in per cent) and variance ratios
/// before matching and after matching with two methods.
pub struct BalancePoint {
    /// Variable label.
    pub label: String,
    /// Standardized difference in per cent: before, after method (1), after method (2).
    pub sdif: [f64; 3],
    /// Variance ratio (treated / controls): before, after (1), after (2).
    pub vr: [f64; 3],
}

/// Height of one variable's row in a balance chart (pixels).
const BALANCE_ROW: u32 = 27;
/// Width of a balance chart (pixels).
const BALANCE_WIDTH: u32 = 860;

/// The marker of measurement `k` (0 before, 1 and 2 after matching with the two methods) at `at`.
fn balance_marker<DB: DrawingBackend, C: Clone + 'static>(
    k: usize,
    at: C,
) -> DynElement<'static, DB, C> {
    match k {
        0 => Circle::new(at, 5, RGBColor(80, 80, 80).stroke_width(1)).into_dyn(),
        1 => Circle::new(at, 5, PALETTE[0].filled()).into_dyn(),
        _ => TriangleMarker::new(at, 6, PALETTE[1].filled()).into_dyn(),
    }
}

/// A balance chart ("love plot") as SVG text: one row per variable (labels on the left),
/// standardized differences in the left panel and variance ratios on a logarithmic axis in the
/// right, with one marker for before matching and one for each of two matching methods.
/// `legend` names the three measurements.
pub fn balance_chart(rows: &[BalancePoint], legend: [&str; 3]) -> Result<String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    register_font();
    let fail = |e: &dyn std::fmt::Display| anyhow!("figur: {e}");
    let n = rows.len().max(1);
    let legend_height = 40;
    let height = legend_height + 66 + BALANCE_ROW * n as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (BALANCE_WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let font: TextStyle = (FONT, 18).into_font().into();
        let grid = RGBColor(235, 235, 235);
        let (top, body) = root.split_vertically(legend_height);

        // Room for the longest variable label, then the two panels.
        let label_width = rows
            .iter()
            .filter_map(|r| body.estimate_text_size(&r.label, &font).ok())
            .map(|(w, _)| w)
            .max()
            .unwrap_or(100)
            + 16;
        let panel = (BALANCE_WIDTH - label_width) / 2;
        let (left, right) = body.split_horizontally(label_width + panel + 10);
        let y_range = -0.5..(n as f64 - 0.5);
        // Row i from the top; the three markers of a row sit a little apart.
        let y_of = |i: usize, k: usize| (n - 1 - i) as f64 + 0.25 - 0.25 * k as f64;

        // Left panel: standardized differences in per cent.
        let reach = rows
            .iter()
            .flat_map(|r| r.sdif)
            .filter(|v| v.is_finite())
            .fold(10.0f64, |m, v| m.max(v.abs()));
        let step = if reach > 100.0 { 50.0 } else { 25.0 };
        let limit = (reach * 1.05 / step).ceil() * step;
        // At most five tick labels, so that they stay apart in the narrow panel.
        let tick = (2.0 * limit / 4.0 / step).ceil() * step;
        let mut chart = ChartBuilder::on(&left)
            .margin_top(6)
            .margin_right(26)
            .x_label_area_size(56)
            .y_label_area_size(label_width)
            .build_cartesian_2d(-limit..limit, y_range.clone())
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .light_line_style(TRANSPARENT)
            .bold_line_style(grid)
            .x_labels((2.0 * limit / tick) as usize + 1)
            .x_desc("Standardiseret forskel (pct.)")
            .label_style(font.clone())
            .axis_desc_style(font.clone())
            .x_label_formatter(&|v| crate::locale::tal(*v, 0))
            .draw()
            .map_err(|e| fail(&e))?;
        let label_style = font.pos(Pos::new(HPos::Right, VPos::Center));
        for (i, row) in rows.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(-limit, (n - 1 - i) as f64));
            root.draw_text(&row.label, &label_style, (px - 8, py))
                .map_err(|e| fail(&e))?;
        }
        balance_lines(&mut chart, (-limit, limit), &y_range, [0.0, -10.0, 10.0])?;
        for k in 0..3 {
            chart
                .draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
                    let v = r.sdif[k];
                    v.is_finite()
                        .then(|| balance_marker(k, (v.clamp(-limit, limit), y_of(i, k))))
                }))
                .map_err(|e| fail(&e))?;
        }

        // Right panel: variance ratios on a logarithmic axis (out-of-range ratios at its ends).
        let (lo, hi) = rows
            .iter()
            .flat_map(|r| r.vr)
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold((0.5f64, 2.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (x_lo, x_hi) = ((lo * 0.8).max(0.05), (hi * 1.25).min(20.0));
        let ticks: Vec<f64> = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
            .into_iter()
            .filter(|t| (x_lo..=x_hi).contains(t))
            .collect();
        let mut chart = ChartBuilder::on(&right)
            .margin_top(6)
            .margin_left(14)
            .margin_right(16)
            .x_label_area_size(56)
            .y_label_area_size(2)
            .build_cartesian_2d(
                (x_lo..x_hi).log_scale().with_key_points(ticks),
                y_range.clone(),
            )
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .light_line_style(TRANSPARENT)
            .bold_line_style(grid)
            .x_desc("Variansforhold (logaritmisk akse)")
            .label_style(font.clone())
            .axis_desc_style(font.clone())
            .x_label_formatter(&|v| {
                let decimals = if *v < 0.099 {
                    2
                } else if *v < 0.99 {
                    1
                } else {
                    0
                };
                crate::locale::tal(*v, decimals)
            })
            .draw()
            .map_err(|e| fail(&e))?;
        balance_lines(&mut chart, (x_lo, x_hi), &y_range, [1.0, 0.5, 2.0])?;
        for k in 0..3 {
            chart
                .draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
                    let v = r.vr[k];
                    (v.is_finite() && v > 0.0)
                        .then(|| balance_marker(k, (v.clamp(x_lo, x_hi), y_of(i, k))))
                }))
                .map_err(|e| fail(&e))?;
        }

        // The legend, centred above the panels.
        let widths: Vec<i32> = legend
            .iter()
            .map(|l| {
                top.estimate_text_size(l, &font)
                    .map_or(120, |(w, _)| w as i32)
            })
            .collect();
        let gap = 36;
        let total: i32 = widths.iter().map(|w| w + 16 + gap).sum::<i32>() - gap;
        let mut x = (BALANCE_WIDTH as i32 - total) / 2;
        let y = legend_height as i32 / 2;
        let legend_style = font.pos(Pos::new(HPos::Left, VPos::Center));
        for (k, (label, w)) in legend.iter().zip(&widths).enumerate() {
            top.draw(&balance_marker(k, (x + 5, y)))
                .map_err(|e| fail(&e))?;
            top.draw_text(label, &legend_style, (x + 16, y))
                .map_err(|e| fail(&e))?;
            x += w + 16 + gap;
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// Typst markup placing the SVG at `path` as a numbered figure labelled `<fig:ID>`, with its note
/// under the image inside the figure, so the two never part across a page break, and `alt` as
/// the image's alternative text.
pub fn to_typst(id: &str, path: &str, caption: &str, note: &str, alt: &str) -> String {
    format!(
        "#figure(\n  block(breakable: false)[#image({}, width: 100%, alt: {})\n#align(left, text(size: 8pt, {}))],\n  caption: [#{}],\n) <fig:{id}>\n",
        crate::typst_text::typst_string(path),
        crate::typst_text::typst_string(alt),
        crate::typst_text::typst_string(note),
        crate::typst_text::typst_string(caption),
    )
}

/// The lines of a balance panel: a light line along each variable's row and
/// vertical reference lines at `references` (the first darker: no difference),
/// those inside the x range only.
fn balance_lines<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    (x_lo, x_hi): (f64, f64),
    y_range: &std::ops::Range<f64>,
    references: [f64; 3],
) -> Result<()>
where
    DB: DrawingBackend,
    CT: CoordTranslate<From = (f64, f64)>,
{
    let fail = |e: &dyn std::fmt::Display| anyhow!("figur: {e}");
    let grid = RGBColor(235, 235, 235);
    let mut lines: Vec<(Vec<(f64, f64)>, RGBColor)> = Vec::new();
    let mut y = y_range.start + 0.5;
    while y < y_range.end {
        lines.push((vec![(x_lo, y), (x_hi, y)], grid));
        y += 1.0;
    }
    for (k, x) in references.into_iter().enumerate() {
        let color = if k == 0 {
            RGBColor(110, 110, 110)
        } else {
            RGBColor(190, 190, 190)
        };
        if (x_lo..=x_hi).contains(&x) {
            lines.push((vec![(x, y_range.start), (x, y_range.end)], color));
        }
    }
    for (points, color) in lines {
        chart
            .draw_series(std::iter::once(PathElement::new(
                points,
                color.stroke_width(1),
            )))
            .map_err(|e| fail(&e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_chart_names_every_variable_and_survives_odd_values() {
        let rows = vec![
            BalancePoint {
                label: "Antal år i Danmark".into(),
                sdif: [-143.6, 21.9, 16.0],
                vr: [0.22, 0.43, 0.40],
            },
            // A constant variable (undefined SDIF and VR) and a ratio far outside the axis.
            BalancePoint {
                label: "Mand".into(),
                sdif: [f64::NAN, f64::NAN, f64::NAN],
                vr: [f64::NAN, f64::INFINITY, 0.0],
            },
            BalancePoint {
                label: "Bopæl i Faxe Kommune".into(),
                sdif: [33.0, 10.5, 0.0],
                vr: [2.41, 1.21, 1000.0],
            },
        ];
        let svg = balance_chart(&rows, ["Før", "Efter (1)", "Efter (2)"]).unwrap();
        for text in [
            "Antal år i Danmark",
            "Mand",
            "Bopæl i Faxe Kommune",
            "Efter (2)",
            "Variansforhold",
        ] {
            assert!(svg.contains(text), "the SVG lacks «{text}»");
        }
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(balance_chart(&[], ["a", "b", "c"]).is_ok());
    }
}
