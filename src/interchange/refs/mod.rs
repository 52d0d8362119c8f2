//! References from reference managers (Zotero, EndNote, Mendeley): RIS and
//! BibTeX/BibLaTeX files read into [`Citation`]s, then matched against the studies
//! of a project to add new studies or fill in the citations of existing ones.
//!
//! BibTeX is parsed by the `biblatex` crate. RIS is read here: the RIS crates on
//! crates.io drop lines they do not understand without saying so and do not tell
//! where a reference starts, and a skipped or malformed reference must be reported
//! with its line.

mod bibtex;
mod names;
mod plan;
mod ris;

use thiserror::Error;

use crate::model::Citation;

pub use names::{normalize_doi, normalize_title};
pub use plan::{Action, Difference, Matched, Outcome, Report, plan};

/// The two formats reference managers export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Ris,
    Bibtex,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Ris => "RIS",
            Format::Bibtex => "BibTeX",
        }
    }

    /// The format a file's content shows; else the one its extension names.
    pub fn detect(extension: Option<&str>, text: &str) -> Option<Format> {
        // A few header lines may come first (`Provider: …`, `% Encoding: UTF-8`).
        let lines = text
            .lines()
            .map(|l| crate::text::strip_bom(l).trim())
            .filter(|l| !l.is_empty())
            .take(12);
        for line in lines {
            if line.starts_with("TY ") && ris::is_tag_line(line) {
                return Some(Format::Ris);
            }
            if line.starts_with('@') {
                return Some(Format::Bibtex);
            }
        }
        match extension.map(str::to_ascii_lowercase).as_deref() {
            Some("ris") => Some(Format::Ris),
            Some("bib" | "bibtex") => Some(Format::Bibtex),
            _ => None,
        }
    }
}

/// One reference read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The line (1-based) where the reference starts in its file.
    pub line: usize,
    /// Normalised: authors as `"Family, Given"`, DOI lower-case without a prefix,
    /// LaTeX decoded.
    pub citation: Citation,
    /// Things worth telling about this reference (a DOI that is not one, ...).
    pub notes: Vec<String>,
}

/// A file that could not be read as references.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RefsError {
    /// The position is 1-based; the column counts characters.
    #[error("{line}:{col}: {message}")]
    Syntax {
        line: usize,
        col: usize,
        message: String,
    },
}

/// Read every reference in `text` (a whole file, BOM allowed).
pub fn parse(format: Format, text: &str) -> Result<Vec<Reference>, RefsError> {
    let text = crate::text::strip_bom(text);
    match format {
        Format::Ris => ris::parse(text),
        Format::Bibtex => bibtex::parse(text),
    }
}
