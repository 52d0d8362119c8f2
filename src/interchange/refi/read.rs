//! QDA-XML as it comes: a streaming, tolerant reader that keeps what thematic can
//! use (users, codes, cases, text sources, selections, codings, notes) and counts
//! the rest, so nothing is dropped without a word.
//!
//! Tolerance: a BOM before `<?xml`, any namespace prefix, braced or upper-case
//! GUIDs, elements out of the schema's order, unknown elements (skipped, named in
//! the summary).

use std::borrow::Cow;
use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::xml::{guid_key, parse_bool};

/// A REFI project (or, for a `.qdc`, just its codes).
#[derive(Debug, Default)]
pub struct Doc {
    pub name: String,
    pub origin: String,
    pub creating_user: Option<String>,
    pub created: Option<String>,
    pub base_path: String,
    pub description: String,
    pub users: Vec<User>,
    pub codes: Vec<RCode>,
    pub variables: Vec<Variable>,
    pub cases: Vec<Case>,
    pub text_sources: Vec<TextSource>,
    /// Sources that are not text, by element name, with how many codings they held.
    pub other_sources: Vec<Other>,
    pub notes: Vec<Note>,
    /// `(origin, target)` of each `Link`.
    pub links: Vec<(String, String)>,
    /// Notes attached to the project itself.
    pub project_notes: Vec<String>,
    pub sets: usize,
    pub graphs: usize,
    /// Elements this reader does not know, with how often they occurred.
    pub unknown: BTreeMap<String, usize>,
    /// Whether the root was `CodeBook` (a `.qdc`).
    pub is_codebook: bool,
}

#[derive(Debug)]
pub struct User {
    pub guid: String,
    pub name: String,
}

#[derive(Debug, Default)]
pub struct RCode {
    pub guid: String,
    pub name: String,
    pub codable: bool,
    pub color: Option<String>,
    pub description: String,
    pub notes: Vec<String>,
    pub children: Vec<RCode>,
}

#[derive(Debug)]
pub struct Variable {
    pub guid: String,
    pub name: String,
}

#[derive(Debug, Default)]
pub struct Case {
    pub guid: String,
    pub name: String,
    pub description: String,
    pub values: Vec<(String, String)>,
    pub sources: Vec<String>,
    /// `CodeRef`s and `SelectionRef`s on the case: thematic has no place for them.
    pub refs: usize,
}

#[derive(Debug, Default)]
pub struct TextSource {
    pub guid: String,
    pub name: String,
    pub plain_text_path: Option<String>,
    /// Whether a rich-text copy (`richTextPath`, a .docx) is named.
    pub rich_text: bool,
    pub content: Option<String>,
    pub description: String,
    pub creating_user: Option<String>,
    pub selections: Vec<Selection>,
    /// Codings of the whole source.
    pub codings: Vec<RCoding>,
    pub notes: Vec<String>,
    pub values: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct Selection {
    pub guid: String,
    pub name: String,
    pub start: i64,
    pub end: i64,
    pub description: String,
    pub creating_user: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub codings: Vec<RCoding>,
    pub notes: Vec<String>,
}

#[derive(Debug, Default)]
pub struct RCoding {
    pub guid: String,
    pub code: Option<String>,
    pub creating_user: Option<String>,
    pub created: Option<String>,
    pub notes: Vec<String>,
}

#[derive(Debug)]
pub struct Other {
    /// `PDFSource`, `PictureSource`, `AudioSource`, `VideoSource`.
    pub kind: String,
    pub codings: usize,
}

#[derive(Debug, Default)]
pub struct Note {
    pub guid: String,
    pub name: String,
    pub content: Option<String>,
    pub plain_text_path: Option<String>,
    /// Codings made inside the note (thematic does not code memos).
    pub codings: usize,
}

/// A reading error at a byte offset of the XML text.
#[derive(Debug)]
pub struct XmlError {
    pub offset: usize,
    pub message: String,
}

type R<T> = Result<T, XmlError>;

/// One element's attributes, local names only, values unescaped.
struct Attrs(Vec<(String, String)>);

impl Attrs {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn string(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }
    fn guid(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(guid_key)
            .filter(|g: &String| !g.is_empty())
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }
}

enum Ev<'a> {
    Open(BytesStart<'a>, bool),
    Close,
    Text(Cow<'a, str>),
    Eof,
}

struct P<'a> {
    r: Reader<&'a [u8]>,
    doc: Doc,
}

fn local(e: &BytesStart) -> String {
    let n = e.local_name();
    let s: &str = n.as_ref();
    s.to_string()
}

impl<'a> P<'a> {
    fn err(&self, message: impl Into<String>) -> XmlError {
        XmlError {
            offset: self.r.buffer_position() as usize,
            message: message.into(),
        }
    }

