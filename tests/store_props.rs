//! Property tests of the store and the model:
//! - save → load → save is byte-identical, for random projects with awkward strings;
//! - every edit is undone exactly by its inverse, and a failing edit changes nothing;
//! - spans snapped to grapheme boundaries survive saving, and `check` agrees with them;
//! - cursor motions always land on grapheme boundaries.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use tempfile::TempDir;
use unicode_segmentation::UnicodeSegmentation;

use common::{id, snapshot};
use thematic::model::{
    Answer, Appraisal, AppraisalItem, Citation, Code, CodeKind, Coding, Construct, Edit, Id,
    Project, ProjectMeta, Reviewer, Source, Study, StudyInfo, Touched,
};
use thematic::store::{
    Mode, Store, Unsupported, check, from_ron_fast, to_ron, to_ron_by_ron, to_ron_fast,
};
use thematic::text::{Motion, SourceText, motion, sha256_hex};

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

/// Number of cases: `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Characters that stress RON escaping and path handling.
const AWKWARD: &[char] = &[
    '/',
    '"',
    '\\',
    '\'',
    '\n',
    '\r',
    '\t',
    '\0',
    '\u{7f}',
    '\u{1b}',
    'é',
    'Ø',
    'ß',
    '中',
    '😀',
    '\u{301}',
    '\u{200d}',
    '\u{feff}',
    '\u{2028}',
    '\u{85}',
    '#',
    '(',
    ')',
    ',',
    ':',
    '[',
    ']',
    '{',
    '}',
    '$',
    'r',
    '\u{10ffff}',
];

fn any_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<char>(),
            3 => prop::sample::select(AWKWARD),
            4 => prop::char::range('a', 'z'),
            1 => Just(' '),
        ],
        0..max,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// A code name: anything, as long as it is not blank (the store requires a name).
fn name() -> impl Strategy<Value = String> {
    any_string(14).prop_filter("a code needs a name", |s| !s.trim().is_empty())
}

/// A study key the model accepts: not empty, no `/` or `\`, not starting with `.`;
/// also no NUL (not representable in a file name).
fn key() -> impl Strategy<Value = String> {
    "[a-z0-9é中][a-z0-9 ._:éø中-]{0,10}"
}

/// Grapheme clusters and pieces of text that make code points and graphemes differ.
const PIECES: &[&str] = &[
    "a",
    "b",
    "word ",
    "Diagnosis ",
    "e\u{301}",
    "n\u{303}\u{323}",
    "👩\u{200d}🔬",
    "👨\u{200d}👩\u{200d}👧",
    "🇬🇧",
    "🇫🇷",
    "中文",
    "한국어",
    "\u{1100}\u{1161}\u{11a8}",
    "\t",
    "\r\n",
    "\n",
    "\n\n",
    " ",
    ". ",
    "! ",
    "ก้",
    "☺\u{fe0f}",
    "\u{200d}",
    "\u{301}",
    "\r",
    "é",
    "\"",
    "\\",
    "x",
    "  \u{301}",
    "\t\u{308}",
];

fn source_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

#[derive(Clone, Debug)]
struct CodeSpec {
    parent: Option<Index>,
    order: i64,
    kind: CodeKind,
    name: String,
    description: String,
    color: String,
    memo: String,
}

fn code_spec() -> impl Strategy<Value = CodeSpec> {
    (
        prop::option::weighted(0.7, any::<Index>()),
        -2i64..3,
        prop::sample::select(vec![
            CodeKind::Code,
            CodeKind::DescriptiveTheme,
            CodeKind::AnalyticalTheme,
        ]),
        name(),
        any_string(20),
        prop_oneof![
            Just("#b48ead".to_string()),
            Just(String::new()),
            any_string(8)
        ],
        any_string(20),
    )
        .prop_map(
            |(parent, order, kind, name, description, color, memo)| CodeSpec {
                parent,
                order,
                kind,
                name,
                description,
                color,
                memo,
            },
        )
}

#[derive(Clone, Debug)]
struct CodingSpec {
    source: Index,
    a: Index,
    b: Index,
    code: Index,
    by_owner: bool,
    at: String,
    edited: String,
    construct: Construct,
    /// `None`: the quote is the text it covers.
    quote: Option<String>,
    note: String,
    flag: Option<String>,
}

fn coding_spec() -> impl Strategy<Value = CodingSpec> {
    (
        (
            any::<Index>(),
            any::<Index>(),
            any::<Index>(),
            any::<Index>(),
        ),
        any::<bool>(),
        (
            prop_oneof![Just("2026-11-25T10:14:03Z".to_string()), any_string(10)],
            prop_oneof![
                2 => Just(String::new()),
                1 => Just("2026-11-26T09:00:00Z".to_string()),
                1 => any_string(10),
            ],
        ),
        prop::sample::select(Construct::ALL.to_vec()),
        prop::option::weighted(0.3, any_string(12)),
        any_string(12),
        prop::option::weighted(0.15, any_string(12)),
    )
        .prop_map(
            |((source, a, b, code), by_owner, (at, edited), construct, quote, note, flag)| {
                CodingSpec {
                    source,
                    a,
                    b,
                    code,
                    by_owner,
                    at,
                    edited,
                    construct,
                    quote,
                    note,
                    flag,
                }
            },
        )
}

fn citation() -> impl Strategy<Value = Citation> {
    (
        prop::collection::vec(any_string(12), 0..3),
        prop::option::of(any::<i32>()),
        any_string(20),
        any_string(12),
        prop::option::of(any_string(12)),
        (any_string(4), any_string(4), any_string(6)),
    )
        .prop_map(
            |(authors, year, title, journal, doi, (volume, issue, pages))| Citation {
                authors,
                year,
                title,
                journal,
                doi,
                volume,
                issue,
                pages,
            },
        )
}

fn appraisal() -> impl Strategy<Value = Appraisal> {
    let answer = prop::sample::select(vec![
        Answer::Yes,
        Answer::No,
        Answer::CantTell,
        Answer::NotApplicable,
    ]);
    (
        any_string(12),
        prop::collection::vec((any_string(3), answer, any_string(12)), 0..4),
        any_string(16),
    )
        .prop_map(|(tool, items, overall)| Appraisal {
            tool,
            items: items
                .into_iter()
                .map(|(item, answer, note)| AppraisalItem { item, answer, note })
                .collect(),
            overall,
        })
}

#[derive(Clone, Debug)]
struct StudySpec {
    key: String,
    citation: Citation,
    characteristics: BTreeMap<String, String>,
    appraisal: Option<Appraisal>,
    memo: String,
    sources: Vec<(String, String)>,
    codings: Vec<CodingSpec>,
}

fn study_spec() -> impl Strategy<Value = StudySpec> {
    (
        key(),
        citation(),
        prop::collection::btree_map(any_string(8), any_string(16), 0..4),
        prop::option::of(appraisal()),
        any_string(24),
        prop::collection::vec((name(), source_text()), 1..3),
        prop::collection::vec(coding_spec(), 0..8),
    )
        .prop_map(
            |(key, citation, characteristics, appraisal, memo, sources, codings)| StudySpec {
                key,
                citation,
                characteristics,
                appraisal,
                memo,
                sources,
                codings,
            },
        )
}

