//! A small element tree over `quick-xml`, with namespaces resolved: document
//! parts are a few megabytes at most, and walking a tree keeps the readers of
//! Word and ODF documents short.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use super::DocError;

/// The namespaces the readers look at; everything else is `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ns {
    /// WordprocessingML (transitional and strict).
    W,
    /// Markup compatibility (`mc:AlternateContent`).
    Mc,
    /// OOXML package relationships.
    Rels,
    /// ODF `text:`, `table:`, `office:`, `draw:`.
    Text,
    Table,
    Office,
    Draw,
    Other,
}

fn ns_of(uri: &str) -> Ns {
    match uri {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        | "http://purl.oclc.org/ooxml/wordprocessingml/main" => Ns::W,
        "http://schemas.openxmlformats.org/markup-compatibility/2006" => Ns::Mc,
        "http://schemas.openxmlformats.org/package/2006/relationships" => Ns::Rels,
        "urn:oasis:names:tc:opendocument:xmlns:text:1.0" => Ns::Text,
        "urn:oasis:names:tc:opendocument:xmlns:table:1.0" => Ns::Table,
        "urn:oasis:names:tc:opendocument:xmlns:office:1.0" => Ns::Office,
        "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" => Ns::Draw,
        _ => Ns::Other,
    }
}

#[derive(Debug)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug)]
pub struct Element {
    pub ns: Ns,
    /// The local name (`p` for `w:p`).
    pub name: String,
    /// Attributes by local name (`id` for `w:id`), with their values unescaped.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    pub fn is(&self, ns: Ns, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Every element below this one, depth first.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = self.elements().collect();
        stack.reverse();
        while let Some(e) = stack.pop() {
            out.push(e);
            let at = stack.len();
            stack.extend(e.elements());
            stack[at..].reverse();
        }
        out
    }

    /// All the text below this element.
    pub fn text(&self) -> String {
        let mut s = String::new();
        collect_text(self, &mut s);
        s
    }
}

fn collect_text(e: &Element, s: &mut String) {
    for c in &e.children {
        match c {
            Node::Text(t) => s.push_str(t),
            Node::Element(e) => collect_text(e, s),
        }
    }
}

/// Parse one XML part (`part` names it in errors) into its root element.
pub fn parse(part: &str, xml: &str) -> Result<Element, DocError> {
    let xml = crate::text::strip_bom(xml);
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element {
        ns: Ns::Other,
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
    }];
    let error = |at: u64, message: String| {
        let (line, col) = crate::store::line_col(xml, at as usize);
        DocError::Xml {
            part: part.to_string(),
            line,
            col,
            message,
        }
    };
    loop {
        let (resolved, event) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => return Err(error(reader.error_position(), e.to_string())),
        };
        let ns = match resolved {
            ResolveResult::Bound(n) => ns_of(n.into_inner()),
            _ => Ns::Other,
        };
        let top = stack.last_mut().expect("the root stays");
        let (start, empty) = match event {
            Event::Start(s) => (s, false),
            Event::Empty(s) => (s, true),
            Event::End(_) => {
                let el = stack.pop().expect("quick-xml checks that ends match");
                stack
                    .last_mut()
                    .ok_or_else(|| error(reader.buffer_position(), "unexpected end tag".into()))?
                    .children
                    .push(Node::Element(el));
                continue;
            }
            Event::Text(t) => {
                push_text(top, &t.xml10_content());
                continue;
            }
            Event::CData(t) => {
                push_text(top, &t);
                continue;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .map(str::to_string)
                        .ok_or_else(|| {
                            error(
                                reader.buffer_position(),
                                format!("unknown entity `&{};`", &*r),
                            )
                        })?,
                };
                push_text(top, &resolved);
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let mut attrs = Vec::new();
        for a in start.attributes() {
            let a = a.map_err(|e| error(reader.buffer_position(), e.to_string()))?;
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| error(reader.buffer_position(), e.to_string()))?;
            attrs.push((
                a.key.local_name().into_inner().to_string(),
                value.into_owned(),
            ));
        }
        let el = Element {
            ns,
            name: start.local_name().into_inner().to_string(),
            attrs,
            children: Vec::new(),
        };
        if empty {
            top.children.push(Node::Element(el));
        } else {
            stack.push(el);
        }
    }
    if stack.len() != 1 {
        return Err(error(
            xml.len() as u64,
            "the document ends inside an element".into(),
        ));
    }
    let root = stack.pop().expect("the root");
    root.children
        .into_iter()
        .find_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .ok_or_else(|| error(0, "no root element".into()))
}

fn push_text(e: &mut Element, s: &str) {
    if let Some(Node::Text(t)) = e.children.last_mut() {
        t.push_str(s);
    } else {
        e.children.push(Node::Text(s.to_string()));
    }
}
