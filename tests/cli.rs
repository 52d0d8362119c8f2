//! The command line: init, import, autocode, check; exit codes; texts stored as
//! they came; deterministic output.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use common::{assert_same_files, autocode, check, cli_project, snapshot, thematic};
use thematic::model::{Study, Touched};
use thematic::store::{Mode, Store, to_ron};
use thematic::text::sha256_hex;

fn init(root: &Path) -> common::Run {
    thematic([
        OsStr::new("init"),
        root.as_os_str(),
        "--title".as_ref(),
        "My review".as_ref(),
        "--reviewer".as_ref(),
        "A. Reviewer".as_ref(),
    ])
}

fn import(root: &Path, files: &[&Path], study: Option<&str>) -> common::Run {
    let mut args: Vec<&OsStr> = vec!["import".as_ref(), root.as_os_str()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    if let Some(k) = study {
        args.extend([OsStr::new("--study"), k.as_ref()]);
    }
    thematic(args)
}

fn study(root: &Path, key: &str) -> Study {
    let o = Store::open(root, Mode::Read).expect("open");
    o.project
        .study_by_key(key)
        .unwrap_or_else(|| panic!("no study {key}"))
        .clone()
}

/// A folder for input files, beside the project.
fn inputs(tmp: &TempDir) -> PathBuf {
    let d = tmp.path().join("inputs");
    fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn init_creates_an_empty_project_that_checks_clean() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    init(&root).ok();
    for f in ["project.ron", "codebook.ron"] {
        assert!(root.join(f).is_file(), "{f} missing");
    }
    assert!(root.join("studies").is_dir());
    let gitignore =
        fs::read_to_string(root.join(".thematic/.gitignore")).expect(".thematic is git-ignored");
    assert!(gitignore.lines().any(|l| l.trim() == "*"), "{gitignore}");
    let project = fs::read_to_string(root.join("project.ron")).unwrap();
    assert!(
        project.contains("format: 1,") && project.contains("title: \"My review\""),
        "{project}"
    );
    assert!(project.contains("name: \"A. Reviewer\""), "{project}");
    let run = check(&root).ok();
    assert!(
        run.stdout
            .contains("0 studies, 0 sources, 0 codings: 0 error(s), 0 warning(s)"),
        "{run:?}"
    );
}

#[test]
fn init_accepts_an_existing_empty_folder() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    fs::create_dir(&root).unwrap();
    init(&root).ok();
    assert!(root.join("project.ron").is_file());
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    fs::create_dir(&root).unwrap();
    fs::write(root.join("notes.txt"), "mine").unwrap();
    let run = init(&root);
    assert!(run.code == 1 || run.code == 2, "{run:?}");
    assert!(run.stderr.contains("not empty"), "{run:?}");
    assert_eq!(fs::read_to_string(root.join("notes.txt")).unwrap(), "mine");
    assert!(!root.join("project.ron").exists());
    assert!(
        !root.join("studies").exists(),
        "nothing is created in a refused folder"
    );

    // A project is not empty either: a second init leaves the first alone.
    let other = tmp.path().join("other");
    init(&other).ok();
    let before = snapshot(&other);
    let run = init(&other);
    assert!(run.code == 1 || run.code == 2, "{run:?}");
    assert_same_files(&before, &snapshot(&other), "after a refused second init");
}

