//! The JSON encoding of `DynamicValue` (decode only: replies always use msgpack).
//!
//! JSON cannot express unknown values. Each JSON value is first captured as raw text, so
//! numbers keep their exact spelling and a `dynamic` value's `"value"` can be read once its
//! `"type"` is known, wherever the two appear. serde_json captures raw values without
//! recursing, and this module refuses values nested more than `MAX_NESTING_DEPTH` levels.
//! Must not depend on gRPC or on the msgpack encoding.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{CodecError, Number, PathStep, Type, Value, index_step, nested, quoted};

/// Decodes JSON bytes as a value of type `ty`.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        CodecError::new(format!("the JSON is not valid UTF-8 (at byte {})", e.valid_up_to()))
    })?;
    let raw: &RawValue = serde_json::from_str(text).map_err(invalid_json)?;
    decode_raw(raw, ty, 0)
}

/// The kind of a JSON value, told by its first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    fn of(raw: &RawValue) -> Kind {
        match raw.get().as_bytes().first() {
            Some(b'n') => Kind::Null,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'"') => Kind::String,
            Some(b'[') => Kind::Array,
            Some(b'{') => Kind::Object,
            _ => Kind::Number,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a bool",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

fn decode_raw(raw: &RawValue, ty: &Type, depth: usize) -> Result<Value, CodecError> {
    let kind = Kind::of(raw);
    let text = raw.get();
    match (ty, kind) {
        (_, Kind::Null) => Ok(Value::Null),
        (Type::Bool, Kind::Bool) => Ok(Value::Bool(text == "true")),
        (Type::Number, Kind::Number) => number(text),
        (Type::Number, Kind::String) => number(&parse::<String>(text)?),
        (Type::String, Kind::String) => Ok(Value::String(parse(text)?)),
        (Type::String, Kind::Number | Kind::Bool) => Ok(Value::String(text.to_owned())),
        (Type::Dynamic, Kind::Object) => decode_dynamic(text, depth),
        (Type::List(element), Kind::Array) => elements(text, element, depth).map(Value::List),
        (Type::Set(element), Kind::Array) => elements(text, element, depth).map(Value::Set),
        (Type::Tuple(types), Kind::Array) => tuple(text, types, depth),
        (Type::Map(element), Kind::Object) => map(text, element, depth),
        (Type::Object(attributes), Kind::Object) => object(text, attributes, depth),
        (Type::Dynamic, _) => Err(CodecError::new(format!(
            "expected a dynamic value {{\"value\": ..., \"type\": ...}}, found {}",
            kind.describe()
        ))),
        (ty, kind) => {
            Err(CodecError::new(format!("expected {}, found {}", ty.describe(), kind.describe())))
        }
    }
}

fn number(text: &str) -> Result<Value, CodecError> {
    Number::from_text(text).map(Value::Number).ok_or_else(|| {
        CodecError::new(format!("expected a number, found {}, which is not one", quoted(text)))
    })
}

fn elements(text: &str, element: &Type, depth: usize) -> Result<Vec<Value>, CodecError> {
    let depth = nested(depth)?;
    let raws: Vec<&RawValue> = parse(text)?;
    raws.iter()
        .enumerate()
        .map(|(index, raw)| {
            decode_raw(raw, element, depth).map_err(|e| e.within(index_step(index)))
        })
        .collect()
}

fn tuple(text: &str, types: &[Type], depth: usize) -> Result<Value, CodecError> {
    let depth = nested(depth)?;
    let raws: Vec<&RawValue> = parse(text)?;
    if raws.len() != types.len() {
        return Err(CodecError::new(format!(
            "expected a tuple of {} elements, found an array of {}",
            types.len(),
            raws.len()
        )));
    }
    let items = raws.iter().zip(types).enumerate().map(|(index, (raw, ty))| {
        decode_raw(raw, ty, depth).map_err(|e| e.within(index_step(index)))
    });
    items.collect::<Result<_, _>>().map(Value::Tuple)
}

