//! The closing summary's account of how positions were read and of everything
//! that was not imported, and why.

use std::collections::{BTreeMap, HashSet};

use super::super::positions::{Basis, Unit};
use super::super::read::Doc;
use super::notes::Notes;
use super::sources::{BasisKey, Counts};
use super::{ImportSummary, Tally, plural};

/// What the import saw, for the summary.
pub(super) struct Seen<'a> {
    pub(super) doc: &'a Doc,
    pub(super) notes: &'a Notes,
    /// Sources per (unit, why that unit).
    pub(super) units: BTreeMap<(Unit, BasisKey), usize>,
    pub(super) counts: Counts,
    pub(super) used_notes: HashSet<String>,
    pub(super) multi_case: usize,
    pub(super) empty_cases: usize,
    pub(super) case_refs: usize,
    pub(super) unknown_vars: usize,
}

/// Add the lines on positions to `summary.notes` and on losses to `tally`.
pub(super) fn losses(seen: &Seen, summary: &mut ImportSummary, tally: &mut Tally) {
    for ((unit, BasisKey(basis)), n) in &seen.units {
        let why = match basis {
            Basis::Same => continue,
            Basis::Names => "the selection names match the text that way",
            Basis::Origin => "the exporter counts that way",
            Basis::Boundaries => "selections then fall on word boundaries",
            Basis::Standard => "the standard's unit; nothing told the units apart",
        };
        summary.notes.push(format!(
            "positions: {} read as {unit} ({why}){}",
            plural(*n, "source", "sources"),
            if *unit == Unit::CodePoints {
                String::new()
            } else {
                ", converted to code points".to_string()
            }
        ));
    }
    if seen.counts.misnamed > 0 {
        summary.notes.push(format!(
            "warning: {} name text other than what their positions cover (kept at their positions)",
            plural(seen.counts.misnamed, "selection", "selections")
        ));
    }
    if seen.counts.inside_char > 0 {
        summary.notes.push(format!(
            "warning: {} began or ended inside a character (a UTF-16 surrogate pair) and now start at that character",
            plural(seen.counts.inside_char, "selection", "selections")
        ));
    }
    let rich = seen.doc.text_sources.iter().filter(|t| t.rich_text).count();
    if rich > 0 {
        summary.notes.push(format!(
            "texts: the plain text of each source was imported; the rich-text copies (.docx) of {} were not read",
            plural(rich, "source", "sources")
        ));
    }
    if !seen.doc.other_sources.is_empty() {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut codings = 0;
        for o in &seen.doc.other_sources {
            *kinds
                .entry(match o.kind.as_str() {
                    "PDFSource" => "PDF",
                    "PictureSource" => "picture",
                    "AudioSource" => "audio",
                    _ => "video",
                })
                .or_default() += 1;
            codings += o.codings;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        tally.skip(format!(
            "{} ({}) with {}: thematic codes text only",
            plural(
                seen.doc.other_sources.len(),
                "non-text source",
                "non-text sources"
            ),
            kinds.join(", "),
            plural(codings, "coding", "codings")
        ));
    }
    if seen.counts.no_code > 0 {
        tally.skip(format!(
            "{} whose code is not in the codebook",
            plural(seen.counts.no_code, "coding", "codings")
        ));
    }
    if seen.counts.bad_span > 0 {
        tally.skip(format!(
            "{} whose span is empty, reversed or outside its text",
            plural(seen.counts.bad_span, "coding", "codings")
        ));
    }
    if seen.counts.free > 0 {
        tally.skip(format!(
            "{} without a code ({} with a memo): thematic keeps coded spans only",
            plural(seen.counts.free, "selection", "selections"),
            seen.counts.free_memo
        ));
    }
    if seen.multi_case > 0 {
        tally.skip(format!(
            "{} in more than one case: each is kept in the first case's study only",
            plural(seen.multi_case, "source", "sources")
        ));
    }
    if seen.empty_cases > 0 {
        tally.skip(format!(
            "{} with no text source (their variables with them)",
            plural(seen.empty_cases, "case", "cases")
        ));
    }
    if seen.case_refs > 0 {
        tally.skip(format!(
            "{} on cases: thematic codes text spans only",
            plural(
                seen.case_refs,
                "code or selection reference",
                "code and selection references"
            )
        ));
    }
    if seen.unknown_vars > 0 {
        tally.skip(format!(
            "{} naming a variable that is not defined",
            plural(seen.unknown_vars, "variable value", "variable values")
        ));
    }
    let note_codings: usize = seen.doc.notes.iter().map(|n| n.codings).sum();
    if note_codings > 0 {
        tally.skip(format!(
            "{} inside notes: thematic does not code memos",
            plural(note_codings, "coding", "codings")
        ));
    }
    let unused: Vec<&str> = seen
        .doc
        .notes
        .iter()
        .filter(|n| !seen.used_notes.contains(&n.guid))
        .map(|n| n.name.as_str())
        .collect();
    if !unused.is_empty() {
        let shown: Vec<String> = unused.iter().take(5).map(|n| format!("`{n}`")).collect();
        tally.skip(format!(
            "{} attached to nothing thematic keeps (the project, a set, a link, a skipped source…): {}{}",
            plural(unused.len(), "note", "notes"),
            shown.join(", "),
            if unused.len() > 5 { ", …" } else { "" }
        ));
    }
    let links = seen
        .doc
        .links
        .iter()
        .filter(|(o, t)| !seen.notes.text.contains_key(o) && !seen.notes.text.contains_key(t))
        .count();
    let parts: Vec<String> = [
        (seen.doc.sets, "set", "sets"),
        (seen.doc.graphs, "graph", "graphs"),
        (links, "link between entities", "links between entities"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(n, one, many))
    .collect();
    if !parts.is_empty() {
        tally.skip(format!(
            "{}: thematic has no place for them",
            parts.join(", ")
        ));
    }
}
