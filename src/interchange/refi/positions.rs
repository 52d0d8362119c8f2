//! What a REFI position counts, and turning it into code points.
//!
//! The standard counts Unicode code points (§10.2), end exclusive. Real exporters
//! differ: NVivo for Windows counts UTF-16 code units (an emoji is two), ATLAS.ti
//! and QualCoder's CRLF exports count a CRLF as one character. The unit is chosen
//! per source: by the selection names where they hold the quoted text (ATLAS.ti,
//! thematic), else by the exporter named in `origin`, else by which unit puts the
//! selections on word boundaries, else the standard's code points. The candidates
//! only differ when the text has characters outside the BMP or CRLFs.

use std::fmt;

use crate::text::SourceText;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    CodePoints,
    Utf16,
    /// Code points of the text with each CRLF counted once.
    CrlfAsOne,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::CodePoints => "code points",
            Unit::Utf16 => "UTF-16 code units",
            Unit::CrlfAsOne => "code points with CRLF counted as one",
        })
    }
}

/// Why a unit was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// All units give the same positions for this text.
    Same,
    /// Selection names matched the text.
    Names,
    /// The exporter (`origin`) is known to count this way.
    Origin,
    /// Selections land on word boundaries.
    Boundaries,
    /// Nothing to tell them apart: the standard's unit.
    Standard,
}

/// Converts positions of one unit to code points of one text.
pub struct Converter {
    unit: Unit,
    /// Utf16: the UTF-16 end offset of every astral character, ascending.
    /// CrlfAsOne: the folded index of every CRLF, ascending.
    marks: Vec<u64>,
}

impl Converter {
    pub fn new(text: &str, unit: Unit) -> Converter {
        let mut marks = Vec::new();
        match unit {
            Unit::CodePoints => {}
            Unit::Utf16 => {
                let mut u = 0u64;
                for c in text.chars() {
                    u += c.len_utf16() as u64;
                    if c.len_utf16() == 2 {
                        marks.push(u);
                    }
                }
            }
            Unit::CrlfAsOne => {
                let mut folded = 0u64;
                let mut prev_cr = false;
                for c in text.chars() {
                    if prev_cr && c == '\n' {
                        // The CR counted; this LF does not.
                        marks.push(folded - 1);
                    } else {
                        folded += 1;
                    }
                    prev_cr = c == '\r';
                }
            }
        }
        Converter { unit, marks }
    }

    /// The code point position of `p`, and whether it fell exactly on a character
    /// (a UTF-16 position inside a surrogate pair does not; it is moved to the
    /// start of that character).
    pub fn cp(&self, p: i64) -> Option<(u64, bool)> {
        let p = u64::try_from(p).ok()?;
        Some(match self.unit {
            Unit::CodePoints => (p, true),
            Unit::Utf16 => {
                // Astral characters ending at or before p each took one extra unit.
                let k = self.marks.partition_point(|&e| e <= p) as u64;
                let inside = self.marks.get(k as usize).is_some_and(|&e| e - 1 == p);
                if inside {
                    (p - k - 1, false)
                } else {
                    (p - k, true)
                }
            }
            Unit::CrlfAsOne => {
                // Every CRLF folded before p hides one code point.
                let k = self.marks.partition_point(|&n| n < p) as u64;
                (p + k, true)
            }
        })
    }
}

/// The candidate units for a text: only those that can give different answers.
pub fn candidates(text: &str) -> Vec<Unit> {
    let mut v = vec![Unit::CodePoints];
    if text.chars().any(|c| c.len_utf16() == 2) {
        v.push(Unit::Utf16);
    }
    if text.contains("\r\n") {
        v.push(Unit::CrlfAsOne);
    }
    v
}

/// The unit an exporter is known to use, from the `origin` attribute.
pub fn origin_unit(origin: &str, text: &str) -> Option<Unit> {
    let o = origin.to_ascii_lowercase();
    if o.contains("nvivo") {
        Some(Unit::Utf16)
    } else if o.contains("atlas") || o.contains("qualcoder") {
        // ATLAS.ti counts a CRLF once; QualCoder counts on LF text even when it
        // writes CRLF files. Without CRLFs both are plain code points.
        Some(if text.contains("\r\n") {
            Unit::CrlfAsOne
        } else {
            Unit::CodePoints
        })
    } else if o.contains("thematic") {
        Some(Unit::CodePoints)
    } else {
        None
    }
}

/// Whether a selection name can vouch for the text it covers: ATLAS.ti and thematic
/// write the quotation (perhaps cut with `…`); NVivo writes `""`; some tools write
/// labels (`Quotation 6:1`, `line:12`).
pub fn usable_name(name: &str) -> bool {
    let n = name.trim();
    n.chars().count() >= 4 && !n.starts_with("Quotation ") && !n.starts_with("line:")
}

/// Whether `name` is the text `slice`, word for word (blanks may differ); a
/// trailing `…` means the name was cut short, perhaps inside its last word.
pub fn name_matches(name: &str, slice: &str) -> bool {
    let n = name.trim();
    let (n, cut) = match n.strip_suffix('…').or_else(|| n.strip_suffix("...")) {
        Some(rest) => (rest, true),
        None => (n, false),
    };
    let mut a = n.split_whitespace().peekable();
    let mut b = slice.split_whitespace();
    if a.peek().is_none() {
        return false;
    }
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (None, Some(_)) => return cut,
            (Some(_), None) => return false,
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => return cut && a.peek().is_none() && y.starts_with(x),
        }
    }
}

/// At most this many selections are looked at to tell the units apart: a few
/// dozen agree or disagree as clearly as thousands.
const SAMPLE: usize = 64;

