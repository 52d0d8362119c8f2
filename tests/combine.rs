//! `thematic combine`: properties over random pairs of small projects that grew from
//! the same texts and code tree (combine(A, A) = A; commutative up to bytes; no coding
//! lost; no dangling ids; `check` passes), and a fixture where B's text differs.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsStr;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tempfile::TempDir;
use unicode_segmentation::UnicodeSegmentation;

use common::{id, snapshot, thematic};
use thematic::merge::combine::{Placed, Side, Summary, combine};
use thematic::model::{
    Citation, Code, CodeKind, Coding, Construct, Id, Project, Reviewer, Source, Study,
};
use thematic::store::{Mode, Store, check, to_ron};
use thematic::text::{SourceText, reanchor, sha256_hex};

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ─────────────────────────── random projects ───────────────────────────

/// splitmix64: every project is a function of one seed, so a failing case is
/// reported (and replayed) as that seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const WORDS: &[&str] = &[
    "care",
    "diagnosis",
    "label",
    "trust",
    "risk",
    "team",
    "café",
    "naïve",
    "中文",
    "👍🏽",
    "e\u{301}te",
    "🤷‍♀️",
    "Ødegård",
    "\"quoted\"",
    "tab\there",
    "door",
    "crisis",
    "plan",
];

/// A text of a few sentences with multi-byte characters, combining marks, emoji
/// sequences, tabs, CRLF and blank lines.
fn text(rng: &mut Rng) -> String {
    let mut s = String::new();
    for k in 0..3 + rng.below(5) {
        if k > 0 {
            s.push_str(["  ", " ", "\r\n", "\n\n"][rng.below(4)]);
        }
        let n = 2 + rng.below(6);
        let words: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        s.push_str(&words.join(" "));
        s.push('.');
    }
    s.push('\n');
    s
}

/// The same text with its first sentence replaced and a new one at the start: what
/// a reviewer gets by re-importing a corrected version.
fn mutate(rng: &mut Rng, t: &str) -> String {
    let rest = t.split_once(". ").map_or(t, |(_, r)| r);
    format!(
        "Inserted {} sentence. {rest}",
        WORDS[rng.below(WORDS.len())]
    )
}

/// Code-point positions of the grapheme boundaries of `t`.
fn boundaries(t: &str) -> Vec<u32> {
    let mut v = vec![0u32];
    let mut cp = 0;
    for g in t.graphemes(true) {
        cp += g.chars().count() as u32;
        v.push(cp);
    }
    v
}

/// A span on grapheme boundaries.
fn span(rng: &mut Rng, t: &str) -> (u32, u32) {
    let b = boundaries(t);
    let i = rng.below(b.len() - 1);
    let j = i + 1 + rng.below((b.len() - 1 - i).min(12));
    (b[i], b[j])
}

/// The code tree both reviewers started from: (parent index, name).
const TREE: &[(Option<usize>, &str)] = &[
    (None, "Diagnosis"),
    (None, "Relationships"),
    (Some(0), "Label opens doors"),
    (Some(0), "Stigma"),
    (Some(1), "Stigma"),
    (Some(2), "Relief"),
    (None, "Safety"),
    (Some(6), "Crisis/plans"),
];

/// What both reviewers started from: texts, a coding pool per text, reviewers.
struct Shared {
    texts: Vec<String>,
    /// Per text: (start, end, tree index, reviewer index).
    pool: Vec<Vec<(u32, u32, usize, usize)>>,
    reviewers: Vec<Reviewer>,
}

fn shared(rng: &mut Rng) -> Shared {
    let texts: Vec<String> = (0..5).map(|_| text(rng)).collect();
    let pool = texts
        .iter()
        .map(|t| {
            (0..8)
                .map(|_| {
                    let (a, b) = span(rng, t);
                    (a, b, rng.below(TREE.len()), rng.below(4))
                })
                .collect()
        })
        .collect();
    let reviewers = ["Ann", "Ben", "Cy", "Ann"]
        .iter()
        .enumerate()
        .map(|(i, n)| Reviewer {
            id: id(100 + i as u128),
            name: n.to_string(),
        })
        .collect();
    Shared {
        texts,
        pool,
        reviewers,
    }
}

