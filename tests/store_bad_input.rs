//! Bad input on disk, through the CLI: a project made with `init` + `import` +
//! `autocode`, then one file corrupted. `check` must exit 1 with
//! `path:line:col: message`, writing commands must refuse and leave every file as
//! it was, and nothing may panic. A changed source text is re-anchored by the next
//! writing command: codings move to their quotes or are flagged, never dropped.

mod common;

use std::fs;
use std::ops::RangeInclusive;
use std::path::PathBuf;

use tempfile::TempDir;

use common::{assert_same_files, autocode, check, cli_project, position_of, snapshot};
use thematic::model::Coding;
use thematic::store::{Mode, Store};
use thematic::text::{SourceText, sha256_hex};

struct Fixture {
    _tmp: TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = TempDir::new().expect("temp dir");
        let root = tmp.path().join("review");
        cli_project(&root);
        // Clean to begin with.
        let run = check(&root).ok();
        assert!(run.stdout.contains("0 error(s), 0 warning(s)"), "{run:?}");
        Fixture { _tmp: tmp, root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).expect("read file")
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        fs::write(self.path(rel), bytes).expect("write file");
    }

    /// Replace the first occurrence of `from` in a file.
    fn replace(&self, rel: &str, from: &str, to: &str) -> String {
        let text = self.read(rel);
        assert!(text.contains(from), "{from:?} not in {rel}:\n{text}");
        let new = text.replacen(from, to, 1);
        self.write(rel, &new);
        new
    }

    fn codings(&self, key: &str) -> Vec<Coding> {
        let o = Store::open(&self.root, Mode::Read).expect("open");
        o.project.study_by_key(key).expect("study").codings.clone()
    }
}

const STUDY: &str = "studies/okafor-2019.ron";
const TEXT: &str = "studies/okafor-2019/okafor-2019.txt";

/// After corrupting a file: `check` exits 1 and reports `rel:line:col: …` with
/// `line` exactly, the column within `cols`, and each of `words` in the message;
/// `autocode` and `import` refuse with exit 1; no file changes; nothing panics.
/// Returns the problem line.
#[track_caller]
fn assert_reported_and_refused(
    f: &Fixture,
    rel: &str,
    line: usize,
    cols: RangeInclusive<usize>,
    words: &[&str],
) -> String {
    assert_reported(f, rel, line, cols, words, true)
}

#[track_caller]
fn assert_reported(
    f: &Fixture,
    rel: &str,
    line: usize,
    cols: RangeInclusive<usize>,
    words: &[&str],
    import_refused: bool,
) -> String {
    let before = snapshot(&f.root);
    let run = check(&f.root);
    assert_eq!(run.code, 1, "check should fail: {run:?}");
    let prefix = format!("{rel}:{line}:");
    let problem = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| {
            panic!(
                "no problem reported at {prefix}…:\n{}{}",
                run.stdout, run.stderr
            )
        })
        .to_string();
    let col: usize = problem[prefix.len()..]
        .split(':')
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no column in {problem:?}"));
    assert!(
        cols.contains(&col),
        "column {col} is not within {cols:?}: {problem}"
    );
    let lower = problem.to_lowercase();
    for w in words {
        assert!(
            lower.contains(&w.to_lowercase()),
            "the message should mention {w:?}: {problem}"
        );
    }
    assert!(
        run.stderr.contains("error(s)"),
        "a summary on stderr: {}",
        run.stderr
    );
    // check never writes, and says the same thing twice.
    assert_eq!(check(&f.root).stdout, run.stdout);

    let refused = autocode(
        &f.root,
        "Diagnosis/Diagnosis as gatekeeper",
        &["--match", "care"],
    );
    assert_eq!(refused.code, 1, "autocode must refuse: {refused:?}");
    assert!(
        refused.stderr.contains(rel),
        "autocode should name {rel}: {}",
        refused.stderr
    );
    let extra = f.root.with_extension("extra.txt");
    fs::write(&extra, "One more study about care.").unwrap();
    if import_refused {
        let refused = common::thematic([
            std::ffi::OsStr::new("import"),
            f.root.as_os_str(),
            extra.as_os_str(),
        ]);
        assert_eq!(refused.code, 1, "import must refuse: {refused:?}");
    }
    assert_same_files(
        &before,
        &snapshot(&f.root),
        "after refused writing commands",
    );
    assert!(common::temp_files(&f.root).is_empty());
    problem
}

