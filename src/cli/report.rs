//! `thematic report DIR KIND [--format F] [-o FILE]`: a thin shell over `report`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CmdResult, Failure, parse_construct};
use crate::model::Construct;
use crate::report::{self, Format, Kind, MatrixBy, Options, SegmentFilter};
use crate::store::{Mode, Store, sync_dir};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The project directory.
    pub dir: PathBuf,
    /// coverage | matrix | codebook | segments | characteristics | appraisal
    pub kind: String,
    /// table | csv | md | json | html
    #[arg(long, short = 'f', default_value = "table")]
    pub format: String,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long = "output", short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// matrix: the tree depth of the rows (1 = top-level codes).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub depth: Option<u32>,
    /// matrix: what a cell counts: codings | presence | coverage.
    #[arg(long)]
    pub by: Option<String>,
    /// segments: only this code (a path `Theme/Code` or an id) and its descendants.
    #[arg(long)]
    pub code: Option<String>,
    /// segments: only this study (its key).
    #[arg(long)]
    pub study: Option<String>,
    /// segments: only codings of this construct type.
    #[arg(long, value_parser = parse_construct)]
    pub construct: Option<Construct>,
}

const KINDS: &str = "coverage, matrix, codebook, segments, characteristics or appraisal";

pub fn run(a: &Args) -> CmdResult {
    let kind = match Kind::parse(&a.kind) {
        Some(k) => k,
        None if a.kind.trim().eq_ignore_ascii_case("cerqual") => {
            return Err(Failure::Usage(
                "the cerqual report is not available yet; expected ".to_string() + KINDS,
            ));
        }
        None => {
            return Err(Failure::Usage(format!(
                "unknown report `{}`: expected {KINDS}",
                a.kind
            )));
        }
    };
    let format = Format::parse(&a.format).ok_or_else(|| {
        Failure::Usage(format!(
            "unknown format `{}`: expected table, csv, md, json or html",
            a.format
        ))
    })?;
    let only = |opt: &str, given: bool, for_kind: Kind| {
        if given && kind != for_kind {
            Err(Failure::Usage(format!(
                "{opt} applies to the {} report only",
                for_kind.label()
            )))
        } else {
            Ok(())
        }
    };
    only("--depth", a.depth.is_some(), Kind::Matrix)?;
    only("--by", a.by.is_some(), Kind::Matrix)?;
    only("--code", a.code.is_some(), Kind::Segments)?;
    only("--study", a.study.is_some(), Kind::Segments)?;
    only("--construct", a.construct.is_some(), Kind::Segments)?;
    let by = match &a.by {
        None => MatrixBy::Codings,
        Some(b) => MatrixBy::parse(b).ok_or_else(|| {
            Failure::Usage(format!(
                "unknown --by `{b}`: expected codings, presence or coverage"
            ))
        })?,
    };

    let opened = Store::open(&a.dir, Mode::Read)?;
    let (store, project) = (opened.store, opened.project);
    let filter = SegmentFilter {
        code: match &a.code {
            None => None,
            Some(c) => Some(
                project
                    .codebook
                    .resolve(c)
                    .ok_or_else(|| Failure::Failed(format!("no code `{c}`")))?,
            ),
        },
        study: match &a.study {
            None => None,
            Some(k) => Some(
                project
                    .study_by_key(k)
                    .ok_or_else(|| Failure::Failed(format!("no study with key `{k}`")))?
                    .id,
            ),
        },
        construct: a.construct,
    };
    let opts = Options {
        depth: a.depth.map_or(1, |d| d as usize),
        by,
        filter,
        ..Options::default()
    };
    let doc = report::build(&project, &store, kind, &opts, format)?;
    let text = report::render(&doc, format, terminal_width());
    match &a.output {
        Some(path) => write_atomically(path, text.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                // A closed pipe (`| head`) is not a failure of the report.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Failure::Failed(format!("standard output: {e}")))
                }
                _ => Ok(()),
            }
        }
    }
}

/// `COLUMNS` if it is set to a sensible number, else 100.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w >= 20)
        .unwrap_or(100)
}

/// Write a temp file next to `path`, flush it to disk, rename it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> CmdResult {
    let shown = path.display();
    let name = path
        .file_name()
        .ok_or_else(|| Failure::Usage(format!("{shown}: not a file name")))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Failure::Failed(format!("{shown}: {e}")));
    }
    let _ = sync_dir(&dir);
    Ok(())
}
