use std::path::Path;

use super::{CmdResult, Failure};
use crate::model::Project;
use crate::store::Store;

pub fn run(dir: &Path, title: &str, reviewer: &str, question: &str) -> CmdResult {
    if title.trim().is_empty() || reviewer.trim().is_empty() {
        return Err(Failure::Usage(
            "--title and --reviewer must not be empty".into(),
        ));
    }
    let mut project = Project::new(title.trim(), reviewer.trim());
    project.meta.question = question.trim().to_string();
    Store::create(dir, &project)?;
    println!(
        "created {} — add studies with `thematic import {} FILE...`",
        dir.display(),
        dir.display()
    );
    Ok(())
}
