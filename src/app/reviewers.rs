//! Whose coding is whose, in a project that holds several reviewers' codings
//! (after `combine`, or a REFI import): a filter and jumps between disagreements.

use super::App;
use crate::model::{Coding, Study};

/// Which codings the Text pane shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReviewerFilter {
    #[default]
    All,
    /// The project owner's codings.
    Mine,
    /// Everyone else's.
    Theirs,
    /// Codings another reviewer matched: the same code on an overlapping span.
    Both,
    /// Codings no other reviewer matched.
    Disagreements,
}

impl ReviewerFilter {
    pub fn next(self) -> Self {
        use ReviewerFilter::*;
        match self {
            All => Mine,
            Mine => Theirs,
            Theirs => Both,
            Both => Disagreements,
            Disagreements => All,
        }
    }

    pub fn label(self) -> &'static str {
        use ReviewerFilter::*;
        match self {
            All => "all codings",
            Mine => "mine",
            Theirs => "theirs",
            Both => "both agree",
            Disagreements => "disagreements",
        }
    }
}

/// Whether another reviewer coded an overlapping span of the same source with the
/// same code (or with a code within it, or one it lies within).
pub fn matched(
    study: &Study,
    c: &Coding,
    within: impl Fn(crate::model::Id, crate::model::Id) -> bool,
) -> bool {
    study.codings.iter().any(|o| {
        o.by != c.by
            && o.source == c.source
            && o.flag.is_none()
            && o.start < c.end
            && c.start < o.end
            && (o.code == c.code || within(o.code, c.code) || within(c.code, o.code))
    })
}

impl App {
    /// Whether the current filter shows `c` (a coding of the open study).
    pub fn shows(&self, study: &Study, c: &Coding) -> bool {
        let me = self.project.meta.reviewer.id;
        let cb = &self.project.codebook;
        match self.reviewer_filter {
            ReviewerFilter::All => true,
            ReviewerFilter::Mine => c.by == me,
            ReviewerFilter::Theirs => c.by != me,
            ReviewerFilter::Both => matched(study, c, |a, b| cb.is_within(a, b)),
            ReviewerFilter::Disagreements => !matched(study, c, |a, b| cb.is_within(a, b)),
        }
    }

    /// How many reviewers made the codings of this project.
    pub fn reviewer_count(&self) -> usize {
        let mut by: Vec<_> = self.project.codings().map(|(_, c)| c.by).collect();
        by.sort();
        by.dedup();
        by.len()
    }

    pub(super) fn cycle_filter(&mut self) {
        self.reviewer_filter = self.reviewer_filter.next();
        let n = self.reviewer_count();
        let note = if n < 2 {
            " (one reviewer coded this project)"
        } else {
            ""
        };
        self.info(format!("showing {}{note}", self.reviewer_filter.label()));
    }

    /// Move the cursor to the start of the next (or previous) coding no other
    /// reviewer matched.
    pub(super) fn jump_disagreement(&mut self, forward: bool) {
        let (Some(o), Some(study)) = (self.open, self.open_study()) else {
            return;
        };
        let cb = &self.project.codebook;
        let starts = study
            .codings
            .iter()
            .filter(|c| c.source == o.source && c.flag.is_none())
            .filter(|c| !matched(study, c, |a, b| cb.is_within(a, b)))
            .map(|c| c.start);
        let cur = self.cursor;
        let target = if forward {
            starts.filter(|&s| s > cur).min()
        } else {
            starts.filter(|&s| s < cur).max()
        };
        match target {
            Some(s) => {
                self.cursor = s;
                self.anchor = None;
                self.ensure_cursor_visible();
            }
            None => self.info(if forward {
                "no disagreement further on"
            } else {
                "no disagreement before this"
            }),
        }
    }
}
