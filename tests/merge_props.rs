//! Properties of the three-way merge over random bases and random edits on two
//! sides: deterministic and symmetric, idempotent, nothing added is lost, no
//! dangling ids and no cycles.

use std::collections::BTreeSet;

use proptest::prelude::*;
use thematic::merge::restore::restore_into;
use thematic::merge::three_way::{Report, merge_codebook, merge_study};
use thematic::model::{Code, CodeKind, Codebook, Coding, Construct, Id, Source, Study};
use thematic::store::to_ron;

fn id(n: u64) -> Id {
    Id::from_u128(0x4000_0000_0000_4000_8000_0000_0000_0000 | n as u128)
}

/// One side's edit, chosen by numbers so that proptest can shrink it.
#[derive(Clone, Debug)]
enum Op {
    AddCoding {
        start: u32,
        len: u32,
        code: usize,
    },
    DeleteCoding(usize),
    Note(usize, String),
    /// Recode a coding; the edit renews its time (the minute is the last number).
    Recode(usize, usize, u32),
    Construct(usize, u32),
    AddCode {
        parent: usize,
        name: String,
    },
    DeleteLeafCode(usize),
    Rename(usize, String),
    Move(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..400, 1u32..40, 0usize..50).prop_map(|(start, len, code)| Op::AddCoding {
            start,
            len,
            code
        }),
        (0usize..50).prop_map(Op::DeleteCoding),
        (0usize..50, "[a-z ]{0,8}").prop_map(|(i, s)| Op::Note(i, s)),
        (0usize..50, 0usize..50, 0u32..3).prop_map(|(i, c, m)| Op::Recode(i, c, m)),
        (0usize..50, 0u32..3).prop_map(|(i, m)| Op::Construct(i, m)),
        (0usize..50, "[A-Z][a-z]{1,6}").prop_map(|(parent, name)| Op::AddCode { parent, name }),
        (0usize..50).prop_map(Op::DeleteLeafCode),
        (0usize..50, "[A-Z][a-z]{1,6}").prop_map(|(i, s)| Op::Rename(i, s)),
        (0usize..50, 0usize..50).prop_map(|(a, b)| Op::Move(a, b)),
    ]
}

fn base(ncodes: usize, ncodings: usize) -> (Codebook, Study) {
    let mut cb = Codebook::new();
    for i in 0..ncodes {
        let parent = (i >= 3).then(|| id(100 + (i as u64 % 3)));
        cb.codes.push(Code {
            id: id(100 + i as u64),
            parent,
            order: i as i64,
            kind: CodeKind::Code,
            name: format!("Code {i}"),
            description: String::new(),
            color: String::new(),
            memo: String::new(),
        });
    }
    cb.canonicalize();
    let mut s = Study::new("okafor-2019");
    s.id = id(1);
    s.sources.push(Source {
        id: id(2),
        name: "results".into(),
        file: "okafor-2019/results.txt".into(),
        sha256: "0".repeat(64),
        chars: 500,
    });
    for i in 0..ncodings {
        let start = (i as u32 * 37) % 450;
        s.codings.push(Coding {
            id: id(1000 + i as u64),
            source: id(2),
            start,
            end: start + 10,
            code: id(100 + (i % ncodes) as u64),
            by: id(9),
            at: "2026-11-01T10:00:00Z".into(),
            edited: String::new(),
            construct: Construct::Participant,
            quote: format!("q{start}"),
            note: String::new(),
            flag: None,
        });
    }
    s.sort_codings();
    (cb, s)
}

