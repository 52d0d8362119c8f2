//! The project on disk: RON files ⇄ the model, atomic saves of only what changed,
//! one writer at a time, lazy source texts, re-anchoring when a text changed.

mod anchor;
mod atomic;
mod canon;
mod canon_de;
mod check;
mod error;
mod lock;
mod parse;
mod validate;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

pub use crate::model::is_safe_relative;
pub use anchor::{Reanchored, reanchor_source};
pub use atomic::{TEMP_SUFFIX, sync_dir};
pub use canon::Unsupported;
pub use canon_de::Declined;
pub use check::{CheckReport, check};
pub use error::{Problem, StoreError, describe_io};
pub use lock::{Acquired, Lock};
pub use parse::{Versioned, from_ron, from_ron_fast, line_col, to_ron, to_ron_by_ron, to_ron_fast};

use crate::model::{Codebook, Edit, Id, Project, ProjectMeta, Source, Study, Touched};
use crate::text::SourceText;
use atomic::FileWrite;

pub const PROJECT_FILE: &str = "project.ron";
pub const CODEBOOK_FILE: &str = "codebook.ron";
pub const STUDIES_DIR: &str = "studies";

/// Open for reading only (`check`, reports) or for writing (holds the lock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Read,
    Write,
}

/// A project directory and what this process knows about its files.
pub struct Store {
    root: PathBuf,
    lock: Option<Lock>,
    /// Hash of each RON file's bytes as last read or written, by relative path.
    written: HashMap<String, u64>,
    /// The file each study was read from or last written to.
    study_files: HashMap<Id, String>,
}

/// A project just opened, with anything the user should be told.
pub struct Opened {
    pub store: Store,
    pub project: Project,
    /// Things done on opening: a stale lock taken over, temp files removed,
    /// codings re-anchored. One line each.
    pub notices: Vec<String>,
    /// Warnings found in the files (they do not stop opening).
    pub warnings: Vec<Problem>,
    /// The inverse of the re-anchoring done on opening, for the undo stack.
    pub undo: Option<Edit>,
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

fn read(root: &Path, rel: &str) -> Result<Vec<u8>, StoreError> {
    fs::read(root.join(rel)).map_err(|e| StoreError::io(rel, &e))
}

/// Everything read from disk, before it is checked.
struct Loaded {
    meta: ProjectMeta,
    codebook: Codebook,
    studies: Vec<(String, Study)>,
    problems: Vec<Problem>,
    hashes: HashMap<String, u64>,
    /// Study files that an interrupted rename left beside their successor.
    superseded: Vec<String>,
}

impl Store {
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn is_writable(&self) -> bool {
        self.lock.is_some()
    }

    /// Create a new project in `root`, which must not exist or be empty.
    pub fn create(root: &Path, project: &Project) -> Result<Store, StoreError> {
        if root.exists() {
            let mut rd =
                fs::read_dir(root).map_err(|e| StoreError::io(root.display().to_string(), &e))?;
            if rd.next().is_some() {
                return Err(StoreError::Usage(format!(
                    "{}: already exists and is not empty",
                    root.display()
                )));
            }
        }
        fs::create_dir_all(root.join(STUDIES_DIR))
            .map_err(|e| StoreError::io(root.display().to_string(), &e))?;
        let (lock, _) = Lock::acquire(root)?;
        let mut store = Store {
            root: root.to_path_buf(),
            lock: Some(lock),
            written: HashMap::new(),
            study_files: HashMap::new(),
        };
        store.save(project, &Touched::all(project))?;
        Ok(store)
    }

