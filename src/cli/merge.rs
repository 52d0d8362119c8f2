//! `thematic merge BASE OURS THEIRS [PATH]`: git's merge driver for project files.

use std::path::{Path, PathBuf};

use super::{CmdResult, Failure};
use crate::merge::three_way::{self, Report};
use crate::model::{Codebook, ProjectMeta, Study};
use crate::store::{StoreError, from_ron, to_ron, write_file_atomically};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Project,
    Codebook,
    Study,
}

fn kind_of(path: Option<&str>, ours: &[u8]) -> Kind {
    if let Some(p) = path {
        let name = p.rsplit('/').next().unwrap_or(p);
        if name == "project.ron" {
            return Kind::Project;
        }
        if name == "codebook.ron" {
            return Kind::Codebook;
        }
        if p.contains("studies/") {
            return Kind::Study;
        }
    }
    // Recognise by content: each file kind has a field the others lack.
    let text = String::from_utf8_lossy(ours);
    if text.contains("codes:") && !text.contains("key:") {
        Kind::Codebook
    } else if text.contains("key:") {
        Kind::Study
    } else {
        Kind::Project
    }
}

pub fn run(base: &Path, ours: &Path, theirs: &Path, path: Option<&str>) -> CmdResult {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| {
            Failure::Failed(format!(
                "{}: {}",
                p.display(),
                crate::store::describe_io(&e)
            ))
        })
    };
    let (b, o, t) = (read(base)?, read(ours)?, read(theirs)?);
    let shown = path.unwrap_or("file");
    let kind = kind_of(path, &o);
    let mut report = Report::default();
    let merged = match merge(kind, shown, &b, &o, &t, &mut report) {
        Ok(bytes) => bytes,
        Err(e) => return fallback(base, ours, theirs, shown, &e),
    };
    if let (Some(study), Some(p)) = (&merged.study, path) {
        restore_codes(p, study, &mut report)?;
    }
    write_file_atomically(ours, &merged.bytes)?;
    if report.lines.is_empty() {
        eprintln!("thematic merge {shown}: merged cleanly");
    } else {
        eprintln!(
            "thematic merge {shown}: merged; {} thing(s) resolved:",
            report.lines.len()
        );
        for l in &report.lines {
            eprintln!("  {l}");
        }
    }
    Ok(())
}

/// The merged file: its bytes, and the study (to check its codes) when it is one.
struct Merged {
    bytes: Vec<u8>,
    study: Option<Study>,
}

fn merge(
    kind: Kind,
    shown: &str,
    b: &[u8],
    o: &[u8],
    t: &[u8],
    r: &mut Report,
) -> Result<Merged, StoreError> {
    // An empty base: the file was added on both sides.
    let has_base = !b.iter().all(u8::is_ascii_whitespace);
    let lb = format!("{shown} (base)");
    let lo = format!("{shown} (ours)");
    let lt = format!("{shown} (theirs)");
    // Parsing is most of the work: the three versions are parsed at once.
    fn three<T: serde::de::DeserializeOwned + crate::store::Versioned + Send>(
        (lb, b, has_base): (&str, &[u8], bool),
        (lo, o): (&str, &[u8]),
        (lt, t): (&str, &[u8]),
    ) -> Result<(Option<T>, T, T), StoreError> {
        std::thread::scope(|scope| {
            let hb = scope.spawn(move || {
                if has_base {
                    from_ron::<T>(lb, b).map(Some)
                } else {
                    Ok(None)
                }
            });
            let ht = scope.spawn(move || from_ron::<T>(lt, t));
            let ours = from_ron::<T>(lo, o);
            let base = hb.join().expect("parser thread");
            let theirs = ht.join().expect("parser thread");
            Ok((base?, ours?, theirs?))
        })
    }
    let args = (
        (lb.as_str(), b, has_base),
        (lo.as_str(), o),
        (lt.as_str(), t),
    );
    Ok(match kind {
        Kind::Project => {
            let (b, o, t) = three::<ProjectMeta>(args.0, args.1, args.2)?;
            Merged {
                bytes: to_ron(&three_way::merge_project(b.as_ref(), &o, &t, r)),
                study: None,
            }
        }
        Kind::Codebook => {
            let (b, o, t) = three::<Codebook>(args.0, args.1, args.2)?;
            Merged {
                bytes: to_ron(&three_way::merge_codebook(b.as_ref(), &o, &t, r)),
                study: None,
            }
        }
        Kind::Study => {
            let (b, o, t) = three::<Study>(args.0, args.1, args.2)?;
            let s = three_way::merge_study(b.as_ref(), &o, &t, r);
            Merged {
                bytes: to_ron(&s),
                study: Some(s),
            }
        }
    })
}

/// An input that does not parse cannot be merged by meaning: mark the whole file
/// as a conflict, git-style with the base (diff3), and fail, so that a person looks.
fn fallback(base: &Path, ours: &Path, theirs: &Path, shown: &str, e: &StoreError) -> CmdResult {
    let read = |p: &Path| {
        let mut s = String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
        s
    };
    let marked = format!(
        "<<<<<<< ours\n{}||||||| base\n{}=======\n{}>>>>>>> theirs\n",
        read(ours),
        read(base),
        read(theirs)
    );
    write_file_atomically(ours, marked.as_bytes())?;
    Err(Failure::Failed(format!(
        "{shown}: cannot merge by meaning, an input does not parse ({e}); conflict markers left for you to resolve"
    )))
}

/// After merging a study file: every code its codings use must be in the
/// project's codebook (git merges `codebook.ron` before `studies/`, so the working
/// tree's codebook is already the merged one).
fn restore_codes(path: &str, study: &Study, r: &mut Report) -> CmdResult {
    let Some(root) = path.rfind("studies/").map(|i| PathBuf::from(&path[..i])) else {
        return Ok(());
    };
    r.lines.extend(crate::merge::restore::missing_codes(
        &root,
        std::slice::from_ref(study),
    )?);
    Ok(())
}
