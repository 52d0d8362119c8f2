//! Writing the new project: texts, then the RON files, `project.ron` last.

use std::fs;
use std::path::{Path, PathBuf};

use super::super::{Progress, RefiError};
use super::{Built, ImportSummary};
use crate::store::{CODEBOOK_FILE, Lock, PROJECT_FILE, STUDIES_DIR, sync_dir, to_ron};

/// Create the project on disk, holding its lock: texts first, then `codebook.ron`,
/// the studies, and `project.ron` last, each file synced, so that an import cut
/// short leaves no `project.ron` (nothing that opens as a half project). The files
/// are the store's own canonical bytes (`to_ron`); they are written here rather
/// than through `Store::save` because a new project has nothing to replace
/// atomically, and syncing a thousand files many at a time (the file system commits
/// them together) takes a fraction of syncing them one by one. If anything fails,
/// the half-made project is removed. Then the project is checked as `check` does.
pub(super) fn write(
    dir: &Path,
    built: Built,
    progress: &dyn Progress,
) -> Result<ImportSummary, RefiError> {
    let Built {
        project,
        texts,
        mut summary,
    } = built;
    let existed = dir.exists();
    let result = (|| -> Result<(), RefiError> {
        let studies = dir.join(STUDIES_DIR);
        fs::create_dir_all(&studies).map_err(|e| io_fail(dir, &e))?;
        let (lock, _) = Lock::acquire(dir)?;
        progress.start("writing texts", texts.len() as u64);
        let mut folders: Vec<PathBuf> = texts
            .iter()
            .filter_map(|(f, _)| studies.join(f).parent().map(Path::to_path_buf))
            .collect();
        folders.sort();
        folders.dedup();
        for f in &folders {
            fs::create_dir_all(f).map_err(|e| io_fail(f, &e))?;
        }
        let written = io_map(&texts, |(file, text)| {
            let r = write_new(&studies.join(file), text.as_bytes());
            progress.advance(1);
            r
        });
        progress.finish();
        written.into_iter().collect::<Result<Vec<()>, _>>()?;
        for f in &folders {
            sync_dir(f).map_err(|e| io_fail(f, &e))?;
        }
        progress.start("saving the project", project.studies.len() as u64);
        write_new(&dir.join(CODEBOOK_FILE), &to_ron(&project.codebook))?;
        let written = io_map(&project.studies, |s| {
            let r = write_new(&studies.join(format!("{}.ron", s.key)), &to_ron(s));
            progress.advance(1);
            r
        });
        written.into_iter().collect::<Result<Vec<()>, _>>()?;
        sync_dir(&studies).map_err(|e| io_fail(&studies, &e))?;
        write_new(&dir.join(PROJECT_FILE), &to_ron(&project.meta))?;
        sync_dir(dir).map_err(|e| io_fail(dir, &e))?;
        progress.finish();
        drop(lock);
        Ok(())
    })();
    if let Err(e) = result {
        remove_new_project(dir, existed);
        return Err(e);
    }
    progress.start("checking", 0);
    let report = crate::store::check(dir)?;
    progress.finish();
    summary.codes = project.codebook.codes.len();
    summary.studies = project.studies.len();
    summary.sources = project.studies.iter().map(|s| s.sources.len()).sum();
    summary.codings = project.studies.iter().map(|s| s.codings.len()).sum();
    summary.problems = report.problems;
    Ok(summary)
}

pub(super) fn io_fail(path: &Path, e: &std::io::Error) -> RefiError {
    RefiError::Failed(format!(
        "{}: {}",
        path.display(),
        crate::store::describe_io(e)
    ))
}

/// Write a file that must not exist yet, and sync it.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), RefiError> {
    use std::io::Write;
    let r = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    r.map_err(|e| io_fail(path, &e))
}

/// `f(item)` for every item on 8 threads (for work that waits on the disk);
/// results in input order.
fn io_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    crate::par::map_with(items, 8, f)
}

/// Take back a project this import began: the folder did not exist or was empty.
fn remove_new_project(dir: &Path, existed: bool) {
    if !existed {
        let _ = fs::remove_dir_all(dir);
        return;
    }
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            let _ = if p.is_dir() {
                fs::remove_dir_all(&p)
            } else {
                fs::remove_file(&p)
            };
        }
    }
}
