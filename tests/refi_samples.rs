//! REFI-QDA files from real exporters and from the standard: every one imports
//! (the one with no texts inside fails with a clear error), and what comes in is
//! what the file holds.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use common::thematic;
use thematic::model::{CodeKind, Construct, Id, Project};
use thematic::store::{Mode, Store};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/refi")
        .join(name)
}

fn import(verb: &str, file: &Path, dir: &Path) -> common::Run {
    thematic([OsStr::new(verb), file.as_os_str(), dir.as_os_str()])
}

fn open(dir: &Path) -> (Store, Project) {
    let o = Store::open(dir, Mode::Read).expect("the imported project opens");
    (o.store, o.project)
}

fn id(s: &str) -> Id {
    s.parse().expect("an id")
}

/// Whether code point `cp` of `text` lies at the edge of a word.
fn word_edge(chars: &[char], cp: usize) -> bool {
    if cp == 0 || cp >= chars.len() {
        return true;
    }
    !(chars[cp - 1].is_alphanumeric() && chars[cp].is_alphanumeric())
}

#[test]
fn every_fixture_imports_except_the_one_without_texts() {
    let tmp = TempDir::new().unwrap();
    let mut files: Vec<PathBuf> = fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("qdpx" | "qdc")))
        .collect();
    files.push(fixture("handauthored-all-elements/project.qde"));
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for (i, f) in files.iter().enumerate() {
        let verb = if f.extension().unwrap() == "qdc" {
            "import-qdc"
        } else {
            "import-qdpx"
        };
        let dir = tmp.path().join(format!("p{i}"));
        let run = import(verb, f, &dir);
        let name = f.file_name().unwrap().to_string_lossy();
        if name.starts_with("spec-annexA2") {
            assert_eq!(run.code, 1, "{name}: {run:?}");
        } else {
            assert_eq!(run.code, 0, "{name}: {run:?}");
            assert!(run.stdout.contains("check: 0 error(s)"), "{name}: {run:?}");
            let c = common::check(&dir);
            assert_eq!(c.code, 0, "{name}: check after import: {c:?}");
        }
    }
}

#[test]
fn nvivo_positions_in_utf16_units_land_on_the_words_nvivo_coded() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("nvivo");
    let file = fixture("nvivo12-win_oltas0517.qdpx");
    let run = import("import-qdpx", &file, &dir).ok();
    assert!(
        run.stdout
            .contains("imported 152 code(s), 2 studies with 2 source(s), 303 coding(s)"),
        "{run:?}"
    );
    assert!(run.stdout.contains("UTF-16 code units"), "{run:?}");
    assert!(
        run.stdout
            .contains("rich-text copies (.docx) of 2 sources were not read"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("check: 0 error(s), 0 warning(s)"),
        "{run:?}"
    );
    assert!(
        run.stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {:?}",
        run.stderr
    );

    let (store, p) = open(&dir);
    assert_eq!(
        p.meta.reviewer.name, "floriansipos",
        "the creating user owns it"
    );
    let collaborators: Vec<&str> = p
        .meta
        .collaborators
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(collaborators, ["Gergo"]);
    assert_eq!(
        p.codebook
            .codes
            .iter()
            .filter(|c| c.kind == CodeKind::DescriptiveTheme)
            .count(),
        1,
        "the one isCodable=\"false\" code"
    );

    // Read as code points, most selections would start or end inside a word;
    // read as UTF-16 units (what NVivo wrote) all but a handful sit on word edges.
    let mut edges = 0;
    let mut total = 0;
    for s in &p.studies {
        for src in &s.sources {
            let text = store.read_text(src).unwrap();
            let chars: Vec<char> = text.as_str().chars().collect();
            for c in s.codings.iter().filter(|c| c.source == src.id) {
                total += 1;
                assert_eq!(c.construct, Construct::Unspecified);
                assert_eq!(text.slice(c.start, c.end), c.quote);
                if word_edge(&chars, c.start as usize) && word_edge(&chars, c.end as usize) {
                    edges += 1;
                }
            }
        }
    }
    assert_eq!(total, 303);
    assert!(edges >= 295, "only {edges} of 303 codings on word edges");

    let (s, c) = p
        .codings()
        .find(|(_, c)| c.id == id("da50c6de-cd58-40da-a7e3-be4b82d7f00c"))
        .expect("coding ids are the REFI GUIDs");
    // [3137, 3284) in UTF-16 units (checked independently with Python's codecs).
    assert!(
        c.quote.starts_with("Senkit nem lehet kötelezni oltásra,")
            && c.quote.ends_with("nem szaporodhat és nem élhet."),
        "{:?}",
        c.quote
    );
    assert_eq!(
        c.by,
        id("29518289-d0e3-447b-b7dd-ae1d8cd880a0"),
        "Gergo coded it"
    );
    assert_eq!(
        p.codebook.path(c.code),
        "2. Attitűd szint az oltáshoz/piros"
    );
    assert_eq!(c.at, "2025-06-18T02:06:50Z");

    // Texts are stored as they came: BOM dropped, CRLF kept, nothing else changed.
    let src = &s.sources[0];
    let stored = fs::read(store.text_path(src)).unwrap();
    let mut zip = zip::ZipArchive::new(fs::File::open(&file).unwrap()).unwrap();
    let mut original = Vec::new();
    zip.by_name(&format!("Sources/{}.txt", src.id))
        .expect("NVivo's Sources/ folder, capital S")
        .read_to_end(&mut original)
        .unwrap();
    assert!(original.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(stored, original[3..], "BOM dropped, every other byte kept");
    assert!(stored.windows(2).any(|w| w == b"\r\n"));
}

#[test]
fn a_project_whose_texts_are_missing_fails_with_a_clear_error_and_leaves_nothing() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("annex");
    let run = import(
        "import-qdpx",
        &fixture("spec-annexA2-atlasti8_TestProject.qdpx"),
        &dir,
    );
    assert_eq!(run.code, 1, "{run:?}");
    let msg = run.stderr.trim();
    assert!(
        msg.contains("holds no source files") && msg.contains("6 text source(s)"),
        "{msg}"
    );
    assert!(msg.contains("Nothing was imported"), "{msg}");
    assert_eq!(msg.lines().count(), 1, "one line: {msg}");
    assert!(!dir.exists(), "no half-made project is left behind");
}