/// Cut the study file in the middle of a coding's quote.
#[test]
fn truncated_study_file_inside_a_string() {
    let f = Fixture::new();
    let text = f.read(STUDY);
    let cut = text.find("quote: \"diag").expect("a quote") + "quote: \"diag".len();
    f.write(STUDY, &text[..cut]);
    let last = &text[..cut];
    let line = last.matches('\n').count() + 1;
    let width = last.rsplit('\n').next().unwrap().chars().count();
    // Where the string starts, or where the file ends.
    let col_quote = width - "\"diag".len() + 1;
    assert_reported_and_refused(&f, STUDY, line, col_quote..=width + 1, &["end"]);
}

/// Cut the study file after a complete line.
#[test]
fn truncated_study_file_at_a_line_end() {
    let f = Fixture::new();
    let text = f.read(STUDY);
    let cut = text.find("    codings: [\n").expect("codings") + "    codings: [\n".len();
    f.write(STUDY, &text[..cut]);
    let lines = text[..cut].matches('\n').count();
    // The end of the file: the end of the last line, or the (empty) line after it.
    let problem = {
        let before = snapshot(&f.root);
        let run = check(&f.root);
        assert_eq!(run.code, 1, "{run:?}");
        let p = run
            .stdout
            .lines()
            .find(|l| l.starts_with(STUDY))
            .unwrap_or_else(|| panic!("{run:?}"))
            .to_string();
        assert_same_files(&before, &snapshot(&f.root), "check");
        p
    };
    let at_end = format!("{STUDY}:{}:1:", lines + 1);
    let at_last = format!("{STUDY}:{lines}:");
    assert!(
        problem.starts_with(&at_end) || problem.starts_with(&at_last),
        "not at the end of the file: {problem}"
    );
    let line = problem[STUDY.len() + 1..]
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_reported_and_refused(&f, STUDY, line, 1..=16, &["expected"]);
}

/// A truncated or empty file should say so, in words a researcher understands.
#[test]
fn truncated_and_empty_files_say_the_file_ends_early() {
    let f = Fixture::new();
    let text = f.read(STUDY);
    let cut = text.find("    codings: [\n").expect("codings") + "    codings: [\n".len();
    for (what, content) in [("truncated", &text[..cut]), ("empty", "")] {
        f.write(STUDY, content);
        let run = check(&f.root);
        assert_eq!(run.code, 1, "{run:?}");
        let problem = run
            .stdout
            .lines()
            .find(|l| l.starts_with(STUDY))
            .unwrap_or_else(|| panic!("{run:?}"));
        let lower = problem.to_lowercase();
        assert!(
            lower.contains("end"),
            "a {what} file: the message should say the file ends early: {problem}"
        );
        assert!(
            !problem.contains("struct `"),
            "a {what} file: the message names a Rust type: {problem}"
        );
    }
}

#[test]
fn a_string_where_a_number_goes() {
    let f = Fixture::new();
    let text = f.read(STUDY);
    let chars = text
        .split("chars: ")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .to_string();
    let new = f.replace(STUDY, &format!("chars: {chars}"), "chars: \"many\"");
    let (line, col) = position_of(&new, "chars: \"many\"");
    assert_reported_and_refused(
        &f,
        STUDY,
        line,
        col..=col + "chars: \"many\"".len(),
        &["integer"],
    );
}

#[test]
fn a_string_where_a_coding_position_goes() {
    let f = Fixture::new();
    let text = f.read(STUDY);
    let start = text
        .split("start: ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let new = f.replace(STUDY, &format!("start: {start},"), "start: \"ten\",");
    let (line, col) = position_of(&new, "start: \"ten\"");
    assert_reported_and_refused(
        &f,
        STUDY,
        line,
        col..=col + "start: \"ten\"".len(),
        &["integer"],
    );
}

#[test]
fn an_unknown_construct() {
    let f = Fixture::new();
    let new = f.replace(STUDY, "construct: Unspecified", "construct: Banana");
    let (line, col) = position_of(&new, "construct: Banana");
    let problem = assert_reported_and_refused(
        &f,
        STUDY,
        line,
        col..=col + "construct: Banana".len(),
        &["Banana"],
    );
    assert!(
        problem.contains("Participant"),
        "the message should list what is allowed: {problem}"
    );
}

