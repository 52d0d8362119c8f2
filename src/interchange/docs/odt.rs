//! OpenDocument text: `content.xml`'s `office:text`. White space in paragraphs
//! follows the ODF rules (runs of spaces, tabs and newlines in the markup are one
//! space; `text:s`, `text:tab` and `text:line-break` are the real ones). Tracked
//! changes, annotations and the templates of indexes are left out.

use super::xml::{self, Element, Node, Ns};
use super::{DocError, Package, Text, cell_line};

/// A repeat count larger than this is a spreadsheet-style filler, read once.
const MAX_REPEAT: usize = 64;

pub(super) fn text(pkg: &mut Package) -> Result<String, DocError> {
    let content = xml::parse("content.xml", &pkg.required("content.xml")?)?;
    let body = content
        .descendants()
        .into_iter()
        .find(|e| e.is(Ns::Office, "text"))
        .ok_or_else(|| DocError::Xml {
            part: "content.xml".into(),
            line: 1,
            col: 1,
            message: "no office:text in the document (is it a text document?)".into(),
        })?;
    let mut out = Text::default();
    let mut walker = Walker::default();
    walker.blocks(body, &mut out.lines);
    out.notes = walker.notes;
    Ok(out.finish())
}

#[derive(Default)]
struct Walker {
    notes: Vec<String>,
}

/// A paragraph being built, with what the ODF white-space rule needs to know.
struct Para {
    s: String,
    /// The last character came from collapsible white space (or the paragraph
    /// has just begun, where such space is dropped).
    in_space: bool,
    /// How many trailing bytes of `s` are collapsible space.
    trailing: usize,
}

impl Para {
    fn new() -> Self {
        Para {
            s: String::new(),
            in_space: true,
            trailing: 0,
        }
    }

    fn markup_text(&mut self, t: &str) {
        for ch in t.chars() {
            if matches!(ch, ' ' | '\t' | '\n' | '\r') {
                if !self.in_space {
                    self.s.push(' ');
                    self.trailing = 1;
                    self.in_space = true;
                }
            } else {
                self.s.push(ch);
                self.in_space = false;
                self.trailing = 0;
            }
        }
    }

    fn literal(&mut self, t: &str) {
        self.s.push_str(t);
        self.in_space = false;
        self.trailing = 0;
    }

    fn finish(mut self) -> String {
        self.s.truncate(self.s.len() - self.trailing);
        self.s
    }
}

fn repeat(e: &Element, attr: &str) -> usize {
    match e.attr(attr).and_then(|n| n.parse::<usize>().ok()) {
        Some(n) if (1..=MAX_REPEAT).contains(&n) => n,
        _ => 1,
    }
}

impl Walker {
    fn blocks(&mut self, e: &Element, lines: &mut Vec<String>) {
        for c in e.elements() {
            self.block(c, lines);
        }
    }

    fn block(&mut self, c: &Element, lines: &mut Vec<String>) {
        match (c.ns, c.name.as_str()) {
            (Ns::Text, "p" | "h") => {
                let mut p = Para::new();
                let mut after = Vec::new();
                self.inline(c, &mut p, &mut after);
                lines.push(p.finish());
                lines.extend(after);
            }
            (Ns::Table, "table") => self.table(c, lines),
            (Ns::Text, "tracked-changes" | "sequence-decls" | "variable-decls")
            | (Ns::Text, "user-field-decls" | "dde-connection-decls")
            | (Ns::Office, "annotation" | "forms") => {}
            // The templates of a table of contents or an index, not its text.
            (Ns::Text, n) if n.ends_with("-source") => {}
            _ => self.blocks(c, lines),
        }
    }

    fn table(&mut self, t: &Element, lines: &mut Vec<String>) {
        for row in rows(t) {
            let mut cells = Vec::new();
            for cell in row.elements() {
                if cell.is(Ns::Table, "table-cell") || cell.is(Ns::Table, "covered-table-cell") {
                    let mut paragraphs = Vec::new();
                    self.blocks(cell, &mut paragraphs);
                    let text = cell_line(&paragraphs);
                    for _ in 0..repeat(cell, "number-columns-repeated") {
                        cells.push(text.clone());
                    }
                }
            }
            let line = cells.join("\t");
            for _ in 0..repeat(row, "number-rows-repeated") {
                lines.push(line.clone());
            }
        }
    }

    fn inline(&mut self, e: &Element, p: &mut Para, after: &mut Vec<String>) {
        for c in &e.children {
            let c = match c {
                Node::Text(t) => {
                    p.markup_text(t);
                    continue;
                }
                Node::Element(c) => c,
            };
            match (c.ns, c.name.as_str()) {
                (Ns::Text, "s") => {
                    let n = c.attr("c").and_then(|n| n.parse().ok()).unwrap_or(1usize);
                    p.literal(&" ".repeat(n.min(1000)));
                }
                (Ns::Text, "tab") => p.literal("\t"),
                (Ns::Text, "line-break") => p.literal("\n"),
                (Ns::Text, "note") => {
                    let mut lines = Vec::new();
                    if let Some(body) = c.elements().find(|b| b.is(Ns::Text, "note-body")) {
                        self.blocks(body, &mut lines);
                    }
                    self.notes.push(lines.join("\n").trim_start().to_string());
                    p.literal(&format!("[{}]", self.notes.len()));
                }
                // A list label LibreOffice caches for other readers; Word's numbers
                // are not in its text either.
                (Ns::Text, "number" | "change" | "change-start" | "change-end") => {}
                (Ns::Office, "annotation" | "annotation-end") => {}
                // Frames hold images (whose descriptions are not text) and text boxes.
                (Ns::Draw, _) => self.frames(c, after),
                _ => self.inline(c, p, after),
            }
        }
    }

    /// The paragraphs of text boxes and shapes, as lines.
    fn frames(&mut self, e: &Element, after: &mut Vec<String>) {
        for c in e.elements() {
            match c.ns {
                Ns::Text | Ns::Table => self.block(c, after),
                Ns::Draw => self.frames(c, after),
                _ => {}
            }
        }
    }
}

/// The rows of a table, through header-rows, row groups and the like.
fn rows(t: &Element) -> Vec<&Element> {
    let mut out = Vec::new();
    for c in t.elements() {
        if c.is(Ns::Table, "table-row") {
            out.push(c);
        } else if c.ns == Ns::Table
            && matches!(
                c.name.as_str(),
                "table-header-rows" | "table-rows" | "table-row-group"
            )
        {
            out.extend(rows(c));
        }
    }
    out
}
