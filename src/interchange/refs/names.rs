//! Normal forms of the parts of a citation, shared by the RIS and BibTeX readers
//! and by matching: DOIs, titles, person names, page ranges, years.

/// A DOI in lower case without `https://doi.org/`, `doi:` and the like; `None` if
/// what is left does not look like a DOI (`10.` followed by a registrant and `/`).
pub fn normalize_doi(raw: &str) -> Option<String> {
    let mut s = raw.trim().to_lowercase();
    // Reference managers escape these in BibTeX; they are never part of a DOI as `\x`.
    for esc in ["\\_", "\\%", "\\&", "\\#"] {
        s = s.replace(esc, &esc[1..]);
    }
    let s = s.split_whitespace().collect::<String>();
    let mut rest = s.as_str();
    loop {
        let before = rest;
        for prefix in [
            "https://",
            "http://",
            "dx.doi.org/",
            "www.doi.org/",
            "doi.org/",
            "urn:doi:",
            "info:doi/",
            "doi:",
            "doi",
        ] {
            if let Some(r) = rest.strip_prefix(prefix) {
                rest = r;
            }
        }
        if rest == before {
            break;
        }
    }
    let rest = rest.trim_end_matches(['.', ',', ';']);
    let (registrant, suffix) = rest.strip_prefix("10.")?.split_once('/')?;
    if registrant.is_empty() || suffix.is_empty() {
        return None;
    }
    Some(rest.to_string())
}

/// A title for matching: case-folded, ASCII-folded, punctuation and white space
/// collapsed to single spaces.
pub fn normalize_title(title: &str) -> String {
    let folded = deunicode::deunicode(title).to_lowercase();
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs of white space (line breaks included) as one space, trimmed.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `"Family, Given"` (or `"Family, Given, Suffix"`); a one-part name as it is.
pub fn person(family: &str, given: &str, suffix: &str) -> String {
    let (family, given, suffix) = (collapse(family), collapse(given), collapse(suffix));
    let mut out = family;
    for part in [given, suffix] {
        if !part.is_empty() {
            if out.is_empty() {
                out = part;
            } else {
                out = format!("{out}, {part}");
            }
        }
    }
    out
}

/// Words that make a name without a comma the name of an organisation, which is
/// kept whole instead of being read as `Given Family`.
const ORGANISATION_WORDS: [&str; 22] = [
    "agency",
    "association",
    "authority",
    "board",
    "center",
    "centre",
    "college",
    "collaboration",
    "commission",
    "committee",
    "council",
    "department",
    "foundation",
    "group",
    "institute",
    "ministry",
    "network",
    "nhs",
    "organization",
    "organisation",
    "society",
    "university",
];

/// Lower-case particles that belong to the family name (`van der Berg`).
fn is_particle(word: &str) -> bool {
    matches!(
        word,
        "van"
            | "von"
            | "der"
            | "den"
            | "de"
            | "del"
            | "della"
            | "di"
            | "da"
            | "du"
            | "la"
            | "le"
            | "ter"
            | "ten"
            | "dos"
            | "das"
            | "y"
            | "bin"
            | "al"
            | "zu"
    )
}

/// A name as a RIS file writes it: `Family, Given[, Suffix]` as the format says,
/// or `Given Family` from hand-typed records. A name with no comma that looks like
/// an organisation, or has more than four words, is kept as it is.
pub fn ris_person(raw: &str) -> String {
    let raw = collapse(raw);
    if let Some((family, rest)) = raw.split_once(',') {
        let (given, suffix) = rest.split_once(',').unwrap_or((rest, ""));
        return person(family, given, suffix);
    }
    let words: Vec<&str> = raw.split(' ').collect();
    let organisation = words.iter().any(|w| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        ORGANISATION_WORDS.contains(&w.as_str())
    });
    if words.len() < 2 || words.len() > 4 || organisation {
        return raw;
    }
    // The family name is the last word, with the lower-case particles before it.
    let mut split = words.len() - 1;
    while split > 1 && is_particle(words[split - 1]) {
        split -= 1;
    }
    person(&words[split..].join(" "), &words[..split].join(" "), "")
}

