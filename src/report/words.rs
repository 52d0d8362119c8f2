//! Counting words exactly as `unicode_words` (UAX #29) does, several times faster
//! on the mostly-Latin texts of a review (the coverage report counts every word of
//! every text).
//!
//! Counting words is counting where they start. A letter or digit starts a word
//! unless what is just before it continues a token: a letter, digit or `_` (WB5,
//! WB8–WB10, WB13a/b), or a middle character between two letters (`:` `.` `'`
//! `‘` `’`, WB6/7) or two digits (`,` `;` `.` `'` `‘` `’`, WB11/12). For ASCII and
//! a few common other characters (Latin letters, curly quotes, dashes, guillemets)
//! that depends on the five bytes before and one after, so blocks of text holding
//! only those characters are counted with branch-free byte arithmetic that the
//! compiler vectorizes.
//!
//! Any other character sends its *piece* of text to `unicode_words`: a word
//! boundary always falls just before a run of spaces (U+0020), and what follows
//! that point does not depend on what came before, so the text can be cut there.

use unicode_segmentation::UnicodeSegmentation;

#[inline(always)]
fn ascii_letter(c: u8) -> bool {
    (c | 0x20).wrapping_sub(b'a') < 26
}

#[inline(always)]
fn ascii_digit(c: u8) -> bool {
    c.wrapping_sub(b'0') < 10
}

#[inline(always)]
fn continuation(c: u8) -> bool {
    c & 0xC0 == 0x80
}

/// The lead byte of U+00C0..U+023F: all Latin letters (ALetter) but × and ÷.
#[inline(always)]
fn latin_lead(c: u8) -> bool {
    c.wrapping_sub(0xC3) < 6
}

#[inline(always)]
fn times_or_divide(lead: u8, next: u8) -> bool {
    (lead == 0xC3) & ((next == 0x97) | (next == 0xB7))
}

/// Whether byte `c` (after `p`) is the last byte of a letter.
#[inline(always)]
fn letter_end(p: u8, c: u8) -> bool {
    ascii_letter(c) | (continuation(c) & latin_lead(p) & !times_or_divide(p, c))
}

/// Whether byte `c` (followed by `n1 n2`) belongs to a character the fast rule
/// knows: ASCII, a continuation byte, a Latin letter, `«` `»`, or one of
/// `– — ‘ ’ “ ” „ …` (E2 80 xx).
#[inline(always)]
fn known(c: u8, n1: u8, n2: u8) -> bool {
    let e2 = (c == 0xE2)
        & (n1 == 0x80)
        & ((n2 == 0x93)
            | (n2 == 0x94)
            | (n2 == 0x98)
            | (n2 == 0x99)
            | (n2 == 0x9C)
            | (n2 == 0x9D)
            | (n2 == 0x9E)
            | (n2 == 0xA6));
    (c < 0x80)
        | continuation(c)
        | latin_lead(c)
        | ((c == 0xC2) & ((n1 == 0xAB) | (n1 == 0xBB)))
        | e2
}

// What a byte is, for the start rule.
/// A letter ends here.
const LE: u8 = 1;
/// An ASCII digit.
const DG: u8 = 2;
/// A letter starts here.
const LS: u8 = 4;
/// `:` `.` `'`: joins two letters.
const ML: u8 = 8;
/// `,` `;` `.` `'`: joins two digits.
const MD: u8 = 16;
/// `‘` or `’` ends here: joins two letters or two digits. Among the known
/// characters only these two end in the bytes 80 98 or 80 99.
const QE: u8 = 32;
/// `_`.
const US: u8 = 64;

