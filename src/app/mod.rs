//! The workstation's state machine: keys in, state changes and effects out. It
//! applies edits to the in-memory project and asks the runtime (through
//! [`Effect`]s) to save, load texts, or run an editor. It does no I/O itself.

pub mod input;
pub mod keymap;
pub mod layout;
pub mod picker;
pub mod reviewers;
pub mod tree;
mod update;
pub mod views;

pub use update::parse_keys;

use std::collections::HashSet;
use std::sync::Arc;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use serde::{Deserialize, Serialize};

use crate::model::{Edit, Id, Project, Study, Touched};
use crate::report::Tally;
use crate::text::SourceText;
use crate::text::wrap::{VisualLine, wrap};
use input::LineInput;
use keymap::Keymap;
use picker::Picker;
use tree::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pane {
    Studies,
    Text,
    Codes,
}

/// Something the runtime must do for the state machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Write these files now (atomically); report failure with [`App::save_failed`].
    Save(Touched),
    /// Read a source's text and hand it over with [`App::text_loaded`].
    LoadText {
        study: Id,
        source: Id,
    },
    /// Read a text for the retrieval view's context; hand it over with [`App::preview_loaded`].
    LoadPreview {
        study: Id,
        source: Id,
    },
    /// Let the user edit `text` in `$EDITOR`, then call [`App::external_edited`].
    EditExternal {
        target: MemoTarget,
        text: String,
    },
    Quit,
}

