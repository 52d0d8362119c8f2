//! Report numbers checked against arithmetic done by hand on a small fixture with
//! overlapping codings, nested codes, a two-source study and non-ASCII text.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use thematic::model::{
    Answer, Appraisal, AppraisalItem, Code, CodeKind, Coding, Construct, Id, Project, Source, Study,
};
use thematic::report::{
    self, AppraisalReport, CharacteristicsReport, CodebookReport, Coverage, Matrix, MatrixBy,
    MatrixReport, SegmentFilter, SegmentsReport, Texts, context, segments,
};
use thematic::store::{Mode, Store};
use thematic::text::{SourceText, sha256_hex};

// Codes. T1 > {C1, S1 > C2}; T2 (a leaf at depth 1); T3 > C3 (never used).
const T1: Id = Id::from_u128(0x100);
const C1: Id = Id::from_u128(0x101);
const S1: Id = Id::from_u128(0x102);
const C2: Id = Id::from_u128(0x103);
const T2: Id = Id::from_u128(0x200);
const T3: Id = Id::from_u128(0x300);
const C3: Id = Id::from_u128(0x301);

// Studies and sources.
const ALPHA: Id = Id::from_u128(0xa);
const BETA: Id = Id::from_u128(0xb);
const GAMMA: Id = Id::from_u128(0xc);
const A_RES: Id = Id::from_u128(0xa1);
const B_INT: Id = Id::from_u128(0xb1);
const B_FLD: Id = Id::from_u128(0xb2);
const G_RES: Id = Id::from_u128(0xc1);

// "Ødegård: 日本語 😀 ok"
//  Ø d e g å r d :  ␠ 日 本 語 ␠ 😀 ␠ o  k
//  0 1 2 3 4 5 6 7  8 9 10 11 12 13 14 15 16   → 17 code points
//  words (UAX #29; each ideograph is a word): Ødegård 日 本 語 ok → 5
const A_TEXT: &str = "Ødegård: 日本語 😀 ok";
// "The CEO 🙂 said no."
//  T h e ␠ C E O ␠ 🙂 ␠ s  a  i  d  ␠  n  o  .
//  0 1 2 3 4 5 6 7 8  9 10 11 12 13 14 15 16 17  → 18 code points; words: The CEO said no → 4
const B_INT_TEXT: &str = "The CEO 🙂 said no.";
// "Зона дня — ok"
//  З о н а ␠ д н я ␠ — ␠  o  k
//  0 1 2 3 4 5 6 7 8 9 10 11 12  → 13 code points; words: Зона дня ok → 3
const B_FLD_TEXT: &str = "Зона дня — ok";
// 14 code points; words: No codes here → 3
const G_TEXT: &str = "No codes here.";

fn code(id: Id, parent: Option<Id>, order: i64, kind: CodeKind, name: &str) -> Code {
    Code {
        id,
        parent,
        order,
        kind,
        name: name.into(),
        description: format!("Definition of {name} | with a pipe, \"quotes\" and <b>tags</b>"),
        color: "#88c0d0".into(),
        memo: String::new(),
    }
}

fn source(id: Id, key: &str, name: &str, text: &str) -> Source {
    Source {
        id,
        name: name.into(),
        file: format!("{key}/{name}.txt"),
        sha256: sha256_hex(text.as_bytes()),
        chars: text.chars().count() as u32,
    }
}

fn coding(
    n: u128,
    src: Id,
    text: &str,
    (start, end): (u32, u32),
    code: Id,
    k: Construct,
) -> Coding {
    Coding {
        id: Id::from_u128(0x1000 + n),
        source: src,
        start,
        end,
        code,
        by: Id::from_u128(0xfeed),
        at: "2026-11-25T10:00:00Z".into(),
        edited: String::new(),
        construct: k,
        quote: text
            .chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect(),
        note: String::new(),
        flag: None,
    }
}

