//! BibTeX and BibLaTeX through the `biblatex` crate, which resolves `@string`s,
//! `crossref`s, month names, `--` and most accent commands. What it leaves as TeX
//! (`\emph{…}`, ``` ``…'' ```, `{\'\i}`) is decoded here.

use biblatex::{Bibliography, ChunksExt, Person, RawBibliography, RetrievalError};
use unicode_normalization::UnicodeNormalization;

use super::names::{collapse, normalize_doi, pages, person, year};
use super::{Reference, RefsError};
use crate::model::Citation;
use crate::store::line_col;

pub fn parse(text: &str) -> Result<Vec<Reference>, RefsError> {
    let syntax = |at: usize, message: String| {
        let (line, col) = line_col(text, at);
        RefsError::Syntax { line, col, message }
    };
    let raw = RawBibliography::parse(text).map_err(|e| syntax(e.span.start, e.kind.to_string()))?;
    let starts: Vec<(String, usize)> = raw
        .entries
        .iter()
        .map(|e| (e.v.key.v.to_string(), e.span.start))
        .collect();
    let bib = Bibliography::from_raw(raw).map_err(|e| syntax(e.span.start, e.kind.to_string()))?;
    let mut out = Vec::with_capacity(starts.len());
    for (key, start) in starts {
        let Some(entry) = bib.get(&key) else {
            continue;
        };
        let line = line_col(text, start).0;
        let field = |name: &str| {
            entry
                .get(name)
                .map(|c| collapse(&clean(&c.format_verbatim())))
                .unwrap_or_default()
        };
        let mut notes = Vec::new();
        let authors = match entry.author() {
            // `and others` is BibTeX's "et al.", not a person.
            Ok(people) => people
                .iter()
                .filter(|p| !(p.name == "others" && p.given_name.is_empty()))
                .map(name)
                .collect(),
            Err(RetrievalError::Missing(_)) => Vec::new(),
            Err(RetrievalError::TypeError(e)) => {
                notes.push(format!("its authors could not be read ({e})"));
                Vec::new()
            }
        };
        let doi = match entry.get("doi") {
            Some(raw) => {
                let raw = raw.format_verbatim();
                let d = normalize_doi(&raw);
                if d.is_none() {
                    notes.push(format!("`{}` is not a DOI; left out", raw.trim()));
                }
                d
            }
            None => ["url", "note", "howpublished"]
                .iter()
                .filter_map(|f| entry.get(f).map(|c| c.format_verbatim()))
                .filter(|v| v.contains("doi"))
                .find_map(|v| normalize_doi(&v)),
        };
        let journal = ["journaltitle", "journal", "booktitle"]
            .iter()
            .map(|f| field(f))
            .find(|j| !j.is_empty())
            .unwrap_or_default();
        let citation = Citation {
            authors,
            year: ["year", "date"]
                .iter()
                .find_map(|f| entry.get(f).and_then(|c| year(&c.format_verbatim()))),
            title: field("title"),
            journal,
            doi,
            volume: field("volume"),
            issue: [field("number"), field("issue")]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_default(),
            pages: pages(&field("pages")),
        };
        out.push(Reference {
            line,
            citation,
            notes,
        });
    }
    Ok(out)
}

/// `"Family, Given"`, with a `von` part in the family name (`van der Berg, Anna`).
fn name(p: &Person) -> String {
    let family = if p.prefix.is_empty() {
        p.name.clone()
    } else {
        format!("{} {}", p.prefix, p.name)
    };
    person(&clean(&family), &clean(&p.given_name), &clean(&p.suffix))
}

/// Commands that stand for one character.
fn symbol(command: &str) -> Option<&'static str> {
    Some(match command {
        "textdegree" => "°",
        "textregistered" => "®",
        "texttrademark" => "™",
        "textcopyright" | "copyright" => "©",
        "ldots" | "dots" | "textellipsis" => "…",
        "textperiodcentered" => "·",
        "textpm" | "pm" => "±",
        "times" | "texttimes" => "×",
        "textasciitilde" => "~",
        "textunderscore" => "_",
        "textbar" => "|",
        "textless" => "<",
        "textgreater" => ">",
        "S" | "textsection" => "§",
        "P" | "textparagraph" => "¶",
        "textendash" => "–",
        "textemdash" => "—",
        "textquoteleft" => "‘",
        "textquoteright" => "’",
        "textquotedblleft" => "“",
        "textquotedblright" => "”",
        "i" => "ı",
        "j" => "ȷ",
        _ => return None,
    })
}

/// Decode what `biblatex` leaves as TeX, and compose accents (NFC).
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    decode(s, &mut out);
    let out = out.replace("``", "“").replace("''", "”");
    out.nfc().collect()
}

