//! The three-way merge of one project file by entity id — what `git merge` calls
//! for `*.ron` once `thematic git-setup` has registered the driver.
//!
//! Rules (symmetric: swapping ours and theirs gives the same bytes):
//! - an entity added on either side is kept;
//! - a deletion on one side wins only where the other side left the entity as it
//!   was in the base; an entity deleted on one side and changed on the other is kept
//!   (changed);
//! - a field changed on one side takes that change; a field changed differently on
//!   both sides keeps both versions when it is text (memos, descriptions, notes:
//!   joined with a marker line). Otherwise a coding takes the value of the side
//!   changed later (its `edited` time, else `at`), then of the greater reviewer id;
//!   codes and studies carry no time and take the greater value in canonical
//!   order. Each choice is deterministic, symmetric and reported;

//! - a code renamed differently on both sides takes one name and records the other
//!   in its memo; code moves that would form a cycle are broken by moving the code
//!   with the smallest id to its base parent (or the top level).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;

use crate::model::{Code, Codebook, Coding, Id, ProjectMeta, Reviewer, Source, Study};

/// The line that separates two versions of a text both sides changed.
pub const TEXT_MARKER: &str =
    "[thematic merge: both sides changed this text; the other version follows]";

/// What the merge resolved, one line each, for the user.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub lines: Vec<String>,
}

impl Report {
    fn note(&mut self, s: impl Into<String>) {
        self.lines.push(s.into());
    }
}

/// A value changed on one side takes that change; changed differently on both,
/// the greater value (reported).
fn pick<V: PartialEq + Clone + Debug + PartialOrd>(
    what: &str,
    b: Option<&V>,
    o: &V,
    t: &V,
    r: &mut Report,
) -> V {
    pick_by(what, b, o, t, Later::Unknown, r)
}

/// Which side edited an entity later, when the entity says (codings do).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Later {
    Ours,
    Theirs,
    Unknown,
}

/// [`pick`], where a value changed differently on both sides comes from the side
/// edited later, if known.
fn pick_by<V: PartialEq + Clone + Debug + PartialOrd>(
    what: &str,
    b: Option<&V>,
    o: &V,
    t: &V,
    later: Later,
    r: &mut Report,
) -> V {
    if o == t {
        return o.clone();
    }
    match b {
        Some(b) if b == o => return t.clone(),
        Some(b) if b == t => return o.clone(),
        _ => {}
    }
    let (chosen, why) = match later {
        Later::Ours => (o.clone(), "the later edit's"),
        Later::Theirs => (t.clone(), "the later edit's"),
        Later::Unknown if t > o => (t.clone(), "the greater"),
        Later::Unknown => (o.clone(), "the greater"),
    };
    r.note(format!(
        "{what}: changed differently on both sides; kept {why} {chosen:?}"
    ));
    chosen
}

/// Text changed differently on both sides: both versions, in a fixed order.
fn pick_text(what: &str, b: Option<&String>, o: &String, t: &String, r: &mut Report) -> String {
    if o == t {
        return o.clone();
    }
    match b {
        Some(b) if b == o => return t.clone(),
        Some(b) if b == t => return o.clone(),
        _ => {}
    }
    if !o.is_empty() && !t.is_empty() {
        r.note(format!(
            "{what}: both sides changed the text; both versions kept"
        ));
    }
    join_texts(o, t)
}

/// Two versions of a text, kept both, in a fixed order (so that swapping them
/// gives the same result) and separated by [`TEXT_MARKER`]. An empty or equal
/// version adds nothing.
pub fn join_texts(a: &str, b: &str) -> String {
    if a == b || b.is_empty() {
        return a.to_string();
    }
    if a.is_empty() {
        return b.to_string();
    }
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    format!("{first}\n\n{TEXT_MARKER}\n{second}")
}