/// One reviewer's project grown from `sh`; `side` keeps its own ids apart.
fn project(rng: &mut Rng, sh: &Shared, side: u128) -> (Project, Vec<(String, String)>) {
    let own = |n: u128| id(side * 100_000 + n);
    let mut p = Project::new("Combined review", "x");
    p.meta.id = id(200 + rng.below(2) as u128);
    p.meta.created = "2026-11-25T10:00:00Z".into();
    p.meta.reviewer = sh.reviewers[rng.below(sh.reviewers.len())].clone();
    for r in &sh.reviewers {
        if r.id != p.meta.reviewer.id && rng.chance(40) {
            p.meta.collaborators.push(r.clone());
        }
    }
    // The code tree: each code shared (same id), renamed, re-created (same path,
    // own id) or absent; plus codes of one's own.
    let mut codes: Vec<Option<Id>> = vec![None; TREE.len()];
    for (i, (parent, name)) in TREE.iter().enumerate() {
        let parent_id = match parent {
            Some(q) => match codes[*q] {
                Some(pid) => Some(pid),
                None => continue,
            },
            None => None,
        };
        let r = rng.below(10);
        if r < 2 {
            continue;
        }
        let (cid, name) = match r {
            7 => (id(10 + i as u128), format!("{name} (renamed)")),
            8 | 9 => (own(10 + i as u128), name.to_string()),
            _ => (id(10 + i as u128), name.to_string()),
        };
        codes[i] = Some(cid);
        p.codebook.codes.push(Code {
            id: cid,
            parent: parent_id,
            order: i as i64,
            kind: if parent.is_none() {
                CodeKind::DescriptiveTheme
            } else {
                CodeKind::Code
            },
            name,
            description: if rng.chance(50) {
                format!("def {i}")
            } else {
                String::new()
            },
            color: "#88c0d0".into(),
            memo: String::new(),
        });
    }
    for k in 0..rng.below(3) {
        let parent = codes[rng.below(TREE.len())];
        p.codebook.codes.push(Code {
            id: own(50 + k as u128),
            parent,
            order: 100 + k as i64,
            kind: CodeKind::Code,
            name: format!("Own {k}"),
            description: String::new(),
            color: "#a3be8c".into(),
            memo: String::new(),
        });
    }
    p.codebook.canonicalize();
    let present: Vec<Id> = p.codebook.codes.iter().map(|c| c.id).collect();

    let mut files = Vec::new();
    let mut keys = HashSet::new();
    for t in 0..sh.texts.len() {
        if !rng.chance(75) {
            continue;
        }
        let mut key = if rng.chance(85) {
            format!("study-{t}")
        } else {
            format!("study-{}", (t + 1) % sh.texts.len())
        };
        if !keys.insert(key.clone()) {
            key = format!("side{side}-{t}");
            keys.insert(key.clone());
        }
        let mut st = Study::new(&key);
        st.id = if rng.chance(85) {
            id(300 + t as u128)
        } else {
            own(300 + t as u128)
        };
        st.citation = Citation {
            title: format!("Title {t}"),
            doi: rng.chance(50).then(|| format!("10.1/{t}")),
            ..Citation::default()
        };
        if rng.chance(30) {
            st.characteristics.insert(format!("k{side}"), "v".into());
        }
        let mut texts = vec![(t, rng.chance(15))];
        if rng.chance(20) {
            texts.push(((t + 2) % sh.texts.len(), false));
        }
        for (slot, (tx, mutated)) in texts.into_iter().enumerate() {
            let original = &sh.texts[tx];
            let body = if mutated {
                mutate(rng, original)
            } else {
                original.clone()
            };
            let stext = SourceText::new(body.clone());
            let file = format!("{key}/source-{slot}.txt");
            let src = Source {
                id: if rng.chance(85) {
                    id(400 + (t * 10 + slot) as u128)
                } else {
                    own(400 + (t * 10 + slot) as u128)
                },
                name: format!("source {slot}"),
                file: file.clone(),
                sha256: sha256_hex(body.as_bytes()),
                chars: stext.chars(),
            };
            let base_text = SourceText::new(original.clone());
            let mut seen = HashSet::new();
            for (k, &(a, b, tree, who)) in sh.pool[tx].iter().enumerate() {
                let Some(code) = codes[tree] else { continue };
                if !rng.chance(60) {
                    continue;
                }
                let quote = base_text.slice(a, b).to_string();
                let Some((a, b)) = reanchor(&stext, &quote, a) else {
                    continue;
                };
                let cid = if rng.chance(85) {
                    id(5_000 + (t * 100 + slot * 10 + k) as u128)
                } else {
                    own(5_000 + (t * 100 + slot * 10 + k) as u128)
                };
                if seen.insert(cid) {
                    st.codings
                        .push(coding(cid, &src, &stext, a, b, code, sh.reviewers[who].id));
                }
            }
            for k in 0..rng.below(3) {
                if present.is_empty() {
                    break;
                }
                let (a, b) = span(rng, &body);
                let code = present[rng.below(present.len())];
                let cid = own(9_000 + (t * 100 + slot * 10 + k) as u128);
                st.codings
                    .push(coding(cid, &src, &stext, a, b, code, p.meta.reviewer.id));
            }
            st.sources.push(src);
            files.push((file, body));
        }
        st.sort_codings();
        p.studies.push(st);
    }
    // A study of one's own, on a text the other never saw, maybe under a key the
    // other uses for another study.
    if rng.chance(40) && !present.is_empty() {
        let mut key = format!("study-{}", rng.below(sh.texts.len()));
        if !keys.insert(key.clone()) {
            key = format!("own-{side}");
        }
        let body = text(rng);
        let stext = SourceText::new(body.clone());
        let mut st = Study::new(&key);
        st.id = own(399);
        st.citation.doi = Some(format!("10.9/{side}"));
        let file = format!("{key}/own.txt");
        let src = Source {
            id: own(499),
            name: "own".into(),
            file: file.clone(),
            sha256: sha256_hex(body.as_bytes()),
            chars: stext.chars(),
        };
        let (a, b) = span(rng, &body);
        st.codings.push(coding(
            own(9_999),
            &src,
            &stext,
            a,
            b,
            present[0],
            p.meta.reviewer.id,
        ));
        st.sources.push(src);
        files.push((file, body));
        p.studies.push(st);
    }
    p.sort_studies();
    (p, files)
}

