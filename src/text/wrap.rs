//! Soft wrap of a source text to a width in terminal cells: lines break at `\n`,
//! long lines break after whitespace (or anywhere, for a word wider than the
//! line). Tabs expand to the next multiple of [`TAB`]; control characters are shown
//! as one replacement cell. Computed once per (source, width) and cached.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::SourceText;

pub const TAB: usize = 4;

/// One screen line of a wrapped text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisualLine {
    /// Byte range of the line's text (without its line break).
    pub start: usize,
    pub end: usize,
    /// Code point of `start`.
    pub cp: u32,
    /// Code point of `end`.
    pub end_cp: u32,
}

/// How a grapheme is drawn: its width at column `col`, and the text to draw.
pub fn display(g: &str, col: usize) -> (usize, Shown<'_>) {
    if g == "\t" {
        let w = TAB - col % TAB;
        return (w, Shown::Spaces(w));
    }
    if g.chars().any(|c| c.is_control()) {
        return (1, Shown::Replacement);
    }
    let w = g.width();
    if w == 0 {
        // A lone combining mark or zero-width character: give it a cell so that the
        // cursor can stand on it.
        return (1, Shown::Replacement);
    }
    (w, Shown::Text(g))
}

pub enum Shown<'a> {
    Text(&'a str),
    Spaces(usize),
    Replacement,
}

/// Wrap `text` to `width` cells (at least 1).
pub fn wrap(text: &SourceText, width: usize) -> Vec<VisualLine> {
    let width = width.max(1);
    let s = text.as_str();
    let mut out = Vec::new();
    let mut cp = 0u32;
    let mut start = 0usize;
    for raw in s.split_inclusive('\n') {
        let content_len = raw
            .strip_suffix('\n')
            .map_or(raw.len(), |r| r.strip_suffix('\r').unwrap_or(r).len());
        let line = &raw[..content_len];
        let line_cp = cp;
        wrap_line(line, start, line_cp, width, &mut out);
        cp += raw.chars().count() as u32;
        start += raw.len();
    }
    if s.is_empty() || s.ends_with('\n') {
        out.push(VisualLine {
            start: s.len(),
            end: s.len(),
            cp,
            end_cp: cp,
        });
    }
    out
}

fn wrap_line(line: &str, base: usize, base_cp: u32, width: usize, out: &mut Vec<VisualLine>) {
    let mut seg_start = 0usize; // byte in line
    let mut seg_cp = base_cp;
    let mut col = 0usize;
    // Last place the segment may break: (byte, cp, col) just after whitespace.
    let mut brk: Option<(usize, u32, usize)> = None;
    let mut cp = base_cp;
    for (i, g) in line.grapheme_indices(true) {
        let (w, _) = display(g, col);
        if col + w > width && i > seg_start {
            let (b, bcp, bcol) = match brk {
                Some(x) if x.0 > seg_start => x,
                _ => (i, cp, col),
            };
            out.push(VisualLine {
                start: base + seg_start,
                end: base + b,
                cp: seg_cp,
                end_cp: bcp,
            });
            seg_start = b;
            seg_cp = bcp;
            col -= bcol;
            brk = None;
        }
        col += display(g, col).0;
        cp += g.chars().count() as u32;
        if g.chars().all(char::is_whitespace) {
            brk = Some((i + g.len(), cp, col));
        }
    }
    out.push(VisualLine {
        start: base + seg_start,
        end: base + line.len(),
        cp: seg_cp,
        end_cp: cp,
    });
}

/// The index of the visual line holding code point `cp`.
pub fn line_of(lines: &[VisualLine], cp: u32) -> usize {
    lines.partition_point(|l| l.cp <= cp).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str, w: usize) -> Vec<String> {
        let t = SourceText::new(s.to_string());
        wrap(&t, w)
            .iter()
            .map(|l| s[l.start..l.end].to_string())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_and_newlines() {
        assert_eq!(lines("aaa bbb ccc", 7), vec!["aaa ", "bbb ccc"]);
        assert_eq!(lines("aaa\r\nbb\n", 10), vec!["aaa", "bb", ""]);
        assert_eq!(lines("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }

    #[test]
    fn wide_characters_take_two_cells() {
        assert_eq!(lines("中文中文", 5), vec!["中文", "中文"]);
    }

    #[test]
    fn code_points_are_continuous() {
        let s = "héllo wörld\r\n\tnext 😀 line\n\nend";
        let t = SourceText::new(s.to_string());
        let ls = wrap(&t, 6);
        for l in &ls {
            assert_eq!(t.byte(l.cp), l.start);
            assert_eq!(t.byte(l.end_cp), l.end);
        }
        assert_eq!(line_of(&ls, 0), 0);
    }
}
