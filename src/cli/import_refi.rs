//! `thematic import-qdpx FILE DIR` and `thematic import-qdc FILE DIR`.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{CmdResult, Failure};
use crate::interchange::refi::{self, ImportOptions, ImportSummary, Progress, RefiError};

/// How many of `check`'s findings to print before pointing at `thematic check`.
const SHOWN: usize = 20;

pub fn run_qdpx(
    file: &Path,
    dir: &Path,
    title: Option<String>,
    reviewer: Option<String>,
) -> CmdResult {
    let opts = options(title, reviewer)?;
    let summary = refi::import_qdpx(file, dir, &opts, &Bar::new()).map_err(failure)?;
    report(file, dir, &summary)
}

pub fn run_qdc(
    file: &Path,
    dir: &Path,
    title: Option<String>,
    reviewer: Option<String>,
) -> CmdResult {
    let opts = options(title, reviewer)?;
    let summary = refi::import_qdc(file, dir, &opts, &Bar::new()).map_err(failure)?;
    report(file, dir, &summary)
}

fn options(title: Option<String>, reviewer: Option<String>) -> Result<ImportOptions, Failure> {
    let blank = |v: &Option<String>| v.as_ref().is_some_and(|t| t.trim().is_empty());
    if blank(&title) || blank(&reviewer) {
        return Err(Failure::Usage(
            "--title and --reviewer must not be empty".into(),
        ));
    }
    Ok(ImportOptions {
        title: title.map(|t| t.trim().to_string()),
        reviewer: reviewer.map(|r| r.trim().to_string()),
    })
}

pub(super) fn failure(e: RefiError) -> Failure {
    match e {
        RefiError::Usage(m) => Failure::Usage(m),
        RefiError::Failed(m) => Failure::Failed(m),
        RefiError::Store(e) => Failure::from(e),
    }
}

fn report(file: &Path, dir: &Path, summary: &ImportSummary) -> CmdResult {
    println!("created {} from {}", dir.display(), file.display());
    println!("{summary}");
    for p in summary.problems.iter().take(SHOWN) {
        println!("{p}");
    }
    if summary.problems.len() > SHOWN {
        println!(
            "… and {} more (run `thematic check {}`)",
            summary.problems.len() - SHOWN,
            dir.display()
        );
    }
    let errors = summary.problems.iter().filter(|p| !p.warning).count();
    if errors > 0 {
        return Err(Failure::Failed(format!(
            "the imported project has {errors} error(s) (listed above)"
        )));
    }
    Ok(())
}

/// A progress bar on stderr when it is a terminal; nothing otherwise.
pub(super) struct Bar {
    on: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub(super) fn new() -> Bar {
        Bar {
            on: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }
}

impl Drop for Bar {
    /// An error may end a phase early: leave no half-drawn bar behind.
    fn drop(&mut self) {
        self.finish();
    }
}

impl Progress for Bar {
    fn start(&self, what: &str, total: u64) {
        if !self.on {
            return;
        }
        let pb = if total > 0 {
            let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>18} [{bar:30}] {pos}/{len} ({elapsed})")
            {
                pb.set_style(style.progress_chars("=> "));
            }
            pb
        } else {
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                pb.set_style(style);
            }
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            pb
        };
        pb.set_message(what.to_string());
        if let Some(old) = self
            .bar
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(pb)
        {
            old.finish_and_clear();
        }
    }

    fn advance(&self, steps: u64) {
        if let Some(pb) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            pb.inc(steps);
        }
    }

    fn finish(&self) {
        if let Some(pb) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            pb.finish_and_clear();
        }
    }
}