fn decode(s: &str, out: &mut String) {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        // `{\'\i}` comes out of biblatex as `\` + combining accent + `i`.
        if let (Some(&mark), Some(&base)) = (chars.get(i + 1), chars.get(i + 2))
            && ('\u{300}'..='\u{36f}').contains(&mark)
        {
            out.push(base);
            out.push(mark);
            i += 3;
            continue;
        }
        let name_end = (i + 1..chars.len())
            .find(|&j| !chars[j].is_ascii_alphabetic())
            .unwrap_or(chars.len());
        if name_end == i + 1 {
            // `\` before a non-letter: an escaped character (`\%`, `\&`, `\_`).
            match chars.get(i + 1) {
                Some(&next) if "%&_#${}".contains(next) => out.push(next),
                Some(&next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
            i += 2;
            continue;
        }
        let command: String = chars[i + 1..name_end].iter().collect();
        let arg = (chars.get(name_end) == Some(&'{'))
            .then(|| matching_brace(&chars, name_end))
            .flatten();
        if let Some(sym) = symbol(&command) {
            out.push_str(sym);
            i = match arg {
                // `\textdegree{}`
                Some(close) if close == name_end + 1 => close + 1,
                _ => name_end,
            };
            continue;
        }
        // `\href{url}{text}`: the text.
        let second = arg
            .filter(|&close| command == "href" && chars.get(close + 1) == Some(&'{'))
            .and_then(|close| matching_brace(&chars, close + 1).map(|c2| (close + 1, c2)));
        if let Some((open2, close2)) = second {
            let text: String = chars[open2 + 1..close2].iter().collect();
            decode(&text, out);
            i = close2 + 1;
            continue;
        }
        match arg {
            // `\emph{…}`, `\textit{…}`, `\mkbibquote{…}` and any other command with
            // an argument: the argument (quoted, for the quoting commands).
            Some(close) => {
                let inner: String = chars[name_end + 1..close].iter().collect();
                let quoted = matches!(command.as_str(), "mkbibquote" | "enquote");
                if quoted {
                    out.push('“');
                }
                decode(&inner, out);
                if quoted {
                    out.push('”');
                }
                i = close + 1;
            }
            None => {
                // An unknown command alone: keep it, so that nothing is lost.
                out.extend(&chars[i..name_end]);
                i = name_end;
            }
        }
    }
}

/// The index of the `}` that closes the `{` at `open`.
fn matching_brace(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_tex_is_decoded() {
        assert_eq!(
            clean("\\emph{Italic} and \\textbf{bold}"),
            "Italic and bold"
        );
        assert_eq!(clean("``dq''"), "“dq”");
        assert_eq!(clean("10\\textdegree{} C"), "10° C");
        assert_eq!(clean("Ji\\\u{301}i"), "Jií");
        assert_eq!(clean("\\mkbibquote{x}"), "“x”");
        assert_eq!(clean("\\href{http://x}{the text}"), "the text");
        assert_eq!(clean("50\\% \\& \\unknown"), "50% & \\unknown");
        assert_eq!(clean("e\u{301}"), "é");
    }

    #[test]
    fn reads_entries_with_accents_and_braces() {
        let bib = r#"@article{okafor_2019,
  title = {Clinicians' Views on {Personality Disorder}: A {Qualitative} Study -- Part 2},
  author = {{\O}deg{\aa}rd, Kari and M{\"u}ller, J{\"o}rg and Jos\'{e} Garc\'ia and van der Berg, Anna and {World Health Organization}},
  journaltitle = {BMC Psychiatry},
  date = {2019-03},
  volume = {19}, number = {3}, pages = {100--110},
  doi = {https://doi.org/10.1186/S12888-019-2000-X},
}
"#;
        let refs = parse(bib).unwrap();
        let c = &refs[0].citation;
        assert_eq!(
            c.title,
            "Clinicians' Views on Personality Disorder: A Qualitative Study – Part 2"
        );
        assert_eq!(
            c.authors,
            [
                "Ødegård, Kari",
                "Müller, Jörg",
                "García, José",
                "van der Berg, Anna",
                "World Health Organization"
            ]
        );
        assert_eq!(c.year, Some(2019));
        assert_eq!(c.doi.as_deref(), Some("10.1186/s12888-019-2000-x"));
        assert_eq!(c.pages, "100–110");
        assert_eq!((c.volume.as_str(), c.issue.as_str()), ("19", "3"));
    }

    #[test]
    fn and_others_is_not_an_author() {
        let refs = parse("@article{a, author = {Okafor, N. and others}, title = {T}}").unwrap();
        assert_eq!(refs[0].citation.authors, ["Okafor, N."]);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let e = parse("@article{a,\n  title = {A},\n  year = {2019\n}\n").unwrap_err();
        let RefsError::Syntax { line, .. } = e;
        assert!(line >= 3, "{line}");
    }
}
