//! The Text pane: only the visible lines are drawn; codings in view are found once
//! per frame; each grapheme is styled by the codings, selection and search over it.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;
use unicode_segmentation::UnicodeSegmentation;

use super::{Theme, focused, pane_block, put};
use crate::app::layout::{GUTTER, inner, text_columns};
use crate::app::{App, Pane};
use crate::model::Coding;
use crate::text::wrap::{Shown, display};

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let is_focused = focused(app, Pane::Text);
    let extra = app.open_study().map(|s| {
        let src = app.open.and_then(|o| s.source(o.source));
        match src {
            Some(src) if s.sources.len() > 1 => format!(" {} · {}", s.key, src.name),
            _ => format!(" {}", s.key),
        }
    });
    pane_block(theme, "Text", is_focused, extra).render(area, frame.buffer_mut());
    let inner = inner(area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let Some(text) = app.text.clone() else {
        let msg = if app.open.is_some() {
            "loading…"
        } else {
            "no study open: Studies, enter"
        };
        put(
            frame.buffer_mut(),
            inner.x,
            inner.y,
            msg,
            inner.width,
            theme.dim,
        );
        return;
    };
    let lines = app.lines();
    let (text_w, margin_w) = text_columns(area);
    let h = inner.height as usize;
    let first = app.scroll.min(lines.len().saturating_sub(1));
    let visible = &lines[first..lines.len().min(first + h)];
    let (Some(v0), Some(v1)) = (
        visible.first().map(|l| l.cp),
        visible.last().map(|l| l.end_cp),
    ) else {
        return;
    };
    // Codings of this source that reach into the view.
    let open = app.open.expect("a text is loaded only for an open source");
    let study = app.project.study(open.study);
    let in_view: Vec<&Coding> = study
        .map(|s| {
            s.codings
                .iter()
                .filter(|c| {
                    c.source == open.source
                        && c.flag.is_none()
                        && c.start < v1.max(v0 + 1)
                        && c.end > v0
                })
                .filter(|c| app.shows(s, c))
                .collect()
        })
        .unwrap_or_default();
    let color_of = |c: &Coding| {
        app.project
            .codebook
            .get(c.code)
            .map_or("#88c0d0".to_string(), |code| code.color.clone())
    };
    let colors: Vec<String> = in_view.iter().map(|c| color_of(c)).collect();
    let selection = app.selection();
    let matches = search_matches(
        app.search.as_deref(),
        &text,
        visible[0].start,
        visible[visible.len() - 1].end,
    );
    let cursor = app.cursor;
    let buf = frame.buffer_mut();
    let mut cursor_pos = None;
    for (row, l) in visible.iter().enumerate() {
        let y = inner.y + row as u16;
        // Gutter: a mark in the colour of the first coding on the line, and how many.
        let on_line: Vec<usize> = (0..in_view.len())
            .filter(|&i| in_view[i].start < l.end_cp.max(l.cp + 1) && in_view[i].end > l.cp)
            .collect();
        if let Some(&i0) = on_line.first() {
            let mut st = Style::new();
            if let Some(c) = theme.swatch(&colors[i0]) {
                st = st.fg(c);
            }
            put(buf, inner.x, y, "▎", 1, st);
            if on_line.len() > 1 {
                let n = if on_line.len() > 9 {
                    "+".to_string()
                } else {
                    on_line.len().to_string()
                };
                put(buf, inner.x + 1, y, &n, 1, theme.dim);
            }
        }
        // The text.
        let mut x = inner.x + GUTTER;
        let (mut run, mut run_x, mut run_style) = (String::new(), x, Style::new());

        let x_end = x + text_w;
        let mut col = 0usize;
        let mut cp = l.cp;
        let mut b = l.start;
        for g in text.as_str()[l.start..l.end].graphemes(true) {
            let (w, shown) = display(g, col);
            let mut st = Style::new();
            let mut covering = 0;
            let mut top = None;
            for &i in &on_line {
                let c = in_view[i];
                if c.start <= cp && cp < c.end {
                    covering += 1;
                    top = Some(i);
                }
            }
            if let Some(i) = top {
                st = st.patch(theme.coded(&colors[i]));
                if covering > 1 {
                    st = st.patch(theme.overlap);
                }
            }
            if matches.iter().any(|&(s, e)| s <= b && b < e) {
                st = st.patch(theme.search);
            }
            if let Some((s, e)) = selection
                && s <= cp
                && cp < e
            {
                st = st.patch(theme.selection);
            }
            if cp == cursor {
                cursor_pos = Some(Position::new(x, y));
                if !is_focused {
                    st = st.add_modifier(Modifier::UNDERLINED);
                }
            }
            if x + w as u16 > x_end {
                break;
            }
            // Consecutive graphemes of one style are written as one run.
            let st = match shown {
                Shown::Replacement => st.patch(theme.dim),
                _ => st,
            };
            if st != run_style && !run.is_empty() {
                put(buf, run_x, y, &run, x - run_x, run_style);
                run.clear();
            }
            if run.is_empty() {
                run_x = x;
                run_style = st;
            }
            match shown {
                Shown::Text(s) => run.push_str(s),
                Shown::Spaces(n) => run.extend(std::iter::repeat_n(' ', n)),
                Shown::Replacement => run.push('�'),
            }
            x += w as u16;
            col += w;
            cp += g.chars().count() as u32;
            b += g.len();
        }
        if !run.is_empty() {
            put(buf, run_x, y, &run, x - run_x, run_style);
            run.clear();
        }
        if cp == cursor && cursor_pos.is_none() && x < x_end {
            cursor_pos = Some(Position::new(x, y));
        }
        // Right margin: the codes that start on this line.
        if margin_w > 0 {
            let names: Vec<String> = on_line
                .iter()
                .filter(|&&i| in_view[i].start >= l.cp && in_view[i].start < l.end_cp)
                .filter_map(|&i| {
                    app.project
                        .codebook
                        .get(in_view[i].code)
                        .map(|c| c.name.clone())
                })
                .collect();
            if !names.is_empty() {
                let mx = inner.x + GUTTER + text_w + 1;
                put(buf, mx, y, &names.join(", "), margin_w - 1, theme.dim);
            }
        }
    }
    if is_focused && let Some(p) = cursor_pos {
        frame.set_cursor_position(p);
    }
}

/// Byte ranges of case-insensitive matches of `q` within `from..to` of the text.
fn search_matches(
    q: Option<&str>,
    text: &crate::text::SourceText,
    from: usize,
    to: usize,
) -> Vec<(usize, usize)> {
    let Some(q) = q.filter(|q| !q.is_empty()) else {
        return Vec::new();
    };
    let Ok(re) = regex::RegexBuilder::new(&regex::escape(q))
        .case_insensitive(true)
        .build()
    else {
        return Vec::new();
    };
    re.find_iter(&text.as_str()[from..to])
        .map(|m| (from + m.start(), from + m.end()))
        .collect()
}
