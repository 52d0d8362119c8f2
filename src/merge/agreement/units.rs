//! Units of agreement and counting over them: code points, sentences (UAX #29) or
//! blank-line separated paragraphs; which units a reviewer's codings touch, as sorted
//! disjoint intervals of unit indices.

use unicode_segmentation::UnicodeSegmentation;

/// What one decision of "coded with this code or not" is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Each code point.
    Char,
    /// Each sentence (Unicode sentence boundaries); blank stretches are not units.
    Sentence,
    /// Each run of non-blank lines.
    Paragraph,
}

impl Unit {
    pub const ALL: [Unit; 3] = [Unit::Char, Unit::Sentence, Unit::Paragraph];

    pub fn label(self) -> &'static str {
        match self {
            Unit::Char => "char",
            Unit::Sentence => "sentence",
            Unit::Paragraph => "paragraph",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Unit::Char => "characters",
            Unit::Sentence => "sentences",
            Unit::Paragraph => "paragraphs",
        }
    }

    pub fn parse(s: &str) -> Option<Unit> {
        let s = s.trim().to_ascii_lowercase();
        Unit::ALL
            .into_iter()
            .find(|u| u.label() == s || u.plural() == s || (s == "character" && *u == Unit::Char))
    }
}

/// The units of `text` as code-point spans (start, end), in order and disjoint.
pub fn segment(text: &str, unit: Unit) -> Vec<(u32, u32)> {
    match unit {
        Unit::Char => vec![(0, text.chars().count() as u32)],
        Unit::Sentence => sentences(text),
        Unit::Paragraph => paragraphs(text),
    }
}

/// Sentences as code-point spans, trailing white space included; segments that are
/// only white space (blank lines) are not sentences.
fn sentences(text: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut cp = 0u32;
    for s in text.split_sentence_bounds() {
        let n = s.chars().count() as u32;
        if !s.trim().is_empty() {
            out.push((cp, cp + n));
        }
        cp += n;
    }
    out
}

/// Paragraphs: maximal runs of lines that are not blank, from the start of the first
/// line to the end of the last (its line break excluded).
fn paragraphs(text: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut cp = 0u32;
    let mut open: Option<(u32, u32)> = None;
    for line in text.split_inclusive('\n') {
        let n = line.chars().count() as u32;
        let body = line.trim_end_matches(['\n', '\r']);
        if body.trim().is_empty() {
            out.extend(open.take());
        } else {
            let end = cp + body.chars().count() as u32;
            open = Some((open.map_or(cp, |o| o.0), end));
        }
        cp += n;
    }
    out.extend(open);
    out
}

/// The units (by index) a code-point span overlaps: `[first, last)`, maybe empty.
pub fn overlapped(units: &[(u32, u32)], start: u32, end: u32) -> (u32, u32) {
    let first = units.partition_point(|u| u.1 <= start);
    let last = units.partition_point(|u| u.0 < end);
    (first as u32, last.max(first) as u32)
}

/// Sort and merge intervals into disjoint ones, in place.
pub fn merge(v: &mut Vec<(u32, u32)>) {
    v.retain(|i| i.0 < i.1);
    v.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(v.len());
    for &(s, e) in v.iter() {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    *v = out;
}

/// Total length of disjoint intervals.
pub fn len(v: &[(u32, u32)]) -> u64 {
    v.iter().map(|i| (i.1 - i.0) as u64).sum()
}

/// Length of the intersection of two sets of disjoint sorted intervals.
pub fn both(a: &[(u32, u32)], b: &[(u32, u32)]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            n += (e - s) as u64;
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_paragraphs() {
        let t = "One here. Two there!\n\nThree.\r\nStill three.\n\n\n";
        let s = sentences(t);
        let texts: Vec<String> = s
            .iter()
            .map(|&(a, b)| t.chars().skip(a as usize).take((b - a) as usize).collect())
            .collect();
        assert_eq!(texts[0], "One here. ");
        assert_eq!(texts[1].trim(), "Two there!");
        assert!(texts.iter().all(|x| !x.trim().is_empty()));
        let p = paragraphs(t);
        assert_eq!(p, vec![(0, 20), (22, 42)]);
    }

    #[test]
    fn intervals() {
        let mut v = vec![(5, 7), (0, 2), (1, 3), (7, 9), (4, 4)];
        merge(&mut v);
        assert_eq!(v, vec![(0, 3), (5, 9)]);
        assert_eq!(len(&v), 7);
        assert_eq!(both(&v, &[(2, 6), (8, 20)]), 1 + 1 + 1);
        let units = [(0, 10), (10, 20), (25, 30)];
        assert_eq!(overlapped(&units, 9, 11), (0, 2));
        assert_eq!(overlapped(&units, 20, 25), (2, 2), "a gap touches nothing");
        assert_eq!(overlapped(&units, 0, 30), (0, 3));
    }
}
