//! Drawing the coverage matrix and the retrieval list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Depth, Theme, put};
use crate::app::App;
use crate::app::views::{CoverageView, RetrievalView};
use crate::report::MatrixBy;

/// The full-screen box of a view, above the status line.
fn frame_box(frame: &mut Frame, theme: &Theme, area: Rect, title: &str) -> Rect {
    let r = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    Clear.render(r, frame.buffer_mut());
    let b = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.overlay_border)
        .title(format!(" {title} "));
    let inner = b.inner(r);
    b.render(r, frame.buffer_mut());
    inner
}

/// Background for a heat level 1..=4 (0 is none), or a glyph in mono.
fn heat(theme: &Theme, level: usize) -> (Style, &'static str) {
    const GLYPHS: [&str; 5] = [" ", "░", "▒", "▓", "█"];
    let level = level.min(4);
    if level == 0 {
        return (Style::new(), " ");
    }
    let bg = match theme.depth {
        Depth::Mono => {
            return (
                Style::new().add_modifier(if level >= 3 {
                    Modifier::BOLD
                } else {
                    Modifier::empty()
                }),
                GLYPHS[level],
            );
        }
        Depth::Ansi16 => [Color::DarkGray, Color::Blue, Color::Cyan, Color::Green][level - 1],
        Depth::Indexed256 => Color::Indexed([23, 29, 35, 41][level - 1]),
        Depth::TrueColor => [
            Color::Rgb(30, 70, 60),
            Color::Rgb(40, 110, 80),
            Color::Rgb(60, 150, 90),
            Color::Rgb(90, 190, 100),
        ][level - 1],
    };
    (Style::new().bg(bg).fg(Color::White), " ")
}

