//! Cursor motions over a source text, by grapheme, word, sentence and paragraph.
//! Positions are code points; every result lies on a grapheme boundary.

use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

use super::SourceText;

/// How far back or ahead a sentence or paragraph search looks, in bytes. Bounds the
/// work per key press on a long transcript; real sentences are far shorter.
const WINDOW: usize = 16 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    NextGrapheme,
    PrevGrapheme,
    NextWord,
    PrevWord,
    NextSentence,
    PrevSentence,
    NextParagraph,
    PrevParagraph,
    Start,
    End,
}

/// Where `motion` takes a cursor at code point `cp`.
pub fn motion(t: &SourceText, cp: u32, m: Motion) -> u32 {
    let s = t.as_str();
    let b = t.byte(cp);
    let nb = match m {
        Motion::NextGrapheme => next_grapheme(s, b),
        Motion::PrevGrapheme => prev_grapheme(s, b),
        Motion::NextWord => next_word(s, b),
        Motion::PrevWord => prev_word(s, b),
        Motion::NextSentence => next_sentence(s, b),
        Motion::PrevSentence => prev_sentence(s, b),
        Motion::NextParagraph => next_paragraph(s, b),
        Motion::PrevParagraph => prev_paragraph(s, b),
        Motion::Start => 0,
        Motion::End => last_grapheme_start(s),
    };
    // Word and sentence searches work in a window cut at a char boundary, and skip
    // white space by chars: bring the result back to the cluster it lies in.
    let nb = if super::is_grapheme_boundary(s, nb) || nb >= s.len() {
        nb.min(s.len())
    } else {
        prev_grapheme(s, nb)
    };
    t.cp(nb)
}

pub(crate) fn next_grapheme(s: &str, b: usize) -> usize {
    let mut c = GraphemeCursor::new(b.min(s.len()), s.len(), true);
    c.next_boundary(s, 0).ok().flatten().unwrap_or(s.len())
}

pub(crate) fn prev_grapheme(s: &str, b: usize) -> usize {
    let mut c = GraphemeCursor::new(b.min(s.len()), s.len(), true);
    c.prev_boundary(s, 0).ok().flatten().unwrap_or(0)
}

fn last_grapheme_start(s: &str) -> usize {
    prev_grapheme(s, s.len())
}

fn is_wordish(seg: &str) -> bool {
    seg.chars().any(|c| c.is_alphanumeric())
}

/// The start of the next word (or the end of the text).
fn next_word(s: &str, b: usize) -> usize {
    let end = (b + WINDOW).min(s.len());
    let end = floor_char(s, end);
    s[b..end]
        .split_word_bound_indices()
        .skip(1)
        .find(|(_, w)| is_wordish(w))
        .map_or_else(
            || {
                if end == s.len() {
                    last_grapheme_start(s).max(b)
                } else {
                    end
                }
            },
            |(i, _)| b + i,
        )
}

/// The start of the word the cursor is in (if not at its start), else of the previous word.
fn prev_word(s: &str, b: usize) -> usize {
    let from = floor_char(s, b.saturating_sub(WINDOW));
    s[from..b]
        .split_word_bound_indices()
        .rev()
        .find(|(_, w)| is_wordish(w))
        .map_or(from, |(i, _)| from + i)
}

fn next_sentence(s: &str, b: usize) -> usize {
    let end = floor_char(s, (b + WINDOW).min(s.len()));
    let from = sentence_start(s, b);
    s[from..end]
        .split_sentence_bound_indices()
        .map(|(i, _)| from + i)
        .find(|&i| i > b && !s[i..].starts_with(char::is_whitespace))
        .unwrap_or(if end == s.len() {
            last_grapheme_start(s).max(b)
        } else {
            end
        })
}

fn prev_sentence(s: &str, b: usize) -> usize {
    let from = floor_char(s, b.saturating_sub(WINDOW));
    let starts: Vec<usize> = s[from..b]
        .split_sentence_bound_indices()
        .map(|(i, seg)| from + i + (seg.len() - seg.trim_start().len()))
        .filter(|&i| i < b)
        .collect();
    starts.last().copied().unwrap_or(from)
}