/// The flags of byte `c`, between `p` and `n`.
#[inline(always)]
fn flags(p: u8, c: u8, n: u8) -> u8 {
    (u8::from(letter_end(p, c)) * LE)
        | (u8::from(ascii_digit(c)) * DG)
        | (u8::from(ascii_letter(c) | (latin_lead(c) & !times_or_divide(c, n))) * LS)
        | (u8::from((c == b':') | (c == b'.') | (c == b'\'')) * ML)
        | (u8::from((c == b',') | (c == b';') | (c == b'.') | (c == b'\'')) * MD)
        | (u8::from((p == 0x80) & ((c == 0x98) | (c == 0x99))) * QE)
        | (u8::from(c == b'_') * US)
}

/// Whether a word starts at a byte with flags `f`, given the flags 1, 2 and 4
/// bytes back. (After `_` it says no; [`start_at`] handles that case.)
#[inline(always)]
fn start(f4: u8, f2: u8, f1: u8, f: u8) -> bool {
    let word = f & (LS | DG) != 0;
    let continues = f1 & (LE | DG | US) != 0;
    let join_l =
        (f & LS != 0) & (((f1 & ML != 0) & (f2 & LE != 0)) | ((f1 & QE != 0) & (f4 & LE != 0)));
    let join_d =
        (f & DG != 0) & (((f1 & MD != 0) & (f2 & DG != 0)) | ((f1 & QE != 0) & (f4 & DG != 0)));
    word & !continues & !join_l & !join_d
}

const BLOCK: usize = 64;

/// The number of words in `text`, the same as `text.unicode_words().count()`.
pub fn count_words(text: &str) -> u64 {
    let b = text.as_bytes();
    let n = b.len();
    let at = |k: usize| if k < n { b[k] } else { 0 };
    let mut count = 0u64;
    let mut i = 0;
    // After a block that could not be taken whole, go byte by byte up to here.
    let mut bytewise_until = 0;
    while i < n {
        // A block of known characters, not just after a `_`.
        if i >= bytewise_until && i >= 5 && i + BLOCK + 2 <= n && b[i - 1] != b'_' {
            let s: &[u8; BLOCK + 7] = b[i - 5..i + BLOCK + 2].try_into().expect("length");
            let mut ok = true;
            for t in 5..BLOCK + 5 {
                ok &= known(s[t], s[t + 1], s[t + 2]) & (s[t] != b'_');
            }
            if ok {
                let mut f = [0u8; BLOCK + 6];
                for t in 1..BLOCK + 6 {
                    f[t] = flags(s[t - 1], s[t], s[t + 1]);
                }
                let mut k = 0u8; // at most 64
                for t in 5..BLOCK + 5 {
                    k += u8::from(start(f[t - 4], f[t - 2], f[t - 1], f[t]));
                }
                count += u64::from(k);
                i += BLOCK;
                continue;
            }
            // Byte by byte only up to just past what stopped the block.
            let bad = (5..BLOCK + 5)
                .find(|&t| !(known(s[t], s[t + 1], s[t + 2]) & (s[t] != b'_')))
                .unwrap_or(5);
            bytewise_until = i + (bad - 5) + 2;
        }
        if known(b[i], at(i + 1), at(i + 2)) {
            count += u64::from(start_at(b, i));
            i += 1;
            continue;
        }
        // An unknown character: count its piece again the slow way, from the last
        // run of spaces before it to the next one.
        let mut p = i;
        while p > 0 && !(b[p] == b' ' && b[p - 1] != b' ') {
            p -= 1;
        }
        let mut j = i + 1;
        while j < n && !(b[j] == b' ' && b[j - 1] != b' ') {
            j += 1;
        }
        count -= (p..i).map(|k| u64::from(start_at(b, k))).sum::<u64>();
        count += text[p..j].unicode_words().count() as u64;
        i = j;
    }
    count
}

