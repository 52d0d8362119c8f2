//! The theme × study matrix: which studies support which theme, at a chosen depth
//! of the code tree. The table a meta-synthesis paper prints.

use std::collections::HashMap;

use crate::model::{CodeKind, Id, Project};

use super::table::{Column, Table};
use super::tally::covered;

/// What a cell of the matrix counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatrixBy {
    /// Codings in the row's subtree (the default).
    Codings,
    /// 1 when the study has any coding in the row's subtree, else 0.
    Presence,
    /// Percentage of the study's text covered by the row's subtree.
    Coverage,
}

impl MatrixBy {
    pub const ALL: [MatrixBy; 3] = [MatrixBy::Codings, MatrixBy::Presence, MatrixBy::Coverage];

    pub fn label(self) -> &'static str {
        match self {
            MatrixBy::Codings => "codings",
            MatrixBy::Presence => "presence",
            MatrixBy::Coverage => "coverage",
        }
    }

    pub fn parse(s: &str) -> Option<MatrixBy> {
        let s = s.trim().to_ascii_lowercase();
        MatrixBy::ALL.into_iter().find(|b| b.label() == s)
    }
}

/// One row: a code at the matrix depth (or a leaf shallower than it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixRow {
    pub code: Id,
    /// `Theme/Sub-theme`, with `/` in names written `\/`.
    pub path: String,
    pub kind: CodeKind,
    /// 1 for top-level codes.
    pub depth: usize,
}

/// Codes × studies, with row and column totals.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub by: MatrixBy,
    /// The depth asked for (at least 1).
    pub depth: usize,
    /// Codes at `depth` (and shallower leaves), in tree order.
    pub rows: Vec<MatrixRow>,
    /// Study order (`project.studies`, i.e. by key).
    pub studies: Vec<Id>,
    /// `cells[row][study]`: codings (descendants included) | 1.0/0.0 presence |
    /// % of the study's text covered by the row's subtree.
    pub cells: Vec<Vec<f64>>,
    /// Codings per row, descendants included.
    pub row_codings: Vec<u32>,
    /// Studies with at least one coding in the row's subtree.
    pub row_studies: Vec<u32>,
    /// Per study, codings counted in any row (the column total).
    pub study_codings: Vec<u32>,
}

impl Matrix {
    /// Compute the matrix. Codings on a code shallower than `depth` that has children
    /// (a theme coded directly) fall in no row and are not counted; nor are codings
    /// whose code is not in the codebook. Flagged codings (not placed in their text)
    /// count as codings but cover no text.
    pub fn compute(p: &Project, depth: usize, by: MatrixBy) -> Matrix {
        let depth = depth.max(1);
        let (rows, row_of) = rows_at(p, depth);
        let n = rows.len();
        let studies: Vec<Id> = p.studies.iter().map(|s| s.id).collect();
        let mut counts = vec![vec![0u32; studies.len()]; n];
        let mut cells = vec![vec![0.0; studies.len()]; n];
        let mut study_codings = vec![0u32; studies.len()];
        // Spans per row for one source at a time (coverage only).
        let mut spans: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for (j, s) in p.studies.iter().enumerate() {
            for c in &s.codings {
                if let Some(&r) = row_of.get(&c.code) {
                    counts[r][j] += 1;
                    study_codings[j] += 1;
                }
            }
            if by == MatrixBy::Coverage {
                let chars: u64 = s.sources.iter().map(|src| src.chars as u64).sum();
                let mut cov = vec![0u64; n];
                for src in &s.sources {
                    spans.iter_mut().for_each(Vec::clear);
                    for c in s.codings.iter().filter(|c| c.source == src.id) {
                        if c.flag.is_some() {
                            continue;
                        }
                        if let Some(&r) = row_of.get(&c.code) {
                            spans[r].push((c.start, c.end.min(src.chars)));
                        }
                    }
                    for (r, v) in spans.iter().enumerate() {
                        if !v.is_empty() {
                            cov[r] += covered(v.iter().copied()) as u64;
                        }
                    }
                }
                for r in 0..n {
                    cells[r][j] = if chars == 0 {
                        0.0
                    } else {
                        cov[r] as f64 * 100.0 / chars as f64
                    };
                }
            }
        }
        if by != MatrixBy::Coverage {
            for (r, row) in counts.iter().enumerate() {
                for (j, &k) in row.iter().enumerate() {
                    cells[r][j] = match by {
                        MatrixBy::Presence => f64::from(u8::from(k > 0)),
                        _ => f64::from(k),
                    };
                }
            }
        }
        let row_codings = counts.iter().map(|r| r.iter().sum()).collect();
        let row_studies = counts
            .iter()
            .map(|r| r.iter().filter(|&&k| k > 0).count() as u32)
            .collect();
        Matrix {
            by,
            depth,
            rows,
            studies,
            cells,
            row_codings,
            row_studies,
            study_codings,
        }
    }

