//! The msgpack encoding of `DynamicValue`, driven by the schema type.
//!
//! The decoder reads hostile input: it never panics, checks every declared length against the
//! bytes that remain before reading or allocating, limits nesting to `MAX_NESTING_DEPTH`, and
//! refuses trailing bytes. Must not depend on gRPC or on the JSON encoding.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::convert::Infallible;

use rmp::Marker;
use rmp::encode::{ByteBuf, ValueWriteError};

use super::decimal::is_decimal;
use super::{CodecError, Number, PathStep, Type, Value, index_step, nested, quoted};

/// Elements reserved up front for an array, however many it declares: larger arrays grow as
/// their elements actually arrive, so nested headers cannot multiply a declared length.
const PREALLOCATED_ELEMENTS: usize = 1024;

mod parts;
pub use parts::{Fields, Part, encode_object_parts};

/// Decodes msgpack bytes as a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut reader = Reader { input: bytes, position: 0 };
    let value = decode_value(&mut reader, ty, 0)?;
    match reader.remaining() {
        0 => Ok(value),
        extra => Err(CodecError::new(format!(
            "{extra} unexpected bytes follow the value; a DynamicValue holds exactly one value"
        ))),
    }
}

/// Encodes `value` (of type `ty`) as msgpack.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = ByteBuf::new();
    encode_value(&mut out, value, ty, 0)?;
    Ok(out.into_vec())
}

/// A cursor over the input that refuses to read past its end.
struct Reader<'a> {
    input: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.input.len() - self.position
    }

    /// The next `len` bytes, or an error naming `what` needed them.
    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], CodecError> {
        let remaining = self.remaining();
        if len > remaining {
            return Err(CodecError::new(format!(
                "the input ends early: {what} needs {len} more bytes but only {remaining} remain"
            )));
        }
        let bytes = &self.input[self.position..self.position + len];
        self.position += len;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], CodecError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn marker(&mut self) -> Result<Marker, CodecError> {
        let [byte] = self.array::<1>("a value")?;
        Ok(Marker::from_u8(byte))
    }

    fn len8(&mut self, what: &str) -> Result<usize, CodecError> {
        Ok(usize::from(u8::from_be_bytes(self.array(what)?)))
    }

    fn len16(&mut self, what: &str) -> Result<usize, CodecError> {
        Ok(usize::from(u16::from_be_bytes(self.array(what)?)))
    }

    fn len32(&mut self, what: &str) -> Result<usize, CodecError> {
        let len = u32::from_be_bytes(self.array(what)?);
        Ok(usize::try_from(len).unwrap_or(usize::MAX))
    }
}

fn decode_value(reader: &mut Reader<'_>, ty: &Type, depth: usize) -> Result<Value, CodecError> {
    let marker = reader.marker()?;
    if marker == Marker::Null {
        return Ok(Value::Null);
    }
    if skip_extension(reader, marker)? {
        return Ok(Value::Unknown);
    }
    match ty {
        Type::Bool => decode_bool(marker),
        Type::Number => decode_number(reader, marker).map(Value::Number),
        Type::String => match read_text(reader, marker)? {
            Some(text) => Ok(Value::String(text.to_owned())),
            None => Err(mismatch(ty, marker)),
        },
        Type::Dynamic => decode_dynamic(reader, marker, depth),
        Type::List(element) => decode_elements(reader, marker, ty, element, depth).map(Value::List),
        Type::Set(element) => decode_elements(reader, marker, ty, element, depth).map(Value::Set),
        Type::Tuple(elements) => decode_tuple(reader, marker, ty, elements, depth),
        Type::Map(element) => decode_map(reader, marker, ty, element, depth),
        Type::Object(attributes) => decode_object(reader, marker, ty, attributes, depth),
    }
}

/// Skips an extension value (any type, any length: an unknown). False for other markers.
fn skip_extension(reader: &mut Reader<'_>, marker: Marker) -> Result<bool, CodecError> {
    const WHAT: &str = "an extension value";
    let data_len = match marker {
        Marker::FixExt1 => 1,
        Marker::FixExt2 => 2,
        Marker::FixExt4 => 4,
        Marker::FixExt8 => 8,
        Marker::FixExt16 => 16,
        Marker::Ext8 => reader.len8(WHAT)?,
        Marker::Ext16 => reader.len16(WHAT)?,
        Marker::Ext32 => reader.len32(WHAT)?,
        _ => return Ok(false),
    };
    reader.take(1, WHAT)?;
    reader.take(data_len, WHAT)?;
    Ok(true)
}

fn decode_bool(marker: Marker) -> Result<Value, CodecError> {
    match marker {
        Marker::True => Ok(Value::Bool(true)),
        Marker::False => Ok(Value::Bool(false)),
        other => Err(mismatch(&Type::Bool, other)),
    }
}

fn decode_number(reader: &mut Reader<'_>, marker: Marker) -> Result<Number, CodecError> {
    const WHAT: &str = "a number";
    let number = match marker {
        Marker::FixPos(n) => Number::Int(i64::from(n)),
        Marker::FixNeg(n) => Number::Int(i64::from(n)),
        Marker::U8 => Number::Int(i64::from(u8::from_be_bytes(reader.array(WHAT)?))),
        Marker::U16 => Number::Int(i64::from(u16::from_be_bytes(reader.array(WHAT)?))),
        Marker::U32 => Number::Int(i64::from(u32::from_be_bytes(reader.array(WHAT)?))),
        Marker::U64 => unsigned(u64::from_be_bytes(reader.array(WHAT)?)),
        Marker::I8 => Number::Int(i64::from(i8::from_be_bytes(reader.array(WHAT)?))),
        Marker::I16 => Number::Int(i64::from(i16::from_be_bytes(reader.array(WHAT)?))),
        Marker::I32 => Number::Int(i64::from(i32::from_be_bytes(reader.array(WHAT)?))),
        Marker::I64 => Number::Int(i64::from_be_bytes(reader.array(WHAT)?)),
        Marker::F32 => float(f64::from(f32::from_be_bytes(reader.array(WHAT)?)))?,
        Marker::F64 => float(f64::from_be_bytes(reader.array(WHAT)?))?,
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
            let text = read_text(reader, marker)?.unwrap_or_default();
            if !is_decimal(text) {
                return Err(CodecError::new(format!(
                    "expected a number, found the string {}, which is not a decimal number",
                    quoted(text)
                )));
            }
            Number::Decimal(text.to_owned())
        }
        other => return Err(mismatch(&Type::Number, other)),
    };
    Ok(number)
}

