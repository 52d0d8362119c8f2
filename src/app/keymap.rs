//! Keys are data: one table (embedded default in RON, a user file merged over it)
//! drives dispatch, the help overlay and the status-line hints.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use crate::store::line_col;

macro_rules! actions {
    ($($variant:ident $name:literal $doc:literal,)*) => {
        /// Every command a key can be bound to.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant,)* }

        impl Action {
            pub const ALL: &[Action] = &[$(Action::$variant,)*];

            /// The name used in keymap files.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// What it does, for the help overlay.
            pub fn doc(self) -> &'static str {
                match self { $(Action::$variant => $doc,)* }
            }

            pub fn from_name(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    NextPane "next_pane" "focus the next pane",
    PrevPane "prev_pane" "focus the previous pane",
    FocusStudies "focus_studies" "focus the Studies pane",
    FocusText "focus_text" "focus the Text pane",
    FocusCodes "focus_codes" "focus the Codes pane",
    Undo "undo" "undo the last edit",
    Redo "redo" "redo the last undone edit",
    EditMemo "edit_memo" "edit the memo of the study, code or coding in $EDITOR",
    Coverage "coverage" "coverage: theme × study matrix",
    Retrieval "retrieval" "every coding of the selected code, across studies",
    Help "help" "show this help",
    Quit "quit" "quit (everything is already saved)",
    Cancel "cancel" "close the overlay, or cancel the selection",
    Down "down" "move down",
    Up "up" "move up",
    Left "left" "move left one character",
    Right "right" "move right one character",
    Top "top" "go to the top",
    Bottom "bottom" "go to the bottom",
    HalfPageDown "half_page_down" "half a page down",
    HalfPageUp "half_page_up" "half a page up",
    Open "open" "open the study",
    LineStart "line_start" "start of the line",
    LineEnd "line_end" "end of the line",
    NextWord "next_word" "next word",
    PrevWord "prev_word" "previous word",
    NextSentence "next_sentence" "next sentence",
    PrevSentence "prev_sentence" "previous sentence",
    NextParagraph "next_paragraph" "next paragraph",
    PrevParagraph "prev_paragraph" "previous paragraph",
    Select "select" "start (or restart) a selection; motions extend it",
    CodeSelection "code_selection" "code the selection: pick or create a code",
    RemoveCoding "remove_coding" "remove the coding under the cursor",
    Search "search" "search the text",
    NextMatch "next_match" "next search match",
    PrevMatch "prev_match" "previous search match",
    NextSource "next_source" "next source of the study",
    PrevSource "prev_source" "previous source of the study",
    Toggle "toggle" "expand or collapse the code",
    Expand "expand" "expand the code",
    Collapse "collapse" "collapse the code (or go to its parent)",
    AddChild "add_child" "add a child code",
    AddSibling "add_sibling" "add a code beside this one",
    Rename "rename" "rename the code",
    MoveCode "move_code" "move the code under another",
    MergeCode "merge_code" "merge the code into another (its codings follow)",
    DeleteCode "delete_code" "delete the code",
    CycleKind "cycle_kind" "change kind: code → descriptive → analytical theme",
    MoveUp "move_up" "move the code up among its siblings",
    MoveDown "move_down" "move the code down among its siblings",
    Confirm "confirm" "take the highlighted entry",
    ToggleConstruct "toggle_construct" "switch construct type: participant / author / reviewer",
    CreateNew "create_new" "create a new code with the typed name",
    FilterReviewers "filter_reviewers" "show all codings / mine / theirs / both agree / disagreements",
    NextDisagreement "next_disagreement" "next coding no other reviewer matched",
    PrevDisagreement "prev_disagreement" "previous coding no other reviewer matched",

}

/// Where a key is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Studies,
    Text,
    Codes,
    Overlay,
}

impl Context {
    pub const ALL: [Context; 5] = [
        Context::Global,
        Context::Studies,
        Context::Text,
        Context::Codes,
        Context::Overlay,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Studies => "studies",
            Context::Text => "text",
            Context::Codes => "codes",
            Context::Overlay => "overlay",
        }
    }
}

/// A key with modifiers, normalised so that `C` matches with or without SHIFT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // A character carries its own case; terminals differ on reporting SHIFT.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    pub fn from_event(e: &KeyEvent) -> Key {
        Key::new(e.code, e.modifiers)
    }

    /// Parse `ctrl-d`, `C`, `shift-tab`, `enter`, `-`…
    pub fn parse(s: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") && rest.len() > 5 {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            mods |= m;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                "space" => KeyCode::Char(' '),
                f if f.starts_with('f') => {
                    KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
                }
                _ => return None,
            },
        };
        Some(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The keymap file's shape: one map of key → action name per context.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    #[serde(default)]
    global: BTreeMap<String, String>,
    #[serde(default)]
    studies: BTreeMap<String, String>,
    #[serde(default)]
    text: BTreeMap<String, String>,
    #[serde(default)]
    codes: BTreeMap<String, String>,
    #[serde(default)]
    overlay: BTreeMap<String, String>,
}

/// The live keymap.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: HashMap<(Context, Key), Action>,
}

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.ron");

impl Default for Keymap {
    fn default() -> Self {
        let mut k = Keymap {
            bindings: HashMap::new(),
        };
        k.merge("assets/keymap.ron", DEFAULT_KEYMAP)
            .expect("the embedded keymap is valid");
        k
    }
}