    /// The largest cell value (0 for an empty matrix), for scaling a heatmap.
    pub fn max_cell(&self) -> f64 {
        self.cells.iter().flatten().copied().fold(0.0, f64::max)
    }

    /// Codings counted in any row.
    pub fn total_codings(&self) -> u32 {
        self.study_codings.iter().sum()
    }

    /// A cell formatted for a table: an integer for counts, one decimal for coverage.
    pub fn format_cell(&self, v: f64) -> String {
        match self.by {
            MatrixBy::Coverage => format!("{v:.1}"),
            _ => format!("{}", v as u64),
        }
    }
}

/// The rows at `depth` in tree order, and for each code, the row its codings count in.
fn rows_at(p: &Project, depth: usize) -> (Vec<MatrixRow>, HashMap<Id, usize>) {
    let cb = &p.codebook;
    let mut kids: HashMap<Option<Id>, Vec<(i64, Id)>> = HashMap::new();
    let known: std::collections::HashSet<Id> = cb.codes.iter().map(|c| c.id).collect();
    for c in &cb.codes {
        let parent = c.parent.filter(|p| known.contains(p));
        kids.entry(parent).or_default().push((c.order, c.id));
    }
    for v in kids.values_mut() {
        v.sort_unstable();
    }
    let kinds: HashMap<Id, CodeKind> = cb.codes.iter().map(|c| (c.id, c.kind)).collect();
    let mut rows = Vec::new();
    let mut row_of = HashMap::new();
    // Depth-first, siblings by (order, id); each entry: (code, depth, row it falls in).
    let mut stack: Vec<(Id, usize, Option<usize>)> = kids
        .get(&None)
        .map(|v| v.iter().rev().map(|&(_, id)| (id, 1, None)).collect())
        .unwrap_or_default();
    while let Some((id, d, inherited)) = stack.pop() {
        if row_of.contains_key(&id) {
            continue; // a cycle; validation reports it
        }
        let children = kids.get(&Some(id)).map(Vec::as_slice).unwrap_or(&[]);
        let row = match inherited {
            Some(r) => Some(r),
            None if d == depth || (d < depth && children.is_empty()) => {
                rows.push(MatrixRow {
                    code: id,
                    path: cb.path(id),
                    kind: kinds[&id],
                    depth: d,
                });
                Some(rows.len() - 1)
            }
            None => None,
        };
        if let Some(r) = row {
            row_of.insert(id, r);
        }
        stack.extend(children.iter().rev().map(|&(_, c)| (c, d + 1, row)));
    }
    (rows, row_of)
}

/// The matrix with what it takes to print it: study keys and the total row.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixReport {
    pub matrix: Matrix,
    /// Study keys, in matrix column order.
    pub keys: Vec<String>,
    /// The total row's cells: codings per study (`--by codings`), themes present
    /// per study (`presence`), or % of the study covered by any row (`coverage`).
    pub column_totals: Vec<f64>,
    /// Studies with at least one coding in any row.
    pub studies_with_codings: u32,
}

