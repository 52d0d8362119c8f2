//! WordprocessingML: the main document part, then its footnotes and endnotes.
//! Tracked deletions, field codes and the fallback copies of text boxes are left
//! out; insertions, hyperlinks, content controls and text boxes are read.

use super::xml::{self, Element, Node, Ns};
use super::{DocError, Package, Text, cell_line};

/// Elements with no text of the document in them.
const SKIP: [&str; 24] = [
    "pPr",
    "rPr",
    "sectPr",
    "tblPr",
    "tblGrid",
    "trPr",
    "tcPr",
    "del",
    "delText",
    "instrText",
    "delInstrText",
    "moveFrom",
    "commentReference",
    "annotationRef",
    "footnoteRef",
    "endnoteRef",
    "separator",
    "continuationSeparator",
    "lastRenderedPageBreak",
    "bookmarkStart",
    "bookmarkEnd",
    "proofErr",
    "fldChar",
    "footnotePr",
];

pub(super) fn text(pkg: &mut Package) -> Result<String, DocError> {
    let main = match pkg.part("_rels/.rels")? {
        Some(rels) => target(&relationships("_rels/.rels", &rels)?, "officeDocument", "")
            .unwrap_or_else(|| "word/document.xml".to_string()),
        None => "word/document.xml".to_string(),
    };
    let doc = xml::parse(&main, &pkg.required(&main)?)?;
    let body = doc
        .elements()
        .find(|e| e.is(Ns::W, "body"))
        .ok_or_else(|| DocError::Xml {
            part: main.clone(),
            line: 1,
            col: 1,
            message: "no w:body in the document".into(),
        })?;
    let mut walker = Walker::default();
    let mut out = Text::default();
    walker.blocks(body, &mut out.lines);
    if walker.refs.is_empty() {
        return Ok(out.finish());
    }
    let (dir, file) = main.rsplit_once('/').unwrap_or(("", &main));
    let rels_name = format!("{}_rels/{file}.rels", prefix(dir));
    let rels = match pkg.part(&rels_name)? {
        Some(r) => relationships(&rels_name, &r)?,
        None => Vec::new(),
    };
    let mut notes = |kind: &str| -> Result<Option<Element>, DocError> {
        let name = target(&rels, kind, dir).unwrap_or_else(|| format!("{}{kind}.xml", prefix(dir)));
        pkg.part(&name)?.map(|x| xml::parse(&name, &x)).transpose()
    };
    let footnotes = notes("footnotes")?;
    let endnotes = notes("endnotes")?;
    for (endnote, id) in std::mem::take(&mut walker.refs) {
        let (part, tag) = if endnote {
            (&endnotes, "endnote")
        } else {
            (&footnotes, "footnote")
        };
        let note = part.as_ref().and_then(|p| {
            p.elements()
                .find(|n| n.is(Ns::W, tag) && n.attr("id") == Some(&id))
        });
        let mut lines = Vec::new();
        if let Some(n) = note {
            walker.blocks(n, &mut lines);
        }
        out.notes.push(lines.join("\n").trim_start().to_string());
    }
    Ok(out.finish())
}

fn prefix(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

/// `(type, target)` of each relationship in a `.rels` part.
fn relationships(part: &str, xml: &str) -> Result<Vec<(String, String)>, DocError> {
    let root = xml::parse(part, xml)?;
    Ok(root
        .elements()
        .filter(|e| e.name == "Relationship")
        .filter_map(|e| Some((e.attr("Type")?.to_string(), e.attr("Target")?.to_string())))
        .collect())
}

/// The part a relationship of type `…/kind` points to, relative to `dir`.
fn target(rels: &[(String, String)], kind: &str, dir: &str) -> Option<String> {
    let (_, t) = rels
        .iter()
        .find(|(ty, _)| ty.rsplit('/').next() == Some(kind))?;
    let path = match t.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{}{t}", prefix(dir)),
    };
    // `word/./x.xml`, `word/../word/x.xml`
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[derive(Default)]
struct Walker {
    /// The notes referred to, in order: (is an endnote, id).
    refs: Vec<(bool, String)>,
}

impl Walker {
    /// Paragraphs and tables, one line each.
    fn blocks(&mut self, e: &Element, lines: &mut Vec<String>) {
        for c in e.elements() {
            match (c.ns, c.name.as_str()) {
                (Ns::W, "p") => {
                    let (mut s, mut after) = (String::new(), Vec::new());
                    self.inline(c, &mut s, &mut after);
                    lines.push(s);
                    lines.extend(after);
                }
                (Ns::W, "tbl") => self.table(c, lines),
                (Ns::W, n) if SKIP.contains(&n) => {}
                (Ns::Mc, "Fallback") => {}
                _ => self.blocks(c, lines),
            }
        }
    }

    fn table(&mut self, tbl: &Element, lines: &mut Vec<String>) {
        for tr in within(tbl, "tr") {
            let cells: Vec<String> = within(tr, "tc")
                .into_iter()
                .map(|tc| {
                    let mut paragraphs = Vec::new();
                    self.blocks(tc, &mut paragraphs);
                    cell_line(&paragraphs)
                })
                .collect();
            lines.push(cells.join("\t"));
        }
    }

    /// The text of a paragraph; text boxes inside it go to `after`, as lines.
    fn inline(&mut self, e: &Element, s: &mut String, after: &mut Vec<String>) {
        for c in &e.children {
            // Text outside `w:t` is the markup's own white space.
            let Node::Element(c) = c else { continue };
            if c.ns != Ns::W {
                if !c.is(Ns::Mc, "Fallback") {
                    self.inline(c, s, after);
                }
                continue;
            }
            match c.name.as_str() {
                "t" => s.push_str(&c.text()),
                "tab" => s.push('\t'),
                "br" => {
                    // Page and column breaks end no line of text.
                    if matches!(c.attr("type"), None | Some("textWrapping")) {
                        s.push('\n');
                    }
                }
                "cr" => s.push('\n'),
                "noBreakHyphen" => s.push('\u{2011}'),
                "softHyphen" => s.push('\u{ad}'),
                "sym" => {
                    if let Some(ch) = c
                        .attr("char")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                    {
                        s.push(ch);
                    }
                }
                "footnoteReference" | "endnoteReference" => {
                    if let Some(id) = c.attr("id") {
                        self.refs
                            .push((c.name == "endnoteReference", id.to_string()));
                        s.push_str(&format!("[{}]", self.refs.len()));
                    }
                }
                "txbxContent" => self.blocks(c, after),
                n if SKIP.contains(&n) => {}
                _ => self.inline(c, s, after),
            }
        }
    }
}

/// The `w:NAME` elements below `e`, through wrappers (content controls, custom
/// XML) but not into nested tables.
fn within<'a>(e: &'a Element, name: &str) -> Vec<&'a Element> {
    let mut out = Vec::new();
    for c in e.elements() {
        if c.is(Ns::W, name) {
            out.push(c);
        } else if c.ns != Ns::W || (c.name != "tbl" && !SKIP.contains(&c.name.as_str())) {
            out.extend(within(c, name));
        }
    }
    out
}
