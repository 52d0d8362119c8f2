//! `codebook.ron`: the code tree, stored flat with parent ids.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Id;

/// Where a code stands in Thomas & Harden's progression from line-by-line codes
/// to descriptive and then analytical themes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CodeKind {
    Code,
    DescriptiveTheme,
    AnalyticalTheme,
}

impl CodeKind {
    pub fn label(self) -> &'static str {
        match self {
            CodeKind::Code => "code",
            CodeKind::DescriptiveTheme => "descriptive theme",
            CodeKind::AnalyticalTheme => "analytical theme",
        }
    }
}

/// One node of the code tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub id: Id,
    pub parent: Option<Id>,
    /// Sorts siblings; ties are broken by id.
    #[serde(default)]
    pub order: i64,
    pub kind: CodeKind,
    pub name: String,
    /// The codebook definition: what this code means and when to apply it.
    #[serde(default)]
    pub description: String,
    /// `#rrggbb`.
    #[serde(default)]
    pub color: String,
    #[serde(default)]
    pub memo: String,
}

/// The contents of `codebook.ron`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Codebook {
    pub format: u32,
    /// Kept in canonical order: depth-first, siblings by (order, id).
    pub codes: Vec<Code>,
}

/// A palette that reads on dark and light terminals; new codes cycle through it.
pub const PALETTE: [&str; 12] = [
    "#88c0d0", "#a3be8c", "#ebcb8b", "#d08770", "#b48ead", "#8fbcbb", "#bf616a", "#5e81ac",
    "#e5a50a", "#26a269", "#c061cb", "#1c71d8",
];

impl Codebook {
    pub fn new() -> Self {
        Codebook {
            format: super::FORMAT,
            codes: Vec::new(),
        }
    }

    pub fn get(&self, id: Id) -> Option<&Code> {
        self.codes.iter().find(|c| c.id == id)
    }

    pub fn get_mut(&mut self, id: Id) -> Option<&mut Code> {
        self.codes.iter_mut().find(|c| c.id == id)
    }

    pub fn index_of(&self, id: Id) -> Option<usize> {
        self.codes.iter().position(|c| c.id == id)
    }

    /// Children of `parent` (or the top level), in sibling order.
    pub fn children(&self, parent: Option<Id>) -> impl Iterator<Item = &Code> {
        let mut v: Vec<&Code> = self.codes.iter().filter(|c| c.parent == parent).collect();
        v.sort_by_key(|c| (c.order, c.id));
        v.into_iter()
    }

    /// The ancestors of `id`, nearest first (not including `id`). Stops at a cycle.
    pub fn ancestors(&self, id: Id) -> Vec<Id> {
        let mut out = Vec::new();
        let mut cur = self.get(id).and_then(|c| c.parent);
        while let Some(p) = cur {
            if p == id || out.contains(&p) {
                break;
            }
            out.push(p);
            cur = self.get(p).and_then(|c| c.parent);
        }
        out
    }

    /// Whether `id` is `ancestor` or lies beneath it.
    pub fn is_within(&self, id: Id, ancestor: Id) -> bool {
        id == ancestor || self.ancestors(id).contains(&ancestor)
    }

    /// Depth of a code: 1 for top-level codes.
    pub fn depth(&self, id: Id) -> usize {
        self.ancestors(id).len() + 1
    }

    /// The ancestor of `id` at `depth` (1 = top level), or `id` itself if it is shallower.
    pub fn ancestor_at_depth(&self, id: Id, depth: usize) -> Id {
        let mut chain = self.ancestors(id);
        chain.reverse();
        chain.push(id);
        chain[depth.clamp(1, chain.len()) - 1]
    }

