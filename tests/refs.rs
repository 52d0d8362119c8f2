//! `thematic import-refs`: RIS and BibTeX exports of Zotero, EndNote and Mendeley
//! (fixtures in `tests/fixtures/refs/`) become studies, or fill in the citations
//! of studies the project has; importing again changes nothing.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use common::{check, snapshot, thematic};
use thematic::model::{Citation, Edit, Study};
use thematic::store::{Mode, Store};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/refs")
        .join(name)
}

fn init(tmp: &TempDir) -> PathBuf {
    let root = tmp.path().join("review");
    common::init(&root).ok();
    root
}

fn import_refs(root: &Path, file: &Path) -> common::Run {
    thematic([
        OsStr::new("import-refs"),
        root.as_os_str(),
        file.as_os_str(),
    ])
}

fn studies(root: &Path) -> Vec<Study> {
    Store::open(root, Mode::Read).expect("open").project.studies
}

fn study(root: &Path, key: &str) -> Study {
    studies(root)
        .into_iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no study {key}"))
}

fn keys(root: &Path) -> Vec<String> {
    studies(root).into_iter().map(|s| s.key).collect()
}

#[test]
fn zotero_ris_becomes_studies() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let run = import_refs(&root, &fixture("zotero.ris")).ok();
    assert!(
        run.stdout
            .contains("4 added, 0 enriched, 0 unchanged, 0 skipped"),
        "{run:?}"
    );
    // Two papers by Okafor in 2019 share the key with `a`/`b`; Ødegård is folded to
    // ASCII; a report with no year is `n.d.`.
    assert_eq!(
        keys(&root),
        ["hartley-nd", "odegard-2020", "okafor-2019a", "okafor-2019b"]
    );
    let a = study(&root, "okafor-2019a");
    assert_eq!(
        a.citation,
        Citation {
            authors: vec![
                "Okafor, Ngozi".into(),
                "Reyes, Luis".into(),
                "Ødegård, Kari".into()
            ],
            year: Some(2019),
            title: "Clinicians’ views on community mental health care for people with complex \
                    emotional needs: a qualitative study"
                .into(),
            journal: "BMC Psychiatry".into(),
            doi: Some("10.1186/s12888-019-2055-9".into()),
            volume: "19".into(),
            issue: "1".into(),
            pages: "84".into(),
        }
    );
    let b = study(&root, "okafor-2019b");
    // The DOI had a URL prefix; the pages were SP and EP.
    assert_eq!(
        b.citation.doi.as_deref(),
        Some("10.1080/09638237.2018.1521931")
    );
    assert_eq!(b.citation.pages, "112–120");
    assert_eq!(
        b.citation.title,
        "Diagnosis as a door: how clinicians talk about “personality disorder”"
    );
    let o = study(&root, "odegard-2020");
    // No PY: the year comes from DA; the DOI was upper case.
    assert_eq!(o.citation.year, Some(2020));
    assert_eq!(
        o.citation.doi.as_deref(),
        Some("10.1016/j.jpsychires.2020.01.004")
    );
    assert_eq!(o.citation.pages, "45–53");
    assert_eq!(study(&root, "hartley-nd").citation.year, None);
    check(&root).ok();
}

