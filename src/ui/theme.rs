//! Themes (`assets/themes/*.ron`) and colour depth: 16 colours by default, 256 or
//! true colour when the terminal says so, and modifiers only under `NO_COLOR`.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// How many colours the terminal can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    Mono,
    Ansi16,
    Indexed256,
    TrueColor,
}

impl Depth {
    /// From the environment: `NO_COLOR` (any value) wins, then `COLORTERM`, then `TERM`.
    pub fn detect(get: impl Fn(&str) -> Option<String>) -> Depth {
        if get("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return Depth::Mono;
        }
        let colorterm = get("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" {
            return Depth::TrueColor;
        }
        let term = get("TERM").unwrap_or_default();
        if term == "dumb" {
            return Depth::Mono;
        }
        if term.contains("256color") {
            return Depth::Indexed256;
        }
        Depth::Ansi16
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    #[serde(default)]
    fg: Option<String>,
    #[serde(default)]
    bg: Option<String>,
    #[serde(default)]
    mods: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    border: StyleSpec,
    border_focused: StyleSpec,
    title: StyleSpec,
    title_focused: StyleSpec,
    cursor_row: StyleSpec,
    cursor_row_unfocused: StyleSpec,
    open_marker: StyleSpec,
    dim: StyleSpec,
    selection: StyleSpec,
    search: StyleSpec,
    coded_fg: Option<String>,
    overlap: StyleSpec,
    flagged: StyleSpec,
    bar_full: StyleSpec,
    bar_empty: StyleSpec,
    status: StyleSpec,
    status_mode: StyleSpec,
    status_error: StyleSpec,
    overlay_border: StyleSpec,
    kind_analytical: StyleSpec,
    kind_descriptive: StyleSpec,
    kind_code: StyleSpec,
    code_colors: bool,
}

#[derive(Clone, Debug)]
pub struct Theme {
    pub name: String,
    pub depth: Depth,
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub title_focused: Style,
    pub cursor_row: Style,
    pub cursor_row_unfocused: Style,
    pub open_marker: Style,
    pub dim: Style,
    pub selection: Style,
    pub search: Style,
    pub coded_fg: Option<Color>,
    pub overlap: Style,
    pub flagged: Style,
    pub bar_full: Style,
    pub bar_empty: Style,
    pub status: Style,
    pub status_mode: Style,
    pub status_error: Style,
    pub overlay_border: Style,
    pub kind_analytical: Style,
    pub kind_descriptive: Style,
    pub kind_code: Style,
    pub code_colors: bool,
}

pub const DEFAULT_THEME: &str = include_str!("../../assets/themes/default.ron");
pub const MONO_THEME: &str = include_str!("../../assets/themes/mono.ron");

impl Theme {
    /// The built-in theme for a colour depth.
    pub fn for_depth(depth: Depth) -> Theme {
        let src = if depth == Depth::Mono {
            MONO_THEME
        } else {
            DEFAULT_THEME
        };
        Theme::parse(src, depth).expect("built-in themes are valid")
    }

    pub fn mono() -> Theme {
        Theme::for_depth(Depth::Mono)
    }

    /// Parse a theme file for a colour depth (under `Mono`, every colour is dropped).
    pub fn parse(src: &str, depth: Depth) -> Result<Theme, String> {
        let f: ThemeFile = ron::from_str(src)
            .map_err(|e| format!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code))?;
        let st = |s: &StyleSpec| style(s, depth);
        Ok(Theme {
            name: f.name,
            depth,
            border: st(&f.border)?,
            border_focused: st(&f.border_focused)?,
            title: st(&f.title)?,
            title_focused: st(&f.title_focused)?,
            cursor_row: st(&f.cursor_row)?,
            cursor_row_unfocused: st(&f.cursor_row_unfocused)?,
            open_marker: st(&f.open_marker)?,
            dim: st(&f.dim)?,
            selection: st(&f.selection)?,
            search: st(&f.search)?,
            coded_fg: match &f.coded_fg {
                Some(c) if depth != Depth::Mono => Some(color(c, depth)?),
                _ => None,
            },
            overlap: st(&f.overlap)?,
            flagged: st(&f.flagged)?,
            bar_full: st(&f.bar_full)?,
            bar_empty: st(&f.bar_empty)?,
            status: st(&f.status)?,
            status_mode: st(&f.status_mode)?,
            status_error: st(&f.status_error)?,
            overlay_border: st(&f.overlay_border)?,
            kind_analytical: st(&f.kind_analytical)?,
            kind_descriptive: st(&f.kind_descriptive)?,
            kind_code: st(&f.kind_code)?,
            code_colors: f.code_colors && depth != Depth::Mono,
        })
    }

    /// The highlight of text coded with a code of colour `hex`.
    pub fn coded(&self, hex: &str) -> Style {
        if !self.code_colors {
            return Style::new().add_modifier(Modifier::UNDERLINED);
        }
        let mut s = Style::new().bg(code_color(hex, self.depth));
        if let Some(fg) = self.coded_fg {
            s = s.fg(fg);
        }
        s
    }

    /// A swatch colour for a code (`None` without colours).
    pub fn swatch(&self, hex: &str) -> Option<Color> {
        self.code_colors.then(|| code_color(hex, self.depth))
    }
}

fn style(s: &StyleSpec, depth: Depth) -> Result<Style, String> {
    let mut st = Style::new();
    if depth != Depth::Mono {
        if let Some(c) = &s.fg {
            st = st.fg(color(c, depth)?);
        }
        if let Some(c) = &s.bg {
            st = st.bg(color(c, depth)?);
        }
    }
    for m in &s.mods {
        st = st.add_modifier(match m.as_str() {
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            other => return Err(format!("unknown modifier `{other}`")),
        });
    }
    Ok(st)
}

fn color(name: &str, depth: Depth) -> Result<Color, String> {
    if name.starts_with('#') {
        return Ok(code_color(name, depth));
    }
    name.parse::<Color>()
        .map_err(|_| format!("unknown colour `{name}`"))
}

fn rgb(hex: &str) -> (u8, u8, u8) {
    let h = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("88"), 16).unwrap_or(0x88);
    if hex.len() == 7 && hex.starts_with('#') {
        (h(1), h(3), h(5))
    } else {
        (0x88, 0xc0, 0xd0)
    }
}

