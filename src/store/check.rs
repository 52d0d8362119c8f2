//! `thematic check`: validate every file and every coding against its text.
//! Never writes.

use std::path::Path;

use super::error::{Problem, StoreError};
use super::parse::locate;
use super::{Mode, STUDIES_DIR, Store};

/// Everything `check` found, errors and warnings, in file order.
pub struct CheckReport {
    pub problems: Vec<Problem>,
    pub studies: usize,
    pub sources: usize,
    pub codings: usize,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| !p.warning).count()
    }
}

/// Check the project in `root`. Only a missing project or an unreadable
/// `project.ron` is an `Err`; every other problem goes into the report.
pub fn check(root: &Path) -> Result<CheckReport, StoreError> {
    let opened = match Store::open(root, Mode::Read) {
        Ok(o) => o,
        Err(StoreError::Invalid(problems)) => {
            return Ok(CheckReport {
                problems,
                studies: 0,
                sources: 0,
                codings: 0,
            });
        }
        Err(StoreError::Newer { path, found }) => {
            return Ok(CheckReport {
                problems: vec![Problem::error(
                    &path,
                    locate(
                        &std::fs::read_to_string(root.join(&path)).unwrap_or_default(),
                        "format:",
                    ),
                    format!("format {found} is newer than this thematic reads; upgrade thematic"),
                )],

                studies: 0,
                sources: 0,
                codings: 0,
            });
        }
        Err(e) => return Err(e),
    };
    let (store, project) = (opened.store, opened.project);
    let mut problems = opened.warnings;
    // Studies are checked on all cores: reading and hashing texts is the work.
    let per_study = crate::par::map(&project.studies, |s| {
        let mut problems = Vec::new();
        let rel = format!("{STUDIES_DIR}/{}.ron", s.key);
        let file_text = std::fs::read_to_string(root.join(&rel)).unwrap_or_default();
        let at = |needle: String| locate(&file_text, &needle);
        for src in &s.sources {
            let text = match store.read_text(src) {
                Ok(t) => t,
                Err(StoreError::Invalid(ps)) => {
                    problems.extend(ps);
                    continue;
                }
                Err(e) => {
                    problems.push(Problem::error(
                        &rel,
                        at(format!("id: \"{}\"", src.id)),
                        e.to_string(),
                    ));
                    continue;
                }
            };
            let sha = text.sha256();
            if sha != src.sha256 {
                problems.push(Problem::error(
                    &rel,
                    at(format!("sha256: \"{}\"", src.sha256)),
                    format!(
                        "source `{}`: {STUDIES_DIR}/{} changed since it was coded (sha256 differs); \
                         opening the project re-anchors its codings by their quotes",
                        src.name, src.file
                    ),
                ));
            }
            if text.chars() != src.chars {
                problems.push(Problem::error(
                    &rel,
                    at(format!("id: \"{}\"", src.id)),
                    format!(
                        "source `{}`: recorded length {} characters, but the text has {}",
                        src.name,
                        src.chars,
                        text.chars()
                    ),
                ));
            }
            for c in s.codings.iter().filter(|c| c.source == src.id) {
                let pos = || at(format!("id: \"{}\"", c.id));
                if let Some(flag) = &c.flag {
                    problems.push(Problem::error(
                        &rel,
                        pos(),
                        format!("coding {} is flagged: {flag}", c.id),
                    ));
                    continue;
                }
                if c.end > text.chars() {
                    problems.push(Problem::error(
                        &rel,
                        pos(),
                        format!(
                            "coding {}: span {}..{} runs past the end of the text ({} characters)",
                            c.id,
                            c.start,
                            c.end,
                            text.chars()
                        ),
                    ));
                    continue;
                }
                let actual = text.slice(c.start, c.end);
                if actual != c.quote {
                    problems.push(Problem::error(
                        &rel,
                        pos(),
                        format!(
                            "coding {}: quote {:?} does not match the text at {}..{} ({:?})",
                            c.id,
                            ellipsis(&c.quote),
                            c.start,
                            c.end,
                            ellipsis(actual)
                        ),
                    ));
                }
                for edge in [c.start, c.end] {
                    if !text.is_grapheme_boundary(edge) {
                        problems.push(Problem::warning(
                            &rel,
                            pos(),
                            format!(
                                "coding {}: position {edge} splits a character cluster (kept as imported)",
                                c.id
                            ),
                        ));
                    }
                }
            }
        }
        problems
    });
    for ps in per_study {
        problems.extend(ps);
    }
    let sources = project.studies.iter().map(|s| s.sources.len()).sum();
    problems.sort();
    problems.dedup();
    Ok(CheckReport {
        problems,
        studies: project.studies.len(),
        sources,
        codings: project.studies.iter().map(|s| s.codings.len()).sum(),
    })
}

fn ellipsis(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}