/// Whose memo (or note) is being edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoTarget {
    Study(Id),
    Code(Id),
    Coding { study: Id, coding: Id },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptFor {
    AddCode { parent: Option<Id> },
    Rename { code: Id },
    Search,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmFor {
    /// Delete `code`; its codings (if any) and children move to its parent.
    DeleteCode { code: Id },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChooseFor {
    RemoveCoding,
    EditNote,
}

#[derive(Clone, Debug)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Picker(Box<Picker>),
    Prompt {
        purpose: PromptFor,
        title: String,
        input: LineInput,
    },
    Confirm {
        purpose: ConfirmFor,
        message: String,
    },
    Coverage(Box<views::CoverageView>),
    Retrieval(Box<views::RetrievalView>),
    /// Pick one coding (of several under the cursor).
    Choose {
        purpose: ChooseFor,
        items: Vec<(Id, String)>,
        cursor: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LastStep {
    Edit,
    Undo,
    Redo,
}

/// One undoable step: the edit that reverses it, and what to call it.

#[derive(Clone, Debug)]
struct Step {
    edit: Edit,
    label: String,
}

/// What is remembered per project between sessions (`.thematic/ui.ron`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiState {
    #[serde(default)]
    pub study: Option<Id>,
    #[serde(default)]
    pub source: Option<Id>,
    #[serde(default)]
    pub cursor: u32,
    #[serde(default)]
    pub scroll: usize,
    #[serde(default)]
    pub focus: Option<Pane>,
    #[serde(default)]
    pub expanded: Vec<Id>,
    #[serde(default)]
    pub recent: Vec<Id>,
}

/// The open source of the open study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenSource {
    pub study: Id,
    pub source: Id,
}

pub struct App {
    pub project: Project,
    pub tally: Tally,
    pub keymap: Keymap,
    pub focus: Pane,
    pub study_cursor: usize,
    pub study_offset: usize,
    pub open: Option<OpenSource>,
    /// The open source's text, once loaded.
    pub text: Option<Arc<SourceText>>,
    wrap_cache: Option<(Id, u16, Arc<Vec<VisualLine>>)>,
    /// Text cursor (code point, on a grapheme boundary).
    pub cursor: u32,
    /// Where the selection started, when selecting.
    pub anchor: Option<u32>,
    /// First visual line shown in the Text pane.
    pub scroll: usize,
    goal_col: Option<usize>,
    pub code_rows: Vec<Row>,
    pub code_cursor: usize,
    pub code_offset: usize,
    pub expanded: HashSet<Id>,
    pub overlays: Vec<Overlay>,
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// What the last step was, to take it back if its save fails.
    last_step: Option<LastStep>,
    pub message: Option<Message>,
    pub search: Option<String>,
    /// Whose codings the Text pane shows.
    pub reviewer_filter: reviewers::ReviewerFilter,
    /// A text shown as context in the retrieval view (source id, text).
    pub preview: Option<(Id, Arc<SourceText>)>,
    /// Codes applied recently, most recent first.
    pub recent: Vec<Id>,
    pub size: Rect,
    /// Set when something visible changed; the runtime clears it after drawing.
    pub dirty: bool,
}

impl App {
    pub fn new(project: Project, keymap: Keymap, ui: UiState) -> App {
        let tally = Tally::new(&project);
        let mut app = App {
            tally,
            keymap,
            focus: ui.focus.unwrap_or(Pane::Studies),
            study_cursor: 0,
            study_offset: 0,
            open: None,
            text: None,
            wrap_cache: None,
            cursor: 0,
            anchor: None,
            scroll: 0,
            goal_col: None,
            code_rows: Vec::new(),
            code_cursor: 0,
            code_offset: 0,
            expanded: ui.expanded.iter().copied().collect(),
            overlays: Vec::new(),
            undo: Vec::new(),
            last_step: None,
            redo: Vec::new(),
            message: None,
            search: None,
            reviewer_filter: Default::default(),
            preview: None,
            recent: ui.recent.clone(),
            size: Rect::new(0, 0, 80, 24),
            dirty: true,
            project,
        };
        if ui.expanded.is_empty() {
            // First visit: show the top two levels of the tree.
            let tops: Vec<Id> = app.project.codebook.children(None).map(|c| c.id).collect();
            app.expanded.extend(tops);
        }
        app.refresh_rows();
        app.focus = Pane::Studies;
        app
    }

    /// The effects to run right after construction: open the study last worked on
    /// (else the first) at the remembered position.
    pub fn start(&mut self, ui: &UiState) -> Vec<Effect> {
        let study = ui
            .study
            .and_then(|id| self.project.studies.iter().position(|s| s.id == id))
            .unwrap_or(0);
        let Some(s) = self.project.studies.get(study) else {
            return Vec::new();
        };
        self.study_cursor = study;
        let source = ui
            .source
            .filter(|id| s.source(*id).is_some())
            .or_else(|| s.sources.first().map(|x| x.id));
        let Some(source) = source else {
            return Vec::new();
        };
        let open = OpenSource {
            study: s.id,
            source,
        };
        self.open = Some(open);
        self.cursor = ui.cursor;
        self.scroll = ui.scroll;
        vec![Effect::LoadText {
            study: open.study,
            source: open.source,
        }]
    }

    pub fn ui_state(&self) -> UiState {
        let mut expanded: Vec<Id> = self.expanded.iter().copied().collect();
        expanded.sort();
        UiState {
            study: self.open.map(|o| o.study),
            source: self.open.map(|o| o.source),
            cursor: self.cursor,
            scroll: self.scroll,
            focus: Some(self.focus),
            expanded,
            recent: self.recent.iter().take(20).copied().collect(),
        }
    }

    pub fn open_study(&self) -> Option<&Study> {
        self.open.and_then(|o| self.project.study(o.study))
    }

    /// The runtime read the text asked for with [`Effect::LoadText`].
    pub fn text_loaded(&mut self, source: Id, text: SourceText) {
        if self.open.map(|o| o.source) != Some(source) {
            return;
        }
        self.text = Some(Arc::new(text));
        self.wrap_cache = None;
        let last = self.text.as_ref().map_or(0, |t| t.chars());
        self.cursor = self.cursor.min(last.saturating_sub(1));
        self.snap_cursor();
        self.scroll = self.scroll.min(self.lines().len().saturating_sub(1));
        self.ensure_cursor_visible();
        self.dirty = true;
    }

    /// The runtime could not read a text.
    pub fn text_failed(&mut self, message: String) {
        self.text = None;
        self.error(message);
    }

    /// A save failed: take the last edit back (memory must match the disk).
    pub fn save_failed(&mut self, message: String) {
        // The step just made sits on top of one stack; applying it reverses it, and
        // its own inverse goes back where it came from.
        // A new edit is dropped; an undo or redo goes back on the stack it came from.
        let (from, to) = match self.last_step.take() {
            Some(LastStep::Edit) => (&mut self.undo, None),
            Some(LastStep::Redo) => (&mut self.undo, Some(&mut self.redo)),
            Some(LastStep::Undo) => (&mut self.redo, Some(&mut self.undo)),
            None => return self.error(format!("not saved: {message}")),
        };
        if let Some(step) = from.pop() {
            let touched = step.edit.touches();
            if let Ok(inverse) = step.edit.apply(&mut self.project) {
                if let Some(to) = to {
                    to.push(Step {
                        edit: inverse,
                        label: step.label,
                    });
                }
                self.after_edit(&touched);
            }
        }
        self.error(format!("not saved, so not done: {message}"));
    }

    /// The user finished editing a memo in `$EDITOR`.
    pub fn external_edited(&mut self, target: MemoTarget, text: String) -> Vec<Effect> {
        let text = text.trim_end_matches('\n').to_string();
        let edit = match target {
            MemoTarget::Study(id) => self.project.study(id).and_then(|s| {
                let mut info = s.info();
                (info.memo != text).then(|| {
                    info.memo = text.clone();
                    Edit::SetStudyInfo {
                        study: id,
                        info: Box::new(info),
                    }
                })
            }),
            MemoTarget::Code(id) => self.project.codebook.get(id).and_then(|c| {
                (c.memo != text).then(|| {
                    let mut c = c.clone();
                    c.memo = text.clone();
                    Edit::PutCode(c)
                })
            }),
            MemoTarget::Coding { study, coding } => self
                .project
                .study(study)
                .and_then(|s| s.codings.iter().find(|c| c.id == coding))
                .and_then(|c| {
                    (c.note != text).then(|| {
                        let mut c = c.clone();
                        c.note = text.clone();
                        c.edited = crate::model::now(); // merges prefer the later edit

                        Edit::PutCoding { study, coding: c }
                    })
                }),
        };
        match edit {
            Some(e) => self.apply(e, "edit memo"),
            None => {
                self.info("memo unchanged");
                Vec::new()
            }
        }
    }

    /// Apply an edit as one undoable step and ask for it to be saved.
    pub fn apply(&mut self, edit: Edit, label: &str) -> Vec<Effect> {
        let touched = edit.touches();
        match edit.apply(&mut self.project) {
            Ok(inverse) => {
                self.undo.push(Step {
                    edit: inverse,
                    label: label.to_string(),
                });
                self.redo.clear();
                self.last_step = Some(LastStep::Edit);
                self.after_edit(&touched);
                vec![Effect::Save(touched)]
            }
            Err(e) => {
                self.error(e.to_string());
                Vec::new()
            }
        }
    }

    /// Push an edit that was already applied (by the store on opening) onto the
    /// undo stack, given its inverse.
    pub fn push_undo(&mut self, inverse: Edit, label: &str) {
        self.undo.push(Step {
            edit: inverse,
            label: label.to_string(),
        });
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    fn undo_redo(&mut self, redo: bool) -> Vec<Effect> {
        let (from, verb) = if redo {
            (&mut self.redo, "redid")
        } else {
            (&mut self.undo, "undid")
        };
        let Some(step) = from.pop() else {
            self.info(if redo {
                "nothing to redo"
            } else {
                "nothing to undo"
            });
            return Vec::new();
        };
        let touched = step.edit.touches();
        match step.edit.apply(&mut self.project) {
            Ok(inverse) => {
                let back = Step {
                    edit: inverse,
                    label: step.label.clone(),
                };
                if redo {
                    self.undo.push(back);
                } else {
                    self.redo.push(back);
                }
                self.last_step = Some(if redo { LastStep::Redo } else { LastStep::Undo });

                self.after_edit(&touched);
                self.info(format!("{verb}: {}", step.label));
                vec![Effect::Save(touched)]
            }
            Err(e) => {
                self.error(format!(
                    "cannot {}: {e}",
                    if redo { "redo" } else { "undo" }
                ));
                Vec::new()
            }
        }
    }

    /// Bring derived state up to date after the project changed.
    fn after_edit(&mut self, touched: &Touched) {
        // Recounts the touched studies, then rolls up over the (maybe changed) tree.
        self.tally
            .update(&self.project, touched.studies.iter().copied());
        self.refresh_rows();
        self.study_cursor = self
            .study_cursor
            .min(self.project.studies.len().saturating_sub(1));
        if let Some(o) = self.open {
            let still = self
                .project
                .study(o.study)
                .is_some_and(|s| s.source(o.source).is_some());
            if !still {
                self.open = None;
                self.text = None;
                self.anchor = None;
            }
        }
        self.dirty = true;
    }

    pub fn refresh_rows(&mut self) {
        let current = self.code_rows.get(self.code_cursor).map(|r| r.id);
        self.code_rows = tree::rows(&self.project.codebook, &self.expanded);
        if let Some(id) = current
            && let Some(i) = self.code_rows.iter().position(|r| r.id == id)
        {
            self.code_cursor = i;
        }
        self.code_cursor = self.code_cursor.min(self.code_rows.len().saturating_sub(1));
    }

    /// Show the code `id` in the tree (expanding its ancestors) and put the cursor on it.
    pub fn reveal_code(&mut self, id: Id) {
        self.expanded.extend(self.project.codebook.ancestors(id));
        self.refresh_rows();
        if let Some(i) = self.code_rows.iter().position(|r| r.id == id) {
            self.code_cursor = i;
        }
    }

    pub fn selected_code(&self) -> Option<Id> {
        self.code_rows.get(self.code_cursor).map(|r| r.id)
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
        self.dirty = true;
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
        self.dirty = true;
    }

    /// The Text pane's wrapped lines for the current width (cached per source and width).
    pub fn lines(&mut self) -> Arc<Vec<VisualLine>> {
        let width = layout::text_columns(layout::panes(self.size).text).0;
        let (Some(open), Some(text)) = (self.open, &self.text) else {
            return Arc::new(Vec::new());
        };
        if let Some((src, w, lines)) = &self.wrap_cache
            && *src == open.source
            && *w == width
        {
            return lines.clone();
        }
        let lines = Arc::new(wrap(text, width as usize));
        self.wrap_cache = Some((open.source, width, lines.clone()));
        lines
    }

    /// Height of the Text pane's inner area, in lines.
    pub fn text_height(&self) -> usize {
        layout::inner(layout::panes(self.size).text).height as usize
    }

    /// Studies visible at once (for half-page moves).
    pub fn list_height(&self) -> usize {
        let h = layout::inner(layout::panes(self.size).studies)
            .height
            .max(1);
        (h as usize / if h >= 8 { 2 } else { 1 }).max(1)
    }

    /// The selection as a span `start..end` (code points), if selecting: from the
    /// anchor to the cursor, or the grapheme under the cursor when they meet.
    pub fn selection(&self) -> Option<(u32, u32)> {
        let a = self.anchor?;
        let text = self.text.as_ref()?;
        let (lo, hi) = (a.min(self.cursor), a.max(self.cursor));
        if lo == hi {
            let end = crate::text::motion(text, lo, crate::text::Motion::NextGrapheme);
            return Some((lo, end.max(lo + 1).min(text.chars())));
        }
        Some((lo, hi))
    }

    /// Codings of the open source that cover code point `cp`.
    pub fn codings_at(&self, cp: u32) -> Vec<&crate::model::Coding> {
        let Some(o) = self.open else {
            return Vec::new();
        };
        let Some(s) = self.project.study(o.study) else {
            return Vec::new();
        };
        s.codings
            .iter()
            .filter(|c| c.source == o.source && c.flag.is_none() && c.start <= cp && cp < c.end)
            .filter(|c| self.shows(s, c))
            .collect()
    }

    fn snap_cursor(&mut self) {
        if let Some(t) = &self.text
            && !t.is_grapheme_boundary(self.cursor)
        {
            self.cursor = crate::text::motion(t, self.cursor, crate::text::Motion::PrevGrapheme);
        }
    }

    pub(crate) fn ensure_cursor_visible(&mut self) {
        let lines = self.lines();
        if lines.is_empty() {
            self.scroll = 0;
            return;
        }
        let h = self.text_height().max(1);
        let line = crate::text::wrap::line_of(&lines, self.cursor);
        if line < self.scroll {
            self.scroll = line;
        } else if line >= self.scroll + h {
            self.scroll = line + 1 - h;
        }
        self.scroll = self.scroll.min(lines.len().saturating_sub(1));
    }

    /// Feed one input; returns what the runtime must do.
    pub fn handle(&mut self, input: Input) -> Vec<Effect> {
        match input {
            Input::Key(k) => self.handle_key(k),
            Input::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                self.ensure_cursor_visible();
                self.dirty = true;
                Vec::new()
            }
        }
    }
}

/// What the runtime feeds the state machine.
#[derive(Clone, Debug)]
pub enum Input {
    Key(KeyEvent),
    Resize(u16, u16),
}