/// Apply a side's edits; new ids come from `fresh` so that the sides never collide.
fn apply(cb: &mut Codebook, s: &mut Study, ops: &[Op], fresh: &mut u64) {
    for op in ops {
        let n_cod = s.codings.len();
        let n_code = cb.codes.len();
        match op.clone() {
            Op::AddCoding { start, len, code } if n_code > 0 => {
                *fresh += 1;
                s.put_coding(Coding {
                    id: id(*fresh),
                    source: id(2),
                    start,
                    end: (start + len).min(500),
                    code: cb.codes[code % n_code].id,
                    by: id(9),
                    at: "2026-11-02T10:00:00Z".into(),
                    edited: String::new(),
                    construct: Construct::Author,
                    quote: format!("n{start}"),
                    note: String::new(),
                    flag: None,
                });
            }
            Op::DeleteCoding(i) if n_cod > 0 => {
                s.codings.remove(i % n_cod);
            }
            Op::Note(i, t) if n_cod > 0 => s.codings[i % n_cod].note = t,
            Op::Recode(i, c, minute) if n_cod > 0 && n_code > 0 => {
                let coding = &mut s.codings[i % n_cod];
                coding.code = cb.codes[c % n_code].id;
                coding.edited = format!("2026-11-03T10:{minute:02}:00Z");
            }
            Op::Construct(i, minute) if n_cod > 0 => {
                let coding = &mut s.codings[i % n_cod];
                coding.construct = Construct::Reviewer;
                coding.edited = format!("2026-11-03T10:{minute:02}:00Z");
            }
            Op::AddCode { parent, name } => {
                *fresh += 1;
                let parent = (n_code > 0).then(|| cb.codes[parent % n_code].id);
                cb.codes.push(Code {
                    id: id(*fresh),
                    parent,
                    order: 0,
                    kind: CodeKind::Code,
                    name,
                    description: String::new(),
                    color: String::new(),
                    memo: String::new(),
                });
            }
            Op::DeleteLeafCode(i) if n_code > 0 => {
                let c = cb.codes[i % n_code].id;
                let used = s.codings.iter().any(|x| x.code == c);
                let parent_of_some = cb.codes.iter().any(|x| x.parent == Some(c));
                if !used && !parent_of_some {
                    cb.codes.retain(|x| x.id != c);
                }
            }
            Op::Rename(i, t) if n_code > 0 => cb.codes[i % n_code].name = t,
            Op::Move(a, b) if n_code > 0 => {
                let (a, b) = (cb.codes[a % n_code].id, cb.codes[b % n_code].id);
                if !cb.is_within(b, a) {
                    cb.get_mut(a).unwrap().parent = Some(b);
                }
            }
            _ => {}
        }
    }
    cb.canonicalize();
    s.sort_codings();
}

fn no_cycles(cb: &Codebook) -> bool {
    cb.codes
        .iter()
        .all(|c| !cb.ancestors(c.id).contains(&c.id) && c.parent != Some(c.id))
}

fn ids<T>(v: &[T], f: impl Fn(&T) -> Id) -> BTreeSet<Id> {
    v.iter().map(f).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn merge_is_symmetric_idempotent_and_loses_nothing(
        ncodes in 1usize..8,
        ncodings in 0usize..12,
        ours_ops in prop::collection::vec(op(), 0..12),
        theirs_ops in prop::collection::vec(op(), 0..12),
    ) {
        let (bcb, bs) = base(ncodes, ncodings);
        let (mut ocb, mut os) = (bcb.clone(), bs.clone());
        let (mut tcb, mut ts) = (bcb.clone(), bs.clone());
        let mut fresh = 10_000;
        apply(&mut ocb, &mut os, &ours_ops, &mut fresh);
        fresh = 20_000;
        apply(&mut tcb, &mut ts, &theirs_ops, &mut fresh);
        let r = &mut Report::default();

        // Deterministic and symmetric: the same bytes whichever side is "ours".
        let cb1 = merge_codebook(Some(&bcb), &ocb, &tcb, r);
        let cb2 = merge_codebook(Some(&bcb), &tcb, &ocb, r);
        prop_assert_eq!(to_ron(&cb1), to_ron(&cb2));
        let s1 = merge_study(Some(&bs), &os, &ts, r);
        let s2 = merge_study(Some(&bs), &ts, &os, r);
        prop_assert_eq!(to_ron(&s1), to_ron(&s2));

        // Idempotent: merging a side with itself, or with the base, gives that side.
        prop_assert_eq!(to_ron(&merge_study(Some(&bs), &os, &os, r)), to_ron(&os));
        prop_assert_eq!(to_ron(&merge_study(Some(&bs), &os, &bs, r)), to_ron(&os));
        prop_assert_eq!(to_ron(&merge_codebook(Some(&bcb), &ocb, &ocb, r)), to_ron(&ocb));
        prop_assert_eq!(to_ron(&merge_codebook(Some(&bcb), &ocb, &bcb, r)), to_ron(&ocb));

        // Every coding and code added on either side is there.
        let base_codings = ids(&bs.codings, |c| c.id);
        let merged_codings = ids(&s1.codings, |c| c.id);
        for c in os.codings.iter().chain(&ts.codings).filter(|c| !base_codings.contains(&c.id)) {
            prop_assert!(merged_codings.contains(&c.id), "coding {} lost", c.id);
        }
        let base_codes = ids(&bcb.codes, |c| c.id);
        let merged_codes = ids(&cb1.codes, |c| c.id);
        for c in ocb.codes.iter().chain(&tcb.codes).filter(|c| !base_codes.contains(&c.id)) {
            prop_assert!(merged_codes.contains(&c.id), "code {} lost", c.name);
        }
        // A coding deleted on one side and untouched on the other is gone.
        for c in &bs.codings {
            let in_o = os.codings.iter().find(|x| x.id == c.id);
            let in_t = ts.codings.iter().find(|x| x.id == c.id);
            if in_o.is_none() && in_t == Some(c) {
                prop_assert!(!merged_codings.contains(&c.id));
            }
        }

        // No cycles, no dangling parents; after restoring codes a deletion on one side
        // took from a coding on the other, no coding names a missing code.
        prop_assert!(no_cycles(&cb1));
        for c in &cb1.codes {
            if let Some(p) = c.parent {
                prop_assert!(merged_codes.contains(&p), "dangling parent of {}", c.name);
            }
        }
        let mut restored = cb1.clone();
        restore_into(&mut restored, std::slice::from_ref(&s1), &[ocb.clone(), tcb.clone(), bcb.clone()]);
        for c in &s1.codings {
            prop_assert!(restored.get(c.code).is_some());
        }
        prop_assert!(no_cycles(&restored));
        // Nothing restored is a placeholder: every code used came from some side.
        prop_assert!(restored.codes.iter().all(|c| !c.name.starts_with("Recovered code")));
    }
}

