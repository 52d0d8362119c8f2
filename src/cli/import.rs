use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{CmdResult, Failure};
use crate::interchange::docs::{self, EXTENSIONS, Kind};
use crate::model::{Edit, Id, Source, Study};
use crate::store::{Mode, Store, line_col};
use crate::text::{SourceText, slug, strip_bom};

pub fn run(dir: &Path, files: &[PathBuf], study: Option<&str>) -> CmdResult {
    let files = expand(files)?;
    let opened = Store::open(dir, Mode::Write)?;
    for n in &opened.notices {
        eprintln!("{n}");
    }
    let (mut store, mut project) = (opened.store, opened.project);
    let target = match study {
        Some(key) => Some(
            project
                .study_by_key(key)
                .ok_or_else(|| Failure::Failed(format!("no study with key `{key}`")))?
                .id,
        ),
        None => None,
    };
    // Every file is read (documents are converted, the slow part) before anything
    // is written: a file that cannot be read leaves the project as it was.
    let bar = progress(files.len());
    let mut texts = Vec::with_capacity(files.len());
    for file in &files {
        bar.set_message(
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        texts.push(read_text(file).inspect_err(|_| bar.finish_and_clear())?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let mut added = 0;
    for (file, text) in files.iter().zip(texts) {
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("source")
            .to_string();
        let chars = SourceText::new(text.clone()).chars();
        let (study_id, key, edit_for) = match target {
            Some(id) => {
                let s = project.study(id).expect("resolved above");
                (id, s.key.clone(), None)
            }
            None => {
                let key = project.unique_key(&stem);
                let s = Study::new(&key);
                (s.id, key, Some(s))
            }
        };
        let taken: Vec<String> = project
            .study(study_id)
            .map(|s| s.sources.iter().map(|x| x.name.clone()).collect())
            .unwrap_or_default();
        let name = unique(&stem, |n| taken.iter().any(|t| t == n));
        let base = if slug(&name).is_empty() {
            "source".to_string()
        } else {
            slug(&name)
        };
        let file_rel = unique_file(&store, &key, &base);
        store.add_text(&file_rel, &text)?;
        let source = Source {
            id: Id::new(),
            name,
            file: file_rel,
            sha256: crate::text::sha256_hex(text.as_bytes()),
            chars,
        };
        let edit = match edit_for {
            Some(mut s) => {
                s.sources.push(source);
                Edit::AddStudy(Box::new(s))
            }
            None => Edit::PutSource {
                study: study_id,
                source,
            },
        };
        store.apply(&mut project, edit)?;
        println!("{} → {key} ({chars} characters)", file.display());
        added += 1;
    }
    println!("imported {added} file(s)");
    Ok(())
}

/// Folders become the supported files inside them (sorted); files must be supported.
fn expand(files: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            let mut inside: Vec<PathBuf> = fs::read_dir(f)
                .map_err(|e| {
                    Failure::Failed(format!(
                        "{}: {}",
                        f.display(),
                        crate::store::describe_io(&e)
                    ))
                })?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && supported(p))
                .collect();
            inside.sort();
            out.extend(inside);
        } else if !supported(f) {
            let ext = f
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            let hint = match ext.as_str() {
                "doc" | "rtf" | "pages" | "wpd" => "; save it as .docx or .odt first",
                _ => "",
            };
            return Err(Failure::Usage(format!(
                "{}: unsupported file type (thematic imports {}){hint}",
                f.display(),
                EXTENSIONS.map(|e| format!(".{e}")).join(", ")
            )));
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

fn supported(p: &Path) -> bool {
    Kind::of(p).is_some()
}

/// A progress bar on stderr for imports of several files, when stderr is a
/// terminal; a hidden one otherwise (pipes, scripts, tests).
fn progress(files: usize) -> ProgressBar {
    if files < 2 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

/// The file's text as stored: UTF-8 with any BOM dropped, line endings kept;
/// the text of a document (.docx, .odt, .pdf) as `docs` extracts it.
fn read_text(file: &Path) -> Result<String, Failure> {
    let bytes = fs::read(file).map_err(|e| {
        Failure::Failed(format!(
            "{}: {}",
            file.display(),
            crate::store::describe_io(&e)
        ))
    })?;
    match Kind::of(file) {
        Some(Kind::Plain) | None => {}
        Some(kind) => {
            return docs::extract(kind, &bytes)
                .map(|t| strip_bom(&t).to_string())
                .map_err(|e| Failure::Failed(format!("{}: {e}", file.display())));
        }
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(strip_bom(&s).to_string()),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let (line, col) = line_col(&valid, at);
            Err(Failure::Failed(format!(
                "{}:{line}:{col}: not valid UTF-8 (save the file as UTF-8 and import again)",
                file.display()
            )))
        }
    }
}

fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken(c))
        .expect("some suffix is free")
}

fn unique_file(store: &Store, key: &str, base: &str) -> String {
    unique(&format!("{key}/{base}"), |c| {
        store.text_exists(&format!("{c}.txt"))
    }) + ".txt"
}
