//! `thematic import-refs DIR FILE`: add or enrich studies from a RIS or BibTeX
//! export, as one edit, and say what became of every reference.

use std::fs;
use std::path::Path;

use super::{CmdResult, Failure};
use crate::interchange::refs::{self, Action, Format, Outcome};
use crate::store::{Mode, Store, line_col};

pub fn run(dir: &Path, file: &Path) -> CmdResult {
    let shown = file.display().to_string();
    let bytes = fs::read(file)
        .map_err(|e| Failure::Failed(format!("{shown}: {}", crate::store::describe_io(&e))))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        let (line, col) = line_col(&valid, at);
        Failure::Failed(format!(
            "{shown}:{line}:{col}: not valid UTF-8 (export the references as UTF-8 and import again)"
        ))
    })?;
    let ext = file.extension().and_then(|e| e.to_str());
    let format = Format::detect(ext, &text).ok_or_else(|| {
        Failure::Usage(format!(
            "{shown}: not a RIS or BibTeX file (export .ris or .bib from the reference manager)"
        ))
    })?;
    let references =
        refs::parse(format, &text).map_err(|e| Failure::Failed(format!("{shown}:{e}")))?;
    let read = references.len();

    let opened = Store::open(dir, Mode::Write)?;
    for n in &opened.notices {
        eprintln!("{n}");
    }
    let (mut store, mut project) = (opened.store, opened.project);
    let report = refs::plan(&project, references);
    if let Some(edit) = report.edit.clone() {
        store.apply(&mut project, edit)?;
    }

    println!("{shown}: {read} reference(s) ({})", format.label());
    for o in &report.outcomes {
        println!("{shown}:{}: {}", o.line, describe(o, &project));
        for d in &o.differences {
            println!(
                "{shown}:{}:   differs in {}: kept \"{}\", the file has \"{}\"",
                o.line, d.field, d.ours, d.theirs
            );
        }
        for n in &o.notes {
            println!("{shown}:{}:   note: {n}", o.line);
        }
    }
    let [added, enriched, unchanged, skipped] = report.counts();
    let differences: usize = report.outcomes.iter().map(|o| o.differences.len()).sum();
    println!(
        "{added} added, {enriched} enriched, {unchanged} unchanged, {skipped} skipped{}",
        if differences > 0 {
            format!("; {differences} difference(s) kept as they were in the project")
        } else {
            String::new()
        }
    );
    Ok(())
}

fn describe(o: &Outcome, project: &crate::model::Project) -> String {
    let who = |key: &str| {
        project
            .study_by_key(key)
            .map(|s| s.citation.short())
            .unwrap_or_default()
    };
    let filled = |f: &[&str]| {
        if f.is_empty() {
            String::new()
        } else {
            format!("; filled {}", f.join(", "))
        }
    };
    match &o.action {
        Action::Added { key } => format!("added {key}: {}", who(key)),
        Action::Enriched { key, by, filled: f } => {
            format!("enriched {key} (matched by {}){}", by.label(), filled(f))
        }
        Action::Unchanged { key, by } => {
            format!("unchanged {key} (matched by {})", by.label())
        }
        Action::Duplicate { key, by, filled: f } => format!(
            "the same reference as {key}, above (matched by {}){}",
            by.label(),
            filled(f)
        ),
        Action::Skipped { reason } => format!("skipped: {reason}"),
    }
}
