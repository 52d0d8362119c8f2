//! The runtime: terminal setup and restore, the event loop, signals, and the
//! effects the state machine asks for (save, load a text, run `$EDITOR`).

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute, queue};

use crate::app::keymap::Keymap;
use crate::app::{App, Effect, Input, MemoTarget, UiState};
use crate::store::{Mode, Store};
use crate::ui::{self, Depth, Theme};

type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

const UI_FILE: &str = ".thematic/ui.ron";

/// Where the user's keymap lives (`~/.config/thematic/keymap.ron` on Linux).
pub fn keymap_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "thematic").map(|d| d.config_dir().join("keymap.ron"))
}

/// The default keymap with the user's file merged over it.
pub fn load_keymap() -> Result<Keymap, String> {
    let Some(path) = keymap_path().filter(|p| p.is_file()) else {
        return Ok(Keymap::default());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Keymap::with_user(&path.display().to_string(), &text)
}

fn load_ui_state(root: &Path) -> UiState {
    std::fs::read_to_string(root.join(UI_FILE))
        .ok()
        .and_then(|s| ron::from_str(&s).ok())
        .unwrap_or_default()
}

/// Best effort: losing the cursor position is harmless.
fn save_ui_state(root: &Path, state: &UiState) {
    if let Ok(s) = ron::to_string(state) {
        let tmp = root.join(".thematic/ui.ron.tmp");
        if std::fs::write(&tmp, s).is_ok() {
            let _ = std::fs::rename(tmp, root.join(UI_FILE));
        }
    }
}

/// Open the workstation on `dir` until the user quits or the terminal goes away.
pub fn run(dir: &Path) -> Result<(), String> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err("the workstation needs a terminal (for scripts, see `thematic --help`)".into());
    }
    let keymap = load_keymap()?;
    let opened = Store::open(dir, Mode::Write).map_err(|e| e.to_string())?;
    let ui_state = load_ui_state(dir);
    let theme = Theme::for_depth(Depth::detect(|k| std::env::var(k).ok()));
    let mut store = opened.store;
    let mut app = App::new(opened.project, keymap, ui_state.clone());
    if let Some(inv) = opened.undo {
        app.push_undo(inv, "re-anchor codings to changed texts");
    }
    let mut notices = opened.notices;
    let errors_in_files = opened.warnings.len();
    if errors_in_files > 0 {
        notices.push(format!("{errors_in_files} warning(s): run thematic check"));
    }
    if notices.is_empty() {
        app.info(format!("{} — ? for help", app.project.meta.title));
    } else {
        app.info(notices.join("; "));
    }

    let (sig_tx, sig_rx) = mpsc::channel();
    spawn_signal_thread(sig_tx);
    let mut terminal = enter()?;
    install_panic_hook();
    let size = terminal.size().map_err(|e| e.to_string())?;
    app.handle(Input::Resize(size.width, size.height));
    let first = app.start(&ui_state);
    if run_effects(&mut app, &mut store, &mut terminal, first) {
        event_loop(&mut app, &mut store, &mut terminal, &theme, &sig_rx);
    }
    save_ui_state(dir, &app.ui_state());
    leave(&mut terminal);
    drop(store);
    Ok(())
}

fn event_loop(
    app: &mut App,
    store: &mut Store,
    terminal: &mut Term,
    theme: &Theme,
    signals: &mpsc::Receiver<i32>,
) {
    // Returns on quit, on a signal, or when the terminal goes away.
    // Crossterm can report a closed terminal as an endless stream of events;
    // treat a flood without a single key as a hang-up.
    let mut window = Instant::now();
    let mut burst = 0u32;
    loop {
        if signals.try_recv().is_ok() {
            return;
        }
        if app.dirty {
            if draw(terminal, app, theme).is_err() {
                return;
            }
            app.dirty = false;
        }
        match event::poll(Duration::from_millis(200)) {
            Ok(false) => continue,
            Ok(true) => {}
            Err(_) => return,
        }
        // An error here, like the flood check below, means the terminal went away.
        let Ok(ev) = event::read() else { return };
        if window.elapsed() > Duration::from_secs(1) {
            window = Instant::now();
            burst = 0;
        }
        burst += 1;
        if burst > 20_000 {
            return;
        }
        let effects = match ev {
            Event::Key(k) => app.handle(Input::Key(k)),
            Event::Resize(w, h) => app.handle(Input::Resize(w, h)),
            Event::FocusGained => {
                app.dirty = true;
                Vec::new()
            }
            _ => Vec::new(),
        };
        if !run_effects(app, store, terminal, effects) {
            return;
        }
    }
}