/// Merge collections of entities by id. `one` merges an entity present on both
/// sides (with its base version, if any).
fn merge_by_id<T: Clone + PartialEq>(
    base: &[T],
    ours: &[T],
    theirs: &[T],
    id: impl Fn(&T) -> Id,
    what: impl Fn(&T) -> String,
    mut one: impl FnMut(Option<&T>, &T, &T, &mut Report) -> T,
    r: &mut Report,
) -> Vec<T> {
    // Every entity of the three sides, by id: one sort instead of three hash maps
    // (a study file has thousands of codings, and git runs this once per file).
    let sides = [base, ours, theirs];
    let mut all: Vec<(Id, usize, usize)> =
        Vec::with_capacity(base.len() + ours.len() + theirs.len());
    for (side, items) in sides.iter().enumerate() {
        all.extend(items.iter().enumerate().map(|(i, x)| (id(x), side, i)));
    }
    all.sort_unstable();
    let mut out = Vec::with_capacity(ours.len().max(theirs.len()));
    for group in all.chunk_by(|x, y| x.0 == y.0) {
        // An id twice on one side (a hand-edited file): the later one counts.
        let mut found: [Option<&T>; 3] = [None; 3];
        for &(_, side, i) in group {
            found[side] = Some(&sides[side][i]);
        }
        let [b, o, t] = found;
        match (b, o, t) {
            (_, Some(o), Some(t)) => out.push(one(b, o, t, r)),
            (None, Some(x), None) | (None, None, Some(x)) => out.push(x.clone()),
            (Some(b), Some(x), None) | (Some(b), None, Some(x)) => {
                if x != b {
                    r.note(format!(
                        "{}: deleted on one side, changed on the other; kept",
                        what(x)
                    ));
                    out.push(x.clone());
                }
            }
            (_, None, None) => {}
        }
    }
    out
}

// ----- project.ron -----

pub fn merge_project(
    b: Option<&ProjectMeta>,
    o: &ProjectMeta,
    t: &ProjectMeta,
    r: &mut Report,
) -> ProjectMeta {
    let collaborators = merge_by_id(
        b.map_or(&[][..], |b| &b.collaborators),
        &o.collaborators,
        &t.collaborators,
        |x: &Reviewer| x.id,
        |x| format!("collaborator {}", x.name),
        |bb, oo, tt, r| Reviewer {
            id: oo.id,
            name: pick(
                "collaborator name",
                bb.map(|x| &x.name),
                &oo.name,
                &tt.name,
                r,
            ),
        },
        r,
    );
    ProjectMeta {
        format: o.format.max(t.format),
        id: pick("project id", b.map(|x| &x.id), &o.id, &t.id, r),
        title: pick("project title", b.map(|x| &x.title), &o.title, &t.title, r),
        question: pick_text(
            "review question",
            b.map(|x| &x.question),
            &o.question,
            &t.question,
            r,
        ),
        reviewer: Reviewer {
            id: pick(
                "reviewer",
                b.map(|x| &x.reviewer.id),
                &o.reviewer.id,
                &t.reviewer.id,
                r,
            ),
            name: pick(
                "reviewer name",
                b.map(|x| &x.reviewer.name),
                &o.reviewer.name,
                &t.reviewer.name,
                r,
            ),
        },
        created: pick("created", b.map(|x| &x.created), &o.created, &t.created, r),
        collaborators,
    }
}

// ----- codebook.ron -----

pub fn merge_codebook(
    b: Option<&Codebook>,
    o: &Codebook,
    t: &Codebook,
    r: &mut Report,
) -> Codebook {
    let empty = Codebook::default();
    let base = b.unwrap_or(&empty);
    let mut codes = merge_by_id(
        &base.codes,
        &o.codes,
        &t.codes,
        |c: &Code| c.id,
        |c| format!("code `{}`", c.name),
        merge_code,
        r,
    );
    // A code deleted on one side whose children the other side kept (or added) is
    // still needed: the deletion yields.
    loop {
        let have: BTreeSet<Id> = codes.iter().map(|c| c.id).collect();
        let missing: Vec<Id> = codes
            .iter()
            .filter_map(|c| c.parent)
            .filter(|p| !have.contains(p))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if missing.is_empty() {
            break;
        }
        // Each pass restores codes (whose own parents the next pass checks) or
        // lifts orphans to the top level; it ends when nothing is missing.
        for id in missing {
            let found = [o, t, base].iter().find_map(|cb| cb.get(id)).cloned();
            match found {
                Some(c) => {
                    r.note(format!("code `{}`: deleted on one side, but still holds codes from the other; kept", c.name));
                    codes.push(c);
                }
                None => {
                    for c in codes.iter_mut().filter(|c| c.parent == Some(id)) {
                        c.parent = None;
                    }
                }
            }
        }
    }
    break_cycles(&mut codes, base, r);
    let mut cb = Codebook {
        format: o.format.max(t.format),
        codes,
    };
    cb.canonicalize();
    cb
}

