//! The rows the Codes pane shows: the code tree flattened through the expanded set.

use std::collections::HashSet;

use crate::model::{Codebook, Id};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: Id,
    pub depth: usize,
    pub has_children: bool,
    pub expanded: bool,
}

/// Depth-first rows, children only under expanded codes.
pub fn rows(cb: &Codebook, expanded: &HashSet<Id>) -> Vec<Row> {
    let mut out = Vec::with_capacity(cb.codes.len());
    push(cb, None, 0, expanded, &mut out);
    out
}

fn push(
    cb: &Codebook,
    parent: Option<Id>,
    depth: usize,
    expanded: &HashSet<Id>,
    out: &mut Vec<Row>,
) {
    for c in cb.children(parent) {
        let has_children = cb.codes.iter().any(|x| x.parent == Some(c.id));
        let open = has_children && expanded.contains(&c.id);
        out.push(Row {
            id: c.id,
            depth,
            has_children,
            expanded: open,
        });
        if open && depth < 64 {
            push(cb, Some(c.id), depth + 1, expanded, out);
        }
    }
}
