//! Drawing: one function per pane and overlay. Draws the state; decides nothing.

mod codes;
mod overlay;
mod status;
mod studies;
mod text;
pub mod theme;
mod views;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::layout::panes;
use crate::app::{App, Pane};
pub use theme::{Depth, Theme};

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme) {
    let area = frame.area();
    app.size = area;
    let p = panes(area);
    studies::draw(frame, app, theme, p.studies);
    text::draw(frame, app, theme, p.text);
    codes::draw(frame, app, theme, p.codes);
    status::draw(frame, app, theme, p.status);
    overlay::draw(frame, app, theme, area);
}

/// A pane's frame: its title reads the pane's name, emphasised when focused.
fn pane_block<'a>(
    theme: &Theme,
    title: &'a str,
    focused: bool,
    extra: Option<String>,
) -> Block<'a> {
    let (border, title_style) = if focused {
        (theme.border_focused, theme.title_focused)
    } else {
        (theme.border, theme.title)
    };
    let mut spans = vec![Span::styled(title, title_style)];
    if let Some(e) = extra {
        spans.push(Span::styled(e, theme.dim));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Line::from(spans))
}

fn focused(app: &App, pane: Pane) -> bool {
    app.focus == pane && app.overlays.is_empty()
}

/// Keep `cursor` within a window of `height` rows starting at `offset`.
fn scroll_to(cursor: usize, offset: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    if cursor < offset {
        cursor
    } else if cursor >= offset + height {
        cursor + 1 - height
    } else {
        offset
    }
}

/// Write `s` at (x, y), cut to `width` cells; returns the cells used.
fn put(
    buf: &mut ratatui::buffer::Buffer,
    x: u16,
    y: u16,
    s: &str,
    width: u16,
    style: Style,
) -> u16 {
    if width == 0 {
        return 0;
    }
    let (end_x, _) = buf.set_stringn(x, y, s, width as usize, style);
    end_x - x
}

/// A coverage bar of `cells` cells for a percentage, in eighth blocks.
fn bar(percent: f64, cells: usize) -> (String, String) {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = ((percent.clamp(0.0, 100.0) / 100.0) * (cells * 8) as f64).round() as usize;
    let full = eighths / 8;
    let mut filled = "█".repeat(full);
    let part = EIGHTHS[eighths % 8];
    filled.push_str(part);
    let used = full + usize::from(!part.is_empty());
    (filled, "·".repeat(cells.saturating_sub(used)))
}

/// A rectangle of at most `w` × `h`, centred in `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_by_eighths() {
        assert_eq!(bar(0.0, 4), (String::new(), "····".into()));
        assert_eq!(bar(100.0, 4), ("████".into(), String::new()));
        assert_eq!(bar(50.0, 4), ("██".into(), "··".into()));
        assert_eq!(bar(3.0, 4).0, "▏");
    }
}