#[test]
fn invalid_utf8_in_a_study_file() {
    let f = Fixture::new();
    let text = f.read(STUDY);
    let at = text.find("title: \"\"").expect("an empty title") + "title: \"".len();
    let mut bytes = text.into_bytes();
    bytes.splice(at..at, [0xff, 0xfe]);
    f.write(STUDY, &bytes);
    let valid = std::str::from_utf8(&bytes[..at]).unwrap();
    let line = valid.matches('\n').count() + 1;
    let col = valid.rsplit('\n').next().unwrap().chars().count() + 1;
    assert_reported_and_refused(&f, STUDY, line, col..=col, &["UTF-8"]);
}

#[test]
fn invalid_utf8_in_the_codebook() {
    let f = Fixture::new();
    let text = f.read("codebook.ron");
    let at = text.find("Diagnosis as gatekeeper").unwrap() + "Diagnosis".len();
    let mut bytes = text.into_bytes();
    bytes.insert(at, 0xc3); // a lead byte with no continuation
    f.write("codebook.ron", &bytes);
    let valid = std::str::from_utf8(&bytes[..at]).unwrap();
    let line = valid.matches('\n').count() + 1;
    let col = valid.rsplit('\n').next().unwrap().chars().count() + 1;
    assert_reported_and_refused(&f, "codebook.ron", line, col..=col, &["UTF-8"]);
}

#[test]
fn invalid_utf8_in_a_source_text() {
    let f = Fixture::new();
    let text = f.read(TEXT);
    let at = text.find("key that opens").unwrap() + "key".len();
    let mut bytes = text.into_bytes();
    bytes[at] = 0xff; // replaces the space after "key"
    f.write(TEXT, &bytes);
    let valid = std::str::from_utf8(&bytes[..at]).unwrap();
    let line = valid.matches('\n').count() + 1;
    let col = valid.rsplit('\n').next().unwrap().chars().count() + 1;
    // Import of another file may go on (it never touches this text); autocode,
    // which must read it, refuses.
    let problem = assert_reported(&f, TEXT, line, col..=col, &["UTF-8"], false);
    assert!(problem.contains("source text"), "{problem}");
}

#[test]
fn a_coding_past_the_end_of_its_source() {
    let f = Fixture::new();
    let c = &f.codings("okafor-2019")[0];
    let new = f.replace(
        STUDY,
        &format!("start: {}, end: {},", c.start, c.end),
        &format!("start: {}, end: 99999,", c.start),
    );
    let (line, col) = position_of(&new, &format!("id: \"{}\"", c.id));
    let problem =
        assert_reported_and_refused(&f, STUDY, line, col..=col, &["99999", "past the end"]);
    assert!(
        problem.contains(&c.id.to_string()),
        "the message should name the coding: {problem}"
    );
}

#[test]
fn a_dangling_code_id() {
    let f = Fixture::new();
    let c = &f.codings("okafor-2019")[0];
    let ghost = "00000000-0000-4000-8000-000000000000";
    let new = f.replace(
        STUDY,
        &format!("code: \"{}\"", c.code),
        &format!("code: \"{ghost}\""),
    );
    let (line, col) = position_of(&new, &format!("id: \"{}\"", c.id));
    assert_reported_and_refused(&f, STUDY, line, col..=col, &[ghost, "codebook.ron"]);
}

#[test]
fn a_dangling_parent_in_the_codebook() {
    let f = Fixture::new();
    let text = f.read("codebook.ron");
    let parent = text
        .split("parent: Some(\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let ghost = "00000000-0000-4000-8000-00000000beef";
    let new = f.replace(
        "codebook.ron",
        &format!("parent: Some(\"{parent}\")"),
        &format!("parent: Some(\"{ghost}\")"),
    );
    let line_of_child = new[..new.find(ghost).unwrap()].matches('\n').count() + 1;
    assert_reported_and_refused(&f, "codebook.ron", line_of_child, 1..=12, &[ghost]);
}

/// A newer format is refused (never re-saved, as unknown fields would be lost).
#[test]
fn a_newer_format() {
    let f = Fixture::new();
    f.replace(
        STUDY,
        "format: 1,",
        "format: 99,\n    shiny_new_field: [1, 2, 3],",
    );
    let before = snapshot(&f.root);
    let run = check(&f.root);
    assert_eq!(run.code, 1, "{run:?}");
    let problem = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&format!("{STUDY}:")))
        .unwrap_or_else(|| panic!("{run:?}"));
    assert!(
        problem.contains("99") && problem.contains("newer"),
        "{problem}"
    );
    for args in [&["--match", "care"][..], &["--regex", "care"][..]] {
        let refused = autocode(&f.root, "Theme", args);
        assert_eq!(refused.code, 1, "{refused:?}");
        assert!(
            refused.stderr.contains(STUDY) && refused.stderr.contains("newer"),
            "{}",
            refused.stderr
        );
    }
    assert_same_files(&before, &snapshot(&f.root), "after refusing a newer file");
}