fn coding(cid: Id, src: &Source, t: &SourceText, a: u32, b: u32, code: Id, by: Id) -> Coding {
    Coding {
        id: cid,
        source: src.id,
        start: a,
        end: b,
        code,
        by,
        at: "2026-11-25T10:14:03Z".into(),
        edited: String::new(),
        construct: Construct::Participant,
        quote: t.slice(a, b).to_string(),
        note: String::new(),
        flag: None,
    }
}

fn create(root: &Path, p: &Project, files: &[(String, String)]) {
    let store = Store::create(root, p).expect("create project");
    for (f, t) in files {
        store.add_text(f, t).expect("add text");
    }
}

/// The project in `root` as the store reads it, one RON text per part.
fn parts(root: &Path) -> BTreeMap<String, String> {
    let o =
        Store::open(root, Mode::Read).unwrap_or_else(|e| panic!("open {}: {e}", root.display()));
    let s = |b: Vec<u8>| String::from_utf8(b).unwrap();
    let mut m = BTreeMap::new();
    m.insert("project".into(), s(to_ron(&o.project.meta)));
    m.insert("codebook".into(), s(to_ron(&o.project.codebook)));
    for st in &o.project.studies {
        m.insert(format!("study {}", st.key), s(to_ron(st)));
    }
    m
}

fn open(root: &Path) -> Project {
    Store::open(root, Mode::Read).expect("open").project
}

// ─────────────────────────── properties ───────────────────────────

