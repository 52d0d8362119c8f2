//! A test harness for the workstation: the real state machine and store on a
//! copy of `sample-project`, with effects performed as the runtime would, and
//! frames rendered into a `TestBackend`.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tempfile::TempDir;
use thematic::app::keymap::Keymap;
use thematic::app::{App, Effect, Input, MemoTarget, UiState, parse_keys};
use thematic::model::Project;
use thematic::store::{Mode, Store};
use thematic::ui::{self, Theme};

pub struct Harness {
    pub app: App,
    pub store: Store,
    pub dir: TempDir,
    pub theme: Theme,
    /// Effects seen that a test may want to look at (EditExternal, Quit).
    pub seen: Vec<Effect>,
    /// What `$EDITOR` returns when asked (None: leave the memo as it was).
    pub editor: Option<String>,
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == ".thematic" {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(&name));
        } else {
            fs::copy(&p, to.join(&name)).unwrap();
        }
    }
}

impl Harness {
    /// The sample project, opened at 80×24 with the mono theme.
    pub fn sample() -> Harness {
        let dir = TempDir::new().unwrap();
        copy_dir(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("sample-project")
                .as_path(),
            dir.path(),
        );
        Harness::open(dir)
    }

    pub fn open(dir: TempDir) -> Harness {
        let opened = Store::open(dir.path(), Mode::Write).expect("project opens");
        let mut app = App::new(opened.project, Keymap::default(), UiState::default());
        app.handle(Input::Resize(80, 24));
        let mut h = Harness {
            app,
            store: opened.store,
            dir,
            theme: Theme::mono(),
            seen: Vec::new(),
            editor: None,
        };
        let fx = h.app.start(&UiState::default());
        h.run(fx);
        h
    }

    /// Feed a key script (`"2 v } c"`, `"\"typed text\" enter"`).
    pub fn keys(&mut self, script: &str) -> &mut Self {
        for k in parse_keys(script) {
            let fx = self.app.handle(Input::Key(k));
            self.run(fx);
        }
        self
    }

    pub fn resize(&mut self, w: u16, h: u16) -> &mut Self {
        let fx = self.app.handle(Input::Resize(w, h));
        self.run(fx);
        self
    }

    fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(e) = queue.pop_front() {
            match &e {
                Effect::Save(t) => {
                    if let Err(err) = self.store.save(&self.app.project, t) {
                        self.app.save_failed(err.to_string());
                    }
                }
                Effect::LoadText { study, source } => {
                    let src = self
                        .app
                        .project
                        .study(*study)
                        .and_then(|s| s.source(*source))
                        .cloned()
                        .unwrap();
                    let text = self.store.read_text(&src).unwrap();
                    self.app.text_loaded(*source, text);
                }
                Effect::LoadPreview { study, source } => {
                    let src = self
                        .app
                        .project
                        .study(*study)
                        .and_then(|s| s.source(*source))
                        .cloned()
                        .unwrap();
                    let text = self.store.read_text(&src).unwrap();
                    self.app.preview_loaded(*source, text);
                }
                Effect::EditExternal { target, .. } => {
                    if let Some(new) = self.editor.clone() {
                        let target: MemoTarget = *target;
                        queue.extend(self.app.external_edited(target, new));
                    }
                }
                Effect::Quit => {}
            }
            self.seen.push(e);
        }
    }

    /// The project as it is on disk now.
    pub fn on_disk(&self) -> Project {
        Store::open(self.dir.path(), Mode::Read)
            .expect("project on disk is valid")
            .project
    }

    /// Render a frame at the app's current size.
    pub fn buffer(&mut self) -> Buffer {
        let (w, h) = (self.app.size.width, self.app.size.height);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let theme = self.theme.clone();
        term.draw(|f| ui::draw(f, &mut self.app, &theme)).unwrap();
        term.backend().buffer().clone()
    }

    /// The frame as plain text, one line per row (trailing spaces kept off).
    pub fn screen(&mut self) -> String {
        let buf = self.buffer();
        to_text(&buf)
    }

    /// The quote of the coding just made, if there is one with `code_path`.
    pub fn codings_of(&self, code_path: &str) -> Vec<thematic::model::Coding> {
        let p = &self.app.project;
        let Some(id) = p.codebook.resolve(code_path) else {
            return Vec::new();
        };
        p.codings()
            .filter(|(_, c)| c.code == id)
            .map(|(_, c)| c.clone())
            .collect()
    }
}

pub fn to_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