/// A code's `#rrggbb` at the terminal's colour depth.
pub fn code_color(hex: &str, depth: Depth) -> Color {
    let (r, g, b) = rgb(hex);
    match depth {
        Depth::TrueColor => Color::Rgb(r, g, b),
        Depth::Indexed256 => {
            let q = |v: u8| {
                if v < 48 {
                    0
                } else if v < 115 {
                    1
                } else {
                    (v - 35) / 40
                }
            };
            Color::Indexed(16 + 36 * q(r) + 6 * q(g) + q(b))
        }
        // Nearest of the light ANSI colours, which read well with black text.
        _ => {
            let options = [
                (Color::LightRed, (255, 110, 110)),
                (Color::LightGreen, (140, 230, 140)),
                (Color::LightYellow, (245, 225, 120)),
                (Color::LightBlue, (130, 160, 255)),
                (Color::LightMagenta, (220, 140, 230)),
                (Color::LightCyan, (130, 220, 230)),
            ];
            let d = |(x, y, z): (i32, i32, i32)| {
                let (r, g, b) = (r as i32, g as i32, b as i32);
                (r - x).pow(2) + (g - y).pow(2) + (b - z).pow(2)
            };
            options
                .iter()
                .min_by_key(|(_, c)| d(*c))
                .map(|(c, _)| *c)
                .unwrap_or(Color::LightCyan)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_means_no_colour_anywhere() {
        let t = Theme::for_depth(Depth::detect(|k| (k == "NO_COLOR").then(|| "1".into())));
        assert_eq!(t.depth, Depth::Mono);
        for s in [
            t.border,
            t.status,
            t.selection,
            t.search,
            t.coded("#ff0000"),
            t.status_error,
        ] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert_eq!(t.swatch("#ff0000"), None);
    }

    #[test]
    fn depth_follows_the_terminal() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(a, _)| *a == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Depth::detect(env(&[("COLORTERM", "truecolor")])),
            Depth::TrueColor
        );
        assert_eq!(
            Depth::detect(env(&[("TERM", "xterm-256color")])),
            Depth::Indexed256
        );
        assert_eq!(Depth::detect(env(&[("TERM", "xterm")])), Depth::Ansi16);
        assert_eq!(
            Depth::detect(env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")])),
            Depth::Mono
        );
        assert_eq!(
            Depth::detect(env(&[("NO_COLOR", ""), ("TERM", "xterm")])),
            Depth::Ansi16
        );
    }

    #[test]
    fn themes_parse_at_every_depth() {
        for d in [
            Depth::Mono,
            Depth::Ansi16,
            Depth::Indexed256,
            Depth::TrueColor,
        ] {
            Theme::parse(DEFAULT_THEME, d).unwrap();
            Theme::parse(MONO_THEME, d).unwrap();
        }
        assert_eq!(
            code_color("#ff0000", Depth::Indexed256),
            Color::Indexed(196)
        );
    }
}