pub fn coverage(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, v: &CoverageView) {
    let by = match v.by {
        MatrixBy::Codings => "codings",
        MatrixBy::Presence => "presence",
        MatrixBy::Coverage => "% coverage",
    };
    let title = format!("Coverage — depth {} · {by}", v.depth);
    let inner = frame_box(frame, theme, area, &title);
    if inner.width < 4 || inner.height < 3 {
        return;
    }
    let m = &v.matrix;
    let buf = frame.buffer_mut();
    let label_w = (inner.width / 3).clamp(8, 32);
    let cell_w: u16 = 5;
    let totals_w: u16 = 15;
    let avail = inner.width.saturating_sub(label_w + totals_w);
    let visible_cols = (avail / cell_w).max(1) as usize;
    let col_off = v.col.saturating_sub(visible_cols - 1);
    let list_h = inner.height.saturating_sub(4) as usize; // header, total, coverage, footer
    let row_off = v.row.saturating_sub(list_h.saturating_sub(1));
    let max = m.cells.iter().flatten().fold(0.0f64, |a, &b| a.max(b));
    // Header: study keys, abbreviated; the current column's key in full in the footer.
    let y0 = inner.y;
    put(buf, inner.x, y0, "theme", label_w, theme.dim);
    for (i, sid) in m
        .studies
        .iter()
        .enumerate()
        .skip(col_off)
        .take(visible_cols)
    {
        let x = inner.x + label_w + ((i - col_off) as u16) * cell_w;
        let key = app.project.study(*sid).map_or("?", |s| s.key.as_str());
        let st = if i == v.col {
            theme.cursor_row
        } else {
            theme.dim
        };
        put(
            buf,
            x,
            y0,
            &format!("{:>4}", key.chars().take(4).collect::<String>()),
            cell_w - 1,
            st,
        );
    }
    let tx = inner.x + label_w + (visible_cols.min(m.studies.len()) as u16) * cell_w;
    put(buf, tx, y0, "  total studies", totals_w, theme.dim);
    for (r, row) in m.rows.iter().enumerate().skip(row_off).take(list_h) {
        let y = y0 + 1 + (r - row_off) as u16;
        let indent = " ".repeat(row.depth.saturating_sub(1));
        let name = row.path.rsplit('/').next().unwrap_or(&row.path);
        let st = if r == v.row {
            theme.cursor_row
        } else {
            Style::new()
        };
        put(buf, inner.x, y, &format!("{indent}{name}"), label_w - 1, st);
        for (i, _) in m
            .studies
            .iter()
            .enumerate()
            .skip(col_off)
            .take(visible_cols)
        {
            let x = inner.x + label_w + ((i - col_off) as u16) * cell_w;
            let val = m.cells[r][i];
            let level = if val <= 0.0 || max <= 0.0 {
                0
            } else {
                1 + ((val / max) * 3.999) as usize
            };
            let (mut st, glyph) = heat(theme, level);
            let text = match v.by {
                MatrixBy::Codings => {
                    if val > 0.0 {
                        format!("{val:>3.0}")
                    } else {
                        "  ·".into()
                    }
                }
                MatrixBy::Presence => {
                    if val > 0.0 {
                        "  ●".into()
                    } else {
                        "  ·".into()
                    }
                }
                MatrixBy::Coverage => {
                    if val > 0.0 {
                        format!("{val:>3.0}")
                    } else {
                        "  ·".into()
                    }
                }
            };
            if r == v.row && i == v.col {
                st = st.add_modifier(Modifier::REVERSED);
            }
            let cell = if theme.depth == Depth::Mono {
                format!("{glyph}{text}")
            } else {
                format!(" {text}")
            };
            put(buf, x, y, &cell, cell_w - 1, st);
        }
        put(
            buf,
            tx,
            y,
            &format!(" {:>6} {:>7}", m.row_codings[r], m.row_studies[r]),
            totals_w,
            theme.dim,
        );
    }
    // Totals and per-study coverage.
    let yt = y0 + 1 + list_h.min(m.rows.len()) as u16;
    put(
        buf,
        inner.x,
        yt,
        "total codings",
        label_w,
        theme.title_focused,
    );
    let yc = yt + 1;
    put(
        buf,
        inner.x,
        yc,
        "% of text coded",
        label_w,
        theme.title_focused,
    );
    for (i, sid) in m
        .studies
        .iter()
        .enumerate()
        .skip(col_off)
        .take(visible_cols)
    {
        let x = inner.x + label_w + ((i - col_off) as u16) * cell_w;
        put(
            buf,
            x,
            yt,
            &format!("{:>4}", m.study_codings[i]),
            cell_w - 1,
            theme.dim,
        );
        let pct = app.tally.study(*sid).map_or(0.0, |t| t.percent());
        let (st, _) = heat(theme, (pct / 25.0).ceil() as usize);
        put(buf, x, yc, &format!("{pct:>4.0}"), cell_w - 1, st);
    }
    let total: u32 = m.study_codings.iter().sum();
    put(buf, tx, yt, &format!(" {total:>6}"), totals_w, theme.dim);
    // Footer: where the cursor is, and the keys.
    let study = m
        .studies
        .get(v.col)
        .and_then(|s| app.project.study(*s))
        .map_or("", |s| s.key.as_str());
    let theme_name = m.rows.get(v.row).map_or("", |r| r.path.as_str());
    let footer =
        format!("{study} × {theme_name}   hjkl move  +/- depth  b measure  enter codings  q close");
    put(
        buf,
        inner.x,
        inner.y + inner.height - 1,
        &footer,
        inner.width,
        theme.dim,
    );
}