fn unsigned(value: u64) -> Number {
    i64::try_from(value).map_or(Number::UInt(value), Number::Int)
}

fn float(value: f64) -> Result<Number, CodecError> {
    if value.is_nan() {
        return Err(CodecError::new("expected a number, found NaN, which cty does not allow"));
    }
    Ok(Number::Float(value))
}

/// Reads a str (or bin) value as UTF-8 text; `None` when `marker` starts neither.
fn read_text<'a>(reader: &mut Reader<'a>, marker: Marker) -> Result<Option<&'a str>, CodecError> {
    let Some(bytes) = read_bytes(reader, marker)? else { return Ok(None) };
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(e) => Err(CodecError::new(format!(
            "a string is not valid UTF-8 (invalid bytes at offset {})",
            e.valid_up_to()
        ))),
    }
}

/// Reads the payload of a str or bin value; `None` when `marker` starts neither.
fn read_bytes<'a>(reader: &mut Reader<'a>, marker: Marker) -> Result<Option<&'a [u8]>, CodecError> {
    const WHAT: &str = "a string";
    let len = match marker {
        Marker::FixStr(len) => usize::from(len),
        Marker::Str8 | Marker::Bin8 => reader.len8(WHAT)?,
        Marker::Str16 | Marker::Bin16 => reader.len16(WHAT)?,
        Marker::Str32 | Marker::Bin32 => reader.len32(WHAT)?,
        _ => return Ok(None),
    };
    reader.take(len, WHAT).map(Some)
}

/// Reads an array header and checks its length against the remaining input (each element
/// takes at least one byte).
fn array_len(reader: &mut Reader<'_>, marker: Marker, ty: &Type) -> Result<usize, CodecError> {
    const WHAT: &str = "an array";
    let len = match marker {
        Marker::FixArray(len) => usize::from(len),
        Marker::Array16 => reader.len16(WHAT)?,
        Marker::Array32 => reader.len32(WHAT)?,
        other => return Err(mismatch(ty, other)),
    };
    check_declared(reader, len, 1, "an array of")?;
    Ok(len)
}

/// Reads a map header and checks its length against the remaining input (each entry takes at
/// least two bytes).
fn map_len(reader: &mut Reader<'_>, marker: Marker, ty: &Type) -> Result<usize, CodecError> {
    const WHAT: &str = "a map";
    let len = match marker {
        Marker::FixMap(len) => usize::from(len),
        Marker::Map16 => reader.len16(WHAT)?,
        Marker::Map32 => reader.len32(WHAT)?,
        other => return Err(mismatch(ty, other)),
    };
    check_declared(reader, len, 2, "a map of")?;
    Ok(len)
}

fn check_declared(
    reader: &Reader<'_>,
    len: usize,
    min_bytes_each: usize,
    what: &str,
) -> Result<(), CodecError> {
    let remaining = reader.remaining();
    if len.checked_mul(min_bytes_each).is_none_or(|needed| needed > remaining) {
        return Err(CodecError::new(format!(
            "the input ends early: {what} {len} entries cannot fit in the {remaining} bytes that remain"
        )));
    }
    Ok(())
}

fn decode_elements(
    reader: &mut Reader<'_>,
    marker: Marker,
    ty: &Type,
    element: &Type,
    depth: usize,
) -> Result<Vec<Value>, CodecError> {
    let len = array_len(reader, marker, ty)?;
    let depth = nested(depth)?;
    let mut items = Vec::with_capacity(len.min(PREALLOCATED_ELEMENTS));
    for index in 0..len {
        let item = decode_value(reader, element, depth).map_err(|e| e.within(index_step(index)))?;
        items.push(item);
    }
    Ok(items)
}

fn decode_tuple(
    reader: &mut Reader<'_>,
    marker: Marker,
    ty: &Type,
    elements: &[Type],
    depth: usize,
) -> Result<Value, CodecError> {
    let len = array_len(reader, marker, ty)?;
    if len != elements.len() {
        return Err(CodecError::new(format!(
            "expected a tuple of {} elements, found an array of {len}",
            elements.len()
        )));
    }
    let depth = nested(depth)?;
    let mut items = Vec::with_capacity(len);
    for (index, element) in elements.iter().enumerate() {
        let item = decode_value(reader, element, depth).map_err(|e| e.within(index_step(index)))?;
        items.push(item);
    }
    Ok(Value::Tuple(items))
}

fn decode_map(
    reader: &mut Reader<'_>,
    marker: Marker,
    ty: &Type,
    element: &Type,
    depth: usize,
) -> Result<Value, CodecError> {
    let len = map_len(reader, marker, ty)?;
    let depth = nested(depth)?;
    let mut entries = BTreeMap::new();
    for _ in 0..len {
        let key = read_key(reader, "map keys")?;
        let step = PathStep::ElementKeyString(key.clone());
        let value = decode_value(reader, element, depth).map_err(|e| e.within(step))?;
        match entries.entry(key) {
            Entry::Vacant(slot) => slot.insert(value),
            Entry::Occupied(slot) => {
                let key = quoted(slot.key());
                return Err(CodecError::new(format!("the map key {key} appears twice")));
            }
        };
    }
    Ok(Value::Map(entries))
}

