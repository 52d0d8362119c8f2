//! `thematic combine A B --out C`: two reviewers' projects that share no merge base,
//! combined into a new project C.
//!
//! - Sources are the same when their texts have the same sha256; a study with such
//!   a source in both is one study. A study in both by id, DOI, key or title whose
//!   text differs keeps the base's text, and the other's codings are re-anchored by
//!   their quote, or kept and flagged where the quote is not found — never dropped.
//!   Studies only in the other project are added (key made unique with `-2`…).
//! - Codes match by id, then by exact name under the matched parent (the path);
//!   the rest are added under their matched parent.
//! - Every coding keeps its reviewer (`by`). A coding identical to one already there
//!   (source, span, code, reviewer, quote) is not added twice; the same span coded
//!   by two reviewers stays two codings. An id that clashes gets a new, derived id.
//! - Sources match by the hash their study records, which is the text their codings
//!   were placed in. Texts are copied byte for byte and hashed as they are copied; one
//!   that changed since it was coded has its codings re-anchored in C, as opening the
//!   project would do (the input itself is not changed).
//!
//! **The base.** Where the two projects differ (a study's text or details, a code's
//! name or place, the review's title, the owner), one version is kept: the base's.
//! The base is the project whose owner has the smaller reviewer id; then the smaller
//! project id; then the smaller hash of its RON files. It does not depend on the order
//! of A and B, so `combine A B` and `combine B A` write the same bytes, and
//! `combine A A` writes A again. C's owner is the base's owner; the other owner and
//! both projects' collaborators are listed under `collaborators`.

mod build;
pub mod matching;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use matching::{CodeMatch, MatchedBy, SourceAt, match_codes, match_sources, match_study};

use crate::model::{Codebook, Id, Project, Reviewer, Source};
use crate::store::{Mode, Store, StoreError, to_ron};

/// Why combining failed: bad usage (the output folder is not empty) or work that
/// could not be done (an input is invalid, a file cannot be read or written).
#[derive(Debug, thiserror::Error)]
pub enum CombineError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

impl CombineError {
    /// A store error on project `label`, with paths shown inside that project.
    pub fn from_store(label: &str, e: StoreError) -> Self {
        match e {
            StoreError::Invalid(ps) => CombineError::Failed(
                ps.iter()
                    .filter(|p| !p.warning)
                    .map(|p| format!("{label}/{p}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            StoreError::NotAProject(m) => {
                CombineError::Failed(StoreError::NotAProject(m).to_string())
            }
            other => CombineError::Failed(format!("{label}: {other}")),
        }
    }
}

/// The first or the second project on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    A,
    B,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::A => "A",
            Side::B => "B",
        })
    }
}

/// One project to combine, opened read-only.
pub struct Input {
    pub side: Side,
    /// The folder as given on the command line.
    pub label: String,
    pub store: Store,
    pub project: Project,
}

impl Input {
    pub fn open(dir: &Path, side: Side) -> Result<Input, CombineError> {
        let label = dir.display().to_string();
        let opened =
            Store::open(dir, Mode::Read).map_err(|e| CombineError::from_store(&label, e))?;
        Ok(Input {
            side,
            label,
            store: opened.store,
            project: opened.project,
        })
    }

    pub fn text_path(&self, src: &Source) -> PathBuf {
        self.store.text_path(src)
    }
}

/// What happened to one coding of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placed {
    /// In C under this id (its own, unless that clashed).
    Kept(Id),
    /// An identical coding was already there: this one.
    Duplicate(Id),
    /// Moved to where its quote is in the base's differing text.
    Reanchored(Id),
    /// Its quote is not in the base's differing text: kept, flagged.
    Flagged(Id),
}