    /// Open the project in `root`. In [`Mode::Write`] the lock is taken first, temp
    /// files of a killed save are removed, and sources whose text changed have their
    /// codings re-anchored (saved at once; the inverse is returned for undo).
    pub fn open(root: &Path, mode: Mode) -> Result<Opened, StoreError> {
        if !root.join(PROJECT_FILE).is_file() {
            return Err(StoreError::NotAProject(root.display().to_string()));
        }
        let mut notices = Vec::new();
        let lock = match mode {
            Mode::Read => None,
            Mode::Write => {
                let (lock, how) = Lock::acquire(root)?;
                if let Acquired::TakenOver(who) = how {
                    notices.push(format!(
                        "took over the lock left by a closed session ({who})"
                    ));
                }
                // Saves write temps beside their files: the project folder, studies/,
                // and (texts) studies/<key>/.
                let mut dirs = vec![root.to_path_buf(), root.join(STUDIES_DIR)];
                if let Ok(rd) = fs::read_dir(root.join(STUDIES_DIR)) {
                    dirs.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
                }
                let n = atomic::remove_stale_temps(&dirs);

                if n > 0 {
                    notices.push(format!(
                        "removed {n} temporary file(s) left by an interrupted save"
                    ));
                }
                Some(lock)
            }
        };
        let loaded = load(root)?;
        if mode == Mode::Write {
            for rel in &loaded.superseded {
                let aside = root.join(".thematic/superseded");
                let name = rel.rsplit('/').next().unwrap_or(rel);
                let moved = fs::create_dir_all(&aside)
                    .and_then(|_| fs::rename(root.join(rel), aside.join(name)));
                match moved {
                    Ok(()) => notices.push(format!(
                        "{rel}: left by an interrupted rename; set aside in .thematic/superseded/"
                    )),
                    Err(e) => return Err(StoreError::io(rel.as_str(), &e)),
                }
            }
        }
        let errors: Vec<Problem> = loaded
            .problems
            .iter()
            .filter(|p| !p.warning)
            .cloned()
            .collect();
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let warnings = loaded.problems;
        let study_files = loaded
            .studies
            .iter()
            .map(|(rel, s)| (s.id, rel.clone()))
            .collect();
        let mut project = Project {
            meta: loaded.meta,
            codebook: loaded.codebook,
            studies: loaded.studies.into_iter().map(|(_, s)| s).collect(),
        };
        project.codebook.canonicalize();
        project.sort_studies();
        for s in &mut project.studies {
            s.sort_codings();
        }
        let mut store = Store {
            root: root.to_path_buf(),
            lock,
            written: loaded.hashes,
            study_files,
        };
        let mut undo = None;
        if mode == Mode::Write {
            let (inverse, lines) = store.verify_sources(&mut project)?;
            notices.extend(lines);
            undo = inverse;
        }
        Ok(Opened {
            store,
            project,
            notices,
            warnings,
            undo,
        })
    }

    /// The path of a source's text file.
    pub fn text_path(&self, source: &Source) -> PathBuf {
        self.root.join(STUDIES_DIR).join(&source.file)
    }

