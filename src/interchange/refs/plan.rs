//! What importing references does to a project: each reference is matched to a
//! study (by DOI, then by normalised title) whose empty citation fields it fills,
//! or becomes a new study keyed `firstauthor-year`. Pure: the result is one
//! [`Edit::Batch`] and a report, and the caller applies and saves it.

use std::collections::{BTreeMap, HashMap};

use super::Reference;
use super::names::{collapse, family, normalize_title};
use crate::model::{Citation, Edit, Id, Project, Study};
use crate::text::slug;

/// How a reference found its study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matched {
    Doi,
    Title,
}

impl Matched {
    pub fn label(self) -> &'static str {
        match self {
            Matched::Doi => "DOI",
            Matched::Title => "title",
        }
    }
}

/// What became of one reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A new study.
    Added {
        key: String,
    },
    /// An existing study whose empty fields were filled (named).
    Enriched {
        key: String,
        by: Matched,
        filled: Vec<&'static str>,
    },
    /// An existing study that already had all it says.
    Unchanged {
        key: String,
        by: Matched,
    },
    /// The same paper as a reference earlier in the file.
    Duplicate {
        key: String,
        by: Matched,
        filled: Vec<&'static str>,
    },
    Skipped {
        reason: String,
    },
}

/// A field where the study and the reference disagree; the study's value is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub field: &'static str,
    pub ours: String,
    pub theirs: String,
}

/// One reference's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Where the reference starts in its file.
    pub line: usize,
    pub action: Action,
    pub differences: Vec<Difference>,
    pub notes: Vec<String>,
}

/// The result of planning an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// `None` when nothing changes.
    pub edit: Option<Edit>,
}

impl Report {
    /// How many references were added, enriched, unchanged (duplicates included)
    /// and skipped.
    pub fn counts(&self) -> [usize; 4] {
        let mut n = [0; 4];
        for o in &self.outcomes {
            let i = match o.action {
                Action::Added { .. } => 0,
                Action::Enriched { .. } => 1,
                Action::Unchanged { .. } | Action::Duplicate { .. } => 2,
                Action::Skipped { .. } => 3,
            };
            n[i] += 1;
        }
        n
    }
}

/// A study the references can match: one of the project's, or one this import adds.
struct Target {
    existing: Option<Id>,
    key: Option<String>,
    citation: Citation,
}

