//! The canonical reader: parses the RON the store writes, about four times as fast
//! as `ron`, and declines everything else.
//!
//! It accepts a strict subset of RON: structs `( field: value, … )`, sequences,
//! maps, `Some(…)`/`None`, enum variants, decimal integers, booleans and quoted
//! strings with the escapes `char::escape_debug` writes, separated by any white
//! space, with optional trailing commas. Anything outside that subset (comments,
//! raw strings, struct names, extensions, unknown fields) or any error makes it
//! give up with [`Declined`], and [`super::from_ron`] parses the text again
//! with `ron`, which either accepts it or reports the error with its position.
//! So this reader never decides what a file means on its own: tests check that
//! whenever it accepts a text, `ron` accepts it too with the same value.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

/// The text is not in the canonical subset (or is not valid at all).
#[derive(Debug)]
pub struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not canonical RON")
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Declined
    }
}

type Result<T> = std::result::Result<T, Declined>;

/// Parse a whole file's text (without a byte-order mark).
pub fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> Result<T> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = T::deserialize(&mut p)?;
    p.ws();
    if p.pos == p.bytes.len() {
        Ok(value)
    } else {
        Err(Declined)
    }
}

struct Parser<'de> {
    text: &'de str,
    bytes: &'de [u8],
    pos: usize,
}

impl<'de> Parser<'de> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.pos).copied()
    }

    /// The next byte after white space must be `b`.
    fn expect(&mut self, b: u8) -> Result<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// `b` is next after white space: take it.
    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    /// A plain identifier (`[A-Za-z_][A-Za-z0-9_]*`), not a raw one.
    fn identifier(&mut self) -> Result<&'de str> {
        self.ws();
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b) if b.is_ascii_alphabetic() || *b == b'_' => self.pos += 1,
            _ => return Err(Declined),
        }
        while let Some(b) = self.bytes.get(self.pos) {
            if b.is_ascii_alphanumeric() || *b == b'_' {
                self.pos += 1;
            } else {
                break;
            }
        }
        // Not ASCII right after: a longer Unicode identifier, or raw `r#`.
        match self.bytes.get(self.pos) {
            Some(b) if !b.is_ascii() || *b == b'#' || *b == b'"' => Err(Declined),
            _ => Ok(&self.text[start..self.pos]),
        }
    }

    /// After an identifier: `(` follows at once (a variant or `Some` with content).
    fn opens_here(&mut self) -> bool {
        let found = self.bytes.get(self.pos) == Some(&b'(');
        if found {
            self.pos += 1;
        }
        found
    }

    /// After an item: a comma, or the closing bracket next.
    fn separator(&mut self, close: u8) -> Result<()> {
        if self.eat(b',') || self.peek() == Some(close) {
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// A quoted string, borrowed when it has no escapes.
    fn string<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.expect(b'"')?;
        let start = self.pos;
        let plain = |b: u8| b != b'"' && b != b'\\' && b >= 0x20;
        let run = self.bytes[start..]
            .iter()
            .position(|&b| !plain(b))
            .ok_or(Declined)?;
        self.pos = start + run;
        if self.bytes[self.pos] == b'"' {
            self.pos += 1;
            return visitor.visit_borrowed_str(&self.text[start..start + run]);
        }
        let mut out = String::with_capacity(run + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            match self.bytes.get(self.pos).copied().ok_or(Declined)? {
                b'"' => {
                    self.pos += 1;
                    return visitor.visit_string(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let c = match self.bytes.get(self.pos).copied().ok_or(Declined)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'\'' => '\'',
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'0' => '\0',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(Declined),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                b if b < 0x20 => return Err(Declined),
                _ => {
                    let from = self.pos;
                    let n = self.bytes[from..]
                        .iter()
                        .position(|&b| !plain(b))
                        .ok_or(Declined)?;
                    self.pos += n;
                    out.push_str(&self.text[from..self.pos]);
                }
            }
        }
    }

    /// `\u{XXXX}`: at the `u`; leaves `pos` on the closing brace.
    fn unicode_escape(&mut self) -> Result<char> {
        let rest = &self.text[self.pos + 1..];
        let body = rest.strip_prefix('{').ok_or(Declined)?;
        let end = body.find('}').ok_or(Declined)?;
        let hex = &body[..end];
        if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Declined);
        }
        let c = u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or(Declined)?;
        self.pos += 2 + end; // `u{` and the digits: `pos` is now on `}`
        Ok(c)
    }

    /// A decimal integer as the store writes it: no sign unless negative (and
    /// never for an unsigned field), no leading zeros, no suffix or separators.
    fn integer(&mut self, signed: bool) -> Result<i128> {
        self.ws();
        let start = self.pos;
        if signed && self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        let text = &self.text[digits..self.pos];
        let next = self.bytes.get(self.pos).copied();
        if text.is_empty()
            || text.len() > 30
            || (text.len() > 1 && text.starts_with('0'))
            || (text == "0" && digits > start)
            || next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        {
            return Err(Declined);
        }
        self.text[start..self.pos].parse().map_err(|_| Declined)
    }
}