    /// Read a source's text (as stored: exactly the file's bytes, which must be UTF-8).
    pub fn read_text(&self, source: &Source) -> Result<SourceText, StoreError> {
        let rel = format!("{STUDIES_DIR}/{}", source.file);
        if !is_safe_relative(&source.file) {
            return Err(StoreError::Usage(format!(
                "{rel}: not a path inside studies/"
            )));
        }
        let bytes = read(&self.root, &rel)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let pos = line_col(&String::from_utf8_lossy(&e.as_bytes()[..at]), at);
            StoreError::Invalid(vec![Problem::error(
                &rel,
                pos,
                "invalid UTF-8 in source text",
            )])
        })?;
        Ok(SourceText::new(text))
    }

    /// Write a new source text file (relative to `studies/`) atomically. Refuses to
    /// replace an existing file: texts are never rewritten once coded.
    pub fn add_text(&self, file: &str, text: &str) -> Result<(), StoreError> {
        self.require_writable()?;
        let rel = format!("{STUDIES_DIR}/{file}");
        let path = self.root.join(&rel);
        if path.exists() {
            return Err(StoreError::Io {
                path: rel,
                message: "already exists; source texts are never overwritten".into(),
            });
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| StoreError::io(&rel, &e))?;
        }
        atomic::commit(
            &self.root,
            &[FileWrite {
                rel,
                bytes: text.as_bytes().to_vec(),
            }],
            &[],
        )
    }

    /// Whether a file (relative to `studies/`) already exists.
    pub fn text_exists(&self, file: &str) -> bool {
        self.root.join(STUDIES_DIR).join(file).exists()
    }

    fn require_writable(&self) -> Result<(), StoreError> {
        if self.lock.is_none() {
            return Err(StoreError::Usage("the project was opened read-only".into()));
        }
        Ok(())
    }

    /// Save the files `touched` names, writing only those whose bytes changed.
    /// Returns how many files were written or removed.
    pub fn save(&mut self, p: &Project, touched: &Touched) -> Result<usize, StoreError> {
        self.require_writable()?;
        let mut writes: Vec<FileWrite> = Vec::new();
        let mut removes: Vec<String> = Vec::new();
        let mut new_files: Vec<(Id, Option<String>)> = Vec::new();
        let written = &self.written;
        let changed = |rel: &str, bytes: &[u8]| written.get(rel) != Some(&hash(bytes));
        if touched.codebook {
            let bytes = to_ron(&p.codebook);
            if changed(CODEBOOK_FILE, &bytes) {
                writes.push(FileWrite {
                    rel: CODEBOOK_FILE.to_string(),
                    bytes,
                });
            }
        }
        for id in &touched.studies {
            let old = self.study_files.get(id).cloned();
            match p.study(*id) {
                Some(s) => {
                    let rel = format!("{STUDIES_DIR}/{}.ron", s.key);
                    let bytes = to_ron(s);
                    let renamed = old.as_ref().is_some_and(|o| *o != rel);
                    if renamed {
                        removes.push(old.clone().expect("checked"));
                    }
                    if renamed || changed(&rel, &bytes) {
                        writes.push(FileWrite {
                            rel: rel.clone(),
                            bytes,
                        });
                    }
                    new_files.push((*id, Some(rel)));
                }
                None => {
                    if let Some(o) = old {
                        removes.push(o);
                    }
                    new_files.push((*id, None));
                }
            }
        }
        if touched.meta {
            let bytes = to_ron(&p.meta);
            if changed(PROJECT_FILE, &bytes) {
                writes.push(FileWrite {
                    rel: PROJECT_FILE.to_string(),
                    bytes,
                });
            }
        }
        if writes.is_empty() && removes.is_empty() {
            return Ok(0);
        }
        atomic::commit(&self.root, &writes, &removes)?;
        for w in &writes {
            self.written.insert(w.rel.clone(), hash(&w.bytes));
        }
        for r in &removes {
            self.written.remove(r);
        }
        for (id, rel) in new_files {
            match rel {
                Some(rel) => self.study_files.insert(id, rel),
                None => self.study_files.remove(&id),
            };
        }
        Ok(writes.len() + removes.len())
    }

    /// Apply an edit and save what it touched. On a failed save the edit is undone,
    /// so memory and disk agree. Returns the inverse.
    pub fn apply(&mut self, p: &mut Project, edit: Edit) -> Result<Edit, StoreError> {
        let touched = edit.touches();
        let inverse = edit.apply(p)?;
        if let Err(e) = self.save(p, &touched) {
            inverse
                .apply(p)
                .expect("the inverse of an applied edit applies");
            return Err(e);
        }
        Ok(inverse)
    }

    /// Compare each source's text with its recorded hash (a stat cache in
    /// `.thematic/` avoids re-hashing unchanged files); re-anchor the codings of any
    /// that changed, save, and return the inverse and a report.
    fn verify_sources(
        &mut self,
        p: &mut Project,
    ) -> Result<(Option<Edit>, Vec<String>), StoreError> {
        let mut cache = anchor::StatCache::load(&self.root);
        let mut edits = Vec::new();
        let mut lines = Vec::new();
        // Hash the texts the stat cache cannot vouch for, on all cores.
        let todo: Vec<(usize, usize)> = p
            .studies
            .iter()
            .enumerate()
            .flat_map(|(i, s)| (0..s.sources.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| {
                let src = &p.studies[i].sources[j];
                !cache.is_verified(&self.text_path(src), &src.file, &src.sha256)
            })
            .collect();
        let sums = crate::par::map(&todo, |&(i, j)| {
            let src = &p.studies[i].sources[j];
            std::fs::read(self.text_path(src)).map(|b| {
                let chars = b.iter().filter(|&&x| (x as i8) >= -0x40).count() as u32;
                (crate::text::sha256_hex(&b), chars)
            })
        });
        for (&(i, j), sum) in todo.iter().zip(sums) {
            let (s, src) = (&p.studies[i], &p.studies[i].sources[j]);
            let path = self.text_path(src);
            if let Ok((sha, chars)) = &sum
                && *sha == src.sha256
                && *chars == src.chars
            {
                cache.record(&path, &src.file, sha);
                continue;
            }
            let text = match self.read_text(src) {
                Ok(t) => t,
                Err(e) => {
                    lines.push(format!("{e} (its codings are kept as they are)"));
                    continue;
                }
            };
            let sha = text.sha256();
            let r = reanchor_source(s, src, &text, &sha);
            lines.push(format!(
                "studies/{}: the text changed since it was coded; {} coding(s) kept, {} moved to their quote, {} flagged (not found)",
                src.file, r.kept, r.moved, r.flagged
            ));
            edits.push(r.edit);
        }
        cache.save(&self.root);
        if edits.is_empty() {
            return Ok((None, lines));
        }
        let inverse = self.apply(p, Edit::Batch(edits))?;
        Ok((Some(inverse), lines))
    }
}

