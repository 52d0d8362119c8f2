//! Small pieces of QDA-XML shared by reading and writing: GUIDs, dates, colours,
//! booleans, and the characters XML 1.0 cannot carry.

use sha2::{Digest, Sha256};

use crate::model::Id;

/// The project exchange namespace (with a dot, as the standard writes it).
pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
pub const PROJECT_SCHEMA: &str =
    "urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd";
pub const CODEBOOK_SCHEMA: &str =
    "urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd";

/// A GUID as REFI files write it, made comparable: no braces, lower case.
/// (NVivo writes lower case, ATLAS.ti upper case, the standard's example `{…}`.)
pub fn guid_key(s: &str) -> String {
    let t = s.trim();
    let t = t.strip_prefix('{').unwrap_or(t);
    let t = t.strip_suffix('}').unwrap_or(t);
    t.to_ascii_lowercase()
}

/// The GUID text as an id, when it is one.
pub fn parse_guid(key: &str) -> Option<Id> {
    if key.len() != 36 {
        return None;
    }
    key.parse().ok()
}

/// A stable id derived from another id and a tag, for the REFI entities thematic
/// has no id of its own for (selections, notes, variables). Same input, same id,
/// so an export is byte-for-byte repeatable. Version 8 ("custom") UUID layout.
pub fn derived_id(base: Id, tag: &str) -> Id {
    let mut h = Sha256::new();
    h.update(base.as_uuid().as_bytes());
    h.update(tag.as_bytes());
    let d = h.finalize();
    let mut n = u128::from_be_bytes(d[..16].try_into().expect("16 bytes"));
    n = (n & !(0xf << 76)) | (0x8 << 76);
    n = (n & !(0x3 << 62)) | (0x2 << 62);
    Id::from_u128(n)
}

/// An `xsd:dateTime` as thematic stores times (RFC 3339, UTC, seconds), or `None`
/// when the text is not a date-time. Accepts what vendors write: `Z`, an offset,
/// fractions, or no zone (taken as UTC).
pub fn normalize_datetime(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let t = humantime::parse_rfc3339_weak(s).ok().or_else(|| {
        // humantime wants `Z` (or nothing); fold a numeric offset into UTC.
        let (body, sign, off) = split_offset(s)?;
        let t = humantime::parse_rfc3339_weak(body).ok()?;
        let d = std::time::Duration::from_secs(off);
        if sign > 0 {
            t.checked_sub(d)
        } else {
            t.checked_add(d)
        }
    })?;
    Some(humantime::format_rfc3339_seconds(t).to_string())
}

/// `2020-01-02T03:04:05+02:00` → (`2020-01-02T03:04:05`, +1, 7200 s).
fn split_offset(s: &str) -> Option<(&str, i32, u64)> {
    let t = s.find('T')?;
    let i = s[t..].rfind(['+', '-'])? + t;
    let (body, off) = s.split_at(i);
    let sign = if off.starts_with('+') { 1 } else { -1 };
    let (h, m) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
    let secs = h.parse::<u64>().ok()? * 3600 + m.parse::<u64>().ok()? * 60;
    Some((body, sign, secs))
}

/// Whether a stored timestamp may be written as an `xsd:dateTime` attribute.
pub fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && humantime::parse_rfc3339_weak(s).is_ok()
}

/// `xsd:boolean`: `true|false|1|0`, surrounding blanks allowed.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// A REFI colour (`#RGB` or `#RRGGBB`, any case) as thematic's `#rrggbb`.
pub fn normalize_color(s: &str) -> Option<String> {
    let h = s.trim().strip_prefix('#')?;
    if !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match h.len() {
        6 => Some(format!("#{}", h.to_ascii_lowercase())),
        3 => Some(
            std::iter::once('#')
                .chain(h.chars().flat_map(|c| {
                    let c = c.to_ascii_lowercase();
                    [c, c]
                }))
                .collect(),
        ),
        _ => None,
    }
}

/// Whether a colour may be written as an `RGBType`.
pub fn is_rgb(s: &str) -> bool {
    normalize_color(s).is_some() && s.starts_with('#')
}

/// Text that XML 1.0 can carry: characters it forbids (most C0 controls, lone
/// surrogates cannot occur in Rust strings, U+FFFE/U+FFFF) become U+FFFD.
/// Returns the text and how many characters were replaced.
pub fn xml_safe(s: &str) -> (std::borrow::Cow<'_, str>, usize) {
    let bad = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !s.chars().any(bad) {
        return (std::borrow::Cow::Borrowed(s), 0);
    }
    let mut n = 0;
    let out = s
        .chars()
        .map(|c| {
            if bad(c) {
                n += 1;
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    (std::borrow::Cow::Owned(out), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_compare_without_braces_or_case() {
        assert_eq!(
            guid_key(" {5215CC69-b628-4e02-afb9-9beeaee55808} "),
            "5215cc69-b628-4e02-afb9-9beeaee55808"
        );
        assert!(parse_guid(&guid_key("{5215CC69-B628-4E02-AFB9-9BEEAEE55808}")).is_some());
        assert!(parse_guid("not-a-guid").is_none());
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let a = Id::from_u128(42);
        assert_eq!(derived_id(a, "x"), derived_id(a, "x"));
        assert_ne!(derived_id(a, "x"), derived_id(a, "y"));
        assert_eq!(derived_id(a, "x").as_uuid().get_version_num(), 8);
    }

    #[test]
    fn datetimes_are_normalised_to_utc_seconds() {
        assert_eq!(
            normalize_datetime("2018-03-27T17:46:39Z").as_deref(),
            Some("2018-03-27T17:46:39Z")
        );
        assert_eq!(
            normalize_datetime("2018-03-27T17:46:39.250Z").as_deref(),
            Some("2018-03-27T17:46:39Z")
        );
        assert_eq!(
            normalize_datetime("2018-03-27T19:46:39+02:00").as_deref(),
            Some("2018-03-27T17:46:39Z")
        );
        assert_eq!(
            normalize_datetime("2018-03-27T17:46:39").as_deref(),
            Some("2018-03-27T17:46:39Z")
        );
        assert_eq!(normalize_datetime("yesterday"), None);
        assert!(is_datetime("2026-11-25T10:14:03Z"));
        assert!(!is_datetime("2026-11-25 10:14:03Z"));
        assert!(!is_datetime(""));
    }

    #[test]
    fn colours_expand_and_lower() {
        assert_eq!(normalize_color("#F00082").as_deref(), Some("#f00082"));
        assert_eq!(normalize_color("#AbC").as_deref(), Some("#aabbcc"));
        assert_eq!(normalize_color("red"), None);
        assert_eq!(normalize_color("#12345"), None);
    }

    #[test]
    fn forbidden_characters_are_replaced() {
        let (s, n) = xml_safe("a\u{c}b\tc\r\n");
        assert_eq!((s.as_ref(), n), ("a\u{fffd}b\tc\r\n", 1));
        assert_eq!(xml_safe("plain").1, 0);
    }
}