#[test]
fn a_bare_qde_with_its_sources_folder_imports_cases_notes_and_variables() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("hand");
    let run = import(
        "import-qdpx",
        &fixture("handauthored-all-elements/project.qde"),
        &dir,
    )
    .ok();
    let out = &run.stdout;
    assert!(
        out.contains("imported 4 code(s), 1 study with 1 source(s), 2 coding(s)"),
        "{out}"
    );
    assert!(
        out.contains(
            "skipped: 4 non-text sources (1 PDF, 1 audio, 1 picture, 1 video) with 5 codings"
        ),
        "{out}"
    );
    assert!(out.contains("1 set, 1 graph"), "{out}");
    assert!(
        out.contains("1 selection name text other than what their positions cover"),
        "the fixture's own mismatch (\"health are closely\" at [9,23)) is reported: {out}"
    );

    let (_, p) = open(&dir);
    assert_eq!(p.studies.len(), 1);
    let s = &p.studies[0];
    assert_eq!(s.key, "participant-1", "the case's name");
    assert_eq!(s.sources[0].name, "Interview 1");
    let chars: BTreeMap<&str, &str> = s
        .characteristics
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        chars,
        BTreeMap::from([("Age", "34"), ("Consented", "true")])
    );
    assert_eq!(
        s.memo, "A pseudonymised interview participant.",
        "the case's description"
    );
    let quotes: Vec<(&str, String)> = s
        .codings
        .iter()
        .map(|c| (c.quote.as_str(), p.codebook.path(c.code)))
        .collect();
    assert_eq!(
        quotes,
        [
            ("Diet and health", "Topics/Health".to_string()),
            ("health are clo", "Topics/Health/Diet".to_string())
        ]
    );
    // NVivo-style: the memo is linked to the first selection by a Link.
    assert_eq!(
        s.codings[0].note,
        "Remember to follow up on diet-related comments."
    );
    // The unpacked folder itself works too.
    let again = tmp.path().join("again");
    import("import-qdpx", &fixture("handauthored-all-elements"), &again).ok();
    assert_eq!(open(&again).1.studies[0].codings.len(), 2);

    let topics = p.codebook.resolve("Topics").unwrap();
    assert_eq!(
        p.codebook.get(topics).unwrap().kind,
        CodeKind::DescriptiveTheme
    );
    assert_eq!(
        p.codebook
            .get(p.codebook.resolve("Topics/Health").unwrap())
            .unwrap()
            .color,
        "#33cc33"
    );
}

