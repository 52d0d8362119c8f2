//! Which entities of two projects that share no history are the same: codes by id,
//! then by name under the matched parent; sources by the hash of their text; studies
//! whose texts differ by id, DOI, key or title. Shared by `combine` and `agreement`.

use std::collections::{HashMap, HashSet};

use crate::model::{Code, Codebook, Id, Project, Study};

/// How the other project's codes map onto the base's.
#[derive(Clone, Debug)]
pub struct CodeMatch {
    /// The base's codebook with the other's unmatched codes added (canonical order).
    pub codebook: Codebook,
    /// Every code id of the other project → its id in `codebook`.
    pub map: HashMap<Id, Id>,
    pub by_id: usize,
    pub by_path: usize,
    pub added: usize,
}

/// Match `other`'s codes to `base`'s: by id, else by exact (case-sensitive) name under
/// the code its parent matched — which is the path when the parents matched by path,
/// and follows a parent the base renamed when it matched by id. Codes that match
/// nothing are added under their matched parent, so the other tree keeps its shape.
/// A matched code keeps the base's fields; an empty description or memo is filled
/// from the other's.
pub fn match_codes(base: &Codebook, other: &Codebook) -> CodeMatch {
    let mut cb = base.clone();
    cb.canonicalize();
    let mut ids: HashSet<Id> = cb.codes.iter().map(|c| c.id).collect();
    // The first sibling of a name, in sibling order, is the one a path names.
    let mut by_name: HashMap<(Option<Id>, String), Id> = HashMap::new();
    for c in &cb.codes {
        by_name.entry((c.parent, c.name.clone())).or_insert(c.id);
    }
    let mut theirs = other.clone();
    theirs.canonicalize();
    let mut m = CodeMatch {
        codebook: Codebook::new(),
        map: HashMap::with_capacity(theirs.codes.len()),
        by_id: 0,
        by_path: 0,
        added: 0,
    };
    // Parents come before their children in canonical order.
    for code in &theirs.codes {
        let target = if ids.contains(&code.id) {
            m.by_id += 1;
            Some(code.id)
        } else {
            let parent = code.parent.and_then(|p| m.map.get(&p).copied());
            let found = by_name.get(&(parent, code.name.clone())).copied();
            if found.is_some() {
                m.by_path += 1;
            } else {
                m.added += 1;
                let added = Code {
                    parent,
                    ..code.clone()
                };
                by_name.insert((parent, added.name.clone()), added.id);
                ids.insert(added.id);
                cb.codes.push(added);
            }
            found
        };
        if let Some(t) = target {
            fill_empty(&mut cb, t, code);
        }
        m.map.insert(code.id, target.unwrap_or(code.id));
    }
    cb.canonicalize();
    m.codebook = cb;
    m
}

/// Fill a matched code's empty description and memo from the other's.
fn fill_empty(cb: &mut Codebook, target: Id, from: &Code) {
    if let Some(c) = cb.get_mut(target) {
        if c.description.is_empty() {
            c.description = from.description.clone();
        }
        if c.memo.is_empty() {
            c.memo = from.memo.clone();
        }
    }
}

/// A source by position: (study index, source index) in a project's `studies`.
pub type SourceAt = (usize, usize);

/// For each source of `other` (`[study][source]`), the source of `base` with the same
/// text (the same sha256), if any. A source with the same id and hash is preferred;
/// then the first of the base's sources with that hash not yet matched (in study and
/// source order). An empty text carries no identity: it matches only by id.
pub fn match_sources(base: &Project, other: &Project) -> Vec<Vec<Option<SourceAt>>> {
    let mut by_hash: HashMap<&str, Vec<SourceAt>> = HashMap::new();
    let mut by_id: HashMap<(Id, &str), SourceAt> = HashMap::new();
    for (i, s) in base.studies.iter().enumerate() {
        for (j, src) in s.sources.iter().enumerate() {
            by_id.entry((src.id, &src.sha256)).or_insert((i, j));
            if src.chars > 0 {
                by_hash.entry(&src.sha256).or_default().push((i, j));
            }
        }
    }
    let mut out: Vec<Vec<Option<SourceAt>>> = other
        .studies
        .iter()
        .map(|s| vec![None; s.sources.len()])
        .collect();
    let mut taken: HashSet<SourceAt> = HashSet::new();
    for (k, s) in other.studies.iter().enumerate() {
        for (l, src) in s.sources.iter().enumerate() {
            if let Some(&at) = by_id.get(&(src.id, src.sha256.as_str()))
                && taken.insert(at)
            {
                out[k][l] = Some(at);
            }
        }
    }
    for (k, s) in other.studies.iter().enumerate() {
        for (l, src) in s.sources.iter().enumerate() {
            if out[k][l].is_some() || src.chars == 0 {
                continue;
            }
            if let Some(all) = by_hash.get(src.sha256.as_str()) {
                let at = all
                    .iter()
                    .copied()
                    .find(|a| !taken.contains(a))
                    .unwrap_or(all[0]);
                taken.insert(at);
                out[k][l] = Some(at);
            }
        }
    }
    out
}

/// What made two studies with different texts the same study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchedBy {
    Id,
    Doi,
    Key,
    Title,
}

impl MatchedBy {
    pub fn label(self) -> &'static str {
        match self {
            MatchedBy::Id => "id",
            MatchedBy::Doi => "DOI",
            MatchedBy::Key => "key",
            MatchedBy::Title => "title",
        }
    }
}

fn doi(s: &Study) -> Option<String> {
    s.citation
        .doi
        .as_ref()
        .map(|d| d.trim().to_lowercase())
        .filter(|d| !d.is_empty())
}

fn title(s: &Study) -> Option<String> {
    let t: Vec<String> = s
        .citation
        .title
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    (!t.is_empty()).then(|| t.join(" "))
}

/// The study of `base` (by index, not in `claimed`) that `s` is by id, DOI, key or
/// title, tried in that order. Key and title do not match when both studies have DOIs
/// that differ.
pub fn match_study(
    base: &[Study],
    claimed: &HashSet<usize>,
    s: &Study,
) -> Option<(usize, MatchedBy)> {
    let free = |i: &usize| !claimed.contains(i);
    let dois_agree = |b: &Study| match (doi(b), doi(s)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    let find = |pred: &dyn Fn(&Study) -> bool| (0..base.len()).find(|i| free(i) && pred(&base[*i]));
    if let Some(i) = find(&|b| b.id == s.id) {
        return Some((i, MatchedBy::Id));
    }
    if let Some(d) = doi(s)
        && let Some(i) = find(&|b| doi(b).as_deref() == Some(d.as_str()))
    {
        return Some((i, MatchedBy::Doi));
    }
    if let Some(i) = find(&|b| b.key == s.key && dois_agree(b)) {
        return Some((i, MatchedBy::Key));
    }
    let t = title(s)?;
    find(&|b| title(b).as_deref() == Some(t.as_str()) && dois_agree(b))
        .map(|i| (i, MatchedBy::Title))
}