#[derive(Clone, Debug)]
struct ProjectSpec {
    salt: u64,
    title: String,
    question: String,
    reviewer: String,
    created: String,
    collaborators: Vec<String>,
    codes: Vec<CodeSpec>,
    studies: Vec<StudySpec>,
}

fn project_spec() -> impl Strategy<Value = ProjectSpec> {
    (
        any::<u64>(),
        (any_string(20), any_string(30), name(), any_string(12)),
        prop::collection::vec(name(), 0..3),
        prop::collection::vec(code_spec(), 0..10),
        prop::collection::vec(study_spec(), 0..4),
    )
        .prop_map(
            |(salt, (title, question, reviewer, created), collaborators, codes, studies)| {
                ProjectSpec {
                    salt,
                    title,
                    question,
                    reviewer,
                    created,
                    collaborators,
                    codes,
                    studies,
                }
            },
        )
}

/// Ids of one kind of entity for one generated project: distinct for distinct
/// (salt, kind, n), and random-looking so that orderings by id vary.
fn sid(salt: u64, kind: u8, n: usize) -> Id {
    id(((salt as u128) << 64) | ((kind as u128) << 32) | n as u128)
}

/// Where the span of a coding goes: `(start, end)` in code points of `t`.
type Snap = fn(&SourceText, u32, u32) -> Option<(u32, u32)>;

/// Any non-empty span (not necessarily on grapheme boundaries).
fn raw_span(t: &SourceText, a: u32, b: u32) -> Option<(u32, u32)> {
    let (s, e) = (a.min(b), a.max(b));
    if s < e {
        Some((s, e))
    } else if e < t.chars() {
        Some((s, e + 1))
    } else {
        None
    }
}

/// A span widened to grapheme cluster boundaries with the text motions, as a
/// selection in the workstation would be.
fn grapheme_span(t: &SourceText, a: u32, b: u32) -> Option<(u32, u32)> {
    let (s, e) = (a.min(b), a.max(b));
    let s = if t.is_grapheme_boundary(s) {
        s
    } else {
        motion(t, s, Motion::PrevGrapheme)
    };
    let mut e = if t.is_grapheme_boundary(e) {
        e
    } else {
        motion(t, e, Motion::NextGrapheme)
    };
    if e <= s {
        e = motion(t, s, Motion::NextGrapheme);
    }
    (s < e).then_some((s, e))
}

/// Build a canonical project (as the store keeps it in memory) from a spec, and the
/// source texts to write (file relative to `studies/`, text).
fn build(spec: &ProjectSpec, snap: Snap) -> (Project, Vec<(String, String)>) {
    let salt = spec.salt;
    let reviewer = Reviewer {
        id: sid(salt, 0, 0),
        name: spec.reviewer.clone(),
    };
    let meta = ProjectMeta {
        format: thematic::model::FORMAT,
        id: sid(salt, 0, 1),
        title: spec.title.clone(),
        question: spec.question.clone(),
        reviewer: reviewer.clone(),
        created: spec.created.clone(),
        collaborators: spec
            .collaborators
            .iter()
            .enumerate()
            .map(|(i, n)| Reviewer {
                id: sid(salt, 0, 10 + i),
                name: n.clone(),
            })
            .collect(),
    };
    let mut p = Project {
        meta,
        codebook: thematic::model::Codebook::new(),
        studies: Vec::new(),
    };
    for (i, c) in spec.codes.iter().enumerate() {
        let parent = match (c.parent, i) {
            (Some(ix), i) if i > 0 => Some(sid(salt, 1, ix.index(i))),
            _ => None,
        };
        p.codebook.codes.push(Code {
            id: sid(salt, 1, i),
            parent,
            order: c.order,
            kind: c.kind,
            name: c.name.clone(),
            description: c.description.clone(),
            color: c.color.clone(),
            memo: c.memo.clone(),
        });
    }
    p.codebook.canonicalize();
    let mut texts = Vec::new();
    let mut keys = BTreeSet::new();
    let mut n_coding = 0;
    for (i, st) in spec.studies.iter().enumerate() {
        let mut key = st.key.clone();
        if !keys.insert(key.clone()) {
            key = format!("{key}-{i}");
            keys.insert(key.clone());
        }
        let mut s = Study::new(&key);
        s.id = sid(salt, 2, i);
        s.citation = st.citation.clone();
        s.characteristics = st.characteristics.clone();
        s.appraisal = st.appraisal.clone();
        s.memo = st.memo.clone();
        let mut source_texts = Vec::new();
        for (j, (name, text)) in st.sources.iter().enumerate() {
            let file = format!("{}/source-{j}.txt", common_slug(&key, i));
            s.sources.push(Source {
                id: sid(salt, 3, i * 16 + j),
                name: name.clone(),
                file: file.clone(),
                sha256: sha256_hex(text.as_bytes()),
                chars: text.chars().count() as u32,
            });
            texts.push((file, text.clone()));
            source_texts.push(SourceText::new(text.clone()));
        }
        if !p.codebook.codes.is_empty() {
            for cs in &st.codings {
                let si = cs.source.index(s.sources.len());
                let t = &source_texts[si];
                let n = t.chars();
                let (a, b) = (
                    cs.a.index(n as usize + 1) as u32,
                    cs.b.index(n as usize + 1) as u32,
                );
                let Some((start, end)) = snap(t, a, b) else {
                    continue;
                };
                n_coding += 1;
                s.codings.push(Coding {
                    id: sid(salt, 4, n_coding),
                    source: s.sources[si].id,
                    start,
                    end,
                    code: p.codebook.codes[cs.code.index(p.codebook.codes.len())].id,
                    by: if cs.by_owner {
                        reviewer.id
                    } else {
                        sid(salt, 0, 99)
                    },
                    at: cs.at.clone(),
                    edited: cs.edited.clone(),

                    construct: cs.construct,
                    quote: cs
                        .quote
                        .clone()
                        .unwrap_or_else(|| t.slice(start, end).to_string()),
                    note: cs.note.clone(),
                    flag: cs.flag.clone(),
                });
            }
        }
        s.sort_codings();
        p.studies.push(s);
    }
    p.sort_studies();
    (p, texts)
}

/// A folder name for a study's texts that is safe whatever the key.
fn common_slug(key: &str, i: usize) -> String {
    let s = thematic::text::slug(key);
    if s.is_empty() {
        format!("s{i}")
    } else {
        format!("{s}-{i}")
    }
}

/// Create the project in `root` with its texts; the store is closed on return.
fn create_on_disk(
    root: &Path,
    p: &Project,
    texts: &[(String, String)],
) -> Result<(), TestCaseError> {
    let store = Store::create(root, p).map_err(|e| TestCaseError::fail(format!("create: {e}")))?;
    for (file, text) in texts {
        store
            .add_text(file, text)
            .map_err(|e| TestCaseError::fail(format!("add_text {file}: {e}")))?;
    }
    Ok(())
}

fn canonical(p: &Project) -> Project {
    let mut c = p.clone();
    c.codebook.canonicalize();
    c.sort_studies();
    for s in &mut c.studies {
        s.sort_codings();
    }
    c
}

// ---------------------------------------------------------------------------
// save → load → save
// ---------------------------------------------------------------------------

