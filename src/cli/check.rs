use std::path::Path;

use super::{CmdResult, Failure};
use crate::store;

pub fn run(dir: &Path) -> CmdResult {
    let report = store::check(dir)?;
    for p in &report.problems {
        println!("{p}");
    }
    let errors = report.errors();
    let warnings = report.problems.len() - errors;
    let summary = format!(
        "{} studies, {} sources, {} codings: {errors} error(s), {warnings} warning(s)",
        report.studies, report.sources, report.codings
    );
    if errors > 0 {
        return Err(Failure::Failed(summary));
    }
    println!("{summary}");
    Ok(())
}
