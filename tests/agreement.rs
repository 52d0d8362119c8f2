//! `thematic agreement`: kappa against hand-computed values — perfect agreement,
//! chance level, uncoded text inflating kappa, a theme counting its children — in
//! characters, sentences and paragraphs; the combined-project form and the
//! two-project form give the same numbers.
//!
//! Notation for each 2×2 table over N units (first reviewer = Ann, second = Ben):
//!
//! ```text
//!                 Ben coded   Ben not
//!   Ann coded         a          b
//!   Ann not           c          d
//! ```
//!
//! po = (a + d)/N; p1 = (a + b)/N, p2 = (a + c)/N; pe = p1·p2 + (1 − p1)(1 − p2);
//! kappa = (po − pe)/(1 − pe). "kappa (coded)" is the same with N and d restricted to
//! the units at least one of them coded with any code.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use tempfile::TempDir;

use common::{code, id, thematic};
use thematic::merge::agreement::{Agreement, Pairing, Row, Unit, compute, pick_reviewers};
use thematic::merge::combine::combine;
use thematic::model::{CodeKind, Coding, Construct, Id, Project, Reviewer, Source, Study};
use thematic::store::{Mode, Store};
use thematic::text::{SourceText, sha256_hex};

const ANN: u128 = 1;
const BEN: u128 = 2;
/// The code tree: Theme > X, Theme > Y.
const THEME: u128 = 10;
const X: u128 = 11;
const Y: u128 = 12;

/// (study, reviewer, code, start, end) in code points.
type Cut = (usize, u128, u128, u32, u32);

/// A project with the code tree, one study per text, and the codings in `cuts` by
/// whoever they name; `only` keeps only one reviewer's codings. `x_id` lets a
/// project give X its own id (it then matches by path).
fn project(texts: &[&str], cuts: &[Cut], owner: u128, only: Option<u128>, x_id: Id) -> Project {
    let names = |r: u128| if r == ANN { "Ann" } else { "Ben" };
    let mut p = Project::new("Agreement", names(owner));
    p.meta.id = id(100 + owner);
    p.meta.reviewer.id = id(owner);
    if only.is_none() {
        let other = if owner == ANN { BEN } else { ANN };
        p.meta.collaborators.push(Reviewer {
            id: id(other),
            name: names(other).into(),
        });
    }
    let mut theme = code(id(THEME), None, 0, "Theme");
    theme.kind = CodeKind::DescriptiveTheme;
    p.codebook.codes.push(theme);
    p.codebook.codes.push(code(x_id, Some(id(THEME)), 0, "X"));
    p.codebook.codes.push(code(id(Y), Some(id(THEME)), 1, "Y"));
    p.codebook.canonicalize();
    for (i, text) in texts.iter().enumerate() {
        let key = format!("study-{i}");
        let mut s = Study::new(&key);
        s.id = id(200 + i as u128);
        let src = Source {
            id: id(300 + i as u128),
            name: "results".into(),
            file: format!("{key}/results.txt"),
            sha256: sha256_hex(text.as_bytes()),
            chars: text.chars().count() as u32,
        };
        let t = SourceText::new(text.to_string());
        for (n, &(st, who, c, a, b)) in cuts.iter().enumerate() {
            if st != i || only.is_some_and(|o| o != who) {
                continue;
            }
            s.codings.push(Coding {
                id: id(1_000 + n as u128),
                source: src.id,
                start: a,
                end: b,
                code: if c == X { x_id } else { id(c) },
                by: id(who),
                at: "2026-11-25T10:14:03Z".into(),
                edited: String::new(),
                construct: Construct::Participant,
                quote: t.slice(a, b).to_string(),
                note: String::new(),
                flag: None,
            });
        }
        s.sources.push(src);
        s.sort_codings();
        p.studies.push(s);
    }
    p.sort_studies();
    p
}

fn create(root: &Path, p: &Project, texts: &[&str]) {
    let store = Store::create(root, p).expect("create");
    for (s, t) in p.studies.iter().zip(texts) {
        store.add_text(&s.sources[0].file, t).expect("text");
    }
}