fn save_load_save(spec: &ProjectSpec) -> Result<(), TestCaseError> {
    let (p, texts) = build(spec, raw_span);
    let tmp = TempDir::new().expect("temp dir");
    let root = tmp.path().join("review");
    create_on_disk(&root, &p, &texts)?;
    let before = snapshot(&root);

    // What is on disk is exactly the canonical serialization of each part.
    prop_assert_eq!(&before["project.ron"], &to_ron(&p.meta));
    prop_assert_eq!(&before["codebook.ron"], &to_ron(&p.codebook));
    for s in &p.studies {
        let rel = format!("studies/{}.ron", s.key);
        prop_assert!(before.contains_key(&rel), "{} was not written", rel);
        prop_assert_eq!(&before[&rel], &to_ron(s));
    }

    let opened =
        Store::open(&root, Mode::Write).map_err(|e| TestCaseError::fail(format!("open: {e}")))?;
    prop_assert!(
        opened.undo.is_none(),
        "nothing should be re-anchored: {:?}",
        opened.notices
    );
    let (mut store, reloaded) = (opened.store, opened.project);
    prop_assert_eq!(&reloaded, &p);
    for (a, b) in reloaded.studies.iter().zip(&p.studies) {
        prop_assert_eq!(to_ron(a), to_ron(b));
    }
    prop_assert_eq!(to_ron(&reloaded.codebook), to_ron(&p.codebook));
    prop_assert_eq!(to_ron(&reloaded.meta), to_ron(&p.meta));

    let written = store
        .save(&reloaded, &Touched::all(&reloaded))
        .map_err(|e| TestCaseError::fail(format!("save: {e}")))?;
    prop_assert_eq!(written, 0, "saving an unchanged project rewrote files");
    let after = snapshot(&root);
    prop_assert_eq!(&before, &after);
    drop(store);

    // Saving the reloaded project into a fresh folder gives the same bytes too.
    let root2 = tmp.path().join("again");
    create_on_disk(&root2, &reloaded, &texts)?;
    prop_assert_eq!(&before, &snapshot(&root2));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn save_load_save_is_byte_identical(spec in project_spec()) {
        save_load_save(&spec)?;
    }
}

// The fast canonical writer gives exactly the bytes `ron` gives, for every file kind.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn canonical_writer_matches_ron(spec in project_spec(), grapheme in any::<bool>()) {
        let (p, _) = build(&spec, if grapheme { grapheme_span } else { raw_span });
        let same = |what: &str, fast: Result<Vec<u8>, Unsupported>, reference: Vec<u8>| {
            let fast = fast.map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
            prop_assert!(
                fast == reference,
                "{what}: canonical writer\n{}\nron\n{}",
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&reference)
            );
            Ok(())
        };
        same("project.ron", to_ron_fast(&p.meta), to_ron_by_ron(&p.meta))?;
        same("codebook.ron", to_ron_fast(&p.codebook), to_ron_by_ron(&p.codebook))?;
        for s in &p.studies {
            same(&s.key, to_ron_fast(s), to_ron_by_ron(s))?;
        }
    }

    // The canonical reader reads back everything the store writes, and other
    // valid layouts of the same values (ron's compact form) to the same values.
    #[test]
    fn canonical_reader_reads_what_is_written(spec in project_spec()) {
        let (p, _) = build(&spec, raw_span);
        fn both<T>(what: &str, v: &T) -> Result<(), TestCaseError>
        where
            T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            let canonical = String::from_utf8(to_ron(v)).unwrap();
            let back: T = from_ron_fast(&canonical)
                .map_err(|e| TestCaseError::fail(format!("{what}: {e}\n{canonical}")))?;
            prop_assert_eq!(&back, v);
            let compact = ron::to_string(v).unwrap();
            let back: T = from_ron_fast(&compact)
                .map_err(|e| TestCaseError::fail(format!("{what} (compact): {e}\n{compact}")))?;
            prop_assert_eq!(&back, v);
            Ok(())
        }
        both("project.ron", &p.meta)?;
        both("codebook.ron", &p.codebook)?;
        for s in &p.studies {
            both(&s.key, s)?;
        }
    }

    // Whatever the canonical reader accepts, `ron` accepts with the same value:
    // the fast path never gives a file a meaning of its own. The texts are written
    // files with random damage and random valid-looking edits.
    #[test]
    fn canonical_reader_never_disagrees_with_ron(
        spec in project_spec(),
        edits in prop::collection::vec(
            (any::<Index>(), 0..4usize, prop::sample::select(SPLICES)),
            1..4,
        ),
    ) {
        let (p, _) = build(&spec, raw_span);
        fn agree<T>(what: &str, text: &str) -> Result<(), TestCaseError>
        where
            T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            if let Ok(fast) = from_ron_fast::<T>(text) {
                let by_ron = ron::from_str::<T>(text).map_err(|e| {
                    TestCaseError::fail(format!("{what}: fast reader accepted, ron refused ({e}):\n{text}"))
                })?;
                prop_assert_eq!(fast, by_ron, "{}:\n{}", what, text);
            }
            Ok(())
        }
        let damage = |mut text: String| {
            for (at, cut, splice) in &edits {
                let mut i = at.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                let mut j = (i + cut).min(text.len());
                while !text.is_char_boundary(j) {
                    j += 1;
                }
                text.replace_range(i..j, splice);
            }
            text
        };
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        agree::<thematic::model::ProjectMeta>("project.ron", &damage(text(to_ron(&p.meta))))?;
        agree::<thematic::model::Codebook>("codebook.ron", &damage(text(to_ron(&p.codebook))))?;
        for s in &p.studies {
            agree::<Study>(&s.key, &damage(text(to_ron(s))))?;
        }
    }
}

/// Pieces spliced into written files: RON syntax, look-alikes and near misses.
const SPLICES: &[&str] = &[
    "",
    " ",
    "\n",
    "\t",
    ",",
    ",,",
    ":",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "\\",
    "'",
    "\\u{301}",
    "\\u{110000}",
    "\\u{}",
    "\\x41",
    "\\0",
    "\\\n",
    "//c\n",
    "/*c*/",
    "r#",
    "r\"x\"",
    "#![enable(implicit_some)]",
    "Some",
    "Some(",
    "None",
    "Some (1)",
    "0",
    "00",
    "-",
    "-0",
    "+1",
    "1_0",
    "0x1f",
    "1e3",
    "1.5",
    "9999999999999999999999",
    "true",
    "false",
    "\u{a0}",
    "\u{feff}",
    "é",
    "x: 1,",
    "Study",
    "format: 1,",
    "memo: \"m\",",
    "Yes",
    "Yes()",
    "Author",
    "unit: ()",
];

// Ron round trips of single awkward strings, many at a time (cheap, no disk).
proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    #[test]
    fn any_code_survives_ron(c in code_spec(), salt in any::<u64>()) {
        let mut cb = thematic::model::Codebook::new();
        cb.codes.push(Code {
            id: sid(salt, 1, 0),
            parent: None,
            order: c.order,
            kind: c.kind,
            name: c.name.clone(),
            description: c.description.clone(),
            color: c.color.clone(),
            memo: c.memo.clone(),
        });
        let bytes = to_ron(&cb);
        let text = String::from_utf8(bytes.clone()).expect("to_ron writes UTF-8");
        prop_assert!(!text.contains('\r'), "a raw CR in the output would be lost by git's autocrlf");
        prop_assert_eq!(text.lines().count(), 6, "one code per line:\n{}", text);
        let back: thematic::model::Codebook =
            thematic::store::from_ron("codebook.ron", &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &cb);
        prop_assert_eq!(to_ron(&back), bytes);
    }
}