#[test]
fn bibtex_from_mendeley_and_zotero_decodes_latex() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let run = import_refs(&root, &fixture("mendeley.bib")).ok();
    assert!(run.stdout.contains("3 added"), "{run:?}");
    let run = import_refs(&root, &fixture("zotero.bib")).ok();
    assert!(run.stdout.contains("3 added"), "{run:?}");
    assert_eq!(
        keys(&root),
        [
            "bianchi-2018",
            "national-institute-for-health-and-care-excellence-nd",
            "odegard-2020",
            "reyes-2021a",
            "reyes-2021b",
            "smith-nd",
        ]
    );
    let o = study(&root, "odegard-2020").citation;
    assert_eq!(
        o.authors,
        ["Ødegård, Kari", "Müller, Jörg", "García, José"],
        "{{\\O}}, {{\\aa}}, {{\\\"{{u}}}} and {{\\'{{i}}}} decoded"
    );
    assert_eq!(
        o.title,
        "Whose needs are they anyway? Clinician and wider service needs"
    );
    assert_eq!(o.pages, "45–53", "`--` is an en dash");
    let b = study(&root, "bianchi-2018").citation;
    assert_eq!(b.authors[2], "Škoda, Jiří");
    assert_eq!(
        b.title,
        "Managing safety and crises: being measured and proactive in Örebro and São Paulo"
    );
    assert_eq!((b.volume.as_str(), b.issue.as_str()), ("51", "3"));
    let r = study(&root, "reyes-2021a").citation;
    // Names in both orders; the `von` part stays with the family name.
    assert_eq!(
        r.authors,
        ["Reyes, Luis", "van der Berg, Anna", "García, José"]
    );
    assert_eq!(
        r.title,
        "Nowhere to go: The patient journey into services for people with “complex emotional needs”"
    );
    assert_eq!(r.doi.as_deref(), Some("10.1186/s12888-021-03100-1"));
    assert_eq!(r.year, Some(2021));
    let u = study(&root, "reyes-2021b").citation;
    assert_eq!(u.title, "The use and misuse of diagnosis – a UK survey");
    assert_eq!(u.authors, ["Reyes, L.", "O'Brien, Ciara"]);
    let n = study(
        &root,
        "national-institute-for-health-and-care-excellence-nd",
    )
    .citation;
    assert_eq!(
        n.authors,
        ["National Institute for Health and Care Excellence"],
        "a braced name is an organisation, kept whole"
    );
    assert_eq!(study(&root, "smith-nd").citation.year, None);
    check(&root).ok();
}

#[test]
fn importing_twice_adds_nothing_and_writes_nothing() {
    for file in ["zotero.ris", "mendeley.bib", "zotero.bib", "endnote.ris"] {
        let tmp = TempDir::new().unwrap();
        let root = init(&tmp);
        import_refs(&root, &fixture(file)).ok();
        let before = snapshot(&root);
        let run = import_refs(&root, &fixture(file)).ok();
        let n = studies(&root).len();
        assert!(
            run.stdout
                .contains(&format!("0 added, 0 enriched, {n} unchanged, 0 skipped")),
            "{file}: {run:?}"
        );
        let after = snapshot(&root);
        let changed: Vec<&String> = after
            .iter()
            .filter(|(k, v)| !k.starts_with(".thematic") && before.get(*k) != Some(v))
            .map(|(k, _)| k)
            .collect();
        assert!(changed.is_empty(), "{file}: {changed:?} changed");
    }
}

/// A project with studies typed in by hand: `okafor-2019` (a title in other case
/// and punctuation, nothing else) and `bianchi-2018` (a DOI, another year).
fn project_with_studies(tmp: &TempDir) -> PathBuf {
    let root = init(tmp);
    let opened = Store::open(&root, Mode::Write).unwrap();
    let (mut store, mut project) = (opened.store, opened.project);
    let mut okafor = Study::new("okafor-2019");
    okafor.citation.title = "CLINICIANS’ VIEWS on community mental-health care for people with \
                             complex emotional needs — a qualitative study."
        .into();
    let mut bianchi = Study::new("bianchi-2018");
    bianchi.citation = Citation {
        authors: vec!["Bianchi, Maria".into(), "Hartley, Sam".into()],
        year: Some(2018),
        title: "Nowhere to go: the patient journey into services".into(),
        doi: Some("10.1016/j.eurpsy.2018.03.004".into()),
        ..Citation::default()
    };
    store
        .apply(
            &mut project,
            Edit::Batch(vec![
                Edit::AddStudy(Box::new(okafor)),
                Edit::AddStudy(Box::new(bianchi)),
            ]),
        )
        .unwrap();
    drop(store);
    root
}

