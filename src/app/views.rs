//! The coverage view (theme × study matrix you can move across) and retrieval
//! (every coding of a code, across studies): state and keys.

use std::sync::Arc;

use super::keymap::{Action, Key};
use super::{App, Effect, OpenSource, Overlay, Pane};
use crate::model::Id;
use crate::report::{Matrix, MatrixBy, SegmentFilter, segments};
use crate::text::SourceText;

#[derive(Clone, Debug)]
pub struct CoverageView {
    pub depth: usize,
    pub max_depth: usize,
    pub by: MatrixBy,
    pub matrix: Matrix,
    pub row: usize,
    pub col: usize,
}

#[derive(Clone, Debug)]
pub struct RetrievalView {
    pub code: Id,
    pub study: Option<Id>,
    /// (study, coding), in study order then text order.
    pub items: Vec<(Id, Id)>,
    pub cursor: usize,
}

impl CoverageView {
    pub fn new(app: &App, depth: usize, by: MatrixBy) -> CoverageView {
        let cb = &app.project.codebook;
        let max_depth = cb.codes.iter().map(|c| cb.depth(c.id)).max().unwrap_or(1);
        let depth = depth.clamp(1, max_depth.max(1));
        CoverageView {
            depth,
            max_depth,
            by,
            matrix: Matrix::compute(&app.project, depth, by),
            row: 0,
            col: 0,
        }
    }
}

impl RetrievalView {
    pub fn new(app: &App, code: Id, study: Option<Id>) -> RetrievalView {
        let f = SegmentFilter {
            code: Some(code),
            study,
            construct: None,
        };
        let items = segments(&app.project, &f)
            .iter()
            .map(|s| (s.study.id, s.coding.id))
            .collect();
        RetrievalView {
            code,
            study,
            items,
            cursor: 0,
        }
    }
}

impl App {
    pub(super) fn open_coverage(&mut self) -> Vec<Effect> {
        if self.project.codebook.codes.is_empty() || self.project.studies.is_empty() {
            self.info("nothing to show yet: no codes or no studies");
            return Vec::new();
        }
        let v = CoverageView::new(self, 1, MatrixBy::Codings);
        self.overlays.push(Overlay::Coverage(Box::new(v)));
        Vec::new()
    }

    pub(super) fn open_retrieval(&mut self, code: Option<Id>, study: Option<Id>) -> Vec<Effect> {
        let Some(code) = code.or_else(|| self.selected_code()) else {
            self.info("select a code in the Codes pane first");
            return Vec::new();
        };
        let v = RetrievalView::new(self, code, study);
        self.overlays.push(Overlay::Retrieval(Box::new(v)));
        self.preview_effect()
    }

