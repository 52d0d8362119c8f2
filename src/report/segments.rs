//! Retrieval: the codings of a code (and its descendants) across studies, with a
//! little of the text around each.

use std::collections::{HashMap, HashSet};

use unicode_segmentation::UnicodeSegmentation;

use serde::Serialize;

use crate::model::{Coding, Construct, Id, Project, Study};
use crate::store::StoreError;
use crate::text::SourceText;

use super::table::{Column, Table, one_line, truncate, truncate_path, wrap};
use super::texts::{Texts, per_study};

/// One coding with its study and the path of its code.
#[derive(Clone, Debug)]
pub struct Segment<'a> {
    pub study: &'a Study,
    pub coding: &'a Coding,
    /// The code's path, `Theme/Sub-theme/Code` (empty if the code is unknown).
    pub path: String,
}

/// Which codings to retrieve; `None` accepts all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SegmentFilter {
    /// This code and its descendants.
    pub code: Option<Id>,
    pub study: Option<Id>,
    pub construct: Option<Construct>,
}

/// The codings `f` accepts, by study order, then coding order.
pub fn segments<'a>(p: &'a Project, f: &SegmentFilter) -> Vec<Segment<'a>> {
    let within: Option<HashSet<Id>> = f.code.map(|c| p.codebook.subtree(c).into_iter().collect());
    let mut paths: HashMap<Id, String> = HashMap::new();
    let mut out = Vec::new();
    for s in &p.studies {
        if f.study.is_some_and(|id| id != s.id) {
            continue;
        }
        for c in &s.codings {
            if within.as_ref().is_some_and(|w| !w.contains(&c.code))
                || f.construct.is_some_and(|k| k != c.construct)
            {
                continue;
            }
            let path = paths
                .entry(c.code)
                .or_insert_with(|| p.codebook.path(c.code))
                .clone();
            out.push(Segment {
                study: s,
                coding: c,
                path,
            });
        }
    }
    out
}

/// How far past the cut to look so that a word boundary found there is the real one.
const LOOK: u32 = 24;

/// Up to `chars` code points of text before `start` and after `end`, cut at word
/// boundaries (no half words) and with runs of whitespace collapsed to one space.
/// The space next to the span is kept, so `before + quote + after` reads as text;
/// the far ends are trimmed.
pub fn context(text: &SourceText, start: u32, end: u32, chars: u32) -> (String, String) {
    let total = text.chars();
    let start = start.min(total);
    let end = end.clamp(start, total);

    let from = start.saturating_sub(chars);
    let before = if from == 0 {
        text.slice(0, start)
    } else {
        // Look a little further back so that the boundaries near `from` are real.
        let ext = from.saturating_sub(LOOK);
        let window = text.slice(ext, start);
        let cut = text.byte(from) - text.byte(ext);
        let at = bounds(window).find(|&b| b >= cut).unwrap_or(window.len());
        &window[at..]
    };

    let to = end.saturating_add(chars).min(total);
    let after = if to == total {
        text.slice(end, total)
    } else {
        let window = text.slice(end, to.saturating_add(LOOK).min(total));
        let cut = text.byte(to) - text.byte(end);
        let at = bounds(window).take_while(|&b| b <= cut).last().unwrap_or(0);
        &window[..at]
    };

    (collapse(before.trim_start()), collapse(after.trim_end()))
}

/// Byte offsets of the word boundaries in `s` (its start and end included).
fn bounds(s: &str) -> impl Iterator<Item = usize> + '_ {
    s.split_word_bound_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
}

/// Runs of whitespace (including newlines and tabs) as one space; control
/// characters dropped so the result is safe to print.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.chars() {
        if ch.is_whitespace() {
            space = true;
        } else if !ch.is_control() {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(ch);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Code points of context on each side of a segment in the segments report.
pub const CONTEXT: u32 = 80;

/// One line of the segments report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SegmentRow {
    pub study: String,
    pub source: String,
    pub code: String,
    pub construct: Construct,
    pub start: u32,
    pub end: u32,
    /// Text just before the span (see [`context`]).
    pub before: String,
    pub quote: String,
    pub after: String,
    pub note: String,
    /// Set when the coding could not be placed in its text (no context then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

/// Every coding the filter accepts, with its context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SegmentsReport {
    pub segments: Vec<SegmentRow>,
}

