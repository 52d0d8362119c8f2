//! The canonical writer: the exact bytes `ron` writes with the store's pretty
//! configuration, written directly and about ten times as fast.
//!
//! `ron` escapes a string one `char` at a time through `fmt::Write`; on a
//! one-megabyte study file that is most of a save and of the merge driver. This
//! serializer copies runs of plain ASCII at once and escapes the rest with the
//! same `char::escape_debug`. It covers the shapes the project files use; any
//! other shape (byte strings, unsized sequences, identifiers `ron` would write
//! raw) is refused with [`Unsupported`], and [`super::to_ron`] then falls back
//! to `ron` itself, so the bytes never depend on which writer ran. Tests compare
//! the two writers on random values of every file kind.

use std::fmt::{self, Write as _};

use serde::ser::{self, Serialize};

/// Levels of nesting written one item per line (`PrettyConfig::depth_limit`).
pub(super) const DEPTH_LIMIT: usize = 2;
pub(super) const INDENT: &str = "    ";

/// A value has a shape this writer does not reproduce byte for byte.
#[derive(Debug)]
pub struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not written by the canonical writer: {}", self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, Unsupported>;

fn unsupported<T>(what: &str) -> Result<T> {
    Err(Unsupported(what.to_string()))
}

/// The canonical text of `value`, without the final newline.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut w = Writer {
        out: String::with_capacity(4096),
        level: 0,
    };
    value.serialize(&mut w)?;
    Ok(w.out)
}

struct Writer {
    out: String,
    /// How many containers (sequences, maps, structs) enclose the next value.
    level: usize,
}

impl Writer {
    fn multiline(&self) -> bool {
        self.level <= DEPTH_LIMIT
    }

    fn indent(&mut self, n: usize) {
        for _ in 0..n {
            self.out.push_str(INDENT);
        }
    }

    /// Identifiers `ron` writes as they are: anything else it would write raw
    /// (`r#…`) or refuse, and that is left to `ron`.
    fn identifier(&mut self, name: &str) -> Result {
        let mut bytes = name.bytes();
        let plain = bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !matches!(
                name,
                "true"
                    | "false"
                    | "Some"
                    | "None"
                    | "inf"
                    | "inff32"
                    | "inff64"
                    | "NaN"
                    | "NaNf32"
                    | "NaNf64"
            );
        if !plain {
            return unsupported(name);
        }
        self.out.push_str(name);
        Ok(())
    }

    /// A quoted string, escaped exactly as `char::escape_debug` escapes each char.
    fn string(&mut self, s: &str) {
        self.out.reserve(s.len() + 2);
        self.out.push('"');
        let bytes = s.as_bytes();
        let mut run = 0; // start of the pending run of bytes copied as they are
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                if (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'\'') {
                    i += 1;
                    continue;
                }
                self.out.push_str(&s[run..i]);
                let _ = write!(self.out, "{}", char::from(b).escape_debug());
                i += 1;
                run = i;
            } else {
                let c = s[i..].chars().next().expect("a char starts here");
                let len = c.len_utf8();
                let escaped = c.escape_debug();
                if escaped.len() != 1 {
                    self.out.push_str(&s[run..i]);
                    let _ = write!(self.out, "{escaped}");
                    run = i + len;
                }
                i += len;
            }
        }
        self.out.push_str(&s[run..]);
        self.out.push('"');
    }

    fn open(&mut self, bracket: char, len: Option<usize>) -> Result<Compound<'_>> {
        let Some(len) = len else {
            return unsupported("a sequence or map of unknown length");
        };
        self.out.push(bracket);
        self.level += 1;
        if self.multiline() && len > 0 {
            self.out.push('\n');
        }
        Ok(Compound {
            w: self,
            close: match bracket {
                '[' => ']',
                '{' => '}',
                _ => ')',
            },
            empty: len == 0,
            first: true,
        })
    }
}

struct Compound<'a> {
    w: &'a mut Writer,
    close: char,
    /// What the length hint said: `ron` lays out by the hint, not by the items.
    empty: bool,
    first: bool,
}

