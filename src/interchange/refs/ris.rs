//! RIS, the tagged line format every reference manager exports:
//! `TY  - JOUR` starts a reference, `ER  - ` ends it, `XX  - value` in between,
//! and a line that is not a tag continues the value before it.

use super::names::{collapse, normalize_doi, page_range, pages, ris_person, year};
use super::{Reference, RefsError};
use crate::model::Citation;

/// Whether a line is a tag line: two capitals or digits (the first a capital),
/// spaces, a hyphen, then a space or the end of the line.
pub fn is_tag_line(line: &str) -> bool {
    tag(line).is_some()
}

/// The tag and value of a tag line. Exporters differ in the spaces around the
/// hyphen (`TY  - `, `TY - `, `ER  -`), so any run of spaces is accepted.
fn tag(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.len() < 3
        || !b[0].is_ascii_uppercase()
        || !(b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
    {
        return None;
    }
    let rest = line[2..].trim_start_matches(' ');
    if rest.len() == line.len() - 2 {
        return None;
    }
    let value = rest.strip_prefix('-')?;
    if !(value.is_empty() || value.starts_with(' ')) {
        return None;
    }
    Some((&line[..2], value.strip_prefix(' ').unwrap_or(value)))
}

/// One reference's tags and values, in file order.
struct Record {
    line: usize,
    fields: Vec<(String, String)>,
}

impl Record {
    fn first(&self, tags: &[&str]) -> Option<&str> {
        tags.iter().find_map(|t| {
            self.fields
                .iter()
                .find(|(k, v)| k == t && !v.trim().is_empty())
                .map(|(_, v)| v.as_str())
        })
    }

    fn all(&self, tags: &[&str]) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(move |(k, v)| tags.contains(&k.as_str()) && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }
}

pub fn parse(text: &str) -> Result<Vec<Reference>, RefsError> {
    let err = |line: usize, col: usize, message: String| RefsError::Syntax { line, col, message };
    let mut out = Vec::new();
    let mut open: Option<Record> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches(['\r', ' ', '\t']);
        // Some exporters indent nothing, some indent continuation lines; a tag
        // line is recognised after leading spaces too.
        let trimmed = line.trim_start();
        let indent = line.chars().count() - trimmed.chars().count();
        match (tag(trimmed), open.as_mut()) {
            (Some(("TY", value)), None) => {
                open = Some(Record {
                    line: n,
                    fields: vec![("TY".into(), value.trim().into())],
                });
            }
            (Some(("TY", _)), Some(r)) => {
                return Err(err(
                    n,
                    indent + 1,
                    format!(
                        "a new reference starts before the one at line {} ended (`ER  - ` missing)",
                        r.line
                    ),
                ));
            }
            (Some(("ER", _)), Some(_)) => {
                let r = open.take().expect("a record is open");
                out.push(reference(&r));
            }
            (Some(_), None) => {
                return Err(err(
                    n,
                    indent + 1,
                    "expected `TY  - ` to start a reference".into(),
                ));
            }
            (Some((t, value)), Some(r)) => r.fields.push((t.to_string(), value.to_string())),
            (None, _) if trimmed.is_empty() => {}
            (None, Some(r)) => {
                // A continuation of the value before (long abstracts, titles).
                let (_, last) = r.fields.last_mut().expect("TY comes first");
                if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(trimmed);
            }
            // Database exports (Ovid, ScienceDirect) put `Provider: …` lines
            // before the first reference.
            (None, None) if out.is_empty() => {}
            (None, None) => {
                return Err(err(
                    n,
                    indent + 1,
                    "not a RIS tag line (`XX  - value`) and outside any reference".into(),
                ));
            }
        }
    }
    if let Some(r) = open {
        return Err(err(
            r.line,
            1,
            "this reference is not closed (`ER  - ` missing before the end of the file)".into(),
        ));
    }
    Ok(out)
}

