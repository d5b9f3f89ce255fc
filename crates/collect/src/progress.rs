//! Progress on stderr: one bar per account whose message names the service being collected.
//! Hidden when stderr is not a terminal (or when asked), so logs and tests stay clean.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress display of a run.
pub struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        let multi =
            (enabled && std::io::stderr().is_terminal()).then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { multi }
    }

    /// A bar for one account (or the organization) of `steps` steps.
    pub fn bar(&self, label: &str, steps: u64) -> Bar {
        let Some(multi) = &self.multi else { return Bar { bar: None } };
        let bar = multi.add(ProgressBar::new(steps));
        if let Ok(style) = ProgressStyle::with_template("{prefix:>14} [{bar:20}] {pos}/{len} {elapsed:>4} {wide_msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(label.to_owned());
        Bar { bar: Some(bar) }
    }
}

/// One account's bar; does nothing when progress is hidden.
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// Starts a step: names the service and advances the bar.
    pub fn step(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.inc(1);
            b.set_message(what.to_owned());
        }
    }

    /// Says how far a long step is (`iam: last accessed 12/340`), without advancing the bar.
    pub fn note(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.set_message(what.to_owned());
        }
    }

    pub fn finish(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.finish_with_message(what.to_owned());
        }
    }
}
