//! How much of each study has been coded: words, codings, codes used, and the share
//! of its text covered, overall and per construct type.

use std::cell::RefCell;
use std::collections::HashSet;

use serde::Serialize;

use crate::model::{Construct, Project, Study};
use crate::store::StoreError;

use super::StudyTally;
use super::table::{Column, Table};
use super::texts::{Texts, parallel};
use super::words::count_words;

/// Percentages of text covered by the codings of each construct type.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ByConstruct {
    #[serde(serialize_with = "round2")]
    pub participant: f64,
    #[serde(serialize_with = "round2")]
    pub author: f64,
    #[serde(serialize_with = "round2")]
    pub reviewer: f64,
    #[serde(serialize_with = "round2")]
    pub unspecified: f64,
}

impl ByConstruct {
    pub fn get(&self, k: Construct) -> f64 {
        match k {
            Construct::Participant => self.participant,
            Construct::Author => self.author,
            Construct::Reviewer => self.reviewer,
            Construct::Unspecified => self.unspecified,
        }
    }

    fn of(study: &Study) -> Self {
        let pct = |k: Construct| StudyTally::filtered(study, |c| c.construct == k).percent();
        ByConstruct {
            participant: pct(Construct::Participant),
            author: pct(Construct::Author),
            reviewer: pct(Construct::Reviewer),
            unspecified: pct(Construct::Unspecified),
        }
    }
}

/// One study's line of the coverage report (or the total line).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoverageRow {
    pub key: String,
    pub title: String,
    /// Unicode words (UAX #29) of its texts.
    pub words: u64,
    /// Code points of its sources.
    pub characters: u64,
    pub codings: u64,
    /// Distinct codes its codings use.
    pub codes: u64,
    /// Code points covered by at least one coding.
    pub covered: u64,
    /// `covered / characters × 100`.
    #[serde(serialize_with = "round2")]
    pub coded: f64,
    pub by_construct: ByConstruct,
}

/// Coverage of every study, in study order, and of the review as a whole.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    pub studies: Vec<CoverageRow>,
    /// Sums over studies; `codes` counts distinct codes across the review, and the
    /// percentages pool all texts.
    pub total: CoverageRow,
}

impl Coverage {
    /// Read every text (in parallel) to count words; everything else comes from
    /// the codings and the recorded source lengths.
    pub fn compute(p: &Project, texts: &dyn Texts) -> Result<Coverage, StoreError> {
        let studies: Vec<&Study> = p.studies.iter().collect();
        let words = parallel(&studies, |s| {
            // One buffer per thread: texts are large and allocating each anew costs
            // a page fault per 4 kB.
            thread_local!(static BUF: RefCell<String> = const { RefCell::new(String::new()) });
            BUF.with_borrow_mut(|buf| {
                let mut n = 0;
                for src in &s.sources {
                    texts.read_into(src, buf)?;
                    n += count_words(buf);
                }
                Ok(n)
            })
        })?;
        Ok(Self::with_words(p, &words))
    }

    /// The report with word counts already known (one per study, in study order).
    pub fn with_words(p: &Project, words: &[u64]) -> Coverage {
        let mut rows = Vec::with_capacity(p.studies.len());
        let mut all_codes = HashSet::new();
        let mut construct_covered = [0u64; 4];
        for (s, &w) in p.studies.iter().zip(words) {
            let t = StudyTally::of(s);
            all_codes.extend(t.by_code.keys().copied());
            let by_construct = ByConstruct::of(s);
            for (i, k) in Construct::ALL.into_iter().enumerate() {
                construct_covered[i] += StudyTally::filtered(s, |c| c.construct == k).covered;
            }
            rows.push(CoverageRow {
                key: s.key.clone(),
                title: s.citation.title.clone(),
                words: w,
                characters: t.chars,
                codings: t.codings as u64,
                codes: t.by_code.len() as u64,
                covered: t.covered,
                coded: t.percent(),
                by_construct,
            });
        }
        let characters: u64 = rows.iter().map(|r| r.characters).sum();
        let covered: u64 = rows.iter().map(|r| r.covered).sum();
        let pct = |n: u64| {
            if characters == 0 {
                0.0
            } else {
                n as f64 * 100.0 / characters as f64
            }
        };
        let total = CoverageRow {
            key: "total".into(),
            title: format!("{} studies", rows.len()),
            words: rows.iter().map(|r| r.words).sum(),
            characters,
            codings: rows.iter().map(|r| r.codings).sum(),
            codes: all_codes.len() as u64,
            covered,
            coded: pct(covered),
            by_construct: ByConstruct {
                participant: pct(construct_covered[0]),
                author: pct(construct_covered[1]),
                reviewer: pct(construct_covered[2]),
                unspecified: pct(construct_covered[3]),
            },
        };
        Coverage {
            studies: rows,
            total,
        }
    }

    /// As rows and columns; percentages with `decimals` places.
    pub fn table(&self, decimals: usize) -> Table {
        let mut t = Table::new(vec![
            Column::text("key"),
            Column::flex("title"),
            Column::number("words"),
            short(Column::number("characters"), "chars"),
            Column::number("codings"),
            Column::number("codes"),
            Column::number("% coded"),
            short(Column::number("% participant"), "%part"),
            short(Column::number("% author"), "%auth"),
            short(Column::number("% reviewer"), "%rev"),
            short(Column::number("% unspecified"), "%unsp"),
        ]);
        let row = |r: &CoverageRow| {
            let mut v = vec![
                r.key.clone(),
                r.title.clone(),
                r.words.to_string(),
                r.characters.to_string(),
                r.codings.to_string(),
                r.codes.to_string(),
                format!("{:.*}", decimals, r.coded),
            ];
            v.extend(
                Construct::ALL
                    .iter()
                    .map(|&k| format!("{:.*}", decimals, r.by_construct.get(k))),
            );
            v
        };
        t.rows = self.studies.iter().map(row).collect();
        t.footer.push(row(&self.total));
        t
    }
}

fn short(mut c: Column, s: &str) -> Column {
    c.short = Some(s.into());
    c
}

/// Percentages in JSON: two decimals are plenty and keep the output stable.
pub(super) fn round2<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((v * 100.0).round() / 100.0)
}
