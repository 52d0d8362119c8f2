//! `.thematic/lock`: one writer per project. The lock is an advisory `flock` held for
//! as long as the project is open, so a process that dies (even by `kill -9`)
//! releases it; the file's contents only name the holder for messages.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::error::StoreError;

pub struct Lock {
    file: File,
    path: PathBuf,
}

/// How a lock was obtained.
#[derive(Debug, PartialEq, Eq)]
pub enum Acquired {
    Fresh,
    /// A holder that no longer runs had left its name in the lock file.
    TakenOver(String),
}

impl Lock {
    /// Take the project's lock, or say who holds it.
    pub fn acquire(root: &Path) -> Result<(Lock, Acquired), StoreError> {
        let dir = root.join(".thematic");
        fs::create_dir_all(&dir).map_err(|e| StoreError::io(".thematic", &e))?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            let _ = fs::write(&ignore, "# local state of thematic: never commit\n*\n");
        }
        let path = dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::io(".thematic/lock", &e))?;
        let mut previous = String::new();
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let _ = file.read_to_string(&mut previous);
                let holder = describe(&previous);
                return Err(StoreError::Locked(format!(
                    "the project is locked: it is open in another thematic ({holder}); close it there first"
                )));
            }
            Err(fs::TryLockError::Error(e)) => return Err(StoreError::io(".thematic/lock", &e)),
        }
        let _ = file.read_to_string(&mut previous);
        let acquired = if previous.trim().is_empty() {
            Acquired::Fresh
        } else {
            Acquired::TakenOver(describe(&previous))
        };
        let me = format!(
            "pid={}\nhost={}\nuser={}\nsince={}\n",
            std::process::id(),
            hostname(),
            std::env::var("USER").unwrap_or_default(),
            crate::model::now()
        );
        let write = (|| {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(me.as_bytes())?;
            file.sync_all()
        })();
        write.map_err(|e| StoreError::io(".thematic/lock", &e))?;
        Ok((Lock { file, path }, acquired))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // An empty lock file means "cleanly closed"; the flock itself goes with the fd.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown host".into())
}

/// `pid 123 on host, user ann, since …` from the lock file's contents.
fn describe(contents: &str) -> String {
    let field = |k: &str| {
        contents
            .lines()
            .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
            .unwrap_or("?")
            .to_string()
    };
    format!(
        "pid {} on {}, user {}, since {}",
        field("pid"),
        field("host"),
        field("user"),
        field("since")
    )
}