/// No coding of `input` (side `side`) is lost: each has an outcome whose coding in
/// C has its reviewer, its quote, and its code (by id, or a code of the same name).
fn nothing_lost(
    input: &Project,
    side: Side,
    c: &Project,
    summary: &Summary,
) -> Result<(), TestCaseError> {
    let placed: HashMap<Id, Placed> = summary
        .outcomes
        .iter()
        .filter(|o| o.side == side)
        .map(|o| (o.coding, o.placed))
        .collect();
    let in_c: HashMap<Id, &Coding> = c.codings().map(|(_, x)| (x.id, x)).collect();
    for (_, x) in input.codings() {
        let p = placed.get(&x.id);
        prop_assert!(p.is_some(), "{side}: coding {} has no outcome", x.id);
        let p = *p.unwrap();
        let y = in_c.get(&p.id());
        prop_assert!(y.is_some(), "{side}: coding {} → {p:?} is not in C", x.id);
        let y = y.unwrap();
        prop_assert_eq!(y.by, x.by, "{}: coding {} changed reviewer", side, x.id);
        prop_assert_eq!(
            &y.quote,
            &x.quote,
            "{}: coding {} changed quote",
            side,
            x.id
        );
        let name = |p: &Project, code: Id| p.codebook.get(code).map(|c| c.name.clone());
        prop_assert!(
            y.code == x.code || name(c, y.code) == name(input, x.code),
            "{side}: coding {} changed code",
            x.id
        );
        if matches!(p, Placed::Flagged(_)) {
            prop_assert!(y.flag.is_some());
        }
    }
    Ok(())
}

/// Every id resolves, no id is used twice, the code tree has no cycle.
fn no_dangling(c: &Project) -> Result<(), TestCaseError> {
    let codes: HashSet<Id> = c.codebook.codes.iter().map(|x| x.id).collect();
    prop_assert_eq!(codes.len(), c.codebook.codes.len(), "code ids are unique");
    for x in &c.codebook.codes {
        if let Some(p) = x.parent {
            prop_assert!(codes.contains(&p), "code {} has a missing parent", x.name);
        }
        prop_assert!(
            c.codebook.ancestors(x.id).len() < codes.len(),
            "cycle at {}",
            x.name
        );
        prop_assert!(
            !c.codebook.ancestors(x.id).contains(&x.id),
            "cycle at {}",
            x.name
        );
    }
    let mut studies = HashSet::new();
    let mut codings = HashSet::new();
    let mut files = HashSet::new();
    for s in &c.studies {
        prop_assert!(studies.insert(s.id), "study id twice");
        let sources: HashSet<Id> = s.sources.iter().map(|x| x.id).collect();
        prop_assert_eq!(
            sources.len(),
            s.sources.len(),
            "source id twice in {}",
            s.key
        );
        for src in &s.sources {
            prop_assert!(
                files.insert(src.file.clone()),
                "file {} used twice",
                src.file
            );
        }
        for x in &s.codings {
            prop_assert!(codings.insert(x.id), "coding id {} twice", x.id);
            prop_assert!(codes.contains(&x.code), "coding {} has no code", x.id);
            prop_assert!(sources.contains(&x.source), "coding {} has no source", x.id);
        }
    }
    Ok(())
}

