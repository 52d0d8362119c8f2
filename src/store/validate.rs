//! Consistency of a loaded project: ids resolve, spans fit their sources, the code
//! tree has no cycles. Each problem carries the position of the entity in its file.

use std::collections::{HashMap, HashSet};

use super::error::Problem;
use super::parse::locate;
use crate::model::{Codebook, Id, Study, is_safe_relative};

/// Problems in `codebook.ron` (`text` is its contents, for positions).
pub fn codebook(cb: &Codebook, path: &str, text: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let at = |id: Id| locate(text, &format!("id: \"{id}\""));
    let mut seen = HashSet::new();
    for c in &cb.codes {
        if !seen.insert(c.id) {
            out.push(Problem::error(
                path,
                at(c.id),
                format!("code id {} appears twice", c.id),
            ));
        }
        if c.name.trim().is_empty() {
            out.push(Problem::error(path, at(c.id), "a code needs a name"));
        }
        if let Some(p) = c.parent {
            if cb.get(p).is_none() {
                out.push(Problem::error(
                    path,
                    at(c.id),
                    format!(
                        "code `{}` has parent {p}, which is not in the codebook",
                        c.name
                    ),
                ));
            } else if cb.ancestors(c.id).contains(&c.id) || p == c.id || in_cycle(cb, c.id) {
                out.push(Problem::error(
                    path,
                    at(c.id),
                    format!("code `{}` is its own ancestor (a cycle of parents)", c.name),
                ));
            }
        }
        if !c.color.is_empty() && !is_hex_color(&c.color) {
            out.push(Problem::warning(
                path,
                at(c.id),
                format!(
                    "code `{}`: colour `{}` is not #rrggbb; a default is used",
                    c.name, c.color
                ),
            ));
        }
    }
    out
}

fn in_cycle(cb: &Codebook, id: Id) -> bool {
    let mut cur = cb.get(id).and_then(|c| c.parent);
    let mut steps = 0;
    while let Some(p) = cur {
        if p == id {
            return true;
        }
        steps += 1;
        if steps > cb.codes.len() {
            return false;
        }
        cur = cb.get(p).and_then(|c| c.parent);
    }
    false
}

pub fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Problems in one study file, given the ids of every code in the codebook. (Ids
/// used in two files are caught by the caller.)
pub fn study(s: &Study, path: &str, text: &str, codes: &HashSet<Id>) -> Vec<Problem> {
    let mut coding_ids: HashSet<Id> = HashSet::with_capacity(s.codings.len());
    let mut out = Vec::new();
    let at = |id: Id| locate(text, &format!("id: \"{id}\""));
    if s.key.is_empty() || s.key.contains(['/', '\\']) || s.key.starts_with('.') {
        out.push(Problem::error(
            path,
            locate(text, "key:"),
            format!("`{}` is not a usable study key", s.key),
        ));
    }
    let mut sources: HashMap<Id, u32> = HashMap::new();
    for src in &s.sources {
        if sources.insert(src.id, src.chars).is_some() {
            out.push(Problem::error(
                path,
                at(src.id),
                format!("source id {} appears twice", src.id),
            ));
        }
        if !is_safe_relative(&src.file) {
            out.push(Problem::error(
                path,
                at(src.id),
                format!("source file `{}` must be a path inside studies/", src.file),
            ));
        }
    }
    for c in &s.codings {
        if !coding_ids.insert(c.id) {
            out.push(Problem::error(
                path,
                at(c.id),
                format!("coding id {} appears twice", c.id),
            ));
        }
        if !codes.contains(&c.code) {
            out.push(Problem::error(
                path,
                at(c.id),
                format!(
                    "coding {} refers to code {}, which is not in codebook.ron",
                    c.id, c.code
                ),
            ));
        }
        match sources.get(&c.source) {
            None => out.push(Problem::error(
                path,
                at(c.id),
                format!("coding {} refers to source {}, which this study does not have", c.id, c.source),
            )),
            Some(&chars) if c.flag.is_none() && (c.start >= c.end || c.end > chars) => {
                out.push(Problem::error(
                    path,
                    at(c.id),
                    if c.start >= c.end {
                        format!("coding {}: empty or reversed span {}..{}", c.id, c.start, c.end)
                    } else {
                        format!(
                            "coding {}: span {}..{} runs past the end of its source ({chars} characters)",
                            c.id, c.start, c.end
                        )
                    },
                ))
            }
            Some(_) => {}
        }
    }
    out
}