fn merge_code(b: Option<&Code>, o: &Code, t: &Code, r: &mut Report) -> Code {
    let label = format!("code `{}`", o.name);
    let name = pick(
        &format!("{label} name"),
        b.map(|x| &x.name),
        &o.name,
        &t.name,
        r,
    );
    let mut memo = pick_text(
        &format!("{label} memo"),
        b.map(|x| &x.memo),
        &o.memo,
        &t.memo,
        r,
    );
    // Renamed differently on both sides: keep the other name where people will see it.
    for other in [&o.name, &t.name] {
        if *other != name && b.is_some_and(|b| b.name != *other) {
            let line = format!("[thematic merge: also renamed to “{other}” on the other side]");
            if !memo.contains(&line) {
                if !memo.is_empty() {
                    memo.push_str("\n\n");
                }
                memo.push_str(&line);
            }
        }
    }
    Code {
        id: o.id,
        parent: pick(
            &format!("{label} parent"),
            b.map(|x| &x.parent),
            &o.parent,
            &t.parent,
            r,
        ),
        order: pick(
            &format!("{label} order"),
            b.map(|x| &x.order),
            &o.order,
            &t.order,
            r,
        ),
        kind: pick(
            &format!("{label} kind"),
            b.map(|x| &x.kind),
            &o.kind,
            &t.kind,
            r,
        ),
        name,
        description: pick_text(
            &format!("{label} definition"),
            b.map(|x| &x.description),
            &o.description,
            &t.description,
            r,
        ),
        color: pick(
            &format!("{label} colour"),
            b.map(|x| &x.color),
            &o.color,
            &t.color,
            r,
        ),
        memo,
    }
}

/// Two moves that together make a cycle (A under B on one side, B under A on the
/// other): move the code with the smallest id in each cycle back to its base
/// parent, or to the top level.
fn break_cycles(codes: &mut [Code], base: &Codebook, r: &mut Report) {
    loop {
        let parent: HashMap<Id, Option<Id>> = codes.iter().map(|c| (c.id, c.parent)).collect();
        let mut cycle: Option<Vec<Id>> = None;
        for c in codes.iter() {
            let mut seen = vec![c.id];
            let mut cur = parent.get(&c.id).copied().flatten();
            while let Some(p) = cur {
                if let Some(i) = seen.iter().position(|x| *x == p) {
                    cycle = Some(seen[i..].to_vec());
                    break;
                }
                seen.push(p);
                cur = parent.get(&p).copied().flatten();
            }
            if cycle.is_some() {
                break;
            }
        }
        let Some(cycle) = cycle else { return };
        let victim = *cycle.iter().min().expect("a cycle has members");
        let back = base
            .get(victim)
            .and_then(|c| c.parent)
            .filter(|p| !cycle.contains(p) && parent.contains_key(p));
        let c = codes
            .iter_mut()
            .find(|c| c.id == victim)
            .expect("in the list");
        r.note(format!(
            "code `{}`: moves on both sides made a cycle; moved back",
            c.name
        ));
        c.parent = back;
    }
}

// ----- studies/<key>.ron -----