#[test]
fn endnote_ris_enriches_by_doi_and_by_title() {
    let tmp = TempDir::new().unwrap();
    let root = project_with_studies(&tmp);
    let run = import_refs(&root, &fixture("endnote.ris")).ok();
    let out = &run.stdout;
    assert!(
        out.contains("1 added, 2 enriched, 0 unchanged, 0 skipped; 1 difference(s)"),
        "{run:?}"
    );
    assert!(
        out.contains(
            "endnote.ris:1: enriched bianchi-2018 (matched by DOI); filled journal, volume, pages"
        ),
        "{out}"
    );
    // Ours is kept where both have a value; the difference is reported, with the line.
    assert!(
        out.contains("endnote.ris:1:   differs in year: kept \"2018\", the file has \"2017\""),
        "{out}"
    );
    assert!(
        out.contains("endnote.ris:13: enriched okafor-2019 (matched by title); filled journal, volume, issue, pages, authors, year, DOI"),
        "{out}"
    );
    let b = study(&root, "bianchi-2018").citation;
    assert_eq!(b.year, Some(2018));
    assert_eq!(b.journal, "European Psychiatry");
    assert_eq!(b.pages, "1–8");
    // "Bianchi, M." in the file is the same person as our "Bianchi, Maria".
    assert_eq!(b.authors, ["Bianchi, Maria", "Hartley, Sam"]);
    let o = study(&root, "okafor-2019").citation;
    assert!(
        o.title.starts_with("CLINICIANS’ VIEWS"),
        "our title is kept"
    );
    assert_eq!(o.authors, ["Okafor, N.", "Reyes, L."]);
    assert_eq!(o.doi.as_deref(), Some("10.1186/s12888-019-2055-9"));
    assert_eq!(o.year, Some(2019));
    // A new paper by Okafor in 2019: the existing `okafor-2019` stays, the new one is `b`.
    assert_eq!(keys(&root), ["bianchi-2018", "okafor-2019", "okafor-2019b"]);
    assert_eq!(
        study(&root, "okafor-2019b").citation.doi.as_deref(),
        Some("10.1007/s10597-019-00412-7")
    );
    check(&root).ok();

    // The same papers from another reference manager: matched, nothing added.
    let run = import_refs(&root, &fixture("zotero.ris")).ok();
    assert!(
        run.stdout
            .contains("zotero.ris:1: unchanged okafor-2019 (matched by DOI)"),
        "{run:?}"
    );
}

#[test]
fn one_import_is_one_save_of_new_and_changed_studies_only() {
    let tmp = TempDir::new().unwrap();
    let root = project_with_studies(&tmp);
    let before = snapshot(&root);
    import_refs(&root, &fixture("endnote.ris")).ok();
    let after = snapshot(&root);
    let mut changed: Vec<&str> = after
        .keys()
        .filter(|k| !k.starts_with(".thematic") && before.get(*k) != after.get(*k))
        .map(|k| k.as_str())
        .collect();
    changed.sort();
    assert_eq!(
        changed,
        [
            "studies/bianchi-2018.ron",
            "studies/okafor-2019.ron",
            "studies/okafor-2019b.ron"
        ]
    );
}

#[test]
fn malformed_files_name_the_line() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let before = snapshot(&root);
    let run = import_refs(&root, &fixture("broken.ris"));
    assert_eq!(run.code, 1, "{run:?}");
    // The reference from line 7 is not closed when the next one starts at line 12.
    assert!(
        run.stderr
            .contains("broken.ris:12:1: a new reference starts before the one at line 7 ended"),
        "{run:?}"
    );
    let run = import_refs(&root, &fixture("broken.bib"));
    assert_eq!(run.code, 1, "{run:?}");
    // The comma missing after line 8's field is noticed where the next one begins.
    assert!(
        run.stderr.contains("broken.bib:9:3: expected comma"),
        "{run:?}"
    );
    assert_eq!(snapshot(&root), before, "nothing is written");
}

#[test]
fn format_is_known_by_content_as_well_as_by_extension() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let txt = tmp.path().join("export.txt");
    fs::copy(fixture("zotero.ris"), &txt).unwrap();
    let run = import_refs(&root, &txt).ok();
    assert!(run.stdout.contains("(RIS)"), "{run:?}");
    let not_refs = tmp.path().join("notes.txt");
    fs::write(&not_refs, "Just some notes.\n").unwrap();
    let run = import_refs(&root, &not_refs);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not a RIS or BibTeX file"), "{run:?}");
}

#[test]
fn references_with_nothing_to_know_them_by_are_skipped() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let file = tmp.path().join("odd.ris");
    fs::write(
        &file,
        "TY  - JOUR\nAU  - Okafor, Ngozi\nPY  - 2019\nER  - \n\nTY  - JOUR\nER  - \n\n\
         TY  - JOUR\nTI  - A title only\nDO  - not-a-doi\nER  - \n",
    )
    .unwrap();
    let run = import_refs(&root, &file).ok();
    assert!(
        run.stdout
            .contains("odd.ris:1: skipped: it has no title or DOI to know it by"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("odd.ris:6: skipped: it has no title, authors or DOI"),
        "{run:?}"
    );
    assert!(run.stdout.contains("odd.ris:9: added anon-nd"), "{run:?}");
    assert!(
        run.stdout
            .contains("note: `not-a-doi` is not a DOI; left out"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("1 added, 0 enriched, 0 unchanged, 2 skipped")
    );
}
