//! `thematic export DIR (--qdpx FILE | --qdc FILE)`.

use std::path::Path;

use super::import_refi::{Bar, failure};
use super::{CmdResult, Failure};
use crate::interchange::refi;

pub fn run(dir: &Path, qdpx: Option<&Path>, qdc: Option<&Path>) -> CmdResult {
    let (summary, out) = match (qdpx, qdc) {
        (Some(out), None) => (refi::export_qdpx(dir, out, &Bar::new()), out),
        (None, Some(out)) => (refi::export_qdc(dir, out), out),
        _ => {
            return Err(Failure::Usage(
                "name one output: --qdpx FILE or --qdc FILE".into(),
            ));
        }
    };
    let summary = summary.map_err(failure)?;
    println!("{summary}");
    println!("wrote {}", out.display());
    Ok(())
}
