//! Text sources: their texts read, their selections turned into codings with
//! positions in code points, and grouped into studies.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;

use super::super::archive::{Location, Package, decode_text};
use super::super::positions::{self, Basis, Converter, Unit};
use super::super::read::{self, Doc, TextSource};
use super::super::xml::{normalize_datetime, parse_guid};
use super::claim;
use super::notes::{Notes, join_texts};
use crate::model::{Citation, Coding, Construct, Id, Project, Source, Study};
use crate::text::{SourceText, slug};

/// What every source's conversion shares.
pub(super) struct Ctx<'a> {
    pub(super) codes: &'a HashMap<String, Id>,
    pub(super) users: &'a HashMap<String, Id>,
    pub(super) owner: Id,
    pub(super) notes: &'a Notes,
    pub(super) origin: &'a str,
}

/// One text source, converted (codings still carry proposed ids).
pub(super) struct Converted {
    pub(super) text: String,
    pub(super) chars: u32,
    sha256: String,
    pub(super) codings: Vec<Coding>,
    pub(super) unit: Unit,
    pub(super) basis: Basis,
    pub(super) used_notes: HashSet<String>,
    pub(super) free_selections: usize,
    pub(super) free_with_memo: usize,
    pub(super) no_code: usize,
    pub(super) bad_span: usize,
    pub(super) misnamed: usize,
    pub(super) inside_char: usize,
}

pub(super) fn convert(ts: &TextSource, text: String, ctx: &Ctx) -> Converted {
    let sels: Vec<(i64, i64, &str)> = ts
        .selections
        .iter()
        .map(|s| (s.start, s.end, s.name.as_str()))
        .collect();
    let text = SourceText::new(text);
    let (unit, basis) = positions::choose(&text, &sels, ctx.origin);
    let conv = Converter::new(text.as_str(), unit);
    let chars = text.chars();
    let mut out = Converted {
        codings: Vec::new(),
        unit,
        basis,
        used_notes: HashSet::new(),
        free_selections: 0,
        free_with_memo: 0,
        no_code: 0,
        bad_span: 0,
        misnamed: 0,
        inside_char: 0,
        text: String::new(),
        chars,
        sha256: text.sha256(),
    };
    let user = |g: &Option<String>| g.as_ref().and_then(|g| ctx.users.get(g)).copied();
    let source_by = user(&ts.creating_user).unwrap_or(ctx.owner);
    let push = |out: &mut Converted,
                rc: &read::RCoding,
                span: (u32, u32),
                by: Id,
                (at, edited): (Option<&String>, Option<&String>),
                note: String| {
        let Some(code) = rc.code.as_ref().and_then(|g| ctx.codes.get(g)) else {
            out.no_code += 1;
            return;
        };
        let own = ctx.notes.join(&rc.notes, &rc.guid, &mut out.used_notes);
        out.codings.push(Coding {
            id: parse_guid(&rc.guid).unwrap_or_default(),
            source: Id::from_u128(0),
            start: span.0,
            end: span.1,
            code: *code,
            by: user(&rc.creating_user).unwrap_or(by),
            at: rc
                .created
                .as_deref()
                .or(at.map(String::as_str))
                .and_then(normalize_datetime)
                .unwrap_or_default(),
            edited: edited
                .and_then(|e| normalize_datetime(e))
                .unwrap_or_default(),
            construct: Construct::Unspecified,
            quote: text.slice(span.0, span.1).to_string(),
            note: join_texts([note.as_str(), own.as_str()]),
            flag: None,
        });
    };
    for s in &ts.selections {
        let sel_note = join_texts([
            s.description.as_str(),
            ctx.notes
                .join(&s.notes, &s.guid, &mut out.used_notes)
                .as_str(),
        ]);
        if s.codings.is_empty() {
            out.free_selections += 1;
            if !sel_note.is_empty() {
                out.free_with_memo += 1;
            }
            continue;
        }
        let span = match (conv.cp(s.start), conv.cp(s.end)) {
            (Some((a, ea)), Some((b, eb))) if a < b && b <= chars as u64 => {
                if !ea || !eb {
                    out.inside_char += 1;
                }
                (a as u32, b as u32)
            }
            _ => {
                out.bad_span += s.codings.len();
                continue;
            }
        };
        if positions::usable_name(&s.name)
            && !positions::name_matches(&s.name, text.slice(span.0, span.1))
        {
            out.misnamed += 1;
        }
        let by = user(&s.creating_user).unwrap_or(source_by);
        for rc in &s.codings {
            let times = (s.created.as_ref(), s.modified.as_ref());
            push(&mut out, rc, span, by, times, sel_note.clone());
        }
    }
    for rc in &ts.codings {
        if chars == 0 {
            out.bad_span += 1;
            continue;
        }
        push(
            &mut out,
            rc,
            (0, chars),
            source_by,
            (None, None),
            String::new(),
        );
    }
    out.text = text.as_str().to_string();
    out
}

