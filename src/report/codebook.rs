//! The codebook: every code in tree order with its kind, definition and counts.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::{CodeKind, Id, Project};

use super::Tally;
use super::table::{Column, Table};

/// One code of the codebook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodebookRow {
    pub id: String,
    pub path: String,
    pub name: String,
    /// 1 for top-level codes.
    pub depth: usize,
    pub kind: CodeKind,
    /// Its description: what it means and when to apply it.
    pub definition: String,
    /// `#rrggbb` (empty or as stored; check before using it as a colour).
    pub color: String,
    /// Codings of the code and its descendants.
    pub codings: u32,
    /// Studies with at least one coding of the code or its descendants.
    pub studies: u32,
}

/// The code tree, depth first, siblings in their stored order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodebookReport {
    pub codes: Vec<CodebookRow>,
}

impl CodebookReport {
    pub fn compute(p: &Project) -> CodebookReport {
        let tally = Tally::new(p);
        let cb = &p.codebook;
        let known: HashSet<Id> = cb.codes.iter().map(|c| c.id).collect();
        let mut kids: HashMap<Option<Id>, Vec<(i64, Id)>> = HashMap::new();
        for c in &cb.codes {
            kids.entry(c.parent.filter(|p| known.contains(p)))
                .or_default()
                .push((c.order, c.id));
        }
        for v in kids.values_mut() {
            v.sort_unstable();
        }
        let mut codes = Vec::with_capacity(cb.codes.len());
        let mut seen = HashSet::new();
        let mut stack: Vec<(Id, usize)> = kids
            .get(&None)
            .map(|v| v.iter().rev().map(|&(_, id)| (id, 1)).collect())
            .unwrap_or_default();
        while let Some((id, depth)) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(c) = cb.get(id) else { continue };
            let (codings, studies) = tally.code(id);
            codes.push(CodebookRow {
                id: id.to_string(),
                path: cb.path(id),
                name: c.name.clone(),
                depth,
                kind: c.kind,
                definition: c.description.clone(),
                color: c.color.clone(),
                codings,
                studies,
            });
            if let Some(ch) = kids.get(&Some(id)) {
                stack.extend(ch.iter().rev().map(|&(_, c)| (c, depth + 1)));
            }
        }
        CodebookReport { codes }
    }

    /// As rows and columns. `indent` shows the tree by indenting names (terminal);
    /// otherwise each code is named by its full path (CSV, Markdown).
    pub fn table(&self, indent: bool) -> Table {
        let mut t = Table::new(vec![
            if indent {
                Column::flex("code")
            } else {
                Column::text("path")
            },
            Column::text("kind"),
            Column::flex("definition"),
            Column::number("codings"),
            Column::number("studies"),
        ]);
        for c in &self.codes {
            t.rows.push(vec![
                if indent {
                    format!("{}{}", "  ".repeat(c.depth - 1), c.name)
                } else {
                    c.path.clone()
                },
                c.kind.label().to_string(),
                c.definition.clone(),
                c.codings.to_string(),
                c.studies.to_string(),
            ]);
        }
        t
    }
}
