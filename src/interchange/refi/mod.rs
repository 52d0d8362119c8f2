//! REFI-QDA 1.5 (QDA-XML), the exchange format of NVivo, ATLAS.ti, MAXQDA and
//! QualCoder: projects (`.qdpx`, a zip of `project.qde` and `sources/`) and
//! codebooks (`.qdc`), both ways.
//!
//! Export writes what the standard says; import reads what real exporters write
//! (see `shared/refi-qda/NOTES.md`): inner files named otherwise, `Sources/` in any
//! case, BOMs, CRLF, braced or upper-case GUIDs, inline texts, NVivo's UTF-16
//! positions, ATLAS.ti's `A::B` code names. What thematic cannot hold is named in
//! the import's summary, never dropped in silence.

mod archive;
mod export;
mod import;
mod positions;
mod read;
mod xml;

pub use export::{ExportSummary, export_qdc, export_qdpx};
pub use import::{ImportOptions, ImportSummary, import_qdc, import_qdpx};

use thiserror::Error;

use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum RefiError {
    /// The command was used wrongly (a codebook given to a project import, a
    /// target folder that is not empty…).
    #[error("{0}")]
    Usage(String),
    /// The work could not be done: unreadable input, missing texts, disk errors.
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reports how far a long import or export has got. The library knows nothing of
/// terminals; the command line draws a bar with this.
pub trait Progress: Sync {
    /// A phase begins with `total` steps (0: unknown).
    fn start(&self, _what: &str, _total: u64) {}
    fn advance(&self, _steps: u64) {}
    /// The phase is over.
    fn finish(&self) {}
}

/// No progress to show.
pub struct Silent;

impl Progress for Silent {}
