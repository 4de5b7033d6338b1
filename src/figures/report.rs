//! The report's figures, built from the results: Figur 2.3 (employment around start), Figur
//! 4.1–4.3 (weekly effects with 95% confidence bands), Bilagsfigur 2.1 (propensity-score
//! densities before and after matching) and Bilagsfigur 2.2 (balance before and after matching).

use super::{Axes, BalancePoint, Series, balance_chart, line_chart};
use crate::figures::Figure;
use crate::groups::Group;
use crate::results::{Published, Results, key};
use anyhow::{Context, Result};

/// A figure of weekly effects, as an analysis declares it (`figur:` in `report/rapport.yaml`).
pub struct WeeklyFigure {
    /// Id (`figur_4_1`), the analysis id.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// Curves: outcome stem (`<stem>_u<w>`) and legend label.
    pub curves: Vec<(String, String)>,
}

impl WeeklyFigure {
    /// The weekly figures the configuration declares, in its order.
    pub fn declared(config: &crate::config::Config) -> Vec<WeeklyFigure> {
        (config.analyser.iter())
            .filter_map(|a| a.figur.as_ref().map(|f| (a, f)))
            .map(|(analysis, figure)| WeeklyFigure {
                id: analysis.id.clone(),
                caption: figure.titel.clone(),
                curves: (figure.kurver.iter())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            })
            .collect()
    }
}

/// A weekly effect figure for group `alle`, method (2): estimate and 95% band (± 1,96 SE), in
/// percentage points.
pub fn weekly(results: &Results, spec: &WeeklyFigure) -> Result<Figure> {
    let mut series = Vec::new();
    let mut left_out = 0;
    for (stem, label) in &spec.curves {
        let mut points = Vec::new();
        let mut band = Vec::new();
        for w in crate::analysis::plan::WEEKS {
            let k = key(&spec.id, "alle", 2, &format!("{stem}_u{w}"));
            let published = results
                .published(&k)
                .with_context(|| format!("{}: resultatet {k} mangler", spec.id))?;
            let Published::Estimate(e) = published else {
                // A week without a published estimate is left out, and the note says so.
                left_out += 1;
                continue;
            };
            points.push((w as f64, e.est * 100.0));
            band.push(((e.est - 1.96 * e.se) * 100.0, (e.est + 1.96 * e.se) * 100.0));
        }
        series.push(Series {
            label: label.clone(),
            points,
            band: Some(band),
        });
    }
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.band.iter().flatten())
        .fold((0.0f64, 0.0f64), |(lo, hi), &(a, b)| (lo.min(a), hi.max(b)));
    let axes = Axes {
        x_label: "Uger efter start".into(),
        y_label: "Effekt (procentpoint)".into(),
        x_range: (0.0, 52.0),
        x_decimals: 0,
        y_range: ((lo * 1.1).floor(), (hi * 1.1).ceil().max(1.0)),
        y_decimals: 0,
    };
    Ok(Figure {
        id: spec.id.clone(),
        caption: spec.caption.clone(),
        note: format!(
            "Metode (2). Det skraverede område er et 95 pct.-konfidensinterval (estimat ± 1,96 {}).{}",
            crate::tables::effects::se_kind(results),
            match left_out {
                0 => String::new(),
                n => format!(
                    " {n} ugeestimater er udeladt, fordi de ikke kunne estimeres eller hviler på for få personer."
                ),
            }
        ),
        svg: line_chart(&axes, &series)?,
    })
}

/// Figur 2.3 (`figur_2_3`, employment rate) or 2.4 (`figur_2_4`, share in IGU): participants'
/// average by month relative to start, men and women.
pub fn profile(results: &Results, id: &str) -> Result<Figure> {
    let data = results
        .figurer
        .get(id)
        .with_context(|| format!("resultaterne mangler data til {id}"))?;
    let series: Vec<Series> = (Group::SEXES.map(Group::key_label).iter())
        .filter_map(|(key, label)| {
            data.get(*key).map(|points| Series {
                label: label.to_string(),
                points: points.iter().map(|p| (p[0], p[1] * 100.0)).collect(),
                band: None,
            })
        })
        .collect();
    let mut axes = super::employment_axes(&series);
    let (caption, note) = if id == "figur_2_4" {
        axes.y_label = "Andel i IGU (pct.)".into();
        (
            "Andel af deltagerne i integrationsgrunduddannelse (IGU) før og efter start, mænd og kvinder",
            "Kilde: IGU-startdatoer; et forløb regnes som aktivt i to år fra start. Deltagere i analysepopulationen. Af diskretionshensyn er måneder udeladt, hvor andelen ville bygge på for få personer med eller uden IGU.",
        )
    } else {
        (
            "Deltagernes gennemsnitlige beskæftigelsesgrad før og efter start, mænd og kvinder",
            "Kilde: DREAM (beskæftigelsesgrad pr. måned); deltagere i analysepopulationen.",
        )
    };
    Ok(Figure {
        id: id.into(),
        caption: caption.into(),
        note: note.into(),
        svg: line_chart(&axes, &series)?,
    })
}