/// Perform effects; `false` means quit.
fn run_effects(
    app: &mut App,
    store: &mut Store,
    terminal: &mut Term,
    effects: Vec<Effect>,
) -> bool {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    while let Some(e) = queue.pop_front() {
        match e {
            Effect::Quit => return false,
            Effect::Save(touched) => {
                if let Err(err) = store.save(&app.project, &touched) {
                    app.save_failed(err.to_string());
                }
            }
            Effect::LoadText { study, source } => {
                let src = app
                    .project
                    .study(study)
                    .and_then(|s| s.source(source))
                    .cloned();
                match src.map(|s| store.read_text(&s)) {
                    Some(Ok(text)) => app.text_loaded(source, text),
                    Some(Err(err)) => app.text_failed(err.to_string()),
                    None => {}
                }
            }
            Effect::LoadPreview { study, source } => {
                let src = app
                    .project
                    .study(study)
                    .and_then(|s| s.source(source))
                    .cloned();
                match src.map(|s| store.read_text(&s)) {
                    Some(Ok(text)) => app.preview_loaded(source, text),
                    Some(Err(err)) => app.error(err.to_string()),
                    None => {}
                }
            }
            Effect::EditExternal { target, text } => {
                match edit_externally(terminal, store.root(), target, &text) {
                    Ok(new) => queue.extend(app.external_edited(target, new)),
                    Err(err) => app.error(err),
                }
            }
        }
    }
    true
}

/// Draw one frame inside a synchronized update (so the terminal shows it at once),
/// through the backend's buffered writer: one frame, one write.
pub fn draw<W: Write>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    app: &mut App,
    theme: &Theme,
) -> io::Result<()> {
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;

    terminal.draw(|f| ui::draw(f, app, theme))?;
    execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}

fn enter() -> Result<Term, String> {
    enable_raw_mode().map_err(|e| format!("cannot use the terminal: {e}"))?;
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    if let Err(e) = execute!(out, EnterAlternateScreen) {
        let _ = disable_raw_mode();
        return Err(format!("cannot use the terminal: {e}"));
    }
    Terminal::new(CrosstermBackend::new(out)).map_err(|e| {
        restore();
        format!("cannot use the terminal: {e}")
    })
}

fn leave(terminal: &mut Term) {
    let _ = terminal.show_cursor();
    let _ = terminal.flush();
    restore();
}

/// Put the terminal back as we found it. Safe to call more than once, and on a
/// terminal that is gone (errors are ignored).
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        prev(info);
    }));
}

fn spawn_signal_thread(tx: mpsc::Sender<i32>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    match signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT, SIGQUIT]) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    let _ = tx.send(sig);
                    // If the main loop is stuck (it polls every 200 ms), do not wait on it
                    // forever: every edit is already on disk, so restore and go.
                    std::thread::sleep(Duration::from_secs(2));
                    restore();
                    std::process::exit(128 + sig);
                }
            });
        }
        Err(e) => eprintln!("thematic: cannot watch for hang-ups: {e}"),
    }
}

/// Suspend the screen, edit `text` in `$VISUAL`/`$EDITOR` (or `vi`), restore the
/// screen, and return the edited text.
fn edit_externally(
    terminal: &mut Term,
    root: &Path,
    target: MemoTarget,
    text: &str,
) -> Result<String, String> {
    let id = match target {
        MemoTarget::Study(id) | MemoTarget::Code(id) | MemoTarget::Coding { coding: id, .. } => id,
    };
    let path = root.join(format!(".thematic/memo-{id}.md"));
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    restore();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let _ = enable_raw_mode();
    let _ = execute!(terminal.backend_mut(), EnterAlternateScreen);
    let _ = terminal.clear();
    let result = match status {
        Ok(s) if s.success() => {
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        }
        Ok(s) => Err(format!("{editor} exited with {s}; memo unchanged")),
        Err(e) => Err(format!("cannot run {editor}: {e}")),
    };
    let _ = std::fs::remove_file(&path);
    result
}
