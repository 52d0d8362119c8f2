//! The review itself: studies, sources, the code tree and codings. Knows nothing
//! of files or terminals.

mod codebook;
mod edit;
mod id;
mod project;
mod study;

pub use codebook::{Code, CodeKind, Codebook, PALETTE, escape_segment, split_path};
pub use edit::{Edit, EditError, Touched, is_safe_relative};
pub use id::Id;
pub use project::{FORMAT, ProjectMeta, Reviewer};
pub use study::{
    Answer, Appraisal, AppraisalItem, CASP_QUESTIONS, Citation, Coding, Construct, Source, Study,
    StudyInfo,
};

/// A whole review in memory (texts are loaded separately, on demand).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub meta: ProjectMeta,
    pub codebook: Codebook,
    /// Ordered by key.
    pub studies: Vec<Study>,
}

impl Project {
    pub fn new(title: &str, reviewer: &str) -> Self {
        Project {
            meta: ProjectMeta::new(title, reviewer),
            codebook: Codebook::new(),
            studies: Vec::new(),
        }
    }

    pub fn study(&self, id: Id) -> Option<&Study> {
        self.studies.iter().find(|s| s.id == id)
    }

    pub fn study_mut(&mut self, id: Id) -> Option<&mut Study> {
        self.studies.iter_mut().find(|s| s.id == id)
    }

    pub fn study_by_key(&self, key: &str) -> Option<&Study> {
        self.studies.iter().find(|s| s.key == key)
    }

    /// Keep studies ordered by key (then id, for the impossible tie).
    pub fn sort_studies(&mut self) {
        self.studies
            .sort_by(|a, b| a.key.cmp(&b.key).then(a.id.cmp(&b.id)));
    }

    /// Every coding with its study.
    pub fn codings(&self) -> impl Iterator<Item = (&Study, &Coding)> {
        self.studies
            .iter()
            .flat_map(|s| s.codings.iter().map(move |c| (s, c)))
    }

    /// Whether any coding uses `code`.
    pub fn code_in_use(&self, code: Id) -> bool {
        self.codings().any(|(_, c)| c.code == code)
    }

    /// A study key made from `stem` that no study has yet: lower-cased,
    /// ASCII-folded, non-alphanumerics as `-`, then `-2`, `-3`… if taken.
    pub fn unique_key(&self, stem: &str) -> String {
        let base = crate::text::slug(stem);
        let base = if base.is_empty() {
            "study".to_string()
        } else {
            base
        };
        if self.study_by_key(&base).is_none() {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|k| self.study_by_key(k).is_none())
            .expect("an unused key exists")
    }
}

/// The current time as an RFC 3339 UTC timestamp with seconds.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}