fn map(text: &str, element: &Type, depth: usize) -> Result<Value, CodecError> {
    let depth = nested(depth)?;
    let mut entries = BTreeMap::new();
    for (key, raw) in parse::<Entries<'_>>(text)?.0 {
        let step = PathStep::ElementKeyString(key.clone());
        let value = decode_raw(raw, element, depth).map_err(|e| e.within(step))?;
        insert_once(&mut entries, key, value, "map key")?;
    }
    Ok(Value::Map(entries))
}

fn object(
    text: &str,
    attributes: &BTreeMap<String, Type>,
    depth: usize,
) -> Result<Value, CodecError> {
    let depth = nested(depth)?;
    let mut values = BTreeMap::new();
    for (name, raw) in parse::<Entries<'_>>(text)?.0 {
        let Some(attribute) = attributes.get(&name) else {
            let expected: Vec<&str> = attributes.keys().map(String::as_str).collect();
            return Err(CodecError::new(format!(
                "unexpected attribute {}; the object's attributes are: {}",
                quoted(&name),
                if expected.is_empty() { "(none)".to_owned() } else { expected.join(", ") }
            )));
        };
        let step = PathStep::Attribute(name.clone());
        let value = decode_raw(raw, attribute, depth).map_err(|e| e.within(step))?;
        insert_once(&mut values, name, value, "attribute")?;
    }
    for name in attributes.keys() {
        values.entry(name.clone()).or_insert(Value::Null);
    }
    Ok(Value::Object(values))
}

/// Decodes `{"value": ..., "type": ...}`, in either order.
fn decode_dynamic(text: &str, depth: usize) -> Result<Value, CodecError> {
    let depth = nested(depth)?;
    let mut parts = BTreeMap::new();
    for (key, raw) in parse::<Entries<'_>>(text)?.0 {
        if key != "type" && key != "value" {
            return Err(CodecError::new(format!(
                "unexpected key {} in a dynamic value; expected only \"type\" and \"value\"",
                quoted(&key)
            )));
        }
        insert_once(&mut parts, key, raw, "key")?;
    }
    let (Some(type_json), Some(value)) = (parts.get("type"), parts.get("value")) else {
        return Err(CodecError::new("a dynamic value needs both a \"type\" and a \"value\" key"));
    };
    let ty = Type::from_json(type_json.get().as_bytes()).map_err(|e| {
        CodecError::new(format!("the type of a dynamic value is invalid: {}", e.message))
    })?;
    decode_raw(value, &ty, depth)
}

fn insert_once<T>(
    entries: &mut BTreeMap<String, T>,
    key: String,
    value: T,
    what: &str,
) -> Result<(), CodecError> {
    match entries.entry(key) {
        Entry::Vacant(slot) => {
            slot.insert(value);
            Ok(())
        }
        Entry::Occupied(slot) => {
            Err(CodecError::new(format!("the {what} {} appears twice", quoted(slot.key()))))
        }
    }
}

/// Parses text already known to be one well-formed JSON value.
fn parse<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, CodecError> {
    serde_json::from_str(text).map_err(invalid_json)
}

fn invalid_json(error: serde_json::Error) -> CodecError {
    CodecError::new(format!("invalid JSON: {error}"))
}