/// The combined form: one project, Ann's and Ben's codings in it.
fn agreement(texts: &[&str], cuts: &[Cut], unit: Unit) -> Agreement {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("c");
    create(&root, &project(texts, cuts, ANN, None, id(X)), texts);
    let o = Store::open(&root, Mode::Read).unwrap();
    let [r1, r2] = pick_reviewers(&o.project, Some("Ann,Ben")).unwrap();
    let pairing = Pairing::reviewers(&o.project, [r1.0, r2.0], [r1.1, r2.1]);
    compute(&pairing, &o.store, unit, None).unwrap()
}

fn row<'a>(a: &'a Agreement, path: &str) -> &'a Row {
    a.codes
        .iter()
        .find(|r| r.code == path)
        .unwrap_or_else(|| panic!("no row {path}"))
}

#[track_caller]
fn close(got: Option<f64>, want: f64) {
    let got = got.expect("kappa is defined");
    assert!((got - want).abs() < 1e-9, "got {got}, want {want}");
}

/// `n` characters of filler text.
fn filler(n: usize) -> String {
    "abcdefghij".repeat(n / 10)
}

#[test]
fn perfect_agreement_is_kappa_one() {
    // 100 chars; both code X on 10..30 and Y on 50..60. A second study only Ann coded
    // is left out.
    let t = filler(100);
    let cuts = [
        (0, ANN, X, 10, 30),
        (0, BEN, X, 10, 30),
        (0, ANN, Y, 50, 60),
        (0, BEN, Y, 50, 60),
        (1, ANN, X, 0, 5),
    ];
    let a = agreement(&[&t, &t[..50]], &cuts, Unit::Char);
    assert_eq!((a.studies, a.studies_coded_by_one), (1, 1));
    assert_eq!((a.units, a.units_coded), (100, 30));
    // X: a = 20, b = c = 0, d = 80. po = 1; p1 = p2 = 0.2; pe = 0.04 + 0.64 = 0.68;
    // kappa = (1 − 0.68)/(1 − 0.68) = 1.
    let x = row(&a, "Theme/X");
    assert_eq!((x.table.both, x.table.neither, x.coded), (20, 80, [20, 20]));
    close(x.agreement, 100.0);
    close(x.kappa, 1.0);
    // Over the 30 coded units: a = 20, d = 10; pe = (2/3)² + (1/3)² = 5/9; kappa 1.
    close(x.kappa_coded, 1.0);
    // Theme (X or Y): a = 30, d = 70 → kappa 1; over coded units d = 0, p1 = p2 = 1,
    // pe = 1: undefined.
    let th = row(&a, "Theme");
    close(th.kappa, 1.0);
    assert_eq!(th.kappa_coded, None);
    close(a.overall.kappa, 1.0);
    close(a.overall.kappa_coded, 1.0);
    assert_eq!(a.overall.codes, 3);
}

#[test]
fn chance_level_agreement_is_kappa_zero() {
    // 100 chars; Ann codes X on 0..50, Ben on 25..75: a = b = c = d = 25.
    // po = 50/100 = 0.5; p1 = p2 = 0.5; pe = 0.25 + 0.25 = 0.5; kappa = 0/0.5 = 0.
    let t = filler(100);
    let a = agreement(
        &[&t],
        &[(0, ANN, X, 0, 50), (0, BEN, X, 25, 75)],
        Unit::Char,
    );
    let x = row(&a, "Theme/X");
    assert_eq!(
        (
            x.table.both,
            x.table.first_only,
            x.table.second_only,
            x.table.neither
        ),
        (25, 25, 25, 25)
    );
    close(x.agreement, 50.0);
    close(x.kappa, 0.0);
    // Over the 75 coded units: a = 25, b = 25, c = 25, d = 0. po = 1/3;
    // pe = (2/3)(2/3) + (1/3)(1/3) = 5/9; kappa = (1/3 − 5/9)/(4/9) = −0.5.
    close(x.kappa_coded, -0.5);
}