#[test]
fn moves_on_both_sides_that_make_a_cycle_are_broken() {
    let (bcb, _) = base(2, 0);
    let (a, b) = (bcb.codes[0].id, bcb.codes[1].id);
    let mut ocb = bcb.clone();
    ocb.get_mut(a).unwrap().parent = Some(b);
    let mut tcb = bcb.clone();
    tcb.get_mut(b).unwrap().parent = Some(a);
    let r = &mut Report::default();
    let m = merge_codebook(Some(&bcb), &ocb, &tcb, r);
    assert!(no_cycles(&m));
    assert_eq!(m.codes.len(), 2);
    assert!(r.lines.iter().any(|l| l.contains("cycle")), "{r:?}");
}

#[test]
fn a_coding_changed_on_both_sides_takes_the_later_edit() {
    let (_, bs) = base(3, 1);
    // The base codes it with id(100); both sides recode it. `high` is the greater value.
    let (low, high) = (id(101), id(102));
    for (ours_later, ours_code, theirs_code) in [
        (true, low, high),
        (false, low, high),
        (true, high, low),
        (false, high, low),
    ] {
        let (mut os, mut ts) = (bs.clone(), bs.clone());
        let (o, t) = (&mut os.codings[0], &mut ts.codings[0]);
        o.code = ours_code;
        t.code = theirs_code;
        let (early, late) = ("2026-11-03T10:00:00Z", "2026-11-03T11:00:00Z");
        o.edited = (if ours_later { late } else { early }).into();
        t.edited = (if ours_later { early } else { late }).into();
        let r = &mut Report::default();
        let m = merge_study(Some(&bs), &os, &ts, r);
        let want = if ours_later { ours_code } else { theirs_code };
        assert_eq!(m.codings[0].code, want, "ours later: {ours_later}");
        assert_eq!(m.codings[0].edited, late);
        assert_eq!(m.codings[0].at, bs.codings[0].at, "when it was made stays");

        assert!(r.lines.iter().any(|l| l.contains("later edit")), "{r:?}");
    }
    // Edited at the same time (to the second): the greater value, reported.
    let (mut os, mut ts) = (bs.clone(), bs.clone());
    os.codings[0].code = low;
    ts.codings[0].code = high;
    let r = &mut Report::default();
    assert_eq!(merge_study(Some(&bs), &os, &ts, r).codings[0].code, high);
    assert!(r.lines.iter().any(|l| l.contains("greater")), "{r:?}");
}

#[test]
fn text_changed_on_both_sides_keeps_both_versions() {
    let (bcb, mut bs) = base(1, 1);
    bs.memo = "base".into();
    let (mut os, mut ts) = (bs.clone(), bs.clone());
    os.memo = "ours".into();
    ts.memo = "theirs".into();
    let _ = bcb;
    let m = merge_study(Some(&bs), &os, &ts, &mut Report::default());
    assert!(
        m.memo.contains("ours") && m.memo.contains("theirs"),
        "{}",
        m.memo
    );
    assert!(m.memo.contains(thematic::merge::three_way::TEXT_MARKER));
}
