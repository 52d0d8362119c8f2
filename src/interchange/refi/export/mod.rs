//! A thematic project → REFI-QDA: a `.qdpx` (project) or a `.qdc` (codebook).
//!
//! The same project always gives the same bytes: ids come from thematic's own ids
//! (or are derived from them), collections follow the project's canonical order,
//! and every zip entry carries the same fixed timestamp.

mod document;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use zip::write::{PreparedZipFile, SimpleFileOptions};
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::{Progress, RefiError};
use crate::model::{Project, Source};
use crate::store::{Mode, STUDIES_DIR, Store};
use document::{codebook_document, project_document};

/// Deflate level: 2 compresses the 1,000-study project to 55 MB in less than half
/// the time level 6 takes to reach 45 MB.
const LEVEL: i64 = 2;
/// Sources read and compressed per round (bounds memory on large projects).
const BATCH: usize = 64;

/// What an export wrote, and what REFI-QDA has no place for.
#[derive(Debug, Default)]
pub struct ExportSummary {
    pub codes: usize,
    pub studies: usize,
    pub sources: usize,
    pub codings: usize,
    /// What was left out or changed, and why, one line each.
    pub notes: Vec<String>,
}

impl std::fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exported {} code(s), {} stud{} with {} source(s), {} coding(s)",
            self.codes,
            self.studies,
            if self.studies == 1 { "y" } else { "ies" },
            self.sources,
            self.codings
        )?;
        for n in &self.notes {
            write!(f, "\n{n}")?;
        }
        Ok(())
    }
}

fn open(dir: &Path) -> Result<(Store, Project), RefiError> {
    let o = Store::open(dir, Mode::Read)?;
    Ok((o.store, o.project))
}

fn io_err(path: &Path, e: &io::Error) -> RefiError {
    RefiError::Failed(format!(
        "{}: {}",
        path.display(),
        crate::store::describe_io(e)
    ))
}

/// A temp file beside `out`, renamed over it once complete.
fn temp_beside(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn commit(tmp: &Path, out: &Path, f: File) -> Result<(), RefiError> {
    f.sync_all().map_err(|e| io_err(out, &e))?;
    drop(f);
    fs::rename(tmp, out).map_err(|e| io_err(out, &e))
}

/// Write the codebook of the project in `dir` to `out` as a `.qdc`.
pub fn export_qdc(dir: &Path, out: &Path) -> Result<ExportSummary, RefiError> {
    let (_, p) = open(dir)?;
    if p.codebook.codes.is_empty() {
        return Err(RefiError::Failed(format!(
            "{}: the codebook is empty; a .qdc needs at least one code",
            dir.display()
        )));
    }
    let (bytes, sum) = codebook_document(&p).map_err(|e| io_err(out, &e))?;
    let tmp = temp_beside(out);
    let r = (|| {
        let mut f = File::create(&tmp).map_err(|e| io_err(out, &e))?;
        f.write_all(&bytes).map_err(|e| io_err(out, &e))?;
        commit(&tmp, out, f)
    })();
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r.map(|()| sum)
}

/// Write the project in `dir` to `out` as a `.qdpx`.
pub fn export_qdpx(
    dir: &Path,
    out: &Path,
    progress: &dyn Progress,
) -> Result<ExportSummary, RefiError> {
    progress.start("opening the project", 0);
    let (store, p) = open(dir)?;
    progress.start("writing project.qde", 0);
    let (xml, sum) = project_document(&p).map_err(|e| io_err(out, &e))?;
    progress.finish();
    let sources: Vec<&Source> = p.studies.iter().flat_map(|s| &s.sources).collect();
    let tmp = temp_beside(out);
    let r = write_zip(&store, &tmp, out, &xml, &sources, progress);
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r.map(|()| sum)
}

fn write_zip(
    store: &Store,
    tmp: &Path,
    out: &Path,
    xml: &[u8],
    sources: &[&Source],
    progress: &dyn Progress,
) -> Result<(), RefiError> {
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
        .compression_level(Some(LEVEL));
    let zip_err = |e: zip::result::ZipError| RefiError::Failed(format!("{}: {e}", out.display()));
    let file = File::create(tmp).map_err(|e| io_err(out, &e))?;
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
    progress.start("exporting sources", sources.len() as u64);
    // The project document compresses on its own thread while the texts are read,
    // checked and compressed on all cores; entries go out in a fixed order.
    let texts = std::thread::scope(|scope| {
        let qde = scope.spawn(|| PreparedZipFile::from_data("project.qde", opts, xml));
        let mut texts = Vec::with_capacity(sources.len());
        for batch in sources.chunks(BATCH) {
            let done = crate::par::map(batch, |src| {
                let r = prepare_text(store, src, opts);
                progress.advance(1);
                r
            });
            for r in done {
                texts.push(r?);
            }
        }
        let qde = qde
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
            .map_err(zip_err)?;
        Ok::<_, RefiError>((qde, texts))
    });
    progress.finish();
    let (qde, texts) = texts?;
    zip.add_prepared_file(qde).map_err(zip_err)?;
    for t in texts {
        zip.add_prepared_file(t).map_err(zip_err)?;
    }
    let w = zip.finish().map_err(zip_err)?;
    let f = w.into_inner().map_err(|e| io_err(out, e.error()))?;
    commit(tmp, out, f)
}

/// Read one source's text, make sure it is the text its codings were made on, and
/// compress it as `sources/<id>.txt`.
fn prepare_text(
    store: &Store,
    src: &Source,
    opts: SimpleFileOptions,
) -> Result<PreparedZipFile, RefiError> {
    let path = store.text_path(src);
    let rel = format!("{STUDIES_DIR}/{}", src.file);
    let bytes = fs::read(&path)
        .map_err(|e| RefiError::Failed(format!("{rel}: {}", crate::store::describe_io(&e))))?;
    if crate::text::sha256_hex(&bytes) != src.sha256 {
        return Err(RefiError::Failed(format!(
            "{rel}: the text changed since it was coded, so its codings' positions may be off; \
             open the project in thematic (which re-anchors them) and export again"
        )));
    }
    PreparedZipFile::from_data(format!("sources/{}.txt", src.id), opts, &bytes)
        .map_err(|e| RefiError::Failed(format!("{rel}: {e}")))
}