// ---------------------------------------------------------------------------
// edit → inverse
// ---------------------------------------------------------------------------

/// An edit described by choices that are resolved against the project as it is
/// when the edit is made, so that most edits are valid and some are not.
#[derive(Clone, Debug)]
enum Op {
    PutCodeNew {
        parent: Option<Index>,
        bogus_parent: bool,
        order: i64,
        name: String,
    },
    PutCodeExisting {
        which: Index,
        parent: Option<Index>,
        order: i64,
        name: String,
    },
    /// Hostile: rename a code to a blank name.
    BlankCodeName {
        which: Index,
    },
    DeleteCode {
        which: Index,
        bogus: bool,
    },
    PutCodingNew {
        study: Index,
        source: Index,
        a: Index,
        b: Index,
        code: Index,
        bogus_code: bool,
        flag: bool,
        /// Hostile: the id of an existing coding, possibly of another study.
        reuse_id: Option<Index>,
    },
    PutCodingExisting {
        which: Index,
        a: Index,
        b: Index,
        code: Index,
        note: String,
    },
    DeleteCoding {
        which: Index,
        bogus: bool,
    },
    SetStudyInfo {
        study: Index,
        key: KeyChoice,
        memo: String,
        characteristic: (String, String),
    },
    AddStudy {
        key: KeyChoice,
        reuse_id: bool,
        sources: Vec<u32>,
        codings: Vec<(Index, Index, Index, Index)>,
        /// Hostile: two sources with one id; two codings with one id.
        dup_ids: bool,
    },
    DeleteStudy {
        which: Index,
        bogus: bool,
    },
    PutSourceNew {
        study: Index,
        chars: u32,
        reuse_id: bool,
        /// Hostile: a file outside `studies/`.
        unsafe_file: bool,
    },
    PutSourceExisting {
        study: Index,
        source: Index,
        chars: Index,
        name: String,
    },
    DeleteSource {
        study: Index,
        source: Index,
    },
    InsertSource {
        study: Index,
        index: usize,
        chars: u32,
        reuse_id: bool,
    },
    SetMeta {
        title: String,
    },
    Batch(Vec<Op>),
}

#[derive(Clone, Debug)]
enum KeyChoice {
    Same,
    Fresh(String),
    /// The key of another study (a duplicate).
    Other(Index),
    Bad(&'static str),
}

fn key_choice() -> impl Strategy<Value = KeyChoice> {
    prop_oneof![
        1 => Just(KeyChoice::Same),
        4 => key().prop_map(KeyChoice::Fresh),
        2 => any::<Index>().prop_map(KeyChoice::Other),
        1 => prop::sample::select(vec!["", "a/b", "a\\b", ".hidden"]).prop_map(KeyChoice::Bad),
    ]
}

/// How far edits stray from what the program itself makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Hostile {
    /// Edits as the program makes them (which may still fail validation).
    No,
    /// Also blank code names, a coding id of another study, files outside `studies/`,
    /// as a buggy caller or a bad merge might make.
    Yes,
    /// Also two sources or two codings with one id within a study.
    Twins,
}

fn leaf_op(hostile: Hostile) -> impl Strategy<Value = Op> {
    let ix = any::<Index>;
    let p = if hostile >= Hostile::Yes { 0.2 } else { 0.0 };
    let chance = |p: f64| {
        if p > 0.0 {
            prop::bool::weighted(p).boxed()
        } else {
            Just(false).boxed()
        }
    };
    let twins = move || chance(if hostile >= Hostile::Twins { 0.2 } else { 0.0 });
    let h = move || chance(p);
    let reuse = move || {
        if p > 0.0 {
            prop::option::weighted(p, any::<Index>()).boxed()
        } else {
            Just(None).boxed()
        }
    };
    let hostile = hostile >= Hostile::Yes;
    prop_oneof![
        1 => (prop::option::of(ix()), prop::bool::weighted(0.1), -2i64..3, name())
            .prop_map(|(parent, bogus_parent, order, name)| Op::PutCodeNew { parent, bogus_parent, order, name }),
        1 => (ix(), prop::option::of(ix()), -2i64..3, name())
            .prop_map(|(which, parent, order, name)| Op::PutCodeExisting { which, parent, order, name }),
        1 => (ix(), prop::bool::weighted(0.1)).prop_map(|(which, bogus)| Op::DeleteCode { which, bogus }),
        3 => ((ix(), ix(), ix(), ix()), ix(), prop::bool::weighted(0.1), prop::bool::weighted(0.1), reuse())
            .prop_map(|((study, source, a, b), code, bogus_code, flag, reuse_id)| Op::PutCodingNew {
                study, source, a, b, code, bogus_code, flag, reuse_id
            }),
        1 => (ix(), ix(), ix(), ix(), any_string(6))
            .prop_map(|(which, a, b, code, note)| Op::PutCodingExisting { which, a, b, code, note }),
        2 => (ix(), prop::bool::weighted(0.1)).prop_map(|(which, bogus)| Op::DeleteCoding { which, bogus }),
        1 => (ix(), key_choice(), any_string(8), (any_string(4), any_string(4)))
            .prop_map(|(study, key, memo, characteristic)| Op::SetStudyInfo { study, key, memo, characteristic }),
        1 => (
            key_choice(),
            prop::bool::weighted(0.1),
            prop::collection::vec(0u32..40, 0..3),
            prop::collection::vec((ix(), ix(), ix(), ix()), 0..4),
            twins(),
        )
            .prop_map(|(key, reuse_id, sources, codings, dup_ids)| Op::AddStudy { key, reuse_id, sources, codings, dup_ids }),
        1 => (ix(), prop::bool::weighted(0.1)).prop_map(|(which, bogus)| Op::DeleteStudy { which, bogus }),
        1 => (ix(), 0u32..40, prop::bool::weighted(0.1), h())
            .prop_map(|(study, chars, reuse_id, unsafe_file)| Op::PutSourceNew { study, chars, reuse_id, unsafe_file }),
        1 => (ix(), ix(), ix(), name())
            .prop_map(|(study, source, chars, name)| Op::PutSourceExisting { study, source, chars, name }),
        1 => (ix(), ix()).prop_map(|(study, source)| Op::DeleteSource { study, source }),
        1 => (ix(), 0usize..5, 0u32..40, prop::bool::weighted(0.2))
            .prop_map(|(study, index, chars, reuse_id)| Op::InsertSource { study, index, chars, reuse_id }),
        1 => any_string(8).prop_map(|title| Op::SetMeta { title }),
        1 => ix().prop_map(move |which| if hostile {
            Op::BlankCodeName { which }
        } else {
            Op::DeleteCode { which, bogus: false }
        }),
    ]
}

fn op(hostile: Hostile) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => leaf_op(hostile),
        1 => prop::collection::vec(leaf_op(hostile), 0..5).prop_map(Op::Batch),
    ]
}

/// Fresh ids for entities made by edits.
struct Fresh(u128);

impl Fresh {
    fn next(&mut self) -> Id {
        self.0 += 1;
        id((7 << 120) | self.0)
    }
}

fn pick<T>(v: &[T], ix: Index) -> Option<&T> {
    (!v.is_empty()).then(|| &v[ix.index(v.len())])
}

