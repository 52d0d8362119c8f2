//! The combined project in memory: the base as it is, and the other project's
//! studies, sources, codes and codings placed into it. No file is written here; the
//! texts to copy are listed.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::matching::{match_codes, match_sources, match_study};
use super::{
    AddedStudy, CombineError, FlaggedCoding, Input, Outcome, Placed, Summary, TextDiffers,
};
use crate::model::{Coding, FORMAT, Id, Project, Source, Study};
use crate::store::STUDIES_DIR;
use crate::text::{SourceText, reanchor};

/// A text file to copy into the combined project.
pub struct TextCopy {
    /// Where it is (absolute, or relative to the working folder).
    pub from: std::path::PathBuf,
    /// The input it comes from, for messages.
    pub label: String,
    /// Its `file` in C, relative to `studies/`.
    pub to: String,
    /// What its source records, to tell whether it changed since it was coded.
    pub sha256: String,
    pub chars: u32,
}

/// What identifies a coding for "not duplicated": source, span, code and reviewer
/// (the quote is compared on a hit).
type Tuple = (Id, u32, u32, Id, Id);

/// Where one source of the other project goes.
#[derive(Clone, Copy)]
enum Dest {
    /// The same text: codings keep their positions.
    Same { study: usize, source: Id },
    /// The matched study's text differs: codings are re-anchored by quote in the
    /// text of source `at` (study index, source index).
    Reanchor { at: (usize, usize) },
}

pub struct Built {
    pub project: Project,
    pub copies: Vec<TextCopy>,
}

struct Builder<'a> {
    base: &'a Input,
    /// How many studies, and sources of each, the base had: `c` starts as the base
    /// and only appends.
    n_base: usize,
    base_sources: Vec<usize>,
    other: &'a Input,
    c: Project,
    code_map: HashMap<Id, Id>,
    coding_ids: HashSet<Id>,
    source_ids: HashSet<Id>,
    study_ids: HashSet<Id>,
    keys: HashSet<String>,
    files: HashSet<String>,
    /// Per study of `c` (by index), its codings by [`Tuple`], built on first use.
    dedup: HashMap<usize, HashMap<Tuple, Vec<usize>>>,
    texts: HashMap<(usize, usize), SourceText>,
    copies: Vec<TextCopy>,
    s: &'a mut Summary,
}

/// Build the combined project of `base` and `other` (the base's versions win where
/// the two differ), filling in `s`. `project` is the base's project, moved out of
/// `base` (which still serves its texts and names).
pub fn build(
    project: Project,
    base: &Input,
    other: &Input,
    s: &mut Summary,
) -> Result<Built, CombineError> {
    let codes = match_codes(&project.codebook, &other.project.codebook);
    s.codes_by_id = codes.by_id;
    s.codes_by_path = codes.by_path;
    s.codes_added = codes.added;

    let mut c = project;
    c.codebook = codes.codebook;
    c.codebook.format = FORMAT;
    c.meta.format = FORMAT;
    let mut collaborators = c.meta.collaborators.clone();
    let theirs = &other.project.meta;
    for r in std::iter::once(&theirs.reviewer).chain(&theirs.collaborators) {
        if r.id != c.meta.reviewer.id && !collaborators.iter().any(|x| x.id == r.id) {
            collaborators.push(r.clone());
        }
    }
    c.meta.collaborators = collaborators;
    if c.meta.question.is_empty() {
        c.meta.question = theirs.question.clone();
    }
    s.owner = c.meta.reviewer.clone();
    s.collaborators = c.meta.collaborators.clone();

    let mut copies = Vec::new();
    let mut files = HashSet::new();
    for st in &c.studies {
        for src in &st.sources {
            if files.insert(src.file.clone()) {
                copies.push(TextCopy {
                    from: base.text_path(src),
                    label: base.label.clone(),
                    to: src.file.clone(),
                    sha256: src.sha256.clone(),
                    chars: src.chars,
                });
            }
        }
    }
    for st in &c.studies {
        for x in &st.codings {
            s.outcomes.push(Outcome {
                side: base.side,
                coding: x.id,
                placed: Placed::Kept(x.id),
            });
        }
    }
    let mut b = Builder {
        base,
        n_base: c.studies.len(),
        base_sources: c.studies.iter().map(|st| st.sources.len()).collect(),
        other,
        coding_ids: c.codings().map(|(_, x)| x.id).collect(),
        source_ids: c
            .studies
            .iter()
            .flat_map(|st| st.sources.iter().map(|x| x.id))
            .collect(),
        study_ids: c.studies.iter().map(|st| st.id).collect(),
        keys: c.studies.iter().map(|st| st.key.clone()).collect(),
        c,
        code_map: codes.map,
        files,
        dedup: HashMap::new(),
        texts: HashMap::new(),
        copies,
        s,
    };
    b.studies()?;
    let mut project = b.c;
    for st in &mut project.studies {
        st.sort_codings();
    }
    project.sort_studies();
    b.s.codings_out = project.studies.iter().map(|st| st.codings.len()).sum();
    Ok(Built {
        project,
        copies: b.copies,
    })
}