/// The fixture project and its texts by source id.
fn fixture() -> (Project, HashMap<Id, String>) {
    let mut p = Project::new("Fixture: Ødegård & 日本", "Tester");
    p.meta.reviewer.id = Id::from_u128(0xfeed);
    p.codebook.codes = vec![
        code(T1, None, 0, CodeKind::AnalyticalTheme, "Theme Ødegård"),
        code(C1, Some(T1), 0, CodeKind::Code, "Code one"),
        code(S1, Some(T1), 1, CodeKind::DescriptiveTheme, "Sub/theme"),
        code(C2, Some(S1), 0, CodeKind::Code, "日本語コード"),
        code(T2, None, 1, CodeKind::AnalyticalTheme, "Theme two 🙂"),
        code(T3, None, 2, CodeKind::AnalyticalTheme, "Empty theme"),
        code(C3, Some(T3), 0, CodeKind::Code, "Unused"),
    ];
    p.codebook.canonicalize();

    let mut alpha = Study::new("alpha-2020");
    alpha.id = ALPHA;
    alpha.citation.authors = vec!["Ødegård, Å.".into(), "Smith, J.".into()];
    alpha.citation.year = Some(2020);
    alpha.citation.title = "Alpha | study".into();
    alpha
        .characteristics
        .insert("country".into(), "Norway".into());
    alpha
        .characteristics
        .insert("design".into(), "Interviews".into());
    alpha.appraisal = Some(Appraisal {
        tool: "CASP".into(),
        items: (1..=10)
            .map(|i| AppraisalItem {
                item: i.to_string(),
                answer: match i {
                    4 => Answer::CantTell,
                    6 => Answer::No,
                    10 => Answer::NotApplicable,
                    _ => Answer::Yes,
                },
                note: String::new(),
            })
            .collect(),
        overall: "Good".into(),
    });
    alpha.sources = vec![source(A_RES, "alpha-2020", "results", A_TEXT)];
    alpha.codings = vec![
        // a1 C1 [0,7) "Ødegård"            participant
        coding(1, A_RES, A_TEXT, (0, 7), C1, Construct::Participant),
        // a2 C2 [3,11) "gård: 日本"          author (overlaps a1 on 3..7)
        coding(2, A_RES, A_TEXT, (3, 11), C2, Construct::Author),
        // a3 T2 [13,14) "😀"                 reviewer
        coding(3, A_RES, A_TEXT, (13, 14), T2, Construct::Reviewer),
        // a4 T1 [15,17) "ok"                 participant (a theme coded directly)
        coding(4, A_RES, A_TEXT, (15, 17), T1, Construct::Participant),
    ];

    let mut beta = Study::new("beta-2021");
    beta.id = BETA;
    beta.characteristics
        .insert("country".into(), "Україна".into());
    beta.characteristics
        .insert("setting".into(), "Community".into());
    beta.sources = vec![
        source(B_INT, "beta-2021", "interview", B_INT_TEXT),
        source(B_FLD, "beta-2021", "field notes", B_FLD_TEXT),
    ];
    beta.codings = vec![
        // b1 interview C2 [0,7) "The CEO"   participant
        coding(5, B_INT, B_INT_TEXT, (0, 7), C2, Construct::Participant),
        // b2 interview C1 [4,9) "CEO 🙂"    author (overlaps b1 on 4..7)
        coding(6, B_INT, B_INT_TEXT, (4, 9), C1, Construct::Author),
        // b3 field T2 [0,4) "Зона"          unspecified
        coding(7, B_FLD, B_FLD_TEXT, (0, 4), T2, Construct::Unspecified),
        // b4 field C2 [0,4) "Зона"          participant (the same span, another code)
        coding(8, B_FLD, B_FLD_TEXT, (0, 4), C2, Construct::Participant),
    ];

    let mut gamma = Study::new("gamma-2022");
    gamma.id = GAMMA;
    gamma.sources = vec![source(G_RES, "gamma-2022", "results", G_TEXT)];

    p.studies = vec![alpha, beta, gamma];
    p.sort_studies();
    for s in &mut p.studies {
        s.sort_codings();
    }
    let texts = HashMap::from([
        (A_RES, A_TEXT.to_string()),
        (B_INT, B_INT_TEXT.to_string()),
        (B_FLD, B_FLD_TEXT.to_string()),
        (G_RES, G_TEXT.to_string()),
    ]);
    (p, texts)
}