pub fn merge_study(b: Option<&Study>, o: &Study, t: &Study, r: &mut Report) -> Study {
    let label = format!("study {}", o.key);
    let bc = b.map(|x| &x.citation);
    let (oc, tc) = (&o.citation, &t.citation);
    let citation = crate::model::Citation {
        authors: pick(
            &format!("{label} authors"),
            bc.map(|x| &x.authors),
            &oc.authors,
            &tc.authors,
            r,
        ),
        year: pick(
            &format!("{label} year"),
            bc.map(|x| &x.year),
            &oc.year,
            &tc.year,
            r,
        ),
        title: pick(
            &format!("{label} title"),
            bc.map(|x| &x.title),
            &oc.title,
            &tc.title,
            r,
        ),
        journal: pick(
            &format!("{label} journal"),
            bc.map(|x| &x.journal),
            &oc.journal,
            &tc.journal,
            r,
        ),
        doi: pick(
            &format!("{label} DOI"),
            bc.map(|x| &x.doi),
            &oc.doi,
            &tc.doi,
            r,
        ),
        volume: pick(
            &format!("{label} volume"),
            bc.map(|x| &x.volume),
            &oc.volume,
            &tc.volume,
            r,
        ),
        issue: pick(
            &format!("{label} issue"),
            bc.map(|x| &x.issue),
            &oc.issue,
            &tc.issue,
            r,
        ),
        pages: pick(
            &format!("{label} pages"),
            bc.map(|x| &x.pages),
            &oc.pages,
            &tc.pages,
            r,
        ),
    };
    let characteristics = merge_map(
        b.map(|x| &x.characteristics),
        &o.characteristics,
        &t.characteristics,
        &label,
        r,
    );
    let appraisal = match (b.map(|x| &x.appraisal), &o.appraisal, &t.appraisal) {
        (_, x, y) if x == y => x.clone(),
        (Some(b), x, y) if b == x => y.clone(),
        (Some(b), x, y) if b == y => x.clone(),
        (_, Some(x), None) | (_, None, Some(x)) => Some(x.clone()),
        (_, Some(x), Some(y)) => {
            // Both appraised differently: keep the one with more reasons written,
            // and the other's overall judgement beside it.
            let (keep, other) = if (x.items.len(), &x.overall) >= (y.items.len(), &y.overall) {
                (x, y)
            } else {
                (y, x)
            };
            r.note(format!("{label} appraisal: changed differently on both sides; kept one, the other's overall judgement added"));
            let mut keep = keep.clone();
            keep.overall = pick_text(
                "appraisal",
                None,
                &keep.overall,
                &other.overall,
                &mut Report::default(),
            );
            Some(keep)
        }
        (_, None, None) => None,
    };
    let sources = merge_by_id(
        b.map_or(&[][..], |x| &x.sources),
        &o.sources,
        &t.sources,
        |s: &Source| s.id,
        |s| format!("{label} source {}", s.name),
        |bb, oo, tt, r| {
            // A source is one unit (its file, hash and length belong together).
            let key = |s: &Source| (s.sha256.clone(), s.chars, s.name.clone(), s.file.clone());
            let k = pick(
                &format!("{label} source {}", oo.name),
                bb.map(key).as_ref(),
                &key(oo),
                &key(tt),
                r,
            );
            if k == key(oo) { oo.clone() } else { tt.clone() }
        },
        r,
    );
    // Sources keep ours' order, then theirs' additions (codings sort by it).
    let mut order: Vec<Id> = o.sources.iter().map(|s| s.id).collect();
    order.extend(
        t.sources
            .iter()
            .map(|s| s.id)
            .filter(|id| !o.sources.iter().any(|s| s.id == *id)),
    );
    let mut sources_sorted: Vec<Source> = order
        .iter()
        .filter_map(|id| sources.iter().find(|s| s.id == *id).cloned())
        .collect();
    sources_sorted.extend(sources.iter().filter(|s| !order.contains(&s.id)).cloned());
    let codings = merge_by_id(
        b.map_or(&[][..], |x| &x.codings),
        &o.codings,
        &t.codings,
        |c: &Coding| c.id,
        |c| format!("{label} coding {}", c.id),
        |bb, oo, tt, r| merge_coding(&label, bb, oo, tt, r),
        r,
    );
    let mut s = Study {
        format: o.format.max(t.format),
        id: o.id,
        key: pick(
            &format!("{label} key"),
            b.map(|x| &x.key),
            &o.key,
            &t.key,
            r,
        ),
        citation,
        characteristics,
        appraisal,
        memo: pick_text(
            &format!("{label} memo"),
            b.map(|x| &x.memo),
            &o.memo,
            &t.memo,
            r,
        ),
        sources: sources_sorted,
        codings,
    };
    s.sort_codings();
    s
}

