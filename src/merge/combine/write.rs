//! Writing the combined project: into a hidden folder beside C that is renamed to C
//! when complete (or straight into C when it exists and is empty), texts copied byte
//! for byte (and hashed on the way: one that changed since it was coded has its
//! codings re-anchored), every file synced — in parallel, since one fsync at a time
//! over thousands of files takes seconds — before C appears. On failure nothing is
//! left.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::CombineError;
use super::build::TextCopy;
use crate::model::Project;
use crate::store::{
    CODEBOOK_FILE, Lock, PROJECT_FILE, STUDIES_DIR, describe_io, reanchor_source, sync_dir, to_ron,
};
use crate::text::{SourceText, sha256_hex};

/// Concurrent fsyncs: the file system batches them into few journal commits.
const SYNC_THREADS: usize = 32;

fn failed(path: &Path, e: &io::Error) -> CombineError {
    CombineError::Failed(format!("{}: {}", path.display(), describe_io(e)))
}

/// `out` must not exist, or be an empty folder (as for `init`).
pub fn check_target(out: &Path) -> Result<(), CombineError> {
    match fs::metadata(out) {
        Ok(m) if !m.is_dir() => Err(CombineError::Usage(format!(
            "{}: already exists and is not a folder",
            out.display()
        ))),
        Ok(_) => {
            let mut rd = fs::read_dir(out).map_err(|e| failed(out, &e))?;
            if rd.next().is_some() {
                return Err(CombineError::Usage(format!(
                    "{}: already exists and is not empty",
                    out.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(failed(out, &e)),
    }
}

/// Write `p` and its texts as a new project in `out`; `notices` says which texts
/// had changed since they were coded.
pub fn write(
    out: &Path,
    p: &mut Project,
    copies: &[TextCopy],
    notices: &mut Vec<String>,
) -> Result<(), CombineError> {
    check_target(out)?;
    if out.is_dir() {
        let r = write_into(out, p, copies, notices);
        if r.is_err() {
            // Leave the folder as empty as it was found.
            if let Ok(rd) = fs::read_dir(out) {
                for e in rd.flatten() {
                    let path = e.path();
                    let _ = if path.is_dir() {
                        fs::remove_dir_all(&path)
                    } else {
                        fs::remove_file(&path)
                    };
                }
            }
        }
        return r;
    }
    let name = out
        .file_name()
        .ok_or_else(|| CombineError::Usage(format!("{}: not a folder name", out.display())))?;
    let parent = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| failed(&parent, &e))?;
    let stage = parent.join(format!(
        ".{}.combine-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    if stage.exists() {
        let _ = fs::remove_dir_all(&stage);
    }
    let r = write_into(&stage, p, copies, notices).and_then(|()| {
        fs::rename(&stage, out).map_err(|e| failed(out, &e))?;
        sync_dir(&parent).map_err(|e| failed(&parent, &e))
    });
    if r.is_err() {
        let _ = fs::remove_dir_all(&stage);
    }
    r
}

fn write_into(
    root: &Path,
    p: &mut Project,
    copies: &[TextCopy],
    notices: &mut Vec<String>,
) -> Result<(), CombineError> {
    let studies = root.join(STUDIES_DIR);
    fs::create_dir_all(&studies).map_err(|e| failed(&studies, &e))?;
    let lock = Lock::acquire(root).map_err(|e| CombineError::Failed(e.to_string()))?;
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    dirs.insert(root.to_path_buf());
    dirs.insert(studies.clone());
    dirs.insert(root.join(".thematic"));
    for c in copies {
        if let Some(d) = studies.join(&c.to).parent() {
            dirs.insert(d.to_path_buf());
        }
    }
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| failed(d, &e))?;
    }

    // Each text is read once: hashed, and written as it was read.
    let copied = crate::par::map(copies, |c| {
        let bytes = fs::read(&c.from).map_err(|e| failed(&c.from, &e))?;
        let dest = studies.join(&c.to);
        fs::write(&dest, &bytes).map_err(|e| failed(&dest, &e))?;
        let sha = sha256_hex(&bytes);
        let chars = bytes.iter().filter(|&&x| (x as i8) >= -0x40).count() as u32;
        Ok(if sha == c.sha256 && chars == c.chars {
            None
        } else {
            Some((sha, bytes))
        })
    });
    for (c, changed) in copies.iter().zip(copied) {
        if let Some((sha, bytes)) = changed? {
            reanchor(p, c, sha, bytes, notices)?;
        }
    }

    // Codebook, studies, then the project file: the order a reader would need them.
    let mut rons: Vec<Option<usize>> = vec![None];
    rons.extend((0..p.studies.len()).map(Some));
    let written = crate::par::map(&rons, |which| {
        let (rel, bytes) = match which {
            None => (CODEBOOK_FILE.to_string(), to_ron(&p.codebook)),
            Some(i) => {
                let s = &p.studies[*i];
                (format!("{STUDIES_DIR}/{}.ron", s.key), to_ron(s))
            }
        };
        let path = root.join(rel);
        fs::write(&path, bytes).map_err(|e| failed(&path, &e))
    });
    written.into_iter().collect::<Result<Vec<()>, _>>()?;
    let meta = root.join(PROJECT_FILE);
    fs::write(&meta, to_ron(&p.meta)).map_err(|e| failed(&meta, &e))?;

    let mut files: Vec<PathBuf> = copies.iter().map(|c| studies.join(&c.to)).collect();
    files.push(root.join(CODEBOOK_FILE));
    files.extend(
        p.studies
            .iter()
            .map(|s| studies.join(format!("{}.ron", s.key))),
    );
    files.push(meta);
    files.extend(dirs);
    sync_all(&files)?;
    drop(lock);
    Ok(())
}

/// A copied text differs from the one its codings were placed in: put them on
/// their quotes in the new text (or flag them), as opening the project would.
fn reanchor(
    p: &mut Project,
    c: &TextCopy,
    sha: String,
    bytes: Vec<u8>,
    notices: &mut Vec<String>,
) -> Result<(), CombineError> {
    let text = String::from_utf8(bytes).map_err(|_| {
        CombineError::Failed(format!(
            "{}: changed since it was coded, and is not UTF-8 text",
            c.from.display()
        ))
    })?;
    let text = SourceText::new(text);
    let at: Vec<(usize, usize)> = p
        .studies
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.sources
                .iter()
                .enumerate()
                .filter(|(_, src)| src.file == c.to)
                .map(move |(j, _)| (i, j))
        })
        .collect();
    for (i, j) in at {
        let r = reanchor_source(&p.studies[i], &p.studies[i].sources[j], &text, &sha);
        notices.push(format!(
            "{}: the text changed since it was coded; in the combined project {} coding(s) kept, {} moved to their quote, {} flagged ({} itself is not changed)",
            c.from.display(),
            r.kept,
            r.moved,
            r.flagged,
            c.label
        ));
        r.edit
            .apply(p)
            .map_err(|e| CombineError::Failed(format!("{}: {e}", c.from.display())))?;
    }
    Ok(())
}

/// fsync every path (files and folders) on many threads at once.
fn sync_all(paths: &[PathBuf]) -> Result<(), CombineError> {
    let errors = crate::par::map_with(paths, SYNC_THREADS, |p| {
        File::open(p)
            .and_then(|f| f.sync_all())
            .err()
            .map(|e| failed(p, &e))
    });
    match errors.into_iter().flatten().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