fn decode_object(
    reader: &mut Reader<'_>,
    marker: Marker,
    ty: &Type,
    attributes: &BTreeMap<String, Type>,
    depth: usize,
) -> Result<Value, CodecError> {
    let len = map_len(reader, marker, ty)?;
    let depth = nested(depth)?;
    let mut values = BTreeMap::new();
    for _ in 0..len {
        let name = read_key(reader, "attribute names")?;
        let Some(attribute) = attributes.get(&name) else {
            return Err(unexpected_attribute(&name, attributes));
        };
        let step = PathStep::Attribute(name.clone());
        let value = decode_value(reader, attribute, depth).map_err(|e| e.within(step))?;
        match values.entry(name) {
            Entry::Vacant(slot) => slot.insert(value),
            Entry::Occupied(slot) => {
                let name = quoted(slot.key());
                return Err(CodecError::new(format!("the attribute {name} appears twice")));
            }
        };
    }
    for name in attributes.keys() {
        values.entry(name.clone()).or_insert(Value::Null);
    }
    Ok(Value::Object(values))
}

fn unexpected_attribute(name: &str, attributes: &BTreeMap<String, Type>) -> CodecError {
    let expected: Vec<&str> = attributes.keys().map(String::as_str).collect();
    CodecError::new(format!(
        "unexpected attribute {}; the object's attributes are: {}",
        quoted(name),
        if expected.is_empty() { "(none)".to_owned() } else { expected.join(", ") }
    ))
}

/// Reads a map key or attribute name: a str (or bin) holding UTF-8 text.
fn read_key(reader: &mut Reader<'_>, what: &str) -> Result<String, CodecError> {
    let marker = reader.marker()?;
    match read_text(reader, marker)? {
        Some(text) => Ok(text.to_owned()),
        None => Err(CodecError::new(format!(
            "{what} must be strings, found {}",
            describe_marker(marker)
        ))),
    }
}

/// Decodes `[type JSON, value]`, the form of a known value whose schema type is `dynamic`.
fn decode_dynamic(
    reader: &mut Reader<'_>,
    marker: Marker,
    depth: usize,
) -> Result<Value, CodecError> {
    let len = array_len(reader, marker, &Type::Dynamic)?;
    if len != 2 {
        return Err(CodecError::new(format!(
            "a dynamic value must be a 2-element array [type, value], found {len} elements"
        )));
    }
    let depth = nested(depth)?;
    let type_marker = reader.marker()?;
    let Some(type_json) = read_bytes(reader, type_marker)? else {
        return Err(CodecError::new(format!(
            "the type of a dynamic value must be JSON text, found {}",
            describe_marker(type_marker)
        )));
    };
    let ty = Type::from_json(type_json).map_err(|e| {
        CodecError::new(format!("the type of a dynamic value is invalid: {}", e.message))
    })?;
    decode_value(reader, &ty, depth)
}

fn mismatch(expected: &Type, found: Marker) -> CodecError {
    CodecError::new(format!("expected {}, found {}", expected.describe(), describe_marker(found)))
}

/// What a msgpack marker starts, in the words of error messages.
fn describe_marker(marker: Marker) -> &'static str {
    match marker {
        Marker::Null => "null",
        Marker::True | Marker::False => "a bool",
        Marker::FixPos(_) | Marker::FixNeg(_) => "an integer",
        Marker::U8 | Marker::U16 | Marker::U32 | Marker::U64 => "an integer",
        Marker::I8 | Marker::I16 | Marker::I32 | Marker::I64 => "an integer",
        Marker::F32 | Marker::F64 => "a float",
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => "a string",
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => "binary data",
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => "an array",
        Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => "a map",
        Marker::FixExt1 | Marker::FixExt2 | Marker::FixExt4 | Marker::FixExt8 => "an extension",
        Marker::FixExt16 | Marker::Ext8 | Marker::Ext16 | Marker::Ext32 => "an extension",
        Marker::Reserved => "the reserved byte 0xc1",
    }
}

fn encode_value(
    out: &mut ByteBuf,
    value: &Value,
    ty: &Type,
    depth: usize,
) -> Result<(), CodecError> {
    match (value, ty) {
        (Value::Null, _) => {
            let Ok(()) = rmp::encode::write_nil(out);
        }
        (Value::Unknown, _) => {
            written(rmp::encode::write_ext_meta(out, 1, 0));
            out.as_mut_vec().push(0);
        }
        (_, Type::Dynamic) => encode_dynamic(out, value, depth)?,
        (Value::Bool(b), Type::Bool) => {
            let Ok(()) = rmp::encode::write_bool(out, *b);
        }
        (Value::Number(number), Type::Number) => encode_number(out, number)?,
        (Value::String(text), Type::String) => write_text(out, text)?,
        (Value::List(items), Type::List(element)) | (Value::Set(items), Type::Set(element)) => {
            encode_elements(out, items, |_| element, depth)?;
        }
        (Value::Tuple(items), Type::Tuple(elements)) => encode_tuple(out, items, elements, depth)?,
        (Value::Map(entries), Type::Map(element)) => encode_map(out, entries, element, depth)?,
        (Value::Object(values), Type::Object(attributes)) => {
            encode_object(out, values, attributes, depth)?;
        }
        (value, ty) => {
            return Err(CodecError::new(format!(
                "expected {}, found {}",
                ty.describe(),
                value.describe()
            )));
        }
    }
    Ok(())
}

fn encode_number(out: &mut ByteBuf, number: &Number) -> Result<(), CodecError> {
    match number {
        Number::Int(int) => _ = written(rmp::encode::write_sint(out, *int)),
        Number::UInt(uint) => _ = written(rmp::encode::write_uint(out, *uint)),
        Number::Float(float) if float.is_nan() => {
            return Err(CodecError::new("NaN cannot be encoded: cty numbers are never NaN"));
        }
        Number::Float(float) => match whole_i64(*float) {
            Some(int) => _ = written(rmp::encode::write_sint(out, int)),
            None => written(rmp::encode::write_f64(out, *float)),
        },
        Number::Decimal(text) if is_decimal(text) => write_text(out, text)?,
        Number::Decimal(text) => {
            return Err(CodecError::new(format!(
                "the number {} is not decimal text such as \"1e400\"",
                quoted(text)
            )));
        }
    }
    Ok(())
}

