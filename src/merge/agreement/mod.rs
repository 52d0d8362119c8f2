//! Inter-rater agreement between two reviewers, per code and overall: percent
//! agreement, Cohen's kappa, and the units each reviewer coded.
//!
//! - The two reviewers are two reviewers of one project (a combined project: codings
//!   are told apart by `by`), or two projects (every coding of A against every coding
//!   of B; sources match by the hash of their text and codes by id, then path, as in
//!   `combine`).
//! - Only studies both reviewers coded count (a study one of them has not coded yet
//!   says nothing about agreement). Flagged codings (not placed in their text) are
//!   left out.
//! - A unit is a code point, a sentence or a paragraph. A unit is coded with code T by
//!   a reviewer if any of their codings with T or a code beneath T overlaps it.
//! - Per code, a 2×2 table over the units gives percent agreement and Cohen's kappa;
//!   the same table restricted to the units that at least one reviewer coded (with
//!   any code) gives `kappa (coded)`: text that neither reviewer coded agrees
//!   trivially and inflates kappa.
//! - Overall pools the codes either reviewer used: mean percent agreement, and the
//!   pooled kappa of de Vries et al. (2008), (mean po − mean pe) / (1 − mean pe).

mod stats;
mod units;

use std::collections::{HashMap, HashSet};

use serde::{Serialize, Serializer};

pub use stats::{Table2, kappa, mean_po_pe, pooled};
pub use units::{Unit, segment};