/// Every `len / SAMPLE`th item, so that the sample spans the whole source.
fn sample<T>(v: &[T]) -> impl Iterator<Item = &T> {
    let step = v.len().div_ceil(SAMPLE).max(1);
    v.iter().step_by(step)
}

fn is_word_edge(text: &SourceText, cp: u64) -> bool {
    let Ok(cp) = u32::try_from(cp) else {
        return false;
    };
    if cp == 0 || cp >= text.chars() {
        return cp <= text.chars();
    }
    let s = text.as_str();
    let b = text.byte(cp);
    let before = s[..b].chars().next_back();
    let after = s[b..].chars().next();
    let wordy = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    !(wordy(before) && wordy(after))
}

/// The text between two code point positions, if both lie within it.
fn slice_cp(text: &SourceText, a: u64, b: u64) -> Option<&str> {
    let (a, b) = (u32::try_from(a).ok()?, u32::try_from(b).ok()?);
    (a <= b && b <= text.chars()).then(|| text.slice(a, b))
}

/// Choose the unit for one source's selections (`(start, end, name)`).
pub fn choose(text: &SourceText, selections: &[(i64, i64, &str)], origin: &str) -> (Unit, Basis) {
    let units = candidates(text.as_str());
    if units.len() == 1 || selections.is_empty() {
        return (Unit::CodePoints, Basis::Same);
    }
    let convs: Vec<Converter> = units
        .iter()
        .map(|&u| Converter::new(text.as_str(), u))
        .collect();
    let span = |c: &Converter, s: i64, e: i64| Some((c.cp(s)?.0, c.cp(e)?.0));
    let best = |scores: &[usize]| {
        let top = *scores.iter().max().expect("candidates");
        (top, scores.iter().position(|&s| s == top).expect("max"))
    };

    let named: Vec<&(i64, i64, &str)> = selections.iter().filter(|s| usable_name(s.2)).collect();
    if !named.is_empty() {
        let scores: Vec<usize> = convs
            .iter()
            .map(|c| {
                sample(&named)
                    .filter(|(s, e, n)| {
                        span(c, *s, *e)
                            .and_then(|(a, b)| slice_cp(text, a, b))
                            .is_some_and(|sl| name_matches(n, sl))
                    })
                    .count()
            })
            .collect();
        let (top, i) = best(&scores);
        if top > 0 {
            return (units[i], Basis::Names);
        }
    }
    if let Some(u) = origin_unit(origin, text.as_str()) {
        return (u, Basis::Origin);
    }
    let scores: Vec<usize> = convs
        .iter()
        .map(|c| {
            sample(selections)
                .filter(|(s, e, _)| {
                    span(c, *s, *e)
                        .is_some_and(|(a, b)| is_word_edge(text, a) && is_word_edge(text, b))
                })
                .count()
        })
        .collect();
    let (top, i) = best(&scores);
    if top > scores[0] {
        return (units[i], Basis::Boundaries);
    }
    (Unit::CodePoints, Basis::Standard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cps(text: &str, unit: Unit, p: i64) -> u64 {
        Converter::new(text, unit).cp(p).unwrap().0
    }

    #[test]
    fn utf16_counts_astral_characters_twice() {
        let t = "a😀b😀c";
        // UTF-16: a=0, 😀=1..3, b=3, 😀=4..6, c=6
        assert_eq!(cps(t, Unit::Utf16, 0), 0);
        assert_eq!(cps(t, Unit::Utf16, 3), 2);
        assert_eq!(cps(t, Unit::Utf16, 6), 4);
        assert_eq!(cps(t, Unit::Utf16, 7), 5);
        assert_eq!(
            Converter::new(t, Unit::Utf16).cp(2),
            Some((1, false)),
            "inside a surrogate pair"
        );
        assert_eq!(Converter::new(t, Unit::Utf16).cp(-1), None);
    }

    #[test]
    fn crlf_as_one_skips_the_hidden_characters() {
        let t = "ab\r\ncd\r\nef";
        // folded: a b \n c d \n e f  → "cd" is 3..5, "ef" is 6..8
        assert_eq!(cps(t, Unit::CrlfAsOne, 3), 4);
        assert_eq!(cps(t, Unit::CrlfAsOne, 5), 6);
        assert_eq!(cps(t, Unit::CrlfAsOne, 6), 8);
        assert_eq!(
            cps(t, Unit::CrlfAsOne, 2),
            2,
            "before a line break: at the CR"
        );
    }

    #[test]
    fn names_decide_the_unit() {
        let t = &SourceText::new("😀😀 hello world\r\nsecond line".to_string());
        // "world" is code points 9..14, UTF-16 11..16.
        assert_eq!(
            choose(t, &[(11, 16, "world")], "").0,
            Unit::Utf16,
            "the name matches under UTF-16"
        );
        assert_eq!(choose(t, &[(9, 14, "world")], "NVivo").0, Unit::CodePoints);
        let (u, b) = choose(t, &[(11, 16, "")], "NVivo for Windows 12.6");
        assert_eq!((u, b), (Unit::Utf16, Basis::Origin));
        let plain = &SourceText::new("plain".to_string());
        assert_eq!(choose(plain, &[(0, 2, "")], "NVivo").1, Basis::Same);
    }

    #[test]
    fn cut_names_match_as_prefixes() {
        assert!(name_matches(
            "For some reason babies…",
            "For some  reason\nbabies aren't"
        ));
        assert!(name_matches("Para la bas…", "Para la base de"));
        assert!(!name_matches("Para la bas", "Para la base de"));
        assert!(!name_matches("Quotation", "something else"));
        assert!(!name_matches("", ""));
    }
}