fn run_case(seed: u64) -> Result<Summary, TestCaseError> {
    let tmp = TempDir::new().unwrap();
    let dir = |n: &str| tmp.path().join(n);
    let mut rng = Rng(seed);
    let sh = shared(&mut rng);
    let (pa, fa) = project(&mut rng, &sh, 1);
    let (pb, fb) = project(&mut rng, &sh, 2);
    create(&dir("a"), &pa, &fa);
    create(&dir("b"), &pb, &fb);
    let (pa, pb) = (open(&dir("a")), open(&dir("b")));

    // combine(A, A) = A, part by part.
    combine(&dir("a"), &dir("a"), &dir("aa")).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(parts(&dir("a")), parts(&dir("aa")), "combine(A, A) = A");

    // Commutative up to bytes.
    let ab = combine(&dir("a"), &dir("b"), &dir("ab"))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let ba = combine(&dir("b"), &dir("a"), &dir("ba"))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let (sab, sba) = (snapshot(&dir("ab")), snapshot(&dir("ba")));
    prop_assert_eq!(
        sab.keys().collect::<Vec<_>>(),
        sba.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (k, v) in &sab {
        prop_assert!(
            sba[k] == *v,
            "{} differs between combine(A, B) and combine(B, A)",
            k
        );
    }
    prop_assert_ne!(ab.base, ba.base, "the base is the same project either way");

    let c = open(&dir("ab"));
    nothing_lost(&pa, Side::A, &c, &ab)?;
    nothing_lost(&pb, Side::B, &c, &ab)?;
    // And nothing appears from nowhere.
    let accounted: HashSet<Id> = ab.outcomes.iter().map(|o| o.placed.id()).collect();
    for (_, x) in c.codings() {
        prop_assert!(
            accounted.contains(&x.id),
            "coding {} came from nowhere",
            x.id
        );
    }
    prop_assert_eq!(
        ab.outcomes.len(),
        pa.codings().count() + pb.codings().count()
    );
    no_dangling(&c)?;

    // Identical codings are not duplicated; one span by two reviewers stays two.
    let mut tuples = HashSet::new();
    let kept_dups: usize = {
        let base = if ab.base == Side::A { &pa } else { &pb };
        base.studies
            .iter()
            .map(|s| {
                let mut t = HashSet::new();
                s.codings
                    .iter()
                    .filter(|x| {
                        !t.insert((x.source, x.start, x.end, x.code, x.by, x.quote.clone()))
                    })
                    .count()
            })
            .sum()
    };
    let dups = c
        .codings()
        .filter(|(_, x)| !tuples.insert((x.source, x.start, x.end, x.code, x.by, x.quote.clone())))
        .count();
    prop_assert_eq!(dups, kept_dups, "C has no duplicate the base did not have");

    // Owners and collaborators.
    let people: HashSet<Id> = std::iter::once(&c.meta.reviewer)
        .chain(&c.meta.collaborators)
        .map(|r| r.id)
        .collect();
    for r in [&pa.meta.reviewer, &pb.meta.reviewer]
        .into_iter()
        .chain(&pa.meta.collaborators)
        .chain(&pb.meta.collaborators)
    {
        prop_assert!(
            people.contains(&r.id),
            "{} is missing from project.ron",
            r.name
        );
    }
    prop_assert!(
        c.meta.reviewer.id == pa.meta.reviewer.id || c.meta.reviewer.id == pb.meta.reviewer.id
    );
    prop_assert!(c.meta.reviewer.id <= pa.meta.reviewer.id.min(pb.meta.reviewer.id));

    // Every text of the base is there; every text of the other too, unless its
    // study's text differed (then its codings moved to the base's text).
    let hashes: HashSet<&str> = c
        .studies
        .iter()
        .flat_map(|s| s.sources.iter().map(|x| x.sha256.as_str()))
        .collect();
    let (base, other) = if ab.base == Side::A {
        (&pa, &pb)
    } else {
        (&pb, &pa)
    };
    for s in &base.studies {
        for src in &s.sources {
            prop_assert!(
                hashes.contains(src.sha256.as_str()),
                "a text of the base is missing"
            );
        }
    }
    let differs: HashSet<&str> = ab
        .text_differs
        .iter()
        .map(|t| t.other_key.as_str())
        .collect();
    for s in &other.studies {
        if differs.contains(s.key.as_str()) {
            continue;
        }
        for src in &s.sources {
            prop_assert!(
                hashes.contains(src.sha256.as_str()),
                "a text of {} is missing",
                s.key
            );
        }
    }

    // `check` passes, flagged codings aside.
    let report = check(&dir("ab")).unwrap();
    for p in report.problems.iter().filter(|p| !p.warning) {
        prop_assert!(p.message.contains("is flagged"), "check: {p}");
    }
    prop_assert_eq!(
        report.problems.iter().filter(|p| !p.warning).count(),
        ab.flagged.len()
    );
    Ok(ab)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(40), ..ProptestConfig::default() })]

    #[test]
    fn combining_random_projects_loses_nothing_and_is_symmetric(seed in any::<u64>()) {
        run_case(seed)?;
    }
}

/// A spread of seeds always runs, and between them they reach every path of
/// combine (else the generator has gone blind and the property proves little).
#[test]
fn fixed_seeds_reach_every_path() {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 0..24u64 {
        let s = run_case(seed).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let mut count = |k, n: usize| *seen.entry(k).or_default() += n;
        count("studies in both, same text", s.studies_same_text);
        count("studies in both, text differs", s.text_differs.len());
        count("studies added", s.added.len());
        count(
            "keys made unique",
            s.added.iter().filter(|a| a.from != a.key).count(),
        );
        count("sources added", s.sources_added);
        count("codes by id", s.codes_by_id);
        count("codes by path", s.codes_by_path);
        count("codes added", s.codes_added);
        count("identical codings", s.duplicates);
        count("re-anchored", s.reanchored);
        count("flagged", s.flagged.len());
        count("ids renamed", s.renamed);
        count("base A", usize::from(s.base == Side::A));
        count("base B", usize::from(s.base == Side::B));
    }
    for (k, n) in &seen {
        assert!(*n > 0, "no seed reached: {k} ({seen:#?})");
    }
    assert_eq!(seen.len(), 14);
}