#[test]
fn independent_random_coders_land_near_kappa_zero() {
    // 20,000 chars in 200 blocks of 100; each reviewer codes a block with
    // probability 0.3, independently (two different LCG streams). Expected kappa 0;
    // its standard error here is about 0.07, so |kappa| < 0.25 is a loose bound
    // that a real dependence (kappa 1 for copies, see above) would break.
    let t = filler(20_000);
    let mut cuts = Vec::new();
    let mut s1: u64 = 12345;
    let mut s2: u64 = 987_654_321;
    let next = |s: &mut u64| {
        *s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*s >> 33) % 100
    };
    for blk in 0..200u32 {
        if next(&mut s1) < 30 {
            cuts.push((0, ANN, X, blk * 100, blk * 100 + 100));
        }
        if next(&mut s2) < 30 {
            cuts.push((0, BEN, X, blk * 100, blk * 100 + 100));
        }
    }
    let a = agreement(&[&t], &cuts, Unit::Char);
    let k = row(&a, "Theme/X").kappa.unwrap();
    assert!(k.abs() < 0.25, "kappa {k}");
}

#[test]
fn uncoded_text_inflates_kappa() {
    // 1,000 chars. Ann: X on 0..60, Y on 60..100. Ben: X on 0..40, Y on 60..100.
    // 900 chars nobody coded.
    let t = filler(1_000);
    let cuts = [
        (0, ANN, X, 0, 60),
        (0, ANN, Y, 60, 100),
        (0, BEN, X, 0, 40),
        (0, BEN, Y, 60, 100),
    ];
    let a = agreement(&[&t], &cuts, Unit::Char);
    assert_eq!((a.units, a.units_coded), (1_000, 100));

    // X over all 1,000: a = 40, b = 20, c = 0, d = 940.
    // po = 980/1000 = 0.98; p1 = 0.06, p2 = 0.04; pe = 0.0024 + 0.94·0.96 = 0.9048;
    // kappa = 0.0752/0.0952 = 0.789915…
    let x = row(&a, "Theme/X");
    assert_eq!(
        (
            x.table.both,
            x.table.first_only,
            x.table.second_only,
            x.table.neither
        ),
        (40, 20, 0, 940)
    );
    close(x.agreement, 98.0);
    close(x.kappa, 0.0752 / 0.0952);
    // X over the 100 coded: a = 40, b = 20, c = 0, d = 40. po = 0.8; p1 = 0.6,
    // p2 = 0.4; pe = 0.24 + 0.24 = 0.48; kappa = 0.32/0.52 = 0.615384…
    assert_eq!(x.table_coded.neither, 40);
    close(x.kappa_coded, 0.32 / 0.52);
    assert!(x.kappa.unwrap() > x.kappa_coded.unwrap() + 0.15);

    // Theme (X or Y beneath it): Ann 0..100, Ben 0..40 + 60..100.
    // a = 80, b = 20, c = 0, d = 900: po = 0.98; p1 = 0.1, p2 = 0.08;
    // pe = 0.008 + 0.9·0.92 = 0.836; kappa = 0.144/0.164 = 0.878048…
    // Over the 100 coded: d = 0, po = 0.8, p1 = 1, p2 = 0.8, pe = 0.8: kappa = 0.
    let th = row(&a, "Theme");
    assert_eq!(th.coded, [100, 80]);
    close(th.kappa, 0.144 / 0.164);
    close(th.kappa_coded, 0.0);

    // Y: a = 40, d = 960 → 1; over coded: a = 40, d = 60 → 1.
    close(row(&a, "Theme/Y").kappa, 1.0);
    close(row(&a, "Theme/Y").kappa_coded, 1.0);

    // Overall pools Theme, X, Y: mean po = (0.98 + 0.98 + 1)/3; pe(Y) = 0.04² + 0.96²
    // = 0.9232; mean pe = (0.836 + 0.9048 + 0.9232)/3 = 0.888;
    // kappa = (0.986666… − 0.888)/(1 − 0.888) = 0.880952…
    let po = (0.98 + 0.98 + 1.0) / 3.0;
    close(a.overall.agreement, po * 100.0);
    close(a.overall.kappa, (po - 0.888) / (1.0 - 0.888));
}