/// The family name of a stored author (`"Okafor, N."` → `Okafor`).
pub fn family(author: &str) -> &str {
    author.split(',').next().unwrap_or(author).trim()
}

/// The first plausible year (four digits, 1000–2999) in a date field.
pub fn year(raw: &str) -> Option<i32> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 && matches!(bytes[start], b'1' | b'2') {
                return raw[start..i].parse().ok();
            }
        } else {
            i += 1;
        }
    }
    None
}

/// A page range with an en dash (`100-110`, `100--110` → `100–110`); a single
/// page or an article number as it is.
pub fn pages(raw: &str) -> String {
    let s = collapse(raw);
    for sep in ["--", "-", "—", "‒", "‐", "‑", "−"] {
        if let Some((a, b)) = s.split_once(sep) {
            let (a, b) = (a.trim(), b.trim());
            if !a.is_empty() && !b.is_empty() && !b.contains(['-', '–']) {
                return format!("{a}–{b}");
            }
        }
    }
    s
}

/// `first` and `last` page joined as a range (RIS keeps them apart).
pub fn page_range(first: &str, last: &str) -> String {
    let (first, last) = (collapse(first), collapse(last));
    match (first.is_empty(), last.is_empty()) {
        (false, false) if first != last && !first.contains(['-', '–']) => {
            format!("{first}–{last}")
        }
        (false, _) => pages(&first),
        (true, false) => pages(&last),
        (true, true) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_lose_their_prefixes_and_case() {
        for raw in [
            "10.1186/S12888-019-2000-X",
            "https://doi.org/10.1186/s12888-019-2000-x",
            "http://dx.doi.org/10.1186/S12888-019-2000-X",
            "doi:10.1186/s12888-019-2000-x",
            "DOI: 10.1186/s12888-019-2000-x.",
            " https://doi.org/ 10.1186/s12888-019-2000-x ",
        ] {
            assert_eq!(
                normalize_doi(raw).as_deref(),
                Some("10.1186/s12888-019-2000-x"),
                "{raw}"
            );
        }
        assert_eq!(
            normalize_doi("10.1000/abc\\_def").as_deref(),
            Some("10.1000/abc_def")
        );
        assert_eq!(normalize_doi("not a doi"), None);
        assert_eq!(normalize_doi("10.1000"), None);
    }

    #[test]
    fn titles_fold_case_accents_and_punctuation() {
        assert_eq!(
            normalize_title("Clinicians’ Views:  the “Ødegård” model — a study."),
            "clinicians views the odegard model a study"
        );
        assert_eq!(
            normalize_title("CLINICIANS' VIEWS: THE ODEGARD MODEL; A STUDY"),
            "clinicians views the odegard model a study"
        );
    }

    #[test]
    fn ris_names_in_both_orders() {
        assert_eq!(ris_person("Okafor, Ngozi A."), "Okafor, Ngozi A.");
        assert_eq!(ris_person("Okafor,N."), "Okafor, N.");
        assert_eq!(ris_person("Okafor, N., Jr"), "Okafor, N., Jr");
        assert_eq!(ris_person("Ngozi Okafor"), "Okafor, Ngozi");
        assert_eq!(ris_person("Anna van der Berg"), "van der Berg, Anna");
        assert_eq!(
            ris_person("World Health Organization"),
            "World Health Organization"
        );
        assert_eq!(ris_person("Okafor"), "Okafor");
    }

    #[test]
    fn years_pages_and_families() {
        assert_eq!(year("2019/03/01/"), Some(2019));
        assert_eq!(year("Spring 2020"), Some(2020));
        assert_eq!(year("in press"), None);
        assert_eq!(year("12345"), None);
        assert_eq!(pages("100-110"), "100–110");
        assert_eq!(pages("100--110"), "100–110");
        assert_eq!(pages("e0267787"), "e0267787");
        assert_eq!(page_range("100", "110"), "100–110");
        assert_eq!(page_range("e12", ""), "e12");
        assert_eq!(family("van der Berg, Anna"), "van der Berg");
    }
}