/// The float as an `i64` when it is a whole number in range (so it encodes as an int).
fn whole_i64(float: f64) -> Option<i64> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63, exact as an f64
    (float.fract() == 0.0 && (-LIMIT..LIMIT).contains(&float)).then_some(float as i64)
}

fn write_text(out: &mut ByteBuf, text: &str) -> Result<(), CodecError> {
    wire_len(text.len(), "string")?;
    written(rmp::encode::write_str(out, text));
    Ok(())
}

fn encode_elements<'t>(
    out: &mut ByteBuf,
    items: &[Value],
    element_type: impl Fn(usize) -> &'t Type,
    depth: usize,
) -> Result<(), CodecError> {
    let depth = nested(depth)?;
    written(rmp::encode::write_array_len(out, wire_len(items.len(), "collection")?));
    for (index, item) in items.iter().enumerate() {
        encode_value(out, item, element_type(index), depth)
            .map_err(|e| e.within(index_step(index)))?;
    }
    Ok(())
}

fn encode_tuple(
    out: &mut ByteBuf,
    items: &[Value],
    elements: &[Type],
    depth: usize,
) -> Result<(), CodecError> {
    if items.len() != elements.len() {
        return Err(CodecError::new(format!(
            "expected a tuple of {} elements, found {}",
            elements.len(),
            items.len()
        )));
    }
    encode_elements(out, items, |index| &elements[index], depth)
}

fn encode_map(
    out: &mut ByteBuf,
    entries: &BTreeMap<String, Value>,
    element: &Type,
    depth: usize,
) -> Result<(), CodecError> {
    let depth = nested(depth)?;
    written(rmp::encode::write_map_len(out, wire_len(entries.len(), "map")?));
    for (key, value) in entries {
        write_text(out, key)?;
        encode_value(out, value, element, depth)
            .map_err(|e| e.within(PathStep::ElementKeyString(key.clone())))?;
    }
    Ok(())
}

/// Writes every attribute of the object type, in sorted order; a missing value is null.
fn encode_object(
    out: &mut ByteBuf,
    values: &BTreeMap<String, Value>,
    attributes: &BTreeMap<String, Type>,
    depth: usize,
) -> Result<(), CodecError> {
    encode_fields(out, values.iter().map(|(name, value)| (name.as_str(), value)), attributes, depth)
}

/// Writes an object from its fields given in strictly increasing name order (as a `BTreeMap`
/// holds them). Both sides are sorted, so one pass pairs each attribute with its value.
fn encode_fields<'v>(
    out: &mut ByteBuf,
    fields: impl Iterator<Item = (&'v str, &'v Value)>,
    attributes: &BTreeMap<String, Type>,
    depth: usize,
) -> Result<(), CodecError> {
    let depth = nested(depth)?;
    written(rmp::encode::write_map_len(out, wire_len(attributes.len(), "object")?));
    let mut given = fields.peekable();
    let mut previous: Option<&str> = None;
    for (name, attribute) in attributes {
        let mut value = &Value::Null;
        while let Some((key, found)) = given.next_if(|(key, _)| *key <= name.as_str()) {
            if previous.is_some_and(|before| before >= key) {
                return Err(CodecError::new(format!(
                    "the attribute {} is out of order or given twice",
                    quoted(key)
                )));
            }
            if key != name {
                return Err(undeclared_attribute(key));
            }
            (previous, value) = (Some(key), found);
        }
        write_text(out, name)?;
        encode_value(out, value, attribute, depth)
            .map_err(|e| e.within(PathStep::Attribute(name.clone())))?;
    }
    match given.next() {
        Some((key, _)) => Err(undeclared_attribute(key)),
        None => Ok(()),
    }
}

/// An object value or part names an attribute its type lacks.
fn undeclared_attribute(name: &str) -> CodecError {
    CodecError::new(format!(
        "the object has an attribute {} that its type does not declare",
        quoted(name)
    ))
}

/// Writes `[type JSON, value]` for a known value whose schema type is `dynamic`.
fn encode_dynamic(out: &mut ByteBuf, value: &Value, depth: usize) -> Result<(), CodecError> {
    let depth = nested(depth)?;
    let ty = value.infer_type();
    let type_json = ty.to_json();
    written(rmp::encode::write_array_len(out, 2));
    wire_len(type_json.len(), "type")?;
    written(rmp::encode::write_bin(out, type_json.as_bytes()));
    encode_value(out, value, &ty, depth)
}

/// A length as msgpack's 32-bit length field, or an error for anything larger.
fn wire_len(len: usize, what: &str) -> Result<u32, CodecError> {
    u32::try_from(len).map_err(|_| {
        CodecError::new(format!("a {what} of {len} entries or bytes is too large for msgpack"))
    })
}

