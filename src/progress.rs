//! Progress on stderr for the stages of a build that can take long: reading the registers (one
//! step per register) and estimation (in units of work, persons × propensity-score fits, which
//! take about the same time each, so the time left follows from the units done; see
//! [`crate::analysis::Tracker`]), drawn with indicatif.
//!
//! Bars are drawn only for `effektrapport build` without `--watch` and `--quiet`, and only when
//! stderr is a terminal (indicatif draws nothing otherwise), so logs, tests, `--watch` and `diff`
//! keep their one-line summaries. Progress never touches the results.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::analysis::Tracker;

/// Whether progress is shown in this build.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    shown: bool,
}

impl Progress {
    /// Progress drawn on stderr (when it is a terminal) if `shown`.
    pub fn new(shown: bool) -> Progress {
        Progress { shown }
    }

    /// No progress at all.
    pub fn hidden() -> Progress {
        Progress { shown: false }
    }

    /// A bar of `steps` steps named `what`, with the time used and left ("12s brugt, ca. 3m
    /// tilbage"); hidden when progress is not shown. Finish it with
    /// [`ProgressBar::finish_and_clear`].
    pub fn bar(&self, steps: usize, what: &str) -> ProgressBar {
        self.styled(
            steps as u64,
            what,
            "{pos}/{len} · {elapsed} brugt, ca. {eta} tilbage",
        )
    }

    /// A bar of units of work named `what`: the percentage done and the time used and left to
    /// the second ("00:01:10 brugt, ca. 00:10:32 tilbage"; indicatif estimates the rate from the
    /// last seconds of work).
    pub fn work_bar(&self, what: &str) -> ProgressBar {
        self.styled(
            0,
            what,
            "{percent:>3}% · {elapsed_precise} brugt, ca. {eta_precise} tilbage",
        )
    }

    fn styled(&self, length: u64, what: &str, count: &str) -> ProgressBar {
        if !self.shown {
            return ProgressBar::hidden();
        }
        let template = format!("  {{prefix:<28}} [{{bar:30}}] {count} · {{msg}}");
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr())
            .with_style(style)
            .with_prefix(what.to_string())
    }
}

impl Tracker for ProgressBar {
    fn total(&self, units: u64) {
        self.set_length(units);
    }

    fn job(&self, what: &str) {
        self.set_message(what.to_string());
    }

    fn done(&self, units: u64) {
        self.inc(units);
    }
}
