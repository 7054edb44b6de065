//! A progress bar on stderr while checks run, shown only on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts finished checks; draws nothing when stderr is not a terminal.
pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` checks.
    pub fn new(total: usize) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {pos}/{len} checks {wide_bar} {elapsed}")
        {
            bar.set_style(style);
        }
        Progress { bar }
    }

    /// One more check finished.
    pub fn tick(&self) {
        self.bar.inc(1);
    }

    /// Removes the bar before the report is printed.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
