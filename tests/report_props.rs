//! Properties of the report numbers and formats on generated projects and text.

use std::collections::HashMap;

use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

use thematic::model::{Code, CodeKind, Coding, Construct, Id, Project, Source, Study};
use thematic::report::table::{Column, Table, render, width};
use thematic::report::{Coverage, Matrix, MatrixBy, MatrixReport, context, count_words};
use thematic::text::SourceText;

/// Text with the things that break naive code: combining marks, CJK, emoji
/// sequences, tabs, CRLF, apostrophes and numbers with separators.
fn text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("word".to_string()),
        Just(" ".to_string()),
        Just("  ".to_string()),
        Just("\t".to_string()),
        Just("\r\n".to_string()),
        Just("e\u{301}".to_string()),
        Just(" \u{301}".to_string()),
        Just("日本語".to_string()),
        Just("👍🏽".to_string()),
        Just("🤷\u{200d}♀\u{fe0f}".to_string()),
        Just("Ødegård".to_string()),
        Just("don't".to_string()),
        Just("3.14".to_string()),
        Just("1,000".to_string()),
        Just("a:b".to_string()),
        Just("_x_".to_string()),
        Just("\"q\"".to_string()),
        Just("—".to_string()),
        Just(".".to_string()),
        Just("Зона".to_string()),
        Just("can’t".to_string()),
        Just("“rôle”".to_string()),
        Just("…".to_string()),
        Just("«×»".to_string()),
        Just("ſt\u{a0}".to_string()),
        Just("עִבְרִית".to_string()),
        "[a-z0-9 .,:;'_]{1,6}",
    ];
    prop::collection::vec(piece, 1..max).prop_map(|v| v.concat())
}

/// A project of 1–4 studies, 1–3 sources each, a code tree of 1–8 codes (each
/// code's parent an earlier code, so every code has a top-level ancestor), and
/// random codings (spans anywhere, overlapping freely).
fn project() -> impl Strategy<Value = (Project, HashMap<Id, String>)> {
    let codes = prop::collection::vec(any::<prop::sample::Index>(), 1..8);
    let sources = prop::collection::vec(prop::collection::vec(text(30), 1..4), 1..5);
    (
        codes,
        sources,
        prop::collection::vec(any::<(u32, u32, u8, u8, usize)>(), 0..60),
    )
        .prop_map(|(parents, studies, raw)| {
            let mut p = Project::new("Generated", "Tester");
            for (i, ix) in parents.iter().enumerate() {
                let parent = if i == 0 || ix.index(3) == 0 {
                    None
                } else {
                    Some(Id::from_u128(1 + ix.index(i) as u128))
                };
                p.codebook.codes.push(Code {
                    id: Id::from_u128(1 + i as u128),
                    parent,
                    order: i as i64,
                    kind: CodeKind::Code,
                    name: format!("code {i}"),
                    description: String::new(),
                    color: String::new(),
                    memo: String::new(),
                });
            }
            p.codebook.canonicalize();
            let ncodes = parents.len();
            let mut texts = HashMap::new();
            let mut n = 0u128;
            for (k, srcs) in studies.iter().enumerate() {
                let mut s = Study::new(&format!("study-{k:02}"));
                for (j, t) in srcs.iter().enumerate() {
                    n += 1;
                    let id = Id::from_u128(0x10_000 + n);
                    s.sources.push(Source {
                        id,
                        name: format!("s{j}"),
                        file: format!("study-{k:02}/s{j}.txt"),
                        sha256: String::new(),
                        chars: t.chars().count() as u32,
                    });
                    texts.insert(id, t.clone());
                }
                p.studies.push(s);
            }
            for (i, &(a, b, c, k, st)) in raw.iter().enumerate() {
                let nstudies = p.studies.len();
                let s = &mut p.studies[st % nstudies];
                let src = &s.sources[(c as usize) % s.sources.len()];
                let (x, y) = (a % (src.chars + 1), b % (src.chars + 1));
                let (start, end) = (x.min(y), x.max(y));
                let coding = Coding {
                    id: Id::from_u128(0x100_000 + i as u128),
                    source: src.id,
                    start,
                    end,
                    code: Id::from_u128(1 + (k as usize % ncodes) as u128),
                    by: Id::from_u128(9),
                    at: String::new(),
                    edited: String::new(),
                    construct: Construct::ALL[(k as usize / 7) % 4],
                    quote: String::new(),
                    note: String::new(),
                    flag: None,
                };
                s.codings.push(coding);
            }
            p.sort_studies();
            for s in &mut p.studies {
                s.sort_codings();
            }
            (p, texts)
        })
}