/// Where an outcome's key comes from before new keys are given out.
enum Pending {
    Added(usize),
    Enriched(usize, Matched, Vec<&'static str>),
    Unchanged(usize, Matched),
    Duplicate(usize, Matched, Vec<&'static str>),
    Skipped(String),
}

pub fn plan(project: &Project, refs: Vec<Reference>) -> Report {
    let mut targets: Vec<Target> = project
        .studies
        .iter()
        .map(|s| Target {
            existing: Some(s.id),
            key: Some(s.key.clone()),
            citation: s.citation.clone(),
        })
        .collect();
    let mut by_doi: HashMap<String, usize> = HashMap::new();
    let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        index(&t.citation, i, &mut by_doi, &mut by_title);
    }
    let mut pending = Vec::with_capacity(refs.len());
    for r in refs {
        let c = r.citation;
        let mut differences = Vec::new();
        let title = normalize_title(&c.title);
        let found = match c.doi.as_ref().and_then(|d| by_doi.get(d)) {
            Some(&i) => Ok(Some((i, Matched::Doi))),
            None if title.is_empty() => Ok(None),
            None => {
                // A study with another DOI is another paper, whatever its title.
                let same: Vec<usize> = by_title
                    .get(&title)
                    .map(|v| {
                        v.iter()
                            .copied()
                            .filter(|&i| match (&targets[i].citation.doi, &c.doi) {
                                (Some(a), Some(b)) => a == b,
                                _ => true,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                match same.as_slice() {
                    [] => Ok(None),
                    [i] => Ok(Some((*i, Matched::Title))),
                    several => Err(several.to_vec()),
                }
            }
        };
        let action = match found {
            _ if c.title.is_empty() && c.doi.is_none() && c.authors.is_empty() => {
                Pending::Skipped("it has no title, authors or DOI".into())
            }
            Err(several) => {
                let keys: Vec<String> = several
                    .iter()
                    .filter_map(|&i| targets[i].key.clone())
                    .collect();
                Pending::Skipped(format!(
                    "its title matches several studies ({}); add its DOI to the one it is",
                    keys.join(", ")
                ))
            }
            Ok(None) if c.title.is_empty() && c.doi.is_none() => {
                Pending::Skipped("it has no title or DOI to know it by".into())
            }
            Ok(None) => {
                let i = targets.len();
                index(&c, i, &mut by_doi, &mut by_title);
                targets.push(Target {
                    existing: None,
                    key: None,
                    citation: c,
                });
                Pending::Added(i)
            }
            Ok(Some((i, by))) => {
                let filled = fill(&mut targets[i].citation, &c, &mut differences);
                index(&targets[i].citation, i, &mut by_doi, &mut by_title);
                match (targets[i].existing, filled.is_empty()) {
                    (None, _) => Pending::Duplicate(i, by, filled),
                    (Some(_), true) => Pending::Unchanged(i, by),
                    (Some(_), false) => Pending::Enriched(i, by, filled),
                }
            }
        };
        pending.push((r.line, action, differences, r.notes));
    }
    assign_keys(project, &mut targets);
    let key = |i: usize| targets[i].key.clone().expect("every study has a key now");
    let outcomes = pending
        .into_iter()
        .map(|(line, p, differences, notes)| Outcome {
            line,
            action: match p {
                Pending::Added(i) => Action::Added { key: key(i) },
                Pending::Enriched(i, by, filled) => Action::Enriched {
                    key: key(i),
                    by,
                    filled,
                },
                Pending::Unchanged(i, by) => Action::Unchanged { key: key(i), by },
                Pending::Duplicate(i, by, filled) => Action::Duplicate {
                    key: key(i),
                    by,
                    filled,
                },
                Pending::Skipped(reason) => Action::Skipped { reason },
            },
            differences,
            notes,
        })
        .collect();
    let mut edits = Vec::new();
    for t in targets {
        match t.existing {
            None => {
                let mut s = Study::new(&t.key.expect("assigned"));
                s.citation = t.citation;
                edits.push(Edit::AddStudy(Box::new(s)));
            }
            Some(id) => {
                let study = project.study(id).expect("a study of this project");
                if study.citation != t.citation {
                    let mut info = study.info();
                    info.citation = t.citation;
                    edits.push(Edit::SetStudyInfo {
                        study: id,
                        info: Box::new(info),
                    });
                }
            }
        }
    }
    Report {
        outcomes,
        edit: (!edits.is_empty()).then_some(Edit::Batch(edits)),
    }
}

fn index(
    c: &Citation,
    i: usize,
    by_doi: &mut HashMap<String, usize>,
    by_title: &mut HashMap<String, Vec<usize>>,
) {
    if let Some(d) = &c.doi {
        by_doi.entry(d.clone()).or_insert(i);
    }
    let t = normalize_title(&c.title);
    if !t.is_empty() {
        let v = by_title.entry(t).or_default();
        if !v.contains(&i) {
            v.push(i);
        }
    }
}

/// Fill the empty fields of `ours` from `theirs`; where both have a value and they
/// differ, keep ours and record the difference. Returns the names of the fields filled.
fn fill(ours: &mut Citation, theirs: &Citation, diffs: &mut Vec<Difference>) -> Vec<&'static str> {
    let mut filled = Vec::new();
    let mut text =
        |field: &'static str, o: &mut String, t: &String, same: fn(&str, &str) -> bool| {
            if t.is_empty() {
            } else if o.is_empty() {
                *o = t.clone();
                filled.push(field);
            } else if !same(o, t) {
                diffs.push(Difference {
                    field,
                    ours: o.clone(),
                    theirs: t.clone(),
                });
            }
        };
    // Titles and journals that differ only in case or punctuation are the same.
    let loose = |a: &str, b: &str| normalize_title(a) == normalize_title(b);
    let exact = |a: &str, b: &str| collapse(a) == collapse(b);
    text("title", &mut ours.title, &theirs.title, loose);
    text("journal", &mut ours.journal, &theirs.journal, loose);
    text("volume", &mut ours.volume, &theirs.volume, exact);
    text("issue", &mut ours.issue, &theirs.issue, exact);
    text("pages", &mut ours.pages, &theirs.pages, |a, b| {
        super::names::pages(a) == super::names::pages(b)
    });
    if !theirs.authors.is_empty() {
        if ours.authors.is_empty() {
            ours.authors = theirs.authors.clone();
            filled.push("authors");
        } else if !same_authors(&ours.authors, &theirs.authors) {
            diffs.push(Difference {
                field: "authors",
                ours: ours.authors.join("; "),
                theirs: theirs.authors.join("; "),
            });
        }
    }
    match (ours.year, theirs.year) {
        (None, Some(y)) => {
            ours.year = Some(y);
            filled.push("year");
        }
        (Some(a), Some(b)) if a != b => diffs.push(Difference {
            field: "year",
            ours: a.to_string(),
            theirs: b.to_string(),
        }),
        _ => {}
    }
    match (&ours.doi, &theirs.doi) {
        (None, Some(d)) => {
            ours.doi = Some(d.clone());
            filled.push("DOI");
        }
        (Some(a), Some(b)) if a != b => diffs.push(Difference {
            field: "DOI",
            ours: a.clone(),
            theirs: b.clone(),
        }),
        _ => {}
    }
    filled
}

/// The same people, in the same order, where `Okafor, N.` and `Okafor, Ngozi`
/// are the same person (initials that agree with the given names).
fn same_authors(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_person(x, y))
}

fn same_person(a: &str, b: &str) -> bool {
    let split = |s: &str| {
        let (family, given) = s.split_once(',').unwrap_or((s, ""));
        (normalize_title(family), normalize_title(given))
    };
    let ((fa, ga), (fb, gb)) = (split(a), split(b));
    if fa != fb {
        return false;
    }
    let initials = |g: &str| {
        g.split(' ')
            .filter_map(|w| w.chars().next())
            .collect::<String>()
    };
    let (ia, ib) = (initials(&ga), initials(&gb));
    ia.starts_with(&ib) || ib.starts_with(&ia)
}

/// `okafor-2019`, `okafor-nd`: the first author's family name, ASCII-folded, and
/// the year.
fn base_key(c: &Citation) -> String {
    let who = c
        .authors
        .first()
        .map(|a| slug(family(a)))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "anon".to_string());
    match c.year {
        Some(y) => format!("{who}-{y}"),
        None => format!("{who}-nd"),
    }
}

/// `a`, `b`, … `z`, `aa`, `ab`, …
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

/// The position of a suffix in the sequence `a`, `b`, … (`None` if it is not one).
fn letter_index(s: &str) -> Option<usize> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut n = 0usize;
    for b in s.bytes() {
        n = n.checked_mul(26)?.checked_add((b - b'a') as usize + 1)?;
    }
    Some(n - 1)
}