impl SegmentsReport {
    /// Reads the texts of the studies that have matching codings, in parallel.
    pub fn compute(
        p: &Project,
        f: &SegmentFilter,
        texts: &dyn Texts,
        chars: u32,
    ) -> Result<SegmentsReport, StoreError> {
        let found = segments(p, f);
        let mut by_study: Vec<(&Study, Vec<&Segment>)> = Vec::new();
        for seg in &found {
            match by_study.last_mut() {
                Some((s, v)) if s.id == seg.study.id => v.push(seg),
                _ => by_study.push((seg.study, vec![seg])),
            }
        }
        let studies: Vec<&Study> = by_study.iter().map(|(s, _)| *s).collect();
        let index: HashMap<Id, usize> =
            studies.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let rows = per_study(&studies, texts, |study, ts| {
            by_study[index[&study.id]]
                .1
                .iter()
                .map(|seg| {
                    let c = seg.coding;
                    let at = study.sources.iter().position(|s| s.id == c.source);
                    let (before, after) = match at {
                        Some(i) if c.flag.is_none() => context(&ts[i], c.start, c.end, chars),
                        _ => Default::default(),
                    };
                    SegmentRow {
                        study: study.key.clone(),
                        source: at
                            .map(|i| study.sources[i].name.clone())
                            .unwrap_or_default(),
                        code: seg.path.clone(),
                        construct: c.construct,
                        start: c.start,
                        end: c.end,
                        before,
                        quote: c.quote.clone(),
                        after,
                        note: c.note.clone(),
                        flag: c.flag.clone(),
                    }
                })
                .collect::<Vec<_>>()
        })?;
        Ok(SegmentsReport {
            segments: rows.into_iter().flatten().collect(),
        })
    }

    pub fn table(&self) -> Table {
        let mut t = Table::new(vec![
            Column::text("study"),
            Column::path("code"),
            Column::text("construct"),
            Column::text("source"),
            Column::number("start"),
            Column::number("end"),
            Column::flex("before"),
            Column::flex("quote"),
            Column::flex("after"),
            Column::flex("note"),
        ]);
        for s in &self.segments {
            t.rows.push(vec![
                s.study.clone(),
                s.code.clone(),
                s.construct.label().into(),
                s.source.clone(),
                s.start.to_string(),
                s.end.to_string(),
                s.before.clone(),
                s.quote.clone(),
                s.after.clone(),
                s.note.clone(),
            ]);
        }
        t
    }

    /// For a terminal: one block per segment — a heading line, then the quote in
    /// its context, wrapped to `width`.
    pub fn text(&self, width: usize) -> String {
        let width = width.max(20);
        let mut out = String::new();
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let head = one_line(&format!(
                "{} · {} · {} {}–{}",
                s.study,
                s.construct.label(),
                s.source,
                s.start,
                s.end
            ));
            let room = width.saturating_sub(super::table::width(&head) + 3).max(12);
            let line = format!("{head} · {}", truncate_path(&one_line(&s.code), room));
            out.push_str(&truncate(&line, width));
            out.push('\n');
            let mut body = String::new();
            if !s.before.is_empty() {
                body.push('…');
                body.push_str(&s.before);
            }
            body.push('«');
            body.push_str(&one_line(&s.quote));
            body.push('»');
            if !s.after.is_empty() {
                body.push_str(&s.after);
                body.push('…');
            }
            for line in wrap(&body, width - 4) {
                out.push_str("    ");
                out.push_str(&line);
                out.push('\n');
            }
            for (label, v) in [
                ("note", &s.note),
                ("flag", &s.flag.clone().unwrap_or_default()),
            ] {
                if !v.is_empty() {
                    out.push_str(&truncate(&format!("    {label}: {}", one_line(v)), width));
                    out.push('\n');
                }
            }
        }
        if self.segments.is_empty() {
            out.push_str("no codings match\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_cuts_at_words_and_collapses_space() {
        let t = SourceText::new("alpha beta\n\n gamma [QUOTE] delta   epsilon zeta".into());
        let s = t.as_str().chars().position(|c| c == '[').unwrap() as u32;
        let e = s + "[QUOTE]".chars().count() as u32;
        // 8 code points back land inside "beta\n\n gamma " → the half word is dropped.
        let (b, a) = context(&t, s, e, 8);
        assert_eq!(b, "gamma ");
        assert_eq!(a, " delta");
        let (b, a) = context(&t, s, e, 1000);
        assert_eq!(b, "alpha beta gamma ");
        assert_eq!(a, " delta epsilon zeta");
        let (b, a) = context(&t, s, e, 0);
        assert_eq!((b.as_str(), a.as_str()), ("", ""));
    }

    #[test]
    fn context_is_unicode_safe() {
        let t = SourceText::new("Ødegård sa: 日本語のテキスト 👍🏽 ok [Q] naïveté café".into());
        let s = t.as_str().chars().position(|c| c == '[').unwrap() as u32;
        for n in 0..40 {
            let (b, a) = context(&t, s, s + 3, n);
            assert!(b.chars().count() <= n as usize, "{n}: {b:?}");
            assert!(a.chars().count() <= n as usize, "{n}: {a:?}");
            assert!(t.as_str().contains(b.trim()) && t.as_str().contains(a.trim()));
        }
    }
}
