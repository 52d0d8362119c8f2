//! REFI-QDA → a new thematic project.
//!
//! Cases that group text sources become studies; other text sources become
//! studies of their own; codes keep their tree (`A::B` names become paths); notes
//! go to the memo of what they are attached to; every position is converted to
//! code points (see `positions`). Whatever thematic cannot hold is counted and
//! named in the summary.

mod codes;
mod disk;
mod notes;
mod report;
mod reviewers;
mod sources;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::archive::Package;
use super::read::{self, Doc, TextSource, XmlError};
use super::xml::{normalize_datetime, parse_guid};
use super::{Progress, RefiError};
use crate::model::{FORMAT, Id, Project, ProjectMeta, Reviewer};
use crate::store::{Problem, line_col};
use codes::CodeTree;
use disk::{io_fail, write};
use notes::{Notes, join_texts};
use report::Seen;
use reviewers::{People, people, people_note};
use sources::{
    Assembly, Converted, Counts, Ctx, convert, display_name, load_text, set_variable, stem,
};

pub(super) use sources::CITATION;

/// What the user may say about the new project.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The project's title (default: the REFI project's name, or the file's stem).
    pub title: Option<String>,
    /// The owner. For a `.qdpx`, a REFI user of that name becomes the owner (else a
    /// new reviewer does, and every REFI user is a collaborator); by default the
    /// project's creating user, else the first user.
    pub reviewer: Option<String>,
}

/// What an import did, for the closing summary.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub codes: usize,
    pub studies: usize,
    pub sources: usize,
    pub codings: usize,
    /// How things were read (owner, position units…), one line each.
    pub notes: Vec<String>,
    /// What was not imported, and why, one line each.
    pub skipped: Vec<String>,
    /// What `check` found in the new project.
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "imported {} code(s), {} stud{} with {} source(s), {} coding(s)",
            self.codes,
            self.studies,
            if self.studies == 1 { "y" } else { "ies" },
            self.sources,
            self.codings
        )?;
        for n in &self.notes {
            writeln!(f, "{n}")?;
        }
        if self.skipped.is_empty() {
            writeln!(f, "skipped: nothing")?;
        }
        for s in &self.skipped {
            writeln!(f, "skipped: {s}")?;
        }
        let errors = self.problems.iter().filter(|p| !p.warning).count();
        write!(
            f,
            "check: {errors} error(s), {} warning(s)",
            self.problems.len() - errors
        )
    }
}