pub fn retrieval(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, v: &RetrievalView) {
    let cb = &app.project.codebook;
    let mut title = format!("Retrieval — {}", cb.path(v.code));
    if let Some(s) = v.study.and_then(|s| app.project.study(s)) {
        title.push_str(&format!(" in {}", s.key));
    }
    let studies = {
        let mut ids: Vec<_> = v.items.iter().map(|(s, _)| *s).collect();
        ids.dedup();
        ids.len()
    };
    title.push_str(&format!(
        " — {} coding(s), {} stud{}",
        v.items.len(),
        studies,
        if studies == 1 { "y" } else { "ies" }
    ));
    let inner = frame_box(frame, theme, area, &title);
    if inner.width < 4 || inner.height < 2 {
        return;
    }
    let buf = frame.buffer_mut();
    if v.items.is_empty() {
        put(buf, inner.x, inner.y, "no codings", inner.width, theme.dim);
        return;
    }
    // List on top (two lines per coding), context of the highlighted one below.
    let preview_h = if inner.height >= 14 { 6 } else { 0 };
    let list_rows = (inner.height - preview_h - 1) as usize / 2;
    let off = v.cursor.saturating_sub(list_rows.saturating_sub(1));
    let w = inner.width;
    for (row, i) in (off..v.items.len().min(off + list_rows)).enumerate() {
        let (sid, cid) = v.items[i];
        let Some(s) = app.project.study(sid) else {
            continue;
        };
        let Some(c) = s.codings.iter().find(|c| c.id == cid) else {
            continue;
        };
        let y = inner.y + (row * 2) as u16;
        let head = format!(
            "{} · {} · {}",
            s.key,
            c.construct.label(),
            cb.get(c.code).map_or("?", |x| x.name.as_str())
        );
        let st = if i == v.cursor {
            theme.cursor_row
        } else {
            theme.title_focused
        };
        put(buf, inner.x, y, &head, w, st);
        let quote: String = c.quote.split_whitespace().collect::<Vec<_>>().join(" ");
        put(
            buf,
            inner.x + 2,
            y + 1,
            &quote,
            w.saturating_sub(2),
            Style::new(),
        );
    }
    if preview_h > 0
        && let Some(&(sid, cid)) = v.items.get(v.cursor)
        && let Some(c) = app
            .project
            .study(sid)
            .and_then(|s| s.codings.iter().find(|c| c.id == cid))
    {
        let y = inner.y + inner.height - preview_h - 1;
        put(buf, inner.x, y, &"─".repeat(w as usize), w, theme.dim);
        let mut lines: Vec<Vec<(String, Style)>> = vec![Vec::new()];
        let mut col = 0usize;
        let mut push = |s: &str, st: Style, lines: &mut Vec<Vec<(String, Style)>>| {
            for word in s.split_whitespace() {
                let ww = word.width() + 1;
                if col + ww > w as usize && col > 0 {
                    lines.push(Vec::new());
                    col = 0;
                }
                lines
                    .last_mut()
                    .expect("never empty")
                    .push((format!("{word} "), st));
                col += ww;
            }
        };
        match app.preview.as_ref().filter(|(id, _)| *id == c.source) {
            Some((_, text)) => {
                let (before, after) = crate::report::context(text, c.start, c.end, 240);
                push(&before, theme.dim, &mut lines);
                push(
                    text.slice(c.start, c.end),
                    Style::new().add_modifier(Modifier::BOLD),
                    &mut lines,
                );
                push(&after, theme.dim, &mut lines);
            }
            None => push(
                &c.quote,
                Style::new().add_modifier(Modifier::BOLD),
                &mut lines,
            ),
        }
        // Show the lines around the quote's first line.
        let first_bold = lines
            .iter()
            .position(|l| {
                l.iter()
                    .any(|(_, st)| st.add_modifier.contains(Modifier::BOLD))
            })
            .unwrap_or(0);
        let start = first_bold.saturating_sub(2);
        for (k, line) in lines
            .iter()
            .skip(start)
            .take(preview_h as usize - 1)
            .enumerate()
        {
            let mut x = inner.x;
            for (t, st) in line {
                x += put(
                    buf,
                    x,
                    y + 1 + k as u16,
                    t,
                    (inner.x + w).saturating_sub(x),
                    *st,
                );
            }
        }
    }
    put(
        buf,
        inner.x,
        inner.y + inner.height - 1,
        "j/k move  enter show in text  q close",
        w,
        theme.dim,
    );
}