use super::combine::{match_codes, match_sources};
use crate::model::{Codebook, Id, Project, Source};
use crate::report::table::{Column, Table};
use crate::report::{Format, csv, markdown};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum AgreementError {
    /// The command line does not say what to compare.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

/// A coded span: code points (end exclusive) and the code, in the pairing's codebook.
pub type Span = (u32, u32, Id);

/// One text both reviewers coded, with each one's spans.
#[derive(Clone, Debug)]
pub struct Item {
    pub study: String,
    pub source: Source,
    pub spans: [Vec<Span>; 2],
}

/// Two reviewers' codings over the texts they both coded, in one codebook.
#[derive(Clone, Debug)]
pub struct Pairing {
    pub codebook: Codebook,
    pub reviewers: [String; 2],
    pub items: Vec<Item>,
    /// Studies coded by both.
    pub studies: usize,
    /// Studies (with a text in both) coded by only one of them: left out.
    pub one_only: usize,
}

impl Pairing {
    /// Reviewers `r` of one project; `names` head the columns.
    pub fn reviewers(p: &Project, r: [Id; 2], names: [String; 2]) -> Pairing {
        let mut out = Pairing {
            codebook: p.codebook.clone(),
            reviewers: names,
            items: Vec::new(),
            studies: 0,
            one_only: 0,
        };
        for st in &p.studies {
            let of = |who: Id, src: Id| -> Vec<Span> {
                st.codings
                    .iter()
                    .filter(|c| c.by == who && c.source == src && c.flag.is_none())
                    .map(|c| (c.start, c.end, c.code))
                    .collect()
            };
            let coded = |who: Id| st.codings.iter().any(|c| c.by == who && c.flag.is_none());
            match (coded(r[0]), coded(r[1])) {
                (true, true) => {
                    out.studies += 1;
                    for src in &st.sources {
                        out.items.push(Item {
                            study: st.key.clone(),
                            source: src.clone(),
                            spans: [of(r[0], src.id), of(r[1], src.id)],
                        });
                    }
                }
                (false, false) => {}
                _ => out.one_only += 1,
            }
        }
        out
    }

    /// Every coding of project `a` against every coding of project `b`, on the texts
    /// both hold. Rows follow `a`'s code tree, with `b`'s unmatched codes added.
    pub fn projects(a: &Project, b: &Project, names: [String; 2]) -> Pairing {
        let codes = match_codes(&a.codebook, &b.codebook);
        let matched = match_sources(a, b);
        let mut theirs: HashMap<(usize, usize), Vec<Span>> = HashMap::new();
        for (k, st) in b.studies.iter().enumerate() {
            for (l, src) in st.sources.iter().enumerate() {
                let Some(at) = matched[k][l] else { continue };
                let spans = theirs.entry(at).or_default();
                spans.extend(
                    st.codings
                        .iter()
                        .filter(|c| c.source == src.id && c.flag.is_none())
                        .map(|c| {
                            (
                                c.start,
                                c.end,
                                codes.map.get(&c.code).copied().unwrap_or(c.code),
                            )
                        }),
                );
            }
        }
        let mut out = Pairing {
            codebook: codes.codebook,
            reviewers: names,
            items: Vec::new(),
            studies: 0,
            one_only: 0,
        };
        for (i, st) in a.studies.iter().enumerate() {
            let shared: Vec<usize> = (0..st.sources.len())
                .filter(|j| theirs.contains_key(&(i, *j)))
                .collect();
            if shared.is_empty() {
                continue;
            }
            let mine = |j: usize| -> Vec<Span> {
                st.codings
                    .iter()
                    .filter(|c| c.source == st.sources[j].id && c.flag.is_none())
                    .map(|c| (c.start, c.end, c.code))
                    .collect()
            };
            let n_mine: usize = shared.iter().map(|&j| mine(j).len()).sum();
            let n_theirs: usize = shared.iter().map(|&j| theirs[&(i, j)].len()).sum();
            match (n_mine > 0, n_theirs > 0) {
                (true, true) => {
                    out.studies += 1;
                    for &j in &shared {
                        out.items.push(Item {
                            study: st.key.clone(),
                            source: st.sources[j].clone(),
                            spans: [mine(j), theirs[&(i, j)].clone()],
                        });
                    }
                }
                (false, false) => {}
                _ => out.one_only += 1,
            }
        }
        out
    }
}

/// The two reviewers of `p` to compare: `given` names them (ids or names, comma
/// separated); without it, the two reviewers with codings, if there are exactly two.
pub fn pick_reviewers(
    p: &Project,
    given: Option<&str>,
) -> Result<[(Id, String); 2], AgreementError> {
    let mut known: Vec<(Id, String)> = Vec::new();
    for r in std::iter::once(&p.meta.reviewer).chain(&p.meta.collaborators) {
        if !known.iter().any(|k| k.0 == r.id) {
            known.push((r.id, r.name.clone()));
        }
    }
    let mut coded: Vec<Id> = p.codings().map(|(_, c)| c.by).collect();
    coded.sort();
    coded.dedup();
    for id in &coded {
        if !known.iter().any(|k| k.0 == *id) {
            known.push((*id, id.to_string()));
        }
    }
    let listing = |ids: &mut dyn Iterator<Item = &(Id, String)>| -> String {
        ids.map(|(id, name)| format!("{name} ({id})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let picked: Vec<(Id, String)> = match given {
        None => {
            let with: Vec<(Id, String)> = known
                .iter()
                .filter(|k| coded.binary_search(&k.0).is_ok())
                .cloned()
                .collect();
            if with.len() != 2 {
                return Err(AgreementError::Usage(format!(
                    "name two reviewers with --reviewers ID1,ID2 (or names), or give a second project; codings here are by {}",
                    if with.is_empty() {
                        "nobody yet".to_string()
                    } else {
                        listing(&mut with.iter())
                    }
                )));
            }
            with
        }
        Some(list) => {
            let parts: Vec<&str> = list.split(',').map(str::trim).collect();
            if parts.len() != 2 || parts.iter().any(|s| s.is_empty()) {
                return Err(AgreementError::Usage(
                    "--reviewers takes two reviewers, as ID1,ID2 or NAME1,NAME2".into(),
                ));
            }
            let mut v = Vec::new();
            for part in parts {
                v.push(find_reviewer(&known, part).map_err(|m| {
                    AgreementError::Failed(format!(
                        "{m}; this project's reviewers are {}",
                        listing(&mut known.iter())
                    ))
                })?);
            }
            v
        }
    };
    if picked[0].0 == picked[1].0 {
        return Err(AgreementError::Usage(
            "--reviewers must name two different reviewers".into(),
        ));
    }
    let mut names = [picked[0].1.clone(), picked[1].1.clone()];
    if names[0] == names[1] {
        for (n, (id, _)) in names.iter_mut().zip(&picked) {
            n.push_str(&format!(" ({})", &id.to_string()[..8]));
        }
    }
    Ok([
        (picked[0].0, names[0].clone()),
        (picked[1].0, names[1].clone()),
    ])
}

fn find_reviewer(known: &[(Id, String)], s: &str) -> Result<(Id, String), String> {
    if let Ok(id) = s.parse::<Id>() {
        return known
            .iter()
            .find(|k| k.0 == id)
            .cloned()
            .ok_or_else(|| format!("no reviewer with id {id}"));
    }
    let exact: Vec<&(Id, String)> = known.iter().filter(|k| k.1 == s).collect();
    let found = if exact.is_empty() {
        known
            .iter()
            .filter(|k| k.1.to_lowercase() == s.to_lowercase())
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!("no reviewer named `{s}`")),
        _ => Err(format!(
            "more than one reviewer is named `{s}`: give the id"
        )),
    }
}

/// One code's line of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// Its path, `Theme/Code`.
    pub code: String,
    pub id: Id,
    /// Units each reviewer coded with it (or beneath it).
    pub coded: [u64; 2],
    /// Over all units of the studies coded by both.
    pub table: Table2,
    /// Over the units at least one reviewer coded with any code.
    pub table_coded: Table2,
    /// Percent agreement over all units.
    #[serde(serialize_with = "round2")]
    pub agreement: Option<f64>,
    #[serde(serialize_with = "round4")]
    pub kappa: Option<f64>,
    #[serde(serialize_with = "round4")]
    pub kappa_coded: Option<f64>,
}

/// All codes either reviewer used, pooled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overall {
    /// How many codes are pooled.
    pub codes: usize,
    /// Unit × code decisions "coded" by each reviewer, summed over the pooled codes.
    pub coded: [u64; 2],
    pub both: u64,
    /// Mean percent agreement of the pooled codes.
    #[serde(serialize_with = "round2")]
    pub agreement: Option<f64>,
    #[serde(serialize_with = "round4")]
    pub kappa: Option<f64>,
    #[serde(serialize_with = "round4")]
    pub kappa_coded: Option<f64>,
}