pub(super) fn load_text(ts: &TextSource, pkg: &Package, base_path: &str) -> Result<String, String> {
    if let Some(c) = &ts.content {
        return Ok(c.clone());
    }
    let Some(path) = &ts.plain_text_path else {
        return Err("it has neither a plainTextPath nor PlainTextContent".into());
    };
    match pkg.locate(path, base_path) {
        Location::Internal(name) => match pkg.read_internal(&name)? {
            Some(b) => decode_text(&b),
            None => Err(format!("{path} is not in the package")),
        },
        Location::External(p) => match fs::read(&p) {
            Ok(b) => decode_text(&b),
            Err(e) => Err(format!(
                "{path} (outside the package: {}): {}",
                p.display(),
                crate::store::describe_io(&e)
            )),
        },
    }
}

/// A text source's name without a document extension: `Mabel.txt` → `Mabel`.
pub(super) fn stem(name: &str) -> String {
    let n = name.trim();
    let lower = n.to_ascii_lowercase();
    for ext in [
        ".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md", ".html", ".htm",
    ] {
        if lower.ends_with(ext) && n.len() > ext.len() {
            return n[..n.len() - ext.len()].trim().to_string();
        }
    }
    n.to_string()
}

/// The variables thematic writes a study's citation into (and reads it back from).
pub(in crate::interchange::refi) const CITATION: [&str; 8] = [
    "citation.authors",
    "citation.year",
    "citation.title",
    "citation.journal",
    "citation.doi",
    "citation.volume",
    "citation.issue",
    "citation.pages",
];

/// Put a variable's value where it belongs: the citation (for thematic's own
/// `citation.*` variables) or the characteristics.
pub(super) fn set_variable(study: &mut Study, name: &str, value: &str) {
    let value = value.trim();
    let c: &mut Citation = &mut study.citation;
    match name.trim().to_ascii_lowercase().as_str() {
        "citation.authors" => {
            c.authors = value
                .split(';')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect();
        }
        "citation.year" => c.year = value.parse().ok(),
        "citation.title" => c.title = value.to_string(),
        "citation.journal" => c.journal = value.to_string(),
        "citation.doi" => c.doi = Some(value.to_string()).filter(|d| !d.is_empty()),
        "citation.volume" => c.volume = value.to_string(),
        "citation.issue" => c.issue = value.to_string(),
        "citation.pages" => c.pages = value.to_string(),
        _ => {
            study
                .characteristics
                .entry(name.trim().to_string())
                .or_insert_with(|| value.to_string());
        }
    }
}

/// The state of turning converted sources into studies.
pub(super) struct Assembly<'a> {
    pub(super) doc: &'a Doc,
    pub(super) notes: &'a Notes,
    pub(super) variables: HashMap<&'a str, &'a str>,
    pub(super) converted: Vec<Option<Converted>>,
    /// Text files planned so far (relative to `studies/`).
    pub(super) files: HashSet<String>,
    pub(super) texts: Vec<(String, String)>,
    pub(super) units: BTreeMap<(Unit, BasisKey), usize>,
    pub(super) counts: Counts,
    pub(super) unknown_vars: usize,
    pub(super) taken: HashSet<Id>,
    pub(super) used_notes: HashSet<String>,
}

