//! A report as rows and columns of text, and drawing it for a terminal: aligned by
//! display width, long text cut with `…`, and wide tables split into blocks that
//! repeat the first column.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// How a column is aligned and whether it may be shortened to fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// Right-aligned (numbers).
    pub numeric: bool,
    /// Long text that may be cut with `…` to fit the terminal.
    pub flex: bool,
    /// A shorter header used (with a legend below) when the table is too wide.
    pub short: Option<String>,
    /// Code paths: when cut, keep the last segment and cut the ones before it.
    pub path: bool,
}

impl Column {
    pub fn text(name: &str) -> Self {
        Column {
            name: name.into(),
            numeric: false,
            flex: false,
            short: None,
            path: false,
        }
    }
    pub fn flex(name: &str) -> Self {
        Column {
            flex: true,
            ..Column::text(name)
        }
    }
    /// A code path (flexible, cut in the middle).
    pub fn path(name: &str) -> Self {
        Column {
            path: true,
            ..Column::flex(name)
        }
    }
    pub fn number(name: &str) -> Self {
        Column {
            numeric: true,
            ..Column::text(name)
        }
    }
}

/// Rows and columns of cell text, with optional total rows and notes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// Rows after a rule (totals).
    pub footer: Vec<Vec<String>>,
    /// Lines printed under the table (legends).
    pub notes: Vec<String>,
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            ..Default::default()
        }
    }

    /// Header then body then footer rows, for formats that do not care which is which.
    pub fn all_rows(&self) -> impl Iterator<Item = &Vec<String>> {
        self.rows.iter().chain(&self.footer)
    }
}

/// Display width of a string, grapheme by grapheme (as it is cut).
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// One line of printable text: whitespace runs (newlines, tabs) become one space,
/// other control characters are dropped. Leading spaces (indentation) are kept.
pub fn one_line(s: &str) -> String {
    let indent = s.len() - s.trim_start_matches(' ').len();
    let mut out = " ".repeat(indent);
    let mut space = false;
    for ch in s.trim().chars() {
        if ch.is_whitespace() {
            space = true;
        } else if !ch.is_control() {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(ch);
        }
    }
    out
}

/// A code path cut to at most `w` columns: the segments before the last are cut
/// first (`Theme…/Code`); if the last alone is too long, `…/Code na…`.
pub fn truncate_path(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    // The last `/` that is not escaped as `\/`.
    let b = s.as_bytes();
    let cut = (1..b.len()).rev().find(|&i| {
        b[i] == b'/' && b[..i].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 0
    });
    match cut {
        Some(i) if width(&s[i..]) + 4 <= w => {
            let tail = &s[i..];
            format!("{}{tail}", truncate(&s[..i], w - width(tail)))
        }
        Some(i) if w >= 8 => format!("…{}", truncate(&s[i..], w - 1)),
        _ => truncate(s, w),
    }
}

/// `s` cut to at most `w` columns, ending in `…` if anything was cut.
pub fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let gw = UnicodeWidthStr::width(g);
        if used + gw > w - 1 {
            break;
        }
        used += gw;
        out.push_str(g);
    }
    out.push('…');
    out
}

/// The byte offset where `s` must be cut so that its head is at most `w` columns
/// (and holds at least one grapheme, so that cutting always makes progress).
pub fn split_at_width(s: &str, w: usize) -> usize {
    let mut used = 0;
    for (i, g) in s.grapheme_indices(true) {
        let gw = UnicodeWidthStr::width(g);
        if used + gw > w && i > 0 {
            return i;
        }
        used += gw;
    }
    s.len()
}

