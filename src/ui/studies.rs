//! The Studies pane: per study its key and number of codings, then a coverage bar
//! and the short citation (on a second line when there is room).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::{Theme, bar, focused, pane_block, put, scroll_to};
use crate::app::layout::inner;
use crate::app::{App, Pane};

/// Rows per study: two (key line, bar + citation line) when the pane is tall enough.
pub fn rows_per_study(height: u16) -> usize {
    if height >= 8 { 2 } else { 1 }
}

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let is_focused = focused(app, Pane::Studies);
    let n = app.project.studies.len();
    let extra = (area.width > 16).then(|| format!(" {n}"));
    pane_block(theme, "Studies", is_focused, extra).render(area, frame.buffer_mut());
    let inner = inner(area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let per = rows_per_study(inner.height);
    let h = inner.height as usize / per;
    app.study_offset = scroll_to(app.study_cursor, app.study_offset, h.max(1));
    let open = app.open.map(|o| o.study);
    let buf = frame.buffer_mut();
    if n == 0 {
        put(
            buf,
            inner.x,
            inner.y,
            "no studies yet",
            inner.width,
            theme.dim,
        );
        return;
    }
    let w = inner.width;
    let end = inner.x + w;
    for (row, i) in (app.study_offset..n.min(app.study_offset + h)).enumerate() {
        let s = &app.project.studies[i];
        let y = inner.y + (row * per) as u16;
        let tally = app.tally.study(s.id);
        let count = tally.map_or(0, |t| t.codings);
        let pct = tally.map_or(0.0, |t| t.percent());
        let mut x = inner.x;
        let marker = if Some(s.id) == open { "▸" } else { " " };
        x += put(buf, x, y, marker, w, theme.open_marker);
        let count_s = format!(" {count}");
        let count_w = (count_s.len() as u16).min(end.saturating_sub(x));
        let key_style = if i == app.study_cursor {
            if is_focused {
                theme.cursor_row
            } else {
                theme.cursor_row_unfocused
            }
        } else {
            Style::new()
        };
        let key_w = end.saturating_sub(x).saturating_sub(count_w);
        put(buf, x, y, &s.key, key_w, key_style);
        put(buf, end - count_w, y, &count_s, count_w, theme.dim);
        if per == 2 {
            let y2 = y + 1;
            let mut x2 = inner.x + 1;
            let bar_w = 4.min(w.saturating_sub(1)) as usize;
            let (full, empty) = bar(pct, bar_w);
            let used = put(buf, x2, y2, &full, bar_w as u16, theme.bar_full);
            put(
                buf,
                x2 + used,
                y2,
                &empty,
                bar_w as u16 - used,
                theme.bar_empty,
            );
            x2 += bar_w as u16;
            let pct_s = format!(" {:>3.0}% ", pct);
            x2 += put(buf, x2, y2, &pct_s, end.saturating_sub(x2), theme.dim);
            let cite = if s.citation.title.is_empty() {
                s.citation.short()
            } else {
                s.citation.title.clone()
            };
            put(buf, x2, y2, &cite, end.saturating_sub(x2), theme.dim);
        }
    }
}