/// Bilagsfigur 2.1: propensity-score densities of participants and controls, before and after
/// matching with method (2).
pub fn score_densities(results: &Results) -> Result<Figure> {
    let data = results
        .figurer
        .get("bilagsfigur_2_1")
        .context("resultaterne mangler data til bilagsfigur 2.1")?;
    let labels = [
        ("deltagere_foer", "Deltagere"),
        ("kontrol_foer", "Kontrolpersoner før matching"),
        ("kontrol_efter", "Kontrolpersoner efter matching"),
    ];
    let series: Vec<Series> = labels
        .iter()
        .filter_map(|(k, l)| {
            data.get(*k).map(|p| Series {
                label: l.to_string(),
                points: p.iter().map(|q| (q[0], q[1])).collect(),
                band: None,
            })
        })
        .collect();
    let top = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(1.0f64, f64::max);
    let right = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(0.0f64, f64::max);
    let axes = Axes {
        x_label: "Propensity score".into(),
        y_label: "Tæthed".into(),
        x_range: (0.0, right.max(0.05)),
        x_decimals: 2,
        y_range: (0.0, top * 1.1),
        y_decimals: 0,
    };
    Ok(Figure {
        id: "bilagsfigur_2_1".into(),
        caption: "Fordelingen af propensity score for deltagere og kontrolpersoner før og efter matching".into(),
        note: "Kernetæthed (Epanechnikov); kontrolpersonerne efter matching er vægtet med matchingvægtene fra metode (2).".into(),
        svg: line_chart(&axes, &series)?,
    })
}

/// Variables shown in Bilagsfigur 2.2.
pub const BALANCE_SHOWN: usize = 20;

/// Bilagsfigur 2.2: standardized differences and variance ratios before matching and after
/// matching with methods (1) and (2), for the covariates of the propensity-score model that
/// differ most between participants and controls before matching (all, main sample).
pub fn balance(results: &Results) -> Result<Figure> {
    let rows = results
        .balance
        .get("alle")
        .context("resultaterne mangler balancen til bilagsfigur 2.2")?;
    let in_model =
        |name: &str| results.pscore.is_empty() || results.pscore.iter().any(|c| c.navn == name);
    let mut chosen: Vec<_> = rows
        .iter()
        .filter(|r| in_model(&r.navn) && r.sdif_foer.is_finite())
        .collect();
    // Largest numerical difference first; ties keep the balance table's order.
    chosen.sort_by(|a, b| b.sdif_foer.abs().total_cmp(&a.sdif_foer.abs()));
    chosen.truncate(BALANCE_SHOWN);
    let points: Vec<BalancePoint> = chosen
        .iter()
        .map(|r| BalancePoint {
            label: results
                .etiketter
                .get(&r.navn)
                .cloned()
                .unwrap_or_else(|| r.navn.clone()),
            sdif: [r.sdif_foer, r.sdif_m1, r.sdif_m2].map(|v| v * 100.0),
            vr: [r.vr_foer, r.vr_m1, r.vr_m2],
        })
        .collect();
    Ok(Figure {
        id: "bilagsfigur_2_2".into(),
        caption: "Standardiserede forskelle og variansforhold før og efter matching for udvalgte variable".into(),
        note: "Viser de forklarende variable i propensity score-modellen, der adskilte deltagere og kontrolpersoner mest før matching (størst numerisk standardiseret forskel). Standardiseret forskel: forskellen mellem gennemsnittene i procent af den samlede standardafvigelse før matching. Variansforhold: deltagernes varians divideret med kontrolpersonernes. De lodrette linjer står ved 0 og ±10 pct. (venstre) og ved variansforholdene 0,5, 1 og 2 (højre). Metode (1) er ridge-matching på propensity scoren, metode (2) desuden eksakt matching på kommune.".into(),
        svg: balance_chart(
            &points,
            [
                "Før matching",
                "Efter matching, metode (1)",
                "Efter matching, metode (2)",
            ],
        )?,
    })
}

/// The descriptive figures, in the order of the report: Figur 2.3 and 2.4 (here numbered 2.1
/// and 2.2), Bilagsfigur 2.1 and 2.2. Figur 4.1–4.3 follow the analyses ([`weekly`]).
pub fn descriptive(results: &Results) -> Result<Vec<Figure>> {
    Ok(vec![
        profile(results, "figur_2_3")?,
        profile(results, "figur_2_4")?,
        score_densities(results)?,
        balance(results)?,
    ])
}
