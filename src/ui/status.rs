use ratatui::Frame;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use super::{Theme, put};
use crate::app::keymap::{Action, Context};
use crate::app::{App, Pane};
use crate::text::wrap::line_of;

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let mode = if app.anchor.is_some() {
        " SELECT "
    } else {
        " NORMAL "
    };
    // Position and the codes under the cursor (Text), else the focused item.
    let mut middle = String::new();
    if app.text.is_some() {
        let lines = app.lines();
        let key = app.open_study().map_or("", |s| s.key.as_str());
        middle = format!(" {key} {}/{}", line_of(&lines, app.cursor) + 1, lines.len());
        if app.focus == Pane::Text {
            let names: Vec<String> = app
                .codings_at(app.cursor)
                .iter()
                .filter_map(|c| app.project.codebook.get(c.code).map(|x| x.name.clone()))
                .collect();
            if !names.is_empty() {
                middle.push_str(" · ");
                middle.push_str(&names.join(", "));
            }
        }
    }
    if app.reviewer_filter != crate::app::reviewers::ReviewerFilter::All {
        middle.push_str(&format!(" [{}]", app.reviewer_filter.label()));
    }
    let right = match &app.message {
        Some(m) => m.text.clone(),
        None => hints(app),
    };
    let buf = frame.buffer_mut();
    let w = area.width;
    // Paint the bar, then the parts over it.
    put(
        buf,
        area.x,
        area.y,
        &" ".repeat(w as usize),
        w,
        theme.status,
    );
    let mut x = area.x;
    if w >= 20 {
        x += put(buf, x, area.y, mode, w, theme.status_mode);
    }
    let right_w = (right.width() as u16 + 1).min(w.saturating_sub(x - area.x));
    let right_style = match &app.message {
        Some(m) if m.error => theme.status_error,
        _ => theme.status,
    };
    // Leave a gap before the right part; drop the middle if there is no room.
    let mid_w = (area.x + w).saturating_sub(x).saturating_sub(right_w + 1);

    put(buf, x, area.y, &middle, mid_w, theme.status);
    let rx = area.x + w - right_w;
    put(buf, rx, area.y, &right, right_w, right_style);
}

/// Key hints for the focused pane, from the live keymap.
fn hints(app: &App) -> String {
    let k = &app.keymap;
    let ctx = match app.focus {
        Pane::Studies => Context::Studies,
        Pane::Text => Context::Text,
        Pane::Codes => Context::Codes,
    };
    let mut parts: Vec<String> = Vec::new();
    match app.focus {
        Pane::Studies => parts.push(format!("{} open", k.hint(ctx, Action::Open))),
        Pane::Text if app.anchor.is_some() => {
            parts.push(format!("{} code", k.hint(ctx, Action::CodeSelection)));
            parts.push(format!(
                "{} cancel",
                k.hint(Context::Global, Action::Cancel)
            ));
        }
        Pane::Text => parts.push(format!("{} select", k.hint(ctx, Action::Select))),
        Pane::Codes => parts.push(format!("{} add", k.hint(ctx, Action::AddChild))),
    }
    parts.push(format!("{} help", k.hint(Context::Global, Action::Help)));
    parts.push(format!("{} quit", k.hint(Context::Global, Action::Quit)));
    parts.join("  ")
}