    /// The path of a code, `Theme/Sub-theme/Code`, with `/` in names written `\/`.
    pub fn path(&self, id: Id) -> String {
        let mut chain = self.ancestors(id);
        chain.reverse();
        chain.push(id);
        chain
            .iter()
            .filter_map(|i| self.get(*i))
            .map(|c| escape_segment(&c.name))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Find a code by path (`A/B/C`, names compared exactly) or by id.
    pub fn resolve(&self, path_or_id: &str) -> Option<Id> {
        if let Ok(id) = path_or_id.parse::<Id>()
            && self.get(id).is_some()
        {
            return Some(id);
        }
        let mut parent = None;
        for seg in split_path(path_or_id) {
            parent = Some(self.children(parent).find(|c| c.name == seg)?.id);
        }
        parent
    }

    /// The codes to create so that `path` exists (missing segments become codes of
    /// kind `Code`), and the id of its last segment. `None` for an empty path.
    pub fn plan_path(&self, path: &str) -> Option<(Id, Vec<Code>)> {
        let segs = split_path(path);
        if segs.is_empty() {
            return None;
        }
        let mut parent: Option<Id> = None;
        let mut new: Vec<Code> = Vec::new();
        for seg in segs {
            let existing = if new.is_empty() {
                self.children(parent).find(|c| c.name == seg).map(|c| c.id)
            } else {
                None
            };
            let id = match existing {
                Some(id) => id,
                None => {
                    let order = if new.is_empty() {
                        self.next_order(parent)
                    } else {
                        0
                    };
                    let code = Code {
                        id: Id::new(),
                        parent,
                        order,
                        kind: CodeKind::Code,
                        name: seg,
                        description: String::new(),
                        color: PALETTE[(self.codes.len() + new.len()) % PALETTE.len()].to_string(),
                        memo: String::new(),
                    };
                    let id = code.id;
                    new.push(code);
                    id
                }
            };
            parent = Some(id);
        }
        parent.map(|id| (id, new))
    }

    /// All codes within `id` (itself included).
    pub fn subtree(&self, id: Id) -> Vec<Id> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            let p = out[i];
            out.extend(
                self.codes
                    .iter()
                    .filter(|c| c.parent == Some(p))
                    .map(|c| c.id),
            );
            i += 1;
        }
        out
    }

    /// A map from each code to its parent, for fast repeated ancestor walks.
    pub fn parent_map(&self) -> HashMap<Id, Option<Id>> {
        self.codes.iter().map(|c| (c.id, c.parent)).collect()
    }

    /// The next `order` for a new child of `parent`.
    pub fn next_order(&self, parent: Option<Id>) -> i64 {
        self.codes
            .iter()
            .filter(|c| c.parent == parent)
            .map(|c| c.order + 1)
            .max()
            .unwrap_or(0)
    }

    /// A colour for the next new code.
    pub fn next_color(&self) -> String {
        PALETTE[self.codes.len() % PALETTE.len()].to_string()
    }

    /// Put the codes in canonical order: depth-first from the roots, siblings by
    /// (order, id); codes unreachable from a root (a cycle, a missing parent) follow
    /// in id order so that nothing is ever dropped.
    pub fn canonicalize(&mut self) {
        let mut kids: HashMap<Option<Id>, Vec<usize>> = HashMap::new();
        let ids: std::collections::HashSet<Id> = self.codes.iter().map(|c| c.id).collect();
        for (i, c) in self.codes.iter().enumerate() {
            let p = c.parent.filter(|p| ids.contains(p));
            kids.entry(p).or_default().push(i);
        }
        for v in kids.values_mut() {
            v.sort_by_key(|&i| (self.codes[i].order, self.codes[i].id));
        }
        let mut out = Vec::with_capacity(self.codes.len());
        let mut seen = vec![false; self.codes.len()];
        let mut stack: Vec<usize> = kids.get(&None).cloned().unwrap_or_default();
        stack.reverse();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            out.push(i);
            if let Some(ch) = kids.get(&Some(self.codes[i].id)) {
                stack.extend(ch.iter().rev());
            }
        }
        let mut rest: Vec<usize> = (0..self.codes.len()).filter(|&i| !seen[i]).collect();
        rest.sort_by_key(|&i| self.codes[i].id);
        out.extend(rest);
        let mut old: Vec<Option<Code>> = std::mem::take(&mut self.codes)
            .into_iter()
            .map(Some)
            .collect();
        self.codes = out.into_iter().filter_map(|i| old[i].take()).collect();
    }
}

/// Escape a code name for use as one segment of a path.
pub fn escape_segment(name: &str) -> String {
    name.replace('\\', "\\\\").replace('/', "\\/")
}

/// Split `A/B\/C/D` into `["A", "B/C", "D"]`. Empty segments are skipped.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '/' => {
                let seg = cur.trim().to_string();
                if !seg.is_empty() {
                    out.push(seg);
                }
                cur.clear();
            }
            _ => cur.push(ch),
        }
    }
    let seg = cur.trim().to_string();
    if !seg.is_empty() {
        out.push(seg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_escape_and_split_round_trip() {
        assert_eq!(split_path("A/B\\/C/D"), vec!["A", "B/C", "D"]);
        assert_eq!(escape_segment("B/C"), "B\\/C");
        assert_eq!(split_path(&escape_segment("x\\y/z")), vec!["x\\y/z"]);
    }
}
