//! Where each pane goes on a screen of a given size. Pure geometry, shared by the
//! drawing code and by the state machine (which needs page sizes for motions).

use ratatui::layout::Rect;

/// The rectangles of the main view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Panes {
    pub studies: Rect,
    pub text: Rect,
    pub codes: Rect,
    pub status: Rect,
}

/// Split a screen: Studies | Text | Codes side by side above one status line.
/// Text gets what the side panes leave; side panes shrink first on narrow screens.
pub fn panes(area: Rect) -> Panes {
    let status_h = if area.height >= 2 { 1 } else { 0 };
    let main_h = area.height - status_h;
    let w = area.width;
    let side = |share: u16, min: u16, max: u16| (w * share / 100).clamp(min.min(w / 4), max);
    let studies_w = side(24, 12, 36);
    let codes_w = side(30, 14, 48);
    let text_w = w.saturating_sub(studies_w + codes_w);
    let y = area.y;
    Panes {
        studies: Rect::new(area.x, y, studies_w, main_h),
        text: Rect::new(area.x + studies_w, y, text_w, main_h),
        codes: Rect::new(
            area.x + studies_w + text_w,
            y,
            w - studies_w - text_w,
            main_h,
        ),
        status: Rect::new(area.x, y + main_h, w, status_h),
    }
}

/// The inside of a bordered pane.
pub fn inner(r: Rect) -> Rect {
    if r.width < 2 || r.height < 2 {
        return Rect::new(r.x, r.y, 0, 0);
    }
    Rect::new(r.x + 1, r.y + 1, r.width - 2, r.height - 2)
}

/// Columns of the Text pane's inner area taken by the left margin (coding marks).
pub const GUTTER: u16 = 2;

/// The width available to the text itself, and the width of the right margin of
/// code names (shown when the pane is wide enough).
pub fn text_columns(text_pane: Rect) -> (u16, u16) {
    let inner_w = inner(text_pane).width;
    let avail = inner_w.saturating_sub(GUTTER);
    let margin = if avail >= 70 { 18 } else { 0 };
    ((avail - margin).max(1), margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen_at_any_size() {
        for (w, h) in [(80, 24), (40, 12), (1, 1), (0, 0), (200, 60), (3, 2)] {
            let p = panes(Rect::new(0, 0, w, h));
            assert_eq!(p.studies.width + p.text.width + p.codes.width, w, "{w}x{h}");
            assert_eq!(p.studies.height + p.status.height, h, "{w}x{h}");
        }
        let p = panes(Rect::new(0, 0, 80, 24));
        assert!(p.text.width >= 34, "{p:?}");
    }
}
