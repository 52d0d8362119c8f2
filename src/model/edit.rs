//! Every change to a project is an [`Edit`]; applying one returns its inverse.
//! Undo, redo, saving only what changed, and merging are all built on that.

use std::collections::BTreeSet;

use thiserror::Error;

use super::{Code, Coding, Id, Project, ProjectMeta, Source, Study, StudyInfo};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Replace `project.ron`'s contents.
    SetMeta(Box<ProjectMeta>),
    /// Insert a code, or replace the code with the same id.
    PutCode(Code),
    /// Remove a code that has no children and no codings.
    DeleteCode(Id),
    /// Add a study (with its sources and codings).
    AddStudy(Box<Study>),
    /// Remove a study and everything in it (its text files stay on disk).
    DeleteStudy(Id),
    /// Replace a study's key, citation, characteristics, appraisal and memo.
    SetStudyInfo { study: Id, info: Box<StudyInfo> },
    /// Insert a source, or replace the source with the same id.
    PutSource { study: Id, source: Source },
    /// Remove a source that no coding refers to.
    DeleteSource { study: Id, source: Id },
    /// Insert a source at a position in the study's list (the inverse of a delete).
    InsertSource {
        study: Id,
        index: usize,
        source: Source,
    },
    /// Insert a coding, or replace the coding with the same id.
    PutCoding { study: Id, coding: Coding },
    /// Remove a coding.
    DeleteCoding { study: Id, coding: Id },
    /// Several edits as one step; applied in order, undone in reverse.
    Batch(Vec<Edit>),
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum EditError {
    #[error("no study with id {0}")]
    NoStudy(Id),
    #[error("no code with id {0}")]
    NoCode(Id),
    #[error("no source with id {0}")]
    NoSource(Id),
    #[error("no coding with id {0}")]
    NoCoding(Id),
    #[error("a study with key `{0}` already exists")]
    DuplicateKey(String),
    #[error("a study with id {0} already exists")]
    DuplicateStudy(Id),
    #[error("code `{0}` still has child codes")]
    CodeHasChildren(String),
    #[error("code `{0}` still has codings")]
    CodeInUse(String),
    #[error("source `{0}` still has codings")]
    SourceInUse(String),
    #[error("moving the code under its own descendant would make a cycle")]
    Cycle,
    #[error("span {start}..{end} is not within the source's {chars} characters")]
    BadSpan { start: u32, end: u32, chars: u32 },
    #[error("a source with id {0} already exists")]
    DuplicateSource(Id),
    #[error("a coding with id {0} already exists")]
    DuplicateCoding(Id),
    #[error("a code needs a name")]
    BlankName,
    #[error("source file `{0}` must be a path inside studies/")]
    UnsafeFile(String),
    #[error("a study key must not be empty or contain `/`")]
    BadKey,
}

/// Which files an edit changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    pub meta: bool,
    pub codebook: bool,
    pub studies: BTreeSet<Id>,
}