macro_rules! integers {
    ($($method:ident $visit:ident $t:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            let n = self.integer(<$t>::MIN != 0)?;

            visitor.$visit(<$t>::try_from(n).map_err(|_| Declined)?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &mut Parser<'de> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.identifier()? {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(Declined),
        }
    }

    integers!(
        deserialize_i8 visit_i8 i8,
        deserialize_i16 visit_i16 i16,
        deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64,
        deserialize_u8 visit_u8 u8,
        deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32,
        deserialize_u64 visit_u64 u64
    );

    fn deserialize_f32<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_char<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.identifier()? {
            "None" => visitor.visit_none(),
            "Some" if self.opens_here() => {
                let value = visitor.visit_some(&mut *self)?;
                self.expect(b')')?;
                Ok(value)
            }
            _ => Err(Declined),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.expect(b'[')?;
        let value = visitor.visit_seq(Items {
            p: &mut *self,
            close: b']',
        })?;
        self.expect(b']')?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value> {
        Err(Declined)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.expect(b'{')?;
        let value = visitor.visit_map(Items {
            p: &mut *self,
            close: b'}',
        })?;
        self.expect(b'}')?;
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.expect(b'(')?;
        let value = visitor.visit_map(Fields { p: &mut *self })?;
        self.expect(b')')?;
        Ok(value)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(self)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.identifier()?)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(Declined)
    }
}

/// The items of a sequence or a map, up to `close`.
struct Items<'a, 'de> {
    p: &'a mut Parser<'de>,
    close: u8,
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Declined;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.p.peek() == Some(self.close) {
            return Ok(None);
        }
        let value = seed.deserialize(&mut *self.p)?;
        self.p.separator(self.close)?;
        Ok(Some(value))
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.p.peek() == Some(self.close) {
            return Ok(None);
        }
        let key = seed.deserialize(&mut *self.p)?;
        self.p.expect(b':')?;
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let value = seed.deserialize(&mut *self.p)?;
        self.p.separator(self.close)?;
        Ok(value)
    }
}

/// The fields of a struct: `name: value`, up to `)`.
struct Fields<'a, 'de> {
    p: &'a mut Parser<'de>,
}

impl<'de> de::MapAccess<'de> for Fields<'_, 'de> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.p.peek() == Some(b')') {
            return Ok(None);
        }
        let name = self.p.identifier()?;
        self.p.expect(b':')?;
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let value = seed.deserialize(&mut *self.p)?;
        self.p.separator(b')')?;
        Ok(value)
    }
}

impl<'de> de::EnumAccess<'de> for &mut Parser<'de> {
    type Error = Declined;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let name = self.identifier()?;
        let value = seed.deserialize(name.into_deserializer())?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Parser<'de> {
    type Error = Declined;

    fn unit_variant(self) -> Result<()> {
        // `Variant(…)` for a unit variant is ron's business.
        if self.bytes.get(self.pos) == Some(&b'(') {
            Err(Declined)
        } else {
            Ok(())
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        if !self.opens_here() {
            return Err(Declined);
        }
        let value = seed.deserialize(&mut *self)?;
        self.expect(b')')?;
        Ok(value)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if !self.opens_here() {
            return Err(Declined);
        }
        let value = visitor.visit_map(Fields { p: &mut *self })?;
        self.expect(b')')?;
        Ok(value)
    }
}