impl Placed {
    /// The id of the coding in C that stands for it.
    pub fn id(self) -> Id {
        match self {
            Placed::Kept(id)
            | Placed::Duplicate(id)
            | Placed::Reanchored(id)
            | Placed::Flagged(id) => id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub side: Side,
    /// The coding's id in its input.
    pub coding: Id,
    pub placed: Placed,
}

/// A study in both projects whose texts differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextDiffers {
    /// Its key in C (the base's).
    pub key: String,
    /// Its key in the other project.
    pub other_key: String,
    pub by: MatchedBy,
    pub reanchored: usize,
    pub flagged: usize,
    /// Sources of the other's study with no counterpart, added with their texts.
    pub sources_added: usize,
}

/// A study only in the other project, and its key in C.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedStudy {
    pub from: String,
    pub key: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlaggedCoding {
    pub key: String,
    pub id: Id,
    pub quote: String,
}

/// What `combine` did, for the summary it prints and for tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The folders as given.
    pub a: String,
    pub b: String,
    pub out: String,
    /// Whose versions were kept where the two differ.
    pub base: Side,
    pub owner: Reviewer,
    pub collaborators: Vec<Reviewer>,
    /// Studies of the other project with a text in the base.
    pub studies_same_text: usize,
    pub text_differs: Vec<TextDiffers>,
    /// Studies of the base matched by nothing of the other.
    pub only_base: usize,
    pub added: Vec<AddedStudy>,
    /// Sources of the other added to studies in both.
    pub sources_added: usize,
    pub codes_by_id: usize,
    pub codes_by_path: usize,
    pub codes_added: usize,
    pub codings_a: usize,
    pub codings_b: usize,
    pub codings_out: usize,
    pub duplicates: usize,
    /// Of those, how many had a different note in each input (both kept).
    pub notes_joined: usize,
    pub reanchored: usize,
    pub renamed: usize,
    pub flagged: Vec<FlaggedCoding>,
    /// Texts that changed since they were coded.
    pub notices: Vec<String>,
    /// Every coding of A and of B, and where it is in C.
    pub outcomes: Vec<Outcome>,
}

impl Summary {
    fn label(&self, side: Side) -> &str {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }

    /// The summary as printed, one line each.
    pub fn lines(&self) -> Vec<String> {
        let base = self.base;
        let other = if base == Side::A { Side::B } else { Side::A };
        let names: Vec<&str> = self.collaborators.iter().map(|r| r.name.as_str()).collect();
        let mut out = vec![
            format!("combined {} and {} into {}", self.a, self.b, self.out),
            format!(
                "base: {base} ({}), chosen by the smaller owner id (then project id), so that the order of A and B does not matter; its versions are kept where the two differ",
                self.label(base)
            ),
            format!(
                "reviewers: {} (owner){}",
                self.owner.name,
                if names.is_empty() {
                    String::new()
                } else {
                    format!(", collaborators {}", names.join(", "))
                }
            ),
            format!(
                "studies: {} in both with the same text, {} in both with a different text, {} only in {base}, {} only in {other} (added)",
                self.studies_same_text,
                self.text_differs.len(),
                self.only_base,
                self.added.len()
            ),
            format!(
                "codes: {} matched by id, {} by path, {} added from {other}",
                self.codes_by_id, self.codes_by_path, self.codes_added
            ),
            format!(
                "codings: {} from A + {} from B → {} in C; {} identical not duplicated, {} re-anchored by quote, {} flagged, {} given a new id (theirs clashed)",
                self.codings_a,
                self.codings_b,
                self.codings_out,
                self.duplicates,
                self.reanchored,
                self.flagged.len(),
                self.renamed
            ),
        ];
        if self.notes_joined > 0 {
            out.push(format!(
                "notes: {} coding(s) in both inputs with different notes; both versions kept, marked",
                self.notes_joined
            ));
        }
        if self.sources_added > 0 {
            out.push(format!(
                "sources: {} of {other}'s added to studies in both (texts copied)",
                self.sources_added
            ));
        }
        for t in &self.text_differs {
            out.push(format!(
                "text differs: {} ({other}: {}, matched by {}): {base}'s text kept; {other}'s codings: {} re-anchored by quote, {} flagged{}",
                t.key,
                t.other_key,
                t.by.label(),
                t.reanchored,
                t.flagged,
                if t.sources_added > 0 {
                    format!(", {} source(s) added", t.sources_added)
                } else {
                    String::new()
                }
            ));
        }
        for a in self.added.iter().filter(|a| a.from != a.key) {
            out.push(format!(
                "added: {} of {other} as {} (the key was taken)",
                a.from, a.key
            ));
        }
        const SHOWN: usize = 20;
        for f in self.flagged.iter().take(SHOWN) {
            let mut q: String = f.quote.chars().take(50).collect();
            if f.quote.chars().count() > 50 {
                q.push('…');
            }
            out.push(format!(
                "flagged: studies/{}.ron coding {} {:?}: quote not found; kept, flagged for review",
                f.key, f.id, q
            ));
        }
        if self.flagged.len() > SHOWN {
            out.push(format!(
                "flagged: … and {} more (`thematic check {}` lists them all)",
                self.flagged.len() - SHOWN,
                self.out
            ));
        }
        out.extend(self.notices.iter().cloned());
        out
    }
}

