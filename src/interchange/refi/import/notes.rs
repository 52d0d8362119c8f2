//! Notes (memos) of a REFI project and what each is attached to: by `NoteRef`, or
//! (NVivo's way) by a `Link` between a note and something else.

use std::collections::{HashMap, HashSet};
use std::fs;

use super::super::archive::{Location, Package, decode_text};
use super::super::read::Doc;
use super::{Tally, plural};

/// Note texts and what each note is attached to through `Links` (NVivo's way).
#[derive(Default)]
pub(super) struct Notes {
    pub(super) text: HashMap<String, String>,
    linked: HashMap<String, Vec<String>>,
}

impl Notes {
    pub(super) fn new(doc: &Doc, pkg: &Package, tally: &mut Tally) -> Notes {
        let mut text = HashMap::new();
        let mut unreadable = 0;
        for n in &doc.notes {
            let body = match (&n.content, &n.plain_text_path) {
                (Some(c), _) => Some(c.clone()),
                (None, Some(p)) => match pkg.locate(p, &doc.base_path) {
                    Location::Internal(name) => pkg
                        .read_internal(&name)
                        .ok()
                        .flatten()
                        .and_then(|b| decode_text(&b).ok()),
                    Location::External(path) => {
                        fs::read(path).ok().and_then(|b| decode_text(&b).ok())
                    }
                },
                (None, None) => Some(String::new()),
            };
            let body = match body {
                Some(b) => b,
                None => {
                    unreadable += 1;
                    String::new()
                }
            };
            let body = if body.trim().is_empty() {
                n.name.trim().to_string()
            } else {
                body
            };
            text.insert(n.guid.clone(), body);
        }
        if unreadable > 0 {
            tally.skip(format!(
                "the text of {} (its file is not in the package); the note's name was kept instead",
                plural(unreadable, "note", "notes")
            ));
        }
        let mut linked: HashMap<String, Vec<String>> = HashMap::new();
        for (o, t) in &doc.links {
            match (text.contains_key(o), text.contains_key(t)) {
                (true, false) => linked.entry(t.clone()).or_default().push(o.clone()),
                (false, true) => linked.entry(o.clone()).or_default().push(t.clone()),
                _ => {}
            }
        }
        Notes { text, linked }
    }

    /// The notes of `refs` plus those linked to `guid`, joined by blank lines;
    /// each note used is recorded.
    pub(super) fn join(&self, refs: &[String], guid: &str, used: &mut HashSet<String>) -> String {
        let mut parts: Vec<&str> = Vec::new();
        let mut seen = HashSet::new();
        let linked = self.linked.get(guid).map(Vec::as_slice).unwrap_or_default();
        for g in refs.iter().chain(linked) {
            if let Some(t) = self.text.get(g)
                && seen.insert(g)
            {
                used.insert(g.clone());
                if !t.trim().is_empty() {
                    parts.push(t);
                }
            }
        }
        parts.join("\n\n")
    }
}

pub(super) fn join_texts<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}