// ─────────────────────────── fixtures ───────────────────────────

const ORIGINAL: &str = "Clinicians described the diagnosis as a key. \
It opened doors to care. Others saw only a label.\n";
/// B's version: a sentence inserted at the start, one removed.
const CHANGED: &str = "Results were mixed. Clinicians described the diagnosis as a key. \
Others saw only a label.\n";

/// One study of one source, `owner` as the owner and coder.
fn one_study(owner: (u128, &str), text: &str, codings: &[(&str, u128)]) -> Project {
    let mut p = Project::new("Review", owner.1);
    p.meta.id = id(owner.0 + 1);
    p.meta.reviewer.id = id(owner.0);
    p.meta.created = "2026-11-25T10:00:00Z".into();
    p.codebook
        .codes
        .push(common::code(id(1), None, 0, "Diagnosis"));
    let mut s = Study::new("okafor-2019");
    s.id = id(owner.0 + 2);
    s.citation.doi = Some("10.1/okafor".into());
    let src = common::source(id(owner.0 + 3), "results", "okafor-2019/results.txt", text);
    let t = SourceText::new(text.to_string());
    for &(quote, n) in codings {
        let at = text.find(quote).expect("quote in text");
        let a = text[..at].chars().count() as u32;
        let b = a + quote.chars().count() as u32;
        s.codings
            .push(coding(id(n), &src, &t, a, b, id(1), id(owner.0)));
    }
    s.sources.push(src);
    s.sort_codings();
    p.studies.push(s);
    p
}