fn span(chars: u32, a: Index, b: Index) -> (u32, u32) {
    // Sometimes empty, reversed or past the end: those must be refused.
    let a = a.index(chars as usize + 3) as u32;
    let b = b.index(chars as usize + 3) as u32;
    (a.min(b), a.max(b))
}

fn new_source(fresh: &mut Fresh, chars: u32) -> Source {
    let id = fresh.next();
    Source {
        id,
        name: format!("source {id}"),
        file: format!("x/{id}.txt"),
        sha256: "0".repeat(64),
        chars,
    }
}

fn new_coding(fresh: &mut Fresh, source: Id, (start, end): (u32, u32), code: Id, by: Id) -> Coding {
    let id = fresh.next();
    Coding {
        id,
        source,
        start,
        end,
        code,
        by,
        at: String::new(),
        edited: String::new(),
        construct: Construct::Author,
        quote: format!("{start}..{end}"),
        note: String::new(),
        flag: None,
    }
}

fn resolve_key(p: &Project, current: Option<&str>, k: &KeyChoice) -> String {
    match k {
        KeyChoice::Same => current.unwrap_or("same").to_string(),
        KeyChoice::Fresh(s) => s.clone(),
        KeyChoice::Other(ix) => pick(&p.studies, *ix).map_or("other".into(), |s| s.key.clone()),
        KeyChoice::Bad(s) => s.to_string(),
    }
}

/// Make the edit an op describes, against the current state of `p`.
fn make_edit(p: &Project, op: &Op, fresh: &mut Fresh) -> Edit {
    let bogus = fresh.next();
    let codes = &p.codebook.codes;
    let all_codings: Vec<(Id, &Coding)> = p.codings().map(|(s, c)| (s.id, c)).collect();
    match op {
        Op::PutCodeNew {
            parent,
            bogus_parent,
            order,
            name,
        } => {
            let parent = if *bogus_parent {
                Some(bogus)
            } else {
                parent.and_then(|ix| pick(codes, ix)).map(|c| c.id)
            };
            Edit::PutCode(Code {
                id: fresh.next(),
                parent,
                order: *order,
                kind: CodeKind::Code,
                name: name.clone(),
                description: String::new(),
                color: String::new(),
                memo: String::new(),
            })
        }
        Op::PutCodeExisting {
            which,
            parent,
            order,
            name,
        } => match pick(codes, *which) {
            // A parent anywhere in the tree: a descendant of the code makes a cycle.
            Some(c) => Edit::PutCode(Code {
                parent: parent.and_then(|ix| pick(codes, ix)).map(|c| c.id),
                order: *order,
                name: name.clone(),
                ..c.clone()
            }),
            None => Edit::DeleteCode(bogus),
        },
        Op::BlankCodeName { which } => match pick(codes, *which) {
            Some(c) => Edit::PutCode(Code {
                name: " ".into(),
                ..c.clone()
            }),
            None => Edit::DeleteCode(bogus),
        },
        Op::DeleteCode { which, bogus: b } => Edit::DeleteCode(if *b {
            bogus
        } else {
            pick(codes, *which).map_or(bogus, |c| c.id)
        }),
        Op::PutCodingNew {
            study,
            source,
            a,
            b,
            code,
            bogus_code,
            flag,
            reuse_id,
        } => {
            let Some(s) = pick(&p.studies, *study) else {
                return Edit::DeleteStudy(bogus);
            };
            let code = if *bogus_code {
                bogus
            } else {
                pick(codes, *code).map_or(bogus, |c| c.id)
            };
            let (src, chars) = pick(&s.sources, *source).map_or((bogus, 0), |x| (x.id, x.chars));
            let mut c = new_coding(fresh, src, span(chars, *a, *b), code, p.meta.reviewer.id);
            if *flag {
                // Flagged codings may have any span, but one past the end of its source
                // blocks `PutSource` (see `flagged_coding_past_the_end_does_not_block_put_source`).
                c.flag = Some("flagged".into());
                (c.start, c.end) = (c.start.min(chars), c.end.min(chars));
            }
            if let Some((_, other)) = reuse_id.and_then(|ix| pick(&all_codings, ix)) {
                c.id = other.id;
            }
            Edit::PutCoding {
                study: s.id,
                coding: c,
            }
        }
        Op::PutCodingExisting {
            which,
            a,
            b,
            code,
            note,
        } => match pick(&all_codings, *which) {
            Some((sid, c)) => {
                let s = p.study(*sid).expect("study of a coding");
                let chars = s.source(c.source).map_or(0, |x| x.chars);
                let (mut start, mut end) = span(chars, *a, *b);
                if c.flag.is_some() {
                    (start, end) = (start.min(chars), end.min(chars));
                }
                Edit::PutCoding {
                    study: *sid,
                    coding: Coding {
                        start,
                        end,
                        code: pick(codes, *code).map_or(c.code, |x| x.id),
                        note: note.clone(),
                        ..(*c).clone()
                    },
                }
            }
            None => Edit::DeleteCoding {
                study: bogus,
                coding: bogus,
            },
        },
        Op::DeleteCoding { which, bogus: b } => match pick(&all_codings, *which) {
            Some((sid, c)) if !*b => Edit::DeleteCoding {
                study: *sid,
                coding: c.id,
            },
            Some((sid, _)) => Edit::DeleteCoding {
                study: *sid,
                coding: bogus,
            },
            None => Edit::DeleteCoding {
                study: bogus,
                coding: bogus,
            },
        },
        Op::SetStudyInfo {
            study,
            key,
            memo,
            characteristic,
        } => {
            let Some(s) = pick(&p.studies, *study) else {
                return Edit::SetStudyInfo {
                    study: bogus,
                    info: Box::new(Study::new("nobody").info()),
                };
            };
            let mut info: StudyInfo = s.info();
            info.key = resolve_key(p, Some(&s.key), key);
            info.memo = memo.clone();
            info.characteristics
                .insert(characteristic.0.clone(), characteristic.1.clone());
            Edit::SetStudyInfo {
                study: s.id,
                info: Box::new(info),
            }
        }
        Op::AddStudy {
            key,
            reuse_id,
            sources,
            codings,
            dup_ids,
        } => {
            let mut s = Study::new(&resolve_key(p, None, key));
            s.id = if *reuse_id {
                p.studies.first().map_or(bogus, |x| x.id)
            } else {
                fresh.next()
            };
            for chars in sources {
                s.sources.push(new_source(fresh, *chars));
            }
            for (src, a, b, code) in codings {
                let (sid, chars) = pick(&s.sources, *src).map_or((bogus, 0), |x| (x.id, x.chars));
                let code = pick(codes, *code).map_or(bogus, |c| c.id);
                let c = new_coding(fresh, sid, span(chars, *a, *b), code, p.meta.reviewer.id);
                s.codings.push(c);
            }
            if *dup_ids {
                if let Some(first) = s.sources.first().cloned() {
                    s.sources.push(Source {
                        name: "twin".into(),
                        file: "x/twin.txt".into(),
                        ..first
                    });
                }
                if let Some(first) = s.codings.first().cloned() {
                    s.codings.push(Coding {
                        note: "twin".into(),
                        ..first
                    });
                }
            }
            Edit::AddStudy(Box::new(s))
        }
        Op::DeleteStudy { which, bogus: b } => Edit::DeleteStudy(if *b {
            bogus
        } else {
            pick(&p.studies, *which).map_or(bogus, |s| s.id)
        }),
        Op::PutSourceNew {
            study,
            chars,
            reuse_id,
            unsafe_file,
        } => {
            let Some(s) = pick(&p.studies, *study) else {
                return Edit::DeleteSource {
                    study: bogus,
                    source: bogus,
                };
            };
            let mut src = new_source(fresh, *chars);
            if *reuse_id && let Some(other) = p.studies.iter().flat_map(|s| &s.sources).next() {
                src.id = other.id;
            }
            if *unsafe_file {
                src.file = "../../outside.txt".into();
            }
            Edit::PutSource {
                study: s.id,
                source: src,
            }
        }
        Op::PutSourceExisting {
            study,
            source,
            chars,
            name,
        } => {
            let Some(s) = pick(&p.studies, *study) else {
                return Edit::DeleteSource {
                    study: bogus,
                    source: bogus,
                };
            };
            match pick(&s.sources, *source) {
                Some(src) => Edit::PutSource {
                    study: s.id,
                    source: Source {
                        // Shrinking below a coding's end must be refused.
                        chars: chars.index(src.chars as usize + 5) as u32,
                        name: name.clone(),
                        ..src.clone()
                    },
                },
                None => Edit::DeleteSource {
                    study: s.id,
                    source: bogus,
                },
            }
        }
        Op::DeleteSource { study, source } => match pick(&p.studies, *study) {
            Some(s) => Edit::DeleteSource {
                study: s.id,
                source: pick(&s.sources, *source).map_or(bogus, |x| x.id),
            },
            None => Edit::DeleteSource {
                study: bogus,
                source: bogus,
            },
        },
        Op::InsertSource {
            study,
            index,
            chars,
            reuse_id,
        } => match pick(&p.studies, *study) {
            Some(s) => {
                let mut src = new_source(fresh, *chars);
                if *reuse_id && let Some(x) = s.sources.first() {
                    src.id = x.id;
                }
                Edit::InsertSource {
                    study: s.id,
                    index: *index,
                    source: src,
                }
            }
            None => Edit::DeleteSource {
                study: bogus,
                source: bogus,
            },
        },
        Op::SetMeta { title } => {
            let mut m = p.meta.clone();
            m.title = title.clone();
            Edit::SetMeta(Box::new(m))
        }
        Op::Batch(ops) => Edit::Batch(ops.iter().map(|o| make_edit(p, o, fresh)).collect()),
    }
}