#[test]
fn a_newer_project_file() {
    let f = Fixture::new();
    f.replace("project.ron", "format: 1,", "format: 2,");
    let before = snapshot(&f.root);
    let run = check(&f.root);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.all().contains("project.ron") && run.all().contains("newer"),
        "{run:?}"
    );
    let refused = autocode(&f.root, "Theme", &["--match", "care"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert_same_files(
        &before,
        &snapshot(&f.root),
        "after refusing a newer project.ron",
    );
}

/// `path:line:col` with the position where the problem starts: the `format:` field.
#[test]
fn a_newer_format_is_reported_at_its_line() {
    let f = Fixture::new();
    let new = f.replace(STUDY, "format: 1,", "format: 99,");
    let (line, col) = position_of(&new, "format: 99");
    assert_reported_and_refused(
        &f,
        STUDY,
        line,
        col..=col + "format: 99".len(),
        &["99", "newer"],
    );
}

#[test]
fn git_conflict_markers() {
    let f = Fixture::new();
    let text = f.read(STUDY);
    let first = text.lines().position(|l| l.contains("construct:")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let ours = lines[first].clone();
    let theirs = ours.replace("note: \"\"", "note: \"theirs\"");
    lines.splice(
        first..=first,
        [
            "<<<<<<< HEAD".to_string(),
            ours,
            "=======".to_string(),
            theirs,
            ">>>>>>> other-reviewer".to_string(),
        ],
    );
    f.write(STUDY, lines.join("\n") + "\n");
    assert_reported_and_refused(&f, STUDY, first + 1, 1..=1, &["conflict"]);
}

#[test]
fn an_empty_study_file() {
    let f = Fixture::new();
    f.write(STUDY, "");
    assert_reported_and_refused(&f, STUDY, 1, 1..=1, &["expected"]);
}

// ---------------------------------------------------------------------------
// A source text changed after it was coded
// ---------------------------------------------------------------------------

/// The fixture plus codings on longer quotes, one of which the text change removes.
fn changed_text_fixture() -> (Fixture, Vec<Coding>, String) {
    let f = Fixture::new();
    autocode(
        &f.root,
        "Responsibility",
        &["--match", "weight of responsibility"],
    )
    .ok();
    autocode(&f.root, "Exclusion", &["--match", "a reason for exclusion"]).ok();
    let before = f.codings("okafor-2019");
    assert_eq!(before.len(), 4, "{before:?}");
    // Insert words early (everything after shifts) and remove one coded phrase.
    let text = f.read(TEXT);
    let new = text
        .replacen(
            "Clinicians described",
            "Community clinicians often described",
            1,
        )
        .replacen("a reason for exclusion", "grounds for refusal", 1);
    f.write(TEXT, &new);
    (f, before, new)
}

#[test]
fn a_changed_text_is_reported_then_reanchored() {
    let (f, before, new_text) = changed_text_fixture();
    let run = check(&f.root);
    assert_eq!(run.code, 1, "{run:?}");
    let text = f.read(STUDY);
    let (line, _) = position_of(&text, "sha256:");
    let sha_problem = run
        .stdout
        .lines()
        .find(|l| l.contains("sha256"))
        .unwrap_or_else(|| panic!("no sha256 problem: {run:?}"));
    assert!(
        sha_problem.starts_with(&format!("{STUDY}:{line}:")),
        "{sha_problem}"
    );
    assert!(
        sha_problem.contains(TEXT.trim_start_matches("studies/")),
        "{sha_problem}"
    );

    // A writing command re-anchors (and reports it), changing only that study.
    let files_before = snapshot(&f.root);
    let run = autocode(&f.root, "Exclusion", &["--match", "no such words anywhere"]).ok();
    assert!(
        run.stderr.contains("the text changed since it was coded")
            && run.stderr.contains("1 flagged"),
        "{run:?}"
    );
    let files_after = snapshot(&f.root);
    for (k, v) in &files_before {
        if k != STUDY {
            assert_eq!(&files_after[k], v, "{k} changed");
        }
    }

    let after = f.codings("okafor-2019");
    assert_eq!(after.len(), before.len(), "codings were dropped: {after:?}");
    let t = SourceText::new(new_text.clone());
    // Both "diagnosis" codings come before the removed phrase: they move by the words added.
    let shift =
        ("Community clinicians often described".len() - "Clinicians described".len()) as u32;
    let weight = new_text.find("weight of responsibility").unwrap();
    let weight = t.cp(weight);
    for old in &before {
        let now = after
            .iter()
            .find(|c| c.id == old.id)
            .expect("every coding is kept");
        assert_eq!(now.quote, old.quote, "quotes never change");
        if old.quote == "a reason for exclusion" {
            assert!(
                now.flag.as_deref().is_some_and(|f| f.contains("not found")),
                "{now:?}"
            );
            assert_eq!(
                (now.start, now.end),
                (old.start, old.end),
                "a flagged coding is not moved"
            );
        } else {
            assert_eq!(now.flag, None);
            let start = if old.quote == "diagnosis" {
                old.start + shift
            } else {
                weight
            };
            assert_eq!(
                (now.start, now.end),
                (start, start + (old.end - old.start)),
                "{now:?}"
            );
            assert_eq!(t.slice(now.start, now.end), now.quote);
        }
    }
    let o = Store::open(&f.root, Mode::Read).unwrap();
    let src = &o.project.study_by_key("okafor-2019").unwrap().sources[0];
    assert_eq!(src.sha256, sha256_hex(new_text.as_bytes()));
    assert_eq!(src.chars as usize, new_text.chars().count());

    // Now check reports only the flagged coding.
    let run = check(&f.root);
    assert_eq!(run.code, 1, "{run:?}");
    let flagged = after.iter().find(|c| c.flag.is_some()).unwrap();
    let (line, col) = position_of(&f.read(STUDY), &format!("id: \"{}\"", flagged.id));
    let problems: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("studies/") || l.contains(".ron:"))
        .collect();
    assert_eq!(
        problems,
        [format!(
            "{STUDY}:{line}:{col}: coding {} is flagged: {}",
            flagged.id,
            flagged.flag.as_ref().unwrap()
        )],
        "{run:?}"
    );

    // Opening again changes nothing more.
    let settled = snapshot(&f.root);
    autocode(&f.root, "Exclusion", &["--match", "no such words anywhere"]).ok();
    assert_same_files(
        &settled,
        &snapshot(&f.root),
        "a second writing command after re-anchoring",
    );
}

/// A coded passage at the end of a text is cut off: the coding now lies past the
/// end of the text, cannot be placed, and must be flagged like any other.
#[test]
fn a_shortened_text_flags_codings_past_its_end() {
    let f = Fixture::new();
    autocode(
        &f.root,
        "Responsibility",
        &["--match", "weight of responsibility"],
    )
    .ok();
    let text = f.read(TEXT);
    let cut = text.find("The team felt").unwrap();
    f.write(TEXT, &text[..cut]);
    let run = autocode(&f.root, "Responsibility", &["--match", "no such words"]);
    assert_eq!(
        run.code, 0,
        "a writing command must re-anchor and go on: {run:?}"
    );
    assert!(run.stderr.contains("1 flagged"), "{run:?}");
    let after = f.codings("okafor-2019");
    assert_eq!(after.len(), 3, "{after:?}");
    assert_eq!(after.iter().filter(|c| c.flag.is_some()).count(), 1);
}

/// A quote edited by hand no longer matches its text: `check` says so, and where.
#[test]
fn a_hand_edited_quote_is_reported_by_check() {
    let f = Fixture::new();
    let c = &f.codings("okafor-2019")[0];
    let new = f.replace(STUDY, "quote: \"diagnosis\"", "quote: \"diagnoses\"");
    let (line, col) = position_of(&new, &format!("id: \"{}\"", c.id));
    let before = snapshot(&f.root);
    let run = check(&f.root);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(&format!("{STUDY}:{line}:{col}:"))
                && l.contains("does not match")),
        "{run:?}"
    );
    assert_same_files(&before, &snapshot(&f.root), "check never writes");
}
