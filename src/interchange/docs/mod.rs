//! The text of Word (`.docx`), OpenDocument (`.odt`) and PDF files, as a study's
//! source: one line per paragraph (empty paragraphs kept as empty lines), each
//! table row as one line of tab-separated cells, note marks as `[1]` in the text
//! and the notes after it under a `Notes` line. Characters are kept as they are
//! (smart quotes, soft hyphens, zero-width marks).

mod docx;
mod odt;
mod pdf;
mod xml;

use std::io::Read;
use std::path::Path;

use thiserror::Error;

/// The kinds of document `import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `.txt`, `.md`: stored as they are.
    Plain,
    Docx,
    Odt,
    Pdf,
}

/// Every extension `import` accepts, lower case, without the dot.
pub const EXTENSIONS: [&str; 5] = ["txt", "md", "docx", "odt", "pdf"];

impl Kind {
    pub fn of(path: &Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "md" => Kind::Plain,
            "docx" => Kind::Docx,
            "odt" => Kind::Odt,
            "pdf" => Kind::Pdf,
            _ => return None,
        })
    }
}

#[derive(Debug, Error)]
pub enum DocError {
    #[error("not a readable {kind} file ({message})")]
    Archive { kind: &'static str, message: String },
    #[error("{part}:{line}:{col}: {message}")]
    Xml {
        part: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{0}")]
    Pdf(String),
}

/// The text of a `.docx`, `.odt` or `.pdf` file's bytes.
pub fn extract(kind: Kind, bytes: &[u8]) -> Result<String, DocError> {
    match kind {
        Kind::Plain => Ok(String::from_utf8_lossy(bytes).into_owned()),
        Kind::Docx => docx::text(&mut Package::open(bytes, "Word (.docx)")?),
        Kind::Odt => odt::text(&mut Package::open(bytes, "OpenDocument (.odt)")?),
        Kind::Pdf => pdf::text(bytes),
    }
}

/// A zip package (docx, odt) and the parts read from it.
struct Package<'a> {
    zip: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    kind: &'static str,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], kind: &'static str) -> Result<Self, DocError> {
        let zip =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| DocError::Archive {
                kind,
                message: e.to_string(),
            })?;
        Ok(Package { zip, kind })
    }

    /// A part's text, `None` if the package has no such part.
    fn part(&mut self, name: &str) -> Result<Option<String>, DocError> {
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => {
                return Err(DocError::Archive {
                    kind: self.kind,
                    message: format!("{name}: {e}"),
                });
            }
        };
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| DocError::Archive {
                kind: self.kind,
                message: format!("{name}: {e}"),
            })?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| DocError::Archive {
                kind: self.kind,
                message: format!("{name} is not UTF-8"),
            })
    }

    fn required(&mut self, name: &str) -> Result<String, DocError> {
        self.part(name)?.ok_or_else(|| DocError::Archive {
            kind: self.kind,
            message: format!("it has no {name}"),
        })
    }
}

/// The text being built: lines, and the notes referred to so far.
#[derive(Default)]
struct Text {
    lines: Vec<String>,
    notes: Vec<String>,
}

impl Text {
    /// One line per paragraph or row, then `Notes` and the notes, each line ended
    /// by `\n`.
    fn finish(self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        if !self.notes.is_empty() {
            out.push_str("\nNotes\n");
            for (i, n) in self.notes.iter().enumerate() {
                out.push_str(&format!("[{}] {n}\n", i + 1));
            }
        }
        out
    }
}

/// A table cell's text on one line: its paragraphs, tabs and breaks as spaces.
fn cell_line(paragraphs: &[String]) -> String {
    paragraphs
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.replace(['\t', '\n'], " "))
        .collect::<Vec<_>>()
        .join(" ")
}
