//! Coverage and counts, kept up to date incrementally: an edit to one study
//! recomputes that study only, then the (cheap) roll-up over the code tree.

use std::collections::{HashMap, HashSet};

use crate::model::{Coding, Id, Project, Study};

/// Code points covered by at least one span (spans may overlap; order does not matter).
pub fn covered(spans: impl IntoIterator<Item = (u32, u32)>) -> u32 {
    let mut v: Vec<(u32, u32)> = spans.into_iter().filter(|(s, e)| e > s).collect();
    v.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(u32, u32)> = None;
    for (s, e) in v {
        match &mut cur {
            Some((_, ce)) if s <= *ce => *ce = (*ce).max(e),
            _ => {
                if let Some((cs, ce)) = cur {
                    total += ce - cs;
                }
                cur = Some((s, e));
            }
        }
    }
    if let Some((cs, ce)) = cur {
        total += ce - cs;
    }
    total
}

/// One study's numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StudyTally {
    /// Code points of all its sources.
    pub chars: u64,
    /// Code points covered by at least one (placed) coding.
    pub covered: u64,
    pub codings: usize,
    /// Codings per code (the code itself only, not descendants).
    pub by_code: HashMap<Id, u32>,
}

impl StudyTally {
    pub fn of(study: &Study) -> Self {
        Self::filtered(study, |_| true)
    }

    /// The numbers for the codings `keep` accepts.
    pub fn filtered(study: &Study, keep: impl Fn(&Coding) -> bool) -> Self {
        let mut t = StudyTally {
            chars: study.sources.iter().map(|s| s.chars as u64).sum(),
            ..Default::default()
        };
        for src in &study.sources {
            t.covered += covered(
                study
                    .codings
                    .iter()
                    .filter(|c| c.source == src.id && c.flag.is_none() && keep(c))
                    .map(|c| (c.start, c.end.min(src.chars))),
            ) as u64;
        }
        for c in study.codings.iter().filter(|c| keep(c)) {
            t.codings += 1;
            *t.by_code.entry(c.code).or_default() += 1;
        }
        t
    }

    /// Percentage of the study's text covered, in [0, 100].
    pub fn percent(&self) -> f64 {
        if self.chars == 0 {
            0.0
        } else {
            self.covered as f64 * 100.0 / self.chars as f64
        }
    }
}

/// Coverage per study and counts per code (with descendants) for a whole project.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    studies: HashMap<Id, StudyTally>,
    /// Per code, including descendants: (codings, studies with at least one).
    rolled: HashMap<Id, (u32, u32)>,
}

impl Tally {
    pub fn new(p: &Project) -> Self {
        let mut t = Tally {
            studies: p
                .studies
                .iter()
                .map(|s| (s.id, StudyTally::of(s)))
                .collect(),
            rolled: HashMap::new(),
        };
        t.roll_up(p);
        t
    }

    /// Recompute the given studies (added, changed or deleted), then the roll-up.
    pub fn update(&mut self, p: &Project, studies: impl IntoIterator<Item = Id>) {
        for id in studies {
            match p.study(id) {
                Some(s) => self.studies.insert(id, StudyTally::of(s)),
                None => self.studies.remove(&id),
            };
        }
        self.roll_up(p);
    }

    /// Recompute the per-code totals (after any edit, including to the code tree).
    pub fn roll_up(&mut self, p: &Project) {
        let parents = p.codebook.parent_map();
        let mut rolled: HashMap<Id, (u32, u32)> = HashMap::new();
        let mut seen: HashSet<Id> = HashSet::new();
        for st in self.studies.values() {
            seen.clear();
            for (&code, &n) in &st.by_code {
                let mut cur = Some(code);
                let mut steps = 0;
                while let Some(c) = cur {
                    let e = rolled.entry(c).or_default();
                    e.0 += n;
                    if seen.insert(c) {
                        e.1 += 1;
                    }
                    cur = parents.get(&c).copied().flatten();
                    steps += 1;
                    if steps > parents.len() {
                        break; // a cycle; validation reports it
                    }
                }
            }
        }
        self.rolled = rolled;
    }

    pub fn study(&self, id: Id) -> Option<&StudyTally> {
        self.studies.get(&id)
    }

    /// (codings, studies) for a code including its descendants.
    pub fn code(&self, id: Id) -> (u32, u32) {
        self.rolled.get(&id).copied().unwrap_or((0, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_spans_count_once() {
        assert_eq!(covered([(0, 10), (5, 15), (20, 25)]), 20);
        assert_eq!(covered([(5, 15), (0, 10), (0, 10)]), 15);
        assert_eq!(covered([(3, 3)]), 0);
        assert_eq!(covered([(0, 5), (5, 10)]), 10);
    }
}