#[test]
fn init_needs_a_title_and_a_reviewer() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    let run = thematic([
        OsStr::new("init"),
        root.as_os_str(),
        "--title".as_ref(),
        " ".as_ref(),
        "--reviewer".as_ref(),
        "R".as_ref(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    let run = thematic([OsStr::new("init"), root.as_os_str()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!root.exists());
}

#[test]
fn import_drops_the_bom_and_keeps_crlf() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    init(&root).ok();
    let file = inputs(&tmp).join("Okafor 2019.txt");
    let body = "Results\r\n\r\nClinicians said \"the diagnosis\" mattered.\r\nÜber-specialist teams, 中文.\r\n";
    fs::write(&file, [&b"\xef\xbb\xbf"[..], body.as_bytes()].concat()).unwrap();
    let run = import(&root, &[&file], None).ok();
    assert!(run.stdout.contains("okafor-2019"), "{run:?}");

    let s = study(&root, "okafor-2019");
    assert_eq!(s.sources.len(), 1);
    let src = &s.sources[0];
    assert_eq!(src.name, "Okafor 2019");
    let stored = fs::read(root.join("studies").join(&src.file)).unwrap();
    assert_eq!(
        stored,
        body.as_bytes(),
        "the text is stored as it came, without the BOM"
    );
    assert_eq!(
        src.chars as usize,
        body.chars().count(),
        "chars counts code points, \\r included"
    );
    assert_eq!(src.sha256, sha256_hex(body.as_bytes()));
    check(&root).ok();
}

#[test]
fn import_rejects_a_text_that_is_not_utf8() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    init(&root).ok();
    let file = inputs(&tmp).join("latin1.txt");
    fs::write(&file, b"Line one\nCaf\xe9 au lait\n").unwrap();
    let before = snapshot(&root);
    let run = import(&root, &[&file], None);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("latin1.txt:2:4:") && run.stderr.contains("UTF-8"),
        "{run:?}"
    );
    assert_same_files(&before, &snapshot(&root), "after a refused import");
}

#[test]
fn import_refuses_unsupported_files() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    init(&root).ok();
    let file = inputs(&tmp).join("paper.doc");
    fs::write(&file, b"\xd0\xcf\x11\xe0").unwrap();
    let run = import(&root, &[&file], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("paper.doc"), "{run:?}");
}

#[test]
fn study_keys_are_ascii_folded_and_unique() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    init(&root).ok();
    let (a, b) = (inputs(&tmp).join("one"), inputs(&tmp).join("two"));
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    fs::write(a.join("Ødegård 2020.txt"), "First text.").unwrap();
    fs::write(b.join("Ødegård 2020.txt"), "Second text.").unwrap();
    fs::write(b.join("Núñez & Co.--2019.md"), "Third text.").unwrap();
    import(&root, &[&a.join("Ødegård 2020.txt")], None).ok();
    import(
        &root,
        &[&b.join("Ødegård 2020.txt"), &b.join("Núñez & Co.--2019.md")],
        None,
    )
    .ok();

    let mut names: Vec<String> = fs::read_dir(root.join("studies"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ron"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "nunez-co-2019.ron",
            "odegard-2020-2.ron",
            "odegard-2020.ron"
        ]
    );
    let first = study(&root, "odegard-2020");
    let second = study(&root, "odegard-2020-2");
    assert_eq!(first.sources[0].name, "Ødegård 2020");
    assert_ne!(first.sources[0].file, second.sources[0].file);
    assert_eq!(
        fs::read_to_string(root.join("studies").join(&second.sources[0].file)).unwrap(),
        "Second text."
    );
    for key in ["odegard-2020", "odegard-2020-2", "nunez-co-2019"] {
        let text = fs::read_to_string(root.join(format!("studies/{key}.ron"))).unwrap();
        assert!(text.contains(&format!("key: \"{key}\"")), "{text}");
    }
    check(&root).ok();
}

