//! Overlays: help, the code picker, prompts, confirmations and choosers.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Theme, centered, put};
use crate::app::input::LineInput;
use crate::app::keymap::{Action, Context};
use crate::app::picker::PickFor;
use crate::app::{App, Overlay};

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    // Only the topmost overlay is drawn: it has the keyboard.
    let Some(top) = app.overlays.last() else {
        return;
    };
    match top {
        Overlay::Help { scroll } => help(frame, app, theme, area, *scroll),
        Overlay::Coverage(v) => super::views::coverage(frame, app, theme, area, v),
        Overlay::Retrieval(v) => super::views::retrieval(frame, app, theme, area, v),

        Overlay::Picker(p) => {
            let title = match &p.purpose {
                PickFor::Coding { .. } => format!(
                    "Code as ({}: {})",
                    app.keymap.hint(Context::Overlay, Action::ToggleConstruct),
                    p.construct.label()
                ),
                PickFor::Move { .. } => "Move under".to_string(),
                PickFor::Merge { .. } => "Merge into".to_string(),
            };
            // The code's own name first, its parents after: a long path cut at the
            // right still shows which code it is.
            let rows: Vec<String> = p
                .entries
                .iter()
                .map(|e| {
                    match e
                        .path
                        .rsplit_once('/')
                        .filter(|(head, _)| !head.ends_with('\\'))
                    {
                        Some((parents, name)) => format!("{name}  ‹ {parents}"),
                        None => e.path.clone(),
                    }
                })
                .collect();
            let k = &app.keymap;
            let footer = if p.entries.is_empty() && !p.input.text.trim().is_empty() {
                format!(
                    "{} creates “{}”",
                    k.hint(Context::Overlay, Action::Confirm),
                    p.input.text.trim()
                )
            } else {
                format!(
                    "{} pick  {} new  {} close",
                    k.hint(Context::Overlay, Action::Confirm),
                    k.hint(Context::Overlay, Action::CreateNew),
                    k.hint(Context::Overlay, Action::Cancel)
                )
            };
            list_box(
                frame,
                theme,
                area,
                &title,
                Some(&p.input),
                &rows,
                p.cursor,
                &footer,
            );
        }
        Overlay::Prompt { title, input, .. } => {
            let r = centered(area, 60, 3);
            let inner = boxed(frame, theme, r, title);
            input_line(frame, inner, input);
        }
        Overlay::Confirm { message, .. } => {
            let w = (message.width() as u16 + 4).clamp(20, 70);
            let lines = wrap_words(message, w.saturating_sub(2) as usize);
            let r = centered(area, w, lines.len() as u16 + 3);
            let inner = boxed(frame, theme, r, "Confirm");
            let buf = frame.buffer_mut();
            for (i, l) in lines.iter().enumerate() {
                put(
                    buf,
                    inner.x,
                    inner.y + i as u16,
                    l,
                    inner.width,
                    Style::new(),
                );
            }
            if inner.height > lines.len() as u16 {
                put(
                    buf,
                    inner.x,
                    inner.y + lines.len() as u16,
                    "y yes   n no",
                    inner.width,
                    theme.dim,
                );
            }
        }
        Overlay::Choose { items, cursor, .. } => {
            let rows: Vec<String> = items.iter().map(|(_, l)| l.clone()).collect();
            list_box(
                frame,
                theme,
                area,
                "Which coding?",
                None,
                &rows,
                *cursor,
                "enter pick  esc close",
            );
        }
    }
}

/// Draw a bordered, cleared box; returns its inside.
fn boxed(frame: &mut Frame, theme: &Theme, r: Rect, title: &str) -> Rect {
    Clear.render(r, frame.buffer_mut());
    let b = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.overlay_border)
        .title(format!(" {title} "));
    let inner = b.inner(r);
    b.render(r, frame.buffer_mut());
    inner
}