#[test]
fn a_study_whose_text_differs_keeps_the_base_text_and_reanchors_or_flags() {
    let tmp = TempDir::new().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    // Ann (the smaller id) codes the original; Ben codes his changed copy.
    let pa = one_study((1_000, "Ann"), ORIGINAL, &[("a key", 50)]);
    let pb = one_study(
        (2_000, "Ben"),
        CHANGED,
        &[
            ("Clinicians described the diagnosis", 60),
            ("Results were mixed.", 61),
            ("saw only a label", 62),
        ],
    );
    create(
        &a,
        &pa,
        &[("okafor-2019/results.txt".into(), ORIGINAL.into())],
    );
    create(
        &b,
        &pb,
        &[("okafor-2019/results.txt".into(), CHANGED.into())],
    );
    // Given as B A: Ann's project is still the base.
    let run = thematic([
        OsStr::new("combine"),
        b.as_os_str(),
        a.as_os_str(),
        "--out".as_ref(),
        c.as_os_str(),
    ])
    .ok();
    assert!(
        run.stdout.contains("1 in both with a different text"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("text differs: okafor-2019 (A: okafor-2019, matched by DOI): B's text kept"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2 re-anchored by quote, 1 flagged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\"Results were mixed.\""),
        "the flagged quote is listed: {}",
        run.stdout
    );

    let p = open(&c);
    assert_eq!(p.meta.reviewer.name, "Ann");
    assert_eq!(
        p.meta
            .collaborators
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Ben"]
    );
    let s = &p.studies[0];
    assert_eq!(p.studies.len(), 1);
    assert_eq!(s.sources.len(), 1);
    assert_eq!(
        s.sources[0].sha256,
        sha256_hex(ORIGINAL.as_bytes()),
        "Ann's text kept"
    );
    assert_eq!(
        std::fs::read_to_string(c.join("studies/okafor-2019/results.txt")).unwrap(),
        ORIGINAL
    );
    let get = |n: u128| s.codings.iter().find(|x| x.id == id(n)).expect("kept");
    let t = SourceText::new(ORIGINAL.to_string());
    // "Clinicians described…" was at 20 in Ben's text; it is at 0 in Ann's.
    let moved = get(60);
    assert_eq!((moved.start, moved.end), (0, 34));
    assert_eq!(t.slice(moved.start, moved.end), moved.quote);
    assert!(moved.flag.is_none());
    assert_eq!(moved.by, id(2_000), "Ben's coding stays Ben's");
    let label = get(62);
    assert_eq!(t.slice(label.start, label.end), "saw only a label");
    let lost = get(61);
    assert!(
        lost.flag.as_deref().unwrap().contains("quote not found"),
        "{lost:?}"
    );
    assert_eq!(lost.quote, "Results were mixed.");
    assert_eq!(get(50).by, id(1_000));
    assert_eq!(s.codings.len(), 4, "none dropped");

    // `check` reports exactly the flagged coding.
    let run = common::check(&c);
    assert_eq!(run.code, 1, "{run:?}");
    let errors: Vec<&str> = run.stdout.lines().filter(|l| l.contains(": ")).collect();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert!(errors[0].contains(&id(61).to_string()) && errors[0].contains("is flagged"));
}

#[test]
fn studies_only_in_b_are_added_with_a_unique_key_and_same_spans_by_two_reviewers_stay_two() {
    let tmp = TempDir::new().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    let pa = one_study((1_000, "Ann"), ORIGINAL, &[("a key", 50)]);
    let mut pb = one_study((2_000, "Ben"), ORIGINAL, &[("a key", 51)]);
    // Ben also has another study under the same key in another folder of his.
    let mut other = one_study((2_000, "Ben"), CHANGED, &[("Results were mixed.", 52)]);
    let mut s2 = other.studies.remove(0);
    s2.id = id(7);
    s2.citation.doi = Some("10.1/other".into());
    s2.sources[0].id = id(8);
    s2.sources[0].file = "elsewhere/results.txt".into();
    for x in &mut s2.codings {
        x.source = id(8);
    }
    s2.key = "okafor-2019-b".into();
    pb.studies.push(s2);
    pb.sort_studies();
    create(
        &a,
        &pa,
        &[("okafor-2019/results.txt".into(), ORIGINAL.into())],
    );
    create(
        &b,
        &pb,
        &[
            ("okafor-2019/results.txt".into(), ORIGINAL.into()),
            ("elsewhere/results.txt".into(), CHANGED.into()),
        ],
    );
    let summary = combine(&a, &b, &c).unwrap();
    let p = open(&c);
    assert_eq!(p.studies.len(), 2);
    let s = p.study_by_key("okafor-2019").unwrap();
    assert_eq!(s.codings.len(), 2, "the same span by Ann and by Ben");
    assert_ne!(s.codings[0].by, s.codings[1].by);
    let added = p.study_by_key("okafor-2019-b").unwrap();
    assert_eq!(added.codings[0].id, id(52));
    assert_eq!(
        std::fs::read_to_string(c.join("studies").join(&added.sources[0].file)).unwrap(),
        CHANGED
    );
    assert_eq!(summary.added.len(), 1);
    assert_eq!(summary.studies_same_text, 1);

    // Combining the result with B again adds nothing: every coding is identical.
    let again = tmp.path().join("again");
    let s2 = combine(&c, &b, &again).unwrap();
    assert_eq!(s2.codings_out, 3);
    assert_eq!(s2.duplicates, 2);
    assert_eq!(parts(&c), parts(&again));
}

#[test]
fn the_same_coding_edited_in_both_inputs_keeps_both_notes_and_the_later_construct() {
    let tmp = TempDir::new().unwrap();
    let files = [("okafor-2019/results.txt".to_string(), ORIGINAL.to_string())];
    // Ben's project began as a copy of Ann's: Ann's coding is in both, and each
    // copy changed it.
    let mut pa = one_study((1_000, "Ann"), ORIGINAL, &[("a key", 50)]);
    let mut pb = pa.clone();
    pb.meta.id = id(2_001);
    pb.meta.reviewer = Reviewer {
        id: id(2_000),
        name: "Ben".into(),
    };
    pb.meta.collaborators.push(pa.meta.reviewer.clone());
    let ca = &mut pa.studies[0].codings[0];
    ca.note = "Ann: central to the theme.".into();
    ca.construct = Construct::Author;
    ca.edited = "2026-11-26T09:00:00Z".into();
    let cb = &mut pb.studies[0].codings[0];
    cb.note = "Ann (on the laptop): check P4's wording.".into();
    cb.construct = Construct::Reviewer;
    cb.edited = "2026-11-27T09:00:00Z".into();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    create(&a, &pa, &files);
    create(&b, &pb, &files);
    let (ab, ba) = (tmp.path().join("ab"), tmp.path().join("ba"));
    let summary = combine(&a, &b, &ab).unwrap();
    combine(&b, &a, &ba).unwrap();
    assert_eq!(
        parts(&ab),
        parts(&ba),
        "the order of the inputs does not matter"
    );
    assert_eq!(summary.duplicates, 1);
    assert_eq!(summary.notes_joined, 1);
    let c = open(&ab);
    let codings = &c.studies[0].codings;
    assert_eq!(codings.len(), 1, "{codings:?}");
    let note = &codings[0].note;
    assert!(
        note.contains("Ann: central")
            && note.contains("check P4")
            && note.contains(thematic::merge::three_way::TEXT_MARKER),
        "{note}"
    );
    assert_eq!(
        codings[0].construct,
        Construct::Reviewer,
        "the later change"
    );
    assert_eq!(codings[0].edited, "2026-11-27T09:00:00Z");
    assert_eq!(codings[0].at, "2026-11-25T10:14:03Z");
}

#[test]
fn refuses_an_output_folder_that_is_not_empty() {
    let tmp = TempDir::new().unwrap();
    let a = tmp.path().join("a");
    let pa = one_study((1_000, "Ann"), ORIGINAL, &[("a key", 50)]);
    create(
        &a,
        &pa,
        &[("okafor-2019/results.txt".into(), ORIGINAL.into())],
    );
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "keep").unwrap();
    let run = thematic([
        OsStr::new("combine"),
        a.as_os_str(),
        a.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not empty"), "{run:?}");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    // An empty folder is fine, and nothing is left beside it.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    combine(&a, &a, &empty).unwrap();
    assert!(empty.join("project.ron").is_file());
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("combine")), "{names:?}");
    // A project that is not one.
    let run = thematic([
        OsStr::new("combine"),
        a.as_os_str(),
        tmp.path().join("nothing").as_os_str(),
        "--out".as_ref(),
        tmp.path().join("x").as_os_str(),
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn a_text_changed_since_it_was_coded_is_reanchored_in_c_and_the_input_is_left_alone() {
    let tmp = TempDir::new().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    // Both coded ORIGINAL; then A's file was edited outside thematic.
    let pa = one_study(
        (1_000, "Ann"),
        ORIGINAL,
        &[("a key", 50), ("It opened doors", 53)],
    );
    let pb = one_study((2_000, "Ben"), ORIGINAL, &[("saw only a label", 51)]);
    create(
        &a,
        &pa,
        &[("okafor-2019/results.txt".into(), ORIGINAL.into())],
    );
    create(
        &b,
        &pb,
        &[("okafor-2019/results.txt".into(), ORIGINAL.into())],
    );
    let file = a.join("studies/okafor-2019/results.txt");
    std::fs::write(&file, CHANGED).unwrap();
    let before = snapshot(&a);

    let summary = combine(&a, &b, &c).unwrap();
    assert_eq!(
        summary.studies_same_text, 1,
        "matched by the hash the codings were made on"
    );
    assert!(
        summary
            .notices
            .iter()
            .any(|n| n.contains("changed since it was coded")
                && n.contains("2 moved to their quote, 1 flagged")),
        "{:?}",
        summary.notices
    );
    assert_eq!(snapshot(&a), before, "A is not changed");
    let p = open(&c);
    let s = &p.studies[0];
    assert_eq!(s.sources[0].sha256, sha256_hex(CHANGED.as_bytes()));
    assert_eq!(
        std::fs::read_to_string(c.join("studies/okafor-2019/results.txt")).unwrap(),
        CHANGED
    );
    let t = SourceText::new(CHANGED.to_string());
    for x in &s.codings {
        match &x.flag {
            None => assert_eq!(t.slice(x.start, x.end), x.quote),
            Some(_) => assert_eq!(x.quote, "It opened doors"),
        }
    }
    assert_eq!(s.codings.len(), 3);
}