#[test]
fn an_export_without_sources_brings_its_codes_and_users() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("atlas");
    let run = import(
        "import-qdpx",
        &fixture("atlasti23-shaped_no-sources.qdpx"),
        &dir,
    )
    .ok();
    assert!(
        run.stdout
            .contains("imported 3 code(s), 0 studies with 0 source(s), 0 coding(s)"),
        "{run:?}"
    );
    let (_, p) = open(&dir);
    assert_eq!(p.meta.title, "atlas-shaped-project");
    assert_eq!(p.meta.reviewer.name, "A. Researcher");
    assert_eq!(
        p.meta.reviewer.id,
        id("6b1f0c2a-3d4e-4f50-9a61-7b8c9d0e1f23"),
        "upper-case GUIDs become the same ids"
    );
    assert_eq!(p.meta.collaborators[0].name, "ATLAS.ti");
    let kid = p
        .codebook
        .resolve("Releases/2022-05-10T02:05:59Z v1.2")
        .expect("nesting kept");
    assert_eq!(kid, id("1b2c3d4e-5f60-4172-8384-a5b6c7d8e9f0"));

    // The owner and the title can be chosen; a new owner makes every REFI user a
    // collaborator.
    let dir = tmp.path().join("mine");
    thematic([
        OsStr::new("import-qdpx"),
        fixture("atlasti23-shaped_no-sources.qdpx").as_os_str(),
        dir.as_os_str(),
        "--reviewer".as_ref(),
        "New Person".as_ref(),
        "--title".as_ref(),
        "My review".as_ref(),
    ])
    .ok();
    let (_, p) = open(&dir);
    assert_eq!(p.meta.title, "My review");
    assert_eq!(p.meta.reviewer.name, "New Person");
    let names: Vec<&str> = p
        .meta
        .collaborators
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["A. Researcher", "ATLAS.ti"]);
    let run = thematic([
        OsStr::new("import-qdpx"),
        fixture("atlasti23-shaped_no-sources.qdpx").as_os_str(),
        tmp.path().join("blank").as_os_str(),
        "--reviewer".as_ref(),
        " ".as_ref(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn the_standards_codebook_imports_with_braced_guids_and_folders() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("cb");
    let file = fixture("spec-annexA1_codebook.qdc");
    let run = import("import-qdc", &file, &dir).ok();
    assert!(run.stdout.contains("imported 6 code(s)"), "{run:?}");
    let (_, p) = open(&dir);
    let kind = |path: &str| {
        let c = p.codebook.get(p.codebook.resolve(path).unwrap()).unwrap();
        (c.kind, c.color.as_str())
    };
    assert_eq!(p.codebook.codes.len(), 6);
    assert_eq!(kind("Topics").0, CodeKind::DescriptiveTheme);
    assert_eq!(kind("Values").0, CodeKind::DescriptiveTheme);
    assert_eq!(kind("Economy"), (CodeKind::Code, "#ffff00"));
    assert!(
        p.codebook.codes.iter().all(|c| c.color.len() == 7),
        "codes without a colour get one from the palette"
    );
    assert!(
        p.codebook
            .get(id("5215cc69-b628-4e02-afb9-9beeaee55808"))
            .is_some(),
        "{{braced}} GUIDs are ids"
    );
    assert_eq!(
        p.codebook
            .get(p.codebook.resolve("Health care").unwrap())
            .unwrap()
            .description,
        "Health care issues, doctor, patients, etc."
    );

    // The wrong verb for the file is bad usage, and says which verb to use.
    let run = import("import-qdpx", &file, &tmp.path().join("x"));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("import-qdc"), "{run:?}");
    let run = import(
        "import-qdc",
        &fixture("nvivo12-win_oltas0517.qdpx"),
        &tmp.path().join("y"),
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("import-qdpx"), "{run:?}");
}

#[test]
fn bad_input_and_bad_targets_exit_with_the_right_codes() {
    let tmp = TempDir::new().unwrap();
    let file = fixture("atlasti23-shaped_no-sources.qdpx");

    // A target that is not empty: bad usage, and nothing touched.
    let busy = tmp.path().join("busy");
    fs::create_dir_all(&busy).unwrap();
    fs::write(busy.join("keep.txt"), "mine").unwrap();
    let run = import("import-qdpx", &file, &busy);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not empty"), "{run:?}");
    assert_eq!(fs::read_dir(&busy).unwrap().count(), 1);

    // An empty existing folder is fine, as for `init`.
    let empty = tmp.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    import("import-qdpx", &file, &empty).ok();

    // A missing file: the work cannot be done.
    let run = import(
        "import-qdpx",
        &tmp.path().join("nope.qdpx"),
        &tmp.path().join("a"),
    );
    assert_eq!(run.code, 1, "{run:?}");

    // Malformed XML: path:line:col of the problem.
    let bad = tmp.path().join("bad.qde");
    fs::write(
        &bad,
        "<?xml version=\"1.0\"?>\n<Project name=\"x\">\n  <Users>\n</Project>\n",
    )
    .unwrap();
    let run = import("import-qdpx", &bad, &tmp.path().join("b"));
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!("{}:4:", bad.display())),
        "{run:?}"
    );
    assert!(!tmp.path().join("b").exists());

    // Not REFI at all.
    let html = tmp.path().join("page.qde");
    fs::write(&html, "<html><body/></html>").unwrap();
    let run = import("import-qdpx", &html, &tmp.path().join("c"));
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("not a REFI-QDA"), "{run:?}");
}