fn input_line(frame: &mut Frame, r: Rect, input: &LineInput) {
    if r.width == 0 || r.height == 0 {
        return;
    }
    let prompt = "› ";
    let before = &input.text[..input.cursor];
    // Keep the cursor in view on long input.
    let avail = r.width.saturating_sub(2) as usize;
    let skip = before.width().saturating_sub(avail.saturating_sub(1));
    let shown: String = {
        let mut acc = 0;
        input
            .text
            .chars()
            .skip_while(|c| {
                let keep = acc < skip;
                acc += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
                keep
            })
            .collect()
    };
    let buf = frame.buffer_mut();
    put(buf, r.x, r.y, prompt, r.width, Style::new());
    put(
        buf,
        r.x + 2,
        r.y,
        &shown,
        r.width.saturating_sub(2),
        Style::new(),
    );
    let cx = r.x + 2 + (before.width() - skip) as u16;
    if cx < r.x + r.width {
        frame.set_cursor_position(Position::new(cx, r.y));
    }
}

#[allow(clippy::too_many_arguments)]
fn list_box(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    title: &str,
    input: Option<&LineInput>,
    rows: &[String],
    cursor: usize,
    footer: &str,
) {
    let w = (area.width * 3 / 4).clamp(20.min(area.width), 90);
    let h = (area.height * 3 / 4).clamp(5.min(area.height), 30);
    let r = centered(area, w, h);
    let inner = boxed(frame, theme, r, title);
    if inner.height == 0 {
        return;
    }
    let mut y = inner.y;
    if let Some(i) = input {
        input_line(frame, Rect::new(inner.x, y, inner.width, 1), i);
        y += 1;
    }
    let list_h = (inner.y + inner.height).saturating_sub(y).saturating_sub(1) as usize;
    let offset = super::scroll_to(cursor, 0, list_h);
    let buf = frame.buffer_mut();
    for (row, i) in (offset..rows.len().min(offset + list_h)).enumerate() {
        let st = if i == cursor {
            theme.cursor_row
        } else {
            Style::new()
        };
        put(buf, inner.x, y + row as u16, &rows[i], inner.width, st);
    }
    if rows.is_empty() && list_h > 0 {
        put(buf, inner.x, y, "no match", inner.width, theme.dim);
    }
    let fy = inner.y + inner.height - 1;
    if fy >= y {
        put(buf, inner.x, fy, footer, inner.width, theme.dim);
    }
}

fn help(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, scroll: usize) {
    let mut lines: Vec<(String, bool)> = Vec::new();
    for ctx in Context::ALL {
        let entries = app.keymap.describe(ctx);
        if entries.is_empty() {
            continue;
        }
        let heading = match ctx {
            Context::Global => "Everywhere",
            Context::Studies => "Studies",
            Context::Text => "Text",
            Context::Codes => "Codes",
            Context::Overlay => "Picker and lists",
        };
        lines.push((heading.to_string(), true));
        for (action, keys) in entries {
            let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            lines.push((format!("  {:<16} {}", keys.join(" "), action.doc()), false));
        }
        lines.push((String::new(), false));
    }
    let r = centered(area, 78, area.height.saturating_sub(2).max(3));
    let inner = boxed(frame, theme, r, "Help — keys (q or esc to close)");
    let buf = frame.buffer_mut();
    let start = scroll.min(lines.len().saturating_sub(inner.height as usize));
    for (row, (text, heading)) in lines
        .iter()
        .skip(start)
        .take(inner.height as usize)
        .enumerate()
    {
        let st = if *heading {
            theme.title_focused
        } else {
            Style::new()
        };
        put(buf, inner.x, inner.y + row as u16, text, inner.width, st);
    }
}

fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for word in s.split(' ') {
        let cur = out.last_mut().expect("never empty");
        if !cur.is_empty() && cur.width() + 1 + word.width() > width.max(1) {
            out.push(word.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    out
}
