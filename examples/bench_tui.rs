//! Workstation benchmark: frame times, time to first frame, bytes per key.
//!
//! `cargo run --release --example bench_tui [-- --quick]`
//!
//! Frames are drawn through the real crossterm backend into a counting writer, so
//! the time includes ratatui's diff and the escape sequences; the bytes are what a
//! terminal (or an SSH link) would receive.

use std::cell::Cell;
use std::io::{self, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::KeyEvent;
use ratatui::{Terminal, TerminalOptions, Viewport};
use thematic::app::keymap::Keymap;
use thematic::app::{App, Effect, Input, UiState, parse_keys};
use thematic::store::{Mode, Store};
use thematic::synth::{SynthSpec, generate};
use thematic::ui::{Depth, Theme};

/// A writer that only counts (the count is shared, to read it from outside).
#[derive(Default, Clone)]
struct Counter {
    bytes: Rc<Cell<usize>>,
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.set(self.bytes.get() + buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

type Term = Terminal<CrosstermBackend<Counter>>;

struct Rig {
    app: App,
    store: Store,
    term: Term,
    theme: Theme,
    bytes: Rc<Cell<usize>>,
}

impl Rig {
    fn open(root: &std::path::Path, w: u16, h: u16) -> Rig {
        let opened = Store::open(root, Mode::Write).expect("open");
        let mut app = App::new(opened.project, Keymap::default(), UiState::default());
        app.handle(Input::Resize(w, h));
        let counter = Counter::default();
        let bytes = counter.bytes.clone();
        // A fixed viewport: the bench's stdout is not a terminal to ask for its size.
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let opts = TerminalOptions {
            viewport: Viewport::Fixed(area),
        };
        let term = Terminal::with_options(CrosstermBackend::new(counter), opts).expect("terminal");
        let mut rig = Rig {
            app,
            store: opened.store,
            term,
            theme: Theme::for_depth(Depth::TrueColor),
            bytes,
        };
        let fx = rig.app.start(&UiState::default());
        rig.effects(fx);
        rig.frame();
        rig
    }

    fn effects(&mut self, fx: Vec<Effect>) {
        for e in fx {
            match e {
                Effect::Save(t) => {
                    self.store.save(&self.app.project, &t).expect("save");
                }
                Effect::LoadText { study, source } | Effect::LoadPreview { study, source } => {
                    let src = self
                        .app
                        .project
                        .study(study)
                        .and_then(|s| s.source(source))
                        .cloned()
                        .expect("source");
                    let text = self.store.read_text(&src).expect("text");
                    self.app.text_loaded(source, text);
                }
                _ => {}
            }
        }
    }

    /// Draw a frame; returns the bytes it wrote.
    fn frame(&mut self) -> usize {
        let before = self.bytes.get();
        thematic::runtime::draw(&mut self.term, &mut self.app, &self.theme).expect("draw");
        self.bytes.get() - before
    }

    /// Press keys (a script), drawing after each; returns (time per key+frame, bytes per frame).
    fn press(&mut self, script: &str) -> Vec<(Duration, usize)> {
        parse_keys(script)
            .into_iter()
            .map(|k: KeyEvent| {
                let t = Instant::now();
                let fx = self.app.handle(Input::Key(k));
                self.effects(fx);
                let bytes = self.frame();
                (t.elapsed(), bytes)
            })
            .collect()
    }
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    let med = v[v.len() / 2];
    let p99 = v[(v.len() * 99 / 100).min(v.len() - 1)];
    (med, p99, v[v.len() - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    println!(
        "thematic workstation benchmark ({} mode)\n",
        if quick { "quick" } else { "full" }
    );

    // 1. Frames on one 50,000-word source with 2,000 codings, at 200×60.
    let dir = tempfile::TempDir::new().expect("tempdir");
    let spec = SynthSpec {
        studies: 1,
        words_per_study: 50_000,
        codings_per_study: 2_000,
        codes: 60,
        seed: 7,
    };
    generate(dir.path(), &spec).expect("generate");
    let mut rig = Rig::open(dir.path(), 200, 60);
    rig.press("2");
    let n = if quick { 200 } else { 1500 };
    let scroll = rig.press(&"j ".repeat(n));
    rig.press("g");
    let moves = rig.press(&"l l l w w b ".repeat(n / 6));
    rig.press("g } v");
    let select = rig.press(&"w ".repeat(n.min(400)));
    rig.press("esc g");
    println!(
        "Frame time at 200×60, 50,000-word source, 2,000 codings (key handling + draw + diff + escape codes):"
    );
    println!(
        "  {:<28} {:>12} {:>12} {:>12}   target",
        "", "median", "p99", "max"
    );
    for (name, v) in [
        ("scrolling (j)", &scroll),
        ("cursor moves (l w b)", &moves),
        ("selection (v w…)", &select),
    ] {
        let (med, p99, max) = stats(v.iter().map(|x| x.0).collect());
        println!(
            "  {:<28} {:>12} {:>12} {:>12}   median ≤ 1 ms, p99 ≤ 4 ms",
            name,
            ms(med),
            ms(p99),
            ms(max)
        );
    }

    // 2. Bytes written for single keys (at 200×60, after the view has settled).
    let j = rig.press("j j j")[2].1;
    let page = rig.press("ctrl-d")[0].1;
    let w = rig.press("w")[0].1;
    let coding = rig.press("v w c \"bench code\" enter");
    let picker_open = coding[2].1;
    let applied = coding.last().expect("keys").1;
    let total: usize = coding.iter().map(|x| x.1).sum();
    println!("\nBytes written to the terminal (200×60):");
    println!("  one j (cursor down a line):      {j:>7} B");
    println!("  one w (cursor to next word):      {w:>7} B");
    println!("  one half-page down (ctrl-d):     {page:>7} B");
    println!("  picker opening (c):              {picker_open:>7} B");
    println!("  coding applied (enter, picker closes): {applied:>7} B");
    println!("  the whole coding sequence (v w c, typing, enter): {total} B");
    drop(rig);
    let full = Rig::open(dir.path(), 200, 60).bytes.get();
    println!("  (for scale, a full first frame: {full} B)");
    if std::env::args().any(|a| a == "--frames-only") {
        return;
    }

    // 3. Opening the 1,000-study project to the first frame.
    let big = tempfile::TempDir::new().expect("tempdir");
    let spec = if quick {
        SynthSpec {
            studies: 100,
            ..SynthSpec::large()
        }
    } else {
        SynthSpec::large()
    };
    let t = Instant::now();
    generate(big.path(), &spec).expect("generate");
    println!(
        "\nGenerated {} studies × {} words in {:.1} s",
        spec.studies,
        spec.words_per_study,
        t.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    for i in 0..if quick { 3 } else { 7 } {
        let t = Instant::now();
        let rig = Rig::open(big.path(), 200, 60);
        let d = t.elapsed();
        drop(rig);
        if i == 0 {
            println!(
                "  open → first frame, first open (hashes every text into the stat cache): {}",
                ms(d)
            );
        } else {
            times.push(d);
        }
    }
    let (med, _, max) = stats(times);
    println!(
        "  open → first frame, later opens: median {} (max {})   target ≤ 500 ms",
        ms(med),
        ms(max)
    );

    // 4. The coverage view on the big project: opening it computes the theme × study
    //    matrix (all codings) and draws it; moving across cells only redraws.
    let mut rig = Rig::open(big.path(), 200, 60);
    let mut open_times = Vec::new();
    for _ in 0..if quick { 5 } else { 15 } {
        open_times.push(rig.press("C")[0].0);
        rig.press("q");
    }
    rig.press("C");
    let moves: Vec<Duration> = rig
        .press(&"l j ".repeat(50))
        .into_iter()
        .map(|x| x.0)
        .collect();
    let deeper = rig.press("+")[0].0;
    let (med, p99, _) = stats(open_times);
    println!("\nCoverage view (C) on {} studies, 200×60:", spec.studies);
    println!(
        "  open (matrix over every coding + draw): median {}, p99 {}",
        ms(med),
        ms(p99)
    );
    let (med, p99, _) = stats(moves);
    println!(
        "  move across cells (h/j/k/l):            median {}, p99 {}",
        ms(med),
        ms(p99)
    );
    println!("  change depth (+, recomputes the matrix): {}", ms(deeper));
}