impl Compound<'_> {
    fn item(&mut self) -> Result {
        if self.empty {
            return unsupported("more items than the length hint");
        }
        if self.first {
            self.first = false;
        } else {
            self.w.out.push(',');
            self.w.out.push(if self.w.multiline() { '\n' } else { ' ' });
        }
        if self.w.multiline() {
            let level = self.w.level;
            self.w.indent(level);
        }
        Ok(())
    }

    fn end(self) -> Result {
        if !self.empty && self.first {
            return unsupported("fewer items than the length hint");
        }
        let multiline = self.w.multiline();
        if multiline && !self.first {
            self.w.out.push_str(",\n");
        }
        if multiline && !self.empty {
            let level = self.w.level;
            self.w.indent(level - 1);
        }
        self.w.level -= 1;
        self.w.out.push(self.close);
        Ok(())
    }
}

/// Tuples never change the layout (`separate_tuple_members(false)`).
struct Tuple<'a> {
    w: &'a mut Writer,
    first: bool,
}

impl Tuple<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        if !self.first {
            self.w.out.push_str(", ");
        }
        self.first = false;
        value.serialize(&mut *self.w)
    }

    fn end(self) -> Result {
        self.w.out.push(')');
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Tuple<'a>;
    type SerializeTupleStruct = Tuple<'a>;
    type SerializeTupleVariant = Tuple<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result {
        let _ = write!(self.out, "{v}");
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result {
        let _ = write!(self.out, "{v}");
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result {
        if v.is_nan() && v.is_sign_negative() {
            self.out.push('-');
        }
        let _ = write!(self.out, "{v:?}");
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result {
        if v.is_nan() && v.is_sign_negative() {
            self.out.push('-');
        }
        let _ = write!(self.out, "{v:?}");
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result {
        self.out.push('\'');
        if v == '\\' || v == '\'' {
            self.out.push('\\');
        }
        self.out.push(v);
        self.out.push('\'');
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        unsupported("a byte string")
    }
    fn serialize_none(self) -> Result {
        self.out.push_str("None");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        self.out.push_str("Some(");
        value.serialize(&mut *self)?;
        self.out.push(')');
        Ok(())
    }
    fn serialize_unit(self) -> Result {
        self.out.push_str("()");
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result {
        if name == "RangeFull" {
            return unsupported(name);
        }
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.identifier(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result {
        if name.starts_with('$') {
            return unsupported(name); // ron's raw value token
        }
        self.out.push('(');
        value.serialize(&mut *self)?;
        self.out.push(')');
        Ok(())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.identifier(variant)?;
        self.out.push('(');
        value.serialize(&mut *self)?;
        self.out.push(')');
        Ok(())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a>> {
        self.open('[', len)
    }
    fn serialize_tuple(self, _: usize) -> Result<Tuple<'a>> {
        self.out.push('(');
        Ok(Tuple {
            w: self,
            first: true,
        })
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Tuple<'a>> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Tuple<'a>> {
        self.identifier(variant)?;
        self.serialize_tuple(len)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a>> {
        self.open('{', len)
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a>> {
        if name.starts_with("Range") {
            return unsupported(name); // ron may write these as `a..b`
        }
        self.open('(', Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>> {
        self.identifier(variant)?;
        self.open('(', Some(len))
    }
    fn serialize_i128(self, _: i128) -> Result {
        unsupported("a 128-bit integer")
    }
    fn serialize_u128(self, _: u128) -> Result {
        unsupported("a 128-bit integer")
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item()?;
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.item()?;
        key.serialize(&mut *self.w)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.w.out.push_str(": ");
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.item()?;
        self.w.identifier(key)?;
        self.w.out.push_str(": ");
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

impl ser::SerializeTuple for Tuple<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }
    fn end(self) -> Result {
        Tuple::end(self)
    }
}

impl ser::SerializeTupleStruct for Tuple<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }
    fn end(self) -> Result {
        Tuple::end(self)
    }
}

impl ser::SerializeTupleVariant for Tuple<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }
    fn end(self) -> Result {
        Tuple::end(self)
    }
}