fn merge_coding(label: &str, b: Option<&Coding>, o: &Coding, t: &Coding, r: &mut Report) -> Coding {
    // Most codings are untouched or changed on one side only: field by field the
    // picks below would give the same, at the cost of a label per field.
    if o == t || b == Some(t) {
        return o.clone();
    }
    if b == Some(o) {
        return t.clone();
    }
    let what = format!("{label} coding {}", o.id);
    // Changed differently on both sides: the later edit wins, then the greater
    // reviewer id (both are values, so swapping the sides changes nothing).
    let later = match (o.last_changed(), o.by).cmp(&(t.last_changed(), t.by)) {
        std::cmp::Ordering::Greater => Later::Ours,
        std::cmp::Ordering::Less => Later::Theirs,
        std::cmp::Ordering::Equal => Later::Unknown,
    };
    // The span and its quote move together.
    let span = |c: &Coding| (c.source, c.start, c.end, c.quote.clone(), c.flag.clone());
    let (source, start, end, quote, flag) = pick_by(
        &format!("{what} span"),
        b.map(span).as_ref(),
        &span(o),
        &span(t),
        later,
        r,
    );
    Coding {
        id: o.id,
        source,
        start,
        end,
        code: pick_by(
            &format!("{what} code"),
            b.map(|x| &x.code),
            &o.code,
            &t.code,
            later,
            r,
        ),
        by: pick_by(
            &format!("{what} reviewer"),
            b.map(|x| &x.by),
            &o.by,
            &t.by,
            later,
            r,
        ),
        at: pick_by(
            &format!("{what} time"),
            b.map(|x| &x.at),
            &o.at,
            &t.at,
            later,
            r,
        ),
        // The later edit's time, without a line of its own in the report.
        edited: match later {
            Later::Ours => o.edited.clone(),
            Later::Theirs => t.edited.clone(),
            Later::Unknown => o.edited.clone().max(t.edited.clone()),
        },
        construct: pick_by(
            &format!("{what} construct"),
            b.map(|x| &x.construct),
            &o.construct,
            &t.construct,
            later,
            r,
        ),
        quote,

        note: pick_text(
            &format!("{what} note"),
            b.map(|x| &x.note),
            &o.note,
            &t.note,
            r,
        ),
        flag,
    }
}

fn merge_map(
    b: Option<&BTreeMap<String, String>>,
    o: &BTreeMap<String, String>,
    t: &BTreeMap<String, String>,
    label: &str,
    r: &mut Report,
) -> BTreeMap<String, String> {
    let keys: BTreeSet<&String> = o
        .keys()
        .chain(t.keys())
        .chain(b.into_iter().flat_map(|m| m.keys()))
        .collect();
    let mut out = BTreeMap::new();
    for k in keys {
        let bv = b.and_then(|m| m.get(k));
        match (bv, o.get(k), t.get(k)) {
            (_, Some(x), Some(y)) => {
                out.insert(k.clone(), pick_text(&format!("{label} {k}"), bv, x, y, r));
            }
            (None, Some(x), None) | (None, None, Some(x)) => {
                out.insert(k.clone(), x.clone());
            }
            (Some(bv), Some(x), None) | (Some(bv), None, Some(x)) if x != bv => {
                out.insert(k.clone(), x.clone());
            }
            _ => {}
        }
    }
    out
}
