//! Atomic multi-file saves: every temp file is written and synced before any is
//! renamed into place, renames go in dependency order, directories are synced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::StoreError;

/// Temp files end with this; any left by a killed save are removed on the next open.
pub const TEMP_SUFFIX: &str = ".thematic-tmp";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// One file to write, relative to the project root.
pub struct FileWrite {
    pub rel: String,
    pub bytes: Vec<u8>,
}

/// Write `files` (in the order given, which is the order they become visible) and
/// then remove `remove`. If any temp file cannot be written, every temp is removed
/// and no file changes.
pub fn commit(root: &Path, files: &[FileWrite], remove: &[String]) -> Result<(), StoreError> {
    let mut temps: Vec<(PathBuf, PathBuf, &str)> = Vec::with_capacity(files.len());
    for f in files {
        let dest = root.join(&f.rel);
        // A file made read-only on purpose is not replaced behind the owner's back
        // (rename would succeed, since it needs only the folder to be writable).
        let mode = fs::metadata(&dest).ok().map(|m| m.permissions());
        let refused = match &mode {
            Some(p) if p.readonly() => Some(io::Error::from(io::ErrorKind::PermissionDenied)),
            _ => None,
        };
        let written = match refused {
            Some(e) => Err(e),
            None => write_temp(&dest, &f.bytes, mode),
        };
        match written {
            Ok(tmp) => temps.push((tmp, dest, &f.rel)),
            Err(e) => {
                for (tmp, _, _) in &temps {
                    let _ = fs::remove_file(tmp);
                }
                return Err(StoreError::io(&f.rel, &e));
            }
        }
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (i, (tmp, dest, rel)) in temps.iter().enumerate() {
        if let Err(e) = fs::rename(tmp, dest) {
            for (t, _, _) in &temps[i..] {
                let _ = fs::remove_file(t);
            }
            return Err(StoreError::io(*rel, &e));
        }
        let dir = dest.parent().unwrap_or(root).to_path_buf();
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for rel in remove {
        let path = root.join(rel);
        match fs::remove_file(&path) {
            Ok(()) => {
                let dir = path.parent().unwrap_or(root).to_path_buf();
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(rel, &e)),
        }
    }
    for d in dirs {
        sync_dir(&d).map_err(|e| StoreError::io(d.display().to_string(), &e))?;
    }
    Ok(())
}

fn write_temp(dest: &Path, bytes: &[u8], mode: Option<fs::Permissions>) -> io::Result<PathBuf> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(
        ".{name}.{}.{}{TEMP_SUFFIX}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        // The new file keeps the permissions of the one it replaces.
        if let Some(m) = mode {
            f.set_permissions(m)?;
        }
        f.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Make a rename or removal in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Remove temp files a killed save left behind in `dirs`; returns how many.
pub fn remove_stale_temps(dirs: &[PathBuf]) -> usize {
    let mut n = 0;
    for d in dirs {
        let Ok(rd) = fs::read_dir(d) else { continue };
        for e in rd.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.')
                && name.ends_with(TEMP_SUFFIX)
                && fs::remove_file(e.path()).is_ok()
            {
                n += 1;
            }
        }
    }
    n
}