/// Whether some study holds two sources or two codings with one id (hostile edits).
fn duplicate_ids(p: &Project) -> bool {
    p.studies.iter().any(|s| {
        let sources: BTreeSet<Id> = s.sources.iter().map(|x| x.id).collect();
        let codings: BTreeSet<Id> = s.codings.iter().map(|x| x.id).collect();
        sources.len() < s.sources.len() || codings.len() < s.codings.len()
    })
}

fn edit_inverse(spec: &ProjectSpec, ops: &[Op]) -> Result<(), TestCaseError> {
    let (initial, _) = build(spec, raw_span);
    let mut p = initial.clone();
    let mut fresh = Fresh(spec.salt as u128);
    let mut undo: Vec<Edit> = Vec::new();
    let mut applied = 0;
    for op in ops {
        let edit = make_edit(&p, op, &mut fresh);
        let before = p.clone();
        match edit.clone().apply(&mut p) {
            Err(e) => {
                prop_assert_eq!(
                    &p,
                    &before,
                    "the failed edit {:?} ({}) changed the project",
                    edit,
                    e
                );
            }
            Ok(inverse) => {
                applied += 1;
                let after = p.clone();
                // (Order is only defined while ids are unique within a study.)
                if !duplicate_ids(&after) {
                    prop_assert_eq!(
                        &canonical(&after),
                        &after,
                        "after {:?} the project is not in canonical order (codes, studies, codings)",
                        edit
                    );
                }
                // Undo restores exactly; redo re-creates exactly.
                let mut q = after.clone();
                let redo = match inverse.clone().apply(&mut q) {
                    Ok(r) => r,
                    Err(e) => {
                        return Err(TestCaseError::fail(format!(
                            "the inverse of {edit:?} failed: {e}"
                        )));
                    }
                };
                prop_assert_eq!(
                    &q,
                    &before,
                    "undoing {:?} did not restore the project",
                    edit
                );
                if let Err(e) = redo.apply(&mut q) {
                    return Err(TestCaseError::fail(format!("redoing {edit:?} failed: {e}")));
                }
                prop_assert_eq!(
                    &q,
                    &after,
                    "redoing {:?} did not re-create the project",
                    edit
                );
                prop_assert_eq!(edit.touches().studies, inverse.touches().studies);
                undo.push(inverse);
            }
        }
    }
    // Undo everything, newest first.
    for inv in undo.into_iter().rev() {
        if let Err(e) = inv.clone().apply(&mut p) {
            return Err(TestCaseError::fail(format!("undoing {inv:?} failed: {e}")));
        }
    }
    prop_assert_eq!(
        &p,
        &initial,
        "undoing all {} edits did not restore the project",
        applied
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(384)))]

    #[test]
    fn every_edit_is_undone_by_its_inverse(
        spec in project_spec(),
        ops in prop::collection::vec(op(Hostile::Yes), 1..24),
    ) {
        edit_inverse(&spec, &ops)?;
    }
}