/// Whether a word starts at byte `i`, one byte at a time (the same rule as the
/// blocks), including a letter or digit after `_`: that starts a word only if no
/// letter or digit comes before the run of `_` (WB13a/b).
fn start_at(b: &[u8], i: usize) -> bool {
    let byte = |k: usize| b.get(k).copied().unwrap_or(0);
    let flag = |back: usize| {
        if back > i {
            0
        } else {
            let k = i - back;
            flags(if k > 0 { b[k - 1] } else { 0 }, b[k], byte(k + 1))
        }
    };
    let (f, f1) = (flag(0), flag(1));
    if f1 & US == 0 {
        return start(flag(4), flag(2), f1, f);
    }
    if f & (LS | DG) == 0 {
        return false;
    }
    let mut j = i - 1;
    while j > 0 && b[j - 1] == b'_' {
        j -= 1;
    }
    // `j` is the first `_` of the run; what ends at `j - 1` decides.
    !(j > 0 && (letter_end(if j >= 2 { b[j - 2] } else { 0 }, b[j - 1]) || ascii_digit(b[j - 1])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) {
        assert_eq!(
            count_words(s),
            s.unicode_words().count() as u64,
            "{s:?}: {:?}",
            s.unicode_words().collect::<Vec<_>>()
        );
    }

    #[test]
    fn ascii_rules_match_unicode_words() {
        for s in [
            "",
            " ",
            "a",
            "don't stop",
            "e.g. 3.14, 1,000; 2;3 a:b 1:2 a.1 1.a a'1 'quoted' x_y _ __ _a a_ 1_",
            "a..b a''b a.'b 1.,2 end. . , ;",
            "tab\tnew\nline\r\ncr",
            "  lead and trail  ",
            "U.S.A. isn't 10.5%",
        ] {
            check(s);
        }
        // Every pair and triple of interesting ASCII characters.
        let alphabet = b"a1_:,.'; \n-\"";
        for &x in alphabet {
            for &y in alphabet {
                for &z in alphabet {
                    for &w in b"a1 " {
                        let s = std::str::from_utf8(&[w, x, y, z, w]).unwrap().to_string();
                        check(&s);
                        // Long enough for the block path, at every alignment.
                        check(&s.repeat(15));
                    }
                }
            }
        }
    }

    #[test]
    fn known_wide_characters_match_unicode_words() {
        // Every character the fast path classifies, in every short context.
        let wide = [
            'À', 'é', 'ø', 'ÿ', 'Ā', 'ž', 'ǀ', 'ɏ', '×', '÷', '«', '»', '‘', '’', '“', '”', '„',
            '–', '—', '…',
        ];
        let ascii = ['a', '1', '_', ':', ',', '.', '\'', ' ', '-'];
        let all: Vec<char> = wide.iter().chain(&ascii).copied().collect();
        for &x in &all {
            for &y in &all {
                for &z in &all {
                    for w in ['a', '1', ' '] {
                        let s: String = [w, x, y, z, w].iter().collect();
                        check(&s);
                        check(&s.repeat(15));
                    }
                }
            }
        }
        // The whole Latin range the fast path calls letters behaves as a letter.
        for cp in 0xC0..=0x24F {
            let c = char::from_u32(cp).unwrap();
            for s in [
                format!("x{c}"),
                format!("{c}.a"),
                format!("1{c}"),
                format!("{c}'s"),
                format!("a:{c} {c}"),
            ] {
                check(&s);
            }
        }
    }

    #[test]
    fn mixed_text_matches_unicode_words() {
        for s in [
            "Ødegård sa: «nei» — 日本語のテキスト 👍🏽 ok",
            "cafe\u{301} naïveté déjà-vu São Paulo",
            " \u{301}abc \u{200d}x a\u{301}b 🤷‍♀️ 1\u{301}2",
            "中文 字 and  ٱلْعَرَبِيَّة  עִבְרִית \"שָׁלוֹם\" ok",
            "\u{93f}क a \u{93f} b",
            "“I can’t” — rôle, coöperation… «ok» ‘x’ 3’4 a’ ’a",
            "é\u{301} ×a a×b ÷ \u{a0}x ſt",
        ] {
            check(s);
        }
    }
}