#[test]
fn import_with_study_adds_a_second_source() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    init(&root).ok();
    let dir = inputs(&tmp);
    fs::write(dir.join("Reyes 2020.txt"), "Results text.").unwrap();
    fs::write(
        dir.join("Reyes 2020 appendix.txt"),
        "Appendix text with quotes.",
    )
    .unwrap();
    import(&root, &[&dir.join("Reyes 2020.txt")], None).ok();
    let run = import(
        &root,
        &[&dir.join("Reyes 2020 appendix.txt")],
        Some("reyes-2020"),
    )
    .ok();
    assert!(run.stdout.contains("reyes-2020"), "{run:?}");
    let s = study(&root, "reyes-2020");
    assert_eq!(s.sources.len(), 2, "{s:?}");
    assert_eq!(s.sources[1].name, "Reyes 2020 appendix");
    assert_eq!(
        fs::read_to_string(root.join("studies").join(&s.sources[1].file)).unwrap(),
        "Appendix text with quotes."
    );
    // Only one study file.
    let rons = fs::read_dir(root.join("studies"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "ron"))
        .count();
    assert_eq!(rons, 1);
    // The same file again becomes a third source with its own text file.
    import(
        &root,
        &[&dir.join("Reyes 2020 appendix.txt")],
        Some("reyes-2020"),
    )
    .ok();
    let s = study(&root, "reyes-2020");
    assert_eq!(s.sources.len(), 3);
    assert_ne!(s.sources[1].name, s.sources[2].name);
    assert_ne!(s.sources[1].file, s.sources[2].file);
    check(&root).ok();

    let before = snapshot(&root);
    let run = import(&root, &[&dir.join("Reyes 2020.txt")], Some("nobody-1999"));
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("nobody-1999"), "{run:?}");
    assert_same_files(
        &before,
        &snapshot(&root),
        "after an import into a missing study",
    );
}

#[test]
fn autocode_twice_adds_nothing_the_second_time() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    cli_project(&root);
    // "diagnosis" occurs twice in the first text and once in the second.
    let s = study(&root, "okafor-2019");
    assert_eq!(s.codings.len(), 2, "{:?}", s.codings);
    assert!(s.codings.iter().all(|c| c.quote == "diagnosis"));
    let before = snapshot(&root);
    let run = autocode(
        &root,
        "Diagnosis/Diagnosis as gatekeeper",
        &["--match", "DIAGNOSIS"],
    )
    .ok();
    assert!(
        run.stdout.contains("added 0 coding(s)") && run.stdout.contains("3 already coded"),
        "{run:?}"
    );
    assert_same_files(&before, &snapshot(&root), "after autocode the second time");
}

#[test]
fn autocode_matches_case_insensitive_literals_exactly() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    cli_project(&root);
    // Regex metacharacters in --match are literal.
    let run = autocode(
        &root,
        "Quotes",
        &["--match", "\"a door that closes more than it opens\"."],
    )
    .ok();
    assert!(
        run.stdout.contains("added 1 coding(s) in 1 study(ies)"),
        "{run:?}"
    );
    let s = study(&root, "reyes-2020");
    let c = s
        .codings
        .iter()
        .find(|c| c.quote.starts_with('"'))
        .expect("the quote was coded");
    assert_eq!(c.quote, "\"a door that closes more than it opens\".");
    let run = autocode(
        &root,
        "Staff",
        &[
            "--match",
            "STAFF",
            "--study",
            "reyes-2020",
            "--construct",
            "author",
        ],
    )
    .ok();
    assert!(run.stdout.contains("added 1 coding(s)"), "{run:?}");
    let s = study(&root, "reyes-2020");
    let c = s
        .codings
        .iter()
        .find(|c| c.quote == "Staff")
        .expect("case kept in the quote");
    assert_eq!(c.construct, thematic::model::Construct::Author);
    let run = autocode(&root, "Staff", &["--match", "x", "--study", "nobody-1999"]);
    assert_eq!(run.code, 1, "{run:?}");
    check(&root).ok();
}

#[test]
fn autocode_regex_codes_every_match() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    cli_project(&root);
    let pattern = r"\b(diagnos\w*|label)\b";
    let run = autocode(&root, "Labels/Any", &["--regex", pattern]).ok();
    assert!(run.stdout.contains("created code Labels/Any"), "{run:?}");
    let re = regex::Regex::new(pattern).unwrap();
    let expected: usize = [common::RESULTS_A, common::RESULTS_B]
        .iter()
        .map(|t| re.find_iter(t).count())
        .sum();
    assert!(
        run.stdout
            .contains(&format!("added {expected} coding(s) in 2 study(ies)")),
        "{run:?}"
    );
    let o = Store::open(&root, Mode::Read).unwrap();
    let code = o
        .project
        .codebook
        .resolve("Labels/Any")
        .expect("the code path exists");
    assert_eq!(o.project.codebook.path(code), "Labels/Any");
    for s in &o.project.studies {
        let text = o.store.read_text(&s.sources[0]).unwrap();
        let want: Vec<&str> = re.find_iter(text.as_str()).map(|m| m.as_str()).collect();
        let got: Vec<&str> = s
            .codings
            .iter()
            .filter(|c| c.code == code)
            .map(|c| c.quote.as_str())
            .collect();
        assert_eq!(got, want, "{}", s.key);
    }
    check(&root).ok();
}