impl Keymap {
    /// The default keymap with a user file (named `path` in errors) merged over it.
    pub fn with_user(path: &str, text: &str) -> Result<Keymap, String> {
        let mut k = Keymap::default();
        k.merge(path, text)?;
        Ok(k)
    }

    fn merge(&mut self, path: &str, text: &str) -> Result<(), String> {
        let file: KeymapFile = ron::from_str(text).map_err(|e| {
            format!(
                "{path}:{}:{}: {}",
                e.span.start.line, e.span.start.col, e.code
            )
        })?;
        let sections = [
            (Context::Global, file.global),
            (Context::Studies, file.studies),
            (Context::Text, file.text),
            (Context::Codes, file.codes),
            (Context::Overlay, file.overlay),
        ];
        for (ctx, map) in sections {
            for (key_s, action_s) in map {
                let at = |needle: &str| {
                    let (l, c) = text
                        .find(&format!("\"{needle}\""))
                        .map_or((1, 1), |i| line_col(text, i));
                    format!("{path}:{l}:{c}")
                };
                let key = Key::parse(&key_s)
                    .ok_or_else(|| format!("{}: unknown key `{key_s}`", at(&key_s)))?;
                if action_s == "none" {
                    self.bindings.remove(&(ctx, key));
                    continue;
                }
                let action = Action::from_name(&action_s).ok_or_else(|| {
                    format!(
                        "{}: unknown action `{action_s}` for key `{key_s}`",
                        at(&action_s)
                    )
                })?;
                self.bindings.insert((ctx, key), action);
            }
        }
        Ok(())
    }

    pub fn lookup(&self, ctx: Context, key: Key) -> Option<Action> {
        self.bindings.get(&(ctx, key)).copied()
    }

    /// The keys bound to `action` in `ctx`, for hints.
    pub fn keys_for(&self, ctx: Context, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .bindings
            .iter()
            .filter(|((c, _), a)| *c == ctx && **a == action)
            .map(|((_, k), _)| *k)
            .collect();
        // Single characters first (what people type), then named keys; stable order.
        keys.sort_by_key(|k| {
            (
                !matches!(k.code, KeyCode::Char(_)) || !k.mods.is_empty(),
                k.to_string(),
            )
        });
        keys
    }

    /// The first key for `action` in `ctx` (or globally), as text: `"c"`, `"?"`.
    pub fn hint(&self, ctx: Context, action: Action) -> String {
        self.keys_for(ctx, action)
            .into_iter()
            .chain(self.keys_for(Context::Global, action))
            .next()
            .map_or_else(|| "—".to_string(), |k| k.to_string())
    }

    /// Every binding of a context, grouped by action, in the order of [`Action::ALL`].
    pub fn describe(&self, ctx: Context) -> Vec<(Action, Vec<Key>)> {
        Action::ALL
            .iter()
            .filter_map(|&a| {
                let keys = self.keys_for(ctx, a);
                (!keys.is_empty()).then_some((a, keys))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_letters_match_either_way() {
        let k = Keymap::default();
        let with = Key::new(KeyCode::Char('C'), KeyModifiers::SHIFT);
        let without = Key::new(KeyCode::Char('C'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::Global, with), Some(Action::Coverage));
        assert_eq!(k.lookup(Context::Global, without), Some(Action::Coverage));
        let bt = Key::new(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(k.lookup(Context::Global, bt), Some(Action::PrevPane));
    }

    #[test]
    fn keys_parse_and_print_back() {
        for s in [
            "ctrl-d",
            "C",
            "shift-tab",
            "enter",
            "esc",
            "space",
            "f5",
            "alt-x",
            "}",
        ] {
            let k = Key::parse(s).unwrap_or_else(|| panic!("{s}"));
            let back = Key::parse(&k.to_string()).unwrap();
            assert_eq!(k, back, "{s}");
        }
        assert_eq!(Key::parse("ctrl-D"), Key::parse("ctrl-d"));
        assert!(Key::parse("hyper-x").is_none());
        assert!(Key::parse("f13").is_none());
    }

    #[test]
    fn user_file_overrides_and_errors_name_the_line() {
        let k = Keymap::with_user("keymap.ron", "(text: {\"s\": \"select\", \"v\": \"none\"})")
            .unwrap();
        assert_eq!(
            k.lookup(Context::Text, Key::parse("s").unwrap()),
            Some(Action::Select)
        );
        assert_eq!(k.lookup(Context::Text, Key::parse("v").unwrap()), None);
        let err =
            Keymap::with_user("keymap.ron", "(\n text: {\n \"v\": \"fly\",\n })").unwrap_err();
        assert_eq!(err, "keymap.ron:3:7: unknown action `fly` for key `v`");
        let err =
            Keymap::with_user("keymap.ron", "(\n codes: {\"hyper-q\": \"quit\"})").unwrap_err();
        assert_eq!(err, "keymap.ron:2:10: unknown key `hyper-q`");
        let err = Keymap::with_user("keymap.ron", "(\n txt: {})").unwrap_err();
        assert!(err.starts_with("keymap.ron:2:"), "{err}");
    }

    #[test]
    fn every_action_is_documented_and_named_uniquely() {
        let mut names: Vec<_> = Action::ALL.iter().map(|a| a.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
        assert!(Action::ALL.iter().all(|a| !a.doc().is_empty()));
    }
}