/// Combine the projects in `a` and `b` into a new project in `out` (which must not
/// exist, or be empty). Neither input is changed.
pub fn combine(a: &Path, b: &Path, out: &Path) -> Result<Summary, CombineError> {
    write::check_target(out)?;
    let ia = Input::open(a, Side::A)?;
    let ib = Input::open(b, Side::B)?;
    let count = |i: &Input| i.project.studies.iter().map(|s| s.codings.len()).sum();
    let (codings_a, codings_b) = (count(&ia), count(&ib));
    let (a_label, b_label) = (ia.label.clone(), ib.label.clone());
    let (mut base, other) = if base_is_first(&ia.project, &ib.project) {
        (ia, ib)
    } else {
        (ib, ia)
    };
    let mut s = Summary {
        a: a_label,
        b: b_label,
        out: out.display().to_string(),
        base: base.side,
        owner: base.project.meta.reviewer.clone(),
        collaborators: Vec::new(),
        studies_same_text: 0,
        text_differs: Vec::new(),
        only_base: 0,
        added: Vec::new(),
        sources_added: 0,
        codes_by_id: 0,
        codes_by_path: 0,
        codes_added: 0,
        codings_a,
        codings_b,
        codings_out: 0,
        duplicates: 0,
        notes_joined: 0,
        reanchored: 0,
        renamed: 0,
        flagged: Vec::new(),
        notices: Vec::new(),
        outcomes: Vec::new(),
    };
    // C starts as the base's project itself, not a copy of it.
    let empty = Project {
        meta: base.project.meta.clone(),
        codebook: Codebook::new(),
        studies: Vec::new(),
    };
    let project = std::mem::replace(&mut base.project, empty);
    let mut built = build::build(project, &base, &other, &mut s)?;
    write::write(out, &mut built.project, &built.copies, &mut s.notices)?;
    // Freeing a few hundred thousand codings takes a tenth of a second that nobody
    // needs to wait for (a process that exits first just drops the thread).
    std::thread::spawn(move || drop((built, base, other)));
    Ok(s)
}

/// Whether `a` is the base: the smaller owner id, then project id, then RON hash.
fn base_is_first(a: &Project, b: &Project) -> bool {
    let key = |p: &Project| (p.meta.reviewer.id, p.meta.id);
    match key(a).cmp(&key(b)) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => digest(a) <= digest(b),
    }
}

/// A hash of everything a project's RON files hold.
fn digest(p: &Project) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(to_ron(&p.meta));
    h.update(to_ron(&p.codebook));
    for s in &p.studies {
        h.update(to_ron(s));
    }
    h.finalize().into()
}