    fn next(&mut self) -> R<Ev<'a>> {
        loop {
            let ev = self.r.read_event().map_err(|e| XmlError {
                offset: self.r.error_position() as usize,
                message: e.to_string(),
            })?;
            return Ok(match ev {
                Event::Start(e) => Ev::Open(e, false),
                Event::Empty(e) => Ev::Open(e, true),
                Event::End(_) => Ev::Close,
                Event::Text(t) => Ev::Text(t.xml10_content()),
                Event::CData(t) => Ev::Text(t.xml10_content()),
                Event::GeneralRef(r) => {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        Ev::Text(Cow::Owned(c.to_string()))
                    } else if let Some(s) = resolve_predefined_entity(&r.xml10_content()) {
                        Ev::Text(Cow::Borrowed(s))
                    } else {
                        return Err(self.err(format!("unknown entity &{};", r.xml10_content())));
                    }
                }
                Event::Eof => Ev::Eof,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {
                    continue;
                }
            });
        }
    }

    fn attrs(&self, e: &BytesStart) -> R<Attrs> {
        let mut out = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|er| self.err(format!("bad attribute: {er}")))?;
            let name = a.key.local_name();
            let key: &str = name.as_ref();
            let key = key.to_string();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|er| self.err(format!("bad attribute `{key}`: {er}")))?;
            out.push((key, value.into_owned()));
        }
        Ok(Attrs(out))
    }

    /// Walk the children of the element just opened; `f` must consume each child
    /// it is given (parse or skip). Returns the element's own text.
    /// Skip a container's child elements, counting them (sets and graphs are not
    /// imported, only reported).
    fn count_children(&mut self, empty: bool) -> R<usize> {
        let mut n = 0;
        self.children(empty, |p, _, empty| {
            n += 1;
            p.skip(empty).map(|_| ())
        })?;
        Ok(n)
    }

    fn children(
        &mut self,
        empty: bool,
        mut f: impl FnMut(&mut Self, BytesStart<'a>, bool) -> R<()>,
    ) -> R<String> {
        let mut text = String::new();
        if empty {
            return Ok(text);
        }
        loop {
            match self.next()? {
                Ev::Open(e, empty) => f(self, e, empty)?,
                Ev::Text(t) => text.push_str(&t),
                Ev::Close => return Ok(text),
                Ev::Eof => return Err(self.err("the file ends inside an element")),
            }
        }
    }

    /// Skip an element, counting the `Coding` elements inside it.
    fn skip(&mut self, empty: bool) -> R<usize> {
        let mut codings = 0;
        self.children(empty, |p, e, empty| {
            if local(&e) == "Coding" {
                codings += 1;
            }
            codings += p.skip(empty)?;
            Ok(())
        })?;
        Ok(codings)
    }

    fn unknown(&mut self, e: &BytesStart, empty: bool) -> R<()> {
        *self.doc.unknown.entry(local(e)).or_default() += 1;
        self.skip(empty)?;
        Ok(())
    }

    /// The text of an element (its children skipped).
    fn text(&mut self, empty: bool) -> R<String> {
        self.children(empty, |p, _, empty| p.skip(empty).map(|_| ()))
    }

    fn note_ref(&self, e: &BytesStart) -> R<Option<String>> {
        Ok(self.attrs(e)?.guid("targetGUID"))
    }

    fn root(&mut self) -> R<()> {
        loop {
            match self.next()? {
                Ev::Open(e, empty) => {
                    let a = self.attrs(&e)?;
                    return match local(&e).as_str() {
                        "Project" => {
                            self.doc.name = a.string("name");
                            self.doc.origin = a.string("origin");
                            self.doc.creating_user = a.guid("creatingUserGUID");
                            self.doc.created = a.get("creationDateTime").map(str::to_string);
                            self.doc.base_path = a.string("basePath");
                            self.project(empty)
                        }
                        "CodeBook" => {
                            self.doc.is_codebook = true;
                            self.doc.origin = a.string("origin");
                            self.codebook(empty)
                        }
                        other => Err(self.err(format!(
                            "the root element is <{other}>, not a REFI-QDA <Project> or <CodeBook>"
                        ))),
                    };
                }
                Ev::Text(t) if t.trim().is_empty() => {}
                Ev::Text(_) => return Err(self.err("text before the root element")),
                Ev::Close => return Err(self.err("unexpected closing tag")),
                Ev::Eof => return Err(self.err("the file has no root element")),
            }
        }
    }

    fn project(&mut self, empty: bool) -> R<()> {
        self.children(empty, |p, e, empty| match local(&e).as_str() {
            "Users" => p
                .children(empty, |p, e, empty| {
                    if local(&e) == "User" {
                        let a = p.attrs(&e)?;
                        if let Some(guid) = a.guid("guid") {
                            p.doc.users.push(User {
                                guid,
                                name: a.string("name").trim().to_string(),
                            });
                        }
                        p.skip(empty).map(|_| ())
                    } else {
                        p.unknown(&e, empty)
                    }
                })
                .map(|_| ()),
            "CodeBook" => p.codebook(empty),
            "Variables" => p
                .children(empty, |p, e, empty| {
                    if local(&e) == "Variable" {
                        let a = p.attrs(&e)?;
                        if let Some(guid) = a.guid("guid") {
                            p.doc.variables.push(Variable {
                                guid,
                                name: a.string("name"),
                            });
                        }
                        p.skip(empty).map(|_| ())
                    } else {
                        p.unknown(&e, empty)
                    }
                })
                .map(|_| ()),
            "Cases" => p
                .children(empty, |p, e, empty| {
                    if local(&e) == "Case" {
                        let case = p.case(&e, empty)?;
                        p.doc.cases.push(case);
                        Ok(())
                    } else {
                        p.unknown(&e, empty)
                    }
                })
                .map(|_| ()),
            "Sources" => p
                .children(empty, |p, e, empty| match local(&e).as_str() {
                    "TextSource" => {
                        let s = p.text_source(&e, empty)?;
                        p.doc.text_sources.push(s);
                        Ok(())
                    }
                    kind @ ("PDFSource" | "PictureSource" | "AudioSource" | "VideoSource") => {
                        let codings = p.skip(empty)?;
                        p.doc.other_sources.push(Other {
                            kind: kind.to_string(),
                            codings,
                        });
                        Ok(())
                    }
                    _ => p.unknown(&e, empty),
                })
                .map(|_| ()),
            "Notes" => p
                .children(empty, |p, e, empty| {
                    if local(&e) == "Note" {
                        let s = p.text_source(&e, empty)?;
                        let codings = s.codings.len()
                            + s.selections.iter().map(|x| x.codings.len()).sum::<usize>();
                        p.doc.notes.push(Note {
                            guid: s.guid,
                            name: s.name,
                            content: s.content,
                            plain_text_path: s.plain_text_path,
                            codings,
                        });
                        Ok(())
                    } else {
                        p.unknown(&e, empty)
                    }
                })
                .map(|_| ()),
            "Links" => p
                .children(empty, |p, e, empty| {
                    if local(&e) == "Link" {
                        let a = p.attrs(&e)?;
                        if let (Some(o), Some(t)) = (a.guid("originGUID"), a.guid("targetGUID")) {
                            p.doc.links.push((o, t));
                        }
                        p.skip(empty).map(|_| ())
                    } else {
                        p.unknown(&e, empty)
                    }
                })
                .map(|_| ()),
            "Sets" => {
                p.doc.sets += p.count_children(empty)?;
                Ok(())
            }
            "Graphs" => {
                p.doc.graphs += p.count_children(empty)?;
                Ok(())
            }
            "Description" => {
                let t = p.text(empty)?;
                p.doc.description = t;
                Ok(())
            }
            "NoteRef" => {
                if let Some(g) = p.note_ref(&e)? {
                    p.doc.project_notes.push(g);
                }
                p.skip(empty).map(|_| ())
            }
            _ => p.unknown(&e, empty),
        })?;
        Ok(())
    }

    /// `CodeBook` (project or `.qdc`): `Codes` and, in a `.qdc`, `Sets`.
    fn codebook(&mut self, empty: bool) -> R<()> {
        self.children(empty, |p, e, empty| match local(&e).as_str() {
            "Codes" => p
                .children(empty, |p, e, empty| {
                    if local(&e) == "Code" {
                        let c = p.code(&e, empty)?;
                        p.doc.codes.push(c);
                        Ok(())
                    } else {
                        p.unknown(&e, empty)
                    }
                })
                .map(|_| ()),
            "Sets" => {
                p.doc.sets += p.count_children(empty)?;
                Ok(())
            }
            _ => p.unknown(&e, empty),
        })
        .map(|_| ())
    }

    fn code(&mut self, e: &BytesStart, empty: bool) -> R<RCode> {
        let a = self.attrs(e)?;
        let mut c = RCode {
            guid: a.guid("guid").unwrap_or_default(),
            name: a.string("name"),
            // Missing or unreadable: codable, which is what a code usually is.
            codable: a.get("isCodable").and_then(parse_bool).unwrap_or(true),
            color: a.get("color").map(str::to_string),
            ..RCode::default()
        };
        self.children(empty, |p, e, empty| match local(&e).as_str() {
            "Description" => {
                c.description = p.text(empty)?;
                Ok(())
            }
            "NoteRef" => {
                c.notes.extend(p.note_ref(&e)?);
                p.skip(empty).map(|_| ())
            }
            "Code" => {
                let child = p.code(&e, empty)?;
                c.children.push(child);
                Ok(())
            }
            _ => p.unknown(&e, empty),
        })?;
        Ok(c)
    }

    fn variable_value(&mut self, empty: bool) -> R<Option<(String, String)>> {
        let mut var = None;
        let mut value = None;
        self.children(empty, |p, e, empty| match local(&e).as_str() {
            "VariableRef" => {
                var = p.attrs(&e)?.guid("targetGUID");
                p.skip(empty).map(|_| ())
            }
            "TextValue" | "BooleanValue" | "IntegerValue" | "FloatValue" | "DateValue"
            | "DateTimeValue" => {
                value = Some(p.text(empty)?);
                Ok(())
            }
            _ => p.unknown(&e, empty),
        })?;
        Ok(var.map(|v| (v, value.unwrap_or_default())))
    }

    fn case(&mut self, e: &BytesStart, empty: bool) -> R<Case> {
        let a = self.attrs(e)?;
        let mut c = Case {
            guid: a.guid("guid").unwrap_or_default(),
            name: a.string("name"),
            ..Case::default()
        };
        self.children(empty, |p, e, empty| match local(&e).as_str() {
            "Description" => {
                c.description = p.text(empty)?;
                Ok(())
            }
            "VariableValue" => {
                c.values.extend(p.variable_value(empty)?);
                Ok(())
            }
            "SourceRef" => {
                c.sources.extend(p.attrs(&e)?.guid("targetGUID"));
                p.skip(empty).map(|_| ())
            }
            "CodeRef" | "SelectionRef" => {
                c.refs += 1;
                p.skip(empty).map(|_| ())
            }
            _ => p.unknown(&e, empty),
        })?;
        Ok(c)
    }

    /// A `TextSourceType`: a text source, a note, a representation.
    fn text_source(&mut self, e: &BytesStart, empty: bool) -> R<TextSource> {
        let a = self.attrs(e)?;
        let mut s = TextSource {
            guid: a.guid("guid").unwrap_or_default(),
            name: a.string("name"),
            plain_text_path: a
                .get("plainTextPath")
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
            rich_text: a.get("richTextPath").is_some_and(|p| !p.trim().is_empty()),
            creating_user: a.guid("creatingUser"),
            ..TextSource::default()
        };
        self.children(empty, |p, e, empty| match local(&e).as_str() {
            "Description" => {
                s.description = p.text(empty)?;
                Ok(())
            }
            "PlainTextContent" => {
                s.content = Some(p.text(empty)?);
                Ok(())
            }
            "PlainTextSelection" => {
                let sel = p.selection(&e, empty)?;
                s.selections.push(sel);
                Ok(())
            }
            "Coding" => {
                let c = p.coding(&e, empty)?;
                s.codings.push(c);
                Ok(())
            }
            "NoteRef" => {
                s.notes.extend(p.note_ref(&e)?);
                p.skip(empty).map(|_| ())
            }
            "VariableValue" => {
                s.values.extend(p.variable_value(empty)?);
                Ok(())
            }
            _ => p.unknown(&e, empty),
        })?;
        Ok(s)
    }

    fn selection(&mut self, e: &BytesStart, empty: bool) -> R<Selection> {
        let a = self.attrs(e)?;
        let (Some(start), Some(end)) = (a.int("startPosition"), a.int("endPosition")) else {
            return Err(
                self.err("a PlainTextSelection needs integer startPosition and endPosition")
            );
        };
        let mut s = Selection {
            guid: a.guid("guid").unwrap_or_default(),
            name: a.string("name"),
            start,
            end,
            creating_user: a.guid("creatingUser"),
            created: a.get("creationDateTime").map(str::to_string),
            modified: a.get("modifiedDateTime").map(str::to_string),
            ..Selection::default()
        };
        self.children(empty, |p, e, empty| match local(&e).as_str() {
            "Description" => {
                s.description = p.text(empty)?;
                Ok(())
            }
            "Coding" => {
                let c = p.coding(&e, empty)?;
                s.codings.push(c);
                Ok(())
            }
            "NoteRef" => {
                s.notes.extend(p.note_ref(&e)?);
                p.skip(empty).map(|_| ())
            }
            _ => p.unknown(&e, empty),
        })?;
        Ok(s)
    }

    fn coding(&mut self, e: &BytesStart, empty: bool) -> R<RCoding> {
        let a = self.attrs(e)?;
        let mut c = RCoding {
            guid: a.guid("guid").unwrap_or_default(),
            creating_user: a.guid("creatingUser"),
            created: a.get("creationDateTime").map(str::to_string),
            ..RCoding::default()
        };
        self.children(empty, |p, e, empty| match local(&e).as_str() {
            "CodeRef" => {
                c.code = p.attrs(&e)?.guid("targetGUID");
                p.skip(empty).map(|_| ())
            }
            "NoteRef" => {
                c.notes.extend(p.note_ref(&e)?);
                p.skip(empty).map(|_| ())
            }
            _ => p.unknown(&e, empty),
        })?;
        Ok(c)
    }
}

