//! Progress on stderr for the stages of a build that can take long: reading the registers (one
//! step per register) and estimation (one step per estimation job, with the time left estimated
//! from the jobs done so far), drawn with indicatif.
//!
//! Bars are drawn only for `effektrapport build` without `--watch` and `--quiet`, and only when
//! stderr is a terminal (indicatif draws nothing otherwise), so logs, tests, `--watch` and `diff`
//! keep their one-line summaries. Progress never touches the results.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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

    /// A bar of `steps` steps named `what`, with the time left ("om 3m 12s"); hidden when
    /// progress is not shown. Finish it with [`ProgressBar::finish_and_clear`].
    pub fn bar(&self, steps: usize, what: &str) -> ProgressBar {
        if !self.shown {
            return ProgressBar::hidden();
        }
        let style = ProgressStyle::with_template(
            "  {prefix:<28} [{bar:30}] {pos}/{len} · {elapsed} brugt, ca. {eta} tilbage · {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr())
            .with_style(style)
            .with_prefix(what.to_string())
    }
}