/// Import a `.qdpx` (or a bare `.qde` with `sources/` beside it) into `dir`, which
/// must not exist or be empty.
pub fn import_qdpx(
    file: &Path,
    dir: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary, RefiError> {
    ensure_new(dir)?;
    progress.start("reading the project", 0);
    let unpacked;
    let file = if file.is_dir() {
        unpacked = qde_in(file)?;
        unpacked.as_path()
    } else {
        file
    };
    let bytes = read_input(file)?;
    let pkg = Package::open(file, &bytes)?;
    let qde = pkg.qde_bytes(&bytes)?;
    let label = if pkg.label.ends_with(&pkg.qde_name) {
        pkg.label.clone()
    } else {
        format!("{}!{}", pkg.label, pkg.qde_name)
    };
    let doc = parse_doc(&label, &qde)?;
    progress.finish();
    if doc.is_codebook {
        return Err(RefiError::Usage(format!(
            "{label}: this is a REFI-QDA codebook (<CodeBook>); use `thematic import-qdc`"
        )));
    }
    let built = build(&doc, &pkg, file, opts, progress)?;
    write(dir, built, progress)
}

/// Import a `.qdc` codebook into `dir` as a new project with that code tree.
pub fn import_qdc(
    file: &Path,
    dir: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary, RefiError> {
    ensure_new(dir)?;
    let bytes = read_input(file)?;
    let label = file.display().to_string();
    if super::archive::is_zip(&bytes) {
        return Err(RefiError::Usage(format!(
            "{label}: this is a zip (a .qdpx project?); use `thematic import-qdpx`"
        )));
    }
    let doc = parse_doc(&label, &bytes)?;
    if !doc.is_codebook {
        return Err(RefiError::Usage(format!(
            "{label}: this is a REFI-QDA project (<Project>), not a codebook; use `thematic import-qdpx`"
        )));
    }
    let mut taken = HashSet::new();
    let owner = Reviewer {
        id: Id::new(),
        name: opts.reviewer.clone().unwrap_or_else(default_reviewer),
    };
    taken.insert(owner.id);
    let mut summary = ImportSummary::default();
    let mut tally = Tally::default();
    let tree = CodeTree::build(&doc.codes, splits_paths(&doc.origin), &mut taken);
    summary.notes.extend(tree.made_note());
    let notes = Notes::default();
    let codebook = tree.into_codebook(&notes, &mut HashSet::new());
    if doc.sets > 0 {
        tally.skip(format!(
            "{} code set(s): thematic has no sets (the codes themselves were imported)",
            doc.sets
        ));
    }
    tally.unknown(&doc);
    let mut meta = ProjectMeta::new(&title(opts, &doc, file), &owner.name);
    meta.reviewer = owner;
    summary.skipped = tally.lines;
    let project = Project {
        meta,
        codebook,
        studies: Vec::new(),
    };
    write(
        dir,
        Built {
            project,
            texts: Vec::new(),
            summary,
        },
        progress,
    )
}

/// Whether code names of this exporter may squeeze a path into `A::B`: every
/// exporter but thematic itself (which writes the tree as nesting).
fn splits_paths(origin: &str) -> bool {
    !origin.trim_start().starts_with("thematic")
}

fn ensure_new(dir: &Path) -> Result<(), RefiError> {
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map(|mut rd| rd.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(RefiError::Usage(format!(
                "{}: already exists and is not empty (import-qdpx and import-qdc create a new project)",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// An unpacked `.qdpx`: the folder's `.qde` (`project.qde` if there are several).
fn qde_in(folder: &Path) -> Result<PathBuf, RefiError> {
    let mut found: Vec<PathBuf> = fs::read_dir(folder)
        .map_err(|e| io_fail(folder, &e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("qde")))
        .collect();
    found.sort_by_key(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase());
        (name.as_deref() != Some("project.qde"), p.clone())
    });
    found.into_iter().next().ok_or_else(|| {
        RefiError::Usage(format!(
            "{}: is a folder with no .qde file in it; name the .qdpx, .qde or .qdc file",
            folder.display()
        ))
    })
}

fn read_input(file: &Path) -> Result<Vec<u8>, RefiError> {
    if file.is_dir() {
        return Err(RefiError::Usage(format!(
            "{}: is a folder; name the .qdpx, .qde or .qdc file",
            file.display()
        )));
    }
    fs::read(file).map_err(|e| {
        RefiError::Failed(format!(
            "{}: {}",
            file.display(),
            crate::store::describe_io(&e)
        ))
    })
}

fn parse_doc(label: &str, bytes: &[u8]) -> Result<Doc, RefiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let (l, c) = line_col(&String::from_utf8_lossy(&bytes[..at]), at);
        RefiError::Failed(format!(
            "{label}:{l}:{c}: not UTF-8 (REFI-QDA files are UTF-8)"
        ))
    })?;
    read::parse(text).map_err(|XmlError { offset, message }| {
        let (l, c) = line_col(text, offset);
        RefiError::Failed(format!("{label}:{l}:{c}: {message}"))
    })
}

fn default_reviewer() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty() && u != "root")
        .unwrap_or_else(|| "Reviewer".to_string())
}

fn title(opts: &ImportOptions, doc: &Doc, file: &Path) -> String {
    opts.title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| Some(doc.name.trim().to_string()).filter(|n| !n.is_empty()))
        .unwrap_or_else(|| {
            file.file_stem()
                .map_or_else(|| "Imported review".into(), |s| s.to_string_lossy().into())
        })
}

/// Use a REFI GUID as the id when it is one and no other entity has it yet (so a
/// round trip keeps ids); otherwise a fresh id.
fn claim(guid: &str, taken: &mut HashSet<Id>) -> Id {
    if let Some(id) = parse_guid(guid)
        && taken.insert(id)
    {
        return id;
    }
    loop {
        let id = Id::new();
        if taken.insert(id) {
            return id;
        }
    }
}

/// Counted losses, as summary lines.
#[derive(Default)]
struct Tally {
    lines: Vec<String>,
}

impl Tally {
    fn skip(&mut self, line: String) {
        self.lines.push(line);
    }