#[test]
fn a_theme_counts_its_children() {
    // 100 chars. Ann codes X on 0..10 and the theme itself on 50..60; Ben codes Y on
    // 0..10 and 50..60. They disagree on the codes and agree on the theme.
    let t = filler(100);
    let cuts = [
        (0, ANN, X, 0, 10),
        (0, ANN, THEME, 50, 60),
        (0, BEN, Y, 0, 10),
        (0, BEN, Y, 50, 60),
    ];
    let a = agreement(&[&t], &cuts, Unit::Char);
    // Theme: a = 20, d = 80 → po = 1, kappa 1.
    let th = row(&a, "Theme");
    assert_eq!(th.coded, [20, 20]);
    close(th.kappa, 1.0);
    // X: a = 0, b = 10, c = 0, d = 90: po = 0.9; p1 = 0.1, p2 = 0; pe = 0.9; kappa 0.
    let x = row(&a, "Theme/X");
    assert_eq!(x.coded, [10, 0]);
    close(x.kappa, 0.0);
    // Y: a = 0, b = 0, c = 20, d = 80: po = 0.8; pe = 0.8; kappa 0.
    let y = row(&a, "Theme/Y");
    assert_eq!(y.coded, [0, 20]);
    close(y.kappa, 0.0);
}

/// Three paragraphs, seven sentences (blank lines are not sentences).
const SENTENCES: &str =
    "Alpha one. Beta two. Gamma three.\n\nDelta four. Epsilon five. Zeta six.\n\nEta seven.\n";

fn at(text: &str, s: &str) -> (u32, u32) {
    let b = text.find(s).unwrap();
    let a = text[..b].chars().count() as u32;
    (a, a + s.chars().count() as u32)
}

#[test]
fn sentences_and_paragraphs_as_units() {
    let t = SENTENCES;
    let (a1, b1) = at(t, "lph");
    let (a2, b2) = at(t, "Delta four.");
    let (a3, b3) = at(t, "Beta two.");
    let (a4, b4) = at(t, "Delta");
    let cuts = [
        (0, ANN, X, a1, b1),
        (0, ANN, X, a2, b2),
        (0, BEN, X, a3, b3),
        (0, BEN, X, a4, b4),
    ];
    // Sentences: Ann touches 1 and 4, Ben 2 and 4, of 7: a = 1, b = 1, c = 1, d = 4.
    // po = 5/7; p1 = p2 = 2/7; pe = 4/49 + 25/49 = 29/49;
    // kappa = (35/49 − 29/49)/(20/49) = 6/20 = 0.3.
    let s = agreement(&[t], &cuts, Unit::Sentence);
    assert_eq!(s.units, 7);
    let x = row(&s, "Theme/X");
    assert_eq!(
        (
            x.table.both,
            x.table.first_only,
            x.table.second_only,
            x.table.neither
        ),
        (1, 1, 1, 4)
    );
    close(x.kappa, 0.3);
    // Over the 3 sentences someone coded: d = 0, po = 1/3, p1 = p2 = 2/3, pe = 5/9:
    // kappa = (3/9 − 5/9)/(4/9) = −0.5.
    close(x.kappa_coded, -0.5);

    // Paragraphs: both touch 1 and 2 of 3: a = 2, d = 1. po = 1; p1 = p2 = 2/3;
    // pe = 5/9; kappa 1.
    let p = agreement(&[t], &cuts, Unit::Paragraph);
    assert_eq!(p.units, 3);
    close(row(&p, "Theme/X").kappa, 1.0);
    close(row(&p, "Theme/X").agreement, 100.0);
}

