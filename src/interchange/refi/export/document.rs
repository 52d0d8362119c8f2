//! The XML documents: `project.qde` and the `.qdc` codebook.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::super::import::CITATION;
use super::super::xml::{
    CODEBOOK_NS, CODEBOOK_SCHEMA, PROJECT_NS, PROJECT_SCHEMA, XSI_NS, derived_id, is_datetime,
    is_rgb, xml_safe,
};
use super::ExportSummary;
use crate::model::{Code, Codebook, Coding, Id, Project, Source, Study};

const ORIGIN: &str = concat!("thematic ", env!("CARGO_PKG_VERSION"));
/// Longest selection name: the quotation, cut with `…` as ATLAS.ti does.
const NAME_CHARS: usize = 100;

type W = Writer<Vec<u8>>;

fn attr<'a>(k: &'a str, v: &'a str) -> (&'a str, &'a str) {
    (k, v)
}

/// Writes names and texts made safe for XML, counting characters replaced.
struct Out {
    w: W,
    replaced: usize,
}

impl Out {
    fn new() -> Out {
        let mut w = Writer::new_with_indent(Vec::with_capacity(1 << 20), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .expect("writing to memory");
        Out { w, replaced: 0 }
    }

    fn safe(&mut self, s: &str) -> String {
        let (t, n) = xml_safe(s);
        self.replaced += n;
        t.into_owned()
    }
}

fn text_element(w: &mut W, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

fn note_ref(w: &mut W, id: Id) -> io::Result<()> {
    w.create_element("NoteRef")
        .with_attribute(attr("targetGUID", &id.to_string()))
        .write_empty()?;
    Ok(())
}

/// The selection name: the quotation, cut to `NAME_CHARS` with `…`.
fn selection_name(quote: &str) -> String {
    let mut it = quote.char_indices();
    match it.nth(NAME_CHARS) {
        None => quote.to_string(),
        Some((b, _)) => format!("{}…", &quote[..b]),
    }
}

/// A memo to write as a `Note`.
struct Memo {
    id: Id,
    name: String,
    text: String,
}

/// Children of each code, in sibling order.
fn children(cb: &Codebook) -> HashMap<Option<Id>, Vec<&Code>> {
    let ids: HashSet<Id> = cb.codes.iter().map(|c| c.id).collect();
    let mut kids: HashMap<Option<Id>, Vec<&Code>> = HashMap::new();
    for c in &cb.codes {
        kids.entry(c.parent.filter(|p| ids.contains(p)))
            .or_default()
            .push(c);
    }
    for v in kids.values_mut() {
        v.sort_by_key(|c| (c.order, c.id));
    }
    kids
}

/// Write the code tree; `memos` collects code memos when writing a project.
/// Returns how many codes were written.
fn write_codes(d: &mut Out, cb: &Codebook, mut memos: Option<&mut Vec<Memo>>) -> io::Result<usize> {
    let kids = children(cb);
    let mut seen: HashSet<Id> = HashSet::new();
    for c in kids.get(&None).into_iter().flatten() {
        write_code(d, cb, &kids, c, &mut seen, &mut memos)?;
    }
    // Codes no root leads to (only in a damaged codebook) still go out, at the top.
    for c in &cb.codes {
        if !seen.contains(&c.id) {
            write_code(d, cb, &kids, c, &mut seen, &mut memos)?;
        }
    }
    Ok(seen.len())
}

fn write_code(
    d: &mut Out,
    cb: &Codebook,
    kids: &HashMap<Option<Id>, Vec<&Code>>,
    c: &Code,
    seen: &mut HashSet<Id>,
    memos: &mut Option<&mut Vec<Memo>>,
) -> io::Result<()> {
    if !seen.insert(c.id) {
        return Ok(());
    }
    let name = d.safe(&c.name);
    let id = c.id.to_string();
    let mut start = BytesStart::new("Code");
    start.push_attribute(attr("guid", &id));
    start.push_attribute(attr("name", &name));
    start.push_attribute(attr("isCodable", "true"));
    if is_rgb(&c.color) {
        start.push_attribute(attr("color", &c.color));
    }
    let memo = match memos {
        Some(m) if !c.memo.trim().is_empty() => {
            let memo_id = derived_id(c.id, "memo");
            let text = d.safe(&c.memo);
            m.push(Memo {
                id: memo_id,
                name: format!("Memo: {}", cb.path(c.id)),
                text,
            });
            Some(memo_id)
        }
        _ => None,
    };
    let children: Vec<&Code> = kids
        .get(&Some(c.id))
        .map(|v| {
            v.iter()
                .copied()
                .filter(|k| !seen.contains(&k.id))
                .collect()
        })
        .unwrap_or_default();
    if c.description.is_empty() && memo.is_none() && children.is_empty() {
        return d.w.write_event(Event::Empty(start));
    }
    d.w.write_event(Event::Start(start))?;
    if !c.description.is_empty() {
        let desc = d.safe(&c.description);
        text_element(&mut d.w, "Description", &desc)?;
    }
    if let Some(m) = memo {
        note_ref(&mut d.w, m)?;
    }
    for k in children {
        write_code(d, cb, kids, k, seen, memos)?;
    }
    d.w.write_event(Event::End(BytesEnd::new("Code")))
}

/// The users: the owner, collaborators, then anyone else a coding names.
fn users(p: &Project) -> Vec<(Id, String)> {
    let mut out: Vec<(Id, String)> = std::iter::once(&p.meta.reviewer)
        .chain(&p.meta.collaborators)
        .map(|r| (r.id, r.name.clone()))
        .collect();
    let known: HashSet<Id> = out.iter().map(|(id, _)| *id).collect();
    let others: BTreeSet<Id> = p
        .codings()
        .map(|(_, c)| c.by)
        .filter(|b| !known.contains(b))
        .collect();
    out.extend(others.into_iter().map(|id| {
        let s = id.to_string();
        (id, format!("reviewer {}", &s[..8]))
    }));
    out
}

/// Characteristics and citation fields as `(variable name, value)`, in a fixed order.
fn study_variables(s: &Study) -> Vec<(&'static str, String)> {
    let c = &s.citation;
    let names = CITATION;
    let vals = [
        c.authors.join("; "),
        c.year.map(|y| y.to_string()).unwrap_or_default(),
        c.title.clone(),
        c.journal.clone(),
        c.doi.clone().unwrap_or_default(),
        c.volume.clone(),
        c.issue.clone(),
        c.pages.clone(),
    ];
    names
        .into_iter()
        .zip(vals)
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// `project.qde` for `p`. Returns the document and the summary of what it holds.
pub(super) fn project_document(p: &Project) -> io::Result<(Vec<u8>, ExportSummary)> {
    let mut sum = ExportSummary::default();
    let mut d = Out::new();
    let title = d.safe(&p.meta.title);
    let owner = p.meta.reviewer.id.to_string();
    let mut root = BytesStart::new("Project");
    root.push_attribute(attr("xmlns", PROJECT_NS));
    root.push_attribute(attr("xmlns:xsi", XSI_NS));
    root.push_attribute(attr("xsi:schemaLocation", PROJECT_SCHEMA));
    root.push_attribute(attr("name", &title));
    root.push_attribute(attr("origin", ORIGIN));
    root.push_attribute(attr("creatingUserGUID", &owner));
    if is_datetime(&p.meta.created) {
        root.push_attribute(attr("creationDateTime", &p.meta.created));
    }
    d.w.write_event(Event::Start(root))?;

    // Users (never empty: there is always an owner).
    d.w.write_event(Event::Start(BytesStart::new("Users")))?;
    for (id, name) in users(p) {
        let name = d.safe(&name);
        d.w.create_element("User")
            .with_attributes([attr("guid", &id.to_string()), attr("name", &name)])
            .write_empty()?;
    }
    d.w.write_event(Event::End(BytesEnd::new("Users")))?;

    let mut memos: Vec<Memo> = Vec::new();
    if !p.codebook.codes.is_empty() {
        d.w.write_event(Event::Start(BytesStart::new("CodeBook")))?;
        d.w.write_event(Event::Start(BytesStart::new("Codes")))?;
        sum.codes = write_codes(&mut d, &p.codebook, Some(&mut memos))?;
        d.w.write_event(Event::End(BytesEnd::new("Codes")))?;
        d.w.write_event(Event::End(BytesEnd::new("CodeBook")))?;
    }

    // Variables: citation fields first (fixed order), then characteristics by name.
    let mut var_names: Vec<String> = Vec::new();
    for n in CITATION {
        if p.studies
            .iter()
            .any(|s| study_variables(s).iter().any(|(k, _)| *k == n))
        {
            var_names.push(n.to_string());
        }
    }
    let is_citation = |k: &String| CITATION.contains(&k.to_ascii_lowercase().as_str());
    let chars: BTreeSet<&String> = p
        .studies
        .iter()
        .flat_map(|s| s.characteristics.keys())
        .filter(|k| !is_citation(k))
        .collect();
    let clashing = p
        .studies
        .iter()
        .flat_map(|s| s.characteristics.keys())
        .filter(|k| is_citation(k))
        .count();
    if clashing > 0 {
        sum.notes.push(format!(
            "not exported: {clashing} characteristic(s) named like the citation.* variables thematic writes citations into"
        ));
    }
    var_names.extend(chars.into_iter().cloned());
    // Variable ids depend on the name only, so that a project that went out and came
    // back in exports the same bytes again.
    let var_id = |name: &str| derived_id(Id::from_u128(0), &format!("variable:{name}"));
    if !var_names.is_empty() {
        d.w.write_event(Event::Start(BytesStart::new("Variables")))?;
        for n in &var_names {
            let name = d.safe(n);
            let kind = if n == "citation.year" {
                "Integer"
            } else {
                "Text"
            };
            d.w.create_element("Variable")
                .with_attributes([
                    attr("guid", &var_id(n).to_string()),
                    attr("name", &name),
                    attr("typeOfVariable", kind),
                ])
                .write_empty()?;
        }
        d.w.write_event(Event::End(BytesEnd::new("Variables")))?;
    }

    // One case per study: its variables and its sources.
    if !p.studies.is_empty() {
        d.w.write_event(Event::Start(BytesStart::new("Cases")))?;
        for s in &p.studies {
            let mut values: Vec<(String, String, bool)> = study_variables(s)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v, k == "citation.year"))
                .collect();
            values.extend(
                s.characteristics
                    .iter()
                    .filter(|(k, _)| !CITATION.contains(&k.to_ascii_lowercase().as_str()))
                    .map(|(k, v)| (k.clone(), v.clone(), false)),
            );
            let key = d.safe(&s.key);
            let memo_in_case = s.sources.is_empty() && !s.memo.trim().is_empty();
            let mut safe_values = Vec::with_capacity(values.len());
            for (k, v, int) in values {
                safe_values.push((k, d.safe(&v), int));
            }
            let memo = if memo_in_case {
                d.safe(&s.memo)
            } else {
                String::new()
            };
            let guid = s.id.to_string();
            let case =
                d.w.create_element("Case")
                    .with_attributes([attr("guid", &guid), attr("name", &key)]);
            if safe_values.is_empty() && s.sources.is_empty() && !memo_in_case {
                case.write_empty()?;
                continue;
            }
            case.write_inner_content(|w| {
                if memo_in_case {
                    text_element(w, "Description", &memo)?;
                }
                for (k, v, int) in &safe_values {
                    w.create_element("VariableValue").write_inner_content(|w| {
                        w.create_element("VariableRef")
                            .with_attribute(attr("targetGUID", &var_id(k).to_string()))
                            .write_empty()?;
                        text_element(w, if *int { "IntegerValue" } else { "TextValue" }, v)
                    })?;
                }
                for src in &s.sources {
                    w.create_element("SourceRef")
                        .with_attribute(attr("targetGUID", &src.id.to_string()))
                        .write_empty()?;
                }
                Ok(())
            })?;
        }
        d.w.write_event(Event::End(BytesEnd::new("Cases")))?;
    }

    // Sources: one TextSource per source, one selection + coding per coding.
    let mut flagged = 0;
    let sources: usize = p.studies.iter().map(|s| s.sources.len()).sum();
    if sources > 0 {
        d.w.write_event(Event::Start(BytesStart::new("Sources")))?;
        for s in &p.studies {
            let mut by_source: HashMap<Id, Vec<&Coding>> = HashMap::new();
            for c in &s.codings {
                if c.flag.is_some() {
                    flagged += 1;
                    continue;
                }
                by_source.entry(c.source).or_default().push(c);
            }
            for (i, src) in s.sources.iter().enumerate() {
                let memo = (i == 0 && !s.memo.trim().is_empty()).then(|| {
                    let id = derived_id(s.id, "memo");
                    let text = d.safe(&s.memo);
                    memos.push(Memo {
                        id,
                        name: format!("Memo: {}", s.key),
                        text,
                    });
                    id
                });
                let codings = by_source.remove(&src.id).unwrap_or_default();
                sum.codings += codings.len();
                write_source(&mut d, s, src, &codings, memo, &mut memos)?;
            }
            sum.studies += 1;
            sum.sources += s.sources.len();
        }
        d.w.write_event(Event::End(BytesEnd::new("Sources")))?;
    }
    sum.studies = p.studies.len();

    if !memos.is_empty() {
        d.w.write_event(Event::Start(BytesStart::new("Notes")))?;
        for m in &memos {
            let name = d.safe(&m.name);
            d.w.create_element("Note")
                .with_attributes([attr("guid", &m.id.to_string()), attr("name", &name)])
                .write_inner_content(|w| text_element(w, "PlainTextContent", &m.text))?;
        }
        d.w.write_event(Event::End(BytesEnd::new("Notes")))?;
    }
    if !p.meta.question.trim().is_empty() {
        let q = d.safe(&p.meta.question);
        text_element(&mut d.w, "Description", &q)?;
    }
    d.w.write_event(Event::End(BytesEnd::new("Project")))?;
    d.w.get_mut().push(b'\n');

    let appraised = p.studies.iter().filter(|s| s.appraisal.is_some()).count();
    if appraised > 0 {
        sum.notes.push(format!(
            "not exported: the appraisals of {appraised} stud{} (REFI-QDA has no place for them)",
            if appraised == 1 { "y" } else { "ies" }
        ));
    }
    if p.codings()
        .any(|(_, c)| c.construct != crate::model::Construct::Unspecified)
    {
        sum.notes.push(
            "not exported: construct types (participant, author, reviewer): REFI-QDA has no place for them"
                .to_string(),
        );
    }
    if p.codebook
        .codes
        .iter()
        .any(|c| c.kind != crate::model::CodeKind::Code)
    {
        sum.notes.push(
            "themes are exported as codes (REFI-QDA has no kinds of code); all are codable"
                .to_string(),
        );
    }
    if flagged > 0 {
        sum.notes.push(format!(
            "not exported: {flagged} flagged coding(s) that could not be placed in their text (see `thematic check`)"
        ));
    }
    if d.replaced > 0 {
        sum.notes.push(format!(
            "{} character(s) that XML cannot carry (control characters) were written as U+FFFD in names and memos",
            d.replaced
        ));
    }
    Ok((d.w.into_inner(), sum))
}

fn write_source(
    d: &mut Out,
    s: &Study,
    src: &Source,
    codings: &[&Coding],
    memo: Option<Id>,
    memos: &mut Vec<Memo>,
) -> io::Result<()> {
    let name = d.safe(&src.name);
    let path = format!("internal://{}.txt", src.id);
    let id = src.id.to_string();
    // Names and notes are made safe up front: writing borrows the writer.
    let mut rows = Vec::with_capacity(codings.len());
    for c in codings {
        let sel_name = d.safe(&selection_name(&c.quote));
        let note = (!c.note.trim().is_empty()).then(|| {
            let id = derived_id(c.id, "note");
            let text = d.safe(&c.note);
            memos.push(Memo {
                id,
                name: format!("Note on a coding in {}", s.key),
                text,
            });
            id
        });
        rows.push((c, sel_name, note));
    }
    let el = d.w.create_element("TextSource").with_attributes([
        attr("guid", &id),
        attr("name", &name),
        attr("plainTextPath", &path),
    ]);
    if rows.is_empty() && memo.is_none() {
        el.write_empty()?;
        return Ok(());
    }
    el.write_inner_content(|w| {
        for (c, sel_name, note) in &rows {
            let by = c.by.to_string();
            let sel = derived_id(c.id, "selection").to_string();
            let (start, end) = (c.start.to_string(), c.end.to_string());
            let mut attrs = vec![
                attr("guid", &sel),
                attr("name", sel_name),
                attr("startPosition", &start),
                attr("endPosition", &end),
                attr("creatingUser", &by),
            ];
            if is_datetime(&c.at) {
                attrs.push(attr("creationDateTime", &c.at));
            }
            if is_datetime(&c.edited) {
                attrs.push(attr("modifiedDateTime", &c.edited));
            }
            let id = c.id.to_string();

            let code = c.code.to_string();
            w.create_element("PlainTextSelection")
                .with_attributes(attrs)
                .write_inner_content(|w| {
                    let mut a = vec![attr("guid", &id), attr("creatingUser", &by)];
                    if is_datetime(&c.at) {
                        a.push(attr("creationDateTime", &c.at));
                    }
                    w.create_element("Coding")
                        .with_attributes(a)
                        .write_inner_content(|w| {
                            w.create_element("CodeRef")
                                .with_attribute(attr("targetGUID", &code))
                                .write_empty()?;
                            if let Some(n) = note {
                                note_ref(w, *n)?;
                            }
                            Ok(())
                        })?;
                    Ok(())
                })?;
        }
        if let Some(m) = memo {
            note_ref(w, m)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The codebook as a `.qdc` document.
pub(super) fn codebook_document(p: &Project) -> io::Result<(Vec<u8>, ExportSummary)> {
    let mut sum = ExportSummary::default();
    let mut d = Out::new();
    let mut root = BytesStart::new("CodeBook");
    root.push_attribute(attr("xmlns", CODEBOOK_NS));
    root.push_attribute(attr("xmlns:xsi", XSI_NS));
    root.push_attribute(attr("xsi:schemaLocation", CODEBOOK_SCHEMA));
    root.push_attribute(attr("origin", ORIGIN));
    d.w.write_event(Event::Start(root))?;
    d.w.write_event(Event::Start(BytesStart::new("Codes")))?;
    sum.codes = write_codes(&mut d, &p.codebook, None)?;
    d.w.write_event(Event::End(BytesEnd::new("Codes")))?;
    d.w.write_event(Event::End(BytesEnd::new("CodeBook")))?;
    d.w.get_mut().push(b'\n');
    let memos = p
        .codebook
        .codes
        .iter()
        .filter(|c| !c.memo.trim().is_empty())
        .count();
    if memos > 0 {
        sum.notes.push(format!(
            "not exported: {memos} code memo(s) (a .qdc has no notes; export a .qdpx to keep them)"
        ));
    }
    if p.codebook
        .codes
        .iter()
        .any(|c| c.kind != crate::model::CodeKind::Code)
    {
        sum.notes.push(
            "themes are exported as codes (REFI-QDA has no kinds of code); all are codable"
                .to_string(),
        );
    }
    Ok((d.w.into_inner(), sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quotes_are_cut_with_an_ellipsis() {
        assert_eq!(selection_name("short"), "short");
        let long: String = "é".repeat(150);
        let n = selection_name(&long);
        assert_eq!(n.chars().count(), NAME_CHARS + 1);
        assert!(n.ends_with('…'));
    }
}