/// The start of the sentence containing `b` (approximate within the window).
fn sentence_start(s: &str, b: usize) -> usize {
    let from = floor_char(s, b.saturating_sub(WINDOW));
    s[from..b]
        .split_sentence_bound_indices()
        .last()
        .map_or(b, |(i, _)| from + i)
}

/// Byte offsets where paragraphs start: the first non-blank line after a blank line.
fn next_paragraph(s: &str, b: usize) -> usize {
    let mut seen_blank = false;
    let mut line_start = s[..b].rfind('\n').map_or(0, |i| i + 1);
    let mut first = true;
    while line_start < s.len() {
        let line_end = s[line_start..]
            .find('\n')
            .map_or(s.len(), |i| line_start + i + 1);
        let blank = s[line_start..line_end].trim().is_empty();
        if !first && !blank && seen_blank {
            return line_start;
        }
        seen_blank |= blank;
        first = false;
        line_start = line_end;
    }
    last_grapheme_start(s).max(b)
}

fn prev_paragraph(s: &str, b: usize) -> usize {
    // Walk lines backwards; a paragraph starts at a non-blank line whose previous line
    // is blank (or that is the first line).
    let mut starts = Vec::new();
    let mut prev_blank = true;
    let mut line_start = 0;
    let lookback = floor_char(s, b.saturating_sub(WINDOW * 4));
    if lookback > 0 {
        line_start = s[..lookback].rfind('\n').map_or(0, |i| i + 1);
    }
    while line_start < b {
        let line_end = s[line_start..]
            .find('\n')
            .map_or(s.len(), |i| line_start + i + 1);
        let blank = s[line_start..line_end].trim().is_empty();
        if !blank && prev_blank {
            starts.push(
                line_start
                    + (s[line_start..line_end].len() - s[line_start..line_end].trim_start().len()),
            );
        }
        prev_blank = blank;
        line_start = line_end;
    }
    starts.into_iter().rev().find(|&i| i < b).unwrap_or(0)
}

fn floor_char(s: &str, mut b: usize) -> usize {
    while !s.is_char_boundary(b) {
        b -= 1;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, from: u32, m: Motion) -> u32 {
        motion(&SourceText::new(text.to_string()), from, m)
    }

    #[test]
    fn words() {
        let t = "Hello, wide world";
        assert_eq!(run(t, 0, Motion::NextWord), 7);
        assert_eq!(run(t, 7, Motion::NextWord), 12);
        assert_eq!(run(t, 12, Motion::PrevWord), 7);
        assert_eq!(run(t, 9, Motion::PrevWord), 7);
    }

    #[test]
    fn sentences() {
        let t = "One two. Three four! Five.";
        assert_eq!(run(t, 0, Motion::NextSentence), 9);
        assert_eq!(run(t, 9, Motion::NextSentence), 21);
        assert_eq!(run(t, 21, Motion::PrevSentence), 9);
        assert_eq!(run(t, 12, Motion::PrevSentence), 9);
    }

    #[test]
    fn paragraphs() {
        let t = "First para\nline two\n\nSecond\r\n\r\nThird";
        assert_eq!(run(t, 0, Motion::NextParagraph), 21);
        assert_eq!(run(t, 21, Motion::NextParagraph), 31);
        assert_eq!(run(t, 31, Motion::PrevParagraph), 21);
        assert_eq!(run(t, 25, Motion::PrevParagraph), 21);
        assert_eq!(run(t, 21, Motion::PrevParagraph), 0);
    }

    #[test]
    fn graphemes_step_over_clusters() {
        let t = "a👩\u{200d}🔬e\u{301}b";
        assert_eq!(run(t, 0, Motion::NextGrapheme), 1);
        assert_eq!(run(t, 1, Motion::NextGrapheme), 4);
        assert_eq!(run(t, 4, Motion::NextGrapheme), 6);
        assert_eq!(run(t, 6, Motion::PrevGrapheme), 4);
    }
}