fn in_range(x: f64) -> bool {
    (0.0..=100.0).contains(&x)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn coverage_is_a_percentage((p, texts) in project()) {
        let c = Coverage::compute(&p, &texts).unwrap();
        for r in c.studies.iter().chain([&c.total]) {
            prop_assert!(in_range(r.coded), "{} {}", r.key, r.coded);
            for k in Construct::ALL {
                prop_assert!(in_range(r.by_construct.get(k)));
                // A construct's codings are a subset of all codings.
                prop_assert!(r.by_construct.get(k) <= r.coded + 1e-9);
            }
            prop_assert!(r.covered <= r.characters);
        }
    }

    #[test]
    fn whole_source_codings_cover_everything((mut p, texts) in project(), code in 1u128..2) {
        for s in &mut p.studies {
            let whole: Vec<Coding> = s.sources.iter().enumerate().map(|(j, src)| Coding {
                id: Id::from_u128(0x900_000 + j as u128),
                source: src.id,
                start: 0,
                end: src.chars,
                code: Id::from_u128(code),
                by: Id::from_u128(9),
                at: String::new(),
                edited: String::new(),
                construct: Construct::Reviewer,
                quote: String::new(),
                note: String::new(),
                flag: None,
            }).collect();
            s.codings.extend(whole);
            s.sort_codings();
        }
        let c = Coverage::compute(&p, &texts).unwrap();
        for r in c.studies.iter().chain([&c.total]) {
            prop_assert_eq!(r.coded, 100.0);
            prop_assert_eq!(r.by_construct.reviewer, 100.0);
        }
    }

    #[test]
    fn duplicating_a_coding_changes_no_coverage((mut p, texts) in project(), pick in any::<prop::sample::Index>()) {
        let before = Coverage::compute(&p, &texts).unwrap();
        let all: Vec<(usize, usize)> = p.studies.iter().enumerate()
            .flat_map(|(i, s)| (0..s.codings.len()).map(move |j| (i, j)))
            .collect();
        prop_assume!(!all.is_empty());
        let (i, j) = all[pick.index(all.len())];
        let mut dup = p.studies[i].codings[j].clone();
        dup.id = Id::from_u128(0xd0_000_000);
        p.studies[i].put_coding(dup);
        let after = Coverage::compute(&p, &texts).unwrap();
        for (a, b) in before.studies.iter().zip(&after.studies) {
            prop_assert_eq!(a.covered, b.covered);
            prop_assert_eq!(a.coded, b.coded);
            prop_assert_eq!(&a.by_construct, &b.by_construct);
            prop_assert_eq!(a.codes, b.codes);
        }
        prop_assert_eq!(after.total.codings, before.total.codings + 1);
    }

    #[test]
    fn matrix_totals_add_up((p, _) in project()) {
        let codings: usize = p.studies.iter().map(|s| s.codings.len()).sum();
        let r = MatrixReport::compute(&p, 1, MatrixBy::Codings);
        let m = &r.matrix;
        // Every code has a top-level ancestor, so every coding is in exactly one row.
        prop_assert_eq!(m.row_codings.iter().sum::<u32>() as usize, codings);
        prop_assert_eq!(m.total_codings() as usize, codings);
        for j in 0..m.studies.len() {
            let column: f64 = m.cells.iter().map(|row| row[j]).sum();
            prop_assert_eq!(column, r.column_totals[j]);
            prop_assert_eq!(column, f64::from(m.study_codings[j]));
        }
        for (i, row) in m.cells.iter().enumerate() {
            prop_assert_eq!(row.iter().sum::<f64>(), f64::from(m.row_codings[i]));
            prop_assert_eq!(row.iter().filter(|&&x| x > 0.0).count() as u32, m.row_studies[i]);
        }
        // Presence and coverage agree with counts about where there is anything.
        let pres = Matrix::compute(&p, 1, MatrixBy::Presence);
        let cov = Matrix::compute(&p, 1, MatrixBy::Coverage);
        for (i, row) in m.cells.iter().enumerate() {
            for (j, &n) in row.iter().enumerate() {
                prop_assert_eq!(pres.cells[i][j], if n > 0.0 { 1.0 } else { 0.0 });
                prop_assert!(in_range(cov.cells[i][j]));
                if n == 0.0 {
                    prop_assert_eq!(cov.cells[i][j], 0.0);
                }
            }
        }
    }

    #[test]
    fn deeper_matrices_never_count_more((p, _) in project(), depth in 1usize..5) {
        let m = Matrix::compute(&p, depth, MatrixBy::Codings);
        let codings: u32 = p.studies.iter().map(|s| s.codings.len() as u32).sum();
        prop_assert!(m.total_codings() <= codings);
        prop_assert_eq!(m.row_codings.iter().sum::<u32>(), m.total_codings());
        prop_assert!(m.rows.iter().all(|r| r.depth <= depth));
    }

    #[test]
    fn words_are_counted_as_unicode_words(s in text(60)) {
        prop_assert_eq!(count_words(&s), s.unicode_words().count() as u64);
    }

    #[test]
    fn context_stays_within_its_budget(s in text(40), a in any::<u32>(), b in any::<u32>(), n in 0u32..60) {
        let t = SourceText::new(s);
        let (x, y) = (a % (t.chars() + 1), b % (t.chars() + 1));
        let (before, after) = context(&t, x.min(y), x.max(y), n);
        prop_assert!(before.chars().count() <= n as usize);
        prop_assert!(after.chars().count() <= n as usize);
        let flat: String = t.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
        prop_assert!(flat.contains(before.trim()), "{:?} not in {:?}", before, flat);
        prop_assert!(flat.contains(after.trim()), "{:?} not in {:?}", after, flat);
        prop_assert!(!before.contains("  ") && !after.contains("  "));
    }

    #[test]
    fn tables_fit_any_width(cells in prop::collection::vec(text(12), 1..24), w in 20usize..140) {
        let mut t = Table::new(vec![Column::text("key"), Column::flex("text"), Column::number("n"), Column::path("path")]);
        for (i, c) in cells.iter().enumerate() {
            t.rows.push(vec![format!("k{i}"), c.clone(), i.to_string(), format!("A/{c}/B")]);
        }
        let out = render(&t, w);
        for line in out.lines() {
            prop_assert!(width(line) <= w, "{} > {}: {:?}", width(line), w, line);
            prop_assert!(!line.chars().any(|c| c.is_control()));
        }
        // Numbers are never cut.
        for i in 0..cells.len() {
            prop_assert!(out.contains(&i.to_string()));
        }
    }

    #[test]
    fn csv_and_markdown_carry_any_cell(cells in prop::collection::vec(text(10), 1..12)) {
        let mut t = Table::new(vec![Column::text("a"), Column::flex("b|c")]);
        for c in &cells {
            t.rows.push(vec![c.clone(), format!("{c}|,\"\n")]);
        }
        let csv = thematic::report::csv(&t);
        let mut rd = csv::Reader::from_reader(csv.as_bytes());
        let back: Vec<Vec<String>> = rd.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        prop_assert_eq!(back, t.rows.clone());
        let md = thematic::report::markdown(&t);
        for line in md.lines().take(2 + cells.len()) {
            let pipes = line.len() - line.replace('|', "").len();
            let escaped = line.matches("\\|").count();
            prop_assert_eq!(pipes - escaped, 3, "{:?}", line);
        }
    }
}