impl Assembly<'_> {
    /// Add a study named `name` holding the text sources `members`; its index.
    pub(super) fn add_study(
        &mut self,
        project: &mut Project,
        name: &str,
        guid: &str,
        members: &[usize],
    ) -> usize {
        let key = project.unique_key(name);
        let mut study = Study::new(&key);
        study.id = claim(guid, &mut self.taken);
        let mut memo: Vec<String> = Vec::new();
        for &i in members {
            let ts = &self.doc.text_sources[i];
            let c = self.converted[i]
                .take()
                .expect("each source joins one study");
            let base = match stem(&ts.name) {
                b if b.is_empty() => "source".to_string(),
                b => b,
            };
            let src_name = unique(&base, |n| study.sources.iter().any(|s| s.name == n));
            let file_base = match slug(&src_name) {
                s if s.is_empty() => "source".to_string(),
                s => s,
            };
            let file = unique(&format!("{key}/{file_base}"), |f| {
                self.files.contains(&format!("{f}.txt"))
            }) + ".txt";
            self.files.insert(file.clone());
            let source = Source {
                id: claim(&ts.guid, &mut self.taken),
                name: src_name,
                file: file.clone(),
                sha256: c.sha256.clone(),
                chars: c.chars,
            };
            memo.push(ts.description.clone());
            memo.push(self.notes.join(&ts.notes, &ts.guid, &mut self.used_notes));
            for (k, v) in &ts.values {
                match self.variables.get(k.as_str()) {
                    Some(name) => set_variable(&mut study, name, v),
                    None => self.unknown_vars += 1,
                }
            }
            *self.units.entry((c.unit, BasisKey(c.basis))).or_default() += 1;
            self.counts.add(&c);
            self.used_notes.extend(c.used_notes.iter().cloned());
            for mut coding in c.codings {
                coding.source = source.id;
                if !self.taken.insert(coding.id) {
                    coding.id = claim("", &mut self.taken);
                }
                study.codings.push(coding);
            }
            study.sources.push(source);
            self.texts.push((file, c.text));
        }
        study.memo = join_texts(memo.iter().map(String::as_str));
        study.sort_codings();
        project.studies.push(study);
        project.studies.len() - 1
    }
}

/// `Basis` ordered for the summary's map.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct BasisKey(pub(super) Basis);

impl PartialOrd for BasisKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BasisKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0 as u8).cmp(&(other.0 as u8))
    }
}

#[derive(Default)]
pub(super) struct Counts {
    pub(super) free: usize,
    pub(super) free_memo: usize,
    pub(super) no_code: usize,
    pub(super) bad_span: usize,
    pub(super) misnamed: usize,
    pub(super) inside_char: usize,
}

impl Counts {
    fn add(&mut self, c: &Converted) {
        self.free += c.free_selections;
        self.free_memo += c.free_with_memo;
        self.no_code += c.no_code;
        self.bad_span += c.bad_span;
        self.misnamed += c.misnamed;
        self.inside_char += c.inside_char;
    }
}

pub(super) fn display_name(ts: &TextSource) -> String {
    if ts.name.trim().is_empty() {
        ts.guid.clone()
    } else {
        ts.name.clone()
    }
}

pub(super) fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken(c))
        .expect("some suffix is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_drop_document_extensions_only() {
        assert_eq!(stem("Mabêl 2ième.txt"), "Mabêl 2ième");
        assert_eq!(stem("Simon.docx"), "Simon");
        assert_eq!(stem("videos_selection"), "videos_selection");
        assert_eq!(stem(".txt"), ".txt");
    }
}
