//! When a source's text changed after it was coded: put each coding back on its
//! quote, or flag it. Never shift a coding blindly and never drop one.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::UNIX_EPOCH;

use crate::model::{Edit, Source, Study};
use crate::text::{SourceText, reanchor};

/// The outcome of re-anchoring one source's codings.
pub struct Reanchored {
    /// Puts moved and flagged codings, then records the text's new hash and length.
    pub edit: Edit,
    pub kept: usize,
    pub moved: usize,
    pub flagged: usize,
}

/// Re-anchor every coding of `src` (in study `s`) against `text`, whose hash is `sha`.
pub fn reanchor_source(s: &Study, src: &Source, text: &SourceText, sha: &str) -> Reanchored {
    let mut flagged_edits = Vec::new();
    let mut moved_edits = Vec::new();
    let mut kept = 0;
    for c in s.codings.iter().filter(|c| c.source == src.id) {
        let in_place = c.end <= text.chars()
            && c.start < c.end
            && text.slice(c.start, c.end) == c.quote
            && text.is_grapheme_boundary(c.start)
            && text.is_grapheme_boundary(c.end);
        if in_place {
            if c.flag.is_some() {
                let mut c = c.clone();
                c.flag = None;
                moved_edits.push(Edit::PutCoding {
                    study: s.id,
                    coding: c,
                });
            } else {
                kept += 1;
            }
            continue;
        }
        let mut c = c.clone();
        match reanchor(text, &c.quote, c.start) {
            Some((start, end)) => {
                c.start = start;
                c.end = end;
                c.flag = None;
                moved_edits.push(Edit::PutCoding {
                    study: s.id,
                    coding: c,
                });
            }
            None if c.flag.is_none() => {
                c.flag = Some(format!(
                    "quote not found after the text of {} changed (was at {}..{})",
                    src.file, c.start, c.end
                ));
                flagged_edits.push(Edit::PutCoding {
                    study: s.id,
                    coding: c,
                });
            }
            None => kept += 1,
        }
    }
    let (moved, flagged) = (moved_edits.len(), flagged_edits.len());
    let mut new_src = src.clone();
    new_src.sha256 = sha.to_string();
    new_src.chars = text.chars();
    // Flag first (flagged spans are exempt from the length check). Every span must
    // fit the recorded length at each step: a text that grew is recorded first and
    // codings moved after; one that shrank has its codings moved first.
    let grew = new_src.chars >= src.chars;
    let put = Edit::PutSource {
        study: s.id,
        source: new_src,
    };
    let mut edits = flagged_edits;
    if grew {
        edits.push(put);
        edits.extend(moved_edits);
    } else {
        edits.extend(moved_edits);
        edits.push(put);
    }
    Reanchored {
        edit: Edit::Batch(edits),
        kept,
        moved,
        flagged,
    }
}

/// `.thematic/verified`: size and mtime of each text file when its hash last
/// matched, so that opening a large project does not re-hash every text.
#[derive(Default)]
pub struct StatCache {
    entries: BTreeMap<String, (u64, u64, String)>,
    dirty: bool,
}

const CACHE_FILE: &str = ".thematic/verified";

fn stat(path: &Path) -> Option<(u64, u64)> {
    let m = fs::metadata(path).ok()?;
    let mtime = m
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos() as u64;
    Some((m.len(), mtime))
}

impl StatCache {
    pub fn load(root: &Path) -> Self {
        let entries = fs::read_to_string(root.join(CACHE_FILE))
            .ok()
            .and_then(|s| ron::from_str(&s).ok())
            .unwrap_or_default();
        StatCache {
            entries,
            dirty: false,
        }
    }

    pub fn is_verified(&self, path: &Path, file: &str, sha: &str) -> bool {
        match (self.entries.get(file), stat(path)) {
            (Some((len, mtime, h)), Some((l, m))) => *len == l && *mtime == m && h == sha,
            _ => false,
        }
    }

    pub fn record(&mut self, path: &Path, file: &str, sha: &str) {
        if let Some((len, mtime)) = stat(path) {
            self.entries
                .insert(file.to_string(), (len, mtime, sha.to_string()));
            self.dirty = true;
        }
    }

    /// Best effort: a lost cache only costs re-hashing on the next open.
    pub fn save(&self, root: &Path) {
        if self.dirty
            && let Ok(s) = ron::to_string(&self.entries)
        {
            let tmp = root.join(".thematic/verified.tmp");
            if fs::write(&tmp, s).is_ok() {
                let _ = fs::rename(tmp, root.join(CACHE_FILE));
            }
        }
    }
}