/// The result of writing into a `ByteBuf`, which cannot fail.
fn written<T>(result: Result<T, ValueWriteError<Infallible>>) -> T {
    match result {
        Ok(value) => value,
        Err(
            ValueWriteError::InvalidMarkerWrite(never) | ValueWriteError::InvalidDataWrite(never),
        ) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes from hex pairs, spaces ignored: `bytes("d4 00 00")`.
    fn bytes(hex: &str) -> Vec<u8> {
        let digits: String = hex.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        hex::decode(digits).expect("test hex is valid")
    }

    /// Hex of `text`'s bytes, for building expected encodings of strings.
    fn hex_of(text: &str) -> String {
        hex::encode(text)
    }

    fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    fn float(f: f64) -> Value {
        Value::Number(Number::Float(f))
    }

    fn decimal(text: &str) -> Value {
        Value::Number(Number::Decimal(text.to_owned()))
    }

    fn strings(items: &[&str]) -> Vec<Value> {
        items.iter().map(|s| Value::from(*s)).collect()
    }

    /// Asserts that `value` encodes to exactly `hex` and that those bytes decode back to it.
    fn assert_golden(value: Value, ty: &Type, hex: &str) {
        let expected = bytes(hex);
        assert_eq!(encode_msgpack(&value, ty), Ok(expected.clone()), "encoding {value:?}");
        assert_eq!(decode_msgpack(&expected, ty), Ok(value), "decoding {hex}");
    }

    fn decode_err(hex: &str, ty: &Type) -> String {
        match decode_msgpack(&bytes(hex), ty) {
            Ok(value) => panic!("{hex} decoded to {value:?}, expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn null_and_unknown_golden() {
        for ty in [Type::String, Type::Number, Type::list(Type::Bool), Type::Dynamic] {
            assert_golden(Value::Null, &ty, "c0");
            assert_golden(Value::Unknown, &ty, "d4 00 00");
        }
    }

    #[test]
    fn any_extension_decodes_as_unknown() {
        let cases = [
            "d4 0c 00",          // fixext1, type 12
            "c7 03 0c 81 01 c3", // ext8 type 12: refined unknown {1: true} (not null)
            "c7 00 05",          // ext8, empty payload
            "d5 01 aa bb",       // fixext2
            "d6 02 00 00 00 00", // fixext4
            "d7 03 00 00 00 00 00 00 00 00",
            "d8 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "c8 00 02 0c 80 c0",    // ext16
            "c9 00 00 00 01 0c 80", // ext32
        ];
        for hex in cases {
            assert_eq!(decode_msgpack(&bytes(hex), &Type::String), Ok(Value::Unknown), "{hex}");
        }
        let list = Type::list(Type::String);
        let decoded = decode_msgpack(&bytes("92 a1 61 c7 03 0c 81 01 c3"), &list);
        assert_eq!(decoded, Ok(Value::List(vec![Value::from("a"), Value::Unknown])));
    }

    #[test]
    fn integers_use_the_smallest_width() {
        let cases: &[(i64, &str)] = &[
            (0, "00"),
            (127, "7f"),
            (128, "cc 80"),
            (255, "cc ff"),
            (256, "cd 01 00"),
            (65_535, "cd ff ff"),
            (65_536, "ce 00 01 00 00"),
            (4_294_967_295, "ce ff ff ff ff"),
            (4_294_967_296, "cf 00 00 00 01 00 00 00 00"),
            (i64::MAX, "cf 7f ff ff ff ff ff ff ff"),
            (-1, "ff"),
            (-32, "e0"),
            (-33, "d0 df"),
            (-128, "d0 80"),
            (-129, "d1 ff 7f"),
            (-32_768, "d1 80 00"),
            (-32_769, "d2 ff ff 7f ff"),
            (-2_147_483_648, "d2 80 00 00 00"),
            (-2_147_483_649, "d3 ff ff ff ff 7f ff ff ff"),
            (i64::MIN, "d3 80 00 00 00 00 00 00 00"),
        ];
        for (i, hex) in cases {
            assert_golden(int(*i), &Type::Number, hex);
        }
        let max = Value::Number(Number::UInt(u64::MAX));
        assert_golden(max, &Type::Number, "cf ff ff ff ff ff ff ff ff");
    }

    #[test]
    fn integers_of_any_width_decode() {
        let cases: &[(&str, i64)] = &[
            ("cc 05", 5),
            ("cd 00 05", 5),
            ("ce 00 00 00 05", 5),
            ("cf 00 00 00 00 00 00 00 05", 5),
            ("d0 05", 5),
            ("d0 fb", -5),
            ("d1 ff fb", -5),
            ("d2 ff ff ff fb", -5),
            ("d3 ff ff ff ff ff ff ff fb", -5),
        ];
        for (hex, i) in cases {
            assert_eq!(decode_msgpack(&bytes(hex), &Type::Number), Ok(int(*i)), "{hex}");
        }
    }

    #[test]
    fn floats_golden() {
        assert_golden(float(1.5), &Type::Number, "cb 3f f8 00 00 00 00 00 00");
        assert_golden(float(-0.1), &Type::Number, "cb bf b9 99 99 99 99 99 9a");
        assert_golden(float(1e300), &Type::Number, "cb 7e 37 e4 3c 88 00 75 9c");
        assert_golden(float(f64::INFINITY), &Type::Number, "cb 7f f0 00 00 00 00 00 00");
        let single = decode_msgpack(&bytes("ca 3f c0 00 00"), &Type::Number);
        assert_eq!(single, Ok(float(1.5)));
    }

    #[test]
    fn whole_floats_encode_as_integers() {
        let cases: &[(f64, &str)] = &[
            (2.0, "02"),
            (-0.0, "00"),
            (-3.0, "fd"),
            (300.0, "cd 01 2c"),
            (-9_223_372_036_854_775_808.0, "d3 80 00 00 00 00 00 00 00"),
            (9_223_372_036_854_775_808.0, "cb 43 e0 00 00 00 00 00 00"),
        ];
        for (f, hex) in cases {
            assert_eq!(encode_msgpack(&float(*f), &Type::Number), Ok(bytes(hex)), "{f}");
        }
    }

    #[test]
    fn decimal_strings_golden() {
        assert_golden(decimal("1e400"), &Type::Number, "a5 31 65 34 30 30");
        let big = "123456789012345678901234567890";
        assert_golden(decimal(big), &Type::Number, &format!("be {}", hex_of(big)));
        assert_golden(decimal("0.1"), &Type::Number, "a3 30 2e 31");
    }

    #[test]
    fn strings_golden() {
        assert_golden(Value::from(""), &Type::String, "a0");
        assert_golden(Value::from("hi"), &Type::String, "a2 68 69");
        assert_golden(Value::from("é"), &Type::String, "a2 c3 a9");
        let long = "x".repeat(32);
        assert_golden(
            Value::from(long.as_str()),
            &Type::String,
            &format!("d9 20 {}", hex_of(&long)),
        );
        let longer = "y".repeat(256);
        let hex = format!("da 01 00 {}", hex_of(&longer));
        assert_golden(Value::from(longer.as_str()), &Type::String, &hex);
        let text = Ok(Value::from("hi"));
        assert_eq!(decode_msgpack(&bytes("c4 02 68 69"), &Type::String), text, "bin8");
        assert_eq!(decode_msgpack(&bytes("db 00 00 00 02 68 69"), &Type::String), text, "str32");
    }

    #[test]
    fn bools_golden() {
        assert_golden(Value::Bool(true), &Type::Bool, "c3");
        assert_golden(Value::Bool(false), &Type::Bool, "c2");
    }

    #[test]
    fn collections_golden() {
        let list = Value::List(strings(&["a", "b"]));
        assert_golden(list, &Type::list(Type::String), "92 a1 61 a1 62");
        assert_golden(Value::List(vec![]), &Type::list(Type::String), "90");
        let set = Value::Set(vec![int(1), int(2)]);
        assert_golden(set, &Type::set(Type::Number), "92 01 02");
        let map =
            Value::Map([("a".to_owned(), Value::Bool(true)), ("b".to_owned(), Value::Null)].into());
        assert_golden(map, &Type::map(Type::Bool), "82 a1 61 c3 a1 62 c0");
        let tuple = Value::Tuple(vec![Value::from("x"), int(1)]);
        assert_golden(tuple, &Type::Tuple(vec![Type::String, Type::Number]), "92 a1 78 01");
    }

    #[test]
    fn objects_carry_every_attribute_in_sorted_order() {
        let ty = Type::object([("c", Type::Bool), ("a", Type::String), ("b", Type::Number)]);
        let value = Value::object([("a", Value::from("x")), ("b", Value::Null)]);
        let expected = bytes("83 a1 61 a1 78 a1 62 c0 a1 63 c0");
        assert_eq!(encode_msgpack(&value, &ty), Ok(expected.clone()));
        let complete = Value::object([("a", "x".into()), ("b", Value::Null), ("c", Value::Null)]);
        assert_eq!(decode_msgpack(&expected, &ty), Ok(complete.clone()));
        // Attributes may arrive in any order, and a missing one decodes as null.
        assert_eq!(decode_msgpack(&bytes("82 a1 62 c0 a1 61 a1 78"), &ty), Ok(complete));
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let string_json = hex_of("\"string\"");
        assert_golden(
            Value::from("hi"),
            &Type::Dynamic,
            &format!("92 c4 08 {string_json} a2 68 69"),
        );
        let list_json = hex_of(r#"["list","number"]"#);
        let list = Value::List(vec![int(1), int(2)]);
        assert_golden(list, &Type::Dynamic, &format!("92 c4 11 {list_json} 92 01 02"));
        let object_json = hex_of(r#"["object",{"a":"bool"}]"#);
        let object = Value::object([("a", Value::Bool(true))]);
        assert_golden(object, &Type::Dynamic, &format!("92 c4 17 {object_json} 81 a1 61 c3"));
        // The type may also arrive as a str, and the value may be unknown.
        let as_str = bytes(&format!("92 a8 {string_json} d4 00 00"));
        assert_eq!(decode_msgpack(&as_str, &Type::Dynamic), Ok(Value::Unknown));
    }

    #[test]
    fn dynamic_encoding_infers_element_types() {
        let mixed = Value::List(vec![Value::from("a"), int(1)]);
        let encoded = encode_msgpack(&mixed, &Type::Dynamic).expect("mixed lists encode");
        let list_json = hex_of(r#"["list","dynamic"]"#);
        let string_json = hex_of("\"string\"");
        let number_json = hex_of("\"number\"");
        let expected = format!(
            "92 c4 12 {list_json} 92 92 c4 08 {string_json} a1 61 92 c4 08 {number_json} 01"
        );
        assert_eq!(encoded, bytes(&expected));
        assert_eq!(decode_msgpack(&encoded, &Type::Dynamic), Ok(mixed));

        let with_null = Value::List(vec![Value::Null, Value::from("a")]);
        let list_json = hex_of(r#"["list","string"]"#);
        let expected = format!("92 c4 11 {list_json} 92 c0 a1 61");
        assert_eq!(encode_msgpack(&with_null, &Type::Dynamic), Ok(bytes(&expected)));
    }

    /// A type that uses every kind, and a value of it with nulls, unknowns and nesting.
    fn everything() -> (Type, Value) {
        let image = Type::object([("image_id", Type::String), ("size", Type::Number)]);
        let ty = Type::object([
            ("name", Type::String),
            ("count", Type::Number),
            ("enabled", Type::Bool),
            ("tags", Type::map(Type::String)),
            ("ids", Type::list(Type::Number)),
            ("zones", Type::set(Type::String)),
            ("pair", Type::Tuple(vec![Type::String, Type::Bool])),
            ("extra", Type::Dynamic),
            ("images", Type::list(image)),
            ("missing", Type::String),
            ("later", Type::list(Type::String)),
        ]);
        let value = Value::object([
            ("name", Value::from("ubuntu")),
            ("count", Value::Number(Number::UInt(u64::MAX))),
            ("enabled", Value::Bool(true)),
            ("tags", Value::Map([("os".to_owned(), Value::from("linux"))].into())),
            ("ids", Value::List(vec![int(-70_000), float(0.25), decimal("1e400"), Value::Null])),
            ("zones", Value::Set(strings(&["ap-guangzhou-3", "ap-shanghai-2"]))),
            ("pair", Value::Tuple(vec![Value::Unknown, Value::Bool(false)])),
            ("extra", Value::object([("nested", Value::List(strings(&["x"])))])),
            (
                "images",
                Value::List(vec![
                    Value::object([("image_id", "img-1".into()), ("size", int(50))]),
                    Value::object([("image_id", Value::Null), ("size", Value::Unknown)]),
                ]),
            ),
            ("missing", Value::Null),
            ("later", Value::Unknown),
        ]);
        (ty, value)
    }

    #[test]
    fn round_trips_every_type() {
        let (ty, value) = everything();
        let encoded = encode_msgpack(&value, &ty).expect("the sample value fits its type");
        assert_eq!(decode_msgpack(&encoded, &ty), Ok(value.clone()));
        // The same value as a dynamic one round-trips through its inferred type.
        let known = Value::object([("a", value.get_attr("tags").cloned().unwrap_or(Value::Null))]);
        let encoded = encode_msgpack(&known, &Type::Dynamic).expect("known values infer a type");
        assert_eq!(decode_msgpack(&encoded, &Type::Dynamic), Ok(known));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let (ty, value) = everything();
        let encoded = encode_msgpack(&value, &ty).expect("the sample value fits its type");
        for len in 0..encoded.len() {
            assert!(decode_msgpack(&encoded[..len], &ty).is_err(), "prefix of {len} bytes");
        }
    }

    #[test]
    fn wrong_types_name_the_path() {
        let ty = Type::object([(
            "images",
            Type::list(Type::object([
                ("image_name", Type::String),
                ("tags", Type::map(Type::Number)),
            ])),
        )]);
        // {"images": [nil, nil, nil, {"image_name": [], "tags": nil}]}
        let hex = format!(
            "81 a6 {} 94 c0 c0 c0 82 aa {} 90 a4 {} c0",
            hex_of("images"),
            hex_of("image_name"),
            hex_of("tags")
        );
        assert_eq!(
            decode_err(&hex, &ty),
            "expected a string, found an array (at images[3].image_name)"
        );
        let hex = format!("81 a6 {} 91 81 a4 {} 81 a1 6b c3", hex_of("images"), hex_of("tags"));
        assert_eq!(
            decode_err(&hex, &ty),
            "expected a number, found a bool (at images[0].tags[\"k\"])"
        );
    }

    #[test]
    fn encoding_a_value_that_does_not_fit_names_the_path() {
        let ty = Type::object([("images", Type::list(Type::object([("size", Type::Number)])))]);
        let value = Value::object([(
            "images",
            Value::List(vec![
                Value::object([("size", int(1))]),
                Value::object([("size", "big".into())]),
            ]),
        )]);
        let err = encode_msgpack(&value, &ty).unwrap_err();
        assert_eq!(err.to_string(), "expected a number, found a string (at images[1].size)");

        let cases: &[(Value, Type, &str)] = &[
            (Value::List(vec![]), Type::set(Type::String), "expected a set, found a list"),
            (Value::object([("x", int(1))]), Type::object([]), "attribute \"x\" that its type"),
            (Value::Tuple(vec![int(1)]), Type::Tuple(vec![]), "tuple of 0 elements, found 1"),
            (float(f64::NAN), Type::Number, "NaN"),
            (decimal("12abc"), Type::Number, "\"12abc\" is not decimal text"),
        ];
        for (value, ty, expected) in cases {
            let err = encode_msgpack(value, ty).unwrap_err().to_string();
            assert!(err.contains(expected), "{value:?}: {err}");
        }
    }

    #[test]
    fn malformed_input_is_a_clear_error() {
        let object = Type::object([("a", Type::String)]);
        let cases: &[(&str, Type, &str)] = &[
            ("", Type::String, "the input ends early: a value needs 1 more bytes"),
            ("c0 c0", Type::String, "1 unexpected bytes follow the value"),
            ("a2 68 69 00", Type::String, "1 unexpected bytes follow"),
            ("a2 ff fe", Type::String, "not valid UTF-8"),
            ("81 a2 ff fe c0", Type::map(Type::String), "not valid UTF-8"),
            ("c1", Type::String, "found the reserved byte 0xc1"),
            (
                "81 a1 62 a1 78",
                object.clone(),
                "unexpected attribute \"b\"; the object's attributes are: a",
            ),
            ("82 a1 61 c0 a1 61 c0", object.clone(), "the attribute \"a\" appears twice"),
            ("82 a1 6b c0 a1 6b c0", Type::map(Type::String), "the map key \"k\" appears twice"),
            ("81 01 c0", object, "attribute names must be strings, found an integer"),
            ("81 c0 c0", Type::map(Type::String), "map keys must be strings, found null"),
            ("a3 61 62 63", Type::Number, "the string \"abc\", which is not a decimal number"),
            ("cb 7f f8 00 00 00 00 00 00", Type::Number, "found NaN"),
            ("c4 01 31", Type::Number, "expected a number, found binary data"),
            ("91 01", Type::Tuple(vec![]), "expected a tuple of 0 elements, found an array of 1"),
            ("91 c0", Type::Dynamic, "a dynamic value must be a 2-element array"),
            (
                "92 01 c0",
                Type::Dynamic,
                "the type of a dynamic value must be JSON text, found an integer",
            ),
            ("92 a3 66 6f 6f c0", Type::Dynamic, "the type of a dynamic value is invalid"),
            ("a1 61", Type::Dynamic, "expected a dynamic value, found a string"),
            ("01", Type::Bool, "expected a bool, found an integer"),
            ("c3", Type::list(Type::Bool), "expected a list, found a bool"),
        ];
        for (hex, ty, expected) in cases {
            let err = decode_err(hex, ty);
            assert!(err.contains(expected), "{hex}: {err}");
        }
    }

    #[test]
    fn huge_declared_lengths_fail_without_allocating() {
        let cases: &[(&str, Type)] = &[
            ("dd ff ff ff ff c0", Type::list(Type::String)),
            ("dd ff ff ff ff", Type::Tuple(vec![Type::String])),
            ("db ff ff ff ff 61 62", Type::String),
            ("c6 ff ff ff ff 61", Type::String),
            ("df ff ff ff ff a1 61 c0", Type::map(Type::String)),
            ("df ff ff ff ff", Type::object([("a", Type::String)])),
            ("c9 ff ff ff ff 00", Type::String),
            ("92 c6 ff ff ff ff c0", Type::Dynamic),
            (
                "91 dd ff ff ff ff 91 dd ff ff ff ff",
                Type::list(Type::list(Type::list(Type::String))),
            ),
        ];
        for (hex, ty) in cases {
            let err = decode_err(hex, ty);
            assert!(err.contains("the input ends early"), "{hex}: {err}");
        }
    }

    /// `list(list(...(string)))`, `levels` lists deep.
    fn nested_lists(levels: usize) -> Type {
        (0..levels).fold(Type::String, |inner, _| Type::list(inner))
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let mut input = vec![0x91; 10_000];
        input.push(0xc0);
        let err = decode_msgpack(&input, &nested_lists(100)).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err}");
        assert_eq!(err.path.0.len(), 64);

        let wrapper = format!("92 c4 09 {}", hex_of("\"dynamic\""));
        let mut input = bytes(&wrapper.repeat(10_000));
        input.push(0xc0);
        let err = decode_msgpack(&input, &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err}");

        let mut input = vec![0x91; 64];
        input.push(0xa0);
        let decoded = decode_msgpack(&input, &nested_lists(64)).expect("64 levels are allowed");
        assert_eq!(encode_msgpack(&decoded, &nested_lists(64)), Ok(input));
    }

    #[test]
    fn deep_values_are_refused_on_encode() {
        let deep = (0..100).fold(Value::from("x"), |inner, _| Value::List(vec![inner]));
        let err = encode_msgpack(&deep, &nested_lists(100)).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err}");
        let err = encode_msgpack(&deep, &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err}");
    }

    mod fuzz {
        use proptest::prelude::*;

        use super::super::*;
        use super::everything;

        fn types() -> Vec<Type> {
            vec![
                everything().0,
                Type::object([
                    ("ids", Type::list(Type::Number)),
                    ("tags", Type::map(Type::String)),
                    ("extra", Type::Dynamic),
                ]),
                Type::Dynamic,
                Type::list(Type::Dynamic),
            ]
        }

        fn arb_type() -> impl Strategy<Value = Type> {
            let leaf = prop_oneof![
                Just(Type::Bool),
                Just(Type::Number),
                Just(Type::String),
                Just(Type::Dynamic)
            ];
            leaf.prop_recursive(4, 32, 4, |inner| {
                prop_oneof![
                    inner.clone().prop_map(Type::list),
                    inner.clone().prop_map(Type::set),
                    inner.clone().prop_map(Type::map),
                    proptest::collection::btree_map("[a-z_]{1,8}", inner.clone(), 0..4)
                        .prop_map(Type::Object),
                    proptest::collection::vec(inner, 0..4).prop_map(Type::Tuple),
                ]
            })
        }

        /// Numbers in the one form each keeps through a round trip (whole floats become ints).
        fn arb_number() -> impl Strategy<Value = Number> {
            prop_oneof![
                any::<i64>().prop_map(Number::Int),
                (i64::MAX as u64 + 1..=u64::MAX).prop_map(Number::UInt),
                any::<f64>()
                    .prop_filter("fractional or infinite", |f| f.fract() != 0.0)
                    .prop_map(Number::Float),
                prop_oneof![Just("1e400"), Just("0.1"), Just("-123456789012345678901234567890")]
                    .prop_map(|text| Number::Decimal(text.to_owned())),
            ]
        }

        /// Known values a `dynamic` slot gives back unchanged once decoded by inferred type.
        fn arb_dynamic() -> BoxedStrategy<Value> {
            prop_oneof![
                any::<bool>().prop_map(Value::Bool),
                arb_number().prop_map(Value::Number),
                any::<String>().prop_map(Value::String),
                proptest::collection::vec(any::<String>().prop_map(Value::String), 0..3)
                    .prop_map(Value::List),
            ]
            .boxed()
        }

        fn arb_value(ty: &Type) -> BoxedStrategy<Value> {
            let known = match ty {
                Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
                Type::Number => arb_number().prop_map(Value::Number).boxed(),
                Type::String => any::<String>().prop_map(Value::String).boxed(),
                Type::Dynamic => arb_dynamic(),
                Type::List(element) => proptest::collection::vec(arb_value(element), 0..4)
                    .prop_map(Value::List)
                    .boxed(),
                Type::Set(element) => {
                    proptest::collection::vec(arb_value(element), 0..4).prop_map(Value::Set).boxed()
                }
                Type::Map(element) => {
                    proptest::collection::btree_map(any::<String>(), arb_value(element), 0..4)
                        .prop_map(Value::Map)
                        .boxed()
                }
                Type::Object(attributes) => {
                    let names: Vec<String> = attributes.keys().cloned().collect();
                    let values: Vec<_> = attributes.values().map(arb_value).collect();
                    values
                        .prop_map(move |values| {
                            Value::Object(names.iter().cloned().zip(values).collect())
                        })
                        .boxed()
                }
                Type::Tuple(elements) => {
                    let values: Vec<_> = elements.iter().map(arb_value).collect();
                    values.prop_map(Value::Tuple).boxed()
                }
            };
            prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1024))]

            #[test]
            fn any_value_round_trips(
                (ty, value) in arb_type().prop_flat_map(|ty| (Just(ty.clone()), arb_value(&ty))),
            ) {
                let encoded = encode_msgpack(&value, &ty).expect("generated values fit their type");
                prop_assert_eq!(decode_msgpack(&encoded, &ty), Ok(value));
                prop_assert_eq!(Type::from_json(ty.to_json().as_bytes()), Ok(ty));
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4096))]

            #[test]
            fn random_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..512)) {
                for ty in types() {
                    let _ = decode_msgpack(&input, &ty);
                }
            }

            #[test]
            fn mutated_encodings_never_panic(
                edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
            ) {
                let (ty, value) = everything();
                let mut input = encode_msgpack(&value, &ty).expect("the sample value fits its type");
                for (at, byte) in edits {
                    let len = input.len();
                    input[at % len] = byte;
                }
                for ty in types() {
                    let _ = decode_msgpack(&input, &ty);
                }
            }
        }
    }
}