/// Read a `.qde` or `.qdc` document (the text must be UTF-8; a BOM is ignored).
pub fn parse(text: &str) -> Result<Doc, XmlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = Reader::from_str(text);
    let cfg = r.config_mut();
    cfg.check_end_names = true;
    cfg.trim_text_start = false;
    cfg.trim_text_end = false;
    let mut p = P {
        r,
        doc: Doc::default(),
    };
    p.root()?;
    // Anything but blanks and comments after the root is an error in XML.
    loop {
        match p.next()? {
            Ev::Eof => break,
            Ev::Text(t) if t.trim().is_empty() => {}
            _ => return Err(p.err("content after the root element")),
        }
    }
    Ok(p.doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_sources_and_entities() {
        let x = "\u{feff}<?xml version=\"1.0\"?>\n<q:Project xmlns:q=\"urn:QDA-XML:project:1.0\" name=\"A &amp; B\" origin=\"NVivo\">\
            <q:CodeBook><q:Codes><q:Code guid=\"{AA000000-0000-0000-0000-000000000001}\" name=\"Top\" isCodable=\"0\">\
            <q:Description>d &lt; e&#13;</q:Description>\
            <q:Code guid=\"aa000000-0000-0000-0000-000000000002\" name=\"Kid\" isCodable=\"true\" color=\"#ABC\"/></q:Code></q:Codes></q:CodeBook>\
            <q:Sources><q:TextSource guid=\"bb000000-0000-0000-0000-000000000001\" name=\"t\"><q:PlainTextContent>one\r\ntwo</q:PlainTextContent>\
            <q:PlainTextSelection guid=\"cc000000-0000-0000-0000-000000000001\" startPosition=\"0\" endPosition=\"3\" name=\"one\">\
            <q:Coding guid=\"dd000000-0000-0000-0000-000000000001\"><q:CodeRef targetGUID=\"AA000000-0000-0000-0000-000000000002\"/></q:Coding>\
            </q:PlainTextSelection></q:TextSource><q:PictureSource guid=\"ee000000-0000-0000-0000-000000000001\"><q:PictureSelection guid=\"ee000000-0000-0000-0000-000000000002\" firstX=\"1\" firstY=\"1\" secondX=\"2\" secondY=\"2\"><q:Coding guid=\"ee000000-0000-0000-0000-000000000003\"><q:CodeRef targetGUID=\"aa000000-0000-0000-0000-000000000002\"/></q:Coding></q:PictureSelection></q:PictureSource></q:Sources>\
            <q:Frobnicate/></q:Project>\n";
        let d = parse(x).expect("parses");
        assert_eq!(d.name, "A & B");
        assert_eq!(d.codes.len(), 1);
        assert!(!d.codes[0].codable);
        assert_eq!(d.codes[0].guid, "aa000000-0000-0000-0000-000000000001");
        assert_eq!(d.codes[0].description, "d < e\r");
        assert_eq!(d.codes[0].children[0].color.as_deref(), Some("#ABC"));
        let s = &d.text_sources[0];
        assert_eq!(s.content.as_deref(), Some("one\ntwo"), "XML folds CRLF");
        assert_eq!(
            s.selections[0].codings[0].code.as_deref(),
            Some("aa000000-0000-0000-0000-000000000002")
        );
        assert_eq!(d.other_sources[0].codings, 1);
        assert_eq!(d.unknown.get("Frobnicate"), Some(&1));
    }

    #[test]
    fn reports_where_the_xml_breaks() {
        let e = parse("<Project name=\"x\"><Users></Project>").unwrap_err();
        assert!(e.offset > 0, "{e:?}");
        let e = parse("<Html/>").unwrap_err();
        assert!(e.message.contains("<Html>"), "{}", e.message);
    }
}
