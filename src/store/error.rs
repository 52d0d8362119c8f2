//! What can go wrong reading or writing a project, with messages a researcher can act on.

use std::fmt;
use std::io;

use thiserror::Error;

use crate::model::{EditError, FORMAT};

/// One problem found in one file, at a position (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Relative to the project directory.
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    /// Warnings are reported but do not make `check` fail or block opening.
    pub warning: bool,
}

impl Problem {
    pub fn error(path: &str, (line, col): (usize, usize), message: impl Into<String>) -> Self {
        Problem {
            path: path.to_string(),
            line,
            col,
            message: message.into(),
            warning: false,
        }
    }

    pub fn warning(path: &str, pos: (usize, usize), message: impl Into<String>) -> Self {
        Problem {
            warning: true,
            ..Problem::error(path, pos, message)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.warning { "warning: " } else { "" };
        write!(
            f,
            "{}:{}:{}: {kind}{}",
            self.path, self.line, self.col, self.message
        )
    }
}

#[derive(Debug, Error)]
pub enum StoreError {
    /// One or more files are malformed or inconsistent.
    #[error("{}", join_problems(.0))]
    Invalid(Vec<Problem>),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(
        "{path}: written by a newer version of thematic (format {found}; this build reads up to {FORMAT}); upgrade thematic to open it"
    )]
    Newer { path: String, found: u32 },
    #[error("{0}")]
    Locked(String),
    #[error("{0}: not a thematic project (no project.ron)")]
    NotAProject(String),
    #[error("{0}")]
    Edit(#[from] EditError),
    #[error("{0}")]
    Usage(String),
}

fn join_problems(v: &[Problem]) -> String {
    v.iter()
        .filter(|p| !p.warning)
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl StoreError {
    /// An I/O error on `path`, phrased for people (`permission denied`, not `os error 13`).
    pub fn io(path: impl Into<String>, e: &io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            message: describe_io(e),
        }
    }
}

/// A short, human description of an I/O error.
pub fn describe_io(e: &io::Error) -> String {
    use io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        ReadOnlyFilesystem => "the file system is read-only".into(),
        StorageFull => "the disk is full".into(),
        AlreadyExists => "already exists".into(),
        _ => {
            let s = e.to_string();
            // Drop the "(os error N)" suffix; keep the words.
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}