/// The members of a JSON object in input order, duplicates kept so they can be refused.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'a> Deserialize<'a> for Entries<'a> {
    fn deserialize<D: Deserializer<'a>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'a> Visitor<'a> for EntriesVisitor {
    type Value = Entries<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut members: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = members.next_entry::<String, &'a RawValue>()? {
            entries.push(entry);
        }
        Ok(Entries(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str, ty: &Type) -> Result<Value, CodecError> {
        decode_json(json.as_bytes(), ty)
    }

    fn num(number: Number) -> Value {
        Value::Number(number)
    }

    #[test]
    fn primitives() {
        let cases: Vec<(&str, Type, Value)> = vec![
            ("null", Type::String, Value::Null),
            (" true ", Type::Bool, Value::Bool(true)),
            ("false", Type::Bool, Value::Bool(false)),
            ("\"h\\u00e9\\n\"", Type::String, Value::from("hé\n")),
            ("42", Type::String, Value::from("42")),
            ("true", Type::String, Value::from("true")),
            ("null", Type::Dynamic, Value::Null),
        ];
        for (json, ty, expected) in cases {
            assert_eq!(decode(json, &ty), Ok(expected), "{json}");
        }
    }

    #[test]
    fn numbers_keep_their_exact_value() {
        let cases: Vec<(&str, Number)> = vec![
            ("42", Number::Int(42)),
            ("-7", Number::Int(-7)),
            ("-9223372036854775808", Number::Int(i64::MIN)),
            ("18446744073709551615", Number::UInt(u64::MAX)),
            ("1.5", Number::Float(1.5)),
            ("0.1", Number::Float(0.1)),
            ("-2.5e-3", Number::Float(-0.0025)),
            ("1.5e3", Number::Float(1500.0)),
            ("1e400", Number::Decimal("1e400".into())),
            ("18446744073709551616", Number::Decimal("18446744073709551616".into())),
            (
                "123456789012345678901234567890",
                Number::Decimal("123456789012345678901234567890".into()),
            ),
            ("0.10000000000000001", Number::Decimal("0.10000000000000001".into())),
            ("\"1e400\"", Number::Decimal("1e400".into())),
            ("\"12\"", Number::Int(12)),
        ];
        for (json, expected) in cases {
            assert_eq!(decode(json, &Type::Number), Ok(num(expected)), "{json}");
        }
    }

    #[test]
    fn collections() {
        let list = decode(r#"["a", null]"#, &Type::list(Type::String));
        assert_eq!(list, Ok(Value::List(vec![Value::from("a"), Value::Null])));
        let set = decode("[1, 2]", &Type::set(Type::Number));
        assert_eq!(set, Ok(Value::Set(vec![num(Number::Int(1)), num(Number::Int(2))])));
        let tuple = decode(r#"["x", true]"#, &Type::Tuple(vec![Type::String, Type::Bool]));
        assert_eq!(tuple, Ok(Value::Tuple(vec![Value::from("x"), Value::Bool(true)])));
        let map = decode(r#"{"b": "2", "a": "1"}"#, &Type::map(Type::String));
        let expected = [("a".to_owned(), Value::from("1")), ("b".to_owned(), Value::from("2"))];
        assert_eq!(map, Ok(Value::Map(expected.into())));
    }

    #[test]
    fn objects_fill_missing_attributes_with_null() {
        let ty = Type::object([("a", Type::String), ("b", Type::list(Type::Number))]);
        let expected = Value::object([("a", Value::from("x")), ("b", Value::Null)]);
        assert_eq!(decode(r#"{"a": "x"}"#, &ty), Ok(expected));
    }

    #[test]
    fn dynamic_values_in_either_order() {
        let expected = Ok(Value::List(vec![Value::from("a")]));
        let type_first = r#"{"type": ["list", "string"], "value": ["a"]}"#;
        assert_eq!(decode(type_first, &Type::Dynamic), expected);
        let value_first = r#"{"value": ["a"], "type": ["list", "string"]}"#;
        assert_eq!(decode(value_first, &Type::Dynamic), expected);
        let inside = Type::object([("extra", Type::Dynamic)]);
        let json = r#"{"extra": {"value": {"n": 1}, "type": ["object", {"n": "number"}]}}"#;
        let value = Value::object([("extra", Value::object([("n", Value::from(1))]))]);
        assert_eq!(decode(json, &inside), Ok(value));
    }

    #[test]
    fn wrong_types_name_the_path() {
        let ty =
            Type::object([("images", Type::list(Type::object([("image_name", Type::String)])))]);
        let json = r#"{"images": [null, null, null, {"image_name": [1]}]}"#;
        let err = decode(json, &ty).unwrap_err();
        assert_eq!(err.to_string(), "expected a string, found an array (at images[3].image_name)");
        let ty = Type::map(Type::list(Type::Bool));
        let err = decode(r#"{"k": [true, 3]}"#, &ty).unwrap_err();
        assert_eq!(err.to_string(), "expected a bool, found a number (at [\"k\"][1])");
    }

    #[test]
    fn malformed_input_is_a_clear_error() {
        let object = Type::object([("a", Type::String)]);
        let cases: Vec<(&[u8], Type, &str)> = vec![
            (b"", Type::String, "invalid JSON"),
            (b"\"a\" \"b\"", Type::String, "invalid JSON: trailing characters"),
            (b"[1,", Type::list(Type::Number), "invalid JSON"),
            (b"\"\xff\"", Type::String, "not valid UTF-8"),
            (b"\"\\ud800\"", Type::String, "invalid JSON"),
            (
                br#"{"b": "x"}"#,
                object.clone(),
                "unexpected attribute \"b\"; the object's attributes are: a",
            ),
            (br#"{"a": "x", "a": "y"}"#, object, "the attribute \"a\" appears twice"),
            (br#"{"k": 1, "k": 2}"#, Type::map(Type::Number), "the map key \"k\" appears twice"),
            (b"\"abc\"", Type::Number, "found \"abc\", which is not one"),
            (b"[1]", Type::Tuple(vec![]), "tuple of 0 elements, found an array of 1"),
            (b"[]", Type::Dynamic, "expected a dynamic value"),
            (br#"{"value": 1}"#, Type::Dynamic, "needs both a \"type\" and a \"value\""),
            (br#"{"type": "number"}"#, Type::Dynamic, "needs both"),
            (
                br#"{"type": "num", "value": 1}"#,
                Type::Dynamic,
                "type of a dynamic value is invalid",
            ),
            (br#"{"type": "number", "value": 1, "x": 2}"#, Type::Dynamic, "unexpected key \"x\""),
            (
                br#"{"type": "number", "type": "string", "value": 1}"#,
                Type::Dynamic,
                "appears twice",
            ),
            (b"{}", Type::list(Type::String), "expected a list, found an object"),
            (b"1", Type::Bool, "expected a bool, found a number"),
        ];
        for (json, ty, expected) in cases {
            let err = decode_json(json, &ty).unwrap_err().to_string();
            assert!(err.contains(expected), "{}: {err}", String::from_utf8_lossy(json));
        }
    }

    /// `list(list(...(string)))`, `levels` lists deep.
    fn nested_lists(levels: usize) -> Type {
        (0..levels).fold(Type::String, |inner, _| Type::list(inner))
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = decode(&json, &nested_lists(100)).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err}");
        let err = decode(&json, &Type::list(Type::String)).unwrap_err();
        assert_eq!(err.to_string(), "expected a string, found an array (at [0])");

        let json = format!("{}\"x\"{}", "[".repeat(100), "]".repeat(100));
        let err = decode(&json, &nested_lists(100)).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err}");

        let dynamic = r#"{"type": "dynamic", "value": "#.repeat(100) + "null" + &"}".repeat(100);
        let err = decode(&dynamic, &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err}");

        let json = format!("{}\"x\"{}", "[".repeat(64), "]".repeat(64));
        assert!(decode(&json, &nested_lists(64)).is_ok());
    }

    mod fuzz {
        use proptest::prelude::*;

        use super::super::*;

        fn types() -> Vec<Type> {
            vec![
                Type::object([
                    ("ids", Type::list(Type::Number)),
                    ("tags", Type::map(Type::String)),
                    ("extra", Type::Dynamic),
                    ("pair", Type::Tuple(vec![Type::Bool, Type::set(Type::String)])),
                ]),
                Type::Dynamic,
                Type::list(Type::Dynamic),
            ]
        }

        /// JSON-like text: the pieces JSON is made of, in random order.
        fn json_like() -> impl Strategy<Value = String> {
            const PIECES: &[&str] = &[
                "[",
                "]",
                "{",
                "}",
                ",",
                ":",
                "null",
                "true",
                "1e400",
                "-0.5",
                "\"ids\"",
                "\"tags\"",
                "\"extra\"",
                "\"pair\"",
                "\"type\"",
                "\"value\"",
                "\"dynamic\"",
                "\"list\"",
                "\"number\"",
                "\"x\"",
                "\"\\u00e9\"",
            ];
            let piece = proptest::sample::select(PIECES);
            proptest::collection::vec(piece, 0..64).prop_map(|pieces| pieces.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4096))]

            #[test]
            fn random_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..256)) {
                for ty in types() {
                    let _ = decode_json(&input, &ty);
                }
            }

            #[test]
            fn json_like_text_never_panics(input in json_like()) {
                for ty in types() {
                    let _ = decode_json(input.as_bytes(), &ty);
                }
            }
        }
    }
}
