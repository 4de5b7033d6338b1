//! Figures as SVG, drawn with plotters. Text is set in Libertinus Serif, the report's font: the
//! font file embedded in the binary is registered with plotters (for measuring labels) and the
//! SVG names the same family, which the embedded typst compiler resolves. No system fonts are
//! involved, so figures are identical on every machine.

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::Once;

pub mod report;

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

/// Typst markup placing the SVG at `path` as a numbered figure labelled `<fig:ID>`, with its note
/// under the image inside the figure, so the two never part across a page break.
pub fn to_typst(id: &str, path: &str, caption: &str, note: &str) -> String {
    format!(
        "#figure(\n  block(breakable: false)[#image({}, width: 100%)\n#align(left, text(size: 8pt, {}))],\n  caption: [#{}],\n) <fig:{id}>\n",
        crate::tables::typst_string(path),
        crate::tables::typst_string(note),
        crate::tables::typst_string(caption),
    )
}
