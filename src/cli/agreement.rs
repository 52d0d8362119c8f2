//! `thematic agreement A [B] [--reviewers R1,R2] [--unit U] [--code PATH] [--format F]`:
//! a thin shell over `merge::agreement`.

use std::io::Write;
use std::path::PathBuf;

use super::{CmdResult, Failure};
use crate::merge::agreement::{AgreementError, Pairing, Unit, compute, pick_reviewers};
use crate::report::Format;
use crate::store::{Mode, Store};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A combined project (two reviewers in one), or the first of two projects.
    pub a: PathBuf,
    /// A second project: every coding of A against every coding of B.
    pub b: Option<PathBuf>,
    /// With one project: the two reviewers to compare (ids or names, comma separated).
    /// Default: the two reviewers with codings, if there are exactly two.
    #[arg(long, conflicts_with = "b")]
    pub reviewers: Option<String>,
    /// char | sentence | paragraph
    #[arg(long, default_value = "char")]
    pub unit: String,
    /// Only this code (a path `Theme/Code` or an id) and the codes beneath it.
    #[arg(long)]
    pub code: Option<String>,
    /// table | csv | md | json
    #[arg(long, short = 'f', default_value = "table")]
    pub format: String,
}

fn failure(e: AgreementError) -> Failure {
    match e {
        AgreementError::Usage(m) => Failure::Usage(m),
        AgreementError::Failed(m) => Failure::Failed(m),
    }
}

pub fn run(a: &Args) -> CmdResult {
    let unit = Unit::parse(&a.unit).ok_or_else(|| {
        Failure::Usage(format!(
            "unknown unit `{}`: expected char, sentence or paragraph",
            a.unit
        ))
    })?;
    let format = Format::parse(&a.format)
        .filter(|f| *f != Format::Html)
        .ok_or_else(|| {
            Failure::Usage(format!(
                "unknown format `{}`: expected table, csv, md or json",
                a.format
            ))
        })?;
    let first = Store::open(&a.a, Mode::Read)?;
    let pairing = match &a.b {
        Some(b) => {
            let second = Store::open(b, Mode::Read)?;
            let (pa, pb) = (&first.project, &second.project);
            let mut names = [pa.meta.reviewer.name.clone(), pb.meta.reviewer.name.clone()];
            if names[0] == names[1] {
                names = [format!("{} (A)", names[0]), format!("{} (B)", names[1])];
            }
            Pairing::projects(pa, pb, names)
        }
        None => {
            let [r1, r2] =
                pick_reviewers(&first.project, a.reviewers.as_deref()).map_err(failure)?;
            Pairing::reviewers(&first.project, [r1.0, r2.0], [r1.1, r2.1])
        }
    };
    let code = match &a.code {
        None => None,
        Some(c) => Some(
            pairing
                .codebook
                .resolve(c)
                .ok_or_else(|| Failure::Failed(format!("no code `{c}`")))?,
        ),
    };
    if pairing.studies == 0 {
        return Err(Failure::Failed(format!(
            "no study is coded by both {} and {}: nothing to compare",
            pairing.reviewers[0], pairing.reviewers[1]
        )));
    }
    let report = compute(&pairing, &first.store, unit, code).map_err(failure)?;
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w >= 20)
        .unwrap_or(100);
    let text = report.render(format, width);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Failed(format!("standard output: {e}")))
        }
        _ => Ok(()),
    }
}
