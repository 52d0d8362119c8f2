//! The merge driver inside a real `git merge`: two branches edit the same study
//! file and rename the same code differently; the merge needs no human.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;
use thematic::model::{Code, CodeKind, Edit, Id};
use thematic::store::{Mode, Store, check};

const BIN: &str = env!("CARGO_BIN_EXE_thematic");

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let mut all = vec![
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.org",
        "-c",
        "init.defaultBranch=main",
    ];
    all.extend_from_slice(args);
    run(dir, "git", &all)
}

fn thematic(dir: &Path, args: &[&str]) -> String {
    run(dir, BIN, args)
}

/// A project with one study, a code `Theme/Waiting` (with codings) and an unused code `Theme/Spare`.
fn project() -> TempDir {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("results.txt"),
        "Clinicians spoke of waiting lists. “Waiting is the treatment,” one said.\n\n\
         Diagnosis opened doors; diagnosis also closed them. Trust took time.\n",
    )
    .unwrap();
    thematic(root, &["init", "p", "--title", "T", "--reviewer", "Ann"]);
    thematic(root, &["import", "p", "results.txt"]);
    thematic(
        root,
        &[
            "autocode",
            "p",
            "--code",
            "Theme/Waiting",
            "--match",
            "waiting",
        ],
    );
    thematic(
        root,
        &[
            "autocode",
            "p",
            "--code",
            "Theme/Spare",
            "--match",
            "zzz-no-match",
        ],
    );
    std::fs::remove_file(root.join("results.txt")).unwrap();
    thematic(root, &["git-setup", "p"]);
    git(&root.join("p"), &["add", "-A"]);
    git(&root.join("p"), &["commit", "-qm", "base"]);
    git(&root.join("p"), &["branch", "base"]);
    tmp
}

fn rename(dir: &Path, path: &str, to: &str) {
    let mut o = Store::open(dir, Mode::Write).unwrap();
    let id = o.project.codebook.resolve(path).unwrap();
    let mut c: Code = o.project.codebook.get(id).unwrap().clone();
    c.name = to.into();
    o.store.apply(&mut o.project, Edit::PutCode(c)).unwrap();
}

fn codings_of(dir: &Path, path: &str) -> Vec<String> {
    let p = Store::open(dir, Mode::Read).unwrap().project;
    let Some(id) = p.codebook.resolve(path) else {
        return Vec::new();
    };
    p.codings()
        .filter(|(_, c)| c.code == id)
        .map(|(_, c)| c.quote.clone())
        .collect()
}

#[test]
fn git_setup_is_idempotent() {
    let tmp = project();
    let p = tmp.path().join("p");
    let attrs = std::fs::read_to_string(p.join(".gitattributes")).unwrap();
    thematic(tmp.path(), &["git-setup", "p"]);
    assert_eq!(
        std::fs::read_to_string(p.join(".gitattributes")).unwrap(),
        attrs
    );
    assert_eq!(attrs.matches("*.ron merge=thematic").count(), 1);
    let ignore = std::fs::read_to_string(p.join(".gitignore")).unwrap();
    assert_eq!(ignore.matches(".thematic/").count(), 1);
    assert!(git(&p, &["config", "merge.thematic.driver"]).contains("merge %O %A %B %P"));
    // .thematic/ (the lock, UI state) is never committed.
    assert!(!git(&p, &["ls-files"]).contains(".thematic"));
}

