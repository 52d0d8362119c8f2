//! Export → import → export keeps every code, source and coding, and gives the
//! same bytes again; exports are deterministic and valid against the REFI-QDA
//! schemas (checked with `xmllint` when it is installed).

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use tempfile::TempDir;

use common::{code, coding, id, source, thematic};
use thematic::interchange::refi::{ImportOptions, Silent, export_qdpx, import_qdpx};
use thematic::model::{Citation, Project, Reviewer, Study};
use thematic::store::{Mode, Store};
use thematic::synth::{SynthSpec, generate};

fn schema(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/refi")
        .join(name)
}

fn open(dir: &Path) -> (Store, Project) {
    let o = Store::open(dir, Mode::Read).expect("opens");
    (o.store, o.project)
}

/// Everything a round trip must keep, keyed by names (ids may differ where REFI
/// has none): code paths with their texts, studies with their sources' texts and
/// their codings (code path, span, quote, reviewer, note, time).
fn digest(dir: &Path) -> BTreeMap<String, String> {
    let (store, p) = open(dir);
    let mut out = BTreeMap::new();
    for c in &p.codebook.codes {
        out.insert(
            format!("code {}", p.codebook.path(c.id)),
            format!("{:?} {:?} {:?}", c.description, c.color, c.memo),
        );
    }
    let who = |id| p.meta.reviewer_name(id).unwrap_or("?").to_string();
    out.insert("owner".into(), p.meta.reviewer.name.clone());
    out.insert(
        "title".into(),
        format!("{:?} {:?}", p.meta.title, p.meta.question),
    );
    for s in &p.studies {
        out.insert(
            format!("study {}", s.key),
            format!("{:?} {:?} {:?}", s.citation, s.characteristics, s.memo),
        );
        for src in &s.sources {
            let text = store.read_text(src).expect("text");
            out.insert(
                format!("source {}/{}", s.key, src.name),
                format!("{} {}", text.sha256(), src.chars),
            );
        }
        for c in &s.codings {
            let src = s.source(c.source).unwrap();
            out.insert(
                format!("coding {}", c.id),
                format!(
                    "{}/{} {} [{},{}) {:?} by {} note {:?} at {} edited {:?}",
                    s.key,
                    src.name,
                    p.codebook.path(c.code),
                    c.start,
                    c.end,
                    c.quote,
                    who(c.by),
                    c.note,
                    c.at,
                    c.edited
                ),
            );
        }
    }
    out
}

#[track_caller]
fn assert_same(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) {
    for (k, v) in a {
        match b.get(k) {
            None => panic!("lost in the round trip: {k} = {v}"),
            Some(w) if w != v => panic!("changed in the round trip: {k}\n  was {v}\n  now {w}"),
            _ => {}
        }
    }
    for k in b.keys() {
        assert!(a.contains_key(k), "appeared in the round trip: {k}");
    }
}

/// Export `dir`, import it, export again: the two exports are the same bytes
/// and the imported project holds everything `digest` looks at.
fn round_trip(dir: &Path, tmp: &Path) -> PathBuf {
    let first = tmp.join("first.qdpx");
    let second = tmp.join("second.qdpx");
    let back = tmp.join("back");
    let sum = export_qdpx(dir, &first, &Silent).expect("export");
    let imported = import_qdpx(&first, &back, &ImportOptions::default(), &Silent).expect("import");
    assert_eq!(imported.codings, sum.codings, "{imported}");
    assert_eq!(imported.sources, sum.sources);
    assert_eq!(imported.codes, sum.codes);
    assert!(imported.skipped.is_empty(), "{imported}");
    assert!(
        imported.problems.iter().all(|p| p.warning),
        "{:?}",
        imported.problems
    );
    assert_same(&digest(dir), &digest(&back));
    export_qdpx(&back, &second, &Silent).expect("export again");
    assert!(
        fs::read(&first).unwrap() == fs::read(&second).unwrap(),
        "export → import → export gives different bytes"
    );
    first
}

fn unzip_qde(qdpx: &Path) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(fs::File::open(qdpx).unwrap()).unwrap();
    let mut out = Vec::new();
    z.by_name("project.qde")
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// `xmllint --noout --schema XSD FILE`, or `None` when xmllint is not installed.
fn xmllint(xsd: &str, file: &Path) -> Option<(bool, String)> {
    match Command::new("xmllint")
        .args([OsStr::new("--noout"), OsStr::new("--schema")])
        .arg(schema(xsd))
        .arg(file)
        .output()
    {
        Ok(out) => Some((
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )),
        Err(_) => {
            eprintln!(
                "skipping schema validation: xmllint is not installed (apt-get install libxml2-utils)"
            );
            None
        }
    }
}

