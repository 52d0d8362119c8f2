//! The fuzzy code picker: type any part of a code's path; recently used codes first.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::input::LineInput;
use crate::model::{Construct, Id, Project};

/// What the picked code is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickFor {
    /// Code the span `start..end` of the open source.
    Coding { start: u32, end: u32 },
    /// Move `code` under the picked one (or to the top level).
    Move { code: Id },
    /// Merge `code` into the picked one.
    Merge { code: Id },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// `None` is "the top level" (only when moving).
    pub id: Option<Id>,
    pub path: String,
}

#[derive(Clone, Debug)]
pub struct Picker {
    pub purpose: PickFor,
    pub input: LineInput,
    pub construct: Construct,
    pub entries: Vec<Entry>,
    pub cursor: usize,
    all: Vec<Entry>,
}

impl Picker {
    pub fn new(p: &Project, purpose: PickFor, recent: &[Id]) -> Picker {
        let mut all: Vec<Entry> = Vec::with_capacity(p.codebook.codes.len() + 1);
        let excluded: Vec<Id> = match &purpose {
            // A code cannot go under, or into, itself or its own descendants.
            PickFor::Move { code } | PickFor::Merge { code } => p.codebook.subtree(*code),
            PickFor::Coding { .. } => Vec::new(),
        };
        if matches!(purpose, PickFor::Move { .. }) {
            all.push(Entry {
                id: None,
                path: "(top level)".into(),
            });
        }
        let mut codes: Vec<Entry> = p
            .codebook
            .codes
            .iter()
            .filter(|c| !excluded.contains(&c.id))
            .map(|c| Entry {
                id: Some(c.id),
                path: p.codebook.path(c.id),
            })
            .collect();
        // Recently used first (most recent first), then the tree order.
        codes.sort_by_key(|e| {
            e.id.and_then(|id| recent.iter().position(|r| *r == id))
                .unwrap_or(usize::MAX)
        });
        all.extend(codes);
        let mut picker = Picker {
            purpose,
            input: LineInput::default(),
            construct: Construct::Participant,
            entries: Vec::new(),
            cursor: 0,
            all,
        };
        picker.refilter();
        picker
    }

    /// Re-rank after the query changed. Ties keep the recent-first order.
    pub fn refilter(&mut self) {
        let q = self.input.text.trim();
        if q.is_empty() {
            self.entries = self.all.clone();
        } else {
            let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Smart);
            let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
            let mut buf = Vec::new();
            // An exact name or path wins, then the fuzzy score, then the shorter path.
            let lower = q.to_lowercase();
            let exact = |e: &Entry| {
                let p = e.path.to_lowercase();
                p == lower || p.rsplit('/').next() == Some(lower.as_str())
            };
            // A weak, scattered match is no match: typing a new name must not land
            // on some unrelated code whose path happens to contain its letters.
            let min_score = 16 * q.chars().filter(|c| !c.is_whitespace()).count() as u32;
            let mut scored: Vec<(bool, u32, usize, usize)> = self
                .all
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    pattern
                        .score(Utf32Str::new(&e.path, &mut buf), &mut matcher)
                        .filter(|&s| s >= min_score)
                        .map(|s| (exact(e), s, e.path.len(), i))
                })
                .collect();
            scored.sort_by(|a, b| {
                (b.0.cmp(&a.0))
                    .then(b.1.cmp(&a.1))
                    .then(a.2.cmp(&b.2))
                    .then(a.3.cmp(&b.3))
            });
            self.entries = scored
                .into_iter()
                .map(|(.., i)| self.all[i].clone())
                .collect();
        }
        self.cursor = 0;
    }

    pub fn selected(&self) -> Option<&Entry> {
        self.entries.get(self.cursor)
    }

    pub fn move_by(&mut self, d: isize) {
        if self.entries.is_empty() {
            return;
        }
        let n = self.entries.len() as isize;
        self.cursor = (self.cursor as isize + d).clamp(0, n - 1) as usize;
    }
}
