//! After a merge, a coding may use a code that the other side deleted (git merges
//! files one by one, and takes a file changed on one side only without asking us).
//! The deletion yields: the code is restored in `codebook.ron` — from the versions
//! of the codebook git knows, or, if none has it, as a clearly named placeholder.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::model::{Code, CodeKind, Codebook, Id, Study};
use crate::store::{StoreError, from_ron, to_ron, write_file_atomically};

/// Restore every code that `studies` use but `root/codebook.ron` lacks; returns one
/// line per code restored. `root` is the project folder relative to the current
/// directory (git runs drivers and hooks at the top of the work tree).
pub fn missing_codes(root: &Path, studies: &[Study]) -> Result<Vec<String>, StoreError> {
    let cb_path = root.join("codebook.ron");
    let Ok(bytes) = std::fs::read(&cb_path) else {
        return Ok(Vec::new());
    };
    let mut cb: Codebook = from_ron("codebook.ron", &bytes)?;
    if studies
        .iter()
        .flat_map(|s| &s.codings)
        .all(|c| cb.get(c.code).is_some())
    {
        return Ok(Vec::new());
    }

    let lines = restore_into(&mut cb, studies, &codebooks_in_git(&cb_path));
    write_file_atomically(&cb_path, &to_ron(&cb))?;
    Ok(lines)
}

/// Add to `cb` every code `studies` use that it lacks, taken (with its missing
/// ancestors) from the first of `known` that has it, else as a placeholder.
pub fn restore_into(cb: &mut Codebook, studies: &[Study], known: &[Codebook]) -> Vec<String> {
    let missing: BTreeSet<Id> = studies
        .iter()
        .flat_map(|s| s.codings.iter().map(|c| c.code))
        .filter(|id| cb.get(*id).is_none())
        .collect();
    let mut lines = Vec::new();
    for id in missing {
        let mut cur = Some(id);
        while let Some(c) = cur.filter(|c| cb.get(*c).is_none()) {
            let code = known
                .iter()
                .find_map(|k| k.get(c))
                .cloned()
                .unwrap_or_else(|| placeholder(c));
            cur = code.parent;
            lines.push(format!(
                "code `{}`: deleted on one side but used by a coding from the other; restored in codebook.ron",
                code.name
            ));
            cb.codes.push(code);
        }
    }
    if !lines.is_empty() {
        cb.canonicalize();
    }
    lines
}

/// Restore what every study file of the project at `root` needs (the post-merge hook).
pub fn missing_codes_in_project(root: &Path) -> Result<Vec<String>, StoreError> {
    let mut studies = Vec::new();
    if let Ok(rd) = std::fs::read_dir(root.join("studies")) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "ron")
                && let Ok(bytes) = std::fs::read(&p)
                && let Ok(s) = from_ron::<Study>(&p.display().to_string(), &bytes)
            {
                studies.push(s);
            }
        }
    }
    missing_codes(root, &studies)
}

fn placeholder(id: Id) -> Code {
    Code {
        id,
        parent: None,
        order: i64::MAX / 2,
        kind: CodeKind::Code,
        name: format!("Recovered code {}", &id.to_string()[..8]),
        description: String::new(),
        color: String::new(),
        memo: "[thematic merge: a coding used this code, which was deleted on the other side and \
               could not be found in git; rename it or merge it into the right code]"
            .into(),
    }
}

/// The codebooks git can show around a merge or rebase: both sides and their base.
fn codebooks_in_git(cb_path: &Path) -> Vec<Codebook> {
    let prefix = Command::new("git")
        .args(["rev-parse", "--show-prefix"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let rel = format!(
        "{prefix}{}",
        cb_path.to_string_lossy().trim_start_matches("./")
    );
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| o.stdout)
    };
    let mut revs: Vec<String> = [
        "MERGE_HEAD",
        "REBASE_HEAD",
        "CHERRY_PICK_HEAD",
        "HEAD",
        "HEAD^2",
        "HEAD^1",
        "ORIG_HEAD",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (a, b) in [("HEAD", "MERGE_HEAD"), ("HEAD^1", "HEAD^2")] {
        if let Some(base) = git(&["merge-base", a, b]) {
            revs.push(String::from_utf8_lossy(&base).trim().to_string());
        }
    }
    revs.iter()
        .filter_map(|rev| git(&["show", &format!("{rev}:{rel}")]))
        .filter_map(|bytes| from_ron::<Codebook>("codebook.ron", &bytes).ok())
        .collect()
}