    /// Keys in the coverage view. Returns `None` when the key was not for it.
    pub(super) fn coverage_key(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        _key: Key,
    ) -> Vec<Effect> {
        let Some(Overlay::Coverage(v)) = self.overlays.last_mut() else {
            return Vec::new();
        };
        let rows = v.matrix.rows.len();
        let cols = v.matrix.studies.len();
        match (action, typed) {
            (Some(Action::Cancel), _) | (_, Some('q' | 'C')) => {
                self.overlays.pop();
            }
            (Some(Action::Down), _) | (_, Some('j')) => {
                v.row = (v.row + 1).min(rows.saturating_sub(1))
            }
            (Some(Action::Up), _) | (_, Some('k')) => v.row = v.row.saturating_sub(1),
            (Some(Action::Right), _) | (_, Some('l')) => {
                v.col = (v.col + 1).min(cols.saturating_sub(1))
            }
            (Some(Action::Left), _) | (_, Some('h')) => v.col = v.col.saturating_sub(1),
            (_, Some('g')) => v.row = 0,
            (_, Some('G')) => v.row = rows.saturating_sub(1),
            (_, Some('0')) => v.col = 0,
            (_, Some('$')) => v.col = cols.saturating_sub(1),
            (_, Some('+' | '=')) | (_, Some('-')) => {
                let d = if typed == Some('-') {
                    v.depth.saturating_sub(1).max(1)
                } else {
                    (v.depth + 1).min(v.max_depth)
                };
                if d != v.depth {
                    let (by, col) = (v.by, v.col);
                    let mut nv = CoverageView::new(self, d, by);
                    nv.col = col;
                    if let Some(Overlay::Coverage(v)) = self.overlays.last_mut() {
                        **v = nv;
                    }
                }
            }
            (_, Some('b')) => {
                let by = match v.by {
                    MatrixBy::Codings => MatrixBy::Presence,
                    MatrixBy::Presence => MatrixBy::Coverage,
                    MatrixBy::Coverage => MatrixBy::Codings,
                };
                let (depth, row, col) = (v.depth, v.row, v.col);
                let mut nv = CoverageView::new(self, depth, by);
                nv.row = row;
                nv.col = col;
                if let Some(Overlay::Coverage(v)) = self.overlays.last_mut() {
                    **v = nv;
                }
            }
            (Some(Action::Confirm), _) => {
                let code = v.matrix.rows.get(v.row).map(|r| r.code);
                let study = v.matrix.studies.get(v.col).copied();
                if code.is_some() {
                    return self.open_retrieval(code, study);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn retrieval_key(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
    ) -> Vec<Effect> {
        let height = (self.size.height as usize / 3).max(1);
        let Some(Overlay::Retrieval(v)) = self.overlays.last_mut() else {
            return Vec::new();
        };
        let n = v.items.len();
        let before = v.cursor;
        match (action, typed) {
            (Some(Action::Cancel), _) | (_, Some('q' | 'R')) => {
                self.overlays.pop();
                return Vec::new();
            }
            (Some(Action::Down), _) | (_, Some('j')) => {
                v.cursor = (v.cursor + 1).min(n.saturating_sub(1))
            }
            (Some(Action::Up), _) | (_, Some('k')) => v.cursor = v.cursor.saturating_sub(1),
            (Some(Action::HalfPageDown), _) => {
                v.cursor = (v.cursor + height).min(n.saturating_sub(1))
            }
            (Some(Action::HalfPageUp), _) => v.cursor = v.cursor.saturating_sub(height),
            (_, Some('g')) => v.cursor = 0,
            (_, Some('G')) => v.cursor = n.saturating_sub(1),
            (Some(Action::Confirm), _) => {
                let Some(&(study, coding)) = v.items.get(v.cursor) else {
                    return Vec::new();
                };
                return self.jump_to_coding(study, coding);
            }
            _ => {}
        }
        if let Some(Overlay::Retrieval(v)) = self.overlays.last()
            && v.cursor != before
        {
            return self.preview_effect();
        }
        Vec::new()
    }

    /// Close the views and show a coding in the Text pane, its start under the cursor.
    fn jump_to_coding(&mut self, study: Id, coding: Id) -> Vec<Effect> {
        let Some((source, start)) = self
            .project
            .study(study)
            .and_then(|s| s.codings.iter().find(|c| c.id == coding))
            .map(|c| (c.source, c.start))
        else {
            return Vec::new();
        };
        self.overlays.clear();
        self.focus = Pane::Text;
        if let Some(i) = self.project.studies.iter().position(|s| s.id == study) {
            self.study_cursor = i;
        }
        let open = OpenSource { study, source };
        let fx = if self.open == Some(open) && self.text.is_some() {
            Vec::new()
        } else {
            self.open_source(open)
        };
        self.cursor = start;
        self.anchor = None;
        if self.text.is_some() {
            self.ensure_cursor_visible();
        }
        fx
    }

    /// Ask for the text of the highlighted retrieval item, for its context.
    fn preview_effect(&mut self) -> Vec<Effect> {
        let Some(Overlay::Retrieval(v)) = self.overlays.last() else {
            return Vec::new();
        };
        let Some(&(study, coding)) = v.items.get(v.cursor) else {
            return Vec::new();
        };
        let Some(source) = self
            .project
            .study(study)
            .and_then(|s| s.codings.iter().find(|c| c.id == coding))
            .map(|c| c.source)
        else {
            return Vec::new();
        };
        if self.preview.as_ref().is_some_and(|(id, _)| *id == source) {
            return Vec::new();
        }
        if let (Some(o), Some(t)) = (self.open, &self.text)
            && o.source == source
        {
            self.preview = Some((source, t.clone()));
            return Vec::new();
        }
        vec![Effect::LoadPreview { study, source }]
    }

    /// The runtime read a text asked for with [`Effect::LoadPreview`].
    pub fn preview_loaded(&mut self, source: Id, text: SourceText) {
        self.preview = Some((source, Arc::new(text)));
        self.dirty = true;
    }
}
