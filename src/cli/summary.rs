//! `thematic DIR` without the workstation: a one-screen summary of the project.

use std::path::Path;

use super::CmdResult;
use crate::store::{Mode, Store};

pub fn run(dir: &Path) -> CmdResult {
    let opened = Store::open(dir, Mode::Read)?;
    let p = &opened.project;
    println!("{}", p.meta.title);
    if !p.meta.question.is_empty() {
        println!("Question: {}", p.meta.question);
    }
    println!(
        "{} studies, {} codes, {} codings (reviewer: {})",
        p.studies.len(),
        p.codebook.codes.len(),
        p.studies.iter().map(|s| s.codings.len()).sum::<usize>(),
        p.meta.reviewer.name
    );
    for s in &p.studies {
        println!("  {:<24} {:>4} codings  {}", s.key, s.codings.len(), s.citation.short());
    }
    Ok(())
}