/// The agreement report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Agreement {
    pub unit: &'static str,
    pub reviewers: [String; 2],
    /// Studies coded by both, and by only one (left out).
    pub studies: usize,
    pub studies_coded_by_one: usize,
    /// Units in the studies coded by both.
    pub units: u64,
    /// Of those, the units at least one reviewer coded (with any code).
    pub units_coded: u64,
    pub codes: Vec<Row>,
    pub overall: Overall,
}

fn round_to<S: Serializer>(v: &Option<f64>, s: S, scale: f64) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_f64((x * scale).round() / scale),
        None => s.serialize_none(),
    }
}

fn round2<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    round_to(v, s, 100.0)
}

fn round4<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    round_to(v, s, 10_000.0)
}

/// Per text: its units, and per row the tables over all units and over coded units.
struct Counted {
    units: u64,
    coded: u64,
    rows: Vec<(Table2, Table2)>,
}

/// Compute the agreement of `pairing` in `unit`s, for `code` and the codes beneath it
/// (or every code). Texts are read from `store` only for sentences and paragraphs.
pub fn compute(
    pairing: &Pairing,
    store: &Store,
    unit: Unit,
    code: Option<Id>,
) -> Result<Agreement, AgreementError> {
    let cb = &pairing.codebook;
    let rows: Vec<Id> = match code {
        Some(t) => {
            let within: HashSet<Id> = cb.subtree(t).into_iter().collect();
            cb.codes
                .iter()
                .map(|c| c.id)
                .filter(|id| within.contains(id))
                .collect()
        }
        None => cb.codes.iter().map(|c| c.id).collect(),
    };
    let row_of: HashMap<Id, usize> = rows.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    // Each code counts for itself and every ancestor that is a row.
    let parents = cb.parent_map();
    let rows_of: HashMap<Id, Vec<usize>> = cb
        .codes
        .iter()
        .map(|c| {
            let mut v = Vec::new();
            let mut cur = Some(c.id);
            let mut steps = 0;
            while let Some(id) = cur {
                if let Some(&r) = row_of.get(&id) {
                    v.push(r);
                }
                steps += 1;
                if steps > cb.codes.len() {
                    break;
                }
                cur = parents.get(&id).copied().flatten();
            }
            (c.id, v)
        })
        .collect();

    let counted = crate::par::map(&pairing.items, |item| {
        count_item(item, store, unit, &rows_of, rows.len())
    });
    let mut units = 0;
    let mut coded = 0;
    let mut tables = vec![(Table2::default(), Table2::default()); rows.len()];
    for c in counted {
        let c = c?;
        units += c.units;
        coded += c.coded;
        for (t, x) in tables.iter_mut().zip(&c.rows) {
            t.0.add(&x.0);
            t.1.add(&x.1);
        }
    }
    let codes: Vec<Row> = rows
        .iter()
        .zip(&tables)
        .map(|(id, (t, tc))| Row {
            code: cb.path(*id),
            id: *id,
            coded: [t.first(), t.second()],
            table: *t,
            table_coded: *tc,
            agreement: t.po().map(|p| p * 100.0),
            kappa: t.kappa(),
            kappa_coded: tc.kappa(),
        })
        .collect();
    let used: Vec<&(Table2, Table2)> = tables
        .iter()
        .filter(|(t, _)| t.first() + t.second() > 0)
        .collect();
    let all: Vec<Table2> = used.iter().map(|x| x.0).collect();
    let only_coded: Vec<Table2> = used.iter().map(|x| x.1).collect();
    let overall = Overall {
        codes: used.len(),
        coded: [
            all.iter().map(Table2::first).sum(),
            all.iter().map(Table2::second).sum(),
        ],
        both: all.iter().map(|t| t.both).sum(),
        agreement: mean_po_pe(&all).map(|(po, _)| po * 100.0),
        kappa: pooled(&all),
        kappa_coded: pooled(&only_coded),
    };
    Ok(Agreement {
        unit: unit.label(),
        reviewers: pairing.reviewers.clone(),
        studies: pairing.studies,
        studies_coded_by_one: pairing.one_only,
        units,
        units_coded: coded,
        codes,
        overall,
    })
}