    fn unknown(&mut self, doc: &Doc) {
        if !doc.unknown.is_empty() {
            let names: Vec<String> = doc
                .unknown
                .iter()
                .map(|(k, n)| format!("<{k}> ×{n}"))
                .collect();
            self.skip(format!(
                "elements this reader does not know: {}",
                names.join(", ")
            ));
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The new project, its texts (file relative to `studies/`, text), and the summary so far.
pub(super) struct Built {
    project: Project,
    texts: Vec<(String, String)>,
    summary: ImportSummary,
}

fn build(
    doc: &Doc,
    pkg: &Package,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<Built, RefiError> {
    let mut taken: HashSet<Id> = HashSet::new();
    let mut tally = Tally::default();
    let mut summary = ImportSummary::default();

    let People {
        owner,
        collaborators,
        users,
    } = people(doc, opts, &mut taken);
    summary.notes.push(people_note(&owner, &collaborators));

    let notes = Notes::new(doc, pkg, &mut tally);
    let mut used_notes: HashSet<String> = HashSet::new();
    let tree = CodeTree::build(&doc.codes, splits_paths(&doc.origin), &mut taken);
    summary.notes.extend(tree.made_note());
    let code_ids = tree.by_guid.clone();
    let codebook = tree.into_codebook(&notes, &mut used_notes);

    // Texts, read and converted on all cores.
    progress.start("reading sources", doc.text_sources.len() as u64);
    let ctx = Ctx {
        codes: &code_ids,
        users: &users,
        owner: owner.id,
        notes: &notes,
        origin: &doc.origin,
    };
    let converted: Vec<Result<Converted, String>> = crate::par::map(&doc.text_sources, |ts| {
        let r = load_text(ts, pkg, &doc.base_path).map(|t| convert(ts, t, &ctx));
        progress.advance(1);
        r
    });
    progress.finish();
    let failed: Vec<(&TextSource, &String)> = doc
        .text_sources
        .iter()
        .zip(&converted)
        .filter_map(|(ts, r)| r.as_ref().err().map(|e| (ts, e)))
        .collect();
    if !doc.text_sources.is_empty() && failed.len() == doc.text_sources.len() {
        let first = failed[0];
        let first = format!("{}: {}", display_name(first.0), first.1);
        return Err(RefiError::Failed(if pkg.has_sources() {
            format!(
                "{}: none of its {} text source(s) could be read ({first}); nothing was imported",
                pkg.label,
                doc.text_sources.len()
            )
        } else {
            format!(
                "{}: the package holds no source files (no sources/ folder, or an empty one), so none of \
                 its {} text source(s) can be imported ({first}); export the project again with its \
                 documents included. Nothing was imported",
                pkg.label,
                doc.text_sources.len()
            )
        }));
    }
    for (ts, why) in &failed {
        let n = ts.selections.iter().map(|s| s.codings.len()).sum::<usize>() + ts.codings.len();
        tally.skip(format!(
            "text source `{}` with {}: {why}",
            display_name(ts),
            plural(n, "coding", "codings")
        ));
    }

    // Studies: cases that group text sources, then every other text source.
    progress.start("assembling studies", 0);
    let by_guid: HashMap<&str, usize> = doc
        .text_sources
        .iter()
        .enumerate()
        .map(|(i, t)| (t.guid.as_str(), i))
        .collect();
    let variables: HashMap<&str, &str> = doc
        .variables
        .iter()
        .map(|v| (v.guid.as_str(), v.name.as_str()))
        .collect();
    let mut claimed: Vec<bool> = vec![false; doc.text_sources.len()];
    let mut project = Project {
        meta: ProjectMeta {
            format: FORMAT,
            id: Id::new(),
            title: title(opts, doc, file),
            question: doc.description.trim().to_string(),
            reviewer: owner.clone(),
            created: doc
                .created
                .as_deref()
                .and_then(normalize_datetime)
                .unwrap_or_else(crate::model::now),
            collaborators,
        },
        codebook,
        studies: Vec::new(),
    };
    let mut a = Assembly {
        doc,
        notes: &notes,
        variables,
        converted: converted.into_iter().map(Result::ok).collect(),
        files: HashSet::new(),
        texts: Vec::new(),
        units: BTreeMap::new(),
        counts: Counts::default(),
        unknown_vars: 0,
        taken,
        used_notes,
    };
    let (mut multi_case, mut empty_cases, mut case_refs) = (0, 0, 0);
    for case in &doc.cases {
        let mut members = Vec::new();
        for g in &case.sources {
            let Some(&i) = by_guid.get(g.as_str()) else {
                continue;
            };
            if claimed[i] {
                multi_case += 1;
            } else if a.converted[i].is_some() {
                claimed[i] = true;
                members.push(i);
            }
        }
        if members.is_empty() && !case.sources.is_empty() {
            empty_cases += 1;
            continue;
        }
        case_refs += case.refs;
        let name = match case.name.trim() {
            "" => "case",
            n => n,
        };
        let at = a.add_study(&mut project, name, &case.guid, &members);
        let link_notes = notes.join(&[], &case.guid, &mut a.used_notes);
        let study = &mut project.studies[at];
        study.memo = join_texts([
            case.description.as_str(),
            link_notes.as_str(),
            study.memo.as_str(),
        ]);
        for (k, v) in &case.values {
            match a.variables.get(k.as_str()) {
                Some(name) => set_variable(study, name, v),
                None => a.unknown_vars += 1,
            }
        }
    }
    for (i, ts) in doc.text_sources.iter().enumerate() {
        if claimed[i] || a.converted[i].is_none() {
            continue;
        }
        let name = match stem(&ts.name) {
            n if n.is_empty() => "source".to_string(),
            n => n,
        };
        a.add_study(&mut project, &name, "", &[i]);
    }
    let Assembly {
        texts,
        units,
        counts,
        unknown_vars,
        used_notes,
        ..
    } = a;
    project.sort_studies();

    report::losses(
        &Seen {
            doc,
            notes: &notes,
            units,
            counts,
            used_notes,
            multi_case,
            empty_cases,
            case_refs,
            unknown_vars,
        },
        &mut summary,
        &mut tally,
    );
    tally.unknown(doc);
    summary.skipped = tally.lines;
    progress.finish();
    Ok(Built {
        project,
        texts,
        summary,
    })
}
