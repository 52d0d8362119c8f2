//! What the workstation draws: snapshots of every pane state and overlay at 80×24
//! and 40×12 with the mono theme, style checks where styles carry meaning, and
//! no panic at any size.

mod support;

use ratatui::style::{Color, Modifier};
use support::Harness;

/// Screens to snapshot: a name and the keys that lead there from the start.
const STATES: &[(&str, &str)] = &[
    ("start", ""),
    ("text_focused", "2 } w"),
    ("selection", "2 } v )"),
    ("codes_focused", "3 j j"),
    ("help", "?"),
    ("picker", "2 } v ) c"),
    ("picker_filtered", "2 } v ) c \"trust\""),
    ("picker_new", "2 } v ) c \"Brand new code\""),
    ("prompt_add_code", "3 a \"Sub\""),
    ("confirm_delete", "3 j D"),
    ("search", "2 / \"clinicians\" enter"),
    ("study_list_moved", "j j j"),
    ("coverage", "C j l"),
    ("coverage_depth2_presence", "C + b"),
    ("retrieval", "3 R j"),
];

#[test]
fn snapshots_80x24() {
    for (name, keys) in STATES {
        let mut h = Harness::sample();
        h.resize(80, 24).keys(keys);
        insta::assert_snapshot!(format!("80x24_{name}"), h.screen());
    }
}

#[test]
fn snapshots_40x12() {
    for (name, keys) in STATES {
        let mut h = Harness::sample();
        h.resize(40, 12).keys(keys);
        insta::assert_snapshot!(format!("40x12_{name}"), h.screen());
    }
}

#[test]
fn pane_titles_read_studies_text_and_codes() {
    let mut h = Harness::sample();
    let first = h.screen().lines().next().unwrap().to_string();
    for title in ["Studies", "Text", "Codes"] {
        assert!(first.contains(title), "{first}");
    }
}

#[test]
fn mono_theme_uses_modifiers_only() {
    let mut h = Harness::sample();
    h.keys("2 } v )");
    let buf = h.buffer();
    let mut underlined = 0;
    let mut reversed = 0;
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "no colour under NO_COLOR: {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "no colour under NO_COLOR: {cell:?}");
        underlined += usize::from(cell.modifier.contains(Modifier::UNDERLINED));
        reversed += usize::from(cell.modifier.contains(Modifier::REVERSED));
    }
    assert!(underlined > 20, "coded text is underlined in mono");
    assert!(reversed > 20, "the selection is reversed");
}

#[test]
fn coded_text_is_highlighted_and_overlaps_are_marked() {
    let mut h = Harness::sample();
    h.theme = thematic::ui::Theme::for_depth(thematic::ui::Depth::TrueColor);
    // Code the same words twice: an overlap.
    h.keys("2 } v w w c \"One\" enter b b v w c \"Two\" enter");
    let buf = h.buffer();
    let area = thematic::app::layout::panes(h.app.size).text;
    let text_x = area.x + 1 + thematic::app::layout::GUTTER;
    // Find the row of the paragraph's first line on screen.
    let row = (area.y + 1..area.y + area.height - 1)
        .find(|&y| buf[(text_x, y)].symbol() == "S")
        .expect("paragraph on screen");
    let first = &buf[(text_x, row)];
    assert!(
        matches!(first.bg, Color::Rgb(..)),
        "coded text has its code's colour: {first:?}"
    );
    assert!(
        first
            .modifier
            .contains(Modifier::UNDERLINED | Modifier::BOLD),
        "two codings: marked as overlap"
    );
    assert_eq!(
        buf[(area.x + 2, row)].symbol(),
        "2",
        "the margin counts the codings on the line"
    );
}

#[test]
fn no_panic_at_any_size_or_through_a_resize_storm() {
    let mut h = Harness::sample();
    h.keys("2 } v ) c \"q\"");
    for w in 0..=45u16 {
        for ht in 0..=14u16 {
            h.resize(w, ht);
            let _ = h.buffer();
        }
    }
    h.keys("esc esc ?");
    for (w, ht) in [(1, 1), (2, 1), (200, 60), (3, 80), (120, 2), (80, 24)] {
        h.resize(w, ht);
        let _ = h.buffer();
    }
    h.keys("q 3 D");
    for (w, ht) in [(1, 1), (15, 4), (80, 24)] {
        h.resize(w, ht);
        let _ = h.buffer();
    }
}
