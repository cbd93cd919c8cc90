//! cty types and their compact JSON form (`"string"`, `["list","string"]`, ...).
//!
//! Must not depend on the value encodings.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{CodecError, nested, quoted};

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    String,
    /// `dynamic`: the value carries its own type on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    /// `list(element)`.
    pub fn list(element: Type) -> Self {
        Type::List(Box::new(element))
    }

    /// `set(element)`.
    pub fn set(element: Type) -> Self {
        Type::Set(Box::new(element))
    }

    /// `map(element)`.
    pub fn map(element: Type) -> Self {
        Type::Map(Box::new(element))
    }

    /// `object({...})` from `(name, type)` pairs.
    pub fn object<'a>(attributes: impl IntoIterator<Item = (&'a str, Type)>) -> Self {
        Type::Object(attributes.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
}

impl Type {
    /// The compact JSON form Terraform expects in `Attribute.type`, e.g. `["list","string"]`:
    /// no whitespace, object attributes in sorted order.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out);
        out
    }

    /// Parses the compact JSON form of a type. Also accepts the object form with optional
    /// attributes, `["object",{...},["name"]]` (the optional list is checked, then dropped).
    pub fn from_json(json: &[u8]) -> Result<Type, CodecError> {
        let parsed: Json = serde_json::from_slice(json)
            .map_err(|e| CodecError::new(format!("the type is not valid JSON: {e}")))?;
        from_json_value(&parsed, 0)
    }

    /// What kind of type this is, for error messages: "a string", "a list", "an object".
    pub fn describe(&self) -> &'static str {
        match self {
            Type::Bool => "a bool",
            Type::Number => "a number",
            Type::String => "a string",
            Type::Dynamic => "a dynamic value",
            Type::List(_) => "a list",
            Type::Set(_) => "a set",
            Type::Map(_) => "a map",
            Type::Object(_) => "an object",
            Type::Tuple(_) => "a tuple",
        }
    }
}

fn write_json(ty: &Type, out: &mut String) {
    match ty {
        Type::Bool => out.push_str("\"bool\""),
        Type::Number => out.push_str("\"number\""),
        Type::String => out.push_str("\"string\""),
        Type::Dynamic => out.push_str("\"dynamic\""),
        Type::List(element) => write_collection("list", element, out),
        Type::Set(element) => write_collection("set", element, out),
        Type::Map(element) => write_collection("map", element, out),
        Type::Object(attributes) => {
            out.push_str("[\"object\",{");
            for (i, (name, attribute)) in attributes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Json::from(name.as_str()).to_string());
                out.push(':');
                write_json(attribute, out);
            }
            out.push_str("}]");
        }
        Type::Tuple(elements) => {
            out.push_str("[\"tuple\",[");
            for (i, element) in elements.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(element, out);
            }
            out.push_str("]]");
        }
    }
}

fn write_collection(kind: &str, element: &Type, out: &mut String) {
    out.push_str("[\"");
    out.push_str(kind);
    out.push_str("\",");
    write_json(element, out);
    out.push(']');
}

fn from_json_value(json: &Json, depth: usize) -> Result<Type, CodecError> {
    match json {
        Json::String(name) => primitive(name),
        Json::Array(parts) => match parts.as_slice() {
            [Json::String(kind), rest @ ..] => composite(kind, rest, nested(depth)?),
            _ => Err(invalid_type("an array must start with a type kind such as \"list\"")),
        },
        _ => Err(invalid_type(
            "expected a string such as \"string\" or an array such as [\"list\",\"string\"]",
        )),
    }
}

fn primitive(name: &str) -> Result<Type, CodecError> {
    match name {
        "bool" => Ok(Type::Bool),
        "number" => Ok(Type::Number),
        "string" => Ok(Type::String),
        "dynamic" => Ok(Type::Dynamic),
        other => Err(invalid_type(&format!(
            "unknown primitive type {}; expected \"bool\", \"number\", \"string\" or \"dynamic\"",
            quoted(other)
        ))),
    }
}

fn composite(kind: &str, rest: &[Json], depth: usize) -> Result<Type, CodecError> {
    match (kind, rest) {
        ("list", [element]) => Ok(Type::list(from_json_value(element, depth)?)),
        ("set", [element]) => Ok(Type::set(from_json_value(element, depth)?)),
        ("map", [element]) => Ok(Type::map(from_json_value(element, depth)?)),
        ("object", [Json::Object(attributes)]) => object(attributes, &[], depth),
        ("object", [Json::Object(attributes), Json::Array(optional)]) => {
            object(attributes, optional, depth)
        }
        ("tuple", [Json::Array(elements)]) => elements
            .iter()
            .map(|element| from_json_value(element, depth))
            .collect::<Result<_, _>>()
            .map(Type::Tuple),
        ("list" | "set" | "map", _) => {
            Err(invalid_type(&format!("expected [\"{kind}\", <element type>]")))
        }
        ("object", _) => Err(invalid_type("expected [\"object\", {\"name\": <type>, ...}]")),
        ("tuple", _) => Err(invalid_type("expected [\"tuple\", [<type>, ...]]")),
        (other, _) => Err(invalid_type(&format!(
            "unknown type kind {}; expected \"list\", \"set\", \"map\", \"object\" or \"tuple\"",
            quoted(other)
        ))),
    }
}