#[track_caller]
fn assert_valid_qdpx(qdpx: &Path, tmp: &Path) {
    let qde = tmp.join(format!(
        "{}.qde",
        qdpx.file_stem().unwrap().to_string_lossy()
    ));
    fs::write(&qde, unzip_qde(qdpx)).unwrap();
    if let Some((ok, msg)) = xmllint("Project.xsd", &qde) {
        assert!(ok, "{} fails Project.xsd:\n{msg}", qdpx.display());
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == ".thematic" {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn sample_project(tmp: &Path) -> PathBuf {
    let dir = tmp.join("sample");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-project"),
        &dir,
    );
    dir
}

#[test]
fn the_sample_review_survives_a_round_trip_byte_for_byte() {
    let tmp = TempDir::new().unwrap();
    let dir = sample_project(tmp.path());
    let qdpx = round_trip(&dir, tmp.path());
    assert_valid_qdpx(&qdpx, tmp.path());

    // The archive: project.qde, then one text per source named by its id.
    let (_, p) = open(&dir);
    let z = zip::ZipArchive::new(fs::File::open(&qdpx).unwrap()).unwrap();
    let names: Vec<String> = (0..z.len())
        .map(|i| z.name_for_index(i).unwrap().unwrap().into_owned())
        .collect();
    let mut want: Vec<String> = p
        .studies
        .iter()
        .flat_map(|s| &s.sources)
        .map(|s| format!("sources/{}.txt", s.id))
        .collect();
    want.insert(0, "project.qde".into());
    assert_eq!(names, want);
}

#[test]
fn exports_are_deterministic_and_valid_against_the_schemas() {
    let tmp = TempDir::new().unwrap();
    let dir = sample_project(tmp.path());
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let run = |args: &[&OsStr]| thematic(args).ok();
    let a = out.join("a.qdpx");
    let b = out.join("b.qdpx");
    run(&[
        "export".as_ref(),
        dir.as_os_str(),
        "--qdpx".as_ref(),
        a.as_os_str(),
    ]);
    run(&[
        "export".as_ref(),
        dir.as_os_str(),
        "--qdpx".as_ref(),
        b.as_os_str(),
    ]);
    assert!(
        fs::read(&a).unwrap() == fs::read(&b).unwrap(),
        "same project, same bytes"
    );
    assert_valid_qdpx(&a, &out);

    let c = out.join("codes.qdc");
    let r = thematic([
        "export".as_ref(),
        dir.as_os_str(),
        "--qdc".as_ref(),
        c.as_os_str(),
    ])
    .ok();
    assert!(r.stdout.contains("exported 67 code(s)"), "{r:?}");
    assert!(
        r.stdout.contains("code memo(s)"),
        "memos do not fit a .qdc: {r:?}"
    );
    if let Some((ok, msg)) = xmllint("Codebook.xsd", &c) {
        assert!(ok, "the .qdc fails Codebook.xsd:\n{msg}");
    }
    // The .qdc brings the tree back.
    let back = out.join("from-qdc");
    thematic(["import-qdc".as_ref(), c.as_os_str(), back.as_os_str()]).ok();
    let (_, orig) = open(&dir);
    let (_, p) = open(&back);
    let paths = |p: &Project| {
        let mut v: Vec<(String, String)> = p
            .codebook
            .codes
            .iter()
            .map(|c| (p.codebook.path(c.id), c.description.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(paths(&orig), paths(&p));

    // Neither flag, or both: bad usage.
    let r = thematic(["export".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 2, "{r:?}");
    let r = thematic([
        "export".as_ref(),
        dir.as_os_str(),
        "--qdc".as_ref(),
        c.as_os_str(),
        "--qdpx".as_ref(),
        a.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{r:?}");
}

/// Texts and names that trip up XML and position counting: CRLF, tabs, combining
/// marks, emoji sequences, CJK; names with `/`, `::` and markup characters; memos
/// with CR and a control character; a study with no source.
fn hard_project(root: &Path) -> Project {
    let texts = [
        "Line one\r\nTab\there: cafe\u{301} 👨‍👩‍👧 family\r\n中文字符 and more.\r\n",
        "Plain LF text.\nSecond line with 🙂 and e\u{301}\u{302} marks.\n",
    ];
    let mut p = Project::new("Hard <names> & \"quotes\"", "Ann O'Neil");
    p.meta.question = "Does it survive?\r\nLine two.".into();
    p.meta.collaborators.push(Reviewer {
        id: id(9),
        name: "Bo Ström".into(),
    });
    let mut a = code(id(1), None, 0, "Theme / with slash");
    a.memo = "Memo line\r\nwith CR and a bell \u{7}.".into();
    a.description = "Defined <here> & \"there\"".into();
    p.codebook.codes.push(a);
    p.codebook
        .codes
        .push(code(id(2), Some(id(1)), 0, "Not::a path"));
    p.codebook.codes.push(code(id(3), None, 1, "Third"));
    for (i, text) in texts.iter().enumerate() {
        let key = format!("study-{i}");
        let mut s = Study::new(&key);
        s.id = id(100 + i as u128);
        let src = source(
            id(200 + i as u128),
            &format!("results {i}"),
            &format!("{key}/results.txt"),
            text,
        );
        let chars = text.chars().count() as u32;
        let mut c1 = coding(
            id(300 + i as u128),
            &src,
            text,
            0,
            4,
            id(2),
            p.meta.reviewer.id,
        );
        c1.note = format!("note {i}\r\n<b>bold</b>");
        c1.edited = "2026-11-27T08:30:00Z".into(); // REFI's modifiedDateTime
        let c2 = coding(id(400 + i as u128), &src, text, 5, chars, id(3), id(9));
        s.codings = vec![c1, c2];
        s.sources.push(src);
        s.memo = format!("Study memo {i}");
        s.characteristics
            .insert("country".into(), "Côte d’Ivoire".into());
        s.citation = Citation {
            authors: vec!["Ødegård, K.".into(), "Núñez, A.".into()],
            year: Some(2020 + i as i32),
            title: "A title: with <markup>".into(),
            journal: "J".into(),
            doi: Some("10.1/x".into()),
            ..Citation::default()
        };
        s.sort_codings();
        p.studies.push(s);
    }
    let mut empty = Study::new("no-sources");
    empty.id = id(150);
    empty.memo = "Only a memo\nand characteristics.".into();
    empty
        .characteristics
        .insert("setting".into(), "CMHT".into());
    p.studies.push(empty);
    p.sort_studies();
    let store = Store::create(root, &p).expect("create");
    for (s, text) in p
        .studies
        .iter()
        .filter(|s| !s.sources.is_empty())
        .zip(texts)
    {
        store.add_text(&s.sources[0].file, text).unwrap();
    }
    p
}

#[test]
fn hard_texts_and_names_survive_and_validate() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("hard");
    hard_project(&dir);
    assert_eq!(common::check(&dir).code, 0);
    // The bell cannot go into XML: the round trip shows it as U+FFFD, and the
    // export says so; everything else comes back exactly.
    let first = tmp.path().join("first.qdpx");
    let sum = export_qdpx(&dir, &first, &Silent).unwrap();
    assert!(sum.notes.iter().any(|n| n.contains("U+FFFD")), "{sum}");
    let back = tmp.path().join("back");
    import_qdpx(&first, &back, &ImportOptions::default(), &Silent).unwrap();
    let mut want = digest(&dir);
    for v in want.values_mut() {
        *v = v.replace("\\u{7}", "\u{fffd}");
    }
    assert_same(&want, &digest(&back));
    assert_valid_qdpx(&first, tmp.path());
    // A code name with `::` stays one name when it comes from thematic.
    let (_, p) = open(&back);
    assert!(
        p.codebook
            .resolve("Theme \\/ with slash/Not::a path")
            .is_some()
    );
    assert_eq!(p.meta.collaborators[0].name, "Bo Ström");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Any small synthetic review (texts with accents, emoji and combining marks,
    /// a three-level tree, several reviewers) goes out and comes back whole.
    #[test]
    fn synthetic_reviews_round_trip(seed in any::<u64>(), studies in 1usize..5, codes in 3usize..20) {
        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().join("synth");
        let spec = SynthSpec {
            studies,
            words_per_study: 300,
            codings_per_study: 12,
            codes,
            seed,
        };
        generate(&dir, &spec).unwrap();
        round_trip(&dir, tmp.path());
    }
}
