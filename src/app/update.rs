//! Dispatch: a key goes to the topmost overlay, else to the focused pane's
//! bindings, else to the global ones.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::keymap::{Action, Context, Key};
use super::picker::{PickFor, Picker};
use super::{App, ChooseFor, ConfirmFor, Effect, MemoTarget, OpenSource, Overlay, Pane, PromptFor};
use crate::model::{Code, CodeKind, Coding, Edit, Id, now};
use crate::text::wrap::{display, line_of};
use crate::text::{Motion, motion};

use unicode_segmentation::UnicodeSegmentation;

impl App {
    pub(super) fn handle_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if k.kind == KeyEventKind::Release {
            return Vec::new();
        }
        self.dirty = true;
        let key = Key::from_event(&k);
        if !self.overlays.is_empty() {
            return self.overlay_key(key);
        }
        // A message stays until the next key.
        self.message = None;
        let ctx = match self.focus {
            Pane::Studies => Context::Studies,
            Pane::Text => Context::Text,
            Pane::Codes => Context::Codes,
        };
        let action = self
            .keymap
            .lookup(ctx, key)
            .or_else(|| self.keymap.lookup(Context::Global, key));
        match action {
            Some(a) => self.run(a),
            None => Vec::new(),
        }
    }

    fn run(&mut self, a: Action) -> Vec<Effect> {
        use Action::*;
        match a {
            NextPane | PrevPane => {
                let order = [Pane::Studies, Pane::Text, Pane::Codes];
                let i = order.iter().position(|p| *p == self.focus).unwrap_or(0);
                let d = if a == NextPane { 1 } else { 2 };
                self.focus = order[(i + d) % 3];
            }
            FocusStudies => self.focus = Pane::Studies,
            FocusText => self.focus = Pane::Text,
            FocusCodes => self.focus = Pane::Codes,
            Undo => return self.undo_redo(false),
            Redo => return self.undo_redo(true),
            Help => self.overlays.push(Overlay::Help { scroll: 0 }),
            Quit => return vec![Effect::Quit],
            Cancel => {
                if self.anchor.take().is_none() {
                    self.search = None;
                }
            }
            EditMemo => return self.edit_memo(),
            Coverage => return self.open_coverage(),
            Retrieval => return self.open_retrieval(None, None),
            _ => match self.focus {
                Pane::Studies => return self.studies_action(a),
                Pane::Text => return self.text_action(a),
                Pane::Codes => return self.codes_action(a),
            },
        }
        Vec::new()
    }

    // ----- Studies -----

    fn studies_action(&mut self, a: Action) -> Vec<Effect> {
        let n = self.project.studies.len();
        let half = (self.list_height() / 2).max(1);
        let c = &mut self.study_cursor;
        match a {
            Action::Down => *c = (*c + 1).min(n.saturating_sub(1)),
            Action::Up => *c = c.saturating_sub(1),
            Action::Top => *c = 0,
            Action::Bottom => *c = n.saturating_sub(1),
            Action::HalfPageDown => *c = (*c + half).min(n.saturating_sub(1)),
            Action::HalfPageUp => *c = c.saturating_sub(half),
            Action::Open => return self.open_selected_study(),
            _ => {}
        }
        Vec::new()
    }

    fn open_selected_study(&mut self) -> Vec<Effect> {
        let Some(s) = self.project.studies.get(self.study_cursor) else {
            return Vec::new();
        };
        let Some(src) = s.sources.first() else {
            let key = s.key.clone();
            self.error(format!(
                "{key} has no text yet (thematic import DIR FILE --study {key})"
            ));
            return Vec::new();
        };
        let open = OpenSource {
            study: s.id,
            source: src.id,
        };
        self.focus = Pane::Text;
        if self.open == Some(open) {
            return Vec::new();
        }
        self.open_source(open)
    }

    pub(super) fn open_source(&mut self, open: OpenSource) -> Vec<Effect> {
        self.open = Some(open);
        self.text = None;
        self.wrap_cache = None;
        self.cursor = 0;
        self.scroll = 0;
        self.anchor = None;
        self.goal_col = None;
        vec![Effect::LoadText {
            study: open.study,
            source: open.source,
        }]
    }

    // ----- Text -----

    fn text_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(text) = self.text.clone() else {
            if matches!(a, Action::CodeSelection | Action::Select) {
                self.info("open a study first (Studies pane, enter)");
            }
            return Vec::new();
        };
        let m = |cp, mo| motion(&text, cp, mo);
        let before = self.cursor;
        let mut keep_goal = false;
        match a {
            Action::Left => self.cursor = m(self.cursor, Motion::PrevGrapheme),
            Action::Right => {
                let next = m(self.cursor, Motion::NextGrapheme);
                if next < text.chars() {
                    self.cursor = next;
                }
            }
            Action::Down | Action::Up => {
                self.vertical(if a == Action::Down { 1 } else { -1 });
                keep_goal = true;
            }
            Action::HalfPageDown | Action::HalfPageUp => {
                let half = (self.text_height() / 2).max(1) as isize;
                let d = if a == Action::HalfPageDown {
                    half
                } else {
                    -half
                };
                self.vertical(d);
                let max = self.lines().len().saturating_sub(1) as isize;
                self.scroll = (self.scroll as isize + d).clamp(0, max) as usize;
                keep_goal = true;
            }
            Action::Top => self.cursor = 0,
            Action::Bottom => self.cursor = m(0, Motion::End),
            Action::LineStart | Action::LineEnd => {
                let lines = self.lines();
                if let Some(l) = lines.get(line_of(&lines, self.cursor)) {
                    self.cursor = if a == Action::LineStart {
                        l.cp
                    } else if l.end_cp > l.cp {
                        m(l.end_cp, Motion::PrevGrapheme).max(l.cp)
                    } else {
                        l.cp
                    };
                }
            }
            Action::NextWord => self.cursor = m(self.cursor, Motion::NextWord),
            Action::PrevWord => self.cursor = m(self.cursor, Motion::PrevWord),
            Action::NextSentence => self.cursor = m(self.cursor, Motion::NextSentence),
            Action::PrevSentence => self.cursor = m(self.cursor, Motion::PrevSentence),
            Action::NextParagraph => self.cursor = m(self.cursor, Motion::NextParagraph),
            Action::PrevParagraph => self.cursor = m(self.cursor, Motion::PrevParagraph),
            Action::Select => {
                self.anchor = match self.anchor {
                    Some(_) => None,
                    None => Some(self.cursor),
                }
            }
            Action::CodeSelection => return self.start_coding(),
            Action::RemoveCoding => return self.remove_coding(),
            Action::Search => {
                let prev = self.search.clone().unwrap_or_default();
                self.overlays.push(Overlay::Prompt {
                    purpose: PromptFor::Search,
                    title: "Search".into(),
                    input: super::input::LineInput::new(&prev),
                })
            }
            Action::FilterReviewers => self.cycle_filter(),
            Action::NextDisagreement => self.jump_disagreement(true),
            Action::PrevDisagreement => self.jump_disagreement(false),
            Action::NextMatch => self.find(true, self.cursor),

            Action::PrevMatch => self.find(false, self.cursor),
            Action::NextSource | Action::PrevSource => {
                return self.switch_source(a == Action::NextSource);
            }
            _ => {}
        }
        if !keep_goal {
            self.goal_col = None;
        }
        if self.cursor != before || a == Action::Top || a == Action::Bottom {
            self.ensure_cursor_visible();
        }
        Vec::new()
    }

    /// Display column of the cursor within its visual line.
    fn cursor_col(&mut self) -> usize {
        let lines = self.lines();
        let (Some(text), Some(l)) = (&self.text, lines.get(line_of(&lines, self.cursor))) else {
            return 0;
        };
        let upto = text.byte(self.cursor);
        let mut col = 0;
        for g in text.as_str()[l.start..upto.max(l.start).min(l.end)].graphemes(true) {
            col += display(g, col).0;
        }
        col
    }

    /// Move the cursor `d` visual lines, keeping the column it started from.
    fn vertical(&mut self, d: isize) {
        let lines = self.lines();
        if lines.is_empty() {
            return;
        }
        let goal = match self.goal_col {
            Some(g) => g,
            None => self.cursor_col(),
        };
        self.goal_col = Some(goal);
        let cur = line_of(&lines, self.cursor) as isize;
        let target = (cur + d).clamp(0, lines.len() as isize - 1) as usize;
        let l = lines[target];
        let Some(text) = &self.text else { return };
        let mut col = 0;
        let mut cp = l.cp;
        for g in text.as_str()[l.start..l.end].graphemes(true) {
            let w = display(g, col).0;
            if col + w > goal {
                break;
            }
            col += w;
            cp += g.chars().count() as u32;
        }
        // Stay on the last grapheme of the line rather than past it.
        if cp >= l.end_cp && l.end_cp > l.cp {
            cp = motion(text, l.end_cp, Motion::PrevGrapheme).max(l.cp);
        }
        self.cursor = cp.min(text.chars().saturating_sub(1));
    }

    fn switch_source(&mut self, next: bool) -> Vec<Effect> {
        let Some(o) = self.open else {
            return Vec::new();
        };
        let Some(s) = self.project.study(o.study) else {
            return Vec::new();
        };
        let i = s.sources.iter().position(|x| x.id == o.source).unwrap_or(0);
        let n = s.sources.len();
        if n < 2 {
            self.info(format!("{} has one source", s.key));
            return Vec::new();
        }
        let j = if next { (i + 1) % n } else { (i + n - 1) % n };
        let open = OpenSource {
            study: o.study,
            source: s.sources[j].id,
        };
        self.info(format!("source {} of {n}: {}", j + 1, s.sources[j].name));
        self.open_source(open)
    }

    fn find(&mut self, forward: bool, from: u32) {
        let (Some(q), Some(text)) = (self.search.clone(), self.text.clone()) else {
            self.info("no search yet (press / to search)");
            return;
        };
        let Ok(re) = regex::RegexBuilder::new(&regex::escape(&q))
            .case_insensitive(true)
            .build()
        else {
            return;
        };
        let s = text.as_str();
        let at = text.byte(from);
        let hit = if forward {
            let after = text.byte(motion(&text, from, Motion::NextGrapheme));
            re.find_at(s, after.min(s.len()))
                .or_else(|| re.find(s))
                .map(|m| m.start())
        } else {
            let all: Vec<usize> = re.find_iter(s).map(|m| m.start()).collect();
            all.iter().rev().find(|&&b| b < at).or(all.last()).copied()
        };
        match hit {
            Some(b) => {
                self.cursor = text.cp(b);
                self.ensure_cursor_visible();
            }
            None => self.info(format!("not found: {q}")),
        }
    }

    fn start_coding(&mut self) -> Vec<Effect> {
        let Some((start, end)) = self.selection() else {
            self.info(format!(
                "select text first: {} then motions",
                self.keymap.hint(Context::Text, Action::Select)
            ));
            return Vec::new();
        };
        let Some((start, end)) = self.trimmed(start, end) else {
            self.info("the selection is only white space");
            return Vec::new();
        };
        let picker = Picker::new(&self.project, PickFor::Coding { start, end }, &self.recent);
        self.overlays.push(Overlay::Picker(Box::new(picker)));
        Vec::new()
    }

    /// The span without leading or trailing white space (`None` if nothing is left).
    fn trimmed(&self, start: u32, end: u32) -> Option<(u32, u32)> {
        let text = self.text.as_ref()?;
        let s = text.slice(start, end);
        let lead = s.chars().take_while(|c| c.is_whitespace()).count() as u32;
        let trail = s.chars().rev().take_while(|c| c.is_whitespace()).count() as u32;
        let (a, b) = (start + lead, end.saturating_sub(trail));
        (a < b).then_some((a, b))
    }

    fn remove_coding(&mut self) -> Vec<Effect> {
        let items = self.coding_items(self.cursor);
        match items.len() {
            0 => {
                self.info("no coding under the cursor");
                Vec::new()
            }
            1 => self.delete_coding(items[0].0),
            _ => {
                self.overlays.push(Overlay::Choose {
                    purpose: ChooseFor::RemoveCoding,
                    items,
                    cursor: 0,
                });
                Vec::new()
            }
        }
    }

    /// The codings under `cp` as (id, label) for a chooser.
    fn coding_items(&self, cp: u32) -> Vec<(Id, String)> {
        self.codings_at(cp)
            .iter()
            .map(|c| {
                (
                    c.id,
                    format!(
                        "{} ({}, {}..{})",
                        self.project.codebook.path(c.code),
                        c.construct.label(),
                        c.start,
                        c.end
                    ),
                )
            })
            .collect()
    }

    fn delete_coding(&mut self, id: Id) -> Vec<Effect> {
        let Some(o) = self.open else {
            return Vec::new();
        };
        let label = self
            .project
            .study(o.study)
            .and_then(|s| s.codings.iter().find(|c| c.id == id))
            .map(|c| format!("remove coding {}", self.project.codebook.path(c.code)))
            .unwrap_or_default();
        let fx = self.apply(
            Edit::DeleteCoding {
                study: o.study,
                coding: id,
            },
            &label,
        );
        if !fx.is_empty() {
            self.info(format!("{label} (u to undo)"));
        }
        fx
    }

    fn edit_memo(&mut self) -> Vec<Effect> {
        let target = match self.focus {
            Pane::Studies => self
                .project
                .studies
                .get(self.study_cursor)
                .map(|s| MemoTarget::Study(s.id)),
            Pane::Codes => self.selected_code().map(MemoTarget::Code),
            Pane::Text => {
                let items = self.coding_items(self.cursor);
                if items.len() > 1 {
                    self.overlays.push(Overlay::Choose {
                        purpose: ChooseFor::EditNote,
                        items,
                        cursor: 0,
                    });
                    return Vec::new();
                }
                match (items.first(), self.open) {
                    (Some((id, _)), Some(o)) => Some(MemoTarget::Coding {
                        study: o.study,
                        coding: *id,
                    }),
                    (None, Some(o)) => Some(MemoTarget::Study(o.study)),
                    _ => None,
                }
            }
        };
        self.memo_effect(target)
    }

    fn memo_effect(&mut self, target: Option<MemoTarget>) -> Vec<Effect> {
        let text = match target {
            Some(MemoTarget::Study(id)) => self.project.study(id).map(|s| s.memo.clone()),
            Some(MemoTarget::Code(id)) => self.project.codebook.get(id).map(|c| c.memo.clone()),
            Some(MemoTarget::Coding { study, coding }) => self
                .project
                .study(study)
                .and_then(|s| s.codings.iter().find(|c| c.id == coding))
                .map(|c| c.note.clone()),
            None => None,
        };
        match (target, text) {
            (Some(target), Some(text)) => vec![Effect::EditExternal { target, text }],
            _ => {
                self.info("nothing here has a memo");
                Vec::new()
            }
        }
    }

    // ----- Codes -----

    fn codes_action(&mut self, a: Action) -> Vec<Effect> {
        let n = self.code_rows.len();
        let half = (self.list_height() / 2).max(1);
        let sel = self.selected_code();
        match a {
            Action::Down => self.code_cursor = (self.code_cursor + 1).min(n.saturating_sub(1)),
            Action::Up => self.code_cursor = self.code_cursor.saturating_sub(1),
            Action::Top => self.code_cursor = 0,
            Action::Bottom => self.code_cursor = n.saturating_sub(1),
            Action::HalfPageDown => {
                self.code_cursor = (self.code_cursor + half).min(n.saturating_sub(1))
            }
            Action::HalfPageUp => self.code_cursor = self.code_cursor.saturating_sub(half),
            Action::Toggle | Action::Open => {
                if let Some(r) = self.code_rows.get(self.code_cursor).cloned()
                    && r.has_children
                {
                    if r.expanded {
                        self.expanded.remove(&r.id);
                    } else {
                        self.expanded.insert(r.id);
                    }
                    self.refresh_rows();
                }
            }
            Action::Expand => {
                if let Some(id) = sel {
                    self.expanded.insert(id);
                    self.refresh_rows();
                }
            }
            Action::Collapse => {
                if let Some(r) = self.code_rows.get(self.code_cursor).cloned() {
                    if r.expanded {
                        self.expanded.remove(&r.id);
                        self.refresh_rows();
                    } else if let Some(p) = self.project.codebook.get(r.id).and_then(|c| c.parent) {
                        self.reveal_code(p);
                    }
                }
            }
            Action::AddChild | Action::AddSibling => {
                let parent = match (a, sel) {
                    (Action::AddChild, Some(id)) => Some(id),
                    (_, Some(id)) => self.project.codebook.get(id).and_then(|c| c.parent),
                    (_, None) => None,
                };
                let title = match parent {
                    Some(p) => format!("New code under {}", self.project.codebook.path(p)),
                    None => "New top-level code".to_string(),
                };
                self.overlays.push(Overlay::Prompt {
                    purpose: PromptFor::AddCode { parent },
                    title,
                    input: Default::default(),
                });
            }
            Action::Rename => {
                if let Some(c) = sel.and_then(|id| self.project.codebook.get(id)) {
                    self.overlays.push(Overlay::Prompt {
                        purpose: PromptFor::Rename { code: c.id },
                        title: format!("Rename {}", c.name),
                        input: super::input::LineInput::new(&c.name),
                    });
                }
            }
            Action::MoveCode | Action::MergeCode => {
                if let Some(code) = sel {
                    let purpose = if a == Action::MoveCode {
                        PickFor::Move { code }
                    } else {
                        PickFor::Merge { code }
                    };
                    let picker = Picker::new(&self.project, purpose, &self.recent);
                    self.overlays.push(Overlay::Picker(Box::new(picker)));
                }
            }
            Action::DeleteCode => {
                if let Some(code) = sel {
                    self.ask_delete(code);
                }
            }
            Action::CycleKind => {
                if let Some(mut c) = sel.and_then(|id| self.project.codebook.get(id)).cloned() {
                    c.kind = match c.kind {
                        CodeKind::Code => CodeKind::DescriptiveTheme,
                        CodeKind::DescriptiveTheme => CodeKind::AnalyticalTheme,
                        CodeKind::AnalyticalTheme => CodeKind::Code,
                    };
                    let label = format!("make {} a {}", c.name, c.kind.label());
                    return self.apply(Edit::PutCode(c), &label);
                }
            }
            Action::MoveUp | Action::MoveDown => {
                if let Some(id) = sel {
                    return self.reorder(id, a == Action::MoveDown);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn ask_delete(&mut self, code: Id) {
        let cb = &self.project.codebook;
        let Some(c) = cb.get(code) else { return };
        let n = self
            .project
            .codings()
            .filter(|(_, x)| x.code == code)
            .count();
        let kids = cb.codes.iter().filter(|x| x.parent == Some(code)).count();
        let parent = c.parent.map(|p| cb.path(p));
        let message = match (n, &parent) {
            (0, _) if kids == 0 => format!("Delete code {}?", c.name),
            (0, Some(p)) => format!("Delete {}? Its {kids} child code(s) move to {p}.", c.name),
            (0, None) => format!(
                "Delete {}? Its {kids} child code(s) move to the top level.",
                c.name
            ),
            (_, Some(p)) => format!(
                "{} has {n} coding(s). Move them (and any child codes) to {p} and delete it?",
                c.name
            ),
            (_, None) => {
                let msg = format!(
                    "{} has {n} coding(s) and no parent to take them: move or merge it first",
                    c.name
                );
                self.error(msg);
                return;
            }
        };
        self.overlays.push(Overlay::Confirm {
            purpose: ConfirmFor::DeleteCode { code },
            message,
        });
    }

    /// Delete `code`, moving its codings and children to its parent — one step.
    fn delete_code(&mut self, code: Id) -> Vec<Effect> {
        let Some(c) = self.project.codebook.get(code).cloned() else {
            return Vec::new();
        };
        let mut edits = self.rehome(code, c.parent);
        edits.push(Edit::DeleteCode(code));
        let label = format!("delete code {}", c.name);
        let fx = self.apply(Edit::Batch(edits), &label);
        if !fx.is_empty() {
            self.info(format!("{label} (u to undo)"));
        }
        fx
    }

    /// Edits that move every coding and child of `from` to `to` (codings need a code:
    /// `to` must be `Some` when `from` has codings).
    fn rehome(&self, from: Id, to: Option<Id>) -> Vec<Edit> {
        let mut edits = Vec::new();
        if let Some(to) = to {
            for (s, c) in self.project.codings().filter(|(_, c)| c.code == from) {
                let mut c: Coding = c.clone();
                c.code = to;
                c.edited = now(); // merges prefer the later edit

                edits.push(Edit::PutCoding {
                    study: s.id,
                    coding: c,
                });
            }
        }
        let first = self.project.codebook.next_order(to);
        for (order, child) in (first..).zip(self.project.codebook.children(Some(from))) {
            let mut child = child.clone();
            child.parent = to;
            child.order = order;
            edits.push(Edit::PutCode(child));
        }
        edits
    }

    fn reorder(&mut self, id: Id, down: bool) -> Vec<Effect> {
        let cb = &self.project.codebook;
        let Some(parent) = cb.get(id).map(|c| c.parent) else {
            return Vec::new();
        };
        let mut sibs: Vec<Code> = cb.children(parent).cloned().collect();
        let Some(i) = sibs.iter().position(|c| c.id == id) else {
            return Vec::new();
        };
        let j = if down { i + 1 } else { i.wrapping_sub(1) };
        if j >= sibs.len() {
            return Vec::new();
        }
        sibs.swap(i, j);
        let edits: Vec<Edit> = sibs
            .into_iter()
            .enumerate()
            .filter(|(n, c)| c.order != *n as i64)
            .map(|(n, mut c)| {
                c.order = n as i64;
                Edit::PutCode(c)
            })
            .collect();
        let fx = self.apply(Edit::Batch(edits), "reorder codes");
        self.reveal_code(id);
        fx
    }

    // ----- Overlays -----

    fn overlay_key(&mut self, key: Key) -> Vec<Effect> {
        let action = self.keymap.lookup(Context::Overlay, key);
        let typed = match key.code {
            KeyCode::Char(c)
                if !key
                    .mods
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(c)
            }
            _ => None,
        };
        let Some(top) = self.overlays.last_mut() else {
            return Vec::new();
        };
        match top {
            Overlay::Coverage(_) => self.coverage_key(action, typed, key),
            Overlay::Retrieval(_) => self.retrieval_key(action, typed),
            Overlay::Help { scroll } => {
                match (action, typed) {
                    (Some(Action::Cancel | Action::Confirm), _) | (_, Some('q' | '?')) => {
                        self.overlays.pop();
                    }
                    (Some(Action::Down), _) | (_, Some('j')) => *scroll += 1,
                    (Some(Action::Up), _) | (_, Some('k')) => *scroll = scroll.saturating_sub(1),
                    (Some(Action::HalfPageDown), _) => *scroll += 10,
                    (Some(Action::HalfPageUp), _) => *scroll = scroll.saturating_sub(10),
                    _ => {}
                }
                Vec::new()
            }
            Overlay::Confirm { purpose, .. } => {
                let purpose = purpose.clone();
                match (action, typed) {
                    (Some(Action::Confirm), _) | (_, Some('y' | 'Y')) => {
                        self.overlays.pop();
                        match purpose {
                            ConfirmFor::DeleteCode { code } => self.delete_code(code),
                        }
                    }
                    (Some(Action::Cancel), _) | (_, Some('n' | 'N' | 'q')) => {
                        self.overlays.pop();
                        self.info("cancelled");
                        Vec::new()
                    }
                    _ => Vec::new(),
                }
            }
            Overlay::Choose {
                purpose,
                items,
                cursor,
            } => {
                match (action, typed) {
                    (Some(Action::Down), _) | (_, Some('j')) => {
                        *cursor = (*cursor + 1).min(items.len().saturating_sub(1))
                    }
                    (Some(Action::Up), _) | (_, Some('k')) => *cursor = cursor.saturating_sub(1),
                    (Some(Action::Cancel), _) | (_, Some('q')) => {
                        self.overlays.pop();
                    }
                    (Some(Action::Confirm), _) => {
                        let id = items.get(*cursor).map(|x| x.0);
                        let purpose = purpose.clone();
                        self.overlays.pop();
                        if let Some(id) = id {
                            return match purpose {
                                ChooseFor::RemoveCoding => self.delete_coding(id),
                                ChooseFor::EditNote => {
                                    let target = self.open.map(|o| MemoTarget::Coding {
                                        study: o.study,
                                        coding: id,
                                    });
                                    self.memo_effect(target)
                                }
                            };
                        }
                    }
                    _ => {}
                }
                Vec::new()
            }
            Overlay::Prompt { input, .. } => {
                match (action, key.code) {
                    (Some(Action::Cancel), _) => {
                        self.overlays.pop();
                    }
                    (Some(Action::Confirm), _) => return self.submit_prompt(),
                    _ => edit_line(input, key, typed),
                }
                Vec::new()
            }
            Overlay::Picker(p) => {
                match action {
                    Some(Action::Cancel) => {
                        self.overlays.pop();
                    }
                    Some(Action::Confirm) => return self.submit_picker(false),
                    Some(Action::CreateNew) => return self.submit_picker(true),
                    Some(Action::Up) => p.move_by(-1),
                    Some(Action::Down) => p.move_by(1),
                    Some(Action::HalfPageUp) => p.move_by(-10),
                    Some(Action::HalfPageDown) => p.move_by(10),
                    Some(Action::ToggleConstruct) => p.construct = p.construct.next(),
                    _ => {
                        let before = p.input.text.clone();
                        edit_line(&mut p.input, key, typed);
                        if p.input.text != before {
                            p.refilter();
                        }
                    }
                }
                Vec::new()
            }
        }
    }

    fn submit_prompt(&mut self) -> Vec<Effect> {
        let Some(Overlay::Prompt { purpose, input, .. }) = self.overlays.pop() else {
            return Vec::new();
        };
        let value = input.text.trim().to_string();
        match purpose {
            PromptFor::Search => {
                if value.is_empty() {
                    self.search = None;
                } else {
                    self.search = Some(value);
                    self.find(true, self.cursor);
                }
                Vec::new()
            }
            _ if value.is_empty() => {
                self.info("a code needs a name");
                Vec::new()
            }
            PromptFor::AddCode { parent } => {
                let cb = &self.project.codebook;
                if cb.children(parent).any(|c| c.name == value) {
                    self.error(format!("there is already a code named {value} here"));
                    return Vec::new();
                }
                let code = Code {
                    id: Id::new(),
                    parent,
                    order: cb.next_order(parent),
                    kind: CodeKind::Code,
                    name: value.clone(),
                    description: String::new(),
                    color: cb.next_color(),
                    memo: String::new(),
                };
                let id = code.id;
                if let Some(p) = parent {
                    self.expanded.insert(p);
                }
                let fx = self.apply(Edit::PutCode(code), &format!("add code {value}"));
                self.reveal_code(id);
                fx
            }
            PromptFor::Rename { code } => {
                let Some(mut c) = self.project.codebook.get(code).cloned() else {
                    return Vec::new();
                };
                if c.name == value {
                    return Vec::new();
                }
                let label = format!("rename {} to {value}", c.name);
                c.name = value;
                self.apply(Edit::PutCode(c), &label)
            }
        }
    }

    fn submit_picker(&mut self, force_new: bool) -> Vec<Effect> {
        let Some(Overlay::Picker(p)) = self.overlays.last() else {
            return Vec::new();
        };
        let query = p.input.text.trim().to_string();
        let chosen = if force_new {
            None
        } else {
            p.selected().cloned()
        };
        let purpose = p.purpose.clone();
        let construct = p.construct;
        // Resolve the target code: the highlighted entry, or a new path from the query.
        let mut edits = Vec::new();
        let target: Option<Id> = match (&chosen, query.is_empty()) {
            (Some(e), _) => e.id,
            (None, true) => {
                self.info("type a name for the new code");
                return Vec::new();
            }
            (None, false) => match self.project.codebook.resolve(&query) {
                Some(id) => Some(id),
                None => {
                    let Some((id, new)) = self.project.codebook.plan_path(&query) else {
                        return Vec::new();
                    };
                    edits.extend(new.into_iter().map(Edit::PutCode));
                    Some(id)
                }
            },
        };
        self.overlays.pop();
        let created = !edits.is_empty();
        match purpose {
            PickFor::Coding { start, end } => {
                let (Some(o), Some(text), Some(code)) = (self.open, self.text.clone(), target)
                else {
                    return Vec::new();
                };
                let coding = Coding {
                    id: Id::new(),
                    source: o.source,
                    start,
                    end,
                    code,
                    by: self.project.meta.reviewer.id,
                    at: now(),
                    edited: String::new(),
                    construct,
                    quote: text.slice(start, end).to_string(),
                    note: String::new(),
                    flag: None,
                };
                edits.push(Edit::PutCoding {
                    study: o.study,
                    coding,
                });
                let path = self.codebook_path_after(&edits, code);
                let label = format!("code as {path}");
                let fx = self.apply(Edit::Batch(edits), &label);
                if !fx.is_empty() {
                    self.anchor = None;
                    self.recent.retain(|r| *r != code);
                    self.recent.insert(0, code);
                    let new = if created { "new code " } else { "" };
                    self.info(format!("coded as {new}{path} ({})", construct.label()));
                    self.reveal_code(code);
                }
                fx
            }
            PickFor::Move { code } => {
                let Some(mut c) = self.project.codebook.get(code).cloned() else {
                    return Vec::new();
                };
                c.parent = target;
                c.order = self.project.codebook.next_order(target);
                edits.push(Edit::PutCode(c));
                let fx = self.apply(Edit::Batch(edits), "move code");
                self.reveal_code(code);
                fx
            }
            PickFor::Merge { code } => {
                let Some(to) = target else { return Vec::new() };
                let Some(from) = self.project.codebook.get(code).cloned() else {
                    return Vec::new();
                };
                let mut tmp = self.project.clone();
                if Edit::Batch(edits.clone()).apply(&mut tmp).is_err() {
                    return Vec::new();
                }
                let mut all = edits;
                all.extend(self.rehome(code, Some(to)));
                // Keep what the merged code said: its definition and memo go to the target's memo.
                let extra: Vec<String> = [("definition", &from.description), ("memo", &from.memo)]
                    .iter()
                    .filter(|(_, t)| !t.trim().is_empty())
                    .map(|(what, t)| format!("[merged from {}, {what}] {t}", from.name))
                    .collect();
                if !extra.is_empty() {
                    let mut t = tmp.codebook.get(to).cloned().expect("target exists");
                    if !t.memo.is_empty() {
                        t.memo.push_str("\n\n");
                    }
                    t.memo.push_str(&extra.join("\n\n"));
                    all.push(Edit::PutCode(t));
                }
                all.push(Edit::DeleteCode(code));
                let label = format!("merge {} into {}", from.name, tmp.codebook.path(to));
                let fx = self.apply(Edit::Batch(all), &label);
                if !fx.is_empty() {
                    self.info(format!("{label} (u to undo)"));
                    self.reveal_code(to);
                }
                fx
            }
        }
    }

    /// The path of `code` once `edits` (which may create it) are applied.
    fn codebook_path_after(&self, edits: &[Edit], code: Id) -> String {
        if self.project.codebook.get(code).is_some() {
            return self.project.codebook.path(code);
        }
        let mut cb = self.project.codebook.clone();
        for e in edits {
            if let Edit::PutCode(c) = e {
                cb.codes.push(c.clone());
            }
        }
        cb.path(code)
    }
}

/// Editing keys shared by prompts and the picker's filter.
fn edit_line(input: &mut super::input::LineInput, key: Key, typed: Option<char>) {
    let ctrl = key.mods.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Backspace => input.backspace(),
        KeyCode::Delete => input.delete(),
        KeyCode::Left => input.left(),
        KeyCode::Right => input.right(),
        KeyCode::Home => input.home(),
        KeyCode::End => input.end(),
        KeyCode::Char('w') if ctrl => input.delete_word(),
        KeyCode::Char('a') if ctrl => input.home(),
        KeyCode::Char('e') if ctrl => input.end(),
        KeyCode::Char('u') if ctrl => *input = Default::default(),
        _ => {
            if let Some(c) = typed {
                input.insert(c);
            }
        }
    }
}

/// Parse a key script for tests and demos: space-separated keys (`j`, `ctrl-d`,
/// `enter`, `C`), and `"quoted text"` to type each of its characters.
pub fn parse_keys(script: &str) -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let mut rest = script.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').unwrap_or(r.len());
            for c in r[..end].chars() {
                out.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            }
            rest = r.get(end + 1..).unwrap_or("").trim_start();
            continue;
        }
        let end = rest.find(' ').unwrap_or(rest.len());
        let tok = &rest[..end];
        let k = Key::parse(tok).unwrap_or_else(|| panic!("unknown key in script: {tok}"));
        out.push(KeyEvent::new(k.code, k.mods));
        rest = rest[end..].trim_start();
    }
    out
}
