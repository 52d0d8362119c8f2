//! Source texts: code-point positions, grapheme boundaries, motions, and
//! re-anchoring codings by their quote. Knows nothing of the terminal.

mod motion;
pub mod wrap;

pub use motion::{Motion, motion};

use sha2::{Digest, Sha256};
use unicode_segmentation::GraphemeCursor;

/// How many code points lie between two stored byte offsets in [`SourceText`].
const STRIDE: usize = 128;

/// A source's text with a sparse index from code points to byte offsets, so that a
/// position in code points (the unit stored in codings) maps to a slice quickly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceText {
    text: String,
    /// `marks[i]` is the byte offset of code point `i * STRIDE`.
    marks: Vec<u32>,
    chars: u32,
}

impl SourceText {
    pub fn new(text: String) -> Self {
        let mut marks = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut n = 0usize;
        for (b, _) in text.char_indices() {
            if n.is_multiple_of(STRIDE) {
                marks.push(b as u32);
            }
            n += 1;
        }
        SourceText {
            text,
            marks,
            chars: n as u32,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length in code points.
    pub fn chars(&self) -> u32 {
        self.chars
    }

    /// The byte offset of code point `cp` (clamped to the end).
    pub fn byte(&self, cp: u32) -> usize {
        if cp >= self.chars {
            return self.text.len();
        }
        let i = cp as usize / STRIDE;
        let from = self.marks[i] as usize;
        let skip = cp as usize - i * STRIDE;
        if skip == 0 {
            return from;
        }
        self.text[from..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(b, _)| from + b)
    }

    /// The code point at byte offset `byte` (which must be a char boundary, or the
    /// code point containing it is returned).
    pub fn cp(&self, byte: usize) -> u32 {
        let byte = byte.min(self.text.len());
        let i = self
            .marks
            .partition_point(|&m| m as usize <= byte)
            .saturating_sub(1);
        let from = self.marks.get(i).copied().unwrap_or(0) as usize;
        let mut b = byte;
        while !self.text.is_char_boundary(b) {
            b -= 1;
        }
        (i * STRIDE + self.text[from..b].chars().count()) as u32
    }

    /// The text between two code-point positions.
    pub fn slice(&self, start: u32, end: u32) -> &str {
        let s = self.byte(start);
        let e = self.byte(end.max(start));
        &self.text[s..e]
    }

    /// Whether code point position `cp` lies on a grapheme cluster boundary.
    pub fn is_grapheme_boundary(&self, cp: u32) -> bool {
        if cp == 0 || cp >= self.chars {
            return cp <= self.chars;
        }
        is_grapheme_boundary(&self.text, self.byte(cp))
    }

    /// The sha256 of the text's bytes, in lower-case hex.
    pub fn sha256(&self) -> String {
        sha256_hex(self.text.as_bytes())
    }
}

/// Whether byte offset `byte` of `text` lies on a grapheme cluster boundary.
pub fn is_grapheme_boundary(text: &str, byte: usize) -> bool {
    if !text.is_char_boundary(byte) {
        return false;
    }
    GraphemeCursor::new(byte, text.len(), true)
        .is_boundary(text, 0)
        .unwrap_or(false)
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from_digit((b >> 4) as u32, 16).expect("nibble"));
        s.push(char::from_digit((b & 15) as u32, 16).expect("nibble"));
    }
    s
}

/// A text as it is stored: the UTF-8 BOM dropped, everything else kept.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// A study key or file stem: lower-case ASCII (`Ødegård 2020` → `odegard-2020`),
/// runs of anything that is not a letter or digit as one `-`, no leading or trailing `-`.
pub fn slug(s: &str) -> String {
    let folded = deunicode::deunicode(s).to_ascii_lowercase();
    let mut out = String::with_capacity(folded.len());
    for ch in folded.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Where a coding's quote now lies in `text`: the occurrence nearest to where it
/// was (`old_start`, in code points), among those on grapheme boundaries. `None`
/// if the quote no longer occurs (or is empty).
pub fn reanchor(text: &SourceText, quote: &str, old_start: u32) -> Option<(u32, u32)> {
    if quote.is_empty() {
        return None;
    }
    let qlen = quote.chars().count() as u32;
    let s = text.as_str();
    let mut best: Option<(u32, u32)> = None;
    for (b, _) in s.match_indices(quote) {
        if !is_grapheme_boundary(s, b) || !is_grapheme_boundary(s, b + quote.len()) {
            continue;
        }
        let start = text.cp(b);
        let dist = start.abs_diff(old_start);
        if best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, start));
        }
    }
    best.map(|(_, start)| (start, start + qlen))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_and_bytes_agree() {
        let s: String = "aé😀\r\n中文".repeat(100);
        let t = SourceText::new(s.clone());
        for (cp, (b, _)) in s.char_indices().enumerate() {
            assert_eq!(t.byte(cp as u32), b);
            assert_eq!(t.cp(b), cp as u32);
        }
        assert_eq!(t.chars() as usize, s.chars().count());
        assert_eq!(t.byte(t.chars()), s.len());
    }

    #[test]
    fn slug_folds_to_ascii() {
        assert_eq!(slug("Ødegård 2020"), "odegard-2020");
        assert_eq!(slug("  Núñez & Co.--2019 "), "nunez-co-2019");
    }

    #[test]
    fn reanchor_prefers_nearest_occurrence() {
        let t = SourceText::new("ab xx cd xx ef".to_string());
        assert_eq!(reanchor(&t, "xx", 8), Some((9, 11)));
        assert_eq!(reanchor(&t, "xx", 0), Some((3, 5)));
        assert_eq!(reanchor(&t, "zz", 0), None);
    }

    #[test]
    fn combining_mark_is_not_a_boundary() {
        let t = SourceText::new("e\u{301}x".to_string());
        assert!(t.is_grapheme_boundary(0));
        assert!(!t.is_grapheme_boundary(1));
        assert!(t.is_grapheme_boundary(2));
        assert!(t.is_grapheme_boundary(3));
    }
}