/// After any sequence of edits that succeeded, the project can be saved and opened
/// again (the edits accept nothing that the store would refuse to load).
fn edits_then_reopen(spec: &ProjectSpec, ops: &[Op]) -> Result<(), TestCaseError> {
    let (mut p, texts) = build(spec, raw_span);
    let mut fresh = Fresh(spec.salt as u128);
    for op in ops {
        let edit = make_edit(&p, op, &mut fresh);
        let _ = edit.apply(&mut p);
    }
    let tmp = TempDir::new().expect("temp dir");
    let root = tmp.path().join("review");
    let store =
        Store::create(&root, &p).map_err(|e| TestCaseError::fail(format!("create: {e}")))?;
    for (file, text) in &texts {
        // Texts of sources that are still there (a deleted study's texts stay too).
        let _ = store.add_text(file, text);
    }
    drop(store);
    match Store::open(&root, Mode::Read) {
        Ok(o) => prop_assert_eq!(&o.project, &canonical(&p)),
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "the edited project no longer opens:\n{e}"
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn edited_projects_save_and_reopen(
        spec in project_spec(),
        ops in prop::collection::vec(op(Hostile::No), 1..24),
    ) {
        edits_then_reopen(&spec, &ops)?;
    }

    #[test]
    fn hostile_edits_are_refused_or_save_and_reopen(
        spec in project_spec(),
        ops in prop::collection::vec(op(Hostile::Twins), 1..24),
    ) {
        edits_then_reopen(&spec, &ops)?;
    }
}

/// A project with one code and one study with one source of `chars` code points.
fn tiny(chars: u32) -> (Project, Id, Id, Id) {
    let mut p = Project::new("T", "R");
    let code = Code {
        id: id(1),
        parent: None,
        order: 0,
        kind: CodeKind::Code,
        name: "Theme".into(),
        description: String::new(),
        color: String::new(),
        memo: String::new(),
    };
    p.codebook.codes.push(code);
    let mut s = Study::new("okafor-2019");
    s.id = id(2);
    s.sources.push(Source {
        id: id(3),
        name: "results".into(),
        file: "okafor-2019/results.txt".into(),
        sha256: "0".repeat(64),
        chars,
    });
    p.studies.push(s);
    (p, id(1), id(2), id(3))
}

fn tiny_coding(n: u128, source: Id, code: Id, start: u32, end: u32) -> Coding {
    Coding {
        id: id(1000 + n),
        source,
        start,
        end,
        code,
        by: id(9),
        at: String::new(),
        edited: String::new(),
        construct: Construct::Participant,
        quote: String::new(),
        note: String::new(),
        flag: None,
    }
}

/// Codings are kept in canonical order (source, start, end, id) whatever edit put
/// them there; otherwise the bytes saved depend on the order they were given in,
/// and a later `InsertSource` (which sorts) cannot be undone exactly.
#[test]
fn add_study_puts_codings_in_canonical_order() {
    let (mut p, code, _, _) = tiny(100);
    let mut s = Study::new("reyes-2020");
    s.id = id(20);
    s.sources.push(Source {
        id: id(21),
        name: "results".into(),
        file: "reyes-2020/results.txt".into(),
        sha256: "0".repeat(64),
        chars: 50,
    });
    s.codings.push(tiny_coding(1, id(21), code, 30, 40));
    s.codings.push(tiny_coding(2, id(21), code, 0, 10));
    Edit::AddStudy(Box::new(s))
        .apply(&mut p)
        .expect("add the study");
    let added = p.study(id(20)).unwrap();
    let starts: Vec<u32> = added.codings.iter().map(|c| c.start).collect();
    assert_eq!(starts, [0, 30], "codings out of canonical order");
}

/// What re-anchoring does when a coded passage is cut from the end of a text: flag
/// the coding (flagged spans are exempt from the length check), then record the
/// shorter text. And the inverse of that must apply too (undo).
#[test]
fn flagged_coding_past_the_end_does_not_block_put_source() {
    let (mut p, code, study, source) = tiny(100);
    let c = tiny_coding(1, source, code, 80, 95);
    Edit::PutCoding {
        study,
        coding: c.clone(),
    }
    .apply(&mut p)
    .unwrap();
    let before = p.clone();
    let mut shorter = p.studies[0].sources[0].clone();
    shorter.chars = 60;
    let batch = Edit::Batch(vec![
        Edit::PutCoding {
            study,
            coding: Coding {
                flag: Some("quote not found".into()),
                ..c
            },
        },
        Edit::PutSource {
            study,
            source: shorter,
        },
    ]);
    let inverse = match batch.apply(&mut p) {
        Ok(inv) => inv,
        Err(e) => panic!("re-anchoring a shortened text fails: {e}"),
    };
    inverse.apply(&mut p).expect("undo");
    assert_eq!(p, before);
}

/// The edit layer guards what the store can load: an edit it accepts must not make
/// the project unopenable (the store saves every edit at once).
#[test]

fn edits_refuse_what_the_store_cannot_load() {
    let (p, code, study, source) = tiny(100);
    let mut p = p;
    let mut other = Study::new("reyes-2020");
    other.id = id(20);
    other.sources.push(Source {
        id: id(21),
        name: "results".into(),
        file: "reyes-2020/results.txt".into(),
        sha256: "0".repeat(64),
        chars: 50,
    });
    Edit::AddStudy(Box::new(other)).apply(&mut p).unwrap();
    Edit::PutCoding {
        study,
        coding: tiny_coding(1, source, code, 0, 10),
    }
    .apply(&mut p)
    .unwrap();

    let mut twin_sources = Study::new("twins");
    twin_sources.id = id(30);
    let src = Source {
        id: id(31),
        name: "a".into(),
        file: "twins/a.txt".into(),
        sha256: "0".repeat(64),
        chars: 10,
    };
    twin_sources.sources = vec![
        src.clone(),
        Source {
            name: "b".into(),
            file: "twins/b.txt".into(),
            ..src
        },
    ];
    let mut unsafe_source = p.studies[0].sources[0].clone();
    unsafe_source.id = id(40);
    unsafe_source.file = "../../outside.txt".into();

    let cases: Vec<(&str, Edit)> = vec![
        (
            "a blank code name",
            Edit::PutCode(Code {
                name: "  ".into(),
                ..p.codebook.codes[0].clone()
            }),
        ),
        (
            "two sources with one id",
            Edit::AddStudy(Box::new(twin_sources)),
        ),
        (
            "a source file outside studies/",
            Edit::PutSource {
                study,
                source: unsafe_source,
            },
        ),
    ];
    let mut accepted = Vec::new();
    for (what, edit) in cases {
        let mut q = p.clone();
        if edit.apply(&mut q).is_ok() {
            accepted.push(what);
        }
    }
    assert!(accepted.is_empty(), "accepted: {}", accepted.join("; "));
    // A coding id already used in another study is accepted (every coding edit names
    // its study, so nothing is ambiguous); the store loads it with a warning.
    Edit::PutCoding {
        study: id(20),
        coding: tiny_coding(1, id(21), code, 0, 10),
    }
    .apply(&mut p)
    .expect("a twin id in another study is accepted");
}

// ---------------------------------------------------------------------------
// Grapheme-aligned spans and motions
// ---------------------------------------------------------------------------

fn grapheme_spans(spec: &ProjectSpec) -> Result<(), TestCaseError> {
    let (mut p, texts) = build(spec, grapheme_span);
    // Quotes always equal their text here, and nothing is flagged.
    for s in &mut p.studies {
        for c in &mut s.codings {
            c.flag = None;
        }
    }
    let text_of: BTreeMap<&str, SourceText> = texts
        .iter()
        .map(|(f, t)| (f.as_str(), SourceText::new(t.clone())))
        .collect();
    for s in &mut p.studies {
        let sources = s.sources.clone();
        for c in &mut s.codings {
            let src = sources
                .iter()
                .find(|x| x.id == c.source)
                .expect("coding's source");
            let t = &text_of[src.file.as_str()];
            prop_assert!(t.is_grapheme_boundary(c.start) && t.is_grapheme_boundary(c.end));
            c.quote = t.slice(c.start, c.end).to_string();
        }
    }
    let tmp = TempDir::new().expect("temp dir");
    let root = tmp.path().join("review");
    create_on_disk(&root, &p, &texts)?;

    let report = check(&root).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let shown: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    // No errors, and no warnings either (no colours are malformed, no span splits a cluster).
    let real: Vec<&String> = shown.iter().filter(|s| !s.contains("colour")).collect();
    prop_assert!(
        real.is_empty(),
        "check found problems:\n{}",
        shown.join("\n")
    );
    prop_assert_eq!(
        report.codings,
        p.studies.iter().map(|s| s.codings.len()).sum::<usize>()
    );

    let opened = Store::open(&root, Mode::Write).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(
        opened.undo.is_none(),
        "re-anchored on open: {:?}",
        opened.notices
    );
    for s in &opened.project.studies {
        for c in &s.codings {
            let src = s.source(c.source).expect("source");
            let t = opened
                .store
                .read_text(src)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(t.slice(c.start, c.end), c.quote.as_str());
        }
    }
    prop_assert_eq!(&opened.project, &p);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn grapheme_spans_survive_save_and_check(spec in project_spec()) {
        grapheme_spans(&spec)?;
    }
}

const MOTIONS: [Motion; 10] = [
    Motion::NextGrapheme,
    Motion::PrevGrapheme,
    Motion::NextWord,
    Motion::PrevWord,
    Motion::NextSentence,
    Motion::PrevSentence,
    Motion::NextParagraph,
    Motion::PrevParagraph,
    Motion::Start,
    Motion::End,
];

/// The code-point positions of `s` that start a grapheme cluster, and its end.
fn boundaries(s: &str) -> BTreeSet<u32> {
    let mut cp_of_byte = BTreeMap::new();
    for (i, (b, _)) in s.char_indices().enumerate() {
        cp_of_byte.insert(b, i as u32);
    }
    let mut out: BTreeSet<u32> = s
        .grapheme_indices(true)
        .map(|(b, _)| cp_of_byte[&b])
        .collect();
    out.insert(s.chars().count() as u32);
    out
}

/// Where a motion starts from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum From {
    /// Grapheme boundaries, where a cursor made by motions always is.
    Boundaries,
    /// Any code point (a coding imported from another tool may start inside a
    /// cluster).
    Anywhere,
}