impl Touched {
    pub fn all(project: &Project) -> Self {
        Touched {
            meta: true,
            codebook: true,
            studies: project.studies.iter().map(|s| s.id).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.meta && !self.codebook && self.studies.is_empty()
    }

    pub fn merge(&mut self, other: Touched) {
        self.meta |= other.meta;
        self.codebook |= other.codebook;
        self.studies.extend(other.studies);
    }
}

impl Edit {
    /// Apply to `project`, returning the edit that undoes it. On error the project
    /// is unchanged (a failing batch is rolled back).
    pub fn apply(self, p: &mut Project) -> Result<Edit, EditError> {
        match self {
            Edit::SetMeta(meta) => Ok(Edit::SetMeta(Box::new(std::mem::replace(
                &mut p.meta,
                *meta,
            )))),
            Edit::PutCode(code) => {
                if code.name.trim().is_empty() {
                    return Err(EditError::BlankName);
                }
                if let Some(parent) = code.parent {
                    if p.codebook.get(parent).is_none() {
                        return Err(EditError::NoCode(parent));
                    }
                    if p.codebook.get(code.id).is_some() && p.codebook.is_within(parent, code.id) {
                        return Err(EditError::Cycle);
                    }
                }
                let id = code.id;
                let inverse = match p.codebook.get_mut(id) {
                    Some(old) => Edit::PutCode(std::mem::replace(old, code)),
                    None => {
                        p.codebook.codes.push(code);
                        Edit::DeleteCode(id)
                    }
                };
                p.codebook.canonicalize();
                Ok(inverse)
            }
            Edit::DeleteCode(id) => {
                let i = p.codebook.index_of(id).ok_or(EditError::NoCode(id))?;
                if p.codebook.codes.iter().any(|c| c.parent == Some(id)) {
                    return Err(EditError::CodeHasChildren(p.codebook.path(id)));
                }
                if p.code_in_use(id) {
                    return Err(EditError::CodeInUse(p.codebook.path(id)));
                }
                Ok(Edit::PutCode(p.codebook.codes.remove(i)))
            }
            Edit::AddStudy(mut study) => {
                if p.study(study.id).is_some() {
                    return Err(EditError::DuplicateStudy(study.id));
                }
                check_key(p, study.id, &study.key)?;
                let mut ids = std::collections::HashSet::new();
                for src in &study.sources {
                    check_file(&src.file)?;
                    if !ids.insert(src.id) {
                        return Err(EditError::DuplicateSource(src.id));
                    }
                }
                for c in &study.codings {
                    if p.codebook.get(c.code).is_none() {
                        return Err(EditError::NoCode(c.code));
                    }
                    if !ids.insert(c.id) {
                        return Err(EditError::DuplicateCoding(c.id));
                    }
                    check_span(&study, c)?;
                }
                // Saved bytes must not depend on the order the codings came in.
                study.sort_codings();
                let id = study.id;
                p.studies.push(*study);
                p.sort_studies();
                Ok(Edit::DeleteStudy(id))
            }
            Edit::DeleteStudy(id) => {
                let i = p
                    .studies
                    .iter()
                    .position(|s| s.id == id)
                    .ok_or(EditError::NoStudy(id))?;
                Ok(Edit::AddStudy(Box::new(p.studies.remove(i))))
            }
            Edit::SetStudyInfo { study, info } => {
                check_key(p, study, &info.key)?;
                let s = p.study_mut(study).ok_or(EditError::NoStudy(study))?;
                let old = s.set_info(*info);
                p.sort_studies();
                Ok(Edit::SetStudyInfo {
                    study,
                    info: Box::new(old),
                })
            }
            Edit::PutSource { study, source } => {
                check_file(&source.file)?;
                let s = p.study_mut(study).ok_or(EditError::NoStudy(study))?;
                if let Some(old) = s.sources.iter_mut().find(|x| x.id == source.id) {
                    if let Some(c) = s
                        .codings
                        .iter()
                        .find(|c| c.source == source.id && c.flag.is_none() && c.end > source.chars)
                    {
                        return Err(EditError::BadSpan {
                            start: c.start,
                            end: c.end,
                            chars: source.chars,
                        });
                    }
                    let old = std::mem::replace(old, source);
                    return Ok(Edit::PutSource { study, source: old });
                }
                let id = source.id;
                s.sources.push(source);
                Ok(Edit::DeleteSource { study, source: id })
            }
            Edit::DeleteSource { study, source } => {
                let s = p.study_mut(study).ok_or(EditError::NoStudy(study))?;
                let i = s
                    .sources
                    .iter()
                    .position(|x| x.id == source)
                    .ok_or(EditError::NoSource(source))?;
                if s.codings.iter().any(|c| c.source == source) {
                    return Err(EditError::SourceInUse(s.sources[i].name.clone()));
                }
                let removed = s.sources.remove(i);
                Ok(Edit::InsertSource {
                    study,
                    index: i,
                    source: removed,
                })
            }
            Edit::InsertSource {
                study,
                index,
                source,
            } => {
                check_file(&source.file)?;
                let s = p.study_mut(study).ok_or(EditError::NoStudy(study))?;
                if s.sources.iter().any(|x| x.id == source.id) {
                    return Err(EditError::DuplicateSource(source.id));
                }
                let id = source.id;
                s.sources.insert(index.min(s.sources.len()), source);
                s.sort_codings();
                Ok(Edit::DeleteSource { study, source: id })
            }
            Edit::PutCoding { study, coding } => {
                if p.codebook.get(coding.code).is_none() {
                    return Err(EditError::NoCode(coding.code));
                }
                let s = p.study_mut(study).ok_or(EditError::NoStudy(study))?;
                check_span(s, &coding)?;
                let id = coding.id;
                Ok(match s.put_coding(coding) {
                    Some(old) => Edit::PutCoding { study, coding: old },
                    None => Edit::DeleteCoding { study, coding: id },
                })
            }
            Edit::DeleteCoding { study, coding } => {
                let s = p.study_mut(study).ok_or(EditError::NoStudy(study))?;
                let old = s.remove_coding(coding).ok_or(EditError::NoCoding(coding))?;
                Ok(Edit::PutCoding { study, coding: old })
            }
            Edit::Batch(edits) => {
                let mut inverses = Vec::with_capacity(edits.len());
                for e in edits {
                    match e.apply(p) {
                        Ok(inv) => inverses.push(inv),
                        Err(err) => {
                            for inv in inverses.into_iter().rev() {
                                inv.apply(p)
                                    .expect("an inverse applies to the state it came from");
                            }
                            return Err(err);
                        }
                    }
                }
                inverses.reverse();
                Ok(Edit::Batch(inverses))
            }
        }
    }