fn count_item(
    item: &Item,
    store: &Store,
    unit: Unit,
    rows_of: &HashMap<Id, Vec<usize>>,
    nrows: usize,
) -> Result<Counted, AgreementError> {
    let segs = match unit {
        Unit::Char => None,
        _ => {
            let text = store
                .read_text(&item.source)
                .map_err(|e| AgreementError::Failed(e.to_string()))?;
            if text.sha256() != item.source.sha256 {
                return Err(AgreementError::Failed(format!(
                    "studies/{}: the text changed since it was coded; open the project (or run `thematic check`) to re-anchor its codings first",
                    item.source.file
                )));
            }
            Some(segment(text.as_str(), unit))
        }
    };
    let n = match &segs {
        None => item.source.chars,
        Some(s) => s.len() as u32,
    };
    let mut per_row: [Vec<Vec<(u32, u32)>>; 2] = [vec![Vec::new(); nrows], vec![Vec::new(); nrows]];
    let mut any: Vec<(u32, u32)> = Vec::new();
    for (r, spans) in item.spans.iter().enumerate() {
        for &(s, e, code) in spans {
            let (a, b) = match &segs {
                None => (s.min(n), e.min(n)),
                Some(u) => units::overlapped(u, s, e),
            };
            if a >= b {
                continue;
            }
            any.push((a, b));
            for &row in rows_of.get(&code).map_or(&[][..], Vec::as_slice) {
                per_row[r][row].push((a, b));
            }
        }
    }
    units::merge(&mut any);
    let coded = units::len(&any);
    let [mut first, mut second] = per_row;
    let rows = first
        .iter_mut()
        .zip(second.iter_mut())
        .map(|(x, y)| {
            units::merge(x);
            units::merge(y);
            let (l1, l2, ab) = (units::len(x), units::len(y), units::both(x, y));
            let either = l1 + l2 - ab;
            let t = Table2 {
                both: ab,
                first_only: l1 - ab,
                second_only: l2 - ab,
                neither: n as u64 - either,
            };
            let tc = Table2 {
                neither: coded - either,
                ..t
            };
            (t, tc)
        })
        .collect();
    Ok(Counted {
        units: n as u64,
        coded,
        rows,
    })
}