/// Check every motion from every starting position of `text`.
fn motions_land_on_boundaries(text: &str, from: From) -> Result<(), TestCaseError> {
    let t = SourceText::new(text.to_string());
    let n = t.chars();
    let bounds = boundaries(text);
    for cp in 0..=n {
        prop_assert_eq!(
            t.is_grapheme_boundary(cp),
            bounds.contains(&cp),
            "is_grapheme_boundary({}) disagrees with unicode-segmentation in {:?}",
            cp,
            text
        );
        let skip = match from {
            From::Boundaries => !bounds.contains(&cp),
            From::Anywhere => false,
        };
        if skip {
            continue;
        }
        for m in MOTIONS {
            let to = motion(&t, cp, m);
            prop_assert!(
                to <= n,
                "{:?} from {} went to {} past the end ({}) of {:?}",
                m,
                cp,
                to,
                n,
                text
            );
            prop_assert!(
                bounds.contains(&to),
                "{:?} from {} landed on {}, inside a character cluster of {:?}",
                m,
                cp,
                to,
                text
            );
        }
        if cp < n {
            prop_assert!(motion(&t, cp, Motion::NextGrapheme) > cp);
        }
        if cp > 0 {
            prop_assert!(motion(&t, cp, Motion::PrevGrapheme) < cp);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    #[test]
    fn motions_from_boundaries_land_on_boundaries(
        text in source_text()
    ) {
        motions_land_on_boundaries(&text, From::Boundaries)?;
    }

    #[test]
    fn motions_from_inside_clusters_land_on_boundaries(
        text in source_text()
    ) {
        motions_land_on_boundaries(&text, From::Anywhere)?;
    }
}

/// From inside the last cluster of a text (a cursor put there by an imported coding),
/// the next word, sentence and paragraph motions stay where they are: inside it.
#[test]
fn next_motions_from_inside_the_last_cluster_land_on_a_boundary() {
    for text in ["e\u{301}", "word e\u{301}\u{302}", "x 👩\u{200d}🔬"] {
        let t = SourceText::new(text.to_string());
        let bounds = boundaries(text);
        for cp in 0..=t.chars() {
            for m in [
                Motion::NextWord,
                Motion::NextSentence,
                Motion::NextParagraph,
            ] {
                let to = motion(&t, cp, m);
                assert!(
                    bounds.contains(&to),
                    "{m:?} from {cp} landed on {to}, inside a cluster of {text:?}"
                );
            }
        }
    }
}

/// Sentence and paragraph motions over a line that starts with white space followed
/// by a combining mark: the space and the mark form one cluster.
#[test]
fn motions_over_indented_combining_marks() {
    for text in [
        "Intro.\n\n \u{301}Second para. More.",
        " \u{301}Leading space. Next one.",
        "\t\u{308}x. y",
    ] {
        let t = SourceText::new(text.to_string());
        let bounds = boundaries(text);
        for cp in 0..=t.chars() {
            for m in MOTIONS {
                let to = motion(&t, cp, m);
                assert!(
                    bounds.contains(&to),
                    "{m:?} from {cp} landed on {to}, inside a character cluster of {text:?}"
                );
            }
        }
    }
}

/// Motions bound their search to a window of bytes; on a long text without words,
/// sentences or paragraphs the window's edge must still be moved to a cluster boundary.
#[test]
fn motions_on_long_texts_land_on_grapheme_boundaries() {
    for cluster in ["👩\u{200d}🔬", "e\u{301}\u{302}", "🇬🇧"] {
        let text = cluster.repeat(40_000 / cluster.len());
        let t = SourceText::new(text.clone());
        let bounds = boundaries(&text);
        let k = cluster.chars().count() as u32;
        // Only from cluster boundaries: a cursor that is where motions put it.
        for cp in [
            0,
            k,
            100 * k,
            (t.chars() / k / 2) * k,
            t.chars() - k,
            t.chars(),
        ] {
            for m in MOTIONS {
                let to = motion(&t, cp, m);
                assert!(
                    bounds.contains(&to),
                    "{m:?} from {cp} landed on {to}, inside a cluster, in a text of {} × {cluster:?}",
                    t.chars()
                );
            }
        }
    }
}

/// `autocode` codes only matches that begin and end on cluster boundaries, and
/// `check` is then clean.
#[test]
fn autocode_skips_matches_that_split_clusters() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    let input = tmp.path().join("Núñez 2021.txt");
    // "e" occurs alone, inside "e\u{301}" (a cluster), and in "e\u{301}" with a ZWJ.
    std::fs::write(
        &input,
        "e then e\u{301} and 中文 e\r\n👩\u{200d}🔬 e\u{200d}",
    )
    .unwrap();
    common::thematic([
        "init".as_ref(),
        root.as_os_str(),
        "--title".as_ref(),
        "T".as_ref(),
        "--reviewer".as_ref(),
        "R".as_ref(),
    ])
    .ok();
    common::thematic(["import".as_ref(), root.as_os_str(), input.as_os_str()]).ok();
    let run = common::autocode(&root, "E", &["--match", "e"]).ok();
    assert!(run.stdout.contains("added 3 coding(s)"), "{run:?}");
    assert!(run.stdout.contains("2 skipped"), "{run:?}");
    let run = common::autocode(&root, "Chinese", &["--regex", "中文|👩\u{200d}🔬"]).ok();
    assert!(run.stdout.contains("added 2 coding(s)"), "{run:?}");
    let checked = common::check(&root).ok();
    assert!(
        checked.stdout.contains("0 error(s), 0 warning(s)"),
        "{checked:?}"
    );
    let o = Store::open(&root, Mode::Read).unwrap();
    let s = &o.project.studies[0];
    let t = o.store.read_text(&s.sources[0]).unwrap();
    let quotes: Vec<&str> = s.codings.iter().map(|c| c.quote.as_str()).collect();
    assert_eq!(quotes, ["e", "e", "中文", "e", "👩\u{200d}🔬"]);
    for c in &s.codings {
        assert_eq!(t.slice(c.start, c.end), c.quote);
        assert!(t.is_grapheme_boundary(c.start) && t.is_grapheme_boundary(c.end));
    }
}