    /// The files this edit changes (before or after applying it: both name the same study ids).
    pub fn touches(&self) -> Touched {
        let mut t = Touched::default();
        self.collect_touched(&mut t);
        t
    }

    fn collect_touched(&self, t: &mut Touched) {
        match self {
            Edit::SetMeta(_) => t.meta = true,
            Edit::PutCode(_) | Edit::DeleteCode(_) => t.codebook = true,
            Edit::AddStudy(s) => {
                t.studies.insert(s.id);
            }
            Edit::DeleteStudy(id) => {
                t.studies.insert(*id);
            }
            Edit::SetStudyInfo { study, .. }
            | Edit::PutSource { study, .. }
            | Edit::DeleteSource { study, .. }
            | Edit::InsertSource { study, .. }
            | Edit::PutCoding { study, .. }
            | Edit::DeleteCoding { study, .. } => {
                t.studies.insert(*study);
            }
            Edit::Batch(v) => v.iter().for_each(|e| e.collect_touched(t)),
        }
    }

    /// Whether applying this edit would change nothing (an empty batch).
    pub fn is_noop(&self) -> bool {
        matches!(self, Edit::Batch(v) if v.iter().all(Edit::is_noop))
    }
}

fn check_key(p: &Project, study: Id, key: &str) -> Result<(), EditError> {
    if key.is_empty() || key.contains('/') || key.contains('\\') || key.starts_with('.') {
        return Err(EditError::BadKey);
    }
    match p.study_by_key(key) {
        Some(other) if other.id != study => Err(EditError::DuplicateKey(key.to_string())),
        _ => Ok(()),
    }
}

fn check_file(file: &str) -> Result<(), EditError> {
    if is_safe_relative(file) {
        Ok(())
    } else {
        Err(EditError::UnsafeFile(file.to_string()))
    }
}

/// A relative path with no `..`, no root and no empty parts: it stays inside the
/// folder it is relative to.
pub fn is_safe_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && p.split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

fn check_span(s: &Study, c: &Coding) -> Result<(), EditError> {
    let src = s.source(c.source).ok_or(EditError::NoSource(c.source))?;
    // A flagged coding could not be placed in its text; it is kept as it was.
    if c.flag.is_none() && (c.start >= c.end || c.end > src.chars) {
        return Err(EditError::BadSpan {
            start: c.start,
            end: c.end,
            chars: src.chars,
        });
    }
    Ok(())
}