fn fixed(v: Option<f64>, decimals: usize, missing: &str) -> String {
    v.map_or_else(|| missing.to_string(), |x| format!("{x:.decimals$}"))
}

impl Agreement {
    /// The report as rows and columns for the table, CSV and Markdown formats.
    pub fn table(&self, format: Format) -> Table {
        let csv = format == Format::Csv;
        let missing = if csv { "" } else { "n/a" };
        let pct = if csv { 2 } else { 1 };
        let mut t = Table::new(vec![
            Column::path("code"),
            Column::number(&self.reviewers[0]),
            Column::number(&self.reviewers[1]),
            Column::number("both"),
            Column::number("agree %"),
            Column::number("kappa"),
            Column::number("kappa (coded)"),
        ]);
        for r in &self.codes {
            t.rows.push(vec![
                r.code.clone(),
                r.coded[0].to_string(),
                r.coded[1].to_string(),
                r.table.both.to_string(),
                fixed(r.agreement, pct, missing),
                fixed(r.kappa, 3, missing),
                fixed(r.kappa_coded, 3, missing),
            ]);
        }
        let o = &self.overall;
        t.footer.push(vec![
            format!("overall (pooled, {} codes)", o.codes),
            o.coded[0].to_string(),
            o.coded[1].to_string(),
            o.both.to_string(),
            fixed(o.agreement, pct, missing),
            fixed(o.kappa, 3, missing),
            fixed(o.kappa_coded, 3, missing),
        ]);
        let unit = Unit::parse(self.unit).unwrap_or(Unit::Char).plural();
        t.notes.push(format!(
            "{} {unit} in {} studies coded by both{}; {} of them coded by at least one reviewer.",
            self.units,
            self.studies,
            match self.studies_coded_by_one {
                0 => String::new(),
                n => format!(" ({n} coded by only one reviewer left out)"),
            },
            self.units_coded
        ));
        t.notes.push(format!(
            "Per code: {unit} each reviewer coded with the code or a code beneath it. kappa: Cohen's kappa over all {unit}; kappa (coded): over the {unit} at least one reviewer coded with any code (text neither coded agrees trivially and inflates kappa). n/a: undefined (chance agreement is 1, e.g. a code neither reviewer used)."
        ));
        t.notes.push(
            "Overall: the codes either reviewer used, pooled — mean agreement, and kappa = (mean po − mean pe) / (1 − mean pe) (de Vries et al. 2008); the counts sum unit × code decisions."
                .to_string(),
        );
        t
    }

    /// The report in `format` (not HTML); `width` is the terminal width for `Table`.
    pub fn render(&self, format: Format, width: usize) -> String {
        match format {
            Format::Json => {
                let mut s = serde_json::to_string_pretty(self).expect("JSON values serialize");
                s.push('\n');
                s
            }
            Format::Csv => csv(&self.table(format)),
            Format::Md => markdown(&self.table(format)),
            _ => crate::report::table::render(&self.table(format), width),
        }
    }
}
