//! Progress on stderr for the stages of a build: a spinner with the time used for each stage,
//! and bars for those that can take long: reading the registers (one step per register) and
//! estimation (in units of work, persons × propensity-score fits, which
//! take about the same time each, so the time left follows from the units done; see
//! [`crate::analysis::Tracker`]), drawn with indicatif.
//!
//! Bars are drawn only for `effektrapport build` without `--watch` and `--quiet`, and only when
//! stderr is a terminal (indicatif draws nothing otherwise), so logs, tests, `--watch` and `diff`
//! keep their one-line summaries. Progress never touches the results.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

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
    /// the second ("00:01:10 brugt, ca. 00:10:32 tilbage"). The time left assumes the rate so
    /// far, averaged over the whole stage: the units are calibrated to cost the same, so this
    /// is steadier than indicatif's rate of the last seconds (measured at scale 100, B = 500:
    /// the predicted total stayed within 7 % of the real 22 minutes from 10 % on, against 22 %).
    pub fn work_bar(&self, what: &str) -> ProgressBar {
        let bar = self.styled(
            0,
            what,
            "{percent:>3}% · {elapsed_precise} brugt, ca. {tilbage} tilbage",
        );
        if self.shown {
            bar.set_style(bar.style().with_key("tilbage", time_left));
        }
        bar
    }

    /// A spinner with the time used for a stage named `what` without steps of its own (the
    /// analysis dataset, the descriptive numbers, typesetting), redrawn by a background tick.
    pub fn spinner(&self, what: &str) -> ProgressBar {
        if !self.shown {
            return ProgressBar::hidden();
        }
        let style = ProgressStyle::with_template("  {prefix:<28} {spinner} {elapsed_precise}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style)
            .with_prefix(what.to_string());
        spinner.enable_steady_tick(std::time::Duration::from_millis(200));
        spinner
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

/// The time left at the average rate so far (elapsed × left / done), as HH:MM:SS.
fn time_left(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let (done, total) = (state.pos(), state.len().unwrap_or(0));
    if done == 0 || total < done {
        let _ = w.write_str("--:--:--");
        return;
    }
    let seconds = (state.elapsed().as_secs_f64() * (total - done) as f64 / done as f64) as u64;
    let _ = write!(
        w,
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
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