/// The fixture as a project directory, via `Store::create`.
fn write_fixture(dir: &Path) -> Project {
    let (p, texts) = fixture();
    let store = Store::create(dir, &p).unwrap();
    for s in &p.studies {
        for src in &s.sources {
            store.add_text(&src.file, &texts[&src.id]).unwrap();
        }
    }
    drop(store);
    p
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[track_caller]
fn assert_close(a: f64, b: f64) {
    assert!(close(a, b), "{a} != {b}");
}

#[test]
fn fixture_counts_are_what_the_comments_say() {
    assert_eq!(A_TEXT.chars().count(), 17);
    assert_eq!(B_INT_TEXT.chars().count(), 18);
    assert_eq!(B_FLD_TEXT.chars().count(), 13);
    assert_eq!(G_TEXT.chars().count(), 14);
}

#[test]
fn coverage_by_hand() {
    let (p, texts) = fixture();
    let c = Coverage::compute(&p, &texts).unwrap();
    let keys: Vec<&str> = c.studies.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["alpha-2020", "beta-2021", "gamma-2022"]);
    let [a, b, g] = [&c.studies[0], &c.studies[1], &c.studies[2]];

    // alpha: covered [0,7) ∪ [3,11) ∪ [13,14) ∪ [15,17) = [0,11) + 1 + 2 = 14 of 17.
    assert_eq!((a.words, a.characters, a.codings, a.codes), (5, 17, 4, 4));
    assert_eq!(a.covered, 14);
    assert_close(a.coded, 14.0 * 100.0 / 17.0); // 82.35…
    // participant: [0,7) + [15,17) = 9; author: [3,11) = 8; reviewer: [13,14) = 1.
    assert_close(a.by_construct.participant, 9.0 * 100.0 / 17.0);
    assert_close(a.by_construct.author, 8.0 * 100.0 / 17.0);
    assert_close(a.by_construct.reviewer, 100.0 / 17.0);
    assert_close(a.by_construct.unspecified, 0.0);

    // beta pools two sources: 18 + 13 = 31 code points, 4 + 3 = 7 words.
    // interview: [0,7) ∪ [4,9) = 9; field notes: [0,4) twice = 4 → 13 of 31.
    assert_eq!((b.words, b.characters, b.codings, b.codes), (7, 31, 4, 3));
    assert_eq!(b.covered, 13);
    assert_close(b.coded, 13.0 * 100.0 / 31.0); // 41.93…
    // participant: [0,7) + [0,4) = 11; author: [4,9) = 5; unspecified: [0,4) = 4.
    assert_close(b.by_construct.participant, 11.0 * 100.0 / 31.0);
    assert_close(b.by_construct.author, 5.0 * 100.0 / 31.0);
    assert_close(b.by_construct.reviewer, 0.0);
    assert_close(b.by_construct.unspecified, 4.0 * 100.0 / 31.0);

    // gamma: nothing coded.
    assert_eq!((g.words, g.characters, g.codings, g.codes), (3, 14, 0, 0));
    assert_close(g.coded, 0.0);

    // total: 5+7+3 = 15 words, 17+31+14 = 62 code points, 8 codings,
    // distinct codes {C1, C2, T1, T2} = 4, covered 14+13 = 27 → 27/62.
    let t = &c.total;
    assert_eq!(
        (t.words, t.characters, t.codings, t.codes, t.covered),
        (15, 62, 8, 4, 27)
    );
    assert_close(t.coded, 27.0 * 100.0 / 62.0);
    // participant 9+11 = 20, author 8+5 = 13, reviewer 1, unspecified 4 (of 62).
    assert_close(t.by_construct.participant, 20.0 * 100.0 / 62.0);
    assert_close(t.by_construct.author, 13.0 * 100.0 / 62.0);
    assert_close(t.by_construct.reviewer, 100.0 / 62.0);
    assert_close(t.by_construct.unspecified, 4.0 * 100.0 / 62.0);
}

#[test]
fn matrix_depth_1_by_hand() {
    let (p, _) = fixture();
    let m = Matrix::compute(&p, 1, MatrixBy::Codings);
    let rows: Vec<Id> = m.rows.iter().map(|r| r.code).collect();
    assert_eq!(rows, [T1, T2, T3]); // tree order
    assert_eq!(m.rows[0].path, "Theme Ødegård");
    assert_eq!(m.studies, [ALPHA, BETA, GAMMA]);
    // T1 ⊇ {T1, C1, S1, C2}: alpha a1 a2 a4 = 3; beta b1 b2 b4 = 3.
    // T2: alpha a3 = 1; beta b3 = 1. T3: nothing.
    assert_eq!(
        m.cells,
        vec![
            vec![3.0, 3.0, 0.0],
            vec![1.0, 1.0, 0.0],
            vec![0.0, 0.0, 0.0]
        ]
    );
    assert_eq!(m.row_codings, [6, 2, 0]);
    assert_eq!(m.row_studies, [2, 2, 0]);
    assert_eq!(m.study_codings, [4, 4, 0]);

    let r = MatrixReport::compute(&p, 1, MatrixBy::Codings);
    assert_eq!(r.keys, ["alpha-2020", "beta-2021", "gamma-2022"]);
    assert_eq!(r.column_totals, [4.0, 4.0, 0.0]);
    assert_eq!(r.studies_with_codings, 2);
}

