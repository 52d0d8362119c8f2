//! The table of included studies: citation and characteristics, one row each.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::Project;

use super::table::{Column, Table};

/// One study's citation and characteristics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CharacteristicsRow {
    pub key: String,
    /// `"Family, Given"` each.
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub title: String,
    pub journal: String,
    pub doi: Option<String>,
    pub characteristics: BTreeMap<String, String>,
}

/// Every study, with the union of characteristic keys (sorted) as columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CharacteristicsReport {
    /// Every characteristic key any study has, sorted.
    pub keys: Vec<String>,
    pub studies: Vec<CharacteristicsRow>,
}

impl CharacteristicsReport {
    pub fn compute(p: &Project) -> CharacteristicsReport {
        let keys: BTreeSet<&String> = p
            .studies
            .iter()
            .flat_map(|s| s.characteristics.keys())
            .collect();
        CharacteristicsReport {
            keys: keys.into_iter().cloned().collect(),
            studies: p
                .studies
                .iter()
                .map(|s| CharacteristicsRow {
                    key: s.key.clone(),
                    authors: s.citation.authors.clone(),
                    year: s.citation.year,
                    title: s.citation.title.clone(),
                    journal: s.citation.journal.clone(),
                    doi: s.citation.doi.clone(),
                    characteristics: s.characteristics.clone(),
                })
                .collect(),
        }
    }

    pub fn table(&self) -> Table {
        let mut cols = vec![
            Column::text("key"),
            Column::flex("authors"),
            Column::number("year"),
            Column::flex("title"),
            Column::flex("journal"),
            Column::text("doi"),
        ];
        cols.extend(self.keys.iter().map(|k| Column::flex(k)));
        let mut t = Table::new(cols);
        for s in &self.studies {
            let mut v = vec![
                s.key.clone(),
                s.authors.join("; "),
                s.year.map(|y| y.to_string()).unwrap_or_default(),
                s.title.clone(),
                s.journal.clone(),
                s.doi.clone().unwrap_or_default(),
            ];
            v.extend(
                self.keys
                    .iter()
                    .map(|k| s.characteristics.get(k).cloned().unwrap_or_default()),
            );
            t.rows.push(v);
        }
        t
    }
}