/// Wrap at spaces to lines of at most `w` columns (a word longer than that is cut).
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let sep = usize::from(!cur.is_empty());
        if !cur.is_empty() && width(&cur) + sep + width(word) > w {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
        while width(&cur) > w {
            let at = split_at_width(&cur, w);
            lines.push(cur[..at].to_string());
            cur = cur[at..].to_string();
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

const GAP: usize = 2;
/// Flex columns are never cut narrower than this (or their header).
const MIN_FLEX: usize = 12;

/// Draw `t` in at most `max` columns of terminal.
pub fn render(t: &Table, max: usize) -> String {
    let max = max.max(20);
    let clean: Vec<Vec<String>> = t
        .all_rows()
        .map(|r| r.iter().map(|c| one_line(c)).collect())
        .collect();
    let body = t.rows.len();
    let natural = |names: &[String]| -> Vec<usize> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                clean
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| width(c))
                    .chain([width(n)])
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    };
    let mut names: Vec<String> = t.columns.iter().map(|c| one_line(&c.name)).collect();
    let mut widths = natural(&names);
    let mut notes = t.notes.clone();
    if total(&widths) > max && t.columns.iter().any(|c| c.short.is_some()) {
        // Short headers with a legend, e.g. study keys as numbers.
        let legend: Vec<String> = t
            .columns
            .iter()
            .filter_map(|c| {
                c.short
                    .as_ref()
                    .map(|s| format!("{s} {}", one_line(&c.name)))
            })
            .collect();
        for (n, c) in names.iter_mut().zip(&t.columns) {
            if let Some(s) = &c.short {
                *n = one_line(s);
            }
        }
        widths = natural(&names);
        notes.insert(0, wrap_words(&legend, max));
    }
    let mins: Vec<usize> = t
        .columns
        .iter()
        .zip(&widths)
        .zip(&names)
        .map(|((c, &w), n)| {
            if c.flex {
                w.min(MIN_FLEX.max(width(n)))
            } else {
                w
            }
        })
        .collect();
    let mut out = String::new();
    for (k, block) in blocks(&widths, &mins, max).into_iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let w = fit(&block, &widths, &mins, max);
        let line = |out: &mut String, cells: &dyn Fn(usize) -> String| {
            let mut s = String::new();
            for (j, &i) in block.iter().enumerate() {
                let c = if t.columns[i].path {
                    truncate_path(&cells(i), w[j])
                } else {
                    truncate(&cells(i), w[j])
                };
                let pad = w[j].saturating_sub(width(&c));
                let last = j + 1 == block.len();
                if t.columns[i].numeric {
                    s.extend(std::iter::repeat_n(' ', pad));
                    s.push_str(&c);
                } else {
                    s.push_str(&c);
                    if !last {
                        s.extend(std::iter::repeat_n(' ', pad));
                    }
                }
                if !last {
                    s.extend(std::iter::repeat_n(' ', GAP));
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        let rule = |out: &mut String| {
            let n = w.iter().sum::<usize>() + GAP * w.len().saturating_sub(1);
            out.extend(std::iter::repeat_n('─', n));
            out.push('\n');
        };
        line(&mut out, &|i| names[i].clone());
        rule(&mut out);
        for (r, row) in clean.iter().enumerate() {
            if r == body && body > 0 {
                rule(&mut out);
            }
            line(&mut out, &|i| row.get(i).cloned().unwrap_or_default());
        }
    }
    for n in notes.iter().filter(|n| !n.is_empty()) {
        out.push('\n');
        for l in n.lines() {
            let l: String = l.chars().filter(|c| !c.is_control()).collect();
            let lines = if width(&l) <= max {
                vec![l.trim_end().to_string()]
            } else {
                wrap(&one_line(&l), max)
            };
            for line in lines {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

fn total(widths: &[usize]) -> usize {
    widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1)
}

/// Split the columns into blocks that fit at their minimum widths; every block
/// after the first repeats column 0 (the row's name).
fn blocks(widths: &[usize], mins: &[usize], max: usize) -> Vec<Vec<usize>> {
    if widths.is_empty() {
        return vec![Vec::new()];
    }
    if total(mins) <= max {
        return vec![(0..widths.len()).collect()];
    }
    let mut out = Vec::new();
    let mut cur = vec![0];
    let mut used = mins[0];
    for i in 1..widths.len() {
        if used + GAP + mins[i] > max && cur.len() > 1 {
            out.push(std::mem::replace(&mut cur, vec![0]));
            used = mins[0];
        }
        cur.push(i);
        used += GAP + mins[i];
    }
    out.push(cur);
    out
}

/// Widths for the columns of one block: natural widths, with the flex columns cut
/// down (widest first, never below their minimum) until the block fits.
fn fit(block: &[usize], widths: &[usize], mins: &[usize], max: usize) -> Vec<usize> {
    let natural: Vec<usize> = block.iter().map(|&i| widths[i]).collect();
    if total(&natural) <= max {
        return natural;
    }
    // The largest cap such that capping flex columns at it fits.
    let capped = |cap: usize| -> Vec<usize> {
        block
            .iter()
            .map(|&i| {
                if widths[i] > mins[i] {
                    widths[i].min(cap.max(mins[i]))
                } else {
                    widths[i]
                }
            })
            .collect()
    };
    let (mut lo, mut hi) = (0, natural.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if total(&capped(mid)) <= max {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut w = capped(lo);
    // Hand out what is left, one column at a time, to the columns still cut.
    let mut spare = max.saturating_sub(total(&w));
    for (j, &i) in block.iter().enumerate() {
        if spare == 0 {
            break;
        }
        if w[j] < widths[i] {
            let more = (widths[i] - w[j]).min(spare);
            w[j] += more;
            spare -= more;
        }
    }
    w
}

/// Items joined by two spaces, wrapped to `max` columns.
fn wrap_words(items: &[String], max: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for it in items {
        let w = width(it);
        if line > 0 && line + GAP + w > max {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push_str("  ");
            line += GAP;
        }
        out.push_str(it);
        line += w;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("日本語テキスト", 7), "日本語…");
        assert_eq!(width(&truncate("日本語テキスト", 7)), 7);
        assert_eq!(truncate("Ødegård", 7), "Ødegård");
        assert_eq!(truncate("Ødegård!", 7), "Ødegår…");
        assert_eq!(truncate("👍🏽👍🏽👍🏽", 4), "👍🏽…");
        assert_eq!(truncate_path("Theme one/Sub", 10), "Theme…/Sub");
        assert_eq!(truncate_path("A\\/B/C", 6), "A\\/B/C");
        assert_eq!(truncate_path("Long\\/name/C", 6), "Lon…/C");
        assert_eq!(truncate_path("Long\\/name", 6), "Long\\…");
        assert_eq!(
            width(&truncate_path("Theme one/A very long code name", 12)),
            12
        );
    }

    #[test]
    fn fits_the_width_and_keeps_numbers_whole() {
        let mut t = Table::new(vec![
            Column::text("key"),
            Column::flex("title"),
            Column::number("n"),
        ]);
        t.rows
            .push(vec!["a".into(), "x".repeat(200), "12345".into()]);
        t.rows.push(vec!["日本".into(), "短い".into(), "1".into()]);
        let s = render(&t, 40);
        for l in s.lines() {
            assert!(width(l) <= 40, "{l:?}");
        }
        assert!(s.contains("12345") && s.contains('…'));
    }

    #[test]
    fn wide_tables_split_into_blocks() {
        let cols: Vec<Column> = std::iter::once(Column::text("row"))
            .chain((0..20).map(|i| Column::number(&format!("column-{i:02}"))))
            .collect();
        let mut t = Table::new(cols);
        t.rows.push(
            std::iter::once("r".to_string())
                .chain((0..20).map(|i| i.to_string()))
                .collect(),
        );
        let s = render(&t, 50);
        assert!(s.lines().all(|l| width(l) <= 50));
        assert!(s.contains("column-00") && s.contains("column-19"));
    }
}