#[test]
fn two_branches_coding_the_same_study_and_renaming_the_same_code_merge_without_conflict() {
    let tmp = project();
    let p = tmp.path().join("p");
    git(&p, &["checkout", "-qb", "ours"]);
    thematic(
        &p,
        &[
            "autocode",
            ".",
            "--code",
            "Theme/Diagnosis",
            "--match",
            "diagnosis",
        ],
    );
    rename(&p, "Theme/Waiting", "Waiting (ours)");
    git(&p, &["commit", "-qam", "ours"]);
    git(&p, &["add", "-A"]);
    git(&p, &["checkout", "-q", "base"]);
    git(&p, &["checkout", "-qb", "theirs"]);
    thematic(
        &p,
        &["autocode", ".", "--code", "Theme/Trust", "--match", "trust"],
    );
    rename(&p, "Theme/Waiting", "Waiting (theirs)");
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-qm", "theirs"]);
    git(&p, &["checkout", "-q", "ours"]);
    let out = git(&p, &["merge", "--no-edit", "theirs"]);
    assert!(!out.contains("CONFLICT"), "{out}");
    // Both sides' codings are there, and the project is valid.
    assert_eq!(codings_of(&p, "Theme/Diagnosis").len(), 2);
    assert_eq!(codings_of(&p, "Theme/Trust"), vec!["Trust".to_string()]);
    let report = check(&p).unwrap();
    assert_eq!(report.errors(), 0, "{:?}", report.problems);
    // One name won (deterministically) and the other is kept in the memo.
    let proj = Store::open(&p, Mode::Read).unwrap().project;
    let waiting = proj
        .codebook
        .codes
        .iter()
        .find(|c| c.name.starts_with("Waiting ("))
        .unwrap();
    assert_eq!(waiting.name, "Waiting (theirs)");
    assert!(waiting.memo.contains("Waiting (ours)"), "{}", waiting.memo);
    assert_eq!(codings_of(&p, "Theme/Waiting (theirs)").len(), 2);
    // No conflict markers anywhere, nothing left to commit.
    for f in git(&p, &["ls-files"])
        .lines()
        .filter(|f| f.ends_with(".ron"))
    {
        assert!(
            !std::fs::read_to_string(p.join(f))
                .unwrap()
                .contains("<<<<<<<"),
            "{f}"
        );
    }
    assert!(git(&p, &["status", "--porcelain"]).trim().is_empty());
}

#[test]
fn a_code_deleted_on_one_side_but_used_on_the_other_is_kept() {
    let tmp = project();
    let p = tmp.path().join("p");
    let spare: Id = Store::open(&p, Mode::Read)
        .unwrap()
        .project
        .codebook
        .resolve("Theme/Spare")
        .unwrap();
    git(&p, &["checkout", "-qb", "ours"]);
    {
        let mut o = Store::open(&p, Mode::Write).unwrap();
        o.store
            .apply(&mut o.project, Edit::DeleteCode(spare))
            .unwrap();
    }
    git(&p, &["commit", "-qam", "delete Spare"]);
    git(&p, &["checkout", "-q", "base"]);
    git(&p, &["checkout", "-qb", "theirs"]);
    thematic(
        &p,
        &[
            "autocode",
            ".",
            "--code",
            "Theme/Spare",
            "--match",
            "closed them",
        ],
    );
    git(&p, &["commit", "-qam", "use Spare"]);
    git(&p, &["checkout", "-q", "ours"]);
    let out = git(&p, &["merge", "--no-edit", "theirs"]);
    assert!(!out.contains("CONFLICT"), "{out}");
    if !git(&p, &["status", "--porcelain"]).trim().is_empty() {
        // The driver restored the code in the working tree: commit it.
        git(&p, &["commit", "-qam", "restore"]);
    }
    let report = check(&p).unwrap();
    assert_eq!(report.errors(), 0, "{:?}", report.problems);
    let proj = Store::open(&p, Mode::Read).unwrap().project;
    let c = proj
        .codebook
        .get(spare)
        .expect("the code the other side used is back");
    assert_eq!(c.kind, CodeKind::Code);
    assert_eq!(
        codings_of(&p, "Theme/Spare"),
        vec!["closed them".to_string()]
    );
}

#[test]
fn an_unparsable_side_leaves_conflict_markers_and_fails() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("base.ron"), "(format: 1, codes: [])\n").unwrap();
    std::fs::write(d.join("ours.ron"), "(format: 1, codes: [])\n").unwrap();
    std::fs::write(d.join("theirs.ron"), "(format: 1, codes: [ oops\n").unwrap();
    let out = Command::new(BIN)
        .current_dir(d)
        .args([
            "merge",
            "base.ron",
            "ours.ron",
            "theirs.ron",
            "codebook.ron",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let ours = std::fs::read_to_string(d.join("ours.ron")).unwrap();
    assert!(
        ours.contains("<<<<<<<") && ours.contains(">>>>>>>"),
        "{ours}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not parse"));
}