impl Builder<'_> {
    fn studies(&mut self) -> Result<(), CombineError> {
        let other = &self.other.project;
        let matched = match_sources(&self.c, other);
        // Studies with a text in both are claimed first, so that a match by
        // citation never takes a study that is in both by its text.
        let mut claimed: HashSet<usize> = matched.iter().flatten().flatten().map(|a| a.0).collect();
        self.s.only_base = (0..self.n_base).filter(|i| !claimed.contains(i)).count();
        for (k, st) in other.studies.iter().enumerate() {
            let home = matched[k].iter().flatten().next().map(|a| a.0);
            if let Some(h) = home {
                self.s.studies_same_text += 1;
                self.fill_info(h, st);
                let mut dests = HashMap::new();
                for (l, src) in st.sources.iter().enumerate() {
                    let d = match matched[k][l] {
                        Some((i, j)) => Dest::Same {
                            study: i,
                            source: self.c.studies[i].sources[j].id,
                        },
                        None => {
                            self.s.sources_added += 1;
                            self.add_source(h, src, false)
                        }
                    };
                    dests.insert(src.id, d);
                }
                self.place_codings(st, &dests, None)?;
            } else if let Some((i, by)) = match_study(&self.c.studies[..self.n_base], &claimed, st)
            {
                claimed.insert(i);
                self.only_base_matched();
                self.fill_info(i, st);
                if st.sources.is_empty() {
                    // No text to differ: the same study, with nothing to place.
                    self.s.studies_same_text += 1;
                    continue;
                }
                let mut report = TextDiffers {
                    key: self.c.studies[i].key.clone(),
                    other_key: st.key.clone(),
                    by,
                    reanchored: 0,
                    flagged: 0,
                    sources_added: 0,
                };
                let dests = self.pair_sources(i, st, &mut report);
                self.place_codings(st, &dests, Some(&mut report))?;
                self.s.text_differs.push(report);
            } else {
                self.add_study(st)?;
            }
        }
        Ok(())
    }

    /// A base study that counted as only in the base turned out to be in both.
    fn only_base_matched(&mut self) {
        self.s.only_base = self.s.only_base.saturating_sub(1);
    }

    /// The other study's sources against the sources of base study `i` whose text
    /// differs: by name, else by position; a source with no counterpart is added.
    fn pair_sources(
        &mut self,
        i: usize,
        st: &Study,
        report: &mut TextDiffers,
    ) -> HashMap<Id, Dest> {
        let ours: Vec<(Id, String)> = self.c.studies[i]
            .sources
            .iter()
            .map(|x| (x.id, x.name.clone()))
            .collect();
        let n_base = self.base_sources[i];
        let mut used = HashSet::new();
        let mut dests = HashMap::new();
        let mut pending = Vec::new();
        for (l, src) in st.sources.iter().enumerate() {
            match (0..n_base).find(|&j| !used.contains(&j) && ours[j].1 == src.name) {
                Some(j) => {
                    used.insert(j);
                    dests.insert(src.id, Dest::Reanchor { at: (i, j) });
                }
                None => pending.push((l, src)),
            }
        }
        for (l, src) in pending {
            if l < n_base && used.insert(l) {
                dests.insert(src.id, Dest::Reanchor { at: (i, l) });
            } else {
                report.sources_added += 1;
                self.s.sources_added += 1;
                let d = self.add_source(i, src, false);
                dests.insert(src.id, d);
            }
        }
        dests
    }

    /// Fill what the base study leaves empty from the other's: characteristics it
    /// lacks, an appraisal, a memo.
    fn fill_info(&mut self, i: usize, from: &Study) {
        let st = &mut self.c.studies[i];
        for (k, v) in &from.characteristics {
            st.characteristics
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        if st.appraisal.is_none() {
            st.appraisal = from.appraisal.clone();
        }
        if st.memo.is_empty() {
            st.memo = from.memo.clone();
        }
    }

    /// Add a source of the other project (its text copied) to study `i` of the result.
    fn add_source(&mut self, i: usize, src: &Source, keep_file: bool) -> Dest {
        let mut new = src.clone();
        if !self.source_ids.insert(new.id) {
            new.id = fresh(&mut self.source_ids, self.other.project.meta.id, src.id);
        }
        new.file = self.free_file(&self.c.studies[i].key.clone(), &src.file, keep_file);
        self.files.insert(new.file.clone());
        self.copies.push(TextCopy {
            from: self.other.text_path(src),
            label: self.other.label.clone(),
            to: new.file.clone(),
            sha256: src.sha256.clone(),
            chars: src.chars,
        });
        let id = new.id;
        self.c.studies[i].sources.push(new);
        Dest::Same {
            study: i,
            source: id,
        }
    }

    /// A file name under `studies/` that no source uses: `file` itself if allowed and
    /// free, else `<key>/<name>`, then `<key>/<stem>-2.<ext>`, `-3`…
    fn free_file(&self, key: &str, file: &str, keep_file: bool) -> String {
        if keep_file && !self.files.contains(file) {
            return file.to_string();
        }
        let name = file.rsplit('/').next().unwrap_or(file);
        let (stem, ext) = match name.rfind('.') {
            Some(d) if d > 0 => (&name[..d], &name[d..]),
            _ => (name, ""),
        };
        std::iter::once(format!("{key}/{name}"))
            .chain((2..).map(|n| format!("{key}/{stem}-{n}{ext}")))
            .find(|f| !self.files.contains(f))
            .expect("a free file name")
    }

    /// A study only in the other project: added, with a key made unique.
    fn add_study(&mut self, st: &Study) -> Result<(), CombineError> {
        let mut new = Study {
            sources: Vec::new(),
            codings: Vec::new(),
            ..st.clone()
        };
        if !self.study_ids.insert(new.id) {
            new.id = fresh(&mut self.study_ids, self.other.project.meta.id, st.id);
        }
        new.key = (1..)
            .map(|n| match n {
                1 => st.key.clone(),
                n => format!("{}-{n}", st.key),
            })
            .find(|k| !self.keys.contains(k))
            .expect("a free key");
        self.keys.insert(new.key.clone());
        self.s.added.push(AddedStudy {
            from: st.key.clone(),
            key: new.key.clone(),
        });
        let i = self.c.studies.len();
        self.c.studies.push(new);
        let mut dests = HashMap::new();
        for src in &st.sources {
            let d = self.add_source(i, src, true);
            dests.insert(src.id, d);
        }
        self.place_codings(st, &dests, None)
    }

    fn place_codings(
        &mut self,
        st: &Study,
        dests: &HashMap<Id, Dest>,
        mut report: Option<&mut TextDiffers>,
    ) -> Result<(), CombineError> {
        for x in &st.codings {
            let Some(&dest) = dests.get(&x.source) else {
                return Err(CombineError::Failed(format!(
                    "{}: studies/{}.ron: coding {} refers to a source the study does not have",
                    self.other.label, st.key, x.id
                )));
            };
            let mut c = x.clone();
            c.code = self.code_map.get(&x.code).copied().unwrap_or(x.code);
            let (study, moved) = match dest {
                Dest::Same { study, source } => {
                    c.source = source;
                    (study, None)
                }
                Dest::Reanchor { at } => {
                    let study = at.0;
                    c.source = self.c.studies[at.0].sources[at.1].id;
                    let text = self.text(at)?;
                    let found = reanchor(text, &x.quote, x.start).or_else(|| {
                        // A span off grapheme boundaries (imported) still counts where
                        // it stands, if its quote is there.
                        (x.end <= text.chars()
                            && x.start < x.end
                            && text.slice(x.start, x.end) == x.quote)
                            .then_some((x.start, x.end))
                    });
                    match found {
                        Some((a, e)) => {
                            c.start = a;
                            c.end = e;
                            c.flag = None;
                            (study, Some(true))
                        }
                        None => {
                            // Only project content goes into the file (no paths), so
                            // that the bytes do not depend on how the inputs were named.
                            c.flag = Some(format!(
                                "combine: quote not found in {STUDIES_DIR}/{}, whose text differs from the one {} coded (was at {}..{} there)",
                                self.c.studies[at.0].sources[at.1].file,
                                self.other.project.meta.reviewer.name,
                                x.start,
                                x.end
                            ));
                            (study, Some(false))
                        }
                    }
                }
            };
            let placed = self.place(study, c);
            let placed = match (moved, placed) {
                (Some(true), Placed::Kept(id)) => {
                    self.s.reanchored += 1;
                    if let Some(r) = report.as_deref_mut() {
                        r.reanchored += 1;
                    }
                    Placed::Reanchored(id)
                }
                (Some(false), Placed::Kept(id)) => {
                    if let Some(r) = report.as_deref_mut() {
                        r.flagged += 1;
                    }
                    self.s.flagged.push(FlaggedCoding {
                        key: self.c.studies[study].key.clone(),
                        id,
                        quote: x.quote.clone(),
                    });
                    Placed::Flagged(id)
                }
                (_, p) => p,
            };
            self.s.outcomes.push(Outcome {
                side: self.other.side,
                coding: x.id,
                placed,
            });
        }
        Ok(())
    }

    /// Put a coding into study `i`, unless an identical one (source, span, code,
    /// reviewer and quote) is there; a clashing id is replaced by a fresh one.
    fn place(&mut self, i: usize, mut c: Coding) -> Placed {
        let codings = &mut self.c.studies[i].codings;
        let index = self.dedup.entry(i).or_insert_with(|| {
            let mut m: HashMap<Tuple, Vec<usize>> = HashMap::with_capacity(codings.len() * 2);
            for (n, x) in codings.iter().enumerate() {
                m.entry((x.source, x.start, x.end, x.code, x.by))
                    .or_default()
                    .push(n);
            }
            m
        });
        let key = (c.source, c.start, c.end, c.code, c.by);
        if let Some(list) = index.get(&key)
            && let Some(&n) = list.iter().find(|&&n| codings[n].quote == c.quote)
        {
            self.s.duplicates += 1;
            let kept = &mut codings[n];
            // The same coding in both inputs, perhaps edited in one: nothing of
            // either is dropped, and the result does not depend on which came first.
            if !kept.note.is_empty() && !c.note.is_empty() && kept.note != c.note {
                self.s.notes_joined += 1;
            }
            kept.note = crate::merge::three_way::join_texts(&kept.note, &c.note);
            kept.construct = merged_construct(kept, &c);
            if !c.at.is_empty() && (kept.at.is_empty() || c.at < kept.at) {
                kept.at = c.at; // when it was first made
            }
            kept.edited = kept.edited.clone().max(c.edited);
            return Placed::Duplicate(kept.id);
        }
        if !self.coding_ids.insert(c.id) {
            self.s.renamed += 1;
            c.id = fresh(&mut self.coding_ids, self.other.project.meta.id, c.id);
        }
        let id = c.id;
        index.entry(key).or_default().push(codings.len());
        codings.push(c);
        Placed::Kept(id)
    }

    /// The text of base source `at`, read once.
    fn text(&mut self, at: (usize, usize)) -> Result<&SourceText, CombineError> {
        if !self.texts.contains_key(&at) {
            let src = &self.c.studies[at.0].sources[at.1];
            let t = self
                .base
                .store
                .read_text(src)
                .map_err(|e| CombineError::Failed(format!("{}: {e}", self.base.label)))?;
            self.texts.insert(at, t);
        }
        Ok(&self.texts[&at])
    }
}

