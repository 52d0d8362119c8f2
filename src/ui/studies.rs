use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::{Theme, bar, focused, pane_block, put, scroll_to};
use crate::app::layout::inner;
use crate::app::{App, Pane};

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let is_focused = focused(app, Pane::Studies);
    let n = app.project.studies.len();
    let extra = (area.width > 16).then(|| format!(" {n}"));
    pane_block(theme, "Studies", is_focused, extra).render(area, frame.buffer_mut());
    let inner = inner(area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let h = inner.height as usize;
    app.study_offset = scroll_to(app.study_cursor, app.study_offset, h);
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
    // Layout of a row: marker, key, [citation], bar, count.
    let w = inner.width as usize;
    let count_w = 4;
    let bar_w = if w >= 20 { 4 } else { 0 };
    for (row, i) in (app.study_offset..n.min(app.study_offset + h)).enumerate() {
        let s = &app.project.studies[i];
        let y = inner.y + row as u16;
        let mut x = inner.x;
        let marker = if Some(s.id) == open { "▸" } else { " " };
        x += put(buf, x, y, marker, 1, theme.open_marker);
        let tally = app.tally.study(s.id);
        let key_w = w.saturating_sub(1 + bar_w + usize::from(bar_w > 0) + count_w);
        let key_style = if i == app.study_cursor {
            if is_focused {
                theme.cursor_row
            } else {
                theme.cursor_row_unfocused
            }
        } else {
            ratatui::style::Style::new()
        };
        let mut label = s.key.clone();
        if key_w > label.chars().count() + 12 && !s.citation.title.is_empty() {
            label = format!("{} {}", s.key, s.citation.title);
        }
        put(buf, x, y, &label, key_w as u16, key_style);
        x += key_w as u16;
        if bar_w > 0 {
            let pct = tally.map_or(0.0, |t| t.percent());
            let (full, empty) = bar(pct, bar_w);
            x += 1;
            let used = put(buf, x, y, &full, bar_w as u16, theme.bar_full);
            put(
                buf,
                x + used,
                y,
                &empty,
                bar_w as u16 - used,
                theme.bar_empty,
            );
            x += bar_w as u16;
        }
        let count = tally.map_or(0, |t| t.codings);
        let c = format!("{count:>4}");
        put(
            buf,
            x,
            y,
            &c[c.len().saturating_sub(count_w)..],
            count_w as u16,
            theme.dim,
        );
    }
}