/// The citation a record describes.
fn reference(r: &Record) -> Reference {
    let mut notes = Vec::new();
    let authors: Vec<String> = r
        .all(&["AU", "A1"])
        .flat_map(|v| v.split(';'))
        .map(ris_person)
        .filter(|a| !a.is_empty())
        .collect();
    let doi_field = r.first(&["DO", "DI"]);
    let doi = match doi_field {
        Some(raw) => {
            let d = normalize_doi(raw);
            if d.is_none() {
                notes.push(format!("`{}` is not a DOI; left out", raw.trim()));
            }
            d
        }
        // EndNote and some databases put the DOI in a URL or note field.
        None => r
            .all(&["UR", "L3", "M3", "N1", "L2"])
            .filter(|v| v.contains("doi"))
            .find_map(normalize_doi),
    };
    let start = r.first(&["SP"]).unwrap_or("");
    let end = r.first(&["EP"]).unwrap_or("");
    let citation = Citation {
        authors,
        year: r.first(&["PY", "Y1", "DA", "Y2"]).and_then(year),
        title: collapse(r.first(&["TI", "T1", "CT", "BT"]).unwrap_or("")),
        journal: collapse(r.first(&["JF", "T2", "JO", "JA", "J2", "J1"]).unwrap_or("")),
        doi,
        volume: collapse(r.first(&["VL"]).unwrap_or("")),
        issue: collapse(r.first(&["IS", "CP"]).unwrap_or("")),
        pages: if end.is_empty() {
            pages(start)
        } else {
            page_range(start, end)
        },
    };
    Reference {
        line: r.line,
        citation,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZOTERO: &str = "TY  - JOUR\r\nTI  - Clinicians’ views on care:\r\n  a qualitative study\r\nAU  - Okafor, Ngozi\r\nAU  - Reyes, Luis\r\nT2  - BMC Psychiatry\r\nDA  - 2019/03/01/\r\nPY  - 2019\r\nDO  - https://doi.org/10.1186/S12888-019-2000-X\r\nVL  - 19\r\nIS  - 3\r\nSP  - 100\r\nEP  - 110\r\nER  - \r\n\r\nTY  - RPRT\r\nTI  - Guidance\r\nAU  - World Health Organization\r\nER  -\r\n";

    #[test]
    fn reads_a_zotero_export() {
        let refs = parse(ZOTERO).unwrap();
        assert_eq!(refs.len(), 2);
        let c = &refs[0].citation;
        assert_eq!(refs[0].line, 1);
        assert_eq!(c.title, "Clinicians’ views on care: a qualitative study");
        assert_eq!(c.authors, ["Okafor, Ngozi", "Reyes, Luis"]);
        assert_eq!(c.journal, "BMC Psychiatry");
        assert_eq!(c.year, Some(2019));
        assert_eq!(c.doi.as_deref(), Some("10.1186/s12888-019-2000-x"));
        assert_eq!((c.volume.as_str(), c.issue.as_str()), ("19", "3"));
        assert_eq!(c.pages, "100–110");
        assert_eq!(refs[1].line, 16);
        assert_eq!(refs[1].citation.authors, ["World Health Organization"]);
        assert_eq!(refs[1].citation.year, None);
    }

    #[test]
    fn tag_lines() {
        assert_eq!(tag("TY  - JOUR"), Some(("TY", "JOUR")));
        assert_eq!(tag("ER  -"), Some(("ER", "")));
        assert_eq!(tag("A1 - Okafor, N."), Some(("A1", "Okafor, N.")));
        assert_eq!(tag("TY-JOUR"), None);
        assert_eq!(tag("Ty  - JOUR"), None);
        assert_eq!(tag("1Y  - x"), None);
        assert_eq!(tag("AB  -x"), None);
    }

    #[test]
    fn malformed_files_say_where() {
        let e = parse("TY  - JOUR\nTI  - A\nTY  - JOUR\nER  - \n").unwrap_err();
        assert_eq!(e.to_string().split(':').next(), Some("3"), "{e}");
        let e = parse("TY  - JOUR\nTI  - A\n").unwrap_err();
        assert!(e.to_string().starts_with("1:1: "), "{e}");
        let e = parse("TY  - JOUR\nER  - \nstray text\n").unwrap_err();
        assert!(e.to_string().starts_with("3:1: "), "{e}");
        let e = parse("Provider: Elsevier\n\n  TI  - no type\n").unwrap_err();
        assert!(e.to_string().starts_with("3:3: "), "{e}");
    }

    #[test]
    fn doi_from_a_url_when_there_is_no_do_tag() {
        let refs =
            parse("TY  - JOUR\nTI  - A\nUR  - https://doi.org/10.1000/XYZ\nER  - \n").unwrap();
        assert_eq!(refs[0].citation.doi.as_deref(), Some("10.1000/xyz"));
        let refs = parse("TY  - JOUR\nTI  - A\nDO  - n/a\nER  - \n").unwrap();
        assert_eq!(refs[0].citation.doi, None);
        assert_eq!(refs[0].notes.len(), 1);
    }
}