/// A new id in place of `old`, derived from it and `salt` (so that combining is
/// deterministic), not in `taken`; recorded in `taken`.
fn fresh(taken: &mut HashSet<Id>, salt: Id, old: Id) -> Id {
    (0u32..)
        .map(|n| {
            let mut h = Sha256::new();
            h.update(b"thematic combine");
            h.update(salt.as_uuid().as_bytes());
            h.update(old.as_uuid().as_bytes());
            h.update(n.to_le_bytes());
            let d = h.finalize();
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(&d[..16]);
            Id::from(uuid::Builder::from_random_bytes(bytes).into_uuid())
        })
        .find(|id| taken.insert(*id))
        .expect("a fresh id")
}

/// The construct of a coding both inputs hold: a set one over `Unspecified`, else
/// the later change's, else the greater (a choice that ignores input order).
fn merged_construct(a: &Coding, b: &Coding) -> crate::model::Construct {
    use crate::model::Construct::Unspecified;
    match (a.construct, b.construct) {
        (x, y) if x == y => x,
        (Unspecified, y) => y,
        (x, Unspecified) => x,
        (x, y) => match a.last_changed().cmp(b.last_changed()) {
            std::cmp::Ordering::Greater => x,
            std::cmp::Ordering::Less => y,
            std::cmp::Ordering::Equal => x.max(y),
        },
    }
}
