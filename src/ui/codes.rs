use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use super::{Theme, focused, pane_block, put, scroll_to};
use crate::app::layout::inner;
use crate::app::{App, Pane};
use crate::model::CodeKind;

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let is_focused = focused(app, Pane::Codes);
    let extra = (area.width > 14).then(|| format!(" {}", app.project.codebook.codes.len()));
    pane_block(theme, "Codes", is_focused, extra).render(area, frame.buffer_mut());
    let inner = inner(area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let h = inner.height as usize;
    app.code_offset = scroll_to(app.code_cursor, app.code_offset, h);
    let buf = frame.buffer_mut();
    if app.code_rows.is_empty() {
        put(
            buf,
            inner.x,
            inner.y,
            "no codes yet: a adds one",
            inner.width,
            theme.dim,
        );
        return;
    }
    let w = inner.width;
    for (row, i) in (app.code_offset..app.code_rows.len().min(app.code_offset + h)).enumerate() {
        let r = &app.code_rows[i];
        let Some(c) = app.project.codebook.get(r.id) else {
            continue;
        };
        let y = inner.y + row as u16;
        let (n, studies) = app.tally.code(r.id);
        let counts = if w >= 24 {
            format!(" {n}·{studies}")
        } else {
            format!(" {n}")
        };
        let counts_w = counts.width() as u16;
        let mut x = inner.x;
        let indent = (r.depth as u16).min(w / 3);
        x += indent;
        let marker = match (r.has_children, r.expanded) {
            (true, true) => "▾",
            (true, false) => "▸",
            _ => " ",
        };
        let end = inner.x + w;
        x += put(buf, x, y, marker, end.saturating_sub(x), theme.dim);
        let (glyph, kind_style) = match c.kind {
            CodeKind::AnalyticalTheme => ("◆", theme.kind_analytical),
            CodeKind::DescriptiveTheme => ("◇", theme.kind_descriptive),
            CodeKind::Code => ("•", theme.kind_code),
        };
        let mut gs = kind_style;
        if let Some(col) = theme.swatch(&c.color) {
            gs = gs.fg(col);
        }
        x += put(buf, x, y, glyph, end.saturating_sub(x), gs);
        x += put(buf, x, y, " ", end.saturating_sub(x), Style::new());
        let name_w = end.saturating_sub(x).saturating_sub(counts_w);
        let name_style = if i == app.code_cursor {
            if is_focused {
                theme.cursor_row
            } else {
                theme.cursor_row_unfocused
            }
        } else {
            kind_style
        };
        put(buf, x, y, &c.name, name_w, name_style);
        let cx = end.saturating_sub(counts_w);
        if cx >= x {
            put(buf, cx, y, &counts, counts_w, theme.dim);
        }
    }
}