#[test]
fn matrix_depth_2_by_hand() {
    let (p, _) = fixture();
    let m = Matrix::compute(&p, 2, MatrixBy::Codings);
    // Rows: T1's children C1, S1; T2 (a leaf shallower than 2); T3's child C3.
    let rows: Vec<(Id, usize)> = m.rows.iter().map(|r| (r.code, r.depth)).collect();
    assert_eq!(rows, [(C1, 2), (S1, 2), (T2, 1), (C3, 2)]);
    assert_eq!(m.rows[1].path, "Theme Ødegård/Sub\\/theme");
    // C1: a1, b2. S1 ⊇ C2: a2; b1, b4. T2: a3; b3. C3: none.
    assert_eq!(
        m.cells,
        vec![
            vec![1.0, 1.0, 0.0],
            vec![1.0, 2.0, 0.0],
            vec![1.0, 1.0, 0.0],
            vec![0.0, 0.0, 0.0]
        ]
    );
    assert_eq!(m.row_codings, [2, 3, 2, 0]);
    assert_eq!(m.row_studies, [2, 2, 2, 0]);
    // a4 is on T1 itself, which has children and so is in no row at depth 2.
    assert_eq!(m.study_codings, [3, 4, 0]);
}

#[test]
fn matrix_presence_and_coverage_by_hand() {
    let (p, _) = fixture();
    let m = Matrix::compute(&p, 1, MatrixBy::Presence);
    assert_eq!(
        m.cells,
        vec![
            vec![1.0, 1.0, 0.0],
            vec![1.0, 1.0, 0.0],
            vec![0.0, 0.0, 0.0]
        ]
    );
    let r = MatrixReport::compute(&p, 1, MatrixBy::Presence);
    assert_eq!(r.column_totals, [2.0, 2.0, 0.0]);

    let m = Matrix::compute(&p, 1, MatrixBy::Coverage);
    // T1 in alpha: [0,7) ∪ [3,11) ∪ [15,17) = 11 + 2 = 13 of 17.
    assert_close(m.cells[0][0], 13.0 * 100.0 / 17.0);
    // T1 in beta: interview [0,7) ∪ [4,9) = 9, field notes [0,4) = 4 → 13 of 31.
    assert_close(m.cells[0][1], 13.0 * 100.0 / 31.0);
    // T2: alpha [13,14) = 1 of 17; beta [0,4) = 4 of 31.
    assert_close(m.cells[1][0], 100.0 / 17.0);
    assert_close(m.cells[1][1], 4.0 * 100.0 / 31.0);
    assert_close(m.cells[2][0], 0.0);
    // Counts stay counts in every mode.
    assert_eq!(m.row_codings, [6, 2, 0]);
    let r = MatrixReport::compute(&p, 1, MatrixBy::Coverage);
    // Any row: alpha 14 of 17 (as the study's coverage), beta 13 of 31.
    assert_close(r.column_totals[0], 14.0 * 100.0 / 17.0);
    assert_close(r.column_totals[1], 13.0 * 100.0 / 31.0);
    assert_close(r.column_totals[2], 0.0);
}

#[test]
fn segments_filter_order_and_context() {
    let (p, texts) = fixture();
    // S1 includes its descendant C2: a2, then beta's b1 and b4 (study, then coding order).
    let f = SegmentFilter {
        code: Some(S1),
        ..Default::default()
    };
    let got: Vec<(&str, &str)> = segments(&p, &f)
        .iter()
        .map(|s| (s.study.key.as_str(), s.coding.quote.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("alpha-2020", "gård: 日本"),
            ("beta-2021", "The CEO"),
            ("beta-2021", "Зона")
        ]
    );
    let f = SegmentFilter {
        construct: Some(Construct::Author),
        study: Some(BETA),
        ..Default::default()
    };
    let s = segments(&p, &f);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].path, "Theme Ødegård/Code one");
    assert_eq!(segments(&p, &SegmentFilter::default()).len(), 8);

    // Context of b2 "CEO 🙂" in "The CEO 🙂 said no.".
    let t = SourceText::new(B_INT_TEXT.into());
    assert_eq!(context(&t, 4, 9, 80), ("The ".into(), " said no.".into()));
    // Three code points either side end inside "The" and "said": half words are dropped.
    assert_eq!(context(&t, 4, 9, 3), ("".into(), "".into()));
    assert_eq!(context(&t, 4, 9, 6), ("The ".into(), " said".into()));

    let r = SegmentsReport::compute(&p, &f, &texts, 80).unwrap();
    assert_eq!(r.segments.len(), 1);
    let seg = &r.segments[0];
    assert_eq!(
        (
            seg.study.as_str(),
            seg.source.as_str(),
            seg.before.as_str(),
            seg.quote.as_str(),
            seg.after.as_str()
        ),
        ("beta-2021", "interview", "The ", "CEO 🙂", " said no.")
    );
}