/// Replace one file atomically (temp file beside it, fsync, rename, fsync the folder).
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| StoreError::Usage(format!("{}: not a file name", path.display())))?;
    atomic::commit(
        dir,
        &[FileWrite {
            rel: name.to_string(),
            bytes: bytes.to_vec(),
        }],
        &[],
    )
}

/// Read and parse every file; parse errors are collected, not returned early.
fn load(root: &Path) -> Result<Loaded, StoreError> {
    let mut problems = Vec::new();
    let mut hashes = HashMap::new();
    let meta_bytes = read(root, PROJECT_FILE)?;
    let meta: ProjectMeta = from_ron(PROJECT_FILE, &meta_bytes)?;
    hashes.insert(PROJECT_FILE.to_string(), hash(&meta_bytes));
    let cb_bytes = match fs::read(root.join(CODEBOOK_FILE)) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(StoreError::io(CODEBOOK_FILE, &e)),
    };
    let codebook = match &cb_bytes {
        Some(b) => {
            let cb: Codebook = from_ron(CODEBOOK_FILE, b)?;
            problems.extend(validate::codebook(
                &cb,
                CODEBOOK_FILE,
                &String::from_utf8_lossy(b),
            ));
            hashes.insert(CODEBOOK_FILE.to_string(), hash(b));
            cb
        }
        None => Codebook::new(),
    };
    let mut rels = Vec::new();
    let dir = root.join(STUDIES_DIR);
    if dir.is_dir() {
        for e in fs::read_dir(&dir).map_err(|e| StoreError::io(STUDIES_DIR, &e))? {
            let e = e.map_err(|e| StoreError::io(STUDIES_DIR, &e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ron") && !name.starts_with('.') && e.path().is_file() {
                rels.push(format!("{STUDIES_DIR}/{name}"));
            }
        }
    }
    rels.sort();
    let codes: HashSet<Id> = codebook.codes.iter().map(|c| c.id).collect();
    let parsed = parse_studies(root, &rels, &codes);
    // Checks across files work on ids only; a file's text is read again only to
    // place a problem found in it.
    let mut coding_ids: HashMap<Id, usize> = HashMap::new();
    let mut study_ids: HashMap<Id, String> = HashMap::new();
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut studies = Vec::with_capacity(parsed.len());
    let at = |rel: &str, needle: &str| {
        let text = fs::read_to_string(root.join(rel)).unwrap_or_default();
        parse::locate(&text, needle)
    };
    let mut superseded = Vec::new();
    for (file, (rel, result)) in parsed.into_iter().enumerate() {
        let p = match result {
            Ok(p) => p,
            Err(StoreError::Invalid(ps)) => {
                problems.extend(ps);
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(other) = study_ids.get(&p.study.id).cloned() {
            let j = studies
                .iter()
                .position(|(r, _)| *r == other)
                .expect("recorded");
            if same_but_key(&studies[j].1, &p.study) {
                // An interrupted rename (the new file is in place, the old one was not
                // yet removed): keep the newer file; set the other aside, never delete it.
                let newer = |r: &str| fs::metadata(root.join(r)).and_then(|m| m.modified()).ok();
                let (keep, drop_rel) = if newer(&rel) >= newer(&other) {
                    (true, other.clone())
                } else {
                    (false, rel.clone())
                };
                problems.push(Problem::warning(
                    &drop_rel,
                    (1, 1),
                    format!(
                        "holds the same study as {} (an interrupted rename); the newer file is used and this one is set aside in .thematic/superseded/",
                        if keep { &rel } else { &other }
                    ),
                ));
                superseded.push(drop_rel.clone());
                hashes.remove(&drop_rel);
                if keep {
                    keys.remove(&studies[j].1.key);
                    keys.insert(p.study.key.clone(), rel.clone());
                    study_ids.insert(p.study.id, rel.clone());
                    hashes.insert(rel.clone(), p.hash);
                    studies[j] = (rel, p.study);
                }
                continue;
            }
            problems.push(Problem::error(
                &rel,
                at(&rel, "id:"),
                format!("study id {} is also used by {other}", p.study.id),
            ));
        }
        problems.extend(p.problems);
        for c in &p.study.codings {
            // Twice within one file was reported by `validate::study`. Across studies
            // it is only a warning: every edit of a coding names its study, so nothing
            // is ambiguous, and refusing to open would lock the reviewer out.
            if coding_ids.insert(c.id, file).is_some_and(|f| f != file) {
                problems.push(Problem::warning(
                    &rel,
                    at(&rel, &format!("id: \"{}\"", c.id)),
                    format!("coding id {} is also used in another study", c.id),
                ));
            }
        }
        study_ids.insert(p.study.id, rel.clone());
        if let Some(other) = keys.insert(p.study.key.clone(), rel.clone()) {
            problems.push(Problem::error(
                &rel,
                at(&rel, "key:"),
                format!("study key `{}` is also used by {other}", p.study.key),
            ));
        }
        hashes.insert(rel.clone(), p.hash);
        studies.push((rel, p.study));
    }
    Ok(Loaded {
        meta,
        codebook,
        studies,
        problems,
        hashes,
        superseded,
    })
}

/// Whether two versions of a study differ at most in their key.
fn same_but_key(a: &Study, b: &Study) -> bool {
    a.id == b.id
        && Study {
            key: b.key.clone(),
            ..a.clone()
        } == *b
}

/// One study file, parsed, hashed and checked on its own.
struct ParsedStudy {
    study: Study,
    hash: u64,
    problems: Vec<Problem>,
}

type Parsed = (String, Result<ParsedStudy, StoreError>);

/// Read and parse study files on all cores: open time is dominated by parsing.
fn parse_studies(root: &Path, rels: &[String], codes: &HashSet<Id>) -> Vec<Parsed> {
    // Each worker drops a file's bytes as soon as it is parsed and checked, so that
    // peak memory stays near the size of the parsed project, not twice it.
    let one = |rel: &String| -> Parsed {
        let r = read(root, rel).and_then(|bytes| {
            let mut study = from_ron::<Study>(rel, &bytes)?;
            study.codings.shrink_to_fit();
            let text = std::str::from_utf8(&bytes).unwrap_or_default();
            let problems = validate::study(&study, rel, text, codes);
            Ok(ParsedStudy {
                hash: hash(&bytes),
                study,
                problems,
            })
        });
        (rel.clone(), r)
    };
    crate::par::map(rels, one)
}