#[test]
fn two_projects_and_their_combination_agree_with_the_combined_form() {
    let t = filler(1_000);
    let texts = [t.as_str()];
    let cuts = [
        (0, ANN, X, 0, 60),
        (0, ANN, Y, 60, 100),
        (0, BEN, X, 0, 40),
        (0, BEN, Y, 60, 100),
    ];
    let want = agreement(&texts, &cuts, Unit::Char);
    let tmp = TempDir::new().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    create(&a, &project(&texts, &cuts, ANN, Some(ANN), id(X)), &texts);
    // Ben made his own X (another id, the same path): matched by path.
    create(&b, &project(&texts, &cuts, BEN, Some(BEN), id(99)), &texts);

    let json = |args: &[&OsStr]| -> serde_json::Value {
        let mut v: Vec<&OsStr> = vec!["agreement".as_ref()];
        v.extend(args);
        v.extend([OsStr::new("--format"), OsStr::new("json")]);
        serde_json::from_str(&thematic(v).ok().stdout).expect("JSON")
    };
    let kappas = |v: &serde_json::Value| -> Vec<(String, Option<f64>, Option<f64>)> {
        v["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["code"].as_str().unwrap().to_string(),
                    r["kappa"].as_f64(),
                    r["kappa_coded"].as_f64(),
                )
            })
            .collect()
    };
    let round = |x: Option<f64>| x.map(|k| (k * 10_000.0).round() / 10_000.0);
    let expected: Vec<(String, Option<f64>, Option<f64>)> = want
        .codes
        .iter()
        .map(|r| (r.code.clone(), round(r.kappa), round(r.kappa_coded)))
        .collect();

    let two = json(&[a.as_os_str(), b.as_os_str()]);
    assert_eq!(kappas(&two), expected);
    assert_eq!(two["reviewers"], serde_json::json!(["Ann", "Ben"]));

    combine(&a, &b, &c).unwrap();
    // Exactly two reviewers coded: no need to name them.
    let one = json(&[c.as_os_str()]);
    assert_eq!(kappas(&one), expected);
    let named = json(&[c.as_os_str(), "--reviewers".as_ref(), "ben,Ann".as_ref()]);
    assert_eq!(named["reviewers"], serde_json::json!(["Ben", "Ann"]));
    assert_eq!(kappas(&named), expected, "kappa is symmetric");
    let by_id = json(&[
        c.as_os_str(),
        "--reviewers".as_ref(),
        format!("{},{}", id(ANN), id(BEN)).as_ref(),
        "--code".as_ref(),
        "Theme/X".as_ref(),
    ]);
    assert_eq!(kappas(&by_id), expected[1..2]);

    // The table names the reviewers and explains the columns.
    let table = thematic([OsStr::new("agreement"), c.as_os_str()])
        .ok()
        .stdout;
    for needle in [
        "Ann",
        "Ben",
        "kappa (coded)",
        "overall (pooled, 3 codes)",
        "Theme/X",
    ] {
        assert!(table.contains(needle), "{needle}: {table}");
    }
    let csv = thematic([
        OsStr::new("agreement"),
        c.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
    ])
    .ok()
    .stdout;
    assert!(
        csv.starts_with("code,Ann,Ben,both,agree %,kappa,kappa (coded)\r\n"),
        "{csv}"
    );
}

#[test]
fn bad_usage_and_missing_things() {
    let t = filler(100);
    let tmp = TempDir::new().unwrap();
    let c = tmp.path().join("c");
    let cuts = [(0, ANN, X, 0, 50), (0, BEN, X, 25, 75)];
    create(&c, &project(&[&t], &cuts, ANN, None, id(X)), &[&t]);
    let run = |args: &[&str]| {
        let mut v: Vec<&OsStr> = vec!["agreement".as_ref(), c.as_os_str()];
        v.extend(args.iter().map(|a| OsStr::new(*a)));
        thematic(v)
    };
    assert_eq!(run(&["--unit", "word"]).code, 2);
    assert_eq!(run(&["--format", "html"]).code, 2);
    assert_eq!(run(&["--reviewers", "Ann"]).code, 2);
    assert_eq!(run(&["--reviewers", "Ann,Ann"]).code, 2);
    let r = run(&["--reviewers", "Ann,Zed"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("Zed") && r.stderr.contains("Ben"),
        "{r:?}"
    );
    assert_eq!(run(&["--code", "Nope"]).code, 1);
    assert_eq!(run(&["--unit", "sentence"]).code, 0);
}