#[test]
fn codebook_counts_include_descendants() {
    let (p, _) = fixture();
    let cb = CodebookReport::compute(&p);
    let got: Vec<(&str, usize, u32, u32)> = cb
        .codes
        .iter()
        .map(|c| (c.name.as_str(), c.depth, c.codings, c.studies))
        .collect();
    // T1: a1 a2 a4 b1 b2 b4 = 6 in 2 studies; C1: a1 b2; S1 = C2: a2 b1 b4; T2: a3 b3.
    assert_eq!(
        got,
        [
            ("Theme Ødegård", 1, 6, 2),
            ("Code one", 2, 2, 2),
            ("Sub/theme", 2, 3, 2),
            ("日本語コード", 3, 3, 2),
            ("Theme two 🙂", 1, 2, 2),
            ("Empty theme", 1, 0, 0),
            ("Unused", 2, 0, 0),
        ]
    );
}

#[test]
fn characteristics_and_appraisal() {
    let (p, _) = fixture();
    let c = CharacteristicsReport::compute(&p);
    assert_eq!(c.keys, ["country", "design", "setting"]);
    let t = c.table();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "key", "authors", "year", "title", "journal", "doi", "country", "design", "setting"
        ]
    );
    assert_eq!(t.rows[0][1], "Ødegård, Å.; Smith, J.");
    assert_eq!(t.rows[1][6..], ["Україна", "", "Community"]);

    let a = AppraisalReport::compute(&p);
    assert!(a.studies[0].appraised);
    assert_eq!(a.studies[0].answers[3], Some(Answer::CantTell));
    assert_eq!(a.studies[1].overall, "not appraised");
    let t = report::Report::Appraisal(a).table(report::Format::Csv);
    assert_eq!(t.rows[0][4], "Can't tell");
    assert_eq!(t.rows[0][6], "No");
    assert_eq!(t.rows[0][10], "N/A");
    assert_eq!(t.rows[2][11], "not appraised");
}

/// The same numbers come out of the store as from texts in memory.
#[test]
fn store_and_memory_agree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("fixture");
    write_fixture(&root);
    let opened = Store::open(&root, Mode::Read).unwrap();
    let (_, texts) = fixture();
    let from_disk = Coverage::compute(&opened.project, &opened.store).unwrap();
    let from_memory = Coverage::compute(&opened.project, &texts).unwrap();
    assert_eq!(from_disk, from_memory);
    assert_eq!(from_disk.total.words, 15);
    let src = &opened.project.studies[0].sources[0];
    assert_eq!(opened.store.text(src).unwrap().as_str(), A_TEXT);
}

fn thematic(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_thematic"))
        .args(args)
        .env("COLUMNS", "100")
        .output()
        .unwrap()
}

/// The command line prints the same numbers, and the CSV parses back to them.
#[test]
fn cli_csv_carries_the_hand_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("fixture");
    write_fixture(&root);
    let r = root.to_str().unwrap();

    let out = thematic(&["report", r, "matrix", "--format", "csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rd = csv::Reader::from_reader(out.stdout.as_slice());
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        head,
        [
            "theme",
            "alpha-2020",
            "beta-2021",
            "gamma-2022",
            "total",
            "studies"
        ]
    );
    let rows: Vec<Vec<String>> = rd
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["Theme Ødegård", "3", "3", "0", "6", "2"],
            ["Theme two 🙂", "1", "1", "0", "2", "2"],
            ["Empty theme", "0", "0", "0", "0", "0"],
            ["total", "4", "4", "0", "8", "2"],
        ]
    );

    let out = thematic(&["report", r, "coverage", "--format", "csv"]);
    assert!(out.status.success());
    let mut rd = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    // key, title, words, characters, codings, codes, % coded, % participant, …
    assert_eq!(&rows[1][0], "beta-2021");
    assert_eq!(&rows[1][2], "7");
    assert_eq!(&rows[1][3], "31");
    assert_eq!(&rows[1][6], "41.94"); // 13/31 = 41.935…
    assert_eq!(&rows[0][6], "82.35"); // 14/17 = 82.352…
    assert_eq!(&rows[3][0], "total");
    assert_eq!(&rows[3][6], "43.55"); // 27/62 = 43.548…

    let out = thematic(&[
        "report",
        r,
        "segments",
        "--code",
        "Theme Ødegård/Sub\\/theme",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let quotes: Vec<&str> = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["quote"].as_str().unwrap())
        .collect();
    assert_eq!(quotes, ["gård: 日本", "The CEO", "Зона"]);
}