impl MatrixReport {
    pub fn compute(p: &Project, depth: usize, by: MatrixBy) -> MatrixReport {
        let matrix = Matrix::compute(p, depth, by);
        let column_totals = match by {
            MatrixBy::Codings => matrix.study_codings.iter().map(|&n| f64::from(n)).collect(),
            MatrixBy::Presence => (0..matrix.studies.len())
                .map(|j| matrix.cells.iter().map(|r| r[j]).sum())
                .collect(),
            MatrixBy::Coverage => {
                let (_, row_of) = rows_at(p, matrix.depth);
                p.studies
                    .iter()
                    .map(|s| {
                        super::StudyTally::filtered(s, |c| row_of.contains_key(&c.code)).percent()
                    })
                    .collect()
            }
        };
        MatrixReport {
            keys: p.studies.iter().map(|s| s.key.clone()).collect(),
            studies_with_codings: matrix.study_codings.iter().filter(|&&n| n > 0).count() as u32,
            column_totals,
            matrix,
        }
    }

    /// As rows and columns: a row per theme, a column per study (numbered when the
    /// terminal is too narrow for the keys), `total` and `studies`, a `total` row.
    pub fn table(&self, decimals: usize) -> Table {
        let m = &self.matrix;
        let cell = |v: f64| match m.by {
            MatrixBy::Coverage => format!("{v:.decimals$}"),
            _ => format!("{}", v.round() as u64),
        };
        let mut cols = vec![Column::path("theme")];
        cols.extend(self.keys.iter().enumerate().map(|(j, k)| Column {
            short: Some((j + 1).to_string()),
            ..Column::number(k)
        }));
        cols.push(Column::number("total"));
        cols.push(Column::number("studies"));
        let mut t = Table::new(cols);
        for (r, row) in m.rows.iter().enumerate() {
            let mut v = vec![row.path.clone()];
            v.extend(m.cells[r].iter().map(|&x| cell(x)));
            v.push(m.row_codings[r].to_string());
            v.push(m.row_studies[r].to_string());
            t.rows.push(v);
        }
        let mut total = vec!["total".to_string()];
        total.extend(self.column_totals.iter().map(|&x| cell(x)));
        total.push(m.total_codings().to_string());
        total.push(self.studies_with_codings.to_string());
        t.footer.push(total);
        t.notes.push(match m.by {
            MatrixBy::Codings => format!("codings per theme and study, depth {}", m.depth),
            MatrixBy::Presence => format!("1 = the study supports the theme, depth {}", m.depth),
            MatrixBy::Coverage => format!(
                "% of each study's text coded to the theme, depth {}",
                m.depth
            ),
        });
        t
    }

    pub fn json(&self) -> serde_json::Value {
        let m = &self.matrix;
        let num = |v: f64| match m.by {
            MatrixBy::Coverage => serde_json::json!((v * 100.0).round() / 100.0),
            _ => serde_json::json!(v.round() as u64),
        };
        let rows: Vec<serde_json::Value> = m
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                serde_json::json!({
                    "code": row.code.to_string(),
                    "path": row.path,
                    "kind": format!("{:?}", row.kind),
                    "depth": row.depth,
                    "cells": m.cells[r].iter().map(|&v| num(v)).collect::<Vec<_>>(),
                    "total": m.row_codings[r],
                    "studies": m.row_studies[r],
                })
            })
            .collect();
        serde_json::json!({
            "by": m.by.label(),
            "depth": m.depth,
            "studies": self.keys,
            "rows": rows,
            "total": {
                "cells": self.column_totals.iter().map(|&v| num(v)).collect::<Vec<_>>(),
                "total": m.total_codings(),
                "studies": self.studies_with_codings,
            },
        })
    }
}
