//! RON files ⇄ values: canonical bytes out, precise `path:line:col` errors in.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{Problem, StoreError};
use crate::model::FORMAT;

/// The canonical bytes of a value: no struct names, one entity per line, `\n`
/// newlines, escaped strings, a final newline. The same value gives the same bytes.
///
/// Written by [`super::canon`], which gives `ron`'s bytes faster; a shape it does
/// not cover goes to `ron` itself.
pub fn to_ron<T: Serialize>(value: &T) -> Vec<u8> {
    to_ron_fast(value).unwrap_or_else(|_| to_ron_by_ron(value))
}

/// The canonical writer alone, without the fallback (for tests that compare it).
#[doc(hidden)]
pub fn to_ron_fast<T: Serialize>(value: &T) -> Result<Vec<u8>, super::canon::Unsupported> {
    let mut s = super::canon::to_string(value)?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// The canonical bytes as `ron` writes them: the definition [`to_ron`] must match.
#[doc(hidden)]
pub fn to_ron_by_ron<T: Serialize>(value: &T) -> Vec<u8> {
    let cfg = ron::ser::PrettyConfig::new()
        .struct_names(false)
        .depth_limit(super::canon::DEPTH_LIMIT)
        .indentor(super::canon::INDENT)
        .new_line("\n")
        .separate_tuple_members(false)
        .escape_strings(true);
    let mut s = ron::ser::to_string_pretty(value, cfg).expect("project values always serialize");
    s.push('\n');
    s.into_bytes()
}

/// A file that carries a format version.
pub trait Versioned {
    fn format(&self) -> u32;
}

macro_rules! versioned {
    ($($t:ty),*) => {$(
        impl Versioned for $t {
            fn format(&self) -> u32 {
                self.format
            }
        }
    )*};
}
versioned!(
    crate::model::ProjectMeta,
    crate::model::Codebook,
    crate::model::Study
);

/// The canonical reader alone, without the fallback to `ron` (for tests that
/// compare the two).
#[doc(hidden)]
pub fn from_ron_fast<T: DeserializeOwned>(text: &str) -> Result<T, super::canon_de::Declined> {
    super::canon_de::from_str(text)
}

/// Just the format number, to tell "newer version" apart from "malformed".

#[derive(serde::Deserialize)]
struct Probe {
    format: u32,
}

/// Parse a project file, with every failure reported as `path:line:col: message`.
pub fn from_ron<T: DeserializeOwned + Versioned>(
    path: &str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let pos = line_col_bytes(bytes, e.valid_up_to());
        StoreError::Invalid(vec![Problem::error(
            path,
            pos,
            "invalid UTF-8 (the file must be saved as UTF-8)",
        )])
    })?;
    if let Some(pos) = conflict_marker(text) {
        return Err(StoreError::Invalid(vec![Problem::error(
            path,
            pos,
            "git conflict markers: this file was merged without thematic's merge driver; \
             run `git merge --abort`, then `thematic git-setup .` and merge again",
        )]));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The store's own files take the fast path; anything else, and every error,
    // is parsed by `ron` itself.
    if let Ok(v) = from_ron_fast::<T>(text) {
        newer_check(path, v.format())?;
        return Ok(v);
    }
    match ron::from_str::<T>(text) {
        Ok(v) => {
            newer_check(path, v.format())?;
            Ok(v)
        }
        Err(e) => {
            if let Ok(probe) = ron::from_str::<Probe>(text) {
                newer_check(path, probe.format)?;
            }
            Err(spanned(path, text, e))
        }
    }
}

fn newer_check(path: &str, found: u32) -> Result<(), StoreError> {
    if found > FORMAT {
        return Err(StoreError::Newer {
            path: path.to_string(),
            found,
        });
    }
    Ok(())
}

fn spanned(path: &str, text: &str, e: ron::error::SpannedError) -> StoreError {
    let pos = (e.span.start.line.max(1), e.span.start.col.max(1));
    let mut message = describe_ron(&e.code);
    // Nothing but white space after the error: the file was cut short.
    let end = line_col(text, text.trim_end().len());
    if pos >= end || matches!(e.code, ron::Error::Eof) {
        message = format!("the file ends too early (truncated?): {message}");
    }
    StoreError::Invalid(vec![Problem::error(path, pos, message)])
}

/// ron's messages, minus Rust's struct names which mean nothing to a researcher.
fn describe_ron(e: &ron::Error) -> String {
    let s = e.to_string();
    // Drop the Rust type names: "… in `Study`", "… for struct `Coding`".
    let mut s = s;
    for marker in [
        " in `",
        " for struct `",
        " for enum `",
        " for tuple struct `",
    ] {
        if let Some((head, tail)) = s.split_once(marker)
            && tail.ends_with('`')
            && !tail[..tail.len() - 1].contains('`')
        {
            s = head.to_string();
        }
    }

    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}

/// The 1-based line and column (in characters) of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

fn line_col_bytes(bytes: &[u8], at: usize) -> (usize, usize) {
    line_col(&String::from_utf8_lossy(&bytes[..at]), at.min(bytes.len()))
}

/// The position of the first occurrence of `needle` in `text` (`1:1` if absent).
pub fn locate(text: &str, needle: &str) -> (usize, usize) {
    text.find(needle).map_or((1, 1), |i| line_col(text, i))
}

/// The position of the first git conflict marker line, if any.
fn conflict_marker(text: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        if l.starts_with("<<<<<<< ") || l == "<<<<<<<" || l.starts_with(">>>>>>> ") {
            return Some(line_col(text, offset));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Codebook;

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é\nü", 4), (2, 2));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let err = from_ron::<Codebook>("codebook.ron", b"(format: 1,\n codes: [ (id: 5) ])")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("codebook.ron:2:"), "{err}");
    }

    #[test]
    fn newer_format_is_refused() {
        let err =
            from_ron::<Codebook>("codebook.ron", b"(format: 99, codes: [], shiny: 1)").unwrap_err();
        assert!(matches!(err, StoreError::Newer { found: 99, .. }), "{err}");
    }

    #[test]
    fn invalid_utf8_is_located() {
        let err = from_ron::<Codebook>("codebook.ron", b"(format: 1,\n codes: [\xff])")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("codebook.ron:2:10: invalid UTF-8"), "{err}");
    }
}
