//! `thematic combine A B --out C`: a thin shell over `merge::combine`.

use std::path::PathBuf;

use super::{CmdResult, Failure};
use crate::merge::combine::{CombineError, combine};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Sources match by the hash of their text, codes by id and then by path; \
every coding keeps its reviewer, and identical codings are not duplicated. Where the two \
projects differ (a study's text, a code's name, the owner), the base's version is kept: \
the project whose owner has the smaller reviewer id (then the smaller project id), so that \
`combine A B` and `combine B A` write the same files. Codings that cannot be placed in the \
base's text are kept and flagged, never dropped."
)]
pub struct Args {
    /// One reviewer's project.
    pub a: PathBuf,
    /// The other reviewer's project.
    pub b: PathBuf,
    /// The new project (must not exist, or be empty).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(a: &Args) -> CmdResult {
    let summary = combine(&a.a, &a.b, &a.out).map_err(|e| match e {
        CombineError::Usage(m) => Failure::Usage(m),
        CombineError::Failed(m) => Failure::Failed(m),
    })?;
    for line in summary.lines() {
        println!("{line}");
    }
    Ok(())
}