fn object(
    attributes: &serde_json::Map<String, Json>,
    optional: &[Json],
    depth: usize,
) -> Result<Type, CodecError> {
    for name in optional {
        match name {
            Json::String(name) if attributes.contains_key(name) => {}
            Json::String(name) => {
                return Err(invalid_type(&format!(
                    "optional attribute {} is not an attribute of the object",
                    quoted(name)
                )));
            }
            _ => return Err(invalid_type("optional attribute names must be strings")),
        }
    }
    let mut types = BTreeMap::new();
    for (name, attribute) in attributes {
        types.insert(name.clone(), from_json_value(attribute, depth)?);
    }
    Ok(Type::Object(types))
}

fn invalid_type(detail: &str) -> CodecError {
    CodecError::new(format!("invalid type JSON: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cases() -> Vec<(&'static str, Type)> {
        vec![
            (r#""string""#, Type::String),
            (r#""number""#, Type::Number),
            (r#""bool""#, Type::Bool),
            (r#""dynamic""#, Type::Dynamic),
            (r#"["list","string"]"#, Type::list(Type::String)),
            (r#"["set","number"]"#, Type::set(Type::Number)),
            (r#"["map",["list","bool"]]"#, Type::map(Type::list(Type::Bool))),
            (
                r#"["object",{"a":"string","b":["set","dynamic"]}]"#,
                Type::object([("b", Type::set(Type::Dynamic)), ("a", Type::String)]),
            ),
            (r#"["object",{}]"#, Type::Object(BTreeMap::new())),
            (r#"["tuple",["string","number"]]"#, Type::Tuple(vec![Type::String, Type::Number])),
            (r#"["tuple",[]]"#, Type::Tuple(vec![])),
            (
                r#"["list",["object",{"image_id":"string","tags":["map","string"]}]]"#,
                Type::list(Type::object([
                    ("tags", Type::map(Type::String)),
                    ("image_id", Type::String),
                ])),
            ),
        ]
    }

    #[test]
    fn to_json_is_compact_and_sorted() {
        for (json, ty) in cases() {
            assert_eq!(ty.to_json(), json);
        }
    }

    #[test]
    fn from_json_reads_every_form() {
        for (json, ty) in cases() {
            assert_eq!(Type::from_json(json.as_bytes()), Ok(ty), "{json}");
        }
    }

    #[test]
    fn from_json_tolerates_whitespace_and_optional_attributes() {
        let ty = Type::from_json(br#" [ "object" , { "b" : "number", "a" : "string" }, ["b"] ] "#);
        assert_eq!(ty, Ok(Type::object([("a", Type::String), ("b", Type::Number)])));
    }

    #[test]
    fn object_keys_are_escaped() {
        let ty = Type::object([("quote\"d", Type::String)]);
        assert_eq!(ty.to_json(), r#"["object",{"quote\"d":"string"}]"#);
        assert_eq!(Type::from_json(ty.to_json().as_bytes()), Ok(ty));
    }

    #[test]
    fn from_json_rejects_malformed_types() {
        let cases: &[(&str, &str)] = &[
            ("", "not valid JSON"),
            ("\"str\"", "unknown primitive type \"str\""),
            ("42", "expected a string"),
            ("[]", "must start with a type kind"),
            ("[\"list\"]", "expected [\"list\", <element type>]"),
            ("[\"list\",\"string\",\"string\"]", "expected [\"list\""),
            ("[\"object\",[]]", "expected [\"object\""),
            ("[\"object\",{\"a\":\"string\"},[\"b\"]]", "optional attribute \"b\""),
            ("[\"object\",{\"a\":\"string\"},[1]]", "must be strings"),
            ("[\"tuple\",\"string\"]", "expected [\"tuple\""),
            ("[\"array\",\"string\"]", "unknown type kind \"array\""),
            ("\"string\" x", "not valid JSON"),
            ("[\"list\",\"\\ud800\"]", "not valid JSON"),
        ];
        for (json, expected) in cases {
            let err = Type::from_json(json.as_bytes()).expect_err(json);
            assert!(err.message.contains(expected), "{json}: {err}");
        }
    }

    #[test]
    fn from_json_rejects_deep_nesting_without_overflow() {
        let depth = 10_000;
        let json = format!("{}\"string\"{}", "[\"list\",".repeat(depth), "]".repeat(depth));
        assert!(Type::from_json(json.as_bytes()).is_err());

        let just_too_deep = 65;
        let json = format!(
            "{}\"string\"{}",
            "[\"list\",".repeat(just_too_deep),
            "]".repeat(just_too_deep)
        );
        let err = Type::from_json(json.as_bytes()).unwrap_err();
        assert!(err.message.contains("more than 64 levels"), "{err}");

        let json = format!("{}\"string\"{}", "[\"list\",".repeat(64), "]".repeat(64));
        assert!(Type::from_json(json.as_bytes()).is_ok());
    }

    #[test]
    fn describe_names_each_kind() {
        assert_eq!(Type::String.describe(), "a string");
        assert_eq!(Type::Object(BTreeMap::new()).describe(), "an object");
        assert_eq!(Type::Dynamic.describe(), "a dynamic value");
    }
}