#[test]
fn autocode_bad_usage_exits_2_and_changes_nothing() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    cli_project(&root);
    let before = snapshot(&root);
    for (args, says) in [
        (&["--regex", "(unclosed"][..], "invalid pattern"),
        (&["--match", ""][..], "--match"),
        (&[][..], "--match"),
        (&["--match", "a", "--regex", "b"][..], "--regex"),
        (&["--match", "a", "--construct", "banana"][..], "banana"),
    ] {
        let run = autocode(&root, "Theme", args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains(says),
            "{args:?} should mention {says:?}: {}",
            run.stderr
        );
    }
    let run = autocode(&root, " / ", &["--match", "care"]);
    assert_eq!(run.code, 2, "an empty code path: {run:?}");
    assert_same_files(&before, &snapshot(&root), "after usage errors");
}

#[test]
fn commands_on_a_folder_that_is_not_a_project_exit_1() {
    let tmp = TempDir::new().unwrap();
    let run = check(tmp.path());
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("not a thematic project"), "{run:?}");
    let run = autocode(tmp.path(), "X", &["--match", "x"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        !tmp.path().join(".thematic").exists(),
        "nothing is created in a folder that is not a project"
    );
}

/// Replace ids and timestamps, which differ between two runs, by placeholders.
fn normalize(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    let uuid =
        regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let time = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z").unwrap();
    let text = uuid.replace_all(&text, "<id>");
    time.replace_all(&text, "<time>").into_owned()
}

#[test]
fn the_same_state_gives_the_same_bytes() {
    let tmp = TempDir::new().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    cli_project(&a);
    cli_project(&b);
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (k, v) in &sa {
        assert_eq!(
            normalize(v),
            normalize(&sb[k]),
            "{k} differs beyond ids and timestamps"
        );
    }

    // The contract's shape: no struct names, `\n` newlines, a final newline,
    // one coding per line.
    for (k, v) in sa.iter().filter(|(k, _)| k.ends_with(".ron")) {
        let text = std::str::from_utf8(v).unwrap();
        assert!(text.starts_with("(\n    format: 1,\n"), "{k}:\n{text}");
        assert!(text.ends_with(")\n") && !text.contains('\r'), "{k}");
        for name in [
            "ProjectMeta",
            "Codebook",
            "Study(",
            "Coding(",
            "Source(",
            "Code(",
        ] {
            assert!(!text.contains(name), "{k} names a struct: {name}");
        }
    }
    let study = std::str::from_utf8(&sa["studies/okafor-2019.ron"]).unwrap();
    let coding_lines = study
        .lines()
        .filter(|l| l.trim_start().starts_with("(id: ") && l.contains("quote: "))
        .count();
    assert_eq!(coding_lines, 2, "{study}");

    // save → load → save through the library is byte-identical.
    let mut opened = Store::open(&a, Mode::Write).unwrap();
    let all = Touched::all(&opened.project);
    assert_eq!(opened.store.save(&opened.project, &all).unwrap(), 0);
    assert_eq!(to_ron(&opened.project.codebook), sa["codebook.ron"]);
    for s in &opened.project.studies {
        assert_eq!(to_ron(s), sa[&format!("studies/{}.ron", s.key)]);
    }
    drop(opened);
    assert_same_files(&sa, &snapshot(&a), "after save → load → save");
}
