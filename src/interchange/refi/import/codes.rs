//! The code tree of a REFI project: its nesting, plus ATLAS.ti's `A::B` names as
//! paths, with ids taken from the REFI GUIDs.

use std::collections::{HashMap, HashSet};

use super::super::read::RCode;
use super::super::xml::{normalize_color, parse_guid};
use super::notes::Notes;
use super::{claim, plural};
use crate::model::{Code, CodeKind, Codebook, FORMAT, Id, PALETTE};

/// The code tree being built: REFI nesting plus ATLAS.ti's `A::B` names.
pub(super) struct CodeTree {
    codes: Vec<Code>,
    /// REFI code GUID → thematic code.
    pub(super) by_guid: HashMap<String, Id>,
    /// (parent, name) → index of the first code so named there.
    named: HashMap<(Option<Id>, String), usize>,
    /// Codes made for a path segment that no REFI code named (yet).
    placeholder: Vec<bool>,
    /// Note GUIDs per code (by index).
    notes: Vec<Vec<String>>,
    guids: Vec<String>,
    children: HashMap<Option<Id>, i64>,
    split: bool,
}

impl CodeTree {
    /// `split`: whether `A::B` names are paths (ATLAS.ti's convention; not in
    /// thematic's own exports, where `::` can only be part of a name).
    pub(super) fn build(codes: &[RCode], split: bool, taken: &mut HashSet<Id>) -> CodeTree {
        let mut t = CodeTree {
            codes: Vec::new(),
            by_guid: HashMap::new(),
            named: HashMap::new(),
            placeholder: Vec::new(),
            notes: Vec::new(),
            guids: Vec::new(),
            children: HashMap::new(),
            split,
        };
        for c in codes {
            t.add(c, None, taken);
        }
        t
    }

    /// A summary line on themes made for `A::B` path segments no code named.
    pub(super) fn made_note(&self) -> Option<String> {
        let made = self.placeholder.iter().filter(|&&p| p).count();
        (made > 0).then(|| {
            format!(
                "codes: {} made for `A::B` path segments that had no code of their own",
                plural(made, "theme was", "themes were")
            )
        })
    }

    fn push(&mut self, parent: Option<Id>, name: String, id: Id, kind: CodeKind) -> usize {
        let order = self.children.entry(parent).or_insert(0);
        let i = self.codes.len();
        self.codes.push(Code {
            id,
            parent,
            order: *order,
            kind,
            name: name.clone(),
            description: String::new(),
            color: String::new(),
            memo: String::new(),
        });
        *order += 1;
        self.named.entry((parent, name)).or_insert(i);
        self.placeholder.push(false);
        self.notes.push(Vec::new());
        self.guids.push(String::new());
        i
    }

    fn add(&mut self, rc: &RCode, parent: Option<Id>, taken: &mut HashSet<Id>) {
        let mut segs: Vec<String> = if self.split {
            rc.name
                .split("::")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            vec![rc.name.trim().to_string()]
        };
        segs.retain(|s| !s.is_empty());
        if segs.is_empty() {
            segs.push(if rc.name.trim().is_empty() {
                "(unnamed code)".to_string()
            } else {
                rc.name.trim().to_string()
            });
        }
        let last = segs.pop().expect("one segment");
        let mut parent = parent;
        for seg in segs {
            let id = match self.named.get(&(parent, seg.clone())) {
                Some(&i) => self.codes[i].id,
                None => {
                    let id = claim("", taken);
                    let i = self.push(parent, seg, id, CodeKind::DescriptiveTheme);
                    self.placeholder[i] = true;
                    id
                }
            };
            parent = Some(id);
        }
        let kind = if rc.codable {
            CodeKind::Code
        } else {
            CodeKind::DescriptiveTheme
        };
        // A code named like a placeholder made earlier for `Name::child` takes its place.
        let i = match self.named.get(&(parent, last.clone())) {
            Some(&i) if self.placeholder[i] => {
                self.placeholder[i] = false;
                self.codes[i].kind = kind;
                if let Some(id) = parse_guid(&rc.guid)
                    && taken.insert(id)
                {
                    self.reid(i, id);
                }
                i
            }
            _ => {
                let id = claim(&rc.guid, taken);
                self.push(parent, last, id, kind)
            }
        };
        let c = &mut self.codes[i];
        c.description = rc.description.clone();
        if let Some(col) = rc.color.as_deref().and_then(normalize_color) {
            c.color = col;
        }
        self.notes[i].extend(rc.notes.iter().cloned());
        self.guids[i] = rc.guid.clone();
        if !rc.guid.is_empty() {
            self.by_guid.entry(rc.guid.clone()).or_insert(c.id);
        }
        let id = c.id;
        for child in &rc.children {
            self.add(child, Some(id), taken);
        }
    }

    /// Give code `i` (a placeholder until now) the id its REFI code has.
    fn reid(&mut self, i: usize, new: Id) {
        let old = std::mem::replace(&mut self.codes[i].id, new);
        let fix = |p: Option<Id>| if p == Some(old) { Some(new) } else { p };
        for c in &mut self.codes {
            c.parent = fix(c.parent);
        }
        self.named = std::mem::take(&mut self.named)
            .into_iter()
            .map(|((p, n), v)| ((fix(p), n), v))
            .collect();
        self.children = std::mem::take(&mut self.children)
            .into_iter()
            .map(|(p, v)| (fix(p), v))
            .collect();
        for v in self.by_guid.values_mut() {
            if *v == old {
                *v = new;
            }
        }
    }

    pub(super) fn into_codebook(mut self, notes: &Notes, used: &mut HashSet<String>) -> Codebook {
        for (i, c) in self.codes.iter_mut().enumerate() {
            if c.color.is_empty() {
                c.color = PALETTE[i % PALETTE.len()].to_string();
            }
            c.memo = notes.join(&self.notes[i], &self.guids[i], used);
        }
        let mut cb = Codebook {
            format: FORMAT,
            codes: self.codes,
        };
        cb.canonicalize();
        cb
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::xml::guid_key;
    use super::*;

    #[test]
    fn atlas_names_become_paths_and_merge_with_their_code() {
        let code = |guid: &str, name: &str| RCode {
            guid: guid_key(guid),
            name: name.into(),
            codable: true,
            ..RCode::default()
        };
        let codes = vec![
            code(
                "0983E32E-6866-431A-BD94-DAC9BB963825",
                "Coke::full-fat Coke",
            ),
            code("D299EFAE-5779-46DC-9827-A3D1A5D544BC", "Coke::diet Coke"),
            code("7496BA52-9C8D-4396-8FAB-CC438614E453", "Coke"),
        ];
        let t = CodeTree::build(&codes, true, &mut HashSet::new());
        assert_eq!(t.made_note(), None);
        let cb = t.into_codebook(&Notes::default(), &mut HashSet::new());
        assert_eq!(cb.codes.len(), 3, "{cb:?}");
        let diet = cb.resolve("Coke/diet Coke").expect("path");
        assert_eq!(cb.path(diet), "Coke/diet Coke");
        let coke = cb.resolve("Coke").unwrap();
        assert_eq!(cb.get(coke).unwrap().kind, CodeKind::Code);
        assert_eq!(
            coke.to_string(),
            "7496ba52-9c8d-4396-8fab-cc438614e453",
            "the placeholder takes the id of the code it turned out to be"
        );
        assert_eq!(cb.get(diet).unwrap().parent, Some(coke));
    }
}
