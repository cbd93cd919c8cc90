//! cty types and their compact JSON form (`"string"`, `["list","string"]`, ...).

use std::collections::BTreeMap;

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
    /// The compact JSON form Terraform expects in `Attribute.type`, e.g. `["list","string"]`.
    pub fn to_json(&self) -> String {
        todo_type_json(self)
    }

    /// Parses the compact JSON form of a type.
    pub fn from_json(_json: &[u8]) -> Result<Type, super::CodecError> {
        Err(super::CodecError::new("type JSON parsing is not implemented yet"))
    }
}

fn todo_type_json(_ty: &Type) -> String {
    String::from("\"dynamic\"")
}