/// Give each new study its key. A lone `okafor-2019` keeps the plain key; several
/// new ones become `okafor-2019a`, `okafor-2019b`…; when the project has
/// `okafor-2019` already, it stays, counts as `a`, and new ones go on from `b`.
fn assign_keys(project: &Project, targets: &mut [Target]) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, t) in targets.iter().enumerate() {
        if t.key.is_none() {
            groups.entry(base_key(&t.citation)).or_default().push(i);
        }
    }
    for (base, members) in groups {
        let used: Vec<usize> = project
            .studies
            .iter()
            .filter_map(|s| {
                let rest = s.key.strip_prefix(&base)?;
                if rest.is_empty() {
                    Some(0)
                } else {
                    letter_index(rest)
                }
            })
            .collect();
        if used.is_empty() && members.len() == 1 {
            targets[members[0]].key = Some(base);
            continue;
        }
        let mut next = used.iter().max().map_or(0, |m| m + 1);
        for i in members {
            let key = loop {
                let k = format!("{base}{}", letters(next));
                next += 1;
                if project.study_by_key(&k).is_none() {
                    break k;
                }
            };
            targets[i].key = Some(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_letters() {
        assert_eq!(letters(0), "a");
        assert_eq!(letters(25), "z");
        assert_eq!(letters(26), "aa");
        assert_eq!(letters(27), "ab");
        for n in [0, 1, 25, 26, 27, 51, 52, 700, 701, 702] {
            assert_eq!(letter_index(&letters(n)), Some(n), "{n}");
        }
        assert_eq!(letter_index("-2"), None);
        assert_eq!(letter_index(""), None);
    }

    fn cite(author: &str, year: Option<i32>, title: &str) -> Reference {
        Reference {
            line: 1,
            citation: Citation {
                authors: vec![author.to_string()],
                year,
                title: title.to_string(),
                ..Citation::default()
            },
            notes: Vec::new(),
        }
    }

    fn keys(r: &Report) -> Vec<String> {
        r.outcomes
            .iter()
            .map(|o| match &o.action {
                Action::Added { key } => key.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn initials_and_full_names_are_the_same_person() {
        assert!(same_person("Okafor, N.", "Okafor, Ngozi"));
        assert!(same_person("Ødegård, K", "Odegard, Kari"));
        assert!(same_person("Okafor, N. A.", "Okafor, Ngozi"));
        assert!(!same_person("Okafor, L.", "Okafor, Ngozi"));
        assert!(!same_person("Okoro, N.", "Okafor, N."));
    }

    #[test]
    fn keys_with_suffixes() {
        let mut p = Project::new("t", "r");
        let r = plan(
            &p,
            vec![
                cite("Okafor, N.", Some(2019), "One"),
                cite("Okafor, N.", Some(2019), "Two"),
                cite("Ødegård, K.", None, "Three"),
                cite("Reyes, L.", Some(2020), "Four"),
            ],
        );
        assert_eq!(
            keys(&r),
            ["okafor-2019a", "okafor-2019b", "odegard-nd", "reyes-2020"]
        );
        r.edit.unwrap().apply(&mut p).unwrap();
        // A later paper by the same author and year goes on after the existing ones;
        // an existing plain key counts as `a`.
        let r = plan(&p, vec![cite("Okafor, Ngozi", Some(2019), "Five")]);
        assert_eq!(keys(&r), ["okafor-2019c"]);
        let r = plan(&p, vec![cite("Reyes, L.", Some(2020), "Six")]);
        assert_eq!(keys(&r), ["reyes-2020b"]);
    }
}
